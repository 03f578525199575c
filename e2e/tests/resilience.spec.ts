import { test, expect, type Page, type Route } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { E2E_ADMIN } from '../playwright.config';

const E2E_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.resolve(E2E_DIR, '../client/dist');
/** A second server of our own (the suite's webServer cannot be stopped from a test). */
const PORT = Number(process.env.E2E_PORT ?? 3123) + 7;
const ORIGIN = `http://127.0.0.1:${PORT}`;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
};

async function login(page: Page, origin = '') {
  await page.goto(`${origin}/`);
  await page.getByTestId('login-email').fill(E2E_ADMIN.email);
  await page.getByTestId('login-password').fill(E2E_ADMIN.password);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('nav-market')).toBeVisible();
}

/** Starts Osprey on {@link PORT} with `dataDir` (its own process group, so it can be stopped by its id). */
function startServer(dataDir: string): ChildProcess {
  return spawn(path.join(E2E_DIR, '../server/node_modules/.bin/tsx'), [path.join(E2E_DIR, '../server/src/main.ts')], {
    cwd: E2E_DIR,
    detached: true,
    stdio: 'ignore',
    env: {
      ...process.env,
      PORT: String(PORT),
      HOST: '127.0.0.1',
      OSPREY_DATA_DIR: dataDir,
      ADMIN_EMAIL: E2E_ADMIN.email,
      ADMIN_PASSWORD: E2E_ADMIN.password,
      OSPREY_SYMBOLS: 'BTC/USDT',
      OSPREY_REPLAY_SPEED: '600',
      OSPREY_REPLAY_START: '2024-08-05T00:00:00Z',
      LOG_LEVEL: 'warn',
    },
  });
}

async function waitHealthy(timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const res = await fetch(`${ORIGIN}/health`);
      if (res.ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`server on ${PORT} not healthy after ${timeoutMs} ms`);
}

async function stopServer(child: ChildProcess | null): Promise<void> {
  if (!child?.pid || child.exitCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  process.kill(-child.pid, 'SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
  if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
}

/**
 * Serves the built SPA from client/dist for {@link ORIGIN} (as a CDN or the browser cache would), so the
 * page opens even while the server is down; the API (`/trpc`) and `/health` still go to the server.
 */
async function serveSpaFromDisk(page: Page) {
  expect(existsSync(path.join(DIST, 'index.html')), 'client/dist is built').toBe(true);
  await page.route(
    (url) => url.origin === ORIGIN && !url.pathname.startsWith('/trpc') && url.pathname !== '/health',
    async (route: Route) => {
      const { pathname } = new URL(route.request().url());
      let file = path.join(DIST, path.normalize(pathname).replace(/^[/\\]+/, ''));
      if (!file.startsWith(DIST) || !existsSync(file) || pathname === '/') file = path.join(DIST, 'index.html');
      await route.fulfill({ status: 200, body: readFileSync(file), contentType: MIME[path.extname(file)] ?? 'application/octet-stream' });
    },
  );
}

test('a page opened while the server is down retries with backoff and recovers by itself', async ({ page }) => {
  test.setTimeout(300_000);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'osprey-e2e-down-'));
  let server: ChildProcess | null = startServer(dataDir);
  try {
    await waitHealthy(180_000);
    await serveSpaFromDisk(page);
    await login(page, ORIGIN);

    // The server goes away; the trader opens the page again.
    await stopServer(server);
    server = null;
    const attempts: number[] = [];
    page.on('request', (r) => {
      if (r.url().startsWith(`${ORIGIN}/trpc/`) && r.url().includes('auth.me')) attempts.push(Date.now());
    });
    let navigations = 0;
    await page.reload();
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) navigations++;
    });
    const down = page.getByTestId('server-down');
    await expect(down).toBeVisible();
    await expect(page.getByTestId('server-down-next')).toHaveText(/\d+ s|retrying|trying again/i);
    // It keeps trying, each wait longer than the one before (1 s, 2 s, 4 s, …).
    await expect.poll(() => attempts.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(4);
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]!).toBeGreaterThan(gaps[i - 1]! * 1.4);
    expect(Number(await down.getAttribute('data-attempts'))).toBeGreaterThanOrEqual(3);
    await page.screenshot({ path: 'test-results/server-down.png' });

    // The server comes back: the page finds it without a reload, the session still signed in, live again.
    server = startServer(dataDir);
    await waitHealthy(120_000);
    await expect(page.getByTestId('nav-market')).toBeVisible({ timeout: 30_000 });
    await expect(down).toHaveCount(0);
    expect(navigations).toBe(0);
    await expect(page.locator('.clock')).not.toHaveAttribute('data-feed-now', '', { timeout: 20_000 });
    await page.getByTestId('nav-market').click();
    await expect.poll(async () => Number(await page.getByTestId('market-chart').getAttribute('data-candles')), { timeout: 30_000 }).toBeGreaterThan(100);
  } finally {
    await stopServer(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
});

const PAGES = ['dashboard', 'market', 'trade', 'accounts', 'bots', 'backtests', 'settings', 'users'] as const;

test('at 390 px the header fits on two lines and no page overflows sideways', async ({ page }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 390, height: 844 });
  await login(page);
  for (const lang of ['en', 'zh'] as const) {
    await page.getByTestId('lang-switch').selectOption(lang);
    for (const route of PAGES) {
      await page.evaluate((r) => (location.hash = `#/${r}`), route);
      await expect(page.locator('.content .page').first()).toBeVisible();
      await page.waitForTimeout(600); // let the page's data render
      const m = await page.evaluate(() => {
        const content = document.querySelector('.content')!;
        const topbar = document.querySelector('.topbar')!;
        const parts = ['.page-title', '.clock', '[data-testid="lang-switch"]', '.user', '[data-testid="logout"]'].map((sel) => {
          const r = topbar.querySelector(sel)!.getBoundingClientRect();
          return { sel, top: r.top, bottom: r.bottom, left: r.left, right: r.right };
        });
        return {
          doc: document.scrollingElement!.scrollWidth,
          contentScroll: content.scrollWidth,
          contentClient: content.clientWidth,
          topbarHeight: topbar.getBoundingClientRect().height,
          topbarScroll: topbar.scrollWidth,
          topbarClient: topbar.clientWidth,
          parts,
        };
      });
      const where = `${route} (${lang})`;
      expect(m.doc, `${where}: document width`).toBeLessThanOrEqual(390);
      expect(m.contentScroll, `${where}: content width`).toBeLessThanOrEqual(m.contentClient);
      expect(m.topbarScroll, `${where}: header width`).toBeLessThanOrEqual(m.topbarClient);
      for (const p of m.parts) expect(p.right, `${where}: ${p.sel} inside the viewport`).toBeLessThanOrEqual(390);
      // Two lines: the header items sit on at most two rows, and the bar is about two lines tall.
      const rows: number[] = [];
      for (const p of [...m.parts].sort((a, b) => a.top - b.top)) if (!rows.some((r) => Math.abs(r - (p.top + p.bottom) / 2) < 14)) rows.push((p.top + p.bottom) / 2);
      expect(rows.length, `${where}: header rows`).toBeLessThanOrEqual(2);
      expect(m.topbarHeight, `${where}: header height`).toBeLessThanOrEqual(96);
    }
    if (lang === 'en') await page.screenshot({ path: 'test-results/narrow-390.png' });
  }
  await page.getByTestId('lang-switch').selectOption('en');
});
