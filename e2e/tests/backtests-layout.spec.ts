import { test, expect, type Page } from '@playwright/test';
import { E2E_ADMIN } from '../playwright.config';

const M15 = 15 * 60_000;

async function login(page: Page) {
  await page.goto('/');
  await page.getByTestId('login-email').fill(E2E_ADMIN.email);
  await page.getByTestId('login-password').fill(E2E_ADMIN.password);
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('nav-market')).toBeVisible();
}

/** A `datetime-local` value read as Asia/Shanghai wall time (UTC+8, no DST; the browser's zone here). */
function shanghaiInputToMs(value: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!m) throw new Error(`not a datetime-local value: ${value}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5])) - 8 * 3_600_000;
}

/**
 * Fills and starts a grid backtest named `name` with `spacingPct`; meanwhile a sampler records whether the
 * new run's progress bar (in the result panel) was ever inside the viewport. Returns the run's row.
 */
async function startGridRun(page: Page, name: string, spacingPct: string) {
  await page.getByTestId('bt-name').fill(name);
  await page.getByTestId('bot-market-type').selectOption('spot');
  await page.getByTestId('bot-grid-symbol').fill('BTC/USDT');
  await page.getByTestId('bot-grid-levels').fill('5');
  await page.getByTestId('bot-grid-spacingPct').fill(spacingPct);
  await page.getByTestId('bot-grid-sellOffsetPct').fill(spacingPct);
  await expect(page.getByTestId('bt-coverage')).toHaveAttribute('data-ready', 'true');
  await page.evaluate(() => {
    const w = window as unknown as { __progressInView: boolean; __progressSampler?: number };
    w.__progressInView = false;
    if (w.__progressSampler) clearInterval(w.__progressSampler);
    w.__progressSampler = window.setInterval(() => {
      const bar = document.querySelector('[data-testid="bt-result"] [data-testid="bt-progress"]');
      if (!bar) return;
      const r = bar.getBoundingClientRect();
      if (r.width > 0 && r.top >= 0 && r.bottom <= window.innerHeight && r.left >= 0 && r.right <= window.innerWidth) w.__progressInView = true;
    }, 50);
  });
  await page.getByTestId('bt-run').click();
  const row = page.getByTestId('bt-run-row').filter({ hasText: name });
  await expect(row).toHaveCount(1);
  await expect(row).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  const inView = await page.evaluate(() => (window as unknown as { __progressInView: boolean }).__progressInView);
  expect(inView, `progress of "${name}" shown in the viewport after Run`).toBe(true);
  return row;
}

test('backtests at 1600×900: results first with the progress in view, the runs table fits, range ends at the replay clock, N-way compare', async ({ page }) => {
  test.setTimeout(240_000);
  await page.setViewportSize({ width: 1600, height: 900 });
  await login(page);
  await page.getByTestId('nav-backtests').click();
  await expect(page.getByTestId('bt-form')).toBeVisible();

  // Results first: the runs panel is above and left of the form, at the top of the page.
  const runsPanel = page.getByTestId('bt-runs-panel');
  const formPanel = page.getByTestId('bt-form-panel');
  const runsBox = (await runsPanel.boundingBox())!;
  const formBox = (await formPanel.boundingBox())!;
  expect(runsBox.x).toBeLessThan(formBox.x);
  expect(runsBox.y).toBeLessThan(120);

  // The default range ends at the replay clock (the feed's now, rounded down to the timeframe), weeks before
  // the end of the stored candles (September 2024).
  await expect(page.getByTestId('bt-coverage')).toHaveAttribute('data-ready', 'true');
  const clock = Number(await page.getByTestId('bt-range-clock').getAttribute('data-clock'));
  const feedNow = Number(await page.locator('.clock').getAttribute('data-feed-now'));
  expect(Math.abs(feedNow - clock)).toBeLessThan(30 * 86_400_000);
  const to = shanghaiInputToMs(await page.getByTestId('bt-to').inputValue());
  const from = shanghaiInputToMs(await page.getByTestId('bt-from').inputValue());
  expect(to).toBe(Math.floor(clock / M15) * M15);
  expect(to).toBeLessThan(Date.UTC(2024, 8, 1));
  expect(to - from).toBe(30 * 86_400_000);

  // Three runs; for the later ones the trader has scrolled down into the previous result first.
  const first = await startGridRun(page, 'E2E layout grid 0.3', '0.3');
  await first.locator('td.run-name').click();
  await expect(page.getByTestId('bt-result')).toHaveAttribute('data-status', 'done');
  await page.locator('.content').evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await startGridRun(page, 'E2E layout grid 1', '1');
  await page.locator('.content').evaluate((el) => el.scrollTo(0, el.scrollHeight));
  const third = await startGridRun(page, 'E2E layout grid 2 with a long name that is truncated', '2');

  // The runs table fits its panel: status, return, drawdown, Sharpe, trades and delete are all visible.
  await page.locator('.content').evaluate((el) => el.scrollTo(0, 0));
  const panel = (await runsPanel.boundingBox())!;
  const scroller = page.locator('.bt-runs-scroll');
  const [scrollW, clientW] = await scroller.evaluate((el) => [el.scrollWidth, el.clientWidth]);
  expect(scrollW).toBeLessThanOrEqual(clientW);
  const cells = [
    third.getByTestId('bt-run-status'),
    third.getByTestId('bt-run-return'),
    third.locator('td').nth(6),
    third.locator('td').nth(7),
    third.locator('td').nth(8),
    third.getByTestId('bt-run-delete'),
  ];
  for (const cell of cells) {
    await expect(cell).toBeVisible();
    const b = (await cell.boundingBox())!;
    expect(b.x).toBeGreaterThanOrEqual(panel.x);
    expect(b.x + b.width).toBeLessThanOrEqual(panel.x + panel.width + 0.5);
  }
  await expect(third.locator('td').nth(6)).toHaveText(/\d.*%$/);
  await expect(third.locator('td').nth(8)).toHaveText(/^\d+$/);
  await page.screenshot({ path: 'test-results/backtests-1600.png' });

  // The entries/exits chart opens zoomed on the range with trades.
  await third.locator('td.run-name').click();
  const candleChart = page.getByTestId('bt-candle-chart');
  await expect(candleChart.locator('canvas').first()).toBeVisible();
  const n = Number(await candleChart.getAttribute('data-candles'));
  const zs = Number(await candleChart.getAttribute('data-zoom-start'));
  const ze = Number(await candleChart.getAttribute('data-zoom-end'));
  expect(Number(await candleChart.getAttribute('data-fill-markers'))).toBeGreaterThan(0);
  expect(zs).toBeGreaterThanOrEqual(0);
  expect(ze).toBeLessThanOrEqual(n - 1);
  expect(ze - zs + 1).toBeGreaterThanOrEqual(60);

  // N-way compare: tick all three.
  const rows = page.getByTestId('bt-run-row').filter({ hasText: 'E2E layout grid' });
  await expect(rows).toHaveCount(3);
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    await rows.nth(i).getByTestId('bt-run-select').check();
    ids.push((await rows.nth(i).getAttribute('data-run-id'))!);
  }
  const compare = page.getByTestId('bt-compare');
  await expect(compare).toBeVisible();
  expect((await compare.getAttribute('data-runs'))!.split(',').sort()).toEqual([...ids].sort());
  await expect(page.getByTestId('bt-compare-chart')).toHaveAttribute('data-series', '3');
  await expect(page.getByTestId('bt-compare-chart').locator('canvas').first()).toBeVisible();
  // One column per run; on each ranked metric the highlighted cells hold the best value.
  for (const [metric, better] of [['totalReturnPct', 'max'], ['maxDrawdownPct', 'min'], ['roundTrips', null]] as const) {
    const row = compare.locator(`[data-testid="bt-compare-row"][data-metric="${metric}"]`);
    const cells = row.getByTestId('bt-compare-cell');
    await expect(cells).toHaveCount(3);
    const values = (await cells.allTextContents()).map((s) => Number(s.replace(/[^\d.+-]/g, '')));
    const best = (await cells.evaluateAll((els) => els.map((e) => e.getAttribute('data-best') === 'true')));
    if (better === null) {
      expect(best.some(Boolean)).toBe(false);
      continue;
    }
    const target = better === 'max' ? Math.max(...values) : Math.min(...values);
    if (values.every((v) => v === target)) expect(best.some(Boolean)).toBe(false);
    else values.forEach((v, i) => expect(best[i]).toBe(v === target));
  }
  await compare.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/backtests-compare.png' });
});
