import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const PORT = Number(process.env.E2E_PORT ?? 3123);
const dataDir = mkdtempSync(path.join(tmpdir(), 'osprey-e2e-'));

/** E2E credentials (a fresh database is seeded with them). */
export const E2E_ADMIN = { email: 'admin@e2e.test', password: 'e2e-password-123' };

export default defineConfig({
  testDir: './tests',
  timeout: 90_000,
  expect: { timeout: 20_000 },
  retries: 0,
  workers: 1,
  reporter: [['list'], ['json', { outputFile: '../test-reports/playwright.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
    timezoneId: 'Asia/Shanghai',
    screenshot: 'only-on-failure',
  },
  webServer: {
    command: '../server/node_modules/.bin/tsx ../server/src/main.ts',
    url: `http://127.0.0.1:${PORT}/health`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      PORT: String(PORT),
      HOST: '127.0.0.1',
      OSPREY_DATA_DIR: dataDir,
      ADMIN_EMAIL: E2E_ADMIN.email,
      ADMIN_PASSWORD: E2E_ADMIN.password,
      OSPREY_SYMBOLS: 'BTC/USDT,ETH/USDT',
      // 15m of market time every ~1.5 s so closes and signals happen during a test.
      OSPREY_REPLAY_SPEED: '600',
      OSPREY_REPLAY_START: '2024-08-05T00:00:00Z',
      LOG_LEVEL: 'warn',
    },
  },
});
