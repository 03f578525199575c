/**
 * LiveSync + CcxtOhlcvSource against a local fake Binance: the real `ccxt.binance` class talks HTTP to
 * 127.0.0.1, candles come from the market CSVs, the store is in memory, time is a ManualClock shared by the
 * sync and the fake (the fake only serves candles that have opened by then).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import ccxt from 'ccxt';
import { TIMEFRAME_MS, type Candle, type CandleTimeframe, type Timeframe } from '@osprey/shared';
import { ManualClock } from '../src/domain/ports.js';
import { PermanentExchangeError, TemporaryExchangeError } from '../src/domain/market-ports.js';
import { CcxtOhlcvSource, createCcxtExchange, ohlcvToCandle, rebaseUrls, toExchangeSourceError } from '../src/adapters/exchange/ccxt-ohlcv.js';
import { LiveSync, type CandleUpdate, type LiveSyncOptions } from '../src/services/live-sync.js';
import { FakeBinance, readCandlesCsv, type FakeFailure } from './fakes/fake-binance.js';
import { MemoryCandleStore } from './fakes/memory-candle-store.js';

const M15 = TIMEFRAME_MS['15m'];
const H4 = TIMEFRAME_MS['4h'];
const DAY = 86_400_000;
/** 2024-03-01 00:07 UTC: seven minutes into a 15m candle. */
const T = Date.UTC(2024, 2, 1, 0, 7);

const csvCache = new Map<string, Candle[]>();
/** CSV candles of `base`/USDT with open time in [from, to]. */
function csv(base: string, tf: Timeframe, from: number, to: number): Candle[] {
  const key = `${base}_${tf}`;
  if (!csvCache.has(key)) csvCache.set(key, readCandlesCsv(base, tf));
  return csvCache.get(key)!.filter((c) => c.ts >= from && c.ts <= to);
}
function csvAt(base: string, tf: Timeframe, ts: number): Candle {
  const [c] = csv(base, tf, ts, ts);
  if (!c) throw new Error(`no CSV candle ${base} ${tf} ${ts}`);
  return c;
}

let clock: ManualClock;
let fake: FakeBinance;
let source: CcxtOhlcvSource;
let store: MemoryCandleStore;
let updates: CandleUpdate[];
let errors: Array<{ symbol: string; timeframe: CandleTimeframe; err: Error }>;
const syncs: LiveSync[] = [];

beforeEach(async () => {
  clock = new ManualClock(T);
  fake = await FakeBinance.start({ clock });
  source = new CcxtOhlcvSource(createCcxtExchange('binance', { apiBase: fake.url, timeoutMs: 300, rateLimitMs: 1 }));
  store = new MemoryCandleStore();
  updates = [];
  errors = [];
});

afterEach(async () => {
  await Promise.all(syncs.splice(0).map((s) => s.stop()));
  await fake.close();
});

function makeSync(opts: Partial<LiveSyncOptions> & Pick<LiveSyncOptions, 'symbols' | 'timeframes' | 'backfill'>): LiveSync {
  const sync = new LiveSync({
    source,
    store,
    exchange: 'binance',
    clock,
    onCandle: (u) => updates.push(u),
    onError: (symbol, timeframe, err) => errors.push({ symbol, timeframe, err }),
    ...opts,
  });
  syncs.push(sync);
  return sync;
}

const pages = (symbolId: string, interval: string) =>
  fake.klineRequests(symbolId, interval).map((r) => [Number(r.query.startTime), Number(r.query.limit)]);

describe('CcxtOhlcvSource against the fake', () => {
  it('points every ccxt API URL at the fake and loads spot markets only', async () => {
    const api = JSON.stringify(source.exchange.urls.api);
    expect(api).not.toMatch(/binance\.com/);
    expect(api).toContain(`"${fake.url}/api/v3"`);
    expect(api).toContain(`"${fake.url}/fapi/v1"`);
    await source.fetchOHLCV('BTC/USDT', '1h', Date.UTC(2024, 1, 1), 3);
    expect(fake.requests.map((r) => r.path)).toEqual(['/api/v3/exchangeInfo', '/api/v3/klines']);
    expect(Object.keys(source.exchange.markets ?? {}).sort()).toEqual(['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'XRP/USDT']);
  });

  it('maps klines to candles equal to the CSV, the forming candle included as served', async () => {
    const since = Date.UTC(2024, 1, 29, 22);
    const got = await source.fetchOHLCV('ETH/USDT', '15m', since, 1000);
    // open times ≤ now (00:07): 22:00 … 23:45 closed, 00:00 forming
    expect(got).toEqual(csv('ETH', '15m', since, Date.UTC(2024, 2, 1)));
    expect(got).toHaveLength(9);
    expect(fake.klineRequests('ETHUSDT', '15m')[0]?.query).toMatchObject({ startTime: String(since), limit: '1000' });
  });

  it('works for binanceusdm perpetuals via /fapi/v1', async () => {
    const usdm = new CcxtOhlcvSource(createCcxtExchange('binanceusdm', { apiBase: fake.url, rateLimitMs: 1 }));
    const since = Date.UTC(2024, 1, 20);
    expect(await usdm.fetchOHLCV('BTC/USDT:USDT', '4h', since, 6)).toEqual(csv('BTC', '4h', since, since + 5 * H4));
    expect(fake.requests.map((r) => r.path)).toEqual(['/fapi/v1/exchangeInfo', '/fapi/v1/klines']);
  });

  const cases: Array<[string, FakeFailure, typeof TemporaryExchangeError | typeof PermanentExchangeError, string, unknown]> = [
    ['400 -1121 Invalid symbol', { kind: 'invalid-symbol' }, PermanentExchangeError, 'BAD_SYMBOL', ccxt.BadSymbol],
    ['503 gateway', { kind: 'status', status: 503 }, TemporaryExchangeError, 'UNAVAILABLE', ccxt.ExchangeNotAvailable],
    ['500 gateway', { kind: 'status', status: 500 }, TemporaryExchangeError, 'UNAVAILABLE', ccxt.ExchangeNotAvailable],
    ['502 gateway', { kind: 'status', status: 502 }, TemporaryExchangeError, 'UNAVAILABLE', ccxt.ExchangeNotAvailable],
    ['504 gateway', { kind: 'status', status: 504 }, TemporaryExchangeError, 'TIMEOUT', ccxt.RequestTimeout],
    ['429 -1003', { kind: 'rate-limit' }, TemporaryExchangeError, 'RATE_LIMITED', ccxt.DDoSProtection],
    ['hang → client timeout', { kind: 'hang' }, TemporaryExchangeError, 'TIMEOUT', ccxt.RequestTimeout],
  ];
  it.each(cases)('maps %s', async (_name, failure, cls, code, ccxtCls) => {
    await source.fetchOHLCV('BTC/USDT', '15m', undefined, 1); // markets loaded
    fake.failNext(1, failure);
    const err = await source.fetchOHLCV('BTC/USDT', '15m', undefined, 5).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(cls);
    expect(err).toMatchObject({ code, temporary: cls === TemporaryExchangeError });
    expect((err as Error).cause).toBeInstanceOf(ccxtCls as new () => Error);
    // the failure was one-shot: the next call works
    expect(await source.fetchOHLCV('BTC/USDT', '15m', undefined, 5)).toHaveLength(5);
  });

  it('maps a symbol unknown to the markets (no request) to BAD_SYMBOL and a dead server to NETWORK', async () => {
    await expect(source.fetchOHLCV('DOGE/USDT', '15m', undefined, 5)).rejects.toMatchObject({ name: 'PermanentExchangeError', code: 'BAD_SYMBOL' });
    expect(fake.klineRequests()).toHaveLength(0);
    await fake.close(); // connection refused from now on (closing again in afterEach is harmless)
    await expect(source.fetchOHLCV('BTC/USDT', '15m', undefined, 5)).rejects.toMatchObject({ name: 'TemporaryExchangeError', code: 'NETWORK' });
  });

  it('recovers from a failed loadMarkets (ccxt alone would cache the rejection forever)', async () => {
    fake.failNext(1, { kind: 'status', status: 503 }, (r) => r.path.endsWith('/exchangeInfo'));
    await expect(source.fetchOHLCV('BTC/USDT', '15m', undefined, 2)).rejects.toBeInstanceOf(TemporaryExchangeError);
    expect(await source.fetchOHLCV('BTC/USDT', '15m', undefined, 2)).toHaveLength(2);
    expect(fake.requests.map((r) => `${r.status} ${r.path}`)).toEqual(['503 /api/v3/exchangeInfo', '200 /api/v3/exchangeInfo', '200 /api/v3/klines']);
  });
});

describe('ccxt adapter helpers', () => {
  it('maps the remaining ccxt classes and foreign errors', () => {
    const map = (e: unknown) => {
      const m = toExchangeSourceError(e);
      return [m.name, m.code];
    };
    expect(map(new ccxt.OnMaintenance('x'))).toEqual(['TemporaryExchangeError', 'UNAVAILABLE']);
    expect(map(new ccxt.OperationFailed('binance {"code":-1001}'))).toEqual(['TemporaryExchangeError', 'UNAVAILABLE']);
    expect(map(new ccxt.NullResponse('x'))).toEqual(['TemporaryExchangeError', 'BAD_RESPONSE']);
    expect(map(new ccxt.InvalidNonce('x'))).toEqual(['TemporaryExchangeError', 'NETWORK']);
    expect(map(new ccxt.AuthenticationError('x'))).toEqual(['PermanentExchangeError', 'AUTH']);
    expect(map(new ccxt.BadRequest('x'))).toEqual(['PermanentExchangeError', 'BAD_REQUEST']);
    expect(map(new ccxt.NotSupported('x'))).toEqual(['PermanentExchangeError', 'NOT_SUPPORTED']);
    expect(map(new ccxt.InsufficientFunds('x'))).toEqual(['PermanentExchangeError', 'EXCHANGE']);
    expect(map(new TypeError('cannot read x of undefined'))).toEqual(['TemporaryExchangeError', 'BAD_RESPONSE']);
    const already = new PermanentExchangeError('BAD_SYMBOL', 'x');
    expect(toExchangeSourceError(already)).toBe(already);
  });

  it('rejects malformed OHLCV rows', () => {
    expect(ohlcvToCandle([1, 2, 3, 1, 2, 5])).toEqual({ ts: 1, open: 2, high: 3, low: 1, close: 2, volume: 5 });
    expect(() => ohlcvToCandle([1, 2, undefined, 1, 2, 5])).toThrow(TemporaryExchangeError);
    expect(() => ohlcvToCandle([1, 2, Number.NaN, 1, 2, 5])).toThrow(/malformed/);
  });

  it('rebases nested URL maps keeping paths, and refuses non-origin bases', () => {
    const urls = { public: 'https://api.binance.com/api/v3', nested: { x: 'https://fapi.binance.com/fapi/v1' }, n: 1 };
    expect(rebaseUrls(urls, 'http://127.0.0.1:9/')).toEqual({
      public: 'http://127.0.0.1:9/api/v3',
      nested: { x: 'http://127.0.0.1:9/fapi/v1' },
      n: 1,
    });
    expect(() => rebaseUrls(urls, 'http://127.0.0.1:9/api')).toThrow(/origin/);
    expect(() => createCcxtExchange('nope')).toThrow(/unknown ccxt exchange/);
  });
});

describe('LiveSync.backfill', () => {
  it('pages the window in requests of pageLimit and stores exactly the closed CSV candles', async () => {
    const sync = makeSync({ symbols: ['BTC/USDT', 'ETH/USDT'], timeframes: ['15m', '4h'], backfill: { '15m': 30, '4h': 60 } });
    const report = await sync.backfill();

    const from15 = Date.UTC(2024, 0, 31, 0, 15); // first open ≥ now − 30 d
    const to15 = Date.UTC(2024, 1, 29, 23, 45); // last closed at 00:07
    const from4h = Date.UTC(2024, 0, 1, 4); // first 4h open ≥ now − 60 d (Jan 1 00:07)
    const to4h = Date.UTC(2024, 1, 29, 20);
    for (const [id, base] of [['BTCUSDT', 'BTC'], ['ETHUSDT', 'ETH']] as const) {
      expect(pages(id, '15m')).toEqual([[from15, 1000], [from15 + 1000 * M15, 1000], [from15 + 2000 * M15, 879]]);
      expect(pages(id, '4h')).toEqual([[from4h, 359]]);
      const symbol = `${base}/USDT`;
      expect(store.candles('binance', symbol, '15m')).toEqual(csv(base, '15m', from15, to15));
      expect(store.candles('binance', symbol, '4h')).toEqual(csv(base, '4h', from4h, to4h));
      expect(await store.latestTs('binance', symbol, '15m')).toBe(to15); // the forming 00:00 candle is not stored
    }
    expect(store.candles('binance', 'BTC/USDT', '15m')).toHaveLength(2879);
    expect(report).toEqual({ requests: 8, stored: 2 * (2879 + 359), failed: [] });
    expect(fake.requests.filter((r) => r.path.endsWith('/exchangeInfo'))).toHaveLength(1);
    expect(updates).toEqual([]);
    expect(errors).toEqual([]);

    // a second backfill finds nothing missing
    const before = fake.requests.length;
    expect(await sync.backfill()).toEqual({ requests: 0, stored: 0, failed: [] });
    expect(fake.requests.length).toBe(before);
  });

  it('after a restart, fetches only the hole and the tail since the newest stored candle', async () => {
    clock.set(Date.UTC(2024, 1, 20, 0, 7));
    await makeSync({ symbols: ['BTC/USDT'], timeframes: ['15m'], backfill: { '15m': 20 } }).backfill();
    const holeFrom = Date.UTC(2024, 1, 10);
    const holeTo = holeFrom + 99 * M15;
    expect(store.deleteRange('binance', 'BTC/USDT', '15m', holeFrom, holeTo)).toBe(100);
    const firstRun = fake.klineRequests().length;

    clock.set(T); // "restart" nine days later with a deeper window
    const report = await makeSync({ symbols: ['BTC/USDT'], timeframes: ['15m'], backfill: { '15m': 30 } }).backfill();

    expect(pages('BTCUSDT', '15m').slice(firstRun)).toEqual([
      [holeFrom, 100],
      [Date.UTC(2024, 1, 20), 960],
    ]);
    expect(report).toEqual({ requests: 2, stored: 1060, failed: [] });
    expect(store.candles('binance', 'BTC/USDT', '15m')).toEqual(csv('BTC', '15m', Date.UTC(2024, 0, 31, 0, 15), Date.UTC(2024, 1, 29, 23, 45)));
  });

  it('continues past a short page (exchange returning fewer candles than asked)', async () => {
    // pageLimit above Binance spot's cap of 1000: ccxt clamps the request, the sync advances from what came back
    const sync = makeSync({ symbols: ['XRP/USDT'], timeframes: ['1h'], backfill: { '1h': 60 }, pageLimit: 1200 });
    await sync.backfill();
    const from = Date.UTC(2024, 0, 1, 1);
    expect(pages('XRPUSDT', '1h')).toEqual([[from, 1000], [from + 1000 * TIMEFRAME_MS['1h'], 439]]);
    expect(store.candles('binance', 'XRP/USDT', '1h')).toEqual(csv('XRP', '1h', from, Date.UTC(2024, 1, 29, 23)));
  });
});

describe('LiveSync.tick', () => {
  it('fetches each timeframe right after its candle closes and emits the closed and the forming candle', async () => {
    clock.set(Date.UTC(2024, 2, 1, 3, 50));
    const sync = makeSync({ symbols: ['BTC/USDT'], timeframes: ['15m', '4h'], backfill: { '15m': 1, '4h': 2 } });
    await sync.backfill();
    const n0 = fake.klineRequests().length;

    clock.set(Date.UTC(2024, 2, 1, 3, 55)); // nothing closed since
    expect((await sync.tick()).requests).toBe(0);
    expect(fake.klineRequests()).toHaveLength(n0);

    const at4 = Date.UTC(2024, 2, 1, 4);
    clock.set(at4 + 2_000); // 15m 03:45 and 4h 00:00 just closed
    const r = await sync.tick();
    expect(r).toEqual({ requests: 2, stored: 2, failed: [] });
    expect(pages('BTCUSDT', '15m').at(-1)).toEqual([at4 - M15, 2]);
    expect(pages('BTCUSDT', '4h').at(-1)).toEqual([at4 - H4, 2]);
    expect(updates).toEqual([
      { symbol: 'BTC/USDT', timeframe: '15m', candle: csvAt('BTC', '15m', at4 - M15), closed: true },
      { symbol: 'BTC/USDT', timeframe: '15m', candle: csvAt('BTC', '15m', at4), closed: false },
      { symbol: 'BTC/USDT', timeframe: '4h', candle: csvAt('BTC', '4h', at4 - H4), closed: true },
      { symbol: 'BTC/USDT', timeframe: '4h', candle: csvAt('BTC', '4h', at4), closed: false },
    ]);
    expect(await store.latestTs('binance', 'BTC/USDT', '15m')).toBe(at4 - M15);
    expect(await store.latestTs('binance', 'BTC/USDT', '4h')).toBe(at4 - H4);

    // next 15m close: only 15m is fetched
    updates.length = 0;
    clock.set(at4 + M15 + 1_000);
    expect((await sync.tick()).requests).toBe(1);
    expect(updates.map((u) => [u.timeframe, u.candle.ts, u.closed])).toEqual([['15m', at4, true], ['15m', at4 + M15, false]]);

    // a late tick (three closes missed) catches up in one request and emits every closed candle in order
    updates.length = 0;
    clock.set(Date.UTC(2024, 2, 1, 5, 0, 30));
    expect((await sync.tick()).requests).toBe(1);
    expect(pages('BTCUSDT', '15m').at(-1)).toEqual([at4 + M15, 4]);
    expect(updates.map((u) => [u.candle.ts, u.closed])).toEqual([
      [at4 + M15, true], [at4 + 2 * M15, true], [at4 + 3 * M15, true], [at4 + 4 * M15, false],
    ]);
    expect(store.candles('binance', 'BTC/USDT', '15m')).toEqual(csv('BTC', '15m', Date.UTC(2024, 1, 29, 4), at4 + 3 * M15));
    expect(errors).toEqual([]);
  });

  it('backfills on the first tick when backfill() was not called', async () => {
    const sync = makeSync({ symbols: ['SOL/USDT'], timeframes: ['1d'], backfill: { '1d': 10 } });
    const r = await sync.tick();
    // window: first daily open ≥ now − 10 d (Feb 20 00:07) → Feb 21 … Feb 29
    expect(r).toEqual({ requests: 1, stored: 9, failed: [] });
    expect(store.candles('binance', 'SOL/USDT', '1d')).toEqual(csv('SOL', '1d', Date.UTC(2024, 1, 21), Date.UTC(2024, 1, 29)));
  });
});

describe('LiveSync failure handling', () => {
  const btc = (r: { query: Record<string, string> }) => r.query.symbol === 'BTCUSDT';

  it('backs off a symbol after 5xx (1 s, then 2 s on the injected clock) while the other one syncs', async () => {
    const sync = makeSync({ symbols: ['BTC/USDT', 'ETH/USDT'], timeframes: ['15m'], backfill: { '15m': 1 } });
    fake.failNext(2, { kind: 'status', status: 503 }, btc);

    expect((await sync.backfill()).failed).toEqual(['BTC/USDT']);
    expect(store.candles('binance', 'ETH/USDT', '15m')).toHaveLength(95);
    expect(store.candles('binance', 'BTC/USDT', '15m')).toHaveLength(0);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ symbol: 'BTC/USDT', timeframe: '15m' });
    expect(errors[0]?.err).toBeInstanceOf(TemporaryExchangeError);
    expect(errors[0]?.err).toMatchObject({ code: 'UNAVAILABLE' });
    expect(sync.status()[0]).toMatchObject({ failures: 1, retryAt: T + 1_000, paused: false, backfilled: false });

    const btcCalls = () => fake.klineRequests('BTCUSDT').length;
    await sync.tick();
    clock.advance(999);
    await sync.tick();
    expect(btcCalls()).toBe(1); // still backing off

    clock.advance(1); // T + 1 s: retry, fails again → 2 s
    await sync.tick();
    expect(btcCalls()).toBe(2);
    expect(sync.status()[0]).toMatchObject({ failures: 2, retryAt: T + 3_000 });
    clock.advance(1_999);
    await sync.tick();
    expect(btcCalls()).toBe(2);

    clock.advance(1); // T + 3 s: succeeds
    const r = await sync.tick();
    expect(r.failed).toEqual([]);
    expect(store.candles('binance', 'BTC/USDT', '15m')).toEqual(csv('BTC', '15m', Date.UTC(2024, 1, 29, 0, 15), Date.UTC(2024, 1, 29, 23, 45)));
    expect(sync.status()[0]).toMatchObject({ failures: 0, retryAt: 0, backfilled: true });
    expect(fake.klineRequests('ETHUSDT')).toHaveLength(1); // ETH was never disturbed
  });

  it('retries after a client timeout and a 429 without blocking the other symbol', async () => {
    const sync = makeSync({ symbols: ['BTC/USDT', 'ETH/USDT'], timeframes: ['15m'], backfill: { '15m': 1 } });
    fake.failNext(1, { kind: 'hang' }, btc);
    fake.failNext(1, { kind: 'rate-limit' }, btc);
    await sync.backfill();
    clock.advance(1_000);
    await sync.tick();
    clock.advance(2_000);
    await sync.tick();
    expect(errors.map((e) => [e.symbol, (e.err as TemporaryExchangeError).code])).toEqual([
      ['BTC/USDT', 'TIMEOUT'],
      ['BTC/USDT', 'RATE_LIMITED'],
    ]);
    expect(fake.klineRequests('BTCUSDT').map((r) => r.status)).toEqual([0, 429, 200]);
    expect(store.candles('binance', 'BTC/USDT', '15m')).toHaveLength(95);
    expect(store.candles('binance', 'ETH/USDT', '15m')).toHaveLength(95);
  });

  it('doubles the delay up to the 5 minute cap', async () => {
    const sync = makeSync({ symbols: ['BTC/USDT'], timeframes: ['1d'], backfill: { '1d': 2 } });
    fake.failNext(Infinity, { kind: 'status', status: 502 }, btc);
    const delays: number[] = [];
    await sync.backfill();
    for (let i = 0; i < 11; i++) {
      const { retryAt } = sync.status()[0]!;
      delays.push(retryAt - clock.now());
      clock.set(retryAt);
      await sync.tick();
    }
    expect(delays).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300].map((s) => s * 1_000));
    expect(fake.klineRequests('BTCUSDT')).toHaveLength(12);
  });

  it('pauses a symbol on a permanent error (Invalid symbol) until the next start; others keep syncing', async () => {
    const sync = makeSync({
      symbols: ['SOL/USDT', 'BTC/USDT', 'DOGE/USDT'],
      timeframes: ['15m'],
      backfill: { '15m': 1 },
      pollMs: 60_000,
    });
    fake.failNext(Infinity, { kind: 'invalid-symbol' }, (r) => r.query.symbol === 'SOLUSDT');
    await sync.backfill();
    expect(errors.map((e) => [e.symbol, e.err.name, (e.err as PermanentExchangeError).code])).toEqual(
      expect.arrayContaining([
        ['SOL/USDT', 'PermanentExchangeError', 'BAD_SYMBOL'], // from the server (-1121)
        ['DOGE/USDT', 'PermanentExchangeError', 'BAD_SYMBOL'], // not in the markets: ccxt refuses locally
      ]),
    );
    expect(errors).toHaveLength(2);
    expect(sync.status().map((s) => [s.symbol, s.paused])).toEqual([['SOL/USDT', true], ['BTC/USDT', false], ['DOGE/USDT', true]]);

    clock.advance(DAY); // a day of ticks later
    for (let i = 0; i < 3; i++) {
      clock.advance(M15);
      await sync.tick();
    }
    expect(fake.klineRequests('SOLUSDT')).toHaveLength(1);
    expect(await store.latestTs('binance', 'BTC/USDT', '15m')).toBe(lastClosed(clock.now(), M15));
    expect(errors).toHaveLength(2);

    sync.start(); // a new start clears the pause and tries again
    await vi.waitFor(() => expect(fake.klineRequests('SOLUSDT')).toHaveLength(2));
    await sync.stop();
    expect(sync.status()[0]).toMatchObject({ paused: true });
    expect(errors).toHaveLength(4);
  });
});

describe('LiveSync.start / stop', () => {
  it('polls tick on a timer and stops cleanly, awaiting the in-flight request', async () => {
    const sync = makeSync({ symbols: ['BTC/USDT'], timeframes: ['15m'], backfill: { '15m': 1 }, pollMs: 20 });
    sync.start();
    await vi.waitFor(() => expect(store.candles('binance', 'BTC/USDT', '15m')).toHaveLength(95));

    clock.set(Date.UTC(2024, 2, 1, 0, 15, 1));
    await vi.waitFor(() => expect(updates.map((u) => u.closed)).toEqual([true, false]));

    // a hanging request is in flight when stop() is called: stop resolves after it timed out
    fake.failNext(1, { kind: 'hang' });
    clock.set(Date.UTC(2024, 2, 1, 0, 30, 1));
    await vi.waitFor(() => expect(fake.requests.at(-1)?.status).toBe(0));
    await sync.stop();
    expect(errors.map((e) => (e.err as TemporaryExchangeError).code)).toEqual(['TIMEOUT']);

    const n = fake.requests.length;
    clock.advance(DAY);
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.requests.length).toBe(n);
  });
});

function lastClosed(now: number, tfMs: number): number {
  return Math.floor(now / tfMs) * tfMs - tfMs;
}
