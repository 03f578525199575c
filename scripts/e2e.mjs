#!/usr/bin/env node
// Browser tests: make sure Debian's Chromium is there (Playwright cannot download browsers here),
// build the client, then run Playwright (it starts the server on a fresh database).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  const root = process.getuid?.() === 0;
  console.log(`Chromium not found at ${chromium}; installing Debian's chromium${root ? '' : ' with sudo'}…`);
  const sudo = root ? [] : ['sudo'];
  run(sudo[0] ?? 'apt-get', [...sudo.slice(1), ...(root ? [] : ['apt-get']), 'update'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  run(sudo[0] ?? 'apt-get', [...sudo.slice(1), ...(root ? [] : ['apt-get']), 'install', '-y', '--no-install-recommends', 'chromium', 'fonts-noto-cjk'], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}
run('npx', ['-y', 'pnpm@10', '--filter', '@osprey/client', 'build']);
run('npx', ['-y', 'pnpm@10', '--filter', '@osprey/e2e', 'exec', 'playwright', 'test']);
