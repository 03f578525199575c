import { readFileSync } from 'node:fs';
import { test, expect, type Page } from '@playwright/test';
import { E2E_ADMIN } from '../playwright.config';

async function login(page: Page) {
  await page.goto('/');
  await page.getByTestId('login-email').fill(E2E_ADMIN.email);
  await page.getByTestId('login-password').fill(E2E_ADMIN.password);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('nav-market')).toBeVisible();
}

/** Minimal RFC 4180 reader for the downloaded file (the server writes CRLF records; no quoted line breaks here). */
function rowsOf(csv: string): Record<string, string>[] {
  const [header, ...lines] = csv.split('\r\n').filter((l) => l !== '');
  const cols = header!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i]!, v])));
}

test('Trade page: Export CSV downloads the fills in the browser zone and the trades in UTC, matching the API', async ({ page }) => {
  await login(page);

  // A paper spot account with one bought-and-sold trade.
  await page.getByTestId('nav-accounts').click();
  await page.getByTestId('account-name').fill('E2E export spot');
  await page.getByTestId('account-exchange').fill('binance');
  await page.getByTestId('account-exchange-option').filter({ hasText: /^binance$/ }).first().click();
  await page.getByTestId('account-market-type').selectOption('spot');
  await page.getByTestId('account-mode').selectOption('paper');
  await page.getByTestId('paper-balance-amount').first().fill('10000');
  await page.getByTestId('account-save').click();
  await expect(page.getByTestId('account-row').filter({ hasText: 'E2E export spot' })).toBeVisible();

  await page.getByTestId('nav-trade').click();
  await expect(page.getByTestId('order-ticket')).toBeVisible();
  const accountId = (await page.getByTestId('trade-account').locator('option', { hasText: 'E2E export spot' }).getAttribute('value'))!;
  await page.getByTestId('trade-account').selectOption(accountId);
  await page.getByTestId('trade-symbol').selectOption('BTC/USDT');
  await expect.poll(async () => Number(await page.getByTestId('trade-last-price').textContent()), { timeout: 30_000 }).toBeGreaterThan(1000);
  await page.getByTestId('ticket-sizing-mode').selectOption('quote');
  await page.getByTestId('ticket-sizing-value').fill('500');
  await page.getByTestId('ticket-submit').click();
  const trade = page.getByTestId('trade-row').first();
  await expect.poll(async () => Number(await trade.getAttribute('data-amount')), { timeout: 15_000 }).toBeGreaterThan(0);
  await trade.getByTestId('trade-close').click();
  await expect(page.getByTestId('trade-history-row').first()).toBeVisible({ timeout: 30_000 });

  // Order history → Export CSV → Fills, in this browser's zone (Asia/Shanghai in the e2e config).
  await page.getByTestId('export-orders-open').click();
  await expect(page.getByTestId('export-orders-zone-local')).toBeVisible();
  await page.getByTestId('export-orders-zone-local').check();
  const [fillsFile] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-orders-fills').click()]);
  expect(fillsFile.suggestedFilename()).toBe('osprey-account-e2e-export-spot-fills.csv');
  const fillsCsv = readFileSync((await fillsFile.path())!, 'utf8');
  expect(fillsCsv.split('\r\n')[0]).toBe('time (Asia/Shanghai),time_unix_ms,symbol,side,price,amount,fee,fee_currency,liquidity,fill_id,order_id,client_order_id');
  const fills = rowsOf(fillsCsv);
  const api = (await (await page.request.get(`/trpc/trading.fills?input=${encodeURIComponent(JSON.stringify({ accountId, limit: 5000 }))}`)).json()).result.data as Array<{ id: string; ts: number; price: string; amount: string; side: string }>;
  expect(fills.length).toBe(api.length);
  expect(fills.map((f) => f.side).sort()).toEqual(['buy', 'sell']);
  for (const f of fills) {
    const a = api.find((x) => x.id === f.fill_id)!;
    expect([f.price, f.amount, Number(f.time_unix_ms)]).toEqual([a.price, a.amount, a.ts]);
    expect(f['time (Asia/Shanghai)']).toMatch(/\+08:00$/);
    expect(Date.parse(f['time (Asia/Shanghai)']!)).toBe(a.ts);
  }
  await expect(page.getByTestId('toast').filter({ hasText: 'osprey-account-e2e-export-spot-fills.csv' })).toBeVisible();

  // Trade history → Export CSV → Trades, in UTC (the choice is remembered).
  await page.getByTestId('export-trades-open').click();
  await page.getByTestId('export-trades-zone-utc').check();
  const [tradesFile] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-trades-trades').click()]);
  const trades = rowsOf(readFileSync((await tradesFile.path())!, 'utf8'));
  expect(trades).toHaveLength(1);
  expect(trades[0]).toMatchObject({ symbol: 'BTC/USDT', side: 'long', status: 'closed', source: 'manual' });
  expect(trades[0]!['opened (UTC)']).toMatch(/^2024-08-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);
  await page.getByTestId('export-equity-open').click();
  await expect(page.getByTestId('export-equity-zone-utc')).toBeChecked();
  await page.screenshot({ path: 'test-results/exports.png', fullPage: true });
});
