/**
 * `CcxtExchange`: the {@link ExchangeAdapter} port over ccxt's real exchange classes — any id in
 * `ccxt.exchanges`, live or sandbox, spot or USDT-margined perpetual swaps. Binance (`binance`,
 * `binanceusdm`) and OKX (`okx`) are exercised against local fakes in the tests; other ids get the same
 * unified calls and ccxt's defaults.
 *
 * What it adds on top of ccxt:
 * - money as decimal strings (ccxt numbers are converted with `exchange.numberToString`, exact for the
 *   ≤ 15 significant digits venues send) and amounts in base currency (contracts × `contractSize`);
 * - every order rounded (amount down, price to the tick) with ccxt's `amountToPrecision`/`priceToPrecision`
 *   and checked against `limits.amount.min` / `limits.cost.min` BEFORE it is sent, rejecting with
 *   RejectedOrderError MIN_AMOUNT / MIN_NOTIONAL / INVALID_ORDER naming the field and the limit;
 * - conditional stop-loss / take-profit orders through ccxt's unified `stopLossPrice`/`takeProfitPrice`
 *   (Binance spot STOP_LOSS(_LIMIT)/TAKE_PROFIT(_LIMIT); binanceusdm STOP_MARKET/TAKE_PROFIT_MARKET on the
 *   algo-order service; OKX `conditional` algo orders). Venues that keep conditional orders in a separate
 *   book (binanceusdm, OKX) get ids prefixed `algo:` so fetch/cancel reach the right book;
 * - idempotent creates: a create whose clientOrderId is already used by an order the venue still knows as
 *   open returns that order instead of failing (venues reject duplicates only among open orders);
 * - every ccxt error translated once (ccxt-errors.ts), and every call routed through the account's
 *   {@link RequestScheduler} when one is given (stop-loss creates priority 1, other creates/cancels/leverage 2,
 *   fetches 3);
 * - a live order stream ({@link CcxtExchange.watchOrders}) on venues whose ccxt.pro class has `watchOrders`:
 *   a separate ccxt.pro instance with the same credentials, options and (rebased, `ws://` for an `http://`
 *   apiBase) URLs. Its own REST calls (e.g. Binance USDⓈ-M `POST /fapi/v1/listenKey`) bypass the scheduler:
 *   one per (re)connect.
 */
import ccxt, {
  type Exchange,
  type MarketInterface,
  type Order as CcxtOrder,
  type Position as CcxtPosition,
  type Trade as CcxtTrade,
} from 'ccxt';
import Decimal from 'decimal.js';
import type { Candle, DecimalString, MarketType, OrderKind, OrderStatus, OrderType, Timeframe } from '@osprey/shared';
import type { Clock } from '../../domain/ports.js';
import type { Balance, ExchangeAdapter, Fill, MarketInfo, Order, OrderRequest, Position, Ticker } from '../../domain/exchange/port.js';
import { RejectedOrderError, TemporaryExchangeError } from '../../domain/exchange/errors.js';
import { PRIORITY, type RequestPriority } from '../../domain/exchange/rate-window.js';
import { isDuplicateClientOrderId, translateCcxtError } from './ccxt-errors.js';
import { rebaseUrls } from './ccxt-ohlcv.js';
import type { RequestScheduler } from './request-scheduler.js';

/** API credentials of a live or sandbox account. Never logged or put in error messages. */
export interface CcxtCredentials {
  apiKey: string;
  secret: string;
  /** Passphrase (OKX and a few others). */
  password?: string;
}

/** Options of {@link CcxtExchange}. */
export interface CcxtExchangeOptions {
  /** ccxt exchange id, e.g. `binance`, `binanceusdm`, `okx`. */
  exchangeId: string;
  /** `spot`, or `swap` (USDT-margined perpetuals). */
  marketType: MarketType;
  /** `sandbox` calls ccxt's `setSandboxMode(true)` (testnet URLs; OKX's simulated-trading header). */
  mode: 'live' | 'sandbox';
  credentials?: CcxtCredentials;
  /** Origin replacing scheme+host of every ccxt API URL, e.g. a local fake `http://127.0.0.1:40123`. */
  apiBase?: string;
  /** The account's request scheduler; without one, calls go straight to ccxt. */
  scheduler?: RequestScheduler;
  /** Time source for fallbacks (timestamps the venue omits) and the ticker cache. */
  clock: Clock;
  /** ccxt client timeout per HTTP request, ms (default 10 000). */
  timeoutMs?: number;
  /** ccxt `rateLimit` (ms between requests in ccxt's own throttle); default the venue's. Tests use 1. */
  rateLimitMs?: number;
  /** How old a cached ticker may be to price a market order's min-notional check, ms (default 5 000). */
  tickerMaxAgeMs?: number;
}

/** Per-venue quirks: ccxt options so it makes no calls we do not need, and where conditional orders live. */
interface VenueProfile {
  /** ccxt constructor `options`. */
  options: Record<string, unknown>;
  /** Overrides of `exchange.has`. */
  has: Record<string, boolean>;
  /** Conditional orders live in a separate book (own ids, own endpoints: ccxt param `trigger: true`). */
  separateTriggerBook: boolean;
  /** Extra params when listing open conditional orders. */
  triggerListParams: Record<string, unknown>;
  /** Extra params of `setLeverage`. */
  leverageParams: Record<string, unknown>;
  /** Allowed clientOrderId, and how to say so. */
  clientOrderId: { pattern: RegExp; rule: string };
  /**
   * The venue's own-trades parameter naming one order (`fetchMyTrades(symbol, undefined, undefined, { [it]: id })`),
   * or null to use ccxt's `fetchOrderTrades` where the venue has it (else the latest own trades, filtered).
   */
  orderTradesParam: string | null;
}

const DEFAULT_CLIENT_ID = { pattern: /^[A-Za-z0-9_-]{1,36}$/, rule: 'letters, digits, "_" and "-", at most 36 characters' };

function venueProfile(id: string, marketType: MarketType): VenueProfile {
  const p: VenueProfile = {
    options: { defaultType: marketType },
    has: {},
    separateTriggerBook: false,
    triggerListParams: {},
    leverageParams: {},
    clientOrderId: DEFAULT_CLIENT_ID,
    orderTradesParam: null,
  };
  if (id.startsWith('binance')) {
    Object.assign(p.options, {
      fetchCurrencies: false, // sapi capital/config, a private call we do not need
      fetchMargins: false, // sapi margin pairs
      adjustForTimeDifference: false, // no /time round-trip on loadMarkets
      fetchMarkets: { types: [marketType === 'spot' ? 'spot' : 'linear'] },
      fetchOpenOrders: { warnWithoutSymbol: false },
      disableFuturesSandboxWarning: true,
    });
    // USDⓈ-M conditional orders moved to the algo-order service (POST /fapi/v1/algoOrder, ids `algoId`)
    p.separateTriggerBook = marketType === 'swap';
    // GET /api/v3/myTrades and /fapi/v1/userTrades take `orderId` (ccxt's fetchOrderTrades is spot-only)
    p.orderTradesParam = 'orderId';
  } else if (id === 'okx' || id === 'myokx' || id === 'okxus') {
    Object.assign(p.options, {
      fetchMarkets: { types: [marketType] },
      createOrder: 'privatePostTradeOrder', // ccxt defaults to the batch endpoint
    });
    p.has.fetchCurrencies = false; // /asset/currencies: private and not needed for trading
    p.separateTriggerBook = true; // algo orders: /trade/order-algo, ids `algoId`
    p.orderTradesParam = 'ordId'; // GET /trade/fills-history?ordId=
    p.triggerListParams = { ordType: 'conditional' }; // ccxt would list only `trigger` algo orders
    p.leverageParams = { marginMode: 'cross' };
    p.clientOrderId = { pattern: /^[A-Za-z0-9]{1,32}$/, rule: 'letters and digits only, at most 32 characters (OKX clOrdId)' };
  }
  return p;
}

type ExchangeCtor = new (config: Record<string, unknown>) => Exchange;

const ALGO_PREFIX = 'algo:';
const STATUSES: ReadonlySet<string> = new Set<OrderStatus>(['open', 'closed', 'canceled', 'rejected', 'expired']);

/** ccxt-backed {@link ExchangeAdapter}; see the file header. */
export class CcxtExchange implements ExchangeAdapter {
  /** The underlying ccxt instance (tests inspect its URLs and options). */
  readonly exchange: Exchange;
  readonly id: string;
  readonly marketType: MarketType;
  private readonly profile: VenueProfile;
  private readonly scheduler: RequestScheduler | undefined;
  private readonly clock: Clock;
  private readonly secrets: string[];
  private readonly tickerMaxAgeMs: number;
  private marketsPromise: Promise<void> | null = null;
  private marketsFailed = false;
  private readonly lastPrice = new Map<string, { price: string; at: number }>();
  /** Builds a ccxt.pro instance configured like {@link exchange}; null when the venue has no `watchOrders`. */
  private readonly makePro: (() => Exchange) | null = null;
  /** Stop functions of the running order streams. */
  private readonly watchers = new Set<() => void>();

  /**
   * {@inheritDoc ExchangeAdapter.watchOrders} Present only when the venue's ccxt.pro class has `watchOrders`.
   * Loops `await watchOrders()` on a ccxt.pro instance and calls `onUpdate` after each pushed batch; on an
   * error (connection lost, listenKey refused…) the instance is closed and rebuilt after a backoff of 0.5 s
   * doubling up to 30 s. Errors thrown by `onUpdate` are swallowed.
   */
  readonly watchOrders?: (onUpdate: () => void) => () => void;

  /**
   * @throws Error when `exchangeId` is not a ccxt exchange, `apiBase` is not an http(s) origin, or the
   *   venue has no sandbox (ccxt NotSupported)
   */
  constructor(opts: CcxtExchangeOptions) {
    const Ctor = (ccxt as unknown as Record<string, unknown>)[opts.exchangeId];
    if (!ccxt.exchanges.includes(opts.exchangeId) || typeof Ctor !== 'function') throw new Error(`unknown ccxt exchange id "${opts.exchangeId}"`);
    this.id = opts.exchangeId;
    this.marketType = opts.marketType;
    this.profile = venueProfile(opts.exchangeId, opts.marketType);
    this.scheduler = opts.scheduler;
    this.clock = opts.clock;
    this.tickerMaxAgeMs = opts.tickerMaxAgeMs ?? 5_000;
    const c = opts.credentials;
    this.secrets = [c?.apiKey, c?.secret, c?.password].filter((s): s is string => typeof s === 'string' && s.length > 0);
    const config: Record<string, unknown> = { enableRateLimit: true, timeout: opts.timeoutMs ?? 10_000, options: this.profile.options };
    if (opts.rateLimitMs !== undefined) config.rateLimit = opts.rateLimitMs;
    if (c) Object.assign(config, { apiKey: c.apiKey, secret: c.secret, ...(c.password !== undefined ? { password: c.password } : {}) });
    const ex = new (Ctor as ExchangeCtor)(config);
    Object.assign(ex.has, this.profile.has);
    if (opts.mode === 'sandbox') ex.setSandboxMode(true);
    if (opts.apiBase !== undefined) ex.urls.api = rebaseUrls(ex.urls.api, opts.apiBase) as typeof ex.urls.api;
    this.exchange = ex;
    this.scheduler?.raiseMinSpacing(ex.rateLimit ?? 0);
    const ProCtor = (ccxt.pro as unknown as Record<string, unknown>)[opts.exchangeId];
    if (typeof ProCtor === 'function') {
      const make = (): Exchange => {
        const pro = new (ProCtor as ExchangeCtor)({ ...config, options: { ...this.profile.options } });
        Object.assign(pro.has, this.profile.has);
        if (opts.mode === 'sandbox') pro.setSandboxMode(true);
        if (opts.apiBase !== undefined) pro.urls.api = rebaseWsUrls(rebaseUrls(pro.urls.api, opts.apiBase)) as typeof pro.urls.api;
        return pro;
      };
      if (make().has.watchOrders === true) {
        this.makePro = make;
        this.watchOrders = (onUpdate) => this.streamOrders(onUpdate);
      }
    }
  }

  /** {@inheritDoc ExchangeAdapter.loadMarkets} Only markets of this adapter's type (swap: linear perpetuals). */
  async loadMarkets(): Promise<Record<string, MarketInfo>> {
    await this.ensureMarkets(PRIORITY.query);
    const out: Record<string, MarketInfo> = {};
    for (const m of Object.values(this.exchange.markets ?? {})) {
      if (m && this.ofOurType(m)) out[m.symbol] = this.toMarketInfo(m);
    }
    return out;
  }

  /** {@inheritDoc ExchangeAdapter.fetchTicker} On swaps the mark price comes from `fetchMarkPrice` when the venue has it. */
  async fetchTicker(symbol: string): Promise<Ticker> {
    return this.ticker(symbol, PRIORITY.query);
  }

  /** {@inheritDoc ExchangeAdapter.fetchOHLCV} */
  async fetchOHLCV(symbol: string, timeframe: Timeframe, since?: number, limit?: number): Promise<Candle[]> {
    const market = await this.marketFor(symbol, PRIORITY.query);
    const rows = await this.exec({ priority: PRIORITY.query, label: `fetchOHLCV ${symbol}` }, (ex) => ex.fetchOHLCV(market.symbol, timeframe, since, limit));
    return rows.map((r) => {
      const [ts, open, high, low, close, volume] = r;
      const nums = [ts, open, high, low, close, volume];
      if (!nums.every((n): n is number => typeof n === 'number' && Number.isFinite(n))) {
        throw new TemporaryExchangeError('UNAVAILABLE', `${this.id} sent a malformed OHLCV row ${JSON.stringify(r)}`);
      }
      return { ts: ts as number, open: open as number, high: high as number, low: low as number, close: close as number, volume: volume as number };
    });
  }

  /**
   * {@inheritDoc ExchangeAdapter.fetchBalance} Currencies with a non-zero amount. `used` is derived as
   * `total − free` so that `total = free + used` holds on every venue (on USDⓈ-M, total is the margin
   * balance, unrealized PnL included).
   */
  async fetchBalance(): Promise<Balance[]> {
    await this.ensureMarkets(PRIORITY.query);
    const b = await this.exec({ priority: PRIORITY.query, label: 'fetchBalance' }, (ex) => ex.fetchBalance());
    const totals = (b.total ?? {}) as unknown as Record<string, number | undefined>;
    const frees = (b.free ?? {}) as unknown as Record<string, number | undefined>;
    const useds = (b.used ?? {}) as unknown as Record<string, number | undefined>;
    const out: Balance[] = [];
    for (const currency of Object.keys(totals).sort()) {
      const f = this.dec(frees[currency]);
      const u = this.dec(useds[currency]);
      const t = this.dec(totals[currency]) ?? (f && u ? f.plus(u) : undefined);
      if (!t) continue;
      const free = f ?? (u ? t.minus(u) : t);
      if (t.isZero() && free.isZero()) continue;
      out.push({ currency, free: str(free), used: str(t.minus(free)), total: str(t) });
    }
    return out;
  }

  /** {@inheritDoc ExchangeAdapter.fetchPositions} Spot adapters return `[]` without a request. */
  async fetchPositions(symbols?: string[]): Promise<Position[]> {
    if (this.marketType === 'spot') return [];
    await this.ensureMarkets(PRIORITY.query);
    const ps = await this.exec({ priority: PRIORITY.query, label: 'fetchPositions' }, (ex) => ex.fetchPositions(symbols));
    return ps.filter((p) => (p.contracts ?? 0) !== 0).map((p) => this.toPosition(p));
  }

  /**
   * {@inheritDoc ExchangeAdapter.setLeverage}
   * @throws RejectedOrderError BAD_REQUEST when `leverage` is not an integer ≥ 1, or above the market's maximum
   */
  async setLeverage(symbol: string, leverage: number): Promise<void> {
    if (this.marketType === 'spot') return;
    if (!Number.isInteger(leverage) || leverage < 1) throw new RejectedOrderError('BAD_REQUEST', `leverage must be an integer ≥ 1 (got ${leverage})`);
    const market = await this.marketFor(symbol, PRIORITY.trade);
    const max = market.limits.leverage?.max;
    if (max != null && leverage > max) throw new RejectedOrderError('BAD_REQUEST', `leverage ${leverage} is above the maximum ${max} for ${market.symbol}`);
    await this.exec({ priority: PRIORITY.trade, label: `setLeverage ${symbol}` }, (ex) => ex.setLeverage(leverage, market.symbol, { ...this.profile.leverageParams }));
  }

  /**
   * {@inheritDoc ExchangeAdapter.createOrder}
   * Validates, rounds and checks limits first (no request is made for a rejected order, except a ticker
   * for a plain market order's min-notional check when no fresh price is cached). A duplicate clientOrderId
   * of an order the venue still has open returns that order.
   * @throws RejectedOrderError INVALID_ORDER / MIN_AMOUNT / MIN_NOTIONAL / BAD_SYMBOL before any order request,
   *   with `notSent` true (the venue never saw the order); a venue's refusal of the sent order has `notSent` false
   * @throws AmbiguousOrderError when the create timed out or failed in a way that may have placed the order
   */
  async createOrder(req: OrderRequest): Promise<Order> {
    const kind: OrderKind = req.kind ?? 'regular';
    const priority: RequestPriority = kind === 'stop_loss' ? PRIORITY.stopLoss : PRIORITY.trade;
    const cid = req.clientOrderId;
    let market: MarketInterface;
    let prepared: Awaited<ReturnType<CcxtExchange['prepareOrder']>>;
    try {
      if (typeof cid !== 'string' || !this.profile.clientOrderId.pattern.test(cid)) {
        throw invalid(`clientOrderId "${String(cid)}" is not valid on ${this.id}: ${this.profile.clientOrderId.rule}`);
      }
      market = await this.marketFor(req.symbol, priority);
      prepared = await this.prepareOrder(req, market, kind, priority);
    } catch (e) {
      // Refused by our own checks: no order request was made.
      if (e instanceof RejectedOrderError && !e.notSent) throw new RejectedOrderError(e.code, e.message, { cause: e.cause, notSent: true });
      throw e;
    }
    const { amount, price, trigger, params } = prepared;
    const conditional = kind !== 'regular';
    const label = `createOrder ${market.symbol} ${req.side} ${req.type}${conditional ? ` ${kind}` : ''}`;
    let created: CcxtOrder;
    try {
      created = await this.exec({ priority, label, createClientOrderId: cid }, (ex) =>
        ex.createOrder(market.symbol, req.type, req.side, Number(amount), price === undefined ? undefined : Number(price), params),
      );
    } catch (e) {
      if (e instanceof RejectedOrderError && isDuplicateClientOrderId(e)) {
        const existing = await this.fetchOrderByClientId(cid, market.symbol);
        if (existing) return existing;
      }
      throw e;
    }
    const triggerBook = conditional && this.profile.separateTriggerBook;
    const order = this.toOrder(created, market, triggerBook);
    if (created.status == null || created.amount == null) return this.fetchOrderRaw(String(created.id), market, triggerBook, priority);
    return trigger !== undefined && order.triggerPrice === null ? { ...order, triggerPrice: trigger } : order;
  }

  /** {@inheritDoc ExchangeAdapter.cancelOrder} Returns the order as the venue reports it after the cancel. */
  async cancelOrder(id: string, symbol: string): Promise<Order> {
    const market = await this.marketFor(symbol, PRIORITY.trade);
    const { raw, trigger } = splitId(id);
    const params = trigger ? { trigger: true } : {};
    const o = await this.exec({ priority: PRIORITY.trade, label: `cancelOrder ${symbol} ${id}` }, (ex) => ex.cancelOrder(raw, market.symbol, params));
    if (o.status == null || o.amount == null) return this.fetchOrderRaw(raw, market, trigger, PRIORITY.trade);
    return this.toOrder(o, market, trigger);
  }

  /** {@inheritDoc ExchangeAdapter.fetchOrder} */
  async fetchOrder(id: string, symbol: string): Promise<Order> {
    const market = await this.marketFor(symbol, PRIORITY.query);
    const { raw, trigger } = splitId(id);
    return this.fetchOrderRaw(raw, market, trigger, PRIORITY.query);
  }

  /**
   * {@inheritDoc ExchangeAdapter.fetchOrderByClientId} Binance `origClientOrderId` (`clientAlgoId` on the
   * USDⓈ-M algo book), OKX `clOrdId` (`algoClOrdId`); regular book first, then the conditional book.
   */
  async fetchOrderByClientId(clientOrderId: string, symbol: string): Promise<Order | null> {
    const market = await this.marketFor(symbol, PRIORITY.query);
    const books = this.profile.separateTriggerBook ? [false, true] : [false];
    for (const trigger of books) {
      try {
        const o = await this.exec({ priority: PRIORITY.query, label: `fetchOrderByClientId ${symbol} ${clientOrderId}` }, (ex) =>
          ex.fetchOrder('', market.symbol, { clientOrderId, ...(trigger ? { trigger: true } : {}) }),
        );
        if (o.id != null) return this.toOrder(o, market, trigger);
      } catch (e) {
        if (!(e instanceof RejectedOrderError && e.code === 'ORDER_NOT_FOUND')) throw e;
      }
    }
    return null;
  }

  /** {@inheritDoc ExchangeAdapter.fetchOpenOrders} Regular and conditional (untriggered) orders, oldest first. */
  async fetchOpenOrders(symbol?: string): Promise<Order[]> {
    const market = symbol === undefined ? undefined : await this.marketFor(symbol, PRIORITY.query);
    if (!market) await this.ensureMarkets(PRIORITY.query);
    const sym = market?.symbol;
    const regular = await this.exec({ priority: PRIORITY.query, label: 'fetchOpenOrders' }, (ex) => ex.fetchOpenOrders(sym));
    const out = regular.map((o) => this.toOrder(o, undefined, false));
    if (this.profile.separateTriggerBook) {
      const cond = await this.exec({ priority: PRIORITY.query, label: 'fetchOpenOrders (conditional)' }, (ex) =>
        ex.fetchOpenOrders(sym, undefined, undefined, { trigger: true, ...this.profile.triggerListParams }),
      );
      out.push(...cond.map((o) => this.toOrder(o, undefined, true)));
    }
    return out.filter((o) => o.status === 'open').sort((a, b) => a.createdAt - b.createdAt);
  }

  /** {@inheritDoc ExchangeAdapter.fetchMyTrades} */
  async fetchMyTrades(symbol: string, since?: number): Promise<Fill[]> {
    const market = await this.marketFor(symbol, PRIORITY.query);
    const trades = await this.exec({ priority: PRIORITY.query, label: `fetchMyTrades ${symbol}` }, (ex) => ex.fetchMyTrades(market.symbol, since));
    return trades.map((t) => this.toFill(t, market)).sort((a, b) => a.ts - b.ts || a.id.localeCompare(b.id));
  }

  /**
   * {@inheritDoc ExchangeAdapter.fetchOrderFills} Binance `orderId` / OKX `ordId` filter of the own-trades
   * endpoint; other venues ccxt's `fetchOrderTrades`, or else their latest own trades filtered by the order. An
   * `algo:` order is fetched first for the regular order it spawned (`actualOrderId` / `ordId`): none yet → empty.
   */
  async fetchOrderFills(id: string, symbol: string): Promise<Fill[]> {
    const market = await this.marketFor(symbol, PRIORITY.query);
    const split = splitId(id);
    let raw = split.raw;
    if (split.trigger) {
      const algo = await this.exec({ priority: PRIORITY.query, label: `fetchOrder ${market.symbol} ${raw} (fills)` }, (ex) => ex.fetchOrder(raw, market.symbol, { trigger: true }));
      const spawned = spawnedOrderId(algo);
      if (spawned === undefined) return [];
      raw = spawned;
    }
    const param = this.profile.orderTradesParam;
    const trades = await this.exec({ priority: PRIORITY.query, label: `fetchOrderFills ${market.symbol} ${raw}` }, (ex) =>
      param !== null
        ? ex.fetchMyTrades(market.symbol, undefined, undefined, { [param]: raw })
        : ex.has.fetchOrderTrades === true
          ? ex.fetchOrderTrades(raw, market.symbol)
          : ex.fetchMyTrades(market.symbol),
    );
    return trades
      .map((t) => this.toFill(t, market))
      .filter((f) => f.orderId === raw)
      .sort((a, b) => a.ts - b.ts || a.id.localeCompare(b.id));
  }

  /** {@inheritDoc ExchangeAdapter.close} The scheduler is owned by the account and is not closed here. */
  async close(): Promise<void> {
    for (const stop of [...this.watchers]) stop();
    await this.exchange.close();
  }

  // ---- order preparation -------------------------------------------------------------------------

  private streamOrders(onUpdate: () => void): () => void {
    const make = this.makePro;
    if (!make) return () => undefined;
    const st: { stopped: boolean; pro: Exchange | null; wake: (() => void) | null } = { stopped: false, pro: null, wake: null };
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(resolve, ms);
        t.unref?.();
        st.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    const loop = async (): Promise<void> => {
      let backoff = 500;
      while (!st.stopped) {
        try {
          const pro = (st.pro ??= make());
          if (!pro.markets) {
            await this.ensureMarkets(PRIORITY.query);
            pro.setMarkets(this.exchange.markets);
            // ccxt refuses plain ws:// URLs (a local apiBase) until its node:http agent is loaded
            await pro.loadHttpProxyAgent();
          }
          await pro.watchOrders();
          if (st.stopped) break;
          backoff = 500;
          try {
            onUpdate();
          } catch {
            // the listener's problem, not the stream's
          }
        } catch {
          if (st.stopped) break;
          const old = st.pro;
          st.pro = null;
          await old?.close().catch(() => undefined);
          await sleep(backoff);
          backoff = Math.min(backoff * 2, 30_000);
        }
      }
    };
    const stop = (): void => {
      if (st.stopped) return;
      st.stopped = true;
      this.watchers.delete(stop);
      st.wake?.();
      void st.pro?.close().catch(() => undefined);
    };
    this.watchers.add(stop);
    void loop().catch(() => undefined);
    return stop;
  }

  private async prepareOrder(
    req: OrderRequest,
    market: MarketInterface,
    kind: OrderKind,
    priority: RequestPriority,
  ): Promise<{ amount: string; price: string | undefined; trigger: string | undefined; params: Record<string, unknown> }> {
    const ex = this.exchange;
    const sym = market.symbol;
    if (req.side !== 'buy' && req.side !== 'sell') throw invalid(`side must be "buy" or "sell" (got "${String(req.side)}")`);
    if (req.type !== 'market' && req.type !== 'limit') throw invalid(`type must be "market" or "limit" (got "${String(req.type)}")`);
    if (!['regular', 'stop_loss', 'take_profit'].includes(kind)) throw invalid(`kind must be regular, stop_loss or take_profit (got "${kind}")`);
    const amountIn = positive(req.amount, 'amount');
    const priceIn = req.type === 'limit' ? positive(req.price, 'price', 'a limit order needs a price') : undefined;
    if (kind === 'regular' && req.triggerPrice !== undefined) throw invalid('triggerPrice is only for stop_loss / take_profit orders (set kind)');
    const triggerIn = kind === 'regular' ? undefined : positive(req.triggerPrice, 'triggerPrice', `a ${kind} order needs a triggerPrice`);

    const cs = contractSize(market);
    const step = this.step(market.precision.amount);
    let amount: string;
    try {
      amount = ex.amountToPrecision(sym, amountIn.div(cs).toFixed()) ?? '0';
    } catch {
      amount = '0';
    }
    const base = new Decimal(amount).times(cs);
    if (base.lte(0)) {
      throw new RejectedOrderError('MIN_AMOUNT', `amount ${amountIn.toFixed()} ${market.base} rounds down to 0 at the amount step ${step ? str(step.times(cs)) : '?'} ${market.base} of ${sym}`);
    }
    const minAmount = this.dec(market.limits.amount?.min);
    if (minAmount && new Decimal(amount).lt(minAmount)) {
      throw new RejectedOrderError('MIN_AMOUNT', `amount ${str(base)} ${market.base} is below the minimum amount ${str(minAmount.times(cs))} ${market.base} of ${sym}`);
    }
    const price = priceIn === undefined ? undefined : (ex.priceToPrecision(sym, priceIn.toFixed()) ?? undefined);
    const trigger = triggerIn === undefined ? undefined : (ex.priceToPrecision(sym, triggerIn.toFixed()) ?? undefined);
    if ((price !== undefined && !new Decimal(price).gt(0)) || (trigger !== undefined && !new Decimal(trigger).gt(0))) {
      throw invalid(`${price !== undefined && !new Decimal(price).gt(0) ? 'price' : 'triggerPrice'} rounds to 0 at the price step of ${sym}`);
    }

    const minCost = this.dec(market.limits.cost?.min);
    const exempt = market.contract === true && req.reduceOnly === true; // Binance -4164: "unless you choose reduce only"
    if (minCost && !exempt) {
      const ref = price ?? trigger ?? (await this.referencePrice(sym, priority));
      const notional = base.times(ref);
      if (notional.lt(minCost)) {
        throw new RejectedOrderError(
          'MIN_NOTIONAL',
          `notional ${str(notional)} ${market.quote} (amount ${str(base)} × price ${ref}) is below the minimum notional ${str(minCost)} ${market.quote} of ${sym}`,
        );
      }
    }

    const params: Record<string, unknown> = { clientOrderId: req.clientOrderId };
    if (kind === 'stop_loss') params.stopLossPrice = Number(trigger);
    if (kind === 'take_profit') params.takeProfitPrice = Number(trigger);
    if (req.reduceOnly && market.contract) params.reduceOnly = true;
    return { amount, price, trigger, params };
  }

  private async referencePrice(symbol: string, priority: RequestPriority): Promise<string> {
    const cached = this.lastPrice.get(symbol);
    if (cached && this.clock.now() - cached.at <= this.tickerMaxAgeMs) return cached.price;
    return (await this.ticker(symbol, priority)).last;
  }

  // ---- calls -----------------------------------------------------------------------------------

  /** Runs a ccxt call (through the scheduler when there is one), translating its errors. */
  private exec<T>(opts: { priority: RequestPriority; label: string; createClientOrderId?: string }, fn: (ex: Exchange) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      try {
        return await fn(this.exchange);
      } catch (e) {
        throw translateCcxtError(e, { createClientOrderId: opts.createClientOrderId, secrets: this.secrets, exchangeId: this.id });
      }
    };
    return this.scheduler ? this.scheduler.run(opts, run) : run();
  }

  /** Loads markets once; a failed load is retried (forced reload: ccxt caches a rejected load) on the next call. */
  private ensureMarkets(priority: RequestPriority): Promise<void> {
    if (!this.marketsPromise) {
      const reload = this.marketsFailed;
      this.marketsPromise = this.exec({ priority, label: 'loadMarkets' }, async (ex) => {
        await ex.loadMarkets(reload);
      }).then(
        () => {
          this.marketsFailed = false;
        },
        (e: unknown) => {
          this.marketsFailed = true;
          this.marketsPromise = null;
          throw e;
        },
      );
    }
    return this.marketsPromise;
  }

  private async marketFor(symbol: string, priority: RequestPriority): Promise<MarketInterface> {
    await this.ensureMarkets(priority);
    const m = this.exchange.markets?.[symbol];
    if (!m) throw new RejectedOrderError('BAD_SYMBOL', `symbol ${symbol} is not listed on ${this.id}`);
    if (!this.ofOurType(m)) throw new RejectedOrderError('BAD_SYMBOL', `symbol ${symbol} is a ${m.type} market; this ${this.id} account trades ${this.marketType}`);
    return m;
  }

  private ofOurType(m: MarketInterface): boolean {
    return this.marketType === 'spot' ? m.spot === true : m.swap === true && m.linear === true;
  }

  private async ticker(symbol: string, priority: RequestPriority): Promise<Ticker> {
    const market = await this.marketFor(symbol, priority);
    const t = await this.exec({ priority, label: `fetchTicker ${symbol}` }, (ex) => ex.fetchTicker(market.symbol));
    const last = this.dec(t.last ?? t.close);
    if (!last) throw new TemporaryExchangeError('UNAVAILABLE', `${this.id} sent no last price for ${symbol}`);
    let mark: Decimal | undefined;
    if (market.contract && this.exchange.has.fetchMarkPrice === true) {
      const m = await this.exec({ priority, label: `fetchMarkPrice ${symbol}` }, (ex) => ex.fetchMarkPrice(market.symbol));
      mark = this.dec((m as { markPrice?: number }).markPrice);
    }
    const ts = t.timestamp ?? this.clock.now();
    this.lastPrice.set(market.symbol, { price: str(last), at: this.clock.now() });
    return { symbol: market.symbol, last: str(last), bid: this.decStr(t.bid), ask: this.decStr(t.ask), mark: mark ? str(mark) : null, ts };
  }

  private async fetchOrderRaw(raw: string, market: MarketInterface, trigger: boolean, priority: RequestPriority): Promise<Order> {
    const o = await this.exec({ priority, label: `fetchOrder ${market.symbol} ${raw}` }, (ex) => ex.fetchOrder(raw, market.symbol, trigger ? { trigger: true } : {}));
    return this.withSpawnedFill(o, market, trigger, priority);
  }

  /**
   * A triggered conditional order of a separate book reports no fill of its own (Binance algo `FINISHED`,
   * OKX `effective`; ccxt then assumes filled = amount without an average): the fill belongs to the regular order it spawned (`actualOrderId` / `ordId`), which
   * is fetched to report `filled`, `average` and the fee on the conditional order.
   */
  private async withSpawnedFill(o: CcxtOrder, market: MarketInterface, trigger: boolean, priority: RequestPriority): Promise<Order> {
    const order = this.toOrder(o, market, trigger);
    const spawned = spawnedOrderId(o);
    if (!trigger || order.status !== 'closed' || (order.average !== null && !new Decimal(order.filled).isZero()) || spawned === undefined) return order;
    const child = await this.exec({ priority, label: `fetchOrder ${market.symbol} ${spawned} (triggered)` }, (ex) => ex.fetchOrder(spawned, market.symbol));
    const c = this.toOrder(child, market, false);
    return { ...order, filled: c.filled, average: c.average, fee: c.fee, feeCurrency: c.feeCurrency, updatedAt: Math.max(order.updatedAt, c.updatedAt) };
  }

  // ---- mapping ---------------------------------------------------------------------------------

  private toMarketInfo(m: MarketInterface): MarketInfo {
    const cs = contractSize(m);
    const amountStep = this.step(m.precision.amount);
    const priceStep = this.step(m.precision.price);
    const minAmount = this.dec(m.limits.amount?.min);
    const minCost = this.dec(m.limits.cost?.min);
    return {
      symbol: m.symbol,
      base: m.base,
      quote: m.quote,
      type: this.marketType,
      amountStep: amountStep ? str(amountStep.times(cs)) : '0',
      priceStep: priceStep ? str(priceStep) : '0',
      minAmount: minAmount ? str(minAmount.times(cs)) : null,
      minNotional: minCost ? str(minCost) : null,
      makerFee: str(this.dec(m.maker) ?? new Decimal(0)),
      takerFee: str(this.dec(m.taker) ?? new Decimal(0)),
      // Binance publishes per-symbol leverage only in its private leverage brackets: 20 is a placeholder
      // the venue corrects by rejecting a too-high setLeverage.
      maxLeverage: m.spot ? 1 : (m.limits.leverage?.max ?? 20),
    };
  }

  private toOrder(o: CcxtOrder, marketHint: MarketInterface | undefined, triggerBook: boolean): Order {
    const market = marketHint ?? (o.symbol ? this.exchange.markets?.[o.symbol] : undefined);
    const cs = market ? contractSize(market) : new Decimal(1);
    const info = (o.info ?? {}) as Record<string, unknown>;
    const createdAt = o.timestamp ?? this.clock.now();
    const price = this.dec(o.price);
    const fees = ((o as { fees?: { cost?: number; currency?: string }[] }).fees ?? (o.fee ? [o.fee] : [])) as { cost?: number; currency?: string }[];
    const feeTotal = fees.reduce((s, f) => s.plus(this.dec(f.cost) ?? 0), new Decimal(0));
    const triggerPrice = [o.triggerPrice, o.stopLossPrice, o.takeProfitPrice].map((x) => this.dec(x)).find((d) => d && d.gt(0));
    // Binance's cancel answer carries the cancel request's own id in `clientOrderId`, the order's in `origClientOrderId`;
    // OKX algo orders carry theirs in `algoClOrdId` (`clOrdId` is empty), Binance algo orders in `clientAlgoId`
    const clientOrderId = [info.origClientOrderId, o.clientOrderId, info.algoClOrdId, info.clientAlgoId].find((x): x is string => typeof x === 'string' && x.length > 0) ?? null;
    const type: OrderType = o.type === 'market' || o.type === 'limit' ? o.type : price && price.gt(0) ? 'limit' : 'market';
    return {
      id: triggerBook ? `${ALGO_PREFIX}${String(o.id)}` : String(o.id),
      clientOrderId,
      symbol: o.symbol ?? market?.symbol ?? '',
      side: o.side === 'sell' ? 'sell' : 'buy',
      type,
      kind: orderKind(o, info),
      status: STATUSES.has(o.status ?? '') ? (o.status as OrderStatus) : 'open', // e.g. binance 'canceling'
      amount: str((this.dec(o.amount) ?? new Decimal(0)).times(cs)),
      filled: str((this.dec(o.filled) ?? new Decimal(0)).times(cs)),
      price: type === 'limit' && price && price.gt(0) ? str(price) : null, // ccxt copies the average into a market order's price
      average: this.decStr(o.average),
      triggerPrice: triggerPrice ? str(triggerPrice) : null,
      reduceOnly: o.reduceOnly === true,
      fee: str(feeTotal.abs()),
      feeCurrency: fees.find((f) => f.currency)?.currency ?? null,
      createdAt,
      updatedAt: o.lastUpdateTimestamp ?? o.lastTradeTimestamp ?? createdAt,
    };
  }

  private toFill(t: CcxtTrade, market: MarketInterface): Fill {
    const cs = contractSize(market);
    const info = (t.info ?? {}) as Record<string, unknown>;
    const cid = [info.clOrdId, info.clientOrderId].find((x): x is string => typeof x === 'string' && x.length > 0) ?? null;
    return {
      id: String(t.id),
      orderId: String(t.order),
      clientOrderId: cid,
      symbol: t.symbol ?? market.symbol,
      side: t.side === 'sell' ? 'sell' : 'buy',
      price: str(this.dec(t.price) ?? new Decimal(0)),
      amount: str((this.dec(t.amount) ?? new Decimal(0)).times(cs)),
      fee: str((this.dec(t.fee?.cost) ?? new Decimal(0)).abs()),
      feeCurrency: t.fee?.currency ?? market.quote,
      liquidity: t.takerOrMaker === 'maker' ? 'maker' : 'taker',
      ts: t.timestamp ?? this.clock.now(),
    };
  }

  private toPosition(p: CcxtPosition): Position {
    const market = p.symbol ? this.exchange.markets?.[p.symbol] : undefined;
    const cs = market ? contractSize(market) : new Decimal(1);
    const contracts = new Decimal(this.exchange.numberToString(Math.abs(p.contracts ?? 0)));
    const notional = this.dec(p.notional)?.abs();
    const initialMargin = this.dec(p.initialMargin);
    // Binance v3 positionRisk has no `leverage`: derive it from initial margin = notional / leverage
    const leverage = p.leverage ?? (notional && initialMargin && initialMargin.gt(0) ? notional.div(initialMargin).toDecimalPlaces(0).toNumber() : 1);
    const isolated = p.marginMode === 'isolated';
    return {
      symbol: p.symbol ?? market?.symbol ?? '',
      side: p.side === 'short' ? 'short' : 'long',
      amount: str(contracts.times(cs)),
      entryPrice: str(this.dec(p.entryPrice) ?? new Decimal(0)),
      markPrice: this.decStr(p.markPrice),
      leverage,
      marginMode: isolated ? 'isolated' : 'cross',
      margin: isolated ? this.decStr(p.collateral ?? p.initialMargin) : null,
      liquidationPrice: this.decStr(p.liquidationPrice),
      unrealizedPnl: str(this.dec(p.unrealizedPnl) ?? new Decimal(0)),
      updatedAt: p.timestamp ?? this.clock.now(),
    };
  }

  /** A ccxt precision value as a step: TICK_SIZE → the value; DECIMAL_PLACES → 10^−n; otherwise unknown. */
  private step(p: number | undefined): Decimal | undefined {
    if (p == null || !Number.isFinite(p)) return undefined;
    if (this.exchange.precisionMode === ccxt.DECIMAL_PLACES) return new Decimal(10).pow(-p);
    if (this.exchange.precisionMode === ccxt.TICK_SIZE) return this.dec(p);
    return undefined;
  }

  /** ccxt number → Decimal via ccxt's exact `numberToString`; undefined for null/NaN. */
  private dec(n: number | string | undefined | null): Decimal | undefined {
    if (n == null) return undefined;
    if (typeof n === 'string') return n.trim() === '' ? undefined : new Decimal(n);
    if (!Number.isFinite(n)) return undefined;
    return new Decimal(this.exchange.numberToString(n));
  }

  private decStr(n: number | undefined | null): DecimalString | null {
    const d = this.dec(n);
    return d ? str(d) : null;
  }
}

/** A Decimal as a plain decimal string (no exponent). */
function str(d: Decimal): DecimalString {
  return d.toFixed();
}

function invalid(message: string): RejectedOrderError {
  return new RejectedOrderError('INVALID_ORDER', message);
}

/** Parses a strictly positive decimal string field, naming it in the error. */
function positive(v: unknown, field: string, missing?: string): Decimal {
  if (v === undefined || v === null || v === '') throw invalid(missing ?? `${field} is required`);
  if (typeof v !== 'string' || !/^\d+(\.\d+)?$/.test(v)) throw invalid(`${field} must be a decimal string like "0.01" (got ${JSON.stringify(v)})`);
  const d = new Decimal(v);
  if (!d.gt(0)) throw invalid(`${field} must be greater than 0 (got "${v}")`);
  return d;
}

function contractSize(m: MarketInterface): Decimal {
  return m.contract && m.contractSize != null && m.contractSize > 0 ? new Decimal(String(m.contractSize)) : new Decimal(1);
}

/** The regular order a triggered conditional order spawned (Binance algo `actualOrderId`, OKX algo `ordId`), if any. */
function spawnedOrderId(o: CcxtOrder): string | undefined {
  const info = (o.info ?? {}) as Record<string, unknown>;
  const x = [info.actualOrderId, info.ordId].find((v) => (typeof v === 'string' && v.length > 0 && v !== '0') || (typeof v === 'number' && v > 0));
  return x === undefined ? undefined : String(x);
}

function splitId(id: string): { raw: string; trigger: boolean } {
  return id.startsWith(ALGO_PREFIX) ? { raw: id.slice(ALGO_PREFIX.length), trigger: true } : { raw: id, trigger: false };
}

/** stop_loss / take_profit from ccxt's unified fields, else from the venue's raw order type. */
function orderKind(o: CcxtOrder, info: Record<string, unknown>): OrderKind {
  if (o.stopLossPrice != null && o.stopLossPrice > 0) return 'stop_loss';
  if (o.takeProfitPrice != null && o.takeProfitPrice > 0) return 'take_profit';
  const raw = [info.type, info.orderType, info.origType, info.strategyType].find((x) => typeof x === 'string');
  const t = typeof raw === 'string' ? raw.toUpperCase() : '';
  if (t.includes('TAKE_PROFIT')) return 'take_profit';
  if (t.includes('STOP')) return 'stop_loss';
  return 'regular';
}

/** Turns the `http(s)://` URLs under a ccxt `urls.api.ws` map (after {@link rebaseUrls}) back into `ws(s)://`. */
function rebaseWsUrls(api: unknown): unknown {
  if (!api || typeof api !== 'object' || !('ws' in api)) return api;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(/^http(s?):\/\//i, 'ws$1://');
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return { ...api, ws: walk((api as { ws: unknown }).ws) };
}
