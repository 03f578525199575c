/**
 * The dashboard on a real app (PGlite, HTTP, tRPC) with two paper accounts of one trader: a perpetual account
 * with a closed and an open manual trade (its stop cancelled at the venue) and a pending order that fires into
 * the open trade (FAILED), and a spot account with a running grid bot that closes a round trip, plus a bot in
 * `error`. Prices are hand-written 15m BTC/USDT candles on a manual market clock (as in
 * trading-manager.int.test.ts), so the manual trades' numbers are computed by hand from the paper rules: market
 * orders fill at the last price ± 5 bps rounded to the 0.1 tick against the trader, taker fee 0.05 %.
 * A second trader must see none of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Decimal from 'decimal.js';
import type { BotDetail, BotView, Candle, DashboardEquityCurve, DashboardSummary, PublicAccount, TradeView } from '@osprey/shared';
import { insertBotEvents, updateBot } from '../src/adapters/db/repos/bots-repo.js';
import { insertSignals } from '../src/adapters/db/repos/signals-repo.js';
import { listEquitySnapshots } from '../src/adapters/db/repos/trading-repo.js';
import { ManualClock } from '../src/domain/ports.js';
import { HttpCaller, startTestApp, type TestApp } from './helpers/app.js';

const START = Date.UTC(2024, 7, 5, 0, 0);
const M15 = 15 * 60_000;
const DAY = 86_400_000;
const PERP = 'BTC/USDT:USDT';

let app: TestApp;
let clock: ManualClock;
let alice: HttpCaller;
let bob: HttpCaller;
let perp: PublicAccount;
let spot: PublicAccount;
let bobAccount: PublicAccount;
let grid: BotView;
let broken: BotView;
let closedA: TradeView;
let openB: TradeView;
let pendingId: string;
let stopCid: string;

const ok = (r: { status: number; body: any }) => {
  if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${JSON.stringify(r.body?.error?.message ?? r.body)}`);
  return r.body.result.data;
};

const settle = async () => {
  await app.services.market.idle();
  await app.services.trading.idle();
  await app.services.pending.idle();
  await app.services.bots.idle();
  await app.services.trading.idle();
};

/** Pushes a 15m BTC/USDT update through the market service (as the feed does) and lets everything settle. */
async function price(c: Omit<Candle, 'volume'>, closed = false): Promise<void> {
  app.services.market.onFeedCandle({ symbol: 'BTC/USDT', timeframe: '15m', candle: { volume: 10, ...c }, closed });
  await settle();
}

/** Window starts: `today` just after trade A closed, the week and month well before everything. */
let windows: { today: number; week: number; month: number };
const summaryOf = async (c: HttpCaller): Promise<DashboardSummary> => ok(await c.call('dashboard.summary', { windows }, 'query'));

beforeAll(async () => {
  clock = new ManualClock(START + 60_000);
  app = await startTestApp({ OSPREY_REPLAY_START: new Date(START).toISOString(), OSPREY_SYNC_MS: '3600000' }, { marketClock: clock });
  await app.services.trading.start();
  await app.services.pending.start();
  await app.services.auth.addUser('alice@test.local', 'alice-password-1', 'trader');
  await app.services.auth.addUser('bob@test.local', 'bob-password-12', 'trader');
  alice = new HttpCaller(app.base);
  await alice.login('alice@test.local', 'alice-password-1');
  bob = new HttpCaller(app.base);
  await bob.login('bob@test.local', 'bob-password-12');
  await price({ ts: START, open: 60000, high: 60000, low: 60000, close: 60000 });

  perp = ok(await alice.call('accounts.create', { name: 'Paper perp', exchange: 'binance', marketType: 'swap', mode: 'paper', paperBalances: { USDT: '10000' } }, 'mutation'));
  spot = ok(await alice.call('accounts.create', { name: 'Paper spot', exchange: 'binance', marketType: 'spot', mode: 'paper', paperBalances: { USDT: '10000' } }, 'mutation'));
  bobAccount = ok(await bob.call('accounts.create', { name: 'Bob paper', exchange: 'binance', marketType: 'spot', mode: 'paper', paperBalances: { USDT: '5000' } }, 'mutation'));

  // A one-level grid on spot: anchored at the next close (60000), buys at 59400, sells that fill at 59994.
  const gridConfig = { symbol: 'BTC/USDT', levels: 1, spacingPct: 1, sellOffsetPct: 1, orderSize: { mode: 'quote', value: '500' }, repricePct: 0 };
  grid = ok(await alice.call('bots.create', { name: 'Grid BTC', accountId: spot.id, config: { type: 'grid', marketType: 'spot', grid: gridConfig } }, 'mutation'));
  grid = ok(await alice.call('bots.start', { id: grid.id }, 'mutation'));
  broken = ok(await alice.call('bots.create', { name: 'Broken grid', accountId: spot.id, config: { type: 'grid', marketType: 'spot', grid: gridConfig } }, 'mutation'));
  const db = app.services.database.db;
  // What the runner does when it cannot go on (auth failure): status error, the message stored and as an event.
  await updateBot(db, broken.id, { status: 'error', lastError: 'authentication failed: the API key was rejected' });
  await insertBotEvents(db, [{ botId: broken.id, ts: clock.now(), kind: 'error', code: 'error', message: 'authentication failed: the API key was rejected', detail: {} }]);

  // Trade A: long 0.01 at 60000 + 5 bps = 60030, fee 0.30015.
  closedA = ok(await alice.call('trading.open', { accountId: perp.id, symbol: PERP, side: 'long', sizing: { mode: 'base', value: '0.01' } }, 'mutation'));
  expect(closedA).toMatchObject({ status: 'open', entryPrice: '60030', fees: '0.30015' });

  // The first close anchors the grid.
  clock.set(START + M15);
  await price({ ts: START, open: 60000, high: 60000, low: 60000, close: 60000 }, true);
  clock.set(START + M15 + 60_000);
  await price({ ts: START + M15, open: 60000, high: 60500, low: 60000, close: 60500 });
  // Closed at 60500 − 5 bps = 60469.75 → 60469.7: (60469.7 − 60030) × 0.01 = 4.397, fees 0.30015 + 0.3023485.
  closedA = ok(await alice.call('trading.close', { tradeId: closedA.id }, 'mutation'));
  expect(closedA).toMatchObject({ status: 'closed', realizedPnl: '3.7945015', closedAt: START + M15 + 60_000 });
  windows = { today: START + M15 + 60_001, week: START - 6 * DAY, month: START - 29 * DAY };

  // A pending long below the price, then trade B on the same symbol: when the pending order fires it cannot open.
  pendingId = ok(
    await alice.call('trading.pendingCreate', { accountId: perp.id, symbol: PERP, side: 'long', sizing: { mode: 'base', value: '0.01' }, triggerPrice: '59000', direction: 'below' }, 'mutation'),
  ).id;
  // Trade B: long 0.01 at 5×, 60500 + 5 bps = 60530.25 → 60530.3, fee 0.3026515, stop 58000.
  openB = ok(await alice.call('trading.open', { accountId: perp.id, symbol: PERP, side: 'long', sizing: { mode: 'base', value: '0.01' }, leverage: 5, stopLoss: '58000' }, 'mutation'));
  expect(openB).toMatchObject({ status: 'open', entryPrice: '60530.3', fees: '0.3026515' });
  const [stop] = ok(await alice.call('trading.orders', { accountId: perp.id, status: 'open' }, 'query'));
  stopCid = stop.clientOrderId;
  ok(await alice.call('trading.cancelOrder', { accountId: perp.id, orderId: stop.id }, 'mutation'));

  clock.set(START + 2 * M15);
  await price({ ts: START + M15, open: 60000, high: 60500, low: 60000, close: 60500 }, true);
  // A dip to 58900: the pending order fires (FAILED: trade B is active) and the grid buys at 59400 …
  clock.set(START + 2 * M15 + 60_000);
  await price({ ts: START + 2 * M15, open: 60500, high: 60500, low: 58900, close: 59000 });
  // … a rise to 60100 fills its sell at 59994: one round trip; the price ends at 60000.
  clock.set(START + 2 * M15 + 2 * 60_000);
  await price({ ts: START + 2 * M15, open: 60500, high: 60500, low: 58900, close: 60100 });
  clock.set(START + 2 * M15 + 3 * 60_000);
  await price({ ts: START + 2 * M15, open: 60500, high: 60500, low: 58900, close: 60000 });

  // (The market service shows signals of candles closed at the feed's own time, which stays at START here.)
  await insertSignals(db, [
    { id: 'dash-active', exchange: 'binance', symbol: 'BTC/USDT', type: 'LONG', score: 22, sizeMultiplier: 2, candleTs: START - 2 * M15, createdAt: START - M15, expiresAt: START - M15 + 4 * 3_600_000, details: {} },
    { id: 'dash-expired', exchange: 'binance', symbol: 'BTC/USDT', type: 'SHORT', score: 18, sizeMultiplier: 1, candleTs: START - DAY, createdAt: START - DAY + M15, expiresAt: START - DAY + M15 + 4 * 3_600_000, details: {} },
  ]);
});
afterAll(async () => {
  await app?.close();
});

describe('dashboard.summary', () => {
  let s: DashboardSummary;
  let roundTripPnl: Decimal;

  beforeAll(async () => {
    s = await summaryOf(alice);
    const detail: BotDetail = ok(await alice.call('bots.get', { id: grid.id }, 'query'));
    expect(detail.trades).toHaveLength(1);
    roundTripPnl = new Decimal(detail.trades[0]!.pnl);
    expect(roundTripPnl.gt(0)).toBe(true);
  });

  it("sums equity over the trader's accounts: perp by hand, spot from its balances at the last price", async () => {
    expect(s.now).toBe(clock.now());
    expect(s.quote).toBe('USDT');
    expect(s.accounts.map((a) => [a.name, a.marketType, a.mode, a.stale, a.error])).toEqual([
      ['Paper perp', 'swap', 'paper', false, null],
      ['Paper spot', 'spot', 'paper', false, null],
    ]);
    // perp: 10000 + 3.7945015 (A, net) − 0.3026515 (B's entry fee) + (60000 − 60530.3) × 0.01 (B unrealized)
    const perpEquity = new Decimal(10000).plus('3.7945015').minus('0.3026515').plus('-5.303');
    expect(s.accounts[0]!.equity).toBe(perpEquity.toFixed());
    const balances: { currency: string; total: string }[] = ok(await alice.call('trading.balances', { accountId: spot.id }, 'query'));
    const total = (c: string) => new Decimal(balances.find((b) => b.currency === c)?.total ?? '0');
    const spotEquity = total('USDT').plus(total('BTC').mul(60000));
    expect(s.accounts[1]!.equity).toBe(spotEquity.toFixed());
    expect(s.equity).toBe(perpEquity.plus(spotEquity).toFixed());
  });

  it('realized PnL per window: closed manual trades plus bot round trips closed since the window start', () => {
    expect(s.pnl.week).toEqual({ from: windows.week, realized: roundTripPnl.plus('3.7945015').toFixed(), trades: '3.7945015', bots: roundTripPnl.toFixed(), count: 2 });
    expect(s.pnl.month).toMatchObject({ realized: s.pnl.week.realized, count: 2 });
    // today starts after trade A closed: only the round trip
    expect(s.pnl.today).toEqual({ from: windows.today, realized: roundTripPnl.toFixed(), trades: '0', bots: roundTripPnl.toFixed(), count: 1 });
  });

  it('lists the open position with mark, unrealized PnL, liquidation price and margin; unrealized is their sum', async () => {
    const venue = ok(await alice.call('trading.positions', { accountId: perp.id }, 'query'));
    expect(venue).toHaveLength(1);
    expect(s.positions).toEqual([
      {
        accountId: perp.id,
        accountName: 'Paper perp',
        marketType: 'swap',
        symbol: PERP,
        side: 'long',
        amount: '0.01',
        entryPrice: '60530.3',
        markPrice: '60000',
        unrealizedPnl: '-5.303',
        liquidationPrice: venue[0].liquidationPrice,
        // 60530.3 × 0.01 / 5
        margin: '121.0606',
        leverage: 5,
        priceStep: '0.1',
        amountStep: expect.any(String),
        tradeId: openB.id,
        botId: null,
        botName: null,
      },
    ]);
    expect(Number(s.positions[0]!.liquidationPrice)).toBeGreaterThan(45000);
    expect(Number(s.positions[0]!.liquidationPrice)).toBeLessThan(50000);
    expect(s.unrealizedPnl).toBe('-5.303');
  });

  it('lists the running bot with its total PnL and the bot in error', () => {
    expect(s.bots.map((b) => [b.name, b.status, b.accountName])).toEqual([
      ['Grid BTC', 'running', 'Paper spot'],
      ['Broken grid', 'error', 'Paper spot'],
    ]);
    // the grid holds nothing after its round trip (its re-armed buy is resting)
    expect(s.bots[0]).toMatchObject({ id: grid.id, type: 'grid', realizedPnl: roundTripPnl.toFixed(), unrealizedPnl: '0', totalPnl: roundTripPnl.toFixed(), roundTrips: 1, symbols: ['BTC/USDT'] });
    expect(s.bots[1]).toMatchObject({ id: broken.id, lastError: 'authentication failed: the API key was rejected', totalPnl: '0' });
  });

  it('lists the latest fills across accounts, newest first, the bot ones named', () => {
    expect(s.fills.map((f) => [f.accountName, f.symbol, f.side, f.botName])).toEqual([
      ['Paper spot', 'BTC/USDT', 'sell', 'Grid BTC'],
      ['Paper spot', 'BTC/USDT', 'buy', 'Grid BTC'],
      ['Paper perp', PERP, 'buy', null],
      ['Paper perp', PERP, 'sell', null],
      ['Paper perp', PERP, 'buy', null],
    ]);
    expect(s.fills[2]).toMatchObject({ price: '60530.3', amount: '0.01', priceStep: '0.1' });
    expect(s.fills[0]).toMatchObject({ price: '59994', priceStep: expect.any(String) });
  });

  it('lists active detector signals only', () => {
    const ids = s.signals.map((x) => x.id);
    expect(ids).toContain('dash-active');
    expect(ids).not.toContain('dash-expired');
    expect(s.signals.every((x) => x.expiresAt > s.now)).toBe(true);
  });

  it('alerts: the bot in error, the stop cancelled at the venue, the pending trigger that failed', () => {
    const byKind = (k: string) => s.alerts.filter((a) => a.kind === k);
    expect(byKind('bot_error')).toEqual([
      expect.objectContaining({ id: `bot:${broken.id}`, botId: broken.id, botName: 'Broken grid', accountName: 'Paper spot', message: 'authentication failed: the API key was rejected', ts: START + 60_000 }),
    ]);
    expect(byKind('protection')).toEqual([
      expect.objectContaining({
        kind: 'protection',
        orderKind: 'stop_loss',
        accountName: 'Paper perp',
        symbol: PERP,
        tradeId: openB.id,
        message: `stop-loss order ${stopCid} is canceled on the exchange; set the protection again`,
      }),
    ]);
    const [failed] = byKind('pending_failed');
    expect(failed).toMatchObject({ pendingId, accountName: 'Paper perp', symbol: PERP, ts: START + 2 * M15 + 60_000 });
    expect(failed!.message).toBe(`symbol: this account already has an active trade on ${PERP} (trade ${openB.id}): add to it or close it first`);
    expect(s.alerts).toHaveLength(3);
    // newest first
    expect(s.alerts.map((a) => a.ts)).toEqual([...s.alerts.map((a) => a.ts)].sort((a, b) => b - a));
  });

  it("an error event of a running bot is an alert too", async () => {
    await insertBotEvents(app.services.database.db, [{ botId: grid.id, ts: clock.now(), kind: 'error', code: 'order.failed', message: 'buy b…: the exchange did not answer', detail: {} }]);
    const again = await summaryOf(alice);
    expect(again.alerts.filter((a) => a.kind === 'bot_error').map((a) => [a.botName, a.message])).toEqual([
      ['Grid BTC', 'buy b…: the exchange did not answer'],
      ['Broken grid', 'authentication failed: the API key was rejected'],
    ]);
  });

  it('another trader sees only their own account and nothing of the first one', async () => {
    const b = await summaryOf(bob);
    expect(b.accounts.map((a) => [a.id, a.name, a.equity])).toEqual([[bobAccount.id, 'Bob paper', '5000']]);
    expect(b.equity).toBe('5000');
    expect(b).toMatchObject({ unrealizedPnl: '0', positions: [], bots: [], fills: [], alerts: [] });
    expect(b.pnl.week).toEqual({ from: windows.week, realized: '0', trades: '0', bots: '0', count: 0 });
    const curve: DashboardEquityCurve = ok(await bob.call('dashboard.equity', { from: windows.month }, 'query'));
    for (const p of curve.points) expect(p.equity).toBe('5000');
  });

  it('refuses bad windows and out-of-range numbers, naming the field', async () => {
    const order = await alice.call('dashboard.summary', { windows: { ...windows, week: windows.today + 1 } }, 'query');
    expect(order.status).toBe(400);
    expect(order.body.error.message).toMatch(/^windows\.week: /);
    const future = await alice.call('dashboard.summary', { windows: { today: clock.now() + 3 * DAY, week: clock.now() + 3 * DAY, month: clock.now() + 3 * DAY } }, 'query');
    expect(future.status).toBe(400);
    expect(future.body.error.message).toMatch(/^windows\.today: starts after the market time now/);
    const negative = await alice.call('dashboard.summary', { windows: { ...windows, month: -1 } }, 'query');
    expect(negative.status).toBe(400);
    expect(negative.body.error.message).toMatch(/^windows\.month: /);
    const points = await alice.call('dashboard.equity', { from: windows.month, points: 5 }, 'query');
    expect(points.status).toBe(400);
    expect(points.body.error.message).toMatch(/^points: /);
    expect((await new HttpCaller(app.base).call('dashboard.summary', { windows }, 'query')).status).toBe(401);
  });
});

describe('dashboard.equity', () => {
  it("sums the accounts' equity snapshots on a common grid (each account's latest snapshot at or before each point)", async () => {
    const db = app.services.database.db;
    // Snapshots at known times on top of the 15m-close ones: perp first, spot later.
    await app.services.trading.snapshotEquity(perp.id, START + 2 * M15 + 3 * 60_000);
    await app.services.trading.snapshotEquity(spot.id, START + 2 * M15 + 3 * 60_000);
    const curve: DashboardEquityCurve = ok(await alice.call('dashboard.equity', { from: START - DAY, points: 100 }, 'query'));
    const snaps = await Promise.all([perp, spot].map((a) => listEquitySnapshots(db, { accountId: a.id })));
    // The history starts after `from`: the step is (now − first snapshot) / 99 rounded up to 15 minutes, and the
    // grid starts once both accounts (begun within one step of each other) have their first snapshot.
    const firsts = snaps.map((rows) => rows[0]!.ts);
    const first = Math.min(...firsts);
    expect(first).toBeGreaterThan(START - DAY);
    expect(curve.stepMs).toBe(Math.max(M15, Math.ceil((clock.now() - first) / 99 / M15) * M15));
    expect(Math.max(...firsts) - first).toBeLessThan(curve.stepMs);
    expect(curve.from).toBe(Math.max(...firsts));
    expect(curve.points[0]!.ts).toBe(curve.from);
    expect(curve.points.at(-1)!.ts).toBe(clock.now());
    expect(curve.points.length).toBeGreaterThanOrEqual(2);
    for (const p of curve.points) {
      expect((p.ts - curve.from) % curve.stepMs === 0 || p.ts === clock.now()).toBe(true);
      const expected = snaps.reduce((acc, rows) => acc.plus([...rows].reverse().find((r) => r.ts <= p.ts)?.equity ?? 0), new Decimal(0));
      expect(p.equity).toBe(expected.toFixed());
    }
    // the last point is the sum of the two snapshots just taken
    const [pe, se] = snaps.map((rows) => rows.at(-1)!.equity);
    expect(curve.points.at(-1)!.equity).toBe(new Decimal(pe!).plus(se!).toFixed());
    // asked from a time inside the history, the grid starts there, each account at its snapshot before it
    const mid = START + 2 * M15 + 30_000;
    const later: DashboardEquityCurve = ok(await alice.call('dashboard.equity', { from: mid, points: 10 }, 'query'));
    expect(later.from).toBe(mid);
    expect(later.stepMs).toBe(M15);
    expect(later.points.map((p) => p.ts)).toEqual([mid, clock.now()]);
    const at = (rows: (typeof snaps)[number], ts: number) => [...rows].reverse().find((r) => r.ts <= ts)?.equity ?? '0';
    expect(later.points[0]!.equity).toBe(new Decimal(at(snaps[0]!, mid)).plus(at(snaps[1]!, mid)).toFixed());
  });

  it('an empty history gives no points; a start after now too', async () => {
    const fresh = new HttpCaller(app.base);
    await app.services.auth.addUser('carol@test.local', 'carol-password-1', 'trader');
    await fresh.login('carol@test.local', 'carol-password-1');
    expect(ok(await fresh.call('dashboard.equity', { from: START - DAY }, 'query')).points).toEqual([]);
    expect(ok(await alice.call('dashboard.equity', { from: clock.now() + M15 }, 'query')).points).toEqual([]);
  });
});
