import { test, expect, type Locator, type Page } from '@playwright/test';
import { E2E_ADMIN } from '../playwright.config';

async function login(page: Page) {
  await page.goto('/');
  await page.getByTestId('login-email').fill(E2E_ADMIN.email);
  await page.getByTestId('login-password').fill(E2E_ADMIN.password);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('nav-market')).toBeVisible();
}

/** Adds a paper spot account with 10 000 USDT on the Accounts page. */
async function addPaperSpotAccount(page: Page, name: string) {
  await page.getByTestId('nav-accounts').click();
  await page.getByTestId('account-name').fill(name);
  await page.getByTestId('account-exchange').fill('binance');
  await page.getByTestId('account-exchange-option').filter({ hasText: /^binance$/ }).first().click();
  await page.getByTestId('account-market-type').selectOption('spot');
  await page.getByTestId('account-mode').selectOption('paper');
  await page.getByTestId('paper-balance-currency').first().fill('USDT');
  await page.getByTestId('paper-balance-amount').first().fill('10000');
  await page.getByTestId('account-save').click();
  await expect(page.getByTestId('account-row').filter({ hasText: name })).toBeVisible();
}

/** Fills the grid section of the config editor (bot form and backtest form alike). */
async function fillGrid(page: Page, grid: { levels: string; spacingPct: string; sellOffsetPct: string }) {
  await page.getByTestId('bot-grid-symbol').fill('BTC/USDT');
  await page.getByTestId('bot-grid-levels').fill(grid.levels);
  await page.getByTestId('bot-grid-spacingPct').fill(grid.spacingPct);
  await page.getByTestId('bot-grid-sellOffsetPct').fill(grid.sellOffsetPct);
}

/** The price of a fill row (4th cell, `formatPrice` text). */
async function fillPrice(row: Locator): Promise<number> {
  return Number((await row.locator('td').nth(3).textContent())?.replace(/,/g, '').trim());
}

test('grid bot: create in the form, start on the replay feed, orders and fills appear live, stop', async ({ page }) => {
  await login(page);
  await addPaperSpotAccount(page, 'E2E paper spot');

  await page.getByTestId('nav-bots').click();
  // Other specs share this server and may have left bots: count what is listed before this one is created.
  await expect(page.getByTestId('bots-empty').or(page.getByTestId('bot-row').first())).toBeVisible();
  const botsBefore = await page.getByTestId('bot-row').count();
  await page.getByTestId('bot-new').click();
  const form = page.getByTestId('bot-form');
  await expect(form).toHaveAttribute('data-mode', 'create');
  await page.getByTestId('bot-name').fill('E2E grid');
  const accountId = await page.getByTestId('bot-account').locator('option', { hasText: 'E2E paper spot' }).getAttribute('value');
  await page.getByTestId('bot-account').selectOption(accountId!);
  // The config's market type follows the (spot) account.
  await expect(page.getByTestId('bot-market-type')).toHaveAttribute('data-value', 'spot');
  await expect(page.getByTestId('bot-params-grid')).toBeVisible();

  // Inline validation: 0 levels is rejected under its field, and nothing is created.
  await fillGrid(page, { levels: '0', spacingPct: '0.3', sellOffsetPct: '0.3' });
  await page.getByTestId('bot-save').click();
  await expect(page.getByTestId('field-error-config.grid.levels')).toBeVisible();
  await expect(page.getByTestId('bot-grid-levels')).toHaveClass(/invalid/);
  await expect(form).toBeVisible();
  await expect(page.getByTestId('bot-detail')).toHaveCount(0);
  await expect(page.getByTestId('bot-row')).toHaveCount(botsBefore);

  // Valid grid: small spacing and sell offset so the replay (15m every ~1.5 s) fills quickly.
  // 20 levels 0.3 % apart span 6 %: even on a fast drop of the replayed market some level bounces back to its sell.
  await page.getByTestId('bot-grid-levels').fill('20');
  await page.getByTestId('bot-save').click();
  const detail = page.getByTestId('bot-detail');
  await expect(detail).toBeVisible();
  await expect(page.getByTestId('field-error-config.grid.levels')).toHaveCount(0);
  await expect(page.getByTestId('bot-detail-name')).toHaveText('E2E grid');
  await expect(page).toHaveURL(/#\/bots\?id=[0-9a-f-]{36}$/);
  const status = detail.getByTestId('bot-status');
  await expect(status).toHaveAttribute('data-status', 'stopped');

  // Start: running, and the grid's buy orders are working.
  await detail.getByTestId('bot-start').click();
  await expect(status).toHaveAttribute('data-status', 'running');
  await expect(status).toHaveAttribute('data-error', '');
  const orderRows = page.getByTestId('bot-order-row');
  await expect.poll(async () => await orderRows.count(), { timeout: 20_000 }).toBeGreaterThan(0);
  expect(Number(await orderRows.first().getAttribute('data-price'))).toBeGreaterThan(1000);
  await expect.poll(async () => Number(await page.getByTestId('bot-detail-open-orders').textContent())).toBeGreaterThan(0);

  // Fills arrive live as the replay trades through the levels. The oldest fill (last row) is a grid buy.
  const fillRows = page.getByTestId('bot-fill-row');
  await expect.poll(async () => await fillRows.count(), { timeout: 45_000 }).toBeGreaterThan(0);
  const oldest = fillRows.last();
  await expect(oldest).toHaveAttribute('data-side', 'buy');
  expect(await fillPrice(oldest)).toBeGreaterThan(1000);
  await expect(oldest.locator('td').nth(1)).toHaveText('BTC/USDT');
  // A buy and its paired sell close a round trip: exit ≥ entry × (1 + 0.3 %), net of fees still a profit.
  const tripRows = page.getByTestId('bot-trip-row');
  await expect.poll(async () => await tripRows.count(), { timeout: 45_000 }).toBeGreaterThan(0);
  const trip = tripRows.last();
  await expect(trip).toHaveAttribute('data-side', 'long');
  const entry = Number(await trip.locator('td').nth(3).textContent());
  const exit = Number(await trip.locator('td').nth(5).textContent());
  expect(entry).toBeGreaterThan(1000);
  expect(exit).toBeGreaterThanOrEqual(entry * 1.0029);
  expect(Number(await trip.getAttribute('data-pnl'))).toBeGreaterThan(0);
  await expect.poll(async () => Number(await page.getByTestId('bot-detail-round-trips').textContent())).toBeGreaterThan(0);
  // The chart shows the fills as markers.
  await expect.poll(async () => Number(await page.getByTestId('bot-chart').getAttribute('data-fill-markers'))).toBeGreaterThan(0);

  // Stop, cancelling the bot's open orders.
  await detail.getByTestId('bot-stop').click();
  const prompt = page.getByTestId('bot-stop-prompt');
  await expect(prompt).toBeVisible();
  await expect(prompt.getByTestId('bot-stop-mode-cancel')).toBeChecked();
  await prompt.getByTestId('bot-stop-confirm').click();
  await expect(status).toHaveAttribute('data-status', 'stopped');
  await expect(prompt).toHaveCount(0);
  await expect(detail.getByTestId('bot-start')).toBeVisible();
  await expect(orderRows).toHaveCount(0, { timeout: 15_000 });
  await expect(page.getByTestId('bot-orders-empty')).toBeVisible();
  await expect(page.getByTestId('bot-detail-open-orders')).toHaveText('0');
  // Fills stay in the history.
  expect(await fillRows.count()).toBeGreaterThan(0);
  const roundTrips = (await page.getByTestId('bot-detail-round-trips').textContent())!.trim();
  const realized = (await page.getByTestId('bot-detail-realized').textContent())!.trim();

  // The bots list shows the bot, stopped.
  await page.getByTestId('nav-bots').click();
  const row = page.getByTestId('bot-row').filter({ hasText: 'E2E grid' });
  await expect(row).toHaveCount(1);
  await expect(row).toHaveAttribute('data-status', 'stopped');
  await expect(row.getByTestId('bot-status')).toHaveAttribute('data-status', 'stopped');
  await expect(row).toContainText('BTC/USDT');
  await expect(row).toContainText('E2E paper spot');
  await expect(row.getByTestId('bot-start')).toBeVisible();
  await expect(row.getByTestId('bot-round-trips')).toHaveText(roundTrips);
  await expect(row.getByTestId('bot-realized')).toHaveText(realized);
  await expect(row.getByTestId('bot-uptime')).toHaveText('—');
  await page.screenshot({ path: 'test-results/bots-grid.png', fullPage: true });

  // Account risk rules: a bad value is refused under its field; a good one is saved and survives a reload.
  const panel = page.getByTestId('account-risk');
  await panel.getByTestId('account-risk-account').selectOption({ label: 'E2E paper spot' });
  await panel.getByTestId('acct-risk-maxOpenPositions').fill('0');
  await panel.getByTestId('account-risk-save').click();
  await expect(panel.getByTestId('field-error-config.risk.maxOpenPositions')).toBeVisible();
  await panel.getByTestId('acct-risk-maxOpenPositions').fill('4');
  await panel.getByTestId('acct-risk-dailyLossLimit').fill('150');
  await panel.getByTestId('account-risk-save').click();
  await expect(panel.getByTestId('field-error-config.risk.maxOpenPositions')).toHaveCount(0);
  await expect(panel.getByTestId('account-risk-open')).toContainText('/ 4');
  await page.reload();
  // Other specs may have added accounts before this one: pick it again after the reload.
  await page.getByTestId('account-risk').getByTestId('account-risk-account').selectOption({ label: 'E2E paper spot' });
  await expect(page.getByTestId('acct-risk-maxOpenPositions')).toHaveValue('4');
  await expect(page.getByTestId('acct-risk-dailyLossLimit')).toHaveValue('150');
});

test('backtest: run from the form, progress, equity curve and entry/exit markers', async ({ page }) => {
  await login(page);
  await page.getByTestId('nav-backtests').click();
  await expect(page.getByTestId('bt-form')).toBeVisible();

  await page.getByTestId('bt-name').fill('E2E grid backtest');
  await page.getByTestId('bot-market-type').selectOption('spot');
  await fillGrid(page, { levels: '5', spacingPct: '0.5', sellOffsetPct: '0.5' });
  await page.getByTestId('bt-timeframe').selectOption('15m');
  await page.getByTestId('bt-balance').fill('10000');
  // The range defaults to the stored candles of the symbol once the coverage is known.
  await expect(page.getByTestId('bt-coverage')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByTestId('bt-from')).not.toHaveValue('');
  await expect(page.getByTestId('bt-to')).not.toHaveValue('');
  // Record every progress bar state the runs table renders while the run is in flight (it may be quick).
  await page.evaluate(() => {
    const w = window as unknown as { __btProgress: string[] };
    w.__btProgress = [];
    const seen = (el: Element) => w.__btProgress.push(`${el.getAttribute('data-status')}:${el.getAttribute('data-progress')}`);
    new MutationObserver(() => document.querySelectorAll('[data-testid="bt-progress"]').forEach(seen)).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-progress', 'data-status'],
    });
  });
  await page.getByTestId('bt-run').click();

  const runRow = page.getByTestId('bt-run-row').filter({ hasText: 'E2E grid backtest' });
  await expect(runRow).toHaveCount(1);
  await expect(runRow).toHaveAttribute('data-status', 'done', { timeout: 45_000 });
  await expect(runRow.getByTestId('bt-run-status')).toHaveAttribute('data-status', 'done');
  await expect(runRow.getByTestId('bt-run-return')).toHaveText(/^[+-]?\d[\d,]*(\.\d+)?%$/);
  const runId = await runRow.getAttribute('data-run-id');
  // Progress was shown while it ran: queued/running states with percentages 0–100.
  const progress = await page.evaluate(() => (window as unknown as { __btProgress: string[] }).__btProgress);
  expect(progress.length).toBeGreaterThan(0);
  for (const p of progress) expect(p).toMatch(/^(queued|running):(\d|[1-9]\d|100)$/);
  await expect(runRow.getByTestId('bt-progress')).toHaveCount(0);

  // Open the result.
  await runRow.locator('td.run-name').click();
  const result = page.getByTestId('bt-result');
  await expect(result).toHaveAttribute('data-run-id', runId!);
  await expect(result).toHaveAttribute('data-status', 'done');

  const metrics = result.getByTestId('bt-metrics');
  await expect(metrics).toBeVisible();
  const totalReturn = metrics.getByTestId('bt-metric-totalReturnPct');
  const totalReturnValue = await totalReturn.getAttribute('data-value');
  expect(totalReturnValue).toMatch(/^-?\d+(\.\d+)?(e-?\d+)?$/);
  expect(Number.isFinite(Number(totalReturnValue))).toBe(true);
  await expect(totalReturn.locator('.metric-value')).toHaveText(/\d.*%$/);
  expect(Number(await metrics.getByTestId('bt-metric-roundTrips').getAttribute('data-value'))).toBeGreaterThan(0);

  // Equity curve with drawdown, candle chart with ▲/▼ fill markers — both drawn (canvas).
  const equity = result.getByTestId('bt-equity-chart');
  await expect(equity.locator('canvas').first()).toBeVisible();
  expect(Number(await equity.getAttribute('data-points'))).toBeGreaterThan(1);
  const candles = result.getByTestId('bt-candle-chart');
  await expect(candles).toHaveAttribute('data-symbol', 'BTC/USDT');
  await expect(candles.locator('canvas').first()).toBeVisible();
  expect(Number(await candles.getAttribute('data-candles'))).toBeGreaterThan(100);
  expect(Number(await candles.getAttribute('data-fill-markers'))).toBeGreaterThan(0);

  // Round trips (entries and exits) and the fills behind them.
  const trips = result.getByTestId('bt-trade-row');
  await expect(trips.first()).toBeVisible();
  expect(await trips.count()).toBeGreaterThan(0);
  await expect(trips.first()).toHaveAttribute('data-side', 'long');
  expect(Number.isFinite(Number(await trips.first().getAttribute('data-pnl')))).toBe(true);
  const fills = result.getByTestId('bt-fill-row');
  expect(await fills.count()).toBeGreaterThanOrEqual(2 * (await trips.count()));
  await expect(result.getByTestId('bt-fill-row').and(page.locator('[data-side="buy"]')).first()).toBeVisible();
  await expect(result.getByTestId('bt-fill-row').and(page.locator('[data-side="sell"]')).first()).toBeVisible();
  // The app scrolls inside its own pane, so bring the charts into view for the screenshot.
  await candles.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/backtest.png', fullPage: true });
});
