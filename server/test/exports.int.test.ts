/**
 * CSV exports on a real app (PGlite, HTTP, tRPC) over the replay of the shipped candles: a paper account's fills,
 * trades, orders and equity after a manual trade and a grid bot's work, the bot's round trips, fills and orders,
 * and a backtest run's fills, round trips and equity — each parsed back and compared with the API's own lists
 * (exact decimal strings, Unix ms, the zone-named time column). Another user gets 404; input is validated naming
 * the field; the row cap reports a cut-off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BacktestResultView, BacktestRunView, BotDetail, BotOrdersView, BotView, ExportResult, FillView, OrderView, PublicAccount, TradeView } from '@osprey/shared';
import { parseCsvObjects } from '../src/domain/csv-export.js';
import { ManualClock } from '../src/domain/ports.js';
import { ExportService } from '../src/services/export-service.js';
import { HttpCaller, startTestApp, type TestApp } from './helpers/app.js';
import { ReplayDriver } from './helpers/replay-driver.js';

const START = Date.UTC(2024, 7, 5, 0, 0);
const M15 = 15 * 60_000;
const HOUR = 3_600_000;

let app: TestApp;
let clock: ManualClock;
let alice: HttpCaller;
let bob: HttpCaller;
let driver: ReplayDriver;
let spot: PublicAccount;
let bot: BotView;
let run: BacktestRunView;

const ok = (r: { status: number; body: any }) => {
  if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${JSON.stringify(r.body?.error?.message ?? r.body)}`);
  return r.body.result.data;
};
const settle = async () => {
  await app.services.market.idle();
  await app.services.trading.idle();
  await app.services.bots.idle();
};
const exportOf = async (c: HttpCaller, input: Record<string, unknown>): Promise<ExportResult> => ok(await c.call('exports.csv', input, 'query'));

const grid = { symbol: 'BTC/USDT', levels: 4, spacingPct: 0.3, sellOffsetPct: 0.4, orderSize: { mode: 'quote', value: '500' }, repricePct: 2 };

beforeAll(async () => {
  clock = new ManualClock(START);
  app = await startTestApp({ OSPREY_REPLAY_START: new Date(START).toISOString(), OSPREY_SYNC_MS: '3600000' }, { marketClock: clock });
  await app.services.trading.start();
  await app.services.auth.addUser('alice@test.local', 'alice-password-1', 'trader');
  await app.services.auth.addUser('bob@test.local', 'bob-password-12', 'trader');
  alice = new HttpCaller(app.base);
  await alice.login('alice@test.local', 'alice-password-1');
  bob = new HttpCaller(app.base);
  await bob.login('bob@test.local', 'bob-password-12');
  spot = ok(await alice.call('accounts.create', { name: 'Paper spot', exchange: 'binance', marketType: 'spot', mode: 'paper', paperBalances: { USDT: '10000' } }, 'mutation'));
  driver = new ReplayDriver(app, clock, ['BTC/USDT'], START, settle);
  await driver.init();
  await driver.runTo(START);
  // A manual trade, opened and closed, then a grid bot working for 12 hours on the same account.
  await driver.runTo(START + M15);
  const t: TradeView = ok(await alice.call('trading.open', { accountId: spot.id, symbol: 'BTC/USDT', side: 'long', sizing: { mode: 'base', value: '0.01' } }, 'mutation'));
  await settle();
  await driver.runTo(START + 2 * M15);
  ok(await alice.call('trading.close', { tradeId: t.id }, 'mutation'));
  await settle();
  bot = ok(await alice.call('bots.create', { name: 'BTC grid', accountId: spot.id, config: { type: 'grid', marketType: 'spot', grid } }, 'mutation'));
  ok(await alice.call('bots.start', { id: bot.id }, 'mutation'));
  await driver.runTo(START + 12 * HOUR);
  // A backtest run of the same grid over a week.
  run = ok(await alice.call('backtests.start', { name: 'export run', config: { type: 'grid', marketType: 'spot', grid }, from: Date.UTC(2024, 2, 1), to: Date.UTC(2024, 2, 8) }, 'mutation'));
  await app.services.backtests.idle();
}, 180_000);
afterAll(async () => {
  await app?.close();
});

describe('exports of a paper account', () => {
  it('fills: one row per fill of trading.fills, exact decimals and Unix ms, times in the chosen zone', async () => {
    const r = await exportOf(alice, { what: 'fills', accountId: spot.id, timeZone: 'Asia/Shanghai' });
    const api: FillView[] = ok(await alice.call('trading.fills', { accountId: spot.id, limit: 5000 }, 'query'));
    expect(api.length).toBeGreaterThan(2);
    expect(r).toMatchObject({ filename: 'osprey-account-paper-spot-fills.csv', rows: api.length, truncated: false, maxRows: 100_000 });
    expect(r.csv.split('\r\n')[0]).toBe('time (Asia/Shanghai),time_unix_ms,symbol,side,price,amount,fee,fee_currency,liquidity,fill_id,order_id,client_order_id');
    const rows = parseCsvObjects(r.csv);
    const times = rows.map((x) => Number(x.time_unix_ms));
    expect(times).toEqual([...times].sort((a, b) => a - b)); // oldest first
    const byId = new Map(api.map((f) => [f.id, f]));
    for (const x of rows) {
      const f = byId.get(x.fill_id!)!;
      expect(f).toBeDefined();
      expect(x).toMatchObject({ symbol: f.symbol, side: f.side, price: f.price, amount: f.amount, fee: f.fee, fee_currency: f.feeCurrency, liquidity: f.liquidity, order_id: f.orderId, client_order_id: f.clientOrderId ?? '' });
      expect(Number(x.time_unix_ms)).toBe(f.ts);
      expect(Date.parse(x['time (Asia/Shanghai)']!)).toBe(f.ts);
      expect(x['time (Asia/Shanghai)']).toMatch(/\+08:00$/);
    }
    expect(new Set(rows.map((x) => x.fill_id)).size).toBe(api.length);
  });

  it('trades, orders and equity match their lists', async () => {
    const trades: TradeView[] = ok(await alice.call('trading.trades', { accountId: spot.id }, 'query'));
    const tr = parseCsvObjects((await exportOf(alice, { what: 'trades', accountId: spot.id })).csv);
    expect(tr.map((x) => x.trade_id).sort()).toEqual(trades.map((t) => t.id).sort());
    for (const x of tr) {
      const t = trades.find((y) => y.id === x.trade_id)!;
      expect(x).toMatchObject({ symbol: t.symbol, side: t.side, status: t.status, amount: t.amount, entry_price: t.entryPrice ?? '', realized_pnl: t.realizedPnl, fees: t.fees, source: t.source, close_reason: t.closeReason ?? '' });
      expect([Number(x.opened_unix_ms), x.closed_unix_ms === '' ? null : Number(x.closed_unix_ms)]).toEqual([t.openedAt, t.closedAt]);
      expect(x['opened (UTC)']).toBe(new Date(t.openedAt).toISOString().replace('Z', '+00:00'));
    }
    const manual = tr.find((x) => x.source === 'manual')!;
    expect(manual.status).toBe('closed');

    const open: OrderView[] = ok(await alice.call('trading.orders', { accountId: spot.id, status: 'open' }, 'query'));
    const past: OrderView[] = ok(await alice.call('trading.orders', { accountId: spot.id, status: 'history' }, 'query'));
    const or = parseCsvObjects((await exportOf(alice, { what: 'orders', accountId: spot.id })).csv);
    expect(or.map((x) => x.order_id).sort()).toEqual([...open, ...past].map((o) => o.id).sort());
    for (const x of or) {
      const o = [...open, ...past].find((y) => y.id === x.order_id)!;
      expect(x).toMatchObject({ status: o.status, amount: o.amount, filled: o.filled, price: o.price ?? '', fee: o.fee, reduce_only: String(o.reduceOnly), client_order_id: o.clientOrderId ?? '' });
    }

    const equity: { ts: number; equity: string }[] = ok(await alice.call('trading.equity', { accountId: spot.id }, 'query'));
    expect(equity.length).toBeGreaterThan(10);
    const eq = parseCsvObjects((await exportOf(alice, { what: 'equity', accountId: spot.id })).csv);
    expect(eq.map((x) => ({ ts: Number(x.time_unix_ms), equity: x.equity }))).toEqual(equity);
  });

  it('a range [from, to) keeps only the rows inside it and names the days in the file name', async () => {
    const all = parseCsvObjects((await exportOf(alice, { what: 'fills', accountId: spot.id })).csv).map((x) => Number(x.time_unix_ms));
    const from = all[1]!;
    const to = all[all.length - 1]!;
    const r = await exportOf(alice, { what: 'fills', accountId: spot.id, from, to });
    expect(parseCsvObjects(r.csv).map((x) => Number(x.time_unix_ms))).toEqual(all.filter((t) => t >= from && t < to));
    expect(r.filename).toBe('osprey-account-paper-spot-fills-20240805-20240805.csv');
  });
});

describe('exports of a bot and a backtest run', () => {
  it("the bot's round trips, fills and orders match bots.get and bots.orders", async () => {
    const detail: BotDetail = ok(await alice.call('bots.get', { id: bot.id }, 'query'));
    expect(detail.trades.length).toBeGreaterThan(0);
    const r = await exportOf(alice, { what: 'roundTrips', botId: bot.id, timeZone: 'America/New_York' });
    expect(r.filename).toBe('osprey-bot-btc-grid-round-trips.csv');
    const rows = parseCsvObjects(r.csv);
    expect(
      rows.map((x) => ({
        symbol: x.symbol,
        side: x.side,
        entryClientOrderId: x.entry_client_order_id,
        exitClientOrderId: x.exit_client_order_id,
        amount: x.amount,
        entryPrice: x.entry_price,
        exitPrice: x.exit_price,
        entryFee: x.entry_fee,
        exitFee: x.exit_fee,
        pnl: x.pnl,
        openedAt: Number(x.opened_unix_ms),
        closedAt: Number(x.closed_unix_ms),
      })),
    ).toEqual(detail.trades);
    expect(rows[0]!['closed (America/New_York)']).toMatch(/^2024-08-0[45]T\d\d:\d\d:\d\d\.000-04:00$/);

    const view: BotOrdersView = ok(await alice.call('bots.orders', { id: bot.id }, 'query'));
    const fills = parseCsvObjects((await exportOf(alice, { what: 'fills', botId: bot.id })).csv);
    expect(fills.map((x) => x.fill_id).sort()).toEqual(view.fills.map((f) => f.id).sort());
    expect(fills.every((x) => x.client_order_id!.startsWith(`b${bot.id.replace(/-/g, '').slice(0, 12)}x`))).toBe(true);
    const orders = parseCsvObjects((await exportOf(alice, { what: 'orders', botId: bot.id })).csv);
    const openIds = view.open.map((o) => o.clientOrderId);
    expect(openIds.length).toBeGreaterThan(0);
    expect(orders.filter((x) => x.status === 'open').map((x) => x.client_order_id).sort()).toEqual([...openIds].sort());
    expect(orders.length).toBeGreaterThanOrEqual(fills.length);
  });

  it("the run's fills, round trips and equity match backtests.get (equity at full resolution, exact text)", async () => {
    const res: BacktestResultView = ok(await alice.call('backtests.get', { id: run.id }, 'query'));
    expect(res.run.status).toBe('done');
    expect(res.fills.length).toBeGreaterThan(0);
    const fills = parseCsvObjects((await exportOf(alice, { what: 'fills', runId: run.id })).csv);
    expect(fills.map((x) => ({ ts: Number(x.time_unix_ms), symbol: x.symbol, side: x.side, price: x.price, amount: x.amount, fee: x.fee, clientOrderId: x.client_order_id || null }))).toEqual(res.fills);
    const trips = parseCsvObjects((await exportOf(alice, { what: 'roundTrips', runId: run.id })).csv);
    expect(trips.map((x) => ({ pnl: x.pnl, closedAt: Number(x.closed_unix_ms) }))).toEqual(res.trades.map((t) => ({ pnl: t.pnl, closedAt: t.closedAt })));
    const equity = parseCsvObjects((await exportOf(alice, { what: 'equity', runId: run.id })).csv);
    expect(equity.length).toBeGreaterThanOrEqual(res.equity.length);
    const byTs = new Map(equity.map((x) => [Number(x.time_unix_ms), x.equity]));
    for (const p of res.equity) expect(Number(byTs.get(p.ts))).toBeCloseTo(p.equity, 6);
    expect(equity.every((x) => /^\d+(\.\d+)?$/.test(x.equity!))).toBe(true);
  });
});

describe('isolation and input', () => {
  it("another user's account, bot and run are 404, like missing ones", async () => {
    for (const input of [
      { what: 'fills', accountId: spot.id },
      { what: 'roundTrips', botId: bot.id },
      { what: 'fills', runId: run.id },
      { what: 'fills', accountId: '00000000-0000-4000-8000-000000000000' },
    ]) {
      const r = await bob.call('exports.csv', input, 'query');
      expect([input, r.status]).toEqual([input, 404]);
      expect(JSON.stringify(r.body)).not.toContain('Paper spot');
    }
    expect((await new HttpCaller(app.base).call('exports.csv', { what: 'fills', accountId: spot.id }, 'query')).status).toBe(401);
  });

  it('refuses a bad zone, a kind the source lacks, no or two sources, and a reversed range, naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ what: 'fills', accountId: spot.id, timeZone: 'Mars/Olympus' }, 'timeZone'],
      [{ what: 'fills', accountId: spot.id, timeZone: 'x'.repeat(65) }, 'timeZone'],
      [{ what: 'roundTrips', accountId: spot.id }, 'what'],
      [{ what: 'equity', botId: bot.id }, 'what'],
      [{ what: 'fills' }, 'accountId'],
      [{ what: 'fills', accountId: spot.id, botId: bot.id }, 'botId'],
      [{ what: 'fills', accountId: spot.id, from: 2000, to: 1000 }, 'to'],
      [{ what: 'fills', accountId: spot.id, from: 1e308 }, 'from'],
    ];
    for (const [input, field] of cases) {
      const r = await alice.call('exports.csv', input, 'query');
      expect([input, r.status, Object.keys(r.body.error.data.fieldErrors ?? {})]).toEqual([input, 400, [field]]);
    }
    // The zone's canonical spelling is what the header names.
    expect((await exportOf(alice, { what: 'equity', accountId: spot.id, timeZone: 'asia/shanghai' })).csv).toMatch(/^time \(Asia\/Shanghai\),/);
  });

  it('caps the rows and says so', async () => {
    const capped = new ExportService({ db: app.services.database.db, maxRows: 3 });
    const r = await capped.csv(null, { what: 'fills', accountId: spot.id });
    expect(r).toMatchObject({ rows: 3, truncated: true, maxRows: 3 });
    const full = parseCsvObjects((await exportOf(alice, { what: 'fills', accountId: spot.id })).csv);
    expect(parseCsvObjects(r.csv)).toEqual(full.slice(0, 3));
    await expect(capped.csv('someone-else', { what: 'fills', accountId: spot.id })).rejects.toThrow(/accountId: no such account/);
  });
});
