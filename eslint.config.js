import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'drizzle/**', 'data/**', 'server/data/**', 'e2e/test-results/**', 'e2e/playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests poke at untyped JSON bodies and protocol frames.
    files: ['**/*.test.ts', '**/*.test.tsx', 'server/test/**/*.ts', 'e2e/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The domain is pure: no adapters, ORM, exchange/Discord/tRPC clients, I/O, or wall clock.
    files: ['server/src/domain/**/*.ts'],
    ignores: ['server/src/domain/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/adapters/**', '**/services/**', '**/jobs/**', '**/trpc/**', '**/config/**'], message: 'domain/ must not import adapters, services, jobs, trpc or config.' },
          { group: ['drizzle-orm', 'drizzle-orm/*', '@electric-sql/*', 'pg', 'ccxt', 'discord.js', '@trpc/*', 'ws', 'pino', 'node:fs', 'node:fs/*', 'fs', 'node:net', 'node:http', 'node:child_process'], message: 'domain/ is pure: no ORM, exchange, Discord, tRPC, network, file or log I/O.' },
        ],
      }],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'domain/ never reads the wall clock: take a Clock.' },
        { object: 'performance', property: 'now', message: 'domain/ never reads the wall clock: take a Clock.' },
      ],
      'no-restricted-syntax': ['error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'domain/ never reads the wall clock: take a Clock.' },
        { selector: "CallExpression[callee.name='setTimeout'], CallExpression[callee.name='setInterval']", message: 'domain/ has no timers: drive it from a job.' },
      ],
    },
  },
);
