#!/usr/bin/env node
// Runs every test suite in order and prints one summary line at the end:
// typecheck, lint, unit + integration (vitest, PGlite and Postgres), browser (Playwright in Debian's Chromium).
import { spawnSync } from 'node:child_process';

const pnpm = ['npx', '-y', 'pnpm@10'];
const steps = [
  ['typecheck', [...pnpm, '-r', '--reporter=append-only', 'typecheck']],
  ['lint', ['npx', 'eslint', '.']],
  ['unit+integration', ['npx', 'vitest', 'run']],
  ['e2e', ['node', 'scripts/e2e.mjs']],
];
const only = process.argv.slice(2);
let passed = 0;
let failed = 0;
for (const [name, cmd] of steps) {
  if (only.length && !only.includes(name)) continue;
  process.stdout.write(`\n=== ${name}: ${cmd.join(' ')}\n`);
  const r = spawnSync(cmd[0], cmd.slice(1), { stdio: 'inherit', env: { ...process.env, TZ: 'UTC' } });
  if (r.status === 0) passed++;
  else {
    failed++;
    process.stdout.write(`=== ${name} FAILED (exit ${r.status ?? r.signal})\n`);
  }
}
process.stdout.write(`\nsuites: ${passed} passed, ${failed} failed\n`);
process.exit(failed ? 1 : 0);
