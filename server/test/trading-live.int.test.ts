/**
 * The TradingManager on a live `binanceusdm` account whose API is the local Binance fake (real ccxt, real HTTP,
 * `OSPREY_EXCHANGE_API_BASE`): orders carry Osprey's clientOrderIds on the venue, an ambiguous create (the answer
 * is lost) is resolved by clientOrderId without doubling the order, the poll detects a position closed outside
 * Osprey, and the API key and secret never reach the logs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Decimal from 'decimal.js';
import type { PublicAccount, TradeView } from '@osprey/shared';
import { ManualClock } from '../src/domain/ports.js';
import { FakeBinance, FAKE_BINANCE_KEY, FAKE_BINANCE_SECRET } from './fakes/fake-binance.js';
import { HttpCaller, startTestApp, type TestApp } from './helpers/app.js';

/** 2024-03-05 12:07 UTC: the fake's price is the close of the 12:00 candle, 67029.7. */
const T0 = Date.UTC(2024, 2, 5, 12, 7);
const SYMBOL = 'BTC/USDT:USDT';

let clock: ManualClock;
let fake: FakeBinance;
let app: TestApp;
let alice: HttpCaller;
let account: PublicAccount;
let trade: TradeView;

const ok = (r: { status: number; body: any }) => {
  if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${JSON.stringify(r.body?.error?.message ?? r.body)}`);
  return r.body.result.data;
};

beforeAll(async () => {
  clock = new ManualClock(T0);
  fake = await FakeBinance.start({ clock });
  app = await startTestApp(
    { OSPREY_EXCHANGE_API_BASE: fake.url },
    {
      marketClock: clock,
      exchangeOptions: { timeoutMs: 1_000, rateLimitMs: 1, scheduler: { window: { maxRequests: 1000, windowMs: 1000, minSpacingMs: 0, maxInFlight: 4 }, timeoutMs: 10_000 } },
    },
  );
  await app.services.trading.start();
  await app.services.auth.addUser('alice@test.local', 'alice-password-1', 'trader');
  alice = new HttpCaller(app.base);
  await alice.login('alice@test.local', 'alice-password-1');
  account = ok(
    await alice.call('accounts.create', { name: 'Binance futures', exchange: 'binanceusdm', marketType: 'swap', mode: 'live', apiKey: FAKE_BINANCE_KEY, secret: FAKE_BINANCE_SECRET }, 'mutation'),
  );
});
afterAll(async () => {
  await app?.close();
  await fake?.close();
});

describe('live account on the Binance USDⓈ-M fake', () => {
  it('opens a trade: the entry, stop and target reach the venue with their clientOrderIds; fees come from the fills', async () => {
    trade = ok(
      await alice.call(
        'trading.open',
        { accountId: account.id, symbol: SYMBOL, side: 'long', sizing: { mode: 'base', value: '0.01' }, leverage: 5, stopLoss: '65000', takeProfits: [{ price: '70000', share: '1' }] },
        'mutation',
      ),
    );
    // the fake fills market orders at the current price without slippage; taker fee 0.05 %: 0.01 × 67029.7 × 0.0005
    expect(trade).toMatchObject({ status: 'open', amount: '0.01', entryPrice: '67029.7', fees: '0.3351485', stopLoss: '65000' });
    const orders = ok(await alice.call('trading.orders', { accountId: account.id, status: 'open' }, 'query'));
    expect(orders.map((o: any) => [o.kind, o.amount, o.triggerPrice]).sort()).toEqual([
      ['stop_loss', '0.01', '65000'],
      ['take_profit', '0.01', '70000'],
    ]);
    const venueCids = fake.orderPosts().map((r) => r.query.newClientOrderId ?? r.query.clientAlgoId);
    const [entryPost] = fake.orderPosts();
    expect(entryPost!.query.newClientOrderId).toMatch(/^o[0-9a-f]{24}e0$/);
    for (const o of orders) expect(venueCids).toContain(o.clientOrderId);
    expect(fake.futures.openOrders(undefined, true).map((o) => o.clientOrderId).sort()).toEqual(orders.map((o: any) => o.clientOrderId).sort());
    const fills = ok(await alice.call('trading.fills', { accountId: account.id }, 'query'));
    expect(fills).toMatchObject([{ side: 'buy', price: '67029.7', amount: '0.01', fee: '0.3351485', feeCurrency: 'USDT', clientOrderId: entryPost!.query.newClientOrderId }]);
  });

  it('resolves an ambiguous create (the venue placed the order but the answer was lost) by clientOrderId, without a second order', async () => {
    fake.failNext(1, { kind: 'drop-response' }, (r) => r.method === 'POST' && r.path === '/fapi/v1/order');
    const before = fake.orderPosts().length;
    trade = ok(await alice.call('trading.add', { tradeId: trade.id, amount: '0.01' }, 'mutation'));
    expect(trade).toMatchObject({ status: 'open', amount: '0.02', entryPrice: '67029.7', fees: '0.670297' });
    const posts = fake.orderPosts().slice(before);
    const addCid = posts[0]!.query.newClientOrderId!;
    expect(addCid).toMatch(/^o[0-9a-f]{24}a[0-9a-z]+$/);
    expect(posts.filter((p) => p.query.newClientOrderId === addCid)).toHaveLength(1);
    expect(fake.futures.orders.filter((o) => o.clientOrderId === addCid)).toHaveLength(1);
    expect(fake.futures.positions.get('BTCUSDT')?.amt.toFixed()).toBe('0.02');
    // protection re-placed for 0.02, the old stop and target cancelled on the venue
    expect(fake.futures.openOrders(undefined, true).map((o) => [o.kind, o.qty.toFixed()]).sort()).toEqual([
      ['stop_loss', '0.02'],
      ['take_profit', '0.02'],
    ]);
  });

  it('the poll closes a trade whose position was closed outside Osprey, at that fill, and cancels its stop and target', async () => {
    clock.set(Date.UTC(2024, 2, 5, 13, 5)); // the 13:00 candle closes at 67832.03
    const placed = fake.futures.place({ symbol: 'BTCUSDT', side: 'sell', type: 'market', kind: 'regular', qty: new Decimal('0.02'), clientOrderId: 'by-hand-on-binance', reduceOnly: true, venueType: 'MARKET' });
    expect(placed.ok).toBe(true);
    await app.services.trading.syncAccount(account.id);
    await app.services.trading.idle();
    const [t] = ok(await alice.call('trading.trades', { accountId: account.id }, 'query'));
    // (67832.03 − 67029.7) × 0.02 = 16.0466 gross − fees 0.670297 = 15.376303
    expect(t).toMatchObject({ status: 'closed', closeReason: 'external', amount: '0', realizedPnl: '15.376303' });
    expect(fake.futures.openOrders(undefined, true)).toEqual([]);
    expect(fake.futures.openOrders(undefined, false)).toEqual([]);
    expect(ok(await alice.call('trading.orders', { accountId: account.id, status: 'open' }, 'query'))).toEqual([]);
    const fills = ok(await alice.call('trading.fills', { accountId: account.id }, 'query'));
    expect(fills[0]).toMatchObject({ side: 'sell', price: '67832.03', amount: '0.02', clientOrderId: null });
    const eq = ok(await alice.call('trading.equity', { accountId: account.id }, 'query'));
    expect(eq.length).toBeGreaterThan(0);
  });

  it('an entry the live venue refuses after receiving it keeps its rejected order on record; the trade is cancelled, not left active', async () => {
    fake.failNext(1, { kind: 'insufficient-balance' }, (r) => r.method === 'POST' && r.path === '/fapi/v1/order');
    const before = fake.orderPosts().length;
    const r = await alice.call('trading.open', { accountId: account.id, symbol: SYMBOL, side: 'long', sizing: { mode: 'base', value: '0.01' }, leverage: 5 }, 'mutation');
    expect(r.status).toBe(400);
    expect(fake.orderPosts().length).toBe(before + 1);
    const cid = fake.orderPosts().at(-1)!.query.newClientOrderId;
    const rejected = ok(await alice.call('trading.orders', { accountId: account.id, status: 'history' }, 'query')).find((o: any) => o.clientOrderId === cid);
    expect(rejected).toMatchObject({ status: 'rejected', filled: '0', amount: '0.01' });
    expect(ok(await alice.call('trading.trades', { accountId: account.id, status: 'active' }, 'query'))).toEqual([]);
    const [t] = ok(await alice.call('trading.trades', { accountId: account.id, status: 'closed' }, 'query'));
    expect(t).toMatchObject({ id: rejected.tradeId, status: 'cancelled', amount: '0' });
    expect(t.closeReason).toMatch(/^rejected: INSUFFICIENT_FUNDS/);
  });

  it('keeps a stop the venue could not take (5xx) in the outbox, shows the problem, and places it on the next poll', async () => {
    fake.failNext(Infinity, { kind: 'status', status: 503 }, (r) => r.method === 'POST' && r.path === '/fapi/v1/algoOrder');
    const t: TradeView = ok(
      await alice.call('trading.open', { accountId: account.id, symbol: SYMBOL, side: 'long', sizing: { mode: 'base', value: '0.01' }, leverage: 5, stopLoss: '65000' }, 'mutation'),
    );
    expect(t).toMatchObject({ status: 'open', amount: '0.01', entryPrice: '67832.03' });
    expect(t.lastError).toMatch(/^stop order o[0-9a-f]{24}s1: /);
    expect(fake.futures.openOrders(undefined, true)).toEqual([]);
    fake.clearFailures();
    await app.services.trading.syncAccount(account.id);
    const [after] = ok(await alice.call('trading.trades', { accountId: account.id, status: 'active' }, 'query'));
    expect(after).toMatchObject({ id: t.id, lastError: null });
    expect(fake.futures.openOrders(undefined, true).map((o) => [o.kind, o.qty.toFixed(), o.stopPrice?.toFixed()])).toEqual([['stop_loss', '0.01', '65000']]);
  });

  it('never writes the API key or secret to the logs', () => {
    const logs = app.logs.join('');
    expect(logs).toMatch(/order create outcome unknown/);
    expect(logs).not.toContain(FAKE_BINANCE_KEY);
    expect(logs).not.toContain(FAKE_BINANCE_SECRET);
  });
});
