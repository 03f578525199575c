import { test, expect, type Page } from '@playwright/test';
import { E2E_ADMIN } from '../playwright.config';

const TRADER = { email: 'dash-trader@e2e.test', password: 'dash-trader-pass-1' };

async function login(page: Page, who: { email: string; password: string }) {
  await page.goto('/');
  await page.getByTestId('login-email').fill(who.email);
  await page.getByTestId('login-password').fill(who.password);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('nav-dashboard')).toBeVisible();
}

/** A tRPC mutation over the page's own session (same cookies as the browser). */
async function mutate(page: Page, path: string, input: unknown): Promise<any> {
  const res = await page.request.post(`/trpc/${path}`, { data: input });
  expect(res.status(), `${path}: ${await res.text()}`).toBe(200);
  return (await res.json()).result.data;
}

test('dashboard: a new trader lands on it, adds a paper account, and a trade shows up live without a reload', async ({ browser, page }) => {
  // An admin adds a fresh trader, so the dashboard starts empty whatever the other tests left behind.
  await login(page, E2E_ADMIN);
  await mutate(page, 'users.add', { email: TRADER.email, password: TRADER.password, role: 'trader' });

  const ctx = await browser.newContext();
  const trader = await ctx.newPage();
  await login(trader, TRADER);

  // The first page after login is the dashboard, which says what to do first.
  await expect(trader.getByTestId('dashboard-page')).toBeVisible();
  await expect(trader.getByTestId('nav-dashboard')).toHaveAttribute('aria-current', 'page');
  await expect(trader.getByTestId('dash-no-accounts')).toBeVisible();
  await trader.getByTestId('dash-add-account').click();

  // Add a paper perpetual account on the Accounts page, then back to the dashboard.
  await trader.getByTestId('account-name').fill('Dash paper perp');
  await trader.getByTestId('account-exchange').fill('binance');
  await trader.getByTestId('account-exchange-option').filter({ hasText: /^binance$/ }).first().click();
  await trader.getByTestId('account-market-type').selectOption('swap');
  await trader.getByTestId('account-mode').selectOption('paper');
  await trader.getByTestId('paper-balance-amount').first().fill('10000');
  await trader.getByTestId('account-save').click();
  const row = trader.getByTestId('account-row').filter({ hasText: 'Dash paper perp' });
  await expect(row).toBeVisible();
  await trader.getByTestId('nav-dashboard').click();

  const equity = trader.getByTestId('dash-equity');
  await expect(equity).toHaveAttribute('data-equity', '10000');
  await expect(trader.getByTestId('dash-account')).toHaveCount(1);
  await expect(trader.getByTestId('dash-positions-empty')).toBeVisible();
  await expect(trader.getByTestId('dash-bots-empty')).toBeVisible();
  await expect(trader.getByTestId('dash-alerts-empty')).toBeVisible();

  // Open a paper trade while the dashboard stays on screen: the position, the fill and the equity (the entry
  // fee paid, then the price moving) appear through the live subscriptions, sooner than the 15 s refetch.
  await trader.evaluate(() => ((window as unknown as { __dashMark: number }).__dashMark = 1));
  const accounts: { id: string; name: string }[] = (await (await trader.request.get('/trpc/accounts.list')).json()).result.data;
  const accountId = accounts.find((a) => a.name === 'Dash paper perp')!.id;
  await mutate(trader, 'trading.open', { accountId, symbol: 'BTC/USDT:USDT', side: 'long', sizing: { mode: 'quote', value: '2000' }, leverage: 2 });

  const position = trader.getByTestId('dash-position-row').filter({ hasText: 'BTC/USDT:USDT' });
  await expect(position).toBeVisible({ timeout: 10_000 });
  await expect.poll(async () => Number(await position.getAttribute('data-amount'))).toBeGreaterThan(0);
  await expect(position).toContainText('Dash paper perp');
  await expect(position).toContainText('2×');
  await expect(trader.getByTestId('dash-fill-row')).toHaveCount(1, { timeout: 10_000 });
  await expect.poll(async () => await equity.getAttribute('data-equity'), { timeout: 10_000 }).not.toBe('10000');
  await expect(trader.getByTestId('dash-pnl-unrealized').locator('[data-value]')).toHaveAttribute('data-value', /^-?\d/);

  // The unrealized PnL keeps moving with the replayed market.
  const pnl0 = await position.getAttribute('data-unrealized');
  await expect.poll(async () => await position.getAttribute('data-unrealized'), { timeout: 40_000 }).not.toBe(pnl0);

  // All of it without a reload.
  expect(await trader.evaluate(() => (window as unknown as { __dashMark?: number }).__dashMark)).toBe(1);
  await trader.screenshot({ path: 'test-results/dashboard.png', fullPage: true });
  await ctx.close();
});
