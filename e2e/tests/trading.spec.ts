import { test, expect, type Page } from '@playwright/test';
import { E2E_ADMIN } from '../playwright.config';

async function login(page: Page) {
  await page.goto('/');
  await page.getByTestId('login-email').fill(E2E_ADMIN.email);
  await page.getByTestId('login-password').fill(E2E_ADMIN.password);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('nav-market')).toBeVisible();
}

test('paper account: market order from the ticket, live PnL, take-profit, close', async ({ page }) => {
  await login(page);

  // Add a paper perpetual account.
  await page.getByTestId('nav-accounts').click();
  await page.getByTestId('account-name').fill('E2E paper perp');
  await page.getByTestId('account-exchange').fill('binance');
  await page.getByTestId('account-exchange-option').filter({ hasText: /^binance$/ }).first().click();
  await page.getByTestId('account-market-type').selectOption('swap');
  await page.getByTestId('account-mode').selectOption('paper');
  await page.getByTestId('paper-balance-amount').first().fill('10000');
  await page.getByTestId('account-save').click();
  const row = page.getByTestId('account-row').filter({ hasText: 'E2E paper perp' });
  await expect(row).toBeVisible();
  await expect(row).not.toContainText(/secret/i);

  // Trade page: market long sized by quote notional, with a stop-loss.
  await page.getByTestId('nav-trade').click();
  await expect(page.getByTestId('order-ticket')).toBeVisible();
  const accountId = await page.getByTestId('trade-account').locator('option', { hasText: 'E2E paper perp' }).getAttribute('value');
  await page.getByTestId('trade-account').selectOption(accountId!);
  await page.getByTestId('trade-symbol').selectOption('BTC/USDT:USDT');
  await expect.poll(async () => Number(await page.getByTestId('trade-last-price').textContent()), { timeout: 30_000 }).toBeGreaterThan(1000);
  const last = Number(await page.getByTestId('trade-last-price').textContent());
  await page.getByTestId('ticket-side-long').click();
  await page.getByTestId('ticket-sizing-mode').selectOption('quote');
  await page.getByTestId('ticket-sizing-value').fill('2000');
  await page.getByTestId('ticket-stop-loss').fill((last * 0.85).toFixed(1));
  await expect(page.getByTestId('ticket-estimate')).toContainText(/\d/);
  await page.getByTestId('ticket-submit').click();

  const trade = page.getByTestId('trade-row').first();
  await expect(trade).toBeVisible();
  // The row appears while the entry is in flight (amount 0), then shows the filled amount.
  await expect.poll(async () => Number(await trade.getAttribute('data-amount')), { timeout: 15_000 }).toBeGreaterThan(0);

  // Unrealized PnL moves live with the replay feed.
  const pnl0 = await trade.getAttribute('data-unrealized');
  await expect.poll(async () => await trade.getAttribute('data-unrealized'), { timeout: 30_000 }).not.toBe(pnl0);

  // Set a take-profit 20 % above the entry (far: the replay runs fast): the SL and the TP are both working reduce-only orders.
  await page.getByTestId('trade-protect-tp-add').click();
  await page.getByTestId('trade-protect-tp-price-0').fill((last * 1.2).toFixed(1));
  await page.getByTestId('trade-protect-tp-share-0').fill('100');
  await page.getByTestId('trade-protect-save').click();
  await expect.poll(async () => await page.getByTestId('order-row').count(), { timeout: 15_000 }).toBe(2);

  // Close: the trade moves to history with a realized PnL, and its SL/TP orders are cancelled.
  await trade.getByTestId('trade-close').click();
  await expect(page.getByTestId('trade-row')).toHaveCount(0, { timeout: 30_000 });
  const closed = page.getByTestId('trade-history-row').first();
  await expect(closed).toBeVisible();
  expect(Number(await closed.getAttribute('data-realized'))).not.toBeNaN();
  await expect(page.getByTestId('order-row')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/trading.png', fullPage: true });
});
