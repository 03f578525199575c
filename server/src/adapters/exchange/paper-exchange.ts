/**
 * `PaperExchange`: the {@link ExchangeAdapter} of paper accounts. A {@link PaperEngine} (pure, in the domain)
 * fed with the live market: every forming-candle update of the price source becomes a price step
 * ({@link stepFromCandleUpdate}); market orders fill at once at the current price (± slippage); resting
 * orders fill by the shared fill rules, so a paper run and a backtest over the same candles agree.
 *
 * This is the boundary where requests are rounded to the market's steps (amounts down, prices to the
 * nearest tick) with ccxt's `decimalToPrecision`; the engine then only validates. Errors are the domain's
 * {@link RejectedOrderError} / {@link TemporaryExchangeError}.
 */
import ccxt from 'ccxt';
import type { Candle, DecimalString, MarketType, Timeframe } from '@osprey/shared';
import { RejectedOrderError, TemporaryExchangeError } from '../../domain/exchange/errors.js';
import type { Balance, ExchangeAdapter, Fill, MarketInfo, Order, OrderRequest, Position, Ticker } from '../../domain/exchange/port.js';
import type { Clock } from '../../domain/ports.js';
import { stepFromCandleUpdate } from '../../domain/trading/fill-rules.js';
import { settleFundingDue } from '../../domain/trading/funding-settle.js';
import { PaperEngine, type FundingPayment, type Holding, type PaperEngineSnapshot, type PaperEvent, type PaperFill, type PaperTotals } from '../../domain/trading/paper-engine.js';
import { isDecimalString, roundToStep, str } from '../../domain/trading/precision.js';
import { paperMarkets, type PaperFees } from './paper-markets.js';

// ccxt 4.5 exposes its precision helpers on the default export (`ccxt.decimalToPrecision`, also under
// `ccxt.functions`), not as named ESM exports.
const { decimalToPrecision, TRUNCATE, ROUND, TICK_SIZE, NO_PADDING } = ccxt;

/**
 * Where the paper exchange gets prices. Symbols are the feed's spot symbols (`BTC/USDT`); a perpetual
 * `BTC/USDT:USDT` is priced from `BTC/USDT` (the feed carries spot candles).
 */
export interface PriceSource {
  /** The latest candle of the finest timeframe (15m; forming or closed), or null when none yet. */
  last(symbol: string): Candle | null;
  /**
   * Calls `listener` on every update of the finest timeframe only (one candle series per symbol): each
   * forming-candle update with `closed` false, and the final candle with `closed` true. Returns an
   * unsubscribe function.
   */
  subscribe(listener: (symbol: string, candle: Candle, closed: boolean) => void): () => void;
  /** Closed candles for `fetchOHLCV`. */
  history(symbol: string, timeframe: Timeframe, since?: number, limit?: number): Promise<Candle[]>;
}

/** Funding rates of perpetuals, keyed by market symbol (`BTC/USDT:USDT`). */
export interface FundingSource {
  /** Funding events with `from < ts ≤ to` (Unix ms), oldest first; rate as a fraction (positive: longs pay). */
  between(symbol: string, from: number, to: number): Array<{ ts: number; rate: DecimalString }>;
}

/** Options of {@link PaperExchange}. */
export interface PaperExchangeOptions {
  /** The venue simulated, e.g. `binance` (reported as the adapter id). */
  id: string;
  marketType: MarketType;
  /** Starting balances, e.g. `{ USDT: "10000" }`; ignored when `snapshot` is given. */
  balances: Record<string, DecimalString>;
  /** Fee rates replacing the defaults (spot 0.1 %/0.1 %, perpetual 0.02 %/0.05 %). */
  fees?: PaperFees;
  /** Slippage of market and stop-loss fills, basis points (default 5). */
  slippageBps?: number;
  /** Maintenance-margin rate for liquidation prices (default 0.004). */
  maintenanceMarginRate?: DecimalString;
  /** Leverage before `setLeverage` (default 1). */
  defaultLeverage?: number;
  /** Markets replacing the static table of `paper-markets.ts` (tests, other venues). */
  markets?: Record<string, MarketInfo>;
  clock: Clock;
  prices: PriceSource;
  funding?: FundingSource;
  /** State to continue from ({@link PaperExchange.snapshot}). */
  snapshot?: PaperExchangeSnapshot;
}

/** Persistable state of a paper exchange: the engine plus the funding checkpoints. */
export interface PaperExchangeSnapshot {
  version: 1;
  engine: PaperEngineSnapshot;
  /** Per market symbol, the time up to which funding has been settled (Unix ms). */
  fundingCheckedAt: Record<string, number>;
}

/** A simulated venue over the market feed (see the module doc). One instance per paper account. */
export class PaperExchange implements ExchangeAdapter {
  readonly id: string;
  readonly marketType: MarketType;
  private engineRef: PaperEngine;
  private markets: Record<string, MarketInfo>;
  private readonly clock: Clock;
  private readonly prices: PriceSource;
  private readonly funding: FundingSource | undefined;
  /** Previous update per feed symbol: the start of the next step. */
  private readonly prev = new Map<string, Candle>();
  private fundingCheckedAt: Record<string, number> = {};
  private readonly listeners = new Set<(e: PaperEvent) => void>();
  private unsubscribe: (() => void) | null;
  private rev = 0;

  /** @throws Error on a bad option (names it) */
  constructor(opts: PaperExchangeOptions) {
    this.id = opts.id;
    this.marketType = opts.marketType;
    this.clock = opts.clock;
    this.prices = opts.prices;
    this.funding = opts.funding;
    if (opts.snapshot) {
      if (opts.snapshot.version !== 1) throw new Error('snapshot: unsupported version');
      this.engineRef = PaperEngine.fromJSON(opts.snapshot.engine);
      if (this.engineRef.config.marketType !== opts.marketType) throw new Error(`snapshot: market type ${this.engineRef.config.marketType} does not match marketType ${opts.marketType}`);
      this.markets = this.engineRef.config.markets;
      this.fundingCheckedAt = { ...opts.snapshot.fundingCheckedAt };
    } else {
      this.markets = opts.markets ?? paperMarkets(opts.marketType, opts.fees);
      this.engineRef = new PaperEngine(
        {
          marketType: opts.marketType,
          markets: this.markets,
          ...(opts.slippageBps !== undefined && { slippageBps: opts.slippageBps }),
          ...(opts.maintenanceMarginRate !== undefined && { maintenanceMarginRate: opts.maintenanceMarginRate }),
          ...(opts.defaultLeverage !== undefined && { defaultLeverage: opts.defaultLeverage }),
        },
        opts.balances,
      );
    }
    this.seedBaselines();
    this.unsubscribe = this.prices.subscribe((symbol, candle) => this.onUpdate(symbol, candle));
  }

  /** The engine (read its totals, holdings, funding, position states). Replaced by {@link restore}. */
  get engine(): PaperEngine {
    return this.engineRef;
  }

  /**
   * Listens to order, fill, position and funding changes (after each create/cancel and each price update).
   * @returns unsubscribe
   */
  onEvent(listener: (e: PaperEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * A counter that grows with every change worth persisting: each batch of events (orders, fills, positions,
   * funding), a leverage change, a restore. Price steps that change nothing else do not count (the feed
   * replays them after a restart). Lets a saver skip writing a snapshot identical in substance to the last one.
   */
  get revision(): number {
    return this.rev;
  }

  /** The whole state as plain JSON (decimal strings), for persistence. */
  snapshot(): PaperExchangeSnapshot {
    return { version: 1, engine: this.engineRef.toJSON(), fundingCheckedAt: { ...this.fundingCheckedAt } };
  }

  /**
   * Replaces the state with a snapshot (config included) and restarts stepping from the current price.
   * @throws Error on an unsupported snapshot
   */
  restore(snapshot: PaperExchangeSnapshot): void {
    if (snapshot?.version !== 1) throw new Error('snapshot: unsupported version');
    const engine = PaperEngine.fromJSON(snapshot.engine);
    if (engine.config.marketType !== this.marketType) throw new Error(`snapshot: market type ${engine.config.marketType} does not match ${this.marketType}`);
    this.engineRef = engine;
    this.markets = engine.config.markets;
    this.fundingCheckedAt = { ...snapshot.fundingCheckedAt };
    this.prev.clear();
    this.seedBaselines();
    this.rev++;
  }

  /** Gross realized PnL, fees and net funding so far (quote). */
  totals(): PaperTotals {
    return this.engineRef.totals();
  }

  /** Spot holdings with average cost. */
  holdings(): Holding[] {
    return this.engineRef.holdings();
  }

  /** Funding settlements so far, oldest first. */
  fundingPayments(symbol?: string): FundingPayment[] {
    return this.engineRef.fundingPayments(symbol);
  }

  // ─── ExchangeAdapter ─────────────────────────────────────────────────────────────────────────────────

  /** The static paper markets of this account's type (or the `markets` option). */
  async loadMarkets(): Promise<Record<string, MarketInfo>> {
    return structuredClone(this.markets);
  }

  /**
   * Last price = the feed's latest close; bid/ask null; mark = last on perpetuals.
   * @throws RejectedOrderError `BAD_SYMBOL`; TemporaryExchangeError `UNAVAILABLE` before the first price
   */
  async fetchTicker(symbol: string): Promise<Ticker> {
    const m = this.market(symbol);
    const c = this.prices.last(feedSymbol(m));
    if (!c) throw new TemporaryExchangeError('UNAVAILABLE', `symbol: no price yet for ${symbol}`);
    // The replay's forming price is a float on the candle's path: the last trade is quoted on the market's price
    // step, as a venue quotes it; the mark keeps the feed's precision (venues publish marks finer than the tick).
    const last = str(roundToStep(c.close, m.priceStep, 'nearest'));
    return { symbol, last, bid: null, ask: null, mark: m.type === 'swap' ? str(c.close) : null, ts: this.clock.now() };
  }

  /** Candles of the market's feed symbol from the price source. */
  async fetchOHLCV(symbol: string, timeframe: Timeframe, since?: number, limit?: number): Promise<Candle[]> {
    return this.prices.history(feedSymbol(this.market(symbol)), timeframe, since, limit);
  }

  /** Balances (perpetual margins and open-order locks are in `used`). */
  async fetchBalance(): Promise<Balance[]> {
    return this.engineRef.balances();
  }

  /** Open perpetual positions marked at the feed's latest close (empty on spot). */
  async fetchPositions(symbols?: string[]): Promise<Position[]> {
    if (this.marketType === 'spot') return [];
    const marks: Record<string, string> = {};
    for (const m of Object.values(this.markets)) {
      const c = this.prices.last(feedSymbol(m));
      if (c) marks[m.symbol] = str(c.close);
    }
    return this.engineRef.positions(marks).filter((p) => !symbols || symbols.includes(p.symbol));
  }

  /**
   * Sets a perpetual symbol's leverage (no-op on spot).
   * @throws RejectedOrderError `INVALID_ORDER` out of 1..maxLeverage or with a position/open orders on the symbol
   */
  async setLeverage(symbol: string, leverage: number): Promise<void> {
    this.engineRef.setLeverage(symbol, leverage);
    this.rev++;
  }

  /**
   * Rounds the request to the market's steps (amount down, prices to the nearest tick), then places it.
   * A known clientOrderId returns the existing order. Market orders fill at once at the last price.
   * @throws RejectedOrderError (see {@link PaperEngine.placeOrder}; `MIN_AMOUNT` when the amount rounds to 0);
   *   TemporaryExchangeError `UNAVAILABLE` for a market order before the first price
   */
  async createOrder(req: OrderRequest): Promise<Order> {
    const existing = typeof req.clientOrderId === 'string' ? this.engineRef.getOrderByClientId(req.clientOrderId) : null;
    if (existing) return existing;
    const m = this.market(req.symbol);
    const rounded: OrderRequest = { ...req, amount: roundAmount(req.amount, m) };
    if (req.price !== undefined) rounded.price = roundPrice(req.price, 'price', m);
    if (req.triggerPrice !== undefined) rounded.triggerPrice = roundPrice(req.triggerPrice, 'triggerPrice', m);
    const fs = feedSymbol(m);
    const last = this.prices.last(fs);
    if (!last && req.type === 'market') throw new TemporaryExchangeError('UNAVAILABLE', `symbol: no price yet for ${req.symbol}; try again when the feed has started`);
    if (last && !this.prev.has(fs)) this.prev.set(fs, last);
    try {
      return this.engineRef.placeOrder(rounded, { now: this.clock.now(), price: last ? last.close : null });
    } finally {
      this.dispatch();
    }
  }

  /** Cancels an open order. @throws RejectedOrderError `ORDER_NOT_FOUND`, `INVALID_ORDER` (already filled) */
  async cancelOrder(id: string, symbol: string): Promise<Order> {
    this.ownOrder(id, symbol);
    try {
      return this.engineRef.cancelOrder(id, this.clock.now());
    } finally {
      this.dispatch();
    }
  }

  /** An order by id. @throws RejectedOrderError `ORDER_NOT_FOUND` */
  async fetchOrder(id: string, symbol: string): Promise<Order> {
    return this.ownOrder(id, symbol);
  }

  /** An order by clientOrderId on `symbol`, or null. */
  async fetchOrderByClientId(clientOrderId: string, symbol: string): Promise<Order | null> {
    const o = this.engineRef.getOrderByClientId(clientOrderId);
    return o && o.symbol === symbol ? o : null;
  }

  /** Open orders (untriggered conditionals included), oldest first. */
  async fetchOpenOrders(symbol?: string): Promise<Order[]> {
    return this.engineRef.openOrders(symbol);
  }

  /** Own fills, oldest first (each a {@link PaperFill}: with `realizedPnl` and `liquidation`). */
  async fetchMyTrades(symbol: string, since?: number): Promise<Fill[]> {
    return this.engineRef.fills(symbol, since) satisfies PaperFill[];
  }

  /** {@inheritDoc ExchangeAdapter.fetchOrderFills} Empty for an order unknown on `symbol`. */
  async fetchOrderFills(id: string, symbol: string): Promise<Fill[]> {
    const o = this.engineRef.getOrder(id);
    if (!o || o.symbol !== symbol) return [];
    return this.engineRef.orderFills(id) satisfies PaperFill[];
  }

  /** Stops listening to the price source. */
  async close(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  // ─── internals ───────────────────────────────────────────────────────────────────────────────────────

  /** One price update: settle funding due, then apply the step since the previous update. */
  private onUpdate(symbol: string, candle: Candle): void {
    const targets = Object.values(this.markets).filter((m) => m.symbol === symbol || feedSymbol(m) === symbol);
    if (targets.length === 0) return;
    const fs = feedSymbol(targets[0]!);
    const prev = this.prev.get(fs) ?? null;
    if (prev && candle.ts < prev.ts) return; // stale
    const now = this.clock.now();
    for (const m of targets) {
      this.settleFunding(m, now);
      this.engineRef.applyStep(stepFromCandleUpdate(prev, candle, m.symbol, now));
    }
    this.prev.set(fs, candle);
    this.dispatch();
  }

  private settleFunding(m: MarketInfo, now: number): void {
    const funding = this.funding;
    if (!funding || m.type !== 'swap') return;
    const r = settleFundingDue(this.engineRef, m.symbol, this.fundingCheckedAt[m.symbol], now, (from, to) => funding.between(m.symbol, from, to));
    this.fundingCheckedAt[m.symbol] = r.checkedAt;
  }

  private seedBaselines(): void {
    const now = this.clock.now();
    for (const m of Object.values(this.markets)) {
      const fs = feedSymbol(m);
      const c = this.prices.last(fs);
      if (c && !this.prev.has(fs)) this.prev.set(fs, c);
      if (this.fundingCheckedAt[m.symbol] === undefined) this.fundingCheckedAt[m.symbol] = now;
    }
  }

  private dispatch(): void {
    const events = this.engineRef.takeEvents();
    if (events.length === 0) return;
    this.rev++;
    for (const l of [...this.listeners]) for (const e of events) l(e);
  }

  private market(symbol: string): MarketInfo {
    const m = this.markets[symbol];
    if (!m) throw new RejectedOrderError('BAD_SYMBOL', `symbol: ${String(symbol)} is not a ${this.marketType} market of this paper account (${Object.keys(this.markets).join(', ')})`);
    return m;
  }

  private ownOrder(id: string, symbol: string): Order {
    const o = this.engineRef.getOrder(id);
    if (!o || o.symbol !== symbol) throw new RejectedOrderError('ORDER_NOT_FOUND', `id: no order ${id} on ${symbol}`);
    return o;
  }
}

/** The feed symbol pricing a market: `BTC/USDT:USDT` → `BTC/USDT`. */
export function feedSymbol(m: Pick<MarketInfo, 'base' | 'quote'>): string {
  return `${m.base}/${m.quote}`;
}

/**
 * Rounds an amount DOWN to the market's amount step (ccxt `decimalToPrecision`, TRUNCATE, TICK_SIZE).
 * @throws RejectedOrderError `INVALID_ORDER` when not a positive decimal string; `MIN_AMOUNT` when it rounds to 0
 */
export function roundAmount(amount: unknown, m: MarketInfo): DecimalString {
  if (!isDecimalString(amount) || amount.startsWith('-')) throw new RejectedOrderError('INVALID_ORDER', `amount: must be a positive decimal string like "0.01", got ${JSON.stringify(amount)}`);
  const r = decimalToPrecision(amount, TRUNCATE, m.amountStep, TICK_SIZE, NO_PADDING);
  if (!/[1-9]/.test(r)) throw new RejectedOrderError('MIN_AMOUNT', `amount: ${amount} ${m.base} rounds down to 0 at the amount step ${m.amountStep}`);
  return r;
}

/**
 * Rounds a price to the NEAREST tick (ccxt `decimalToPrecision`, ROUND, TICK_SIZE).
 * @throws RejectedOrderError `INVALID_ORDER` when not a positive decimal string or it rounds to 0
 */
export function roundPrice(price: unknown, field: 'price' | 'triggerPrice', m: MarketInfo): DecimalString {
  if (!isDecimalString(price) || price.startsWith('-')) throw new RejectedOrderError('INVALID_ORDER', `${field}: must be a positive decimal string like "65000.5", got ${JSON.stringify(price)}`);
  const r = decimalToPrecision(price, ROUND, m.priceStep, TICK_SIZE, NO_PADDING);
  if (!/[1-9]/.test(r)) throw new RejectedOrderError('INVALID_ORDER', `${field}: ${price} rounds to 0 at the price step ${m.priceStep}`);
  return r;
}
