#!/usr/bin/env node
// Runs every test suite in order and prints one summary line at the end:
// typecheck, lint, unit + integration (vitest, PGlite and Postgres), browser (Playwright in Debian's Chromium).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const REPORTS = 'test-reports';
rmSync(REPORTS, { recursive: true, force: true });
mkdirSync(REPORTS, { recursive: true });

const pnpm = ['npx', '-y', 'pnpm@10'];
const steps = [
  ['typecheck', [...pnpm, '-r', '--reporter=append-only', 'typecheck']],
  ['lint', ['npx', 'eslint', '.']],
  ['unit+integration', ['npx', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${REPORTS}/vitest.json`]],
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
// Test counts from the runners' JSON reports (vitest: Jest-style totals; Playwright: stats).
let testsPassed = 0;
let testsFailed = 0;
const read = (f) => (existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : null);
const v = read(`${REPORTS}/vitest.json`);
if (v) {
  testsPassed += v.numPassedTests;
  testsFailed += v.numFailedTests;
}
const p = read(`${REPORTS}/playwright.json`);
if (p) {
  testsPassed += p.stats.expected + p.stats.flaky;
  testsFailed += p.stats.unexpected;
}
process.stdout.write(`\nsuites (typecheck, lint, vitest, playwright): ${passed} passed, ${failed} failed\n`);
process.stdout.write(`tests: ${testsPassed} passed, ${testsFailed + failed} failed\n`);
process.exit(failed ? 1 : 0);
