import { test, expect, type Page } from '@playwright/test';
import { E2E_ADMIN } from '../playwright.config';

async function login(page: Page) {
  await page.goto('/');
  await page.getByTestId('login-email').fill(E2E_ADMIN.email);
  await page.getByTestId('login-password').fill(E2E_ADMIN.password);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('nav-market')).toBeVisible();
  // The dashboard is the first page after login; these tests are about the market page.
  await page.getByTestId('nav-market').click();
}

test('rejects bad credentials with a generic message', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('login-email').fill(E2E_ADMIN.email);
  await page.getByTestId('login-password').fill('wrong-password-xyz');
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('login-error')).toContainText(/invalid email or password/i);
  await expect(page.getByTestId('nav-market')).toHaveCount(0);
});

test('market chart shows real candles, signal markers, and live updates', async ({ page }) => {
  await login(page);
  const chart = page.getByTestId('market-chart');
  await expect(chart).toBeVisible();
  await expect.poll(async () => Number(await chart.getAttribute('data-candles')), { timeout: 30_000 }).toBeGreaterThan(100);
  await expect.poll(async () => Number(await chart.getAttribute('data-markers')), { timeout: 30_000 }).toBeGreaterThan(0);
  await expect(page.getByTestId('signal-row').first()).toBeVisible();

  // Live: the forming candle changes and candles close without a reload.
  const firstTs = Number(await chart.getAttribute('data-last-ts'));
  const firstClose = await chart.getAttribute('data-last-close');
  await expect.poll(async () => await chart.getAttribute('data-last-close'), { timeout: 20_000 }).not.toBe(firstClose);
  await expect.poll(async () => Number(await chart.getAttribute('data-last-ts')), { timeout: 30_000 }).toBeGreaterThan(firstTs);

  // Clocks: the user's zone (Asia/Shanghai in this browser) and UTC differ by 8 h.
  const [local, utc] = await page.evaluate(() =>
    ['clock-local', 'clock-utc'].map((id) => document.querySelector(`[data-testid="${id}"]`)?.textContent ?? ''),
  );
  const hourOf = (s: string | undefined) => Number(/(\d{2}):\d{2}:\d{2}/.exec(s ?? '')?.[1]);
  expect(Number.isFinite(hourOf(utc))).toBe(true);
  expect((hourOf(local) - hourOf(utc) + 24) % 24).toBe(8);
  await page.screenshot({ path: 'test-results/market.png', fullPage: true });
});

test('switching symbol and timeframe reloads the chart', async ({ page }) => {
  await login(page);
  const chart = page.getByTestId('market-chart');
  await expect.poll(async () => Number(await chart.getAttribute('data-candles'))).toBeGreaterThan(100);
  const btcClose = Number(await chart.getAttribute('data-last-close'));
  await page.getByTestId('symbol-select').selectOption('ETH/USDT');
  await expect.poll(async () => Number(await chart.getAttribute('data-last-close'))).toBeLessThan(btcClose / 5);
  await page.getByTestId('timeframe-select').selectOption('4h');
  await expect.poll(async () => Number(await chart.getAttribute('data-candles'))).toBeGreaterThan(50);
});

test('language switch turns the interface into Simplified Chinese and back', async ({ page }) => {
  await login(page);
  const nav = page.getByTestId('nav-market');
  const english = (await nav.textContent()) ?? '';
  await page.getByTestId('lang-switch').selectOption('zh');
  await expect(nav).not.toHaveText(english);
  await expect(nav).toHaveText(/[\u4e00-\u9fff]/);
  await page.reload();
  await expect(page.getByTestId('nav-market')).toHaveText(/[\u4e00-\u9fff]/);
  await page.getByTestId('lang-switch').selectOption('en');
  await expect(page.getByTestId('nav-market')).toHaveText(english);
});

test('logout ends the session', async ({ page }) => {
  await login(page);
  await page.getByTestId('logout').click();
  await expect(page.getByTestId('login-email')).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('login-email')).toBeVisible();
});
