import { test, expect, type Page } from '@playwright/test';
import { E2E_ADMIN } from '../playwright.config';

async function login(page: Page) {
  await page.goto('/');
  await page.getByTestId('login-email').fill(E2E_ADMIN.email);
  await page.getByTestId('login-password').fill(E2E_ADMIN.password);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('nav-market')).toBeVisible();
}

test('pending order on a symbol with an active trade: the form shows the refusal, nothing is created', async ({ page }) => {
  await login(page);

  // A paper perpetual account of its own.
  await page.getByTestId('nav-accounts').click();
  await page.getByTestId('account-name').fill('E2E pending conflict');
  await page.getByTestId('account-exchange').fill('binance');
  await page.getByTestId('account-exchange-option').filter({ hasText: /^binance$/ }).first().click();
  await page.getByTestId('account-market-type').selectOption('swap');
  await page.getByTestId('account-mode').selectOption('paper');
  await page.getByTestId('paper-balance-amount').first().fill('10000');
  await page.getByTestId('account-save').click();
  await expect(page.getByTestId('account-row').filter({ hasText: 'E2E pending conflict' })).toBeVisible();

  await page.getByTestId('nav-trade').click();
  await expect(page.getByTestId('order-ticket')).toBeVisible();
  const accountId = await page.getByTestId('trade-account').locator('option', { hasText: 'E2E pending conflict' }).getAttribute('value');
  await page.getByTestId('trade-account').selectOption(accountId!);
  await page.getByTestId('trade-symbol').selectOption('BTC/USDT:USDT');
  await expect.poll(async () => Number(await page.getByTestId('trade-last-price').textContent()), { timeout: 30_000 }).toBeGreaterThan(1000);

  // Open a market long on BTC/USDT:USDT.
  await page.getByTestId('ticket-sizing-mode').selectOption('quote');
  await page.getByTestId('ticket-sizing-value').fill('500');
  await page.getByTestId('ticket-submit').click();
  await expect(page.getByTestId('trade-row').first()).toBeVisible();

  // A pending order on the same symbol: the direction is prefilled from the current price, the server refuses.
  const current = Number(await page.getByTestId('pending-current-price').getAttribute('data-price'));
  expect(current).toBeGreaterThan(1000);
  await page.getByTestId('pending-trigger').fill((current * 1.1).toFixed(1));
  await expect(page.getByTestId('pending-direction')).toHaveValue('above');
  await expect(page.getByTestId('pending-direction')).toHaveAttribute('data-chosen', 'false');
  await page.getByTestId('pending-sizing-mode').selectOption('quote');
  await page.getByTestId('pending-sizing-value').fill('500');
  await page.getByTestId('pending-create').click();
  const error = page.getByTestId('pending-error');
  await expect(error).toBeVisible();
  await expect(error).toContainText(/this account already has an active trade on BTC\/USDT:USDT \(long [\d.]+, trade [0-9a-f-]+\)/);
  await expect(error).toContainText('close that trade first');
  await expect(page.getByTestId('pending-row')).toHaveCount(0);
  await expect(page.getByTestId('pending-empty')).toBeVisible();
});
