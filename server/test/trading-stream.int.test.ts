/**
 * Live order streams: a live `binanceusdm` account on the local Binance fake (real ccxt + ccxt.pro, real HTTP and
 * WebSocket) with polling practically off (`OSPREY_SYNC_MS` = 1 h). The TradingManager subscribes to the venue's
 * user-data stream while the account has an open trade; when the market reaches the take-profit, the fake pushes
 * `ORDER_TRADE_UPDATE` and the trade is closed from that push within seconds — the poll cannot explain it. With
 * nothing left open, the stream is dropped. The spot adapter alone: ccxt.pro subscribes through Binance's
 * WebSocket API (`userDataStream.subscribe.signature`) and a resting limit order's fill is pushed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublicAccount, TradeView } from '@osprey/shared';
import { CcxtExchange } from '../src/adapters/exchange/ccxt-exchange.js';
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

const tradeById = async (id: string): Promise<TradeView> => {
  const all: TradeView[] = ok(await alice.call('trading.trades', { accountId: account.id }, 'query'));
  return all.find((t) => t.id === id)!;
};

const ok = (r: { status: number; body: any }) => {
  if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${JSON.stringify(r.body?.error?.message ?? r.body)}`);
  return r.body.result.data;
};

beforeAll(async () => {
  clock = new ManualClock(T0);
  fake = await FakeBinance.start({ clock });
  app = await startTestApp(
    { OSPREY_EXCHANGE_API_BASE: fake.url, OSPREY_SYNC_MS: '3600000' },
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

describe('order stream of a live Binance USDⓈ-M account', () => {
  it('closes a trade at its take-profit from the pushed fill, with polling off, then drops the stream', async () => {
    const opened: TradeView = ok(
      await alice.call(
        'trading.open',
        { accountId: account.id, symbol: SYMBOL, side: 'long', sizing: { mode: 'base', value: '0.01' }, leverage: 5, stopLoss: '65000', takeProfits: [{ price: '67300', share: '1' }] },
        'mutation',
      ),
    );
    expect(opened).toMatchObject({ status: 'open', amount: '0.01', entryPrice: '67029.7' });
    // subscribed: a listenKey was taken and the WebSocket is connected
    await expect.poll(() => fake.streamCount, { timeout: 5_000 }).toBe(1);
    expect(fake.requests.some((r) => r.method === 'POST' && r.path === '/fapi/v1/listenKey')).toBe(true);
    expect(fake.requests.some((r) => r.method === 'WS' && r.path === '/private/ws' && r.status === 101)).toBe(true);

    // the 12:45 candle (high 67326.52) reaches the target: the fake triggers it and pushes the fill
    const before = Date.now();
    clock.set(Date.UTC(2024, 2, 5, 12, 50));
    await expect
      .poll(async () => (await tradeById(opened.id)).status, { timeout: 5_000, interval: 50 })
      .toBe('closed');
    expect(Date.now() - before).toBeLessThan(5_000);
    const closed = await tradeById(opened.id);
    expect(closed).toMatchObject({ status: 'closed', amount: '0' });
    const fills = ok(await alice.call('trading.fills', { accountId: account.id }, 'query'));
    expect(fills[0]).toMatchObject({ side: 'sell', price: '67300', amount: '0.01' });
    expect(fake.futures.positions.get('BTCUSDT')?.amt.isZero() ?? true).toBe(true);
    // the stop was cancelled on the venue, and with nothing left open the stream is dropped
    await expect.poll(() => fake.futures.openOrders(undefined, true).length, { timeout: 5_000 }).toBe(0);
    await expect.poll(() => fake.streamCount, { timeout: 5_000 }).toBe(0);
  });
});

describe('CcxtExchange.watchOrders on Binance spot', () => {
  it('subscribes through the WebSocket API and reports a resting limit order filling; stop closes it', async () => {
    const spotClock = new ManualClock(T0);
    const venue = await FakeBinance.start({ clock: spotClock });
    const ex = new CcxtExchange({
      exchangeId: 'binance',
      marketType: 'spot',
      mode: 'live',
      credentials: { apiKey: FAKE_BINANCE_KEY, secret: FAKE_BINANCE_SECRET },
      apiBase: venue.url,
      clock: spotClock,
      rateLimitMs: 1,
      timeoutMs: 2_000,
    });
    try {
      expect(ex.watchOrders).toBeTypeOf('function');
      let updates = 0;
      const stop = ex.watchOrders!(() => updates++);
      await expect.poll(() => venue.streamCount, { timeout: 5_000 }).toBe(1);
      expect(venue.requests.some((r) => r.method === 'WSAPI' && r.path === 'userDataStream.subscribe.signature')).toBe(true);
      // below the 67029.7 price: rests until the 12:15 candle (low 66841.11)
      const placed = await ex.createOrder({ clientOrderId: 'stream-spot-1', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: '0.001', price: '66900' });
      expect(placed.status).toBe('open');
      await expect.poll(() => updates, { timeout: 5_000 }).toBeGreaterThan(0); // the NEW order is pushed
      const seen = updates;
      spotClock.set(Date.UTC(2024, 2, 5, 12, 20));
      await expect.poll(() => updates, { timeout: 5_000 }).toBeGreaterThan(seen);
      expect((await ex.fetchOrder(placed.id, 'BTC/USDT')).status).toBe('closed');
      stop();
      await expect.poll(() => venue.streamCount, { timeout: 5_000 }).toBe(0);
    } finally {
      await ex.close();
      await venue.close();
    }
  });
});
