import { test, expect, type Page } from '@playwright/test';
import { E2E_ADMIN } from '../playwright.config';

async function login(page: Page) {
  await page.goto('/');
  await page.getByTestId('login-email').fill(E2E_ADMIN.email);
  await page.getByTestId('login-password').fill(E2E_ADMIN.password);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('nav-market')).toBeVisible();
}

test('paper spot: stop-loss and take-profit from the ticket — only the stop rests, the target is shown as held by Osprey', async ({ page }) => {
  await login(page);

  await page.getByTestId('nav-accounts').click();
  await page.getByTestId('account-name').fill('E2E paper spot');
  await page.getByTestId('account-exchange').fill('binance');
  await page.getByTestId('account-exchange-option').filter({ hasText: /^binance$/ }).first().click();
  await page.getByTestId('account-market-type').selectOption('spot');
  await page.getByTestId('account-mode').selectOption('paper');
  await page.getByTestId('paper-balance-amount').first().fill('10000');
  await page.getByTestId('account-save').click();
  await expect(page.getByTestId('account-row').filter({ hasText: 'E2E paper spot' })).toBeVisible();

  await page.getByTestId('nav-trade').click();
  await expect(page.getByTestId('order-ticket')).toBeVisible();
  const accountId = await page.getByTestId('trade-account').locator('option', { hasText: 'E2E paper spot' }).getAttribute('value');
  await page.getByTestId('trade-account').selectOption(accountId!);
  await page.getByTestId('trade-symbol').selectOption('BTC/USDT');
  await expect.poll(async () => Number(await page.getByTestId('trade-last-price').textContent()), { timeout: 30_000 }).toBeGreaterThan(1000);
  const last = Number(await page.getByTestId('trade-last-price').textContent());
  await page.getByTestId('ticket-sizing-mode').selectOption('quote');
  await page.getByTestId('ticket-sizing-value').fill('1000');
  // far from the price: the replay runs fast
  await page.getByTestId('ticket-stop-loss').fill((last * 0.8).toFixed(2));
  await page.getByTestId('ticket-tp-add').click();
  await page.getByTestId('ticket-tp-price-0').fill((last * 1.25).toFixed(2));
  await page.getByTestId('ticket-tp-share-0').fill('100');
  await expect(page.getByTestId('ticket-estimate')).toContainText(/\d/);
  await page.getByTestId('ticket-submit').click();

  const trade = page.getByTestId('trade-row').first();
  await expect.poll(async () => Number(await trade.getAttribute('data-amount')), { timeout: 15_000 }).toBeGreaterThan(0);
  // Both levels are shown: the stop in its column, the target marked as held by Osprey (not an order at the venue).
  await expect(trade.getByTestId('tp-held')).toContainText('held by Osprey');
  await expect(trade.getByTestId('tp-held')).toHaveAttribute('title', /cancels the stop-loss/);
  await expect(page.getByTestId('trade-chart')).toHaveAttribute('data-lines', '3'); // entry, stop, target
  await expect(page.getByTestId('trade-chart')).toHaveAttribute('data-held-lines', '1');
  // At the venue only the stop rests.
  await expect.poll(async () => await page.getByTestId('order-row').count(), { timeout: 15_000 }).toBe(1);
  await expect(page.getByTestId('order-row').first()).toHaveAttribute('data-kind', 'stop_loss');

  await trade.getByTestId('trade-close').click();
  await expect(page.getByTestId('trade-row')).toHaveCount(0, { timeout: 30_000 });
  await expect(page.getByTestId('order-row')).toHaveCount(0);
});
