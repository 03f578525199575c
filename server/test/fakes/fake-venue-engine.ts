/**
 * The venue-neutral core of the local exchange fakes (fake-binance.ts, fake-okx.ts): accounts, orders,
 * conditional orders, fills and positions, matched against the real 15m candles of
 * `server/assets/market/BINANCE_<BASE>-USDT_15m.csv` on an injected clock. The protocol skins translate
 * HTTP requests into calls here and results into each venue's JSON.
 *
 * Matching rules (simple, deterministic):
 * - the current price of a symbol is the close of the 15m candle containing the clock (the forming candle,
 *   served with its final values, as the kline endpoints do);
 * - market orders fill at once at the current price (taker);
 * - a limit order that is marketable when placed fills at once at the current price (taker); otherwise it
 *   rests and is checked against every candle that opens after it was placed, up to the clock: a buy fills
 *   when the candle's low ≤ its price (at min(price, open)), a sell when the high ≥ its price (maker);
 * - a conditional order triggers on the first later candle that touches its trigger: stop-loss sell /
 *   take-profit buy when low ≤ trigger, stop-loss buy / take-profit sell when high ≥ trigger; it then fills
 *   at the trigger (or the candle's open when the candle gapped through it) as a taker (market), or becomes a
 *   limit order at its price. One placed on the wrong side of the current price is rejected ("would trigger
 *   immediately"). Conditional orders in a separate ("algo") book spawn a regular order when they trigger.
 * - spot: balances with free/locked per asset; limit and stop orders lock what they may spend; fees are
 *   charged in the asset received. Linear (USDT-margined) futures: one-way positions, cross margin, a
 *   wallet in the settle asset, fees on notional, realized PnL on reduce, initial margin = notional /
 *   leverage checked against the available balance, reduce-only enforced.
 * Matching runs lazily: every call first settles the candles that opened since the last call.
 */
import { readFileSync } from 'node:fs';
import Decimal from 'decimal.js';
import type { Clock } from '../../src/domain/ports.js';

const M15 = 15 * 60_000;

/** One 15m candle with exact decimal prices. */
export interface PriceCandle {
  ts: number;
  open: Decimal;
  high: Decimal;
  low: Decimal;
  close: Decimal;
}

/** Reads the 15m CSVs lazily; the price source of every fake. */
export class CandlePrices {
  private readonly cache = new Map<string, PriceCandle[]>();

  /** @param dataDir directory of `BINANCE_<BASE>-USDT_15m.csv` */
  constructor(private readonly dataDir: string) {}

  /** All 15m candles of `base`/USDT, ascending. */
  candles(base: string): PriceCandle[] {
    let rows = this.cache.get(base);
    if (!rows) {
      const lines = readFileSync(`${this.dataDir}/BINANCE_${base}-USDT_15m.csv`, 'utf8').trim().split('\n').slice(1);
      rows = lines.map((l) => {
        const [ts, o, h, lo, c] = l.split(',');
        return { ts: Number(ts), open: new Decimal(o!), high: new Decimal(h!), low: new Decimal(lo!), close: new Decimal(c!) };
      });
      this.cache.set(base, rows);
    }
    return rows;
  }

  /** The candle containing `t` (open ≤ t < open + 15m), or the nearest one at the ends of the data. */
  at(base: string, t: number): PriceCandle {
    const rows = this.candles(base);
    const i = this.indexAtOrBefore(rows, t);
    return rows[Math.max(0, i)]!;
  }

  /** Candles with open time in `(after, upTo]`, ascending. */
  between(base: string, after: number, upTo: number): PriceCandle[] {
    const rows = this.candles(base);
    const out: PriceCandle[] = [];
    for (let i = Math.max(0, this.indexAtOrBefore(rows, after)); i < rows.length; i++) {
      const r = rows[i]!;
      if (r.ts > upTo) break;
      if (r.ts > after) out.push(r);
    }
    return out;
  }

  private indexAtOrBefore(rows: PriceCandle[], t: number): number {
    const first = rows[0]?.ts ?? 0;
    const guess = Math.floor((t - first) / M15);
    let i = Math.min(Math.max(guess, 0), rows.length - 1);
    while (i > 0 && rows[i]!.ts > t) i--;
    while (i + 1 < rows.length && rows[i + 1]!.ts <= t) i++;
    return rows[i]!.ts <= t ? i : -1;
  }
}

/** A tradable symbol of a fake venue. */
export interface EngineSymbol {
  /** Venue id, e.g. `BTCUSDT` or `BTC-USDT`. */
  id: string;
  base: string;
  quote: string;
}

/** Why the engine refused an order or a change. */
export type EngineError =
  | 'INSUFFICIENT_BALANCE'
  | 'DUPLICATE_CLIENT_ID'
  | 'WOULD_TRIGGER_IMMEDIATELY'
  | 'REDUCE_ONLY_REJECTED'
  | 'UNKNOWN_SYMBOL';

/** Plain order, or a conditional stop-loss / take-profit. */
export type EngineKind = 'regular' | 'stop_loss' | 'take_profit';
/** Order state (Binance's names; TRIGGERED = a separate-book conditional order that spawned its order). */
export type EngineStatus = 'NEW' | 'FILLED' | 'CANCELED' | 'EXPIRED' | 'TRIGGERED' | 'REJECTED';

/** An order as the engine keeps it (venue skins format it). */
export interface EngineOrder {
  orderId: number;
  clientOrderId: string;
  symbol: string;
  base: string;
  quote: string;
  side: 'buy' | 'sell';
  /** Execution type once triggered (or at once for regular orders). */
  type: 'market' | 'limit';
  kind: EngineKind;
  /** Lives in the separate conditional ("algo") book. */
  algo: boolean;
  /** The venue's own type string, echoed back (e.g. `STOP_LOSS`, `TAKE_PROFIT_MARKET`, `conditional`). */
  venueType: string;
  price: Decimal | null;
  stopPrice: Decimal | null;
  qty: Decimal;
  executedQty: Decimal;
  cumQuote: Decimal;
  commission: Decimal;
  commissionAsset: string;
  status: EngineStatus;
  reduceOnly: boolean;
  time: number;
  updateTime: number;
  /** Set when a conditional order has triggered. */
  triggerTime: number | null;
  /** For an algo order that triggered: the regular order it spawned. */
  spawnedOrderId: number | null;
  /** Price of the spawned order's fill (algo) / of this order's fill. */
  avgPrice: Decimal | null;
  /** Candles with open time > this are still to be checked. */
  checkedUpTo: number;
  /** Spot: what this order has locked. */
  locked: { asset: string; amount: Decimal } | null;
  /** Venue-specific request fields echoed back (e.g. OKX tdMode). */
  extra: Record<string, string>;
}

/** One own fill. */
export interface EngineTrade {
  id: number;
  orderId: number;
  clientOrderId: string;
  symbol: string;
  side: 'buy' | 'sell';
  price: Decimal;
  qty: Decimal;
  quoteQty: Decimal;
  commission: Decimal;
  commissionAsset: string;
  maker: boolean;
  time: number;
  realizedPnl: Decimal;
}

/** A linear futures position (one-way mode). */
export interface EnginePosition {
  symbol: string;
  /** Signed size in base units: > 0 long, < 0 short. */
  amt: Decimal;
  entry: Decimal;
  leverage: number;
  updateTime: number;
}

/** Input of {@link FakeVenueEngine.place}. */
export interface PlaceInput {
  symbol: string;
  side: 'buy' | 'sell';
  type: 'market' | 'limit';
  kind: EngineKind;
  qty: Decimal;
  price?: Decimal | null;
  stopPrice?: Decimal | null;
  clientOrderId: string;
  reduceOnly?: boolean;
  algo?: boolean;
  venueType: string;
  extra?: Record<string, string>;
}

/** Options of {@link FakeVenueEngine}. */
export interface EngineOptions {
  /** `spot` balances, or `linear` USDT-margined futures. */
  market: 'spot' | 'linear';
  clock: Clock;
  prices: CandlePrices;
  symbols: EngineSymbol[];
  /** Starting balances, e.g. `{ USDT: "10000" }` (linear: the settle asset's wallet). */
  balances: Record<string, string>;
  /** Fee rates as fractions. */
  fees: { maker: string; taker: string };
  /** First ids (venues differ; also keeps the regular and algo books apart). */
  firstOrderId?: number;
  firstAlgoId?: number;
  firstTradeId?: number;
  /** Maintenance margin ratio of the simple liquidation estimate (linear), default 0.004. */
  maintMarginRatio?: string;
  /** Default leverage of a symbol (linear), default 20. */
  defaultLeverage?: number;
}

/** See the file header. */
export class FakeVenueEngine {
  readonly orders: EngineOrder[] = [];
  readonly trades: EngineTrade[] = [];
  /** Spot balances: free and locked per asset. */
  readonly balances = new Map<string, { free: Decimal; locked: Decimal }>();
  /** Linear: wallet balance of the settle asset. */
  wallet = new Decimal(0);
  readonly settleAsset: string;
  readonly positions = new Map<string, EnginePosition>();
  private readonly leverage = new Map<string, number>();
  private nextOrderId: number;
  private nextAlgoId: number;
  private nextTradeId: number;
  private readonly maker: Decimal;
  private readonly taker: Decimal;
  private readonly mmr: Decimal;
  private lastUpdate: number;

  constructor(private readonly opts: EngineOptions) {
    this.nextOrderId = opts.firstOrderId ?? 1_000_001;
    this.nextAlgoId = opts.firstAlgoId ?? 5_001;
    this.nextTradeId = opts.firstTradeId ?? 300_001;
    this.maker = new Decimal(opts.fees.maker);
    this.taker = new Decimal(opts.fees.taker);
    this.mmr = new Decimal(opts.maintMarginRatio ?? '0.004');
    this.settleAsset = opts.symbols[0]?.quote ?? 'USDT';
    this.lastUpdate = opts.clock.now();
    if (opts.market === 'spot') {
      for (const [asset, v] of Object.entries(opts.balances)) this.balances.set(asset, { free: new Decimal(v), locked: new Decimal(0) });
    } else {
      this.wallet = new Decimal(opts.balances[this.settleAsset] ?? '0');
    }
  }

  /** Symbol metadata by venue id. */
  symbol(id: string): EngineSymbol | undefined {
    return this.opts.symbols.find((s) => s.id === id);
  }

  /** Current price of a symbol (see the file header). */
  price(symbolId: string): Decimal {
    const s = this.mustSymbol(symbolId);
    return this.opts.prices.at(s.base, this.opts.clock.now()).close;
  }

  /** The candle containing the clock. */
  candle(symbolId: string): PriceCandle {
    const s = this.mustSymbol(symbolId);
    return this.opts.prices.at(s.base, this.opts.clock.now());
  }

  /** Time of the last balance/position change, Unix ms. */
  get updateTime(): number {
    return this.lastUpdate;
  }

  /** Matches resting and conditional orders against the candles that opened since the last call. */
  settle(): void {
    const now = this.opts.clock.now();
    for (const o of [...this.orders]) {
      if (o.status !== 'NEW') continue;
      const s = this.mustSymbol(o.symbol);
      for (const c of this.opts.prices.between(s.base, o.checkedUpTo, now)) {
        o.checkedUpTo = c.ts;
        if (o.status !== 'NEW') break;
        if (o.kind !== 'regular' && o.triggerTime === null) {
          const down = (o.kind === 'stop_loss') === (o.side === 'sell');
          const stop = o.stopPrice!;
          const touched = down ? c.low.lte(stop) : c.high.gte(stop);
          if (!touched) continue;
          const at = down ? Decimal.min(stop, c.open) : Decimal.max(stop, c.open);
          this.trigger(o, at, c);
          continue;
        }
        if (o.type === 'limit') this.tryFillResting(o, c);
      }
    }
  }

  /**
   * Places an order (see the file header for matching). `ok: false` carries the reason; nothing changes.
   */
  place(input: PlaceInput): { ok: true; order: EngineOrder } | { ok: false; error: EngineError } {
    this.settle();
    const s = this.symbol(input.symbol);
    if (!s) return { ok: false, error: 'UNKNOWN_SYMBOL' };
    const algo = input.algo === true;
    if (this.orders.some((o) => o.algo === algo && o.status === 'NEW' && o.clientOrderId === input.clientOrderId)) return { ok: false, error: 'DUPLICATE_CLIENT_ID' };
    const now = this.opts.clock.now();
    const cur = this.price(s.id);
    if (input.kind !== 'regular') {
      const down = (input.kind === 'stop_loss') === (input.side === 'sell');
      const stop = input.stopPrice!;
      if (down ? cur.lte(stop) : cur.gte(stop)) return { ok: false, error: 'WOULD_TRIGGER_IMMEDIATELY' };
    }
    const o: EngineOrder = {
      orderId: algo ? this.nextAlgoId++ : this.nextOrderId++,
      clientOrderId: input.clientOrderId,
      symbol: s.id,
      base: s.base,
      quote: s.quote,
      side: input.side,
      type: input.type,
      kind: input.kind,
      algo,
      venueType: input.venueType,
      price: input.price ?? null,
      stopPrice: input.stopPrice ?? null,
      qty: input.qty,
      executedQty: new Decimal(0),
      cumQuote: new Decimal(0),
      commission: new Decimal(0),
      commissionAsset: this.opts.market === 'spot' ? (input.side === 'buy' ? s.base : s.quote) : this.settleAsset,
      status: 'NEW',
      reduceOnly: input.reduceOnly === true,
      time: now,
      updateTime: now,
      triggerTime: null,
      spawnedOrderId: null,
      avgPrice: null,
      checkedUpTo: now,
      locked: null,
      extra: input.extra ?? {},
    };
    const immediate = input.kind === 'regular' && (input.type === 'market' || this.marketable(o, cur));
    const refPrice = input.type === 'limit' && !immediate ? o.price! : o.kind !== 'regular' && o.type === 'market' ? o.stopPrice! : (o.price ?? cur);
    const execPrice = immediate ? cur : refPrice;
    // algo (separate-book) conditional orders reserve nothing; their child order is checked when it triggers
    const check = o.algo ? undefined : this.opts.market === 'spot' ? this.spotReserve(o, execPrice, immediate) : this.linearCheck(o, execPrice, input.kind === 'regular');
    if (check) return { ok: false, error: check };
    this.orders.push(o);
    if (immediate) this.fill(o, cur, false);
    return { ok: true, order: o };
  }

  /** Cancels an open order by id or clientOrderId in the given book; undefined when there is none open. */
  cancel(symbolId: string | undefined, by: { orderId?: number; clientOrderId?: string }, algo = false): EngineOrder | undefined {
    this.settle();
    const o = this.find(symbolId, by, algo);
    if (!o || o.status !== 'NEW') return undefined;
    this.release(o);
    o.status = 'CANCELED';
    o.updateTime = this.opts.clock.now();
    return o;
  }

  /** The order with this id, or the latest with this clientOrderId, in the given book. */
  find(symbolId: string | undefined, by: { orderId?: number; clientOrderId?: string }, algo = false): EngineOrder | undefined {
    this.settle();
    const match = this.orders.filter(
      (o) =>
        o.algo === algo &&
        (symbolId === undefined || o.symbol === symbolId) &&
        (by.orderId !== undefined ? o.orderId === by.orderId : o.clientOrderId === by.clientOrderId),
    );
    return match.at(-1);
  }

  /** Open orders (optionally of one symbol) of one book, oldest first. */
  openOrders(symbolId: string | undefined, algo = false): EngineOrder[] {
    this.settle();
    return this.orders.filter((o) => o.algo === algo && o.status === 'NEW' && (symbolId === undefined || o.symbol === symbolId));
  }

  /** Own fills of a symbol with `from ≤ time ≤ to`, oldest first. */
  tradesOf(symbolId: string | undefined, from = -Infinity, to = Infinity): EngineTrade[] {
    this.settle();
    return this.trades.filter((t) => (symbolId === undefined || t.symbol === symbolId) && t.time >= from && t.time <= to);
  }

  /** Spot balance of an asset (zeros when unknown). */
  balance(asset: string): { free: Decimal; locked: Decimal } {
    let b = this.balances.get(asset);
    if (!b) {
      b = { free: new Decimal(0), locked: new Decimal(0) };
      this.balances.set(asset, b);
    }
    return b;
  }

  /** Leverage of a linear symbol. */
  leverageOf(symbolId: string): number {
    return this.leverage.get(symbolId) ?? this.opts.defaultLeverage ?? 20;
  }

  /** Sets the leverage of a linear symbol (also on its open position). */
  setLeverage(symbolId: string, lev: number): void {
    this.leverage.set(symbolId, lev);
    const p = this.positions.get(symbolId);
    if (p) p.leverage = lev;
  }

  /** Linear account figures, settle asset. */
  account(): {
    wallet: Decimal;
    unrealized: Decimal;
    positionIM: Decimal;
    openOrderIM: Decimal;
    maintMargin: Decimal;
    available: Decimal;
  } {
    this.settle();
    let unrealized = new Decimal(0);
    let positionIM = new Decimal(0);
    let maintMargin = new Decimal(0);
    for (const p of this.positions.values()) {
      if (p.amt.isZero()) continue;
      const mark = this.price(p.symbol);
      unrealized = unrealized.plus(mark.minus(p.entry).times(p.amt));
      const notional = p.amt.abs().times(mark);
      positionIM = positionIM.plus(notional.div(p.leverage));
      maintMargin = maintMargin.plus(notional.times(this.mmr));
    }
    let openOrderIM = new Decimal(0);
    for (const o of this.orders) {
      if (o.status !== 'NEW' || o.algo || o.reduceOnly || o.kind !== 'regular' || !o.price) continue;
      openOrderIM = openOrderIM.plus(o.qty.times(o.price).div(this.leverageOf(o.symbol)));
    }
    const available = Decimal.max(0, this.wallet.plus(unrealized).minus(positionIM).minus(openOrderIM));
    return { wallet: this.wallet, unrealized, positionIM, openOrderIM, maintMargin, available };
  }

  /**
   * Liquidation price of a one-way cross position with no other positions (Binance USDⓈ-M docs,
   * "Liquidation Price Calculation": LP = (WB − side·Q·EP) / (Q·MMR − side·Q), cumB = 0); 0 when none.
   */
  liquidationPrice(p: EnginePosition): Decimal {
    if (p.amt.isZero()) return new Decimal(0);
    const side = p.amt.gt(0) ? 1 : -1;
    const q = p.amt.abs();
    const lp = this.wallet.minus(q.times(p.entry).times(side)).div(q.times(this.mmr).minus(q.times(side)));
    return lp.gt(0) ? lp : new Decimal(0);
  }

  // ---- internals ---------------------------------------------------------------------------------

  private mustSymbol(id: string): EngineSymbol {
    const s = this.symbol(id);
    if (!s) throw new Error(`fake engine: unknown symbol ${id}`);
    return s;
  }

  private marketable(o: EngineOrder, cur: Decimal): boolean {
    return o.side === 'buy' ? cur.lte(o.price!) : cur.gte(o.price!);
  }

  /** Spot: checks and locks what the order may spend; returns an error when the free balance is short. */
  private spotReserve(o: EngineOrder, price: Decimal, immediate: boolean): EngineError | undefined {
    const asset = o.side === 'buy' ? o.quote : o.base;
    const need = o.side === 'buy' ? o.qty.times(price) : o.qty;
    const b = this.balance(asset);
    if (b.free.lt(need)) return 'INSUFFICIENT_BALANCE';
    if (!immediate) {
      b.free = b.free.minus(need);
      b.locked = b.locked.plus(need);
      o.locked = { asset, amount: need };
    }
    return undefined;
  }

  /** Linear: reduce-only and initial-margin checks at placement (conditional orders reserve nothing). */
  private linearCheck(o: EngineOrder, price: Decimal, regular: boolean): EngineError | undefined {
    const pos = this.positions.get(o.symbol)?.amt ?? new Decimal(0);
    const signed = o.side === 'buy' ? o.qty : o.qty.neg();
    if (o.reduceOnly) {
      if (!regular) return undefined; // checked (and clipped) when it triggers
      if (pos.isZero() || pos.gt(0) === signed.gt(0) || o.qty.gt(pos.abs())) return 'REDUCE_ONLY_REJECTED';
      return undefined;
    }
    if (!regular) return undefined;
    const increase = pos.isZero() || pos.gt(0) === signed.gt(0) ? o.qty : Decimal.max(0, o.qty.minus(pos.abs()));
    const im = increase.times(price).div(this.leverageOf(o.symbol));
    const fee = o.qty.times(price).times(this.taker);
    if (im.plus(fee).gt(this.account().available)) return 'INSUFFICIENT_BALANCE';
    return undefined;
  }

  private release(o: EngineOrder): void {
    if (!o.locked) return;
    const b = this.balance(o.locked.asset);
    b.locked = b.locked.minus(o.locked.amount);
    b.free = b.free.plus(o.locked.amount);
    o.locked = null;
  }

  private tryFillResting(o: EngineOrder, c: PriceCandle): void {
    const p = o.price!;
    if (o.side === 'buy' ? c.low.lte(p) : c.high.gte(p)) {
      const at = o.side === 'buy' ? Decimal.min(p, c.open) : Decimal.max(p, c.open);
      this.fill(o, at, true, c.ts);
    }
  }

  private trigger(o: EngineOrder, at: Decimal, c: PriceCandle): void {
    const t = Math.max(c.ts, o.time);
    o.triggerTime = t;
    o.updateTime = t;
    if (this.opts.market === 'linear' && o.reduceOnly) {
      const pos = this.positions.get(o.symbol)?.amt ?? new Decimal(0);
      const reducing = !pos.isZero() && pos.gt(0) !== (o.side === 'buy');
      if (!reducing) {
        o.status = 'EXPIRED';
        return;
      }
      if (o.qty.gt(pos.abs())) o.qty = pos.abs();
    }
    if (o.algo) {
      const child: EngineOrder = {
        ...o,
        orderId: 0,
        kind: 'regular',
        algo: false,
        venueType: o.type === 'market' ? 'MARKET' : 'LIMIT',
        stopPrice: null,
        status: 'NEW',
        time: t,
        triggerTime: null,
        spawnedOrderId: null,
        locked: null,
        checkedUpTo: c.ts,
        extra: { ...o.extra, fromAlgoId: String(o.orderId) },
      };
      if (this.opts.market === 'spot' && this.spotReserve(child, o.type === 'market' ? at : o.price!, o.type === 'market')) {
        o.status = 'REJECTED'; // OKX `order_failed`: not enough balance when it triggered
        return;
      }
      child.orderId = this.nextOrderId++;
      o.status = 'TRIGGERED';
      this.orders.push(child);
      o.spawnedOrderId = child.orderId;
      if (o.type === 'market') {
        this.fill(child, at, false, t);
        o.avgPrice = at;
      } else {
        this.tryFillResting(child, c);
      }
      return;
    }
    if (o.type === 'market') this.fill(o, at, false, t);
    else this.tryFillResting(o, c);
  }

  private fill(o: EngineOrder, price: Decimal, maker: boolean, at = this.opts.clock.now()): void {
    const qty = o.qty.minus(o.executedQty);
    const quoteQty = qty.times(price);
    const rate = maker ? this.maker : this.taker;
    let commission: Decimal;
    let realized = new Decimal(0);
    if (this.opts.market === 'spot') {
      this.release(o);
      const base = this.balance(o.base);
      const quote = this.balance(o.quote);
      if (o.side === 'buy') {
        commission = qty.times(rate);
        quote.free = quote.free.minus(quoteQty);
        base.free = base.free.plus(qty.minus(commission));
      } else {
        commission = quoteQty.times(rate);
        base.free = base.free.minus(qty);
        quote.free = quote.free.plus(quoteQty.minus(commission));
      }
    } else {
      commission = quoteQty.times(rate);
      this.wallet = this.wallet.minus(commission);
      realized = this.applyToPosition(o.symbol, o.side === 'buy' ? qty : qty.neg(), price, at);
      this.wallet = this.wallet.plus(realized);
    }
    o.executedQty = o.executedQty.plus(qty);
    o.cumQuote = o.cumQuote.plus(quoteQty);
    o.commission = o.commission.plus(commission);
    o.avgPrice = o.cumQuote.div(o.executedQty);
    o.status = 'FILLED';
    o.updateTime = at;
    this.lastUpdate = at;
    this.trades.push({
      id: this.nextTradeId++,
      orderId: o.orderId,
      clientOrderId: o.clientOrderId,
      symbol: o.symbol,
      side: o.side,
      price,
      qty,
      quoteQty,
      commission,
      commissionAsset: o.commissionAsset,
      maker,
      time: at,
      realizedPnl: realized,
    });
  }

  /** Applies a signed fill to a one-way position; returns the realized PnL. */
  private applyToPosition(symbol: string, signed: Decimal, price: Decimal, at: number): Decimal {
    const p = this.positions.get(symbol) ?? { symbol, amt: new Decimal(0), entry: new Decimal(0), leverage: this.leverageOf(symbol), updateTime: at };
    let realized = new Decimal(0);
    if (p.amt.isZero() || p.amt.gt(0) === signed.gt(0)) {
      const size = p.amt.abs().plus(signed.abs());
      p.entry = p.amt.abs().times(p.entry).plus(signed.abs().times(price)).div(size);
      p.amt = p.amt.plus(signed);
    } else {
      const closing = Decimal.min(p.amt.abs(), signed.abs());
      realized = price.minus(p.entry).times(closing).times(p.amt.gt(0) ? 1 : -1);
      const rest = signed.abs().minus(closing);
      p.amt = p.amt.plus(signed);
      if (p.amt.isZero()) p.entry = new Decimal(0);
      else if (rest.gt(0)) p.entry = price; // flipped: the remainder opens at the fill price
    }
    p.updateTime = at;
    this.positions.set(symbol, p);
    return realized;
  }
}
