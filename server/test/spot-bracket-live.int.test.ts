/**
 * Spot brackets on a live Binance spot account whose API is the local Binance fake (real ccxt, real HTTP,
 * `OSPREY_EXCHANGE_API_BASE`). The fake reserves the base amount of every resting sell like Binance, so a
 * full-size stop-loss and a full-size take-profit on the same holding cannot both rest: the second is refused
 * with -2010 (insufficient balance). A managed trade with a stop-loss and two take-profits sends only the stop;
 * the targets are held by Osprey and sold on the venue's ticker, each after the stop's cancel was confirmed, and
 * no sell is ever refused. Binance spot buys pay their fee in BTC: the stop asks only for what is held.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublicAccount, TradeView } from '@osprey/shared';
import { ManualClock } from '../src/domain/ports.js';
import { RejectedOrderError } from '../src/domain/exchange/errors.js';
import { FakeBinance, FAKE_BINANCE_KEY, FAKE_BINANCE_SECRET, type FakeRequest } from './fakes/fake-binance.js';
import { HttpCaller, startTestApp, type TestApp } from './helpers/app.js';

/** 2024-03-05 12:07 UTC: the fake's price is the close of the 12:00 candle, 67029.7. */
const T0 = Date.UTC(2024, 2, 5, 12, 7);
const SYMBOL = 'BTC/USDT';

let clock: ManualClock;
let fake: FakeBinance;
let app: TestApp;
let alice: HttpCaller;
let account: PublicAccount;

const ok = (r: { status: number; body: any }) => {
  if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${JSON.stringify(r.body?.error?.message ?? r.body)}`);
  return r.body.result.data;
};

/** Spot order requests that reached the fake (place and cancel), from index `from` on, as short lines. */
const orderLog = (from = 0) =>
  fake.requests
    .slice(from)
    .filter((r: FakeRequest) => r.path === '/api/v3/order' && (r.method === 'POST' || r.method === 'DELETE'))
    .map((r) => (r.method === 'DELETE' ? `DELETE ${r.status}` : `${r.query.type} ${r.query.side} ${r.query.quantity} ${r.status}`));

const btc = () => {
  const b = fake.spot.balance('BTC');
  return { free: b.free.toFixed(), locked: b.locked.toFixed() };
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
  account = ok(await alice.call('accounts.create', { name: 'Binance spot', exchange: 'binance', marketType: 'spot', mode: 'live', apiKey: FAKE_BINANCE_KEY, secret: FAKE_BINANCE_SECRET }, 'mutation'));
});
afterAll(async () => {
  await app?.close();
  await fake?.close();
});

describe('live Binance spot (fake): stop-loss and take-profits on one holding', () => {
  it('the venue refuses a second full-size sell: a stop-loss locks the BTC a take-profit would need', async () => {
    const { adapter } = await app.services.exchanges.get(account.id);
    await adapter.createOrder({ clientOrderId: 'handBuy1', symbol: SYMBOL, side: 'buy', type: 'market', amount: '0.01' });
    expect(btc()).toEqual({ free: '0.00999', locked: '0' }); // 0.1 % fee paid in BTC
    const stop = await adapter.createOrder({ clientOrderId: 'handStop1', symbol: SYMBOL, side: 'sell', type: 'market', amount: '0.00999', kind: 'stop_loss', triggerPrice: '66000' });
    expect(btc()).toEqual({ free: '0', locked: '0.00999' });
    const tp = adapter.createOrder({ clientOrderId: 'handTp1', symbol: SYMBOL, side: 'sell', type: 'limit', price: '68000', amount: '0.00999', kind: 'take_profit', triggerPrice: '68000' });
    await expect(tp).rejects.toBeInstanceOf(RejectedOrderError);
    await expect(tp).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
    expect(orderLog().at(-1)).toBe('TAKE_PROFIT_LIMIT SELL 0.00999 400');
    // back to flat for the managed trade
    await adapter.cancelOrder(stop.id, SYMBOL);
    await adapter.createOrder({ clientOrderId: 'handSell1', symbol: SYMBOL, side: 'sell', type: 'market', amount: '0.00999' });
    expect(btc()).toEqual({ free: '0', locked: '0' });
  });

  let trade: TradeView;
  let logFrom: number;

  it('a managed trade sends only the stop, for the BTC held after the fee; both targets are held by Osprey', async () => {
    logFrom = fake.requests.length;
    trade = ok(
      await alice.call(
        'trading.open',
        {
          accountId: account.id,
          symbol: SYMBOL,
          side: 'long',
          sizing: { mode: 'base', value: '0.01' },
          stopLoss: '66000',
          takeProfits: [
            { price: '67800', share: '0.5' },
            { price: '68700', share: '0.5' },
          ],
        },
        'mutation',
      ),
    );
    // the fake fills at the current price without slippage; fee 0.00001 BTC valued at 67029.7 = 0.670297 USDT
    expect(trade).toMatchObject({ status: 'open', amount: '0.00999', entryPrice: '67029.7', fees: '0.670297', stopLoss: '66000', lastError: null });
    expect(trade.takeProfits).toEqual([
      { price: '67800', share: '0.5', done: false, held: true },
      { price: '68700', share: '0.5', done: false, held: true },
    ]);
    expect(orderLog(logFrom)).toEqual(['MARKET BUY 0.01 200', 'STOP_LOSS SELL 0.00999 200']);
    expect(btc()).toEqual({ free: '0', locked: '0.00999' });
    const open = ok(await alice.call('trading.orders', { accountId: account.id, status: 'open' }, 'query'));
    expect(open.map((o: any) => [o.kind, o.amount, o.triggerPrice])).toEqual([['stop_loss', '0.00999', '66000']]);
  });

  it('the ticker reaching the first target (13:00 candle, 67832.03): stop cancelled, then 0.00499 sold at market, then the stop for 0.005', async () => {
    clock.set(Date.UTC(2024, 2, 5, 13, 5));
    const from = fake.requests.length;
    await app.services.trading.syncAccount(account.id);
    await app.services.trading.idle();
    expect(orderLog(from)).toEqual(['DELETE 200', 'MARKET SELL 0.00499 200', 'STOP_LOSS SELL 0.005 200']);
    const [t] = ok(await alice.call('trading.trades', { accountId: account.id, status: 'active' }, 'query'));
    expect(t).toMatchObject({ status: 'open', amount: '0.005', lastError: null });
    expect(t.takeProfits).toEqual([
      { price: '67800', share: '0.5', done: true },
      { price: '68700', share: '0.5', done: false, held: true },
    ]);
    expect(btc()).toEqual({ free: '0', locked: '0.005' });
  });

  it('the second target (14:45 candle, 68710.41) sells the rest: closed as take_profit; no sell was ever refused, no take-profit order ever sent', async () => {
    clock.set(Date.UTC(2024, 2, 5, 14, 50));
    const from = fake.requests.length;
    await app.services.trading.syncAccount(account.id);
    await app.services.trading.idle();
    expect(orderLog(from)).toEqual(['DELETE 200', 'MARKET SELL 0.005 200']);
    const [t] = ok(await alice.call('trading.trades', { accountId: account.id }, 'query'));
    expect(t).toMatchObject({ status: 'closed', closeReason: 'take_profit', amount: '0' });
    expect(btc()).toEqual({ free: '0', locked: '0' });
    expect(fake.spot.openOrders(undefined)).toEqual([]);
    const log = orderLog(logFrom);
    expect(log.every((l) => l.endsWith(' 200'))).toBe(true);
    expect(log.some((l) => l.startsWith('TAKE_PROFIT'))).toBe(false);
    // at no point did two sells rest together: every stop went out after the previous one's cancel
    expect(log).toEqual(['MARKET BUY 0.01 200', 'STOP_LOSS SELL 0.00999 200', 'DELETE 200', 'MARKET SELL 0.00499 200', 'STOP_LOSS SELL 0.005 200', 'DELETE 200', 'MARKET SELL 0.005 200']);
  });
});
