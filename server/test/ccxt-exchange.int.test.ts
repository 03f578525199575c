/**
 * CcxtExchange with ccxt's real `binance`, `binanceusdm` and `okx` classes against the local fakes
 * (fake-binance.ts, fake-okx.ts): the shared ExchangeAdapter contract, then what is specific to the ccxt
 * adapter — error translation from real venue bodies, ambiguous creates, the request scheduler, quirks.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/domain/ports.js';
import { AmbiguousOrderError, AuthExchangeError, RejectedOrderError, TemporaryExchangeError } from '../src/domain/exchange/errors.js';
import { CcxtExchange, type CcxtExchangeOptions } from '../src/adapters/exchange/ccxt-exchange.js';
import { describeExchangeError } from '../src/adapters/exchange/ccxt-errors.js';
import { RequestScheduler } from '../src/adapters/exchange/request-scheduler.js';
import { ManualTimer, flush } from './fakes/manual-timer.js';
import { FakeBinance, FAKE_BINANCE_KEY, FAKE_BINANCE_SECRET } from './fakes/fake-binance.js';
import { FakeOkx, FAKE_OKX_KEY, FAKE_OKX_PASSPHRASE, FAKE_OKX_SECRET } from './fakes/fake-okx.js';
import { describeExchangeAdapterContract, type ContractSetup } from './contracts/exchange-adapter.contract.js';

/** 2024-03-05 12:07 UTC: seven minutes into a 15m candle. */
const T0 = Date.UTC(2024, 2, 5, 12, 7);
const BINANCE_CREDS = { apiKey: FAKE_BINANCE_KEY, secret: FAKE_BINANCE_SECRET };
const OKX_CREDS = { apiKey: FAKE_OKX_KEY, secret: FAKE_OKX_SECRET, password: FAKE_OKX_PASSPHRASE };

async function binanceVenue(exchangeId: 'binance' | 'binanceusdm', extra: Partial<CcxtExchangeOptions> = {}) {
  const clock = new ManualClock(T0);
  const fake = await FakeBinance.start({ clock });
  const swap = exchangeId === 'binanceusdm';
  const adapter = new CcxtExchange({
    exchangeId,
    marketType: swap ? 'swap' : 'spot',
    mode: 'live',
    apiBase: fake.url,
    clock,
    rateLimitMs: 1,
    timeoutMs: 2_000,
    credentials: BINANCE_CREDS,
    ...extra,
  });
  return { clock, fake, adapter, symbol: swap ? 'BTC/USDT:USDT' : 'BTC/USDT' };
}

async function okxVenue(extra: Partial<CcxtExchangeOptions> = {}) {
  const clock = new ManualClock(T0);
  const fake = await FakeOkx.start({ clock });
  const adapter = new CcxtExchange({ exchangeId: 'okx', marketType: 'spot', mode: 'live', apiBase: fake.url, clock, rateLimitMs: 1, timeoutMs: 2_000, credentials: OKX_CREDS, ...extra });
  return { clock, fake, adapter, symbol: 'BTC/USDT' };
}

const asContract = (v: { clock: ManualClock; fake: { requests: unknown[]; close(): Promise<void> }; adapter: CcxtExchange; symbol: string }): ContractSetup => ({
  adapter: v.adapter,
  symbol: v.symbol,
  advance: async (ms) => v.clock.advance(ms),
  requestCount: () => v.fake.requests.length,
  teardown: () => v.fake.close(),
});

describe('CcxtExchange', () => {
  describeExchangeAdapterContract('CcxtExchange binance spot (fake)', async () => asContract(await binanceVenue('binance')));
  describeExchangeAdapterContract('CcxtExchange binanceusdm swap (fake)', async () => asContract(await binanceVenue('binanceusdm')));
  describeExchangeAdapterContract('CcxtExchange okx spot (fake)', async () => asContract(await okxVenue()));
});

describe('CcxtExchange: errors from real venue bodies', () => {
  it('a wrong secret is an AuthExchangeError (Binance -1022) whose message holds neither key nor secret', async () => {
    const v = await binanceVenue('binance', { credentials: { apiKey: FAKE_BINANCE_KEY, secret: 'wrongSecretWrongSecretWrongSecret' } });
    try {
      const e = await v.adapter.fetchBalance().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(AuthExchangeError);
      expect(e).toMatchObject({ code: 'AUTH', retryable: false });
      expect((e as Error).message).toMatch(/signature is invalid: the API secret is probably wrong/);
      expect((e as Error).message).not.toContain(FAKE_BINANCE_KEY);
      expect((e as Error).message).not.toContain('wrongSecretWrongSecretWrongSecret');
      expect(describeExchangeError(e)).toMatch(/^The exchange rejected the API key/);
    } finally {
      await v.fake.close();
    }
  });

  it('Binance -2015 (bad key, IP or permissions) is AUTH naming all three, also after a successful private call', async () => {
    const v = await binanceVenue('binance', { credentials: { apiKey: 'someOtherKey', secret: FAKE_BINANCE_SECRET } });
    const ok = await binanceVenue('binance');
    try {
      const e = await v.adapter.fetchBalance().catch((x: unknown) => x);
      expect(e).toMatchObject({ name: 'AuthExchangeError', code: 'AUTH' });
      expect((e as Error).message).toMatch(/API key, this IP address, or the key.s permissions/);
      // ccxt turns a -2015 after a successful private call into DDoSProtection (retryable); Osprey does not
      await ok.adapter.fetchBalance();
      ok.fake.failNext(1, { kind: 'auth' });
      const e2 = await ok.adapter.fetchBalance().catch((x: unknown) => x);
      expect(e2).toBeInstanceOf(AuthExchangeError);
      expect(e2).toMatchObject({ code: 'AUTH' });
    } finally {
      await v.fake.close();
      await ok.fake.close();
    }
  });

  it('OKX: IP not whitelisted (50110) is IP_NOT_ALLOWED; a wrong passphrase (50105) is AUTH', async () => {
    const v = await okxVenue();
    const bad = await okxVenue({ credentials: { ...OKX_CREDS, password: 'not-it' } });
    try {
      v.fake.failNext(1, { kind: 'ip' });
      const e = await v.adapter.fetchBalance().catch((x: unknown) => x);
      expect(e).toMatchObject({ name: 'AuthExchangeError', code: 'IP_NOT_ALLOWED' });
      expect(describeExchangeError(e)).toBe('Your IP is not whitelisted for this API key: add this server\u2019s IP address to the key\u2019s IP whitelist on the exchange.');
      const e2 = await bad.adapter.fetchBalance().catch((x: unknown) => x);
      expect(e2).toMatchObject({ name: 'AuthExchangeError', code: 'AUTH' });
      expect((e2 as Error).message).toMatch(/wrong passphrase/);
    } finally {
      await v.fake.close();
      await bad.fake.close();
    }
  });

  it('insufficient balance / margin is RejectedOrderError INSUFFICIENT_FUNDS on every venue', async () => {
    const spot = await binanceVenue('binance');
    const usdm = await binanceVenue('binanceusdm');
    const okx = await okxVenue();
    try {
      const big = { side: 'buy' as const, type: 'market' as const, amount: '5' }; // ≈ 335k USDT
      for (const [v, cid] of [[spot, 'big1'], [usdm, 'big2'], [okx, 'big3']] as const) {
        const e = await v.adapter.createOrder({ ...big, clientOrderId: cid, symbol: v.symbol }).catch((x: unknown) => x);
        expect(e, v.adapter.id).toBeInstanceOf(RejectedOrderError);
        expect(e, v.adapter.id).toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
      }
      // binanceusdm -2019 "Margin is insufficient." reaches ccxt as a bare ExchangeError against a non-binance.com
      // URL (ccxt picks its linear error table by hostname): the venue code table still classifies it
      const e = await usdm.adapter.createOrder({ ...big, clientOrderId: 'big4', symbol: usdm.symbol }).catch((x: unknown) => x);
      expect((e as Error).message).toMatch(/margin is insufficient \(Binance -2019\)/);
      okx.fake.failNext(1, { kind: 'insufficient-balance' });
      const e3 = await okx.adapter.createOrder({ clientOrderId: 'small', symbol: okx.symbol, side: 'buy', type: 'market', amount: '0.001' }).catch((x: unknown) => x);
      expect(e3).toMatchObject({ name: 'RejectedOrderError', code: 'INSUFFICIENT_FUNDS' });
    } finally {
      await Promise.all([spot.fake.close(), usdm.fake.close(), okx.fake.close()]);
    }
  });

  it('a venue filter failure (-1013 NOTIONAL) is MIN_NOTIONAL; -2010 insufficient balance is INSUFFICIENT_FUNDS', async () => {
    const v = await binanceVenue('binance');
    try {
      await v.adapter.loadMarkets();
      v.fake.failNext(1, { kind: 'filter-failure', filter: 'NOTIONAL' }, (r) => r.method === 'POST');
      v.fake.failNext(1, { kind: 'insufficient-balance' }, (r) => r.method === 'POST');
      const req = { symbol: v.symbol, side: 'buy' as const, type: 'limit' as const, amount: '0.001', price: '60000' };
      // refused by the venue after the request was sent: not `notSent`
      expect(await v.adapter.createOrder({ ...req, clientOrderId: 'f1' }).catch((x: unknown) => x)).toMatchObject({ name: 'RejectedOrderError', code: 'MIN_NOTIONAL', notSent: false });
      expect(await v.adapter.createOrder({ ...req, clientOrderId: 'f2' }).catch((x: unknown) => x)).toMatchObject({ name: 'RejectedOrderError', code: 'INSUFFICIENT_FUNDS', notSent: false });
      expect(v.fake.orderPosts()).toHaveLength(2);
    } finally {
      await v.fake.close();
    }
  });

  it('network failures: 5xx and timeouts are temporary on queries; 429 is RATE_LIMITED', async () => {
    const v = await binanceVenue('binance', { timeoutMs: 300 });
    try {
      await v.adapter.loadMarkets();
      v.fake.failNext(1, { kind: 'status', status: 503 });
      v.fake.failNext(1, { kind: 'hang' });
      v.fake.failNext(1, { kind: 'rate-limit' });
      const codes = [];
      for (let i = 0; i < 3; i++) {
        const e = await v.adapter.fetchBalance().catch((x: unknown) => x);
        expect(e).toBeInstanceOf(TemporaryExchangeError);
        codes.push((e as TemporaryExchangeError).code);
        expect((e as Error).message).not.toMatch(/signature=[0-9a-f]/); // the signed URL is scrubbed
      }
      expect(codes).toEqual(['UNAVAILABLE', 'TIMEOUT', 'RATE_LIMITED']);
      expect(describeExchangeError(new TemporaryExchangeError('UNAVAILABLE', 'x'))).toMatch(/^The exchange could not be reached/);
    } finally {
      await v.fake.close();
    }
  });
});

describe('CcxtExchange: ambiguous creates', () => {
  for (const venue of ['binance', 'binanceusdm', 'okx'] as const) {
    it(`${venue}: an order placed whose answer is lost is AMBIGUOUS, found by clientOrderId, and a retry returns it`, async () => {
      const v = venue === 'okx' ? await okxVenue({ timeoutMs: 300 }) : await binanceVenue(venue, { timeoutMs: 300 });
      try {
        const price = venue === 'binanceusdm' ? '60000.0' : '60000';
        const req = { clientOrderId: 'amb1', symbol: v.symbol, side: 'buy' as const, type: 'limit' as const, amount: '0.002', price };
        await v.adapter.loadMarkets();
        (v.fake as FakeBinance | FakeOkx).failNext(1, { kind: 'drop-response' }, (r) => r.method === 'POST');
        const e = await v.adapter.createOrder(req).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(AmbiguousOrderError);
        expect(e).toMatchObject({ code: 'AMBIGUOUS', clientOrderId: 'amb1', retryable: false });
        const found = await v.adapter.fetchOrderByClientId('amb1', v.symbol);
        expect(found).toMatchObject({ clientOrderId: 'amb1', status: 'open' });
        const again = await v.adapter.createOrder(req); // duplicate → the existing order
        expect(again.id).toBe(found!.id);
        expect(v.fake.orderPosts()).toHaveLength(2);
        expect((await v.adapter.fetchOpenOrders(v.symbol)).filter((o) => o.clientOrderId === 'amb1')).toHaveLength(1);
      } finally {
        await v.fake.close();
      }
    });
  }

  it('a create that never reached the venue is AMBIGUOUS too, the lookup says null, and the retry places it', async () => {
    const v = await binanceVenue('binance', { timeoutMs: 300 });
    try {
      await v.adapter.loadMarkets();
      v.fake.failNext(1, { kind: 'hang' }, (r) => r.method === 'POST');
      v.fake.failNext(1, { kind: 'status', status: 502 }, (r) => r.method === 'POST');
      v.fake.failNext(1, { kind: 'rate-limit' }, (r) => r.method === 'POST');
      const req = { clientOrderId: 'amb2', symbol: v.symbol, side: 'buy' as const, type: 'market' as const, amount: '0.001' };
      expect(await v.adapter.createOrder(req).catch((x: unknown) => x)).toMatchObject({ name: 'AmbiguousOrderError', clientOrderId: 'amb2' }); // timeout
      expect(await v.adapter.createOrder(req).catch((x: unknown) => x)).toMatchObject({ name: 'AmbiguousOrderError', clientOrderId: 'amb2' }); // 502: may have been processed
      expect(await v.adapter.createOrder(req).catch((x: unknown) => x)).toMatchObject({ name: 'TemporaryExchangeError', code: 'RATE_LIMITED' }); // refused before processing
      expect(await v.adapter.fetchOrderByClientId('amb2', v.symbol)).toBeNull();
      const placed = await v.adapter.createOrder(req);
      expect(placed).toMatchObject({ clientOrderId: 'amb2', status: 'closed', filled: '0.001' });
      expect(await v.adapter.fetchOrderByClientId('amb2', v.symbol)).toMatchObject({ id: placed.id, status: 'closed' });
    } finally {
      await v.fake.close();
    }
  });
});

describe('CcxtExchange: validation before any request', () => {
  it('names the field for a bad request and sends nothing', async () => {
    const v = await okxVenue();
    try {
      await v.adapter.loadMarkets();
      const n = v.fake.requests.length;
      const base = { clientOrderId: 'v1', symbol: v.symbol, side: 'buy' as const, type: 'limit' as const, amount: '0.01', price: '60000' };
      const cases: Array<[Partial<typeof base> & Record<string, unknown>, string, RegExp]> = [
        [{ clientOrderId: 'osp-1_a' }, 'INVALID_ORDER', /clientOrderId "osp-1_a" is not valid on okx: letters and digits only, at most 32 characters/],
        [{ price: undefined }, 'INVALID_ORDER', /a limit order needs a price/],
        [{ amount: '1e-3' }, 'INVALID_ORDER', /amount must be a decimal string/],
        [{ amount: '0' }, 'INVALID_ORDER', /amount must be greater than 0/],
        [{ kind: 'stop_loss' }, 'INVALID_ORDER', /a stop_loss order needs a triggerPrice/],
        [{ triggerPrice: '50000' }, 'INVALID_ORDER', /triggerPrice is only for stop_loss/],
        [{ amount: '0.000000001' }, 'MIN_AMOUNT', /amount 0\.000000001 BTC rounds down to 0 at the amount step 0\.00000001 BTC of BTC\/USDT/],
        [{ amount: '0.000005' }, 'MIN_AMOUNT', /amount 0\.000005 BTC is below the minimum amount 0\.00001 BTC of BTC\/USDT/],
        [{ symbol: 'DOGE/USDT' }, 'BAD_SYMBOL', /DOGE\/USDT is not listed on okx/],
      ];
      for (const [patch, code, msg] of cases) {
        const e = await v.adapter.createOrder({ ...base, ...patch } as never).catch((x: unknown) => x);
        expect(e, JSON.stringify(patch)).toBeInstanceOf(RejectedOrderError);
        expect([(e as RejectedOrderError).code, (e as Error).message], JSON.stringify(patch)).toEqual([code, expect.stringMatching(msg)]);
        // refused by the adapter's own checks: marked as never sent (the trading manager leaves no order row)
        expect((e as RejectedOrderError).notSent, JSON.stringify(patch)).toBe(true);
      }
      expect(v.fake.requests.length).toBe(n);
    } finally {
      await v.fake.close();
    }
  });

  it('prices a market order with a fresh ticker for the min-notional check and sends no order', async () => {
    const v = await binanceVenue('binance');
    try {
      const e = await v.adapter.createOrder({ clientOrderId: 'tiny', symbol: v.symbol, side: 'buy', type: 'market', amount: '0.00002' }).catch((x: unknown) => x);
      expect(e).toMatchObject({ name: 'RejectedOrderError', code: 'MIN_NOTIONAL', notSent: true });
      expect((e as Error).message).toBe('notional 1.340594 USDT (amount 0.00002 × price 67029.7) is below the minimum notional 5 USDT of BTC/USDT');
      expect(v.fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/v3/exchangeInfo', 'GET /api/v3/ticker/24hr']);
      // a reduce-only perpetual order is exempt (Binance -4164 "unless you choose reduce only")
      const u = await binanceVenue('binanceusdm');
      try {
        await u.adapter.createOrder({ clientOrderId: 'open1', symbol: u.symbol, side: 'buy', type: 'market', amount: '0.003' });
        const close = await u.adapter.createOrder({ clientOrderId: 'close1', symbol: u.symbol, side: 'sell', type: 'market', amount: '0.001', reduceOnly: true });
        expect(close).toMatchObject({ status: 'closed', reduceOnly: true, filled: '0.001' });
        expect((await u.adapter.fetchPositions())[0]).toMatchObject({ side: 'long', amount: '0.002' });
      } finally {
        await u.fake.close();
      }
    } finally {
      await v.fake.close();
    }
  });

  it('a swap symbol on a spot account and a spot symbol on a swap account are BAD_SYMBOL', async () => {
    const s = await binanceVenue('binance');
    const u = await binanceVenue('binanceusdm');
    try {
      expect(await s.adapter.fetchTicker('BTC/USDT:USDT').catch((x: unknown) => x)).toMatchObject({ code: 'BAD_SYMBOL' });
      expect(await u.adapter.fetchTicker('BTC/USDT').catch((x: unknown) => x)).toMatchObject({ code: 'BAD_SYMBOL' });
      expect(Object.keys(await u.adapter.loadMarkets())).toEqual(['BTC/USDT:USDT', 'ETH/USDT:USDT', 'SOL/USDT:USDT', 'XRP/USDT:USDT']);
    } finally {
      await s.fake.close();
      await u.fake.close();
    }
  });
});

describe('CcxtExchange: perpetuals', () => {
  it('sets leverage, reports the position with the venue figures, and a stop-loss closes it', async () => {
    const v = await binanceVenue('binanceusdm');
    try {
      await v.adapter.setLeverage(v.symbol, 5);
      expect(v.fake.futures.leverageOf('BTCUSDT')).toBe(5);
      expect(await v.adapter.setLeverage(v.symbol, 0).catch((x: unknown) => x)).toMatchObject({ code: 'BAD_REQUEST' });
      expect(await v.adapter.setLeverage(v.symbol, 200).catch((x: unknown) => x)).toMatchObject({ name: 'RejectedOrderError' }); // -4028
      const o = await v.adapter.createOrder({ clientOrderId: 'long1', symbol: v.symbol, side: 'buy', type: 'market', amount: '0.01' });
      expect(o).toMatchObject({ status: 'closed', average: '67029.7' });
      const [p] = await v.adapter.fetchPositions();
      expect(p).toMatchObject({ symbol: 'BTC/USDT:USDT', side: 'long', amount: '0.01', entryPrice: '67029.7', markPrice: '67029.7', leverage: 5, marginMode: 'cross', unrealizedPnl: '0' });
      // balance: total = wallet (10000 − taker fee 0.335…), used = initial margin 670.297/5
      const [usdt] = await v.adapter.fetchBalance();
      expect(usdt).toMatchObject({ currency: 'USDT', total: '9999.6648515', used: '134.0594' });
      const trades = await v.adapter.fetchMyTrades(v.symbol);
      expect(trades).toMatchObject([{ orderId: o.id, side: 'buy', price: '67029.7', amount: '0.01', fee: '0.3351485', feeCurrency: 'USDT', liquidity: 'taker' }]);
      const sl = await v.adapter.createOrder({ clientOrderId: 'sl1', symbol: v.symbol, side: 'sell', type: 'market', amount: '0.01', kind: 'stop_loss', triggerPrice: '66000', reduceOnly: true });
      expect(sl.id).toMatch(/^algo:\d+$/);
      expect(v.fake.orderPosts().at(-1)).toMatchObject({ path: '/fapi/v1/algoOrder', query: { type: 'STOP_MARKET', triggerPrice: '66000', reduceOnly: 'true', clientAlgoId: 'sl1', algoType: 'CONDITIONAL' } });
      for (let i = 0; i < 200 && (await v.adapter.fetchOrder(sl.id, v.symbol)).status === 'open'; i++) v.clock.advance(15 * 60_000);
      const done = await v.adapter.fetchOrder(sl.id, v.symbol);
      expect(done).toMatchObject({ status: 'closed', kind: 'stop_loss', filled: '0.01', average: '66000' });
      expect(await v.adapter.fetchPositions()).toEqual([]);
    } finally {
      await v.fake.close();
    }
  });
});

describe('CcxtExchange with a RequestScheduler', () => {
  it('routes every call through it: a stop-loss overtakes queued queries; temporary errors are retried', async () => {
    // the scheduler's pacing runs on a manual timer (HTTP stays real): nothing is sent until the test moves it
    const timer = new ManualTimer(0);
    const scheduler = new RequestScheduler({ window: { maxRequests: 100, windowMs: 1_000, minSpacingMs: 40, maxInFlight: 1 }, backoff: { baseMs: 500, maxMs: 2_000 }, timer });
    const v = await binanceVenue('binance', { scheduler });
    /** Moves the scheduler's time in 50 ms steps (letting real I/O finish in between) until `p` settles. */
    const drive = async <T>(p: Promise<T>): Promise<T> => {
      let done = false;
      const out = p.finally(() => {
        done = true;
      });
      out.catch(() => {});
      while (!done) {
        await timer.advance(50);
        await new Promise((r) => setTimeout(r, 2));
      }
      return out;
    };
    try {
      expect(scheduler.stats().window.minSpacingMs).toBe(40); // ≥ ccxt rateLimit (1 ms here)
      await drive(v.adapter.loadMarkets());
      await drive(v.adapter.createOrder({ clientOrderId: 'buy1', symbol: v.symbol, side: 'buy', type: 'market', amount: '0.002' }));
      await timer.advance(100); // the window is open: the next request goes at once
      const before = v.fake.requests.length;
      const queries = [1, 2, 3, 4].map(() => v.adapter.fetchTicker(v.symbol));
      const sl = v.adapter.createOrder({ clientOrderId: 'sl1', symbol: v.symbol, side: 'sell', type: 'market', amount: '0.001', kind: 'stop_loss', triggerPrice: '60000' });
      await flush();
      expect(scheduler.stats().queued).toEqual({ 1: 1, 2: 0, 3: 3 }); // the first query went at once
      await drive(Promise.all([...queries, sl]));
      expect(v.fake.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual([
        'GET /api/v3/ticker/24hr',
        'POST /api/v3/order', // priority 1 overtakes the queued queries
        'GET /api/v3/ticker/24hr',
        'GET /api/v3/ticker/24hr',
        'GET /api/v3/ticker/24hr',
      ]);
      // temporary errors are retried after the backoff (500 ms, then 1 s of scheduler time)
      v.fake.failNext(2, { kind: 'status', status: 503 });
      const t0 = timer.now();
      const balances = await drive(v.adapter.fetchBalance());
      expect(balances.find((b) => b.currency === 'USDT')).toBeDefined();
      expect(timer.now() - t0).toBeGreaterThanOrEqual(1_500);
      expect(scheduler.stats()).toMatchObject({ retries: 2, inFlight: 0, queued: { 1: 0, 2: 0, 3: 0 } });
      // a rejected create is never retried
      const n = v.fake.orderPosts().length;
      v.fake.failNext(1, { kind: 'insufficient-balance' }, (r) => r.method === 'POST');
      const e = await drive(v.adapter.createOrder({ clientOrderId: 'rej1', symbol: v.symbol, side: 'buy', type: 'limit', amount: '0.001', price: '60000' })).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(RejectedOrderError);
      expect(v.fake.orderPosts().length).toBe(n + 1);
      expect(scheduler.stats().sent).toBe(v.fake.requests.length);
    } finally {
      scheduler.close();
      await v.fake.close();
    }
  });
});

describe('CcxtExchange: construction', () => {
  it('sandbox mode switches ccxt to the testnet before the URLs are rebased; unknown ids are refused', () => {
    const clock = new ManualClock(T0);
    const s = new CcxtExchange({ exchangeId: 'binance', marketType: 'spot', mode: 'sandbox', clock });
    expect(s.exchange.isSandboxModeEnabled).toBe(true);
    expect(JSON.stringify(s.exchange.urls.api)).toContain('testnet.binance.vision');
    const o = new CcxtExchange({ exchangeId: 'okx', marketType: 'spot', mode: 'sandbox', clock, apiBase: 'http://127.0.0.1:9' });
    expect(o.exchange.headers).toMatchObject({ 'x-simulated-trading': '1' });
    expect(JSON.stringify(o.exchange.urls.api)).toBe('{"rest":"http://127.0.0.1:9"}');
    expect(() => new CcxtExchange({ exchangeId: 'nope', marketType: 'spot', mode: 'live', clock })).toThrow(/unknown ccxt exchange id "nope"/);
  });

  it('retries a failed market load on the next call', async () => {
    const v = await binanceVenue('binance');
    try {
      v.fake.failNext(1, { kind: 'status', status: 503 }, (r) => r.path.endsWith('/exchangeInfo'));
      await expect(v.adapter.loadMarkets()).rejects.toBeInstanceOf(TemporaryExchangeError);
      expect(Object.keys(await v.adapter.loadMarkets())).toContain('BTC/USDT');
    } finally {
      await v.fake.close();
    }
  });

  it('converts contracts to base amounts (OKX-style contract size 0.01) in markets and minimums', async () => {
    const clock = new ManualClock(T0);
    const a = new CcxtExchange({ exchangeId: 'okx', marketType: 'swap', mode: 'live', clock, apiBase: 'http://127.0.0.1:9' });
    a.exchange.setMarkets([
      {
        id: 'BTC-USDT-SWAP', symbol: 'BTC/USDT:USDT', base: 'BTC', quote: 'USDT', settle: 'USDT', baseId: 'BTC', quoteId: 'USDT', settleId: 'USDT',
        type: 'swap', spot: false, margin: false, swap: true, future: false, option: false, contract: true, linear: true, inverse: false, active: true,
        contractSize: 0.01, maker: 0.0002, taker: 0.0005, precision: { amount: 0.01, price: 0.1 },
        limits: { amount: { min: 0.01 }, cost: {}, leverage: { min: 1, max: 100 }, price: {} }, info: {},
      } as never,
    ]);
    const m = (await a.loadMarkets())['BTC/USDT:USDT'];
    expect(m).toMatchObject({ amountStep: '0.0001', priceStep: '0.1', minAmount: '0.0001', minNotional: null, maxLeverage: 100 });
    const e = await a.createOrder({ clientOrderId: 'x1', symbol: 'BTC/USDT:USDT', side: 'buy', type: 'limit', amount: '0.00005', price: '60000' }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'MIN_AMOUNT' });
    expect((e as Error).message).toBe('amount 0.00005 BTC rounds down to 0 at the amount step 0.0001 BTC of BTC/USDT:USDT');
    expect(await a.setLeverage('BTC/USDT:USDT', 125).catch((x: unknown) => x)).toMatchObject({ code: 'BAD_REQUEST', message: 'leverage 125 is above the maximum 100 for BTC/USDT:USDT' });
  });
});
