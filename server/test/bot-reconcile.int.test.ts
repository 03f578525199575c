/**
 * The bot runner's reconciliation (a scripted {@link ExchangeAdapter}): on a live venue it asks for every fill of
 * an order in flight BY THE ORDER at resume, so a fill stamped long before the order's creation (venue clocks, a
 * market clock that went back) is delivered, and an order the venue reports finished before its trades endpoint
 * lists all of its fills stays in flight until they are listed; on a paper venue a fill pushed while the runner
 * is stopping is taken in before it stops.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BotConfig } from '@osprey/shared';
import { findBotById, type BotRow } from '../src/adapters/db/repos/bots-repo.js';
import { paperMarkets } from '../src/adapters/exchange/paper-markets.js';
import { createBotStrategy } from '../src/domain/bots/factory.js';
import type { Strategy } from '../src/domain/bots/strategy.js';
import type { ExchangeAdapter, Fill, Order, OrderRequest } from '../src/domain/exchange/port.js';
import { ManualClock } from '../src/domain/ports.js';
import { BotRunner, initialRuntime, type BotRuntime } from '../src/services/bot-runner.js';
import { startTestApp, type TestApp } from './helpers/app.js';

const T = Date.UTC(2024, 7, 6, 12, 0);
const SYM = 'BTC/USDT';
const config: BotConfig = {
  type: 'grid',
  marketType: 'spot',
  leverage: 1,
  risk: {},
  grid: { symbol: SYM, levels: 1, spacingPct: 1, sellOffsetPct: 1, orderSize: { mode: 'base', value: '0.01' }, repricePct: 0 },
} as BotConfig;

let app: TestApp;
let userId: string;
let accountId: string;

beforeAll(async () => {
  app = await startTestApp();
  userId = (await app.services.auth.addUser('rita@test.local', 'rita-password-1', 'trader')).id;
  accountId = (await app.services.accounts.create(userId, { name: 'Venue', exchange: 'binance', marketType: 'spot', mode: 'paper', paperBalances: { USDT: '10000' } })).id;
});
afterAll(async () => {
  await app?.close();
});

/** A live-like venue: one buy `v1` the runner has in flight, finished while the runner was away. */
class ScriptedVenue implements ExchangeAdapter {
  readonly id = 'binance';
  readonly marketType = 'spot' as const;
  /** Fills the own-trades endpoint knows (it may lag behind the order's `filled`). */
  fills: Fill[] = [];
  created: OrderRequest[] = [];
  /** Every `since` passed to fetchMyTrades (the old time-window lookup). */
  sinceAsked: (number | undefined)[] = [];
  constructor(readonly buy: Order) {}
  async loadMarkets() {
    return paperMarkets('spot');
  }
  async fetchTicker() {
    return { symbol: SYM, last: '60000', bid: null, ask: null, mark: null, ts: T };
  }
  async fetchOHLCV() {
    return [];
  }
  /** While set, balance reads wait for it (holds the runner's current job). */
  hold: Promise<void> | null = null;
  async fetchBalance() {
    if (this.hold) await this.hold;
    return [{ currency: 'USDT', free: '9400', used: '0', total: '9400' }, { currency: 'BTC', free: '0.01', used: '0', total: '0.01' }];
  }
  async fetchPositions() {
    return [];
  }
  async setLeverage() {}
  private readonly placed = new Map<string, Order>();
  async createOrder(req: OrderRequest): Promise<Order> {
    this.created.push(req);
    const o: Order = { ...this.buy, id: `v${this.created.length + 1}`, clientOrderId: req.clientOrderId, side: req.side, price: req.price ?? null, amount: req.amount, filled: '0', status: 'open', average: null, fee: '0', createdAt: T, updatedAt: T };
    this.placed.set(o.id, o);
    return o;
  }
  async cancelOrder(): Promise<Order> {
    throw new Error('not used');
  }
  async fetchOrder(id: string): Promise<Order> {
    const o = id === this.buy.id ? this.buy : this.placed.get(id);
    if (!o) throw new Error(`unexpected order ${id}`);
    return o;
  }
  async fetchOrderByClientId(cid: string): Promise<Order | null> {
    return cid === this.buy.clientOrderId ? this.buy : null;
  }
  async fetchOpenOrders() {
    return [];
  }
  async fetchMyTrades(_symbol: string, since?: number): Promise<Fill[]> {
    this.sinceAsked.push(since);
    return this.fills.filter((f) => since === undefined || f.ts >= since);
  }
  async fetchOrderFills(id: string): Promise<Fill[]> {
    return this.fills.filter((f) => f.orderId === id);
  }
  async close() {}
}

/** A bot whose grid buy `cid` is in flight as venue order `v1` (what the runtime holds after a crash). */
async function botInFlight(name: string): Promise<{ row: BotRow; strategy: Strategy<unknown>; cid: string; buy: Order }> {
  const view = await app.services.bots.create(userId, { name, accountId, config });
  const row = (await findBotById(app.services.database.db, view.id))!;
  const strategy = createBotStrategy(row.id, row.config);
  const markets = paperMarkets('spot');
  const balances = [{ currency: 'USDT', free: '10000', used: '0', total: '10000' }];
  const r = strategy.step(strategy.initialState(), { type: 'candle', symbol: SYM, candle: { ts: T - 15 * 60_000, open: 60000, high: 60100, low: 59900, close: 60000, volume: 1 }, closed: true }, { now: T, markets, balances, positions: [] });
  const place = r.intents.find((i) => i.type === 'place');
  if (place?.type !== 'place') throw new Error('the grid placed no buy');
  const cid = place.order.clientOrderId;
  const rt: BotRuntime = { ...initialRuntime(strategy), strategy: r.state, started: true, working: { [cid]: { symbol: SYM, orderId: 'v1' } } };
  const buy: Order = {
    id: 'v1', clientOrderId: cid, symbol: SYM, side: 'buy', type: 'limit', kind: 'regular', status: 'closed', amount: place.order.amount, filled: place.order.amount,
    price: place.order.price!, average: place.order.price!, triggerPrice: null, reduceOnly: false, fee: '0.06', feeCurrency: 'USDT', createdAt: T, updatedAt: T + 60_000,
  };
  return { row: { ...row, runtime: rt as unknown as Record<string, unknown> }, strategy, cid, buy };
}

function runner(row: BotRow, strategy: Strategy<unknown>, venue: ExchangeAdapter, paper = false): BotRunner {
  return new BotRunner(row, strategy, {
    db: app.services.database.db,
    clock: new ManualClock(T + 120_000),
    log: app.services.log,
    adapter: venue,
    paper,
    history: async () => [],
    changed: () => undefined,
    failed: (message) => {
      throw new Error(`runner failed: ${message}`);
    },
  });
}

const fillOf = (buy: Order, ts: number, amount = buy.amount, id = 'f1'): Fill => ({
  id, orderId: buy.id, clientOrderId: null, symbol: SYM, side: 'buy', price: buy.price!, amount, fee: '0.06', feeCurrency: 'USDT', liquidity: 'maker', ts,
});

type Levels = { levels: Array<{ status: string; sellId: string | null; entry: { clientOrderId: string } | null }> };
const levelOf = (rt: BotRuntime) => {
  const s = rt.strategy as Levels | { inner: Levels };
  return ('inner' in s ? s.inner : s).levels[0]!;
};

describe('bot runner stopping on a paper venue', () => {
  it('takes in a fill pushed while its last job ran (queued behind the stop) before it stops', async () => {
    const { row, strategy, cid, buy } = await botInFlight('stopping');
    const venue = new ScriptedVenue({ ...buy, status: 'open', filled: '0' });
    const r = runner(row, strategy, venue, true);
    await r.open(1);
    expect(Object.keys(r.snapshot().working)).toEqual([cid]);
    // A job is running (a candle step waiting on the venue) when the service stops the runner …
    let release = () => undefined as void;
    venue.hold = new Promise<void>((res) => (release = res));
    r.onFeedCandle(SYM, { ts: T, open: 60000, high: 60100, low: 59900, close: 60000, volume: 1 }, true);
    const stopping = r.stop(false);
    // … and meanwhile the venue fills the buy and pushes it: those events queue behind the stop.
    Object.assign(venue.buy, { status: 'closed', filled: buy.amount });
    const fill = fillOf(buy, T + 60_000);
    venue.fills = [fill];
    r.onFill({ ...fill, clientOrderId: cid });
    r.onOrder(venue.buy);
    venue.hold = null;
    release();
    await stopping;
    const rt = r.snapshot();
    expect(rt.seenFills).toEqual(['f1']);
    expect(rt.working[cid]).toBeUndefined();
    expect(levelOf(rt)).toMatchObject({ status: 'holding', entry: { clientOrderId: cid } });
    // Stopping: the paired sell waits in the outbox for the next start.
    expect(venue.created).toEqual([]);
    expect(rt.outbox.map((i) => i.type === 'place' && i.order.side)).toEqual(['sell']);
    const saved = (await findBotById(app.services.database.db, row.id))!.runtime as unknown as BotRuntime;
    expect(saved.seenFills).toEqual(['f1']);
  });
});

describe('bot runner reconciliation on a live venue', () => {
  it('delivers a fill stamped 25 minutes before its order was created (looked up by the order, not by a time window)', async () => {
    const { row, strategy, cid, buy } = await botInFlight('early');
    const venue = new ScriptedVenue(buy);
    venue.fills = [fillOf(buy, T - 25 * 60_000)];
    const r = runner(row, strategy, venue);
    await r.open(1);
    await r.idle();
    const rt = r.snapshot();
    expect(rt.seenFills).toEqual(['f1']);
    expect(levelOf(rt)).toMatchObject({ status: 'holding', entry: { clientOrderId: cid } });
    expect(venue.created.map((o) => o.side)).toEqual(['sell']);
    expect(Object.keys(rt.working)).toEqual([venue.created[0]!.clientOrderId]);
    // No time window was used to find it.
    expect(venue.sinceAsked).toEqual([]);
    const saved = (await findBotById(app.services.database.db, row.id))!.runtime as unknown as BotRuntime;
    expect(saved.seenFills).toEqual(['f1']);
    await r.stop(false);
  });

  it('keeps a finished order in flight while the venue lists only part of its fills, and delivers the rest later', async () => {
    const { row, strategy, cid, buy } = await botInFlight('lagging');
    const venue = new ScriptedVenue(buy);
    venue.fills = [];
    const r = runner(row, strategy, venue);
    await r.open(1);
    await r.idle();
    expect(Object.keys(r.snapshot().working)).toEqual([cid]);
    expect(levelOf(r.snapshot()).status).toBe('buying');
    // The trades endpoint catches up: the next poll delivers the fill and the order leaves the in-flight set.
    venue.fills = [fillOf(buy, T + 30_000)];
    await r.poll();
    const rt = r.snapshot();
    expect(rt.seenFills).toEqual(['f1']);
    expect(levelOf(rt)).toMatchObject({ status: 'holding', entry: { clientOrderId: cid } });
    expect(rt.working[cid]).toBeUndefined();
    await r.stop(false);
  });
});
