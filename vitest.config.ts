import { defineConfig } from 'vitest/config';

// One runner for unit (*.test.ts) and integration (*.int.test.ts) tests across the workspace.
// Browser tests live in e2e/ and run under Playwright.
export default defineConfig({
  test: {
    include: ['{server,shared,client}/src/**/*.test.{ts,tsx}', 'server/test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'e2e/**'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    env: { TZ: 'UTC' },
  },
});
