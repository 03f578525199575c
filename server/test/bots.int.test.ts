/**
 * Bots on a real app (PGlite, HTTP, tRPC): create/validate, start on a paper account over the replay of the
 * shipped candles, orders and fills appear, stop with cancellation, lifecycle rules, resume after a restart
 * without doubling an order, and one runner per bot across two services (the lease).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BotDetail, BotOrdersView, BotView, PublicAccount } from '@osprey/shared';
import { findBotById, updateBot } from '../src/adapters/db/repos/bots-repo.js';
import type { PaperExchange } from '../src/adapters/exchange/paper-exchange.js';
import { spawn } from 'node:child_process';
import { currentProcess } from '../src/adapters/process-identity.js';
import { encodeLeaseOwner, type LeaseHolder } from '../src/domain/bots/lease.js';
import { ManualClock } from '../src/domain/ports.js';
import type { Intent } from '../src/domain/bots/strategy.js';
import { BotService } from '../src/services/bot-service.js';
import type { BotRuntime } from '../src/services/bot-runner.js';
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
let perp: PublicAccount;

const ok = (r: { status: number; body: any }) => {
  if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${JSON.stringify(r.body?.error?.message ?? r.body)}`);
  return r.body.result.data;
};
const errorOf = (r: { status: number; body: any }) => String(r.body?.error?.message ?? '');

const settle = async () => {
  await app.services.market.idle();
  await app.services.trading.idle();
  await app.services.bots.idle();
};

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
  perp = ok(await alice.call('accounts.create', { name: 'Paper perp', exchange: 'binance', marketType: 'swap', mode: 'paper', paperBalances: { USDT: '10000' } }, 'mutation'));
  driver = new ReplayDriver(app, clock, ['BTC/USDT'], START, settle);
  await driver.init();
  await driver.runTo(START);
});
afterAll(async () => {
  await app?.close();
});

describe('bot lifecycle on a paper account over the replay', () => {
  let bot: BotView;

  it('rejects a config that does not fit the account, naming the field', async () => {
    const wrongType = await alice.call('bots.create', { name: 'g', accountId: perp.id, config: { type: 'grid', marketType: 'spot', grid } }, 'mutation');
    expect(wrongType.status).toBe(400);
    expect(errorOf(wrongType)).toContain('config.marketType');
    const badSymbol = await alice.call('bots.create', { name: 'g', accountId: spot.id, config: { type: 'grid', marketType: 'spot', grid: { ...grid, symbol: 'BTC/USDT:USDT' } } }, 'mutation');
    expect(badSymbol.status).toBe(400);
    expect(errorOf(badSymbol)).toMatch(/grid\.symbol|spot symbol/);
    const badLevels = await alice.call('bots.create', { name: 'g', accountId: spot.id, config: { type: 'grid', marketType: 'spot', grid: { ...grid, levels: 0 } } }, 'mutation');
    expect(badLevels.status).toBe(400);
    expect(errorOf(badLevels)).toContain('levels');
  });

  it('creates a stopped grid bot; another user cannot see it', async () => {
    bot = ok(await alice.call('bots.create', { name: 'BTC grid', accountId: spot.id, config: { type: 'grid', marketType: 'spot', grid } }, 'mutation'));
    expect(bot.status).toBe('stopped');
    expect(bot.symbols).toEqual(['BTC/USDT']);
    expect(bot.config.type === 'grid' && bot.config.grid.levels).toBe(4);
    expect((ok(await alice.call('bots.list', undefined, 'query')) as BotView[]).map((b) => b.id)).toEqual([bot.id]);
    expect(ok(await bob.call('bots.list', undefined, 'query'))).toEqual([]);
    expect((await bob.call('bots.get', { id: bot.id }, 'query')).status).toBe(404);
    expect((await bob.call('bots.start', { id: bot.id }, 'mutation')).status).toBe(404);
  });

  it('starts; the first closed candle anchors the grid and its buys appear at the venue', async () => {
    bot = ok(await alice.call('bots.start', { id: bot.id }, 'mutation'));
    expect(bot.status).toBe('running');
    expect((await alice.call('bots.start', { id: bot.id }, 'mutation')).status).toBe(409);
    expect((await alice.call('bots.remove', { id: bot.id }, 'mutation')).status).toBe(409);
    await driver.runTo(START + M15);
    const detail: BotDetail = ok(await alice.call('bots.get', { id: bot.id }, 'query'));
    const state = detail.state as { inner: { anchor: string } } | { anchor: string };
    const anchor = Number('inner' in state ? state.inner.anchor : state.anchor);
    expect(anchor).toBeGreaterThan(0);
    const view: BotOrdersView = ok(await alice.call('bots.orders', { id: bot.id }, 'query'));
    expect(view.open.length).toBe(4);
    const prices = view.open.map((o) => Number(o.price)).sort((a, b) => b - a);
    prices.forEach((p, i) => expect(p).toBeCloseTo(anchor * (1 - 0.003 * (i + 1)), 0));
    expect(view.open.every((o) => o.side === 'buy' && o.clientOrderId!.startsWith(`b${bot.id.replace(/-/g, '').slice(0, 12)}x`))).toBe(true);
    expect(detail.events.map((e) => e.code)).toContain('started');
  });

  it('fills arrive as the replay moves; each filled buy gets its paired sell; round trips are recorded', async () => {
    await driver.runTo(START + 12 * HOUR);
    const view: BotOrdersView = ok(await alice.call('bots.orders', { id: bot.id }, 'query'));
    const detail: BotDetail = ok(await alice.call('bots.get', { id: bot.id }, 'query'));
    expect(view.fills.length).toBeGreaterThan(0);
    const buys = view.fills.filter((f) => f.side === 'buy');
    const sells = view.fills.filter((f) => f.side === 'sell');
    expect(buys.length).toBeGreaterThan(0);
    expect(detail.trades.length).toBe(sells.length);
    for (const t of detail.trades) {
      // sell = buy × 1.004 rounded up to the 0.01 tick; net pnl = (sell − buy) × amount − both fees
      expect(Number(t.exitPrice)).toBeGreaterThanOrEqual(Number(t.entryPrice) * 1.004 - 1e-9);
      expect(Number(t.pnl)).toBeCloseTo((Number(t.exitPrice) - Number(t.entryPrice)) * Number(t.amount) - Number(t.entryFee) - Number(t.exitFee), 8);
    }
    const listed: BotView = (ok(await alice.call('bots.list', undefined, 'query')) as BotView[])[0]!;
    expect(listed.roundTrips).toBe(detail.trades.length);
  });

  it('stops with cancellation: its open orders are gone, what it holds stays, status stopped', async () => {
    bot = ok(await alice.call('bots.stop', { id: bot.id, cancelOrders: true }, 'mutation'));
    expect(bot.status).toBe('stopped');
    const view: BotOrdersView = ok(await alice.call('bots.orders', { id: bot.id }, 'query'));
    expect(view.open).toEqual([]);
    // What it holds is listed with its unrealized PnL at the spot market's last price.
    expect(view.positions.length).toBeGreaterThan(0);
    const last = Number((await (await app.services.exchanges.get(spot.id)).adapter.fetchTicker('BTC/USDT')).last);
    for (const p of view.positions) expect(Number(p.unrealizedPnl)).toBeCloseTo((last - Number(p.entryPrice)) * Number(p.amount), 6);
    const runtime = (await findBotById(app.services.database.db, bot.id))!.runtime as unknown as BotRuntime;
    expect(Object.keys(runtime.working)).toEqual([]);
    const detail: BotDetail = ok(await alice.call('bots.get', { id: bot.id }, 'query'));
    expect(detail.events[0]!.code).toBe('stopped');
    // The replay moves on: a stopped bot does nothing.
    const fillsBefore = view.fills.length;
    await driver.runTo(START + 13 * HOUR);
    expect((ok(await alice.call('bots.orders', { id: bot.id }, 'query')) as BotOrdersView).fills.length).toBe(fillsBefore);
  });

  it('edits only while stopped; deletes when stopped', async () => {
    const other: BotView = ok(await alice.call('bots.create', { name: 'tmp', accountId: spot.id, config: { type: 'grid', marketType: 'spot', grid } }, 'mutation'));
    const edited: BotView = ok(await alice.call('bots.update', { id: other.id, name: 'tmp 2', accountId: spot.id, config: { type: 'grid', marketType: 'spot', grid: { ...grid, levels: 6 } } }, 'mutation'));
    expect(edited.name).toBe('tmp 2');
    expect(edited.config.type === 'grid' && edited.config.grid.levels).toBe(6);
    ok(await alice.call('bots.remove', { id: other.id }, 'mutation'));
    expect((await alice.call('bots.get', { id: other.id }, 'query')).status).toBe(404);
  });
});

describe('account risk rules across the bots of an account', () => {
  it('validates and keeps rules per account; another user cannot read or set them', async () => {
    const bad = await alice.call('bots.setAccountRisk', { accountId: spot.id, rules: { maxOpenPositions: 0 } }, 'mutation');
    expect(bad.status).toBe(400);
    expect(errorOf(bad)).toContain('maxOpenPositions');
    expect((await bob.call('bots.accountRisk', { accountId: spot.id }, 'query')).status).toBe(404);
    expect((await bob.call('bots.setAccountRisk', { accountId: spot.id, rules: {} }, 'mutation')).status).toBe(404);
    const fresh = ok(await alice.call('bots.accountRisk', { accountId: perp.id }, 'query'));
    expect(fresh).toMatchObject({ accountId: perp.id, rules: {}, openPositions: 0, lossStreak: 0, pausedUntil: null });
  });

  it('max open positions of the account counts every bot on it: the second bot gets what is left and says why', async () => {
    const acct: PublicAccount = ok(await alice.call('accounts.create', { name: 'Paper shared', exchange: 'binance', marketType: 'spot', mode: 'paper', paperBalances: { USDT: '10000' } }, 'mutation'));
    const set = ok(await alice.call('bots.setAccountRisk', { accountId: acct.id, rules: { maxOpenPositions: 3 } }, 'mutation'));
    expect(set.rules).toEqual({ maxOpenPositions: 3 });
    const cfg = { type: 'grid', marketType: 'spot', grid: { ...grid, levels: 2 } };
    const a: BotView = ok(await alice.call('bots.create', { name: 'A', accountId: acct.id, config: cfg }, 'mutation'));
    const b: BotView = ok(await alice.call('bots.create', { name: 'B', accountId: acct.id, config: cfg }, 'mutation'));
    ok(await alice.call('bots.start', { id: a.id }, 'mutation'));
    ok(await alice.call('bots.start', { id: b.id }, 'mutation'));
    // Both bots anchor on the same closed candle: each wants 2 buys, the account allows 3 in all.
    await driver.runTo(START + 13 * HOUR + M15);
    const openA = (ok(await alice.call('bots.orders', { id: a.id }, 'query')) as BotOrdersView).open.length;
    const openB = (ok(await alice.call('bots.orders', { id: b.id }, 'query')) as BotOrdersView).open.length;
    expect(openA + openB).toBe(3);
    const events = [...(ok(await alice.call('bots.get', { id: a.id }, 'query')) as BotDetail).events, ...(ok(await alice.call('bots.get', { id: b.id }, 'query')) as BotDetail).events];
    const blocked = events.filter((e) => e.code === 'risk.account.maxOpenPositions');
    expect(blocked).toHaveLength(1);
    expect(blocked[0]!.message).toContain('account rule: max open positions 3 reached (3 open or pending)');
    expect(ok(await alice.call('bots.accountRisk', { accountId: acct.id }, 'query'))).toMatchObject({ openPositions: 3 });
    // Another account's bots are not counted: the first spot account has no rules and its own orders.
    expect((ok(await alice.call('bots.accountRisk', { accountId: spot.id }, 'query')) as { rules: object }).rules).toEqual({});
    for (const id of [a.id, b.id]) ok(await alice.call('bots.stop', { id, cancelOrders: true }, 'mutation'));
    expect(ok(await alice.call('bots.accountRisk', { accountId: acct.id }, 'query'))).toMatchObject({ openPositions: 0 });
  });

  it("another process sees what this one's bots hold (the picture is read from the database at each step)", async () => {
    const acct: PublicAccount = ok(await alice.call('accounts.create', { name: 'Paper shared 2', exchange: 'binance', marketType: 'spot', mode: 'paper', paperBalances: { USDT: '10000' } }, 'mutation'));
    ok(await alice.call('bots.setAccountRisk', { accountId: acct.id, rules: { maxOpenPositions: 5 } }, 'mutation'));
    const db = app.services.database.db;
    const other = new BotService({ db, bus: app.services.bus, clock, hub: app.services.exchanges, log: app.services.log, feedExchange: 'binance', pollMs: 3_600_000 });
    const bot: BotView = ok(await alice.call('bots.create', { name: 'C', accountId: acct.id, config: { type: 'grid', marketType: 'spot', grid: { ...grid, levels: 2 } } }, 'mutation'));
    const userId = (await findBotById(db, bot.id))!.userId;
    expect(await other.accountRisk(userId, acct.id)).toMatchObject({ openPositions: 0 });
    ok(await alice.call('bots.start', { id: bot.id }, 'mutation'));
    await driver.runTo(START + 13 * HOUR + 2 * M15);
    expect(await other.accountRisk(userId, acct.id)).toMatchObject({ openPositions: 2, rules: { maxOpenPositions: 5 } });
    // Rules set by the other process apply here from the next read.
    await other.setAccountRisk(userId, acct.id, { maxOpenPositions: 2 });
    expect(ok(await alice.call('bots.accountRisk', { accountId: acct.id }, 'query'))).toMatchObject({ rules: { maxOpenPositions: 2 }, openPositions: 2 });
    ok(await alice.call('bots.stop', { id: bot.id, cancelOrders: true }, 'mutation'));
    expect(await other.accountRisk(userId, acct.id)).toMatchObject({ openPositions: 0 });
    await other.close();
  });
});

describe('restart safety and the lease', () => {
  it('a restart between placing an order and saving the state does not place it twice', async () => {
    const bot: BotView = ok(await alice.call('bots.create', { name: 'crash', accountId: spot.id, config: { type: 'grid', marketType: 'spot', grid: { ...grid, levels: 2 } } }, 'mutation'));
    ok(await alice.call('bots.start', { id: bot.id }, 'mutation'));
    await driver.runTo(START + 13 * HOUR + 3 * M15);
    // Shut the runners down as a process exit would (the bot stays `running`).
    await app.services.bots.close();
    const db = app.services.database.db;
    const row = (await findBotById(db, bot.id))!;
    expect(row.status).toBe('running');
    const rt = row.runtime as unknown as BotRuntime;
    const placed = Object.entries(rt.working);
    expect(placed.length).toBe(2);
    const paper = (await app.services.exchanges.get(spot.id)).paper as PaperExchange;
    const [cid, w] = placed[0]!;
    const order = await paper.fetchOrderByClientId(cid, w.symbol);
    expect(order?.status).toBe('open');
    // The state as it was just after the venue accepted the order and before the runner saved: the intent is
    // still in the outbox and the order is not known as placed.
    const intent: Intent = { type: 'place', role: 'entry', order: { clientOrderId: cid, symbol: w.symbol, side: 'buy', type: 'limit', amount: order!.amount, price: order!.price! } };
    delete rt.working[cid];
    rt.outbox.unshift(intent);
    await updateBot(db, bot.id, { runtime: rt as unknown as Record<string, unknown>, leaseOwner: null, leaseUntil: null });

    const restarted = new BotService({ db, bus: app.services.bus, clock, hub: app.services.exchanges, log: app.services.log, feedExchange: 'binance', pollMs: 3_600_000 });
    await restarted.resumeAll();
    await restarted.idle();
    const open = (await paper.fetchOpenOrders('BTC/USDT')).filter((o) => o.clientOrderId === cid);
    expect(open.length).toBe(1);
    expect(open[0]!.id).toBe(order!.id);
    const after = (await findBotById(db, bot.id))!.runtime as unknown as BotRuntime;
    expect(after.outbox).toEqual([]);
    expect(after.working[cid]).toEqual({ symbol: 'BTC/USDT', orderId: order!.id });
    const detail: BotDetail = ok(await alice.call('bots.get', { id: bot.id }, 'query'));
    expect(detail.events.some((e) => e.code === 'order.rejected')).toBe(false);
    expect(detail.events.some((e) => e.code === 'resumed')).toBe(true);
    expect(restarted.runningHere()).toEqual([bot.id]);

    // A second process cannot run the bot while the first holds the lease …
    const second = new BotService({ db, bus: app.services.bus, clock, hub: app.services.exchanges, log: app.services.log, feedExchange: 'binance', pollMs: 3_600_000, leaseMs: 60_000 });
    await second.resumeAll();
    expect(second.runningHere()).toEqual([]);
    // … and takes it over once the first let it go.
    await restarted.close();
    await second.resumeAll();
    await second.idle();
    expect(second.runningHere()).toEqual([bot.id]);
    await second.close();
    ok(await alice.call('bots.stop', { id: bot.id, cancelOrders: true }, 'mutation'));
    const prefix = `b${bot.id.replace(/-/g, '').slice(0, 12)}x`;
    expect((await paper.fetchOpenOrders('BTC/USDT')).filter((o) => o.clientOrderId?.startsWith(prefix)).length).toBe(0);
  });

  it('a fill stamped before its order was created (a market clock that went back) is still delivered at resume', async () => {
    const acct: PublicAccount = ok(await alice.call('accounts.create', { name: 'Paper clock', exchange: 'binance', marketType: 'spot', mode: 'paper', paperBalances: { USDT: '10000' } }, 'mutation'));
    const bot: BotView = ok(await alice.call('bots.create', { name: 'early fill', accountId: acct.id, config: { type: 'grid', marketType: 'spot', grid: { ...grid, levels: 1, repricePct: 0 } } }, 'mutation'));
    const db = app.services.database.db;
    const bots = new BotService({ db, bus: app.services.bus, clock, hub: app.services.exchanges, log: app.services.log, feedExchange: 'binance', pollMs: 3_600_000 });
    const userId = (await findBotById(db, bot.id))!.userId;
    await bots.start(userId, bot.id);
    await driver.runTo(START + 13 * HOUR + 4 * M15);
    await bots.idle();
    const paper = (await app.services.exchanges.get(acct.id)).paper as PaperExchange;
    const [buy] = (await paper.fetchOpenOrders('BTC/USDT')).filter((o) => o.clientOrderId?.startsWith(`b${bot.id.replace(/-/g, '').slice(0, 12)}x`));
    expect(buy).toMatchObject({ side: 'buy', status: 'open' });
    // The process dies (runners gone, the bot stays `running`); the venue then fills the buy while the market
    // clock reads 20 minutes before the order's creation, as when a replay resumed behind the venue's state.
    await bots.close();
    const now = clock.now();
    const early = buy!.createdAt - 20 * 60_000;
    clock.set(early);
    const cur = paper.engine.toJSON().state.lastPrice['BTC/USDT']!;
    const low = Number(buy!.price) * 0.999;
    const ts = Math.floor(now / M15) * M15;
    app.services.bus.emit('candle', { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '15m', candle: { ts, open: Number(cur.price), high: Number(cur.price), low, close: low, volume: 1, ind: {} }, closed: false });
    await app.services.trading.idle();
    const [fill] = await paper.fetchOrderFills(buy!.id, 'BTC/USDT');
    expect(fill).toMatchObject({ orderId: buy!.id, ts: early });
    clock.set(now);

    const restarted = new BotService({ db, bus: app.services.bus, clock, hub: app.services.exchanges, log: app.services.log, feedExchange: 'binance', pollMs: 3_600_000 });
    await restarted.resumeAll();
    await restarted.idle();
    const rt = (await findBotById(db, bot.id))!.runtime as unknown as BotRuntime;
    expect(rt.seenFills).toContain(fill!.id);
    type Levels = { levels: Array<{ status: string; entry: { clientOrderId: string } | null; sellId: string | null }> };
    const st = rt.strategy as Levels | { inner: Levels };
    const level = ('inner' in st ? st.inner : st).levels[0]!;
    expect(level).toMatchObject({ status: 'holding', entry: { clientOrderId: buy!.clientOrderId } });
    // … and its paired sell went out.
    expect(Object.keys(rt.working)).toEqual([level.sellId]);
    await restarted.close();
  });

  it('a lease whose holder is known to be gone is taken over at once (one taker wins); a live or foreign holder is waited out', async () => {
    const acct: PublicAccount = ok(await alice.call('accounts.create', { name: 'Paper lease', exchange: 'binance', marketType: 'spot', mode: 'paper', paperBalances: { USDT: '10000' } }, 'mutation'));
    const bot: BotView = ok(await alice.call('bots.create', { name: 'lease', accountId: acct.id, config: { type: 'grid', marketType: 'spot', grid: { ...grid, levels: 1 } } }, 'mutation'));
    const db = app.services.database.db;
    const service = () => new BotService({ db, bus: app.services.bus, clock, hub: app.services.exchanges, log: app.services.log, feedExchange: 'binance', pollMs: 3_600_000, leaseMs: 30_000 });
    const first = service();
    await first.start((await findBotById(db, bot.id))!.userId, bot.id);
    expect(first.runningHere()).toEqual([bot.id]);
    await first.close();
    // What a crash leaves: the lease of a holder that will never renew it, 30 s from expiry.
    const exited = spawn(process.execPath, ['-e', '']);
    const deadPid = exited.pid!;
    await new Promise((r) => exited.on('exit', r));
    const me = currentProcess();
    const holdBy = async (h: Partial<LeaseHolder>) => updateBot(db, bot.id, { leaseOwner: encodeLeaseOwner({ instance: 'crashed', ...me, ...h }), leaseUntil: Date.now() + 30_000 });

    // Its pid is not alive on this host: taken over at resume, no wait.
    await holdBy({ pid: deadPid, nonce: 'n-dead' });
    const a = service();
    await a.resumeAll();
    expect(a.runningHere()).toContain(bot.id);
    await a.close();

    // A previous incarnation with this very pid (a restarted container): taken over too; two processes trying at once: one wins.
    await holdBy({ pid: me.pid, nonce: 'n-previous' });
    const b = service();
    const c = service();
    await Promise.all([b.resumeAll(), c.resumeAll()]);
    expect([...b.runningHere(), ...c.runningHere()].filter((id) => id === bot.id)).toEqual([bot.id]);
    await b.close();
    await c.close();

    // A live holder (another process here), or one on another host: its lease is waited out.
    for (const h of [{ pid: process.ppid, nonce: 'n-live' }, { host: 'elsewhere', pid: deadPid }]) {
      await holdBy(h);
      const d = service();
      await d.resumeAll();
      expect(d.runningHere()).not.toContain(bot.id);
      await d.close();
    }
    await updateBot(db, bot.id, { leaseOwner: null, leaseUntil: null });
    ok(await alice.call('bots.stop', { id: bot.id, cancelOrders: true }, 'mutation'));
  });
});
