/**
 * What a stopped bot leaves: the stop options (keep / cancel / close), the list of what bots hold on an
 * account, and closing a stopped bot's positions later — on a paper spot and a paper perpetual account over
 * the replay of the shipped candles, through the strategies' own exit path (round trips booked).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BotCloseResult, BotDetail, BotHoldingView, BotOrdersView, BotView, PublicAccount } from '@osprey/shared';
import { ManualClock } from '../src/domain/ports.js';
import { HttpCaller, startTestApp, type TestApp } from './helpers/app.js';
import { ReplayDriver } from './helpers/replay-driver.js';

const START = Date.UTC(2024, 7, 5, 0, 0);
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
const settle = async () => {
  await app.services.market.idle();
  await app.services.trading.idle();
  await app.services.bots.idle();
};
const grid = (symbol: string) => ({ symbol, levels: 4, spacingPct: 0.3, sellOffsetPct: 3, orderSize: { mode: 'quote', value: '500' }, repricePct: 0 });

async function baseBalance(accountId: string, currency: string): Promise<number> {
  const balances = (await (await app.services.exchanges.get(accountId)).adapter.fetchBalance()) as { currency: string; total: string }[];
  return Number(balances.find((b) => b.currency === currency)?.total ?? 0);
}

let now = START;
/** Moves the replay on in 1 h steps until the bot holds something (at most 3 days). */
async function runUntilHolding(botId: string): Promise<BotOrdersView> {
  for (let i = 0; i < 72; i++) {
    now += HOUR;
    await driver.runTo(now);
    const view: BotOrdersView = ok(await alice.call('bots.orders', { id: botId }, 'query'));
    if (view.positions.length > 0) return view;
  }
  throw new Error('the bot bought nothing in 3 days of replay');
}

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

describe('a spot grid bot stopped with its positions kept', () => {
  let bot: BotView;

  it('keeps its orders and holdings with mode keep, and the holdings are listed for the account', async () => {
    bot = ok(await alice.call('bots.create', { name: 'Spot grid', accountId: spot.id, config: { type: 'grid', marketType: 'spot', grid: grid('BTC/USDT') } }, 'mutation'));
    ok(await alice.call('bots.start', { id: bot.id }, 'mutation'));
    const before = await runUntilHolding(bot.id);
    expect(before.positions.length).toBeGreaterThan(0);
    bot = ok(await alice.call('bots.stop', { id: bot.id, mode: 'keep' }, 'mutation'));
    expect(bot.status).toBe('stopped');
    const after: BotOrdersView = ok(await alice.call('bots.orders', { id: bot.id }, 'query'));
    expect(after.open.length).toBe(before.open.length);
    const holdings: BotHoldingView[] = ok(await alice.call('bots.holdings', { accountId: spot.id }, 'query'));
    expect(holdings.length).toBe(before.positions.length);
    expect(holdings.every((h) => h.botId === bot.id && h.botName === 'Spot grid' && h.symbol === 'BTC/USDT' && h.side === 'long')).toBe(true);
    const held = holdings.reduce((s, h) => s + Number(h.amount), 0);
    expect(await baseBalance(spot.id, 'BTC')).toBeCloseTo(held, 8);
    // Another user sees nothing of it.
    expect((await bob.call('bots.holdings', { accountId: spot.id }, 'query')).status).toBe(404);
  });

  it('closes what the stopped bot holds: sold at market, round trips booked, nothing left at the venue', async () => {
    const tripsBefore = (ok(await alice.call('bots.get', { id: bot.id }, 'query')) as BotDetail).trades.length;
    const held = (ok(await alice.call('bots.holdings', { accountId: spot.id }, 'query')) as BotHoldingView[]).length;
    const r: BotCloseResult = ok(await alice.call('bots.closePositions', { id: bot.id }, 'mutation'));
    expect(r).toMatchObject({ closed: held, remaining: 0, note: null });
    expect(r.bot.status).toBe('stopped');
    expect(ok(await alice.call('bots.holdings', { accountId: spot.id }, 'query'))).toEqual([]);
    expect(await baseBalance(spot.id, 'BTC')).toBeCloseTo(0, 8);
    const detail: BotDetail = ok(await alice.call('bots.get', { id: bot.id }, 'query'));
    expect(detail.trades.length).toBe(tripsBefore + held);
    const view: BotOrdersView = ok(await alice.call('bots.orders', { id: bot.id }, 'query'));
    expect(view.open).toEqual([]);
    expect(detail.events.map((e) => e.code)).toContain('closing');
    // Nothing left: closing again is a plain stop.
    expect(ok(await alice.call('bots.closePositions', { id: bot.id }, 'mutation'))).toMatchObject({ closed: 0, remaining: 0 });
  });
});

describe('a perpetual grid bot stopped with "cancel and close"', () => {
  it('closes its long with reduce-only market orders and stops', async () => {
    let bot: BotView = ok(await alice.call('bots.create', { name: 'Perp grid', accountId: perp.id, config: { type: 'grid', marketType: 'swap', grid: grid('BTC/USDT:USDT') } }, 'mutation'));
    ok(await alice.call('bots.start', { id: bot.id }, 'mutation'));
    const before = await runUntilHolding(bot.id);
    expect(before.positions.length).toBeGreaterThan(0);
    bot = ok(await alice.call('bots.stop', { id: bot.id, mode: 'close' }, 'mutation'));
    expect(bot.status).toBe('stopped');
    const positions = await (await app.services.exchanges.get(perp.id)).adapter.fetchPositions(['BTC/USDT:USDT']);
    expect(positions.filter((p) => Number(p.amount) > 0)).toEqual([]);
    const after: BotOrdersView = ok(await alice.call('bots.orders', { id: bot.id }, 'query'));
    expect(after.open).toEqual([]);
    expect(after.positions).toEqual([]);
    const closes = after.fills.filter((f) => f.side === 'sell' && f.clientOrderId?.includes('x'));
    expect(closes.length).toBeGreaterThan(0);
  });
});
