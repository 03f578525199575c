import { test, expect, type Page } from '@playwright/test';
import { E2E_ADMIN } from '../playwright.config';

async function login(page: Page) {
  await page.goto('/');
  await page.getByTestId('login-email').fill(E2E_ADMIN.email);
  await page.getByTestId('login-password').fill(E2E_ADMIN.password);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('nav-market')).toBeVisible();
}

/** A tRPC mutation over the page's own session (same cookies as the browser). */
async function mutate(page: Page, path: string, input: unknown): Promise<any> {
  const res = await page.request.post(`/trpc/${path}`, { data: input });
  expect(res.status(), `${path}: ${await res.text()}`).toBe(200);
  return (await res.json()).result.data;
}

test('a stopped grid bot\'s leftovers: kept at stop, listed on the Trade page, closed from there', async ({ page }) => {
  await login(page);
  const account = await mutate(page, 'accounts.create', { name: 'E2E leftovers', exchange: 'binance', marketType: 'spot', mode: 'paper', paperBalances: { USDT: '10000' } });
  // Tight levels so the replayed market (15m every ~1.5 s) fills buys quickly; a far sell keeps them held.
  const bot = await mutate(page, 'bots.create', {
    name: 'E2E leftovers grid',
    accountId: account.id,
    config: { type: 'grid', marketType: 'spot', grid: { symbol: 'BTC/USDT', levels: 10, spacingPct: 0.2, sellOffsetPct: 20, orderSize: { mode: 'quote', value: '200' }, repricePct: 0 } },
  });
  await page.goto(`/#/bots?id=${bot.id}`);
  const detail = page.getByTestId('bot-detail');
  await detail.getByTestId('bot-start').click();
  await expect(detail.getByTestId('bot-status')).toHaveAttribute('data-status', 'running');
  await expect(page.getByTestId('bot-position-row').first()).toBeVisible({ timeout: 60_000 });
  // Kind column: the grid's resting orders are its entries (buys) and exits (sells).
  await expect(page.locator('[data-testid="bot-order-row"][data-role="exit"]').first()).toBeVisible();
  await expect(page.getByTestId('bot-settings').locator('[data-key="levels"] dd')).toHaveText('10');

  // Stop, keeping orders and positions.
  await detail.getByTestId('bot-stop').click();
  await expect(page.getByTestId('bot-stop-mode-cancel')).toBeChecked();
  await page.getByTestId('bot-stop-mode-keep').check();
  await page.getByTestId('bot-stop-confirm').click();
  await expect(detail.getByTestId('bot-status')).toHaveAttribute('data-status', 'stopped');
  await expect(detail.getByTestId('bot-close-positions')).toBeVisible();
  const held = await page.getByTestId('bot-position-row').count();
  expect(held).toBeGreaterThan(0);

  // The Trade page lists what the stopped bot holds and closes it through the bot.
  await page.getByTestId('nav-trade').click();
  await page.getByTestId('trade-account').selectOption(account.id);
  const holdings = page.getByTestId('bot-holdings');
  await expect(holdings.getByTestId('bot-holding-row')).toHaveCount(held);
  await holdings.getByTestId('bot-close-positions').click();
  await expect(page.getByTestId('bot-holdings')).toHaveCount(0);
  await page.screenshot({ path: '../test-reports/bot-leftovers-trade.png' });

  // Back on the bot page: nothing held, no open orders, and the closes are booked as round trips.
  await page.goto(`/#/bots?id=${bot.id}`);
  await expect(page.getByTestId('bot-positions-empty')).toBeVisible();
  await expect(page.getByTestId('bot-orders-empty')).toBeVisible();
  await expect(page.getByTestId('bot-detail-round-trips')).not.toHaveText('0');
  await expect(detail.getByTestId('bot-close-positions')).toHaveCount(0);
});
