/**
 * The paper-trading engine: a pure, deterministic simulated account (spot or USDT-margined perpetuals)
 * that fills orders against price steps with the shared {@link matchOrder} rules. Used by `PaperExchange`
 * (live price updates) and by the backtester (candles), so both produce the same fills.
 *
 * Model:
 * - Balances per currency, `free` + `used`. Spot: an open buy locks `amount × price × (1 + taker fee)` of the
 *   quote (a stop buy's price: its trigger plus slippage), an open sell locks its base amount, as a spot venue
 *   reserves them. Spot has no reduce-only: a reduce-only sell is placed as a plain sell (reported with
 *   `reduceOnly: false`, as ccxt reports spot orders), so a stop-loss and a take-profit cannot both lock the
 *   same coins — the second is refused `INSUFFICIENT_FUNDS`, naming what it needs and what is free.
 *   Perpetuals: the quote (USDT) holds isolated margins and the locks of open orders
 *   (`opening amount × price × (1/leverage + taker fee)`).
 * - Perpetual positions: one per symbol (one-way mode), isolated margin `notional / leverage`, weighted
 *   average entry on adds, liquidation price per `margin.ts` (Binance formula, single maintenance rate),
 *   rounded to the tick toward the entry (long up, short down). A step reaching it liquidates: the whole
 *   margin is lost; the fill is recorded at the liquidation price with the remainder of the margin (the
 *   maintenance margin Binance keeps as clearance fee) as its fee.
 * - Fees in the quote currency: `amount × price × rate` (maker for limit and take-profit fills, taker for
 *   market, stop-loss and immediately-marketable fills). Fill `realizedPnl` is gross of fees.
 * - Spot average cost per base asset (weighted by buys; sells realize `(price − avg) × amount`). Starting
 *   base balances take the first price seen for their market as cost.
 * - Orders fill completely or not at all. A reduce-only order never increases or flips a position: it is
 *   clipped to the position (and closes with `filled < amount`), waits while there is nothing to reduce,
 *   and is cancelled when the position it guards is closed, liquidated or flipped.
 * - Time comes from the caller (`now` arguments and step timestamps); ids are sequence numbers.
 * - Held orders (backtests' conservative fill model, {@link PlaceContext.hold}): placed and locking funds but
 *   matched by no step until {@link PaperEngine.release}; on the first step after it a limit or take-profit
 *   fills at its own level at best. Paper accounts never hold.
 *
 * Performance (results unchanged, bit for bit: `backtest-golden.test.ts`, the parity tests): a step first
 * compares its float low/high with per-symbol float bounds of the open orders' levels ({@link Lane}) and skips
 * the matching when it certainly reaches none; a resting limit it reaches is matched with floats where they
 * are exact ({@link limitReached}); step closes become decimal strings only when the last price is read; spot
 * fills ({@link PaperEngine.fillSpot}), balance moves and the common resting spot limit placement
 * ({@link PaperEngine.placeRestingLimit}) compute on the state's decimal strings with small-decimal.ts (exact
 * float-integer or BigInt arithmetic giving the very strings decimal.js gives, decimal.js where they do not
 * apply); recently written decimals and step-multiple checks are memoised.
 *
 * Errors: invalid requests throw {@link RejectedOrderError} with a code and a message naming the field.
 * State round-trips through {@link PaperEngine.toJSON} / {@link PaperEngine.fromJSON} (decimal strings).
 */
import type { DecimalString, MarketType, OrderSide, PositionSide } from '@osprey/shared';
import type Decimal from 'decimal.js';
import { RejectedOrderError } from '../exchange/errors.js';
import type { Balance, Fill, MarketInfo, Order, OrderRequest, Position } from '../exchange/port.js';
import { matchOrder, processingOrder, slipped, triggerDirection, type OrderMatch, type PriceStep } from './fill-rules.js';
import { fundingPayment } from './funding.js';
import { DEFAULT_MAINTENANCE_MARGIN_RATE, liquidationPrice } from './margin.js';
import { averageEntry, realizedPnl, unrealizedPnl } from './pnl.js';
import { Dec, ZERO, dec as parseDecimal, dmax, dmin, isDecimalString, isMultipleOf, roundToStep, str as toDecimalString, type DecimalInput } from './precision.js';
import { addThenSubDec, canonicalSmall, cmpDec, cmpSmall, divDec, minusDec, placesSmall, plusDec, timesDec } from './small-decimal.js';

/** Default slippage of market and stop-loss fills, basis points. */
export const DEFAULT_SLIPPAGE_BPS = 5;

/** Configuration of a {@link PaperEngine}. Fees come from each market's `makerFee` / `takerFee`. */
export interface PaperEngineConfig {
  /** The account's market type; orders on other markets are rejected (`BAD_SYMBOL`). */
  marketType: MarketType;
  /** Tradable markets by symbol (steps, minimums, fee rates, max leverage). */
  markets: Record<string, MarketInfo>;
  /** Slippage of market and stop-loss fills, basis points; default {@link DEFAULT_SLIPPAGE_BPS}. */
  slippageBps?: number;
  /** Maintenance-margin rate (fraction) for liquidation prices; default 0.004. */
  maintenanceMarginRate?: DecimalString;
  /** Leverage of a perpetual symbol before `setLeverage`; default 1. */
  defaultLeverage?: number;
}

/** Context of {@link PaperEngine.placeOrder}. */
export interface PlaceContext {
  /** Current time, Unix ms (the order's `createdAt`, and the time of an immediate fill). */
  now: number;
  /**
   * Current market price. When given, market orders and marketable limit orders fill immediately (taker,
   * with slippage) and conditional orders that would trigger at once are rejected; when absent (backtest),
   * market orders wait for the next step's open.
   */
  price?: DecimalInput | null;
  /**
   * True places the order *held*: validated and locking funds like any resting order, but it neither fills at
   * once nor on any step until {@link PaperEngine.release} releases its symbol's held orders (the backtester's
   * conservative fill model: an order placed in reaction to a fill inside a candle waits for the next candle).
   * On the first step after its release a limit or take-profit fills at its own level, never better (the move
   * it may have missed while held is not credited: a sell at 100 released into a price of 105 gets 100; a
   * stop-loss or market order fills by the normal rules, which are worse). Default false (paper accounts never
   * hold).
   */
  hold?: boolean;
}

/** A fill as the engine records it: the port's {@link Fill} plus its realized PnL. */
export interface PaperFill extends Fill {
  /** Gross realized PnL of this fill (quote): closing part of a perpetual fill, or a spot sell vs average cost. */
  realizedPnl: DecimalString;
  /** True for the fill that liquidated a position. */
  liquidation: boolean;
}

/** One funding settlement of a position. */
export interface FundingPayment {
  symbol: string;
  ts: number;
  rate: DecimalString;
  markPrice: DecimalString;
  side: PositionSide;
  /** Position size at settlement (base). */
  amount: DecimalString;
  /** Cash flow to the account (quote): positive = received, negative = paid. */
  payment: DecimalString;
}

/** Spot holding of a base asset with its average cost (null until a price is known). */
export interface Holding {
  currency: string;
  amount: DecimalString;
  averageCost: DecimalString | null;
}

/** Running totals of the account (quote). Net result = realizedPnl − fees + funding. */
export interface PaperTotals {
  realizedPnl: DecimalString;
  fees: DecimalString;
  /** Net funding, positive = received. */
  funding: DecimalString;
}

/** Something that changed, for listeners (drained with {@link PaperEngine.takeEvents}). */
export type PaperEvent =
  | { type: 'order'; order: Order }
  | { type: 'fill'; fill: PaperFill }
  | { type: 'position'; symbol: string; position: Position | null }
  | { type: 'funding'; payment: FundingPayment };

/** A stored order: the port's {@link Order} plus engine bookkeeping. */
export interface PaperOrderState extends Order {
  /** Creation sequence (the numeric id). */
  seq: number;
  /** Conditional limit order that triggered and now rests as a limit. */
  triggered: boolean;
  /**
   * Placed with {@link PlaceContext.hold}: `true` while held (matched by no step); `false` once released, until
   * its symbol's next step (on which it fills no better than its own level); absent otherwise.
   */
  held?: boolean;
  /** Funds locked by the open order, in `lockCurrency`. */
  lock: DecimalString;
  lockCurrency: string | null;
}

/** A stored perpetual position. */
export interface PaperPositionState {
  symbol: string;
  side: PositionSide;
  amount: DecimalString;
  entryPrice: DecimalString;
  leverage: number;
  margin: DecimalString;
  liquidationPrice: DecimalString;
  /** Realized PnL (gross), fees and funding over this position's life. */
  realizedPnl: DecimalString;
  fees: DecimalString;
  funding: DecimalString;
  openedAt: number;
  updatedAt: number;
}

/** The engine's mutable state (plain JSON). */
export interface PaperEngineState {
  nextOrderSeq: number;
  nextFillSeq: number;
  balances: Record<string, { free: DecimalString; used: DecimalString }>;
  /** Every order ever placed, by creation sequence. */
  orders: PaperOrderState[];
  fills: PaperFill[];
  positions: Record<string, PaperPositionState>;
  leverage: Record<string, number>;
  /** Last known price per symbol (step close or placement price). */
  lastPrice: Record<string, { price: DecimalString; ts: number }>;
  /** Spot average cost per base currency (null = not yet known). */
  averageCost: Record<string, DecimalString | null>;
  funding: FundingPayment[];
  totals: PaperTotals;
}

/** Serialized engine: config and state, plain JSON with decimal strings. */
export interface PaperEngineSnapshot {
  version: 1;
  config: Required<PaperEngineConfig>;
  state: PaperEngineState;
}

const CLIENT_ID_RE = /^[A-Za-z0-9_-]{1,36}$/;
/** What {@link PaperEngine.applyStep} returns when nothing filled (performance: most steps fill nothing). */
const NO_FILLS: PaperFill[] = Object.freeze([]) as unknown as PaperFill[];

/**
 * The wire form of a decimal (precision.ts `str`), without its defensive copy for Decimal instances
 * (performance; `toFixed()` of the instance and of its copy are the same digits).
 */
function str(v: DecimalInput): string {
  if (!Dec.isDecimal(v)) return toDecimalString(v);
  if (v.isZero()) return '0';
  const s = v.toFixed();
  // only this engine's own decimals (Dec: 40 digits, half-up) and never a zero (its sign would be kept)
  if (v.constructor === Dec) remember(s, v);
  return s;
}

/** Entries of the {@link dec} memo: a ring of the decimals last written by {@link str}. */
const DEC_MEMO_SIZE = 32;
const memoS: string[] = new Array<string>(DEC_MEMO_SIZE).fill('');
const memoD: Decimal[] = new Array<Decimal>(DEC_MEMO_SIZE);
let memoNext = 0;
/**
 * Decimals by their wire string: those just written by {@link str} (the state keeps decimals as strings, and
 * the same balances, locks and amounts are read back right after being stored). A ring (no hashing: the
 * strings are compared by `===`, equal when the same string object, which a read of a just written field is).
 */
function remember(s: string, d: Decimal): void {
  memoS[memoNext] = s;
  memoD[memoNext] = d;
  memoNext = (memoNext + 1) % DEC_MEMO_SIZE;
}

/**
 * precision.ts `dec` that first looks the string up among the decimals recently written (performance). Decimal
 * instances are immutable, and a memoised one is a {@link Dec} with exactly the string's (non-zero) value —
 * what parsing gives — so results are unchanged.
 */
function dec(v: DecimalInput): Decimal {
  if (typeof v === 'string') {
    // newest first: a field is usually read right after it was written
    for (let k = 1; k <= DEC_MEMO_SIZE; k++) {
      const i = (memoNext - k + DEC_MEMO_SIZE) % DEC_MEMO_SIZE;
      if (memoS[i] === v) return memoD[i]!;
    }
  }
  return parseDecimal(v);
}
/** Most entries of the {@link multipleOf} memo before it is cleared. */
const MULTIPLE_MEMO_SIZE = 4096;
const multipleMemo = new Map<string, boolean>();

/**
 * `isMultipleOf(parsed, step)` memoised by the strings (pure; bots repeat the same prices and amounts, and
 * the decimal modulo is costly). `parsed` is `value` parsed.
 */
function multipleOf(value: string, parsed: Decimal, step: string): boolean {
  const key = `${step} ${value}`;
  let r = multipleMemo.get(key);
  if (r === undefined) {
    r = isMultipleOf(parsed, step);
    if (multipleMemo.size >= MULTIPLE_MEMO_SIZE) multipleMemo.clear();
    multipleMemo.set(key, r);
  }
  return r;
}

const ORDER_SIDES_SET = new Set(['buy', 'sell']);
const ORDER_TYPES_SET = new Set(['market', 'limit']);
const ORDER_KINDS_SET = new Set(['regular', 'stop_loss', 'take_profit']);

type FillOutcome = { ok: true; fill: PaperFill; closedSide: PositionSide | null } | { ok: false; reason: 'nothing_to_reduce' } | { ok: false; reason: 'insufficient'; message: string };

/** The paper-trading engine (see the module doc). Not thread-safe; one instance per paper account. */
export class PaperEngine {
  private readonly cfg: Required<PaperEngineConfig>;
  private readonly s: PaperEngineState;
  /**
   * Orders by id, built only when {@link orderById}'s probe misses (performance: ids are the creation sequence
   * numbers and `s.orders` keeps creation order, so the probe finds every order this engine stored; a map of
   * every order ever placed costs a hash-table insert per order). Null until then; kept up to date after.
   */
  private byId: Map<string, PaperOrderState> | null = null;
  private readonly byClientId = new Map<string, PaperOrderState>();
  private readonly open = new Set<PaperOrderState>();
  /** Derived per-symbol data (see {@link Lane}), built on first use of a market. */
  private readonly lanes = new Map<string, Lane>();
  /** The array {@link candidates} fills. */
  private readonly scratch: PaperOrderState[] = [];
  /** The lane last looked up (steps of one symbol come in runs), and the symbol string it was asked with. */
  private lastLane: Lane | null = null;
  private lastSymbol = '';
  /** Bumped on every change of the open orders (their set, or a trigger): lanes' reach bounds are then rebuilt. */
  private openVersion = 0;
  /** True when a lane holds a step close not yet written to `s.lastPrice` (see {@link flushPrices}). */
  private pendingPrices = false;
  private events: PaperEvent[] = [];
  /** Open orders released from hold whose first step is still to come (see {@link PlaceContext.hold}). */
  private released = 0;

  /**
   * @param config markets and parameters
   * @param balances starting balances, e.g. `{ USDT: "10000" }` (all free); ignored with `state`
   * @param state a saved state to continue from (use {@link PaperEngine.fromJSON})
   * @throws Error on a bad config or balance (names the field)
   */
  constructor(config: PaperEngineConfig, balances: Record<string, DecimalString> = {}, state?: PaperEngineState) {
    this.cfg = {
      marketType: config.marketType,
      markets: structuredClone(config.markets),
      slippageBps: config.slippageBps ?? DEFAULT_SLIPPAGE_BPS,
      maintenanceMarginRate: config.maintenanceMarginRate ?? DEFAULT_MAINTENANCE_MARGIN_RATE,
      defaultLeverage: config.defaultLeverage ?? 1,
    };
    if (!(this.cfg.slippageBps >= 0) || !Number.isFinite(this.cfg.slippageBps)) throw new Error('slippageBps: must be a finite number ≥ 0');
    if (!isDecimalString(this.cfg.maintenanceMarginRate) || dec(this.cfg.maintenanceMarginRate).gte(1)) throw new Error('maintenanceMarginRate: must be a decimal fraction < 1');
    if (!Number.isInteger(this.cfg.defaultLeverage) || this.cfg.defaultLeverage < 1) throw new Error('defaultLeverage: must be an integer ≥ 1');
    if (state) {
      this.s = structuredClone(state);
      for (const o of this.s.orders) {
        if (o.clientOrderId !== null) this.byClientId.set(o.clientOrderId, o);
        if (o.status === 'open') this.open.add(o);
        if (o.status === 'open' && o.held === false) this.released++;
      }
      return;
    }
    const bal: PaperEngineState['balances'] = {};
    for (const [cur, amount] of Object.entries(balances)) {
      if (!isDecimalString(amount) || dec(amount).isNegative()) throw new Error(`balances.${cur}: must be a decimal ≥ 0`);
      bal[cur] = { free: str(amount), used: '0' };
    }
    this.s = {
      nextOrderSeq: 1,
      nextFillSeq: 1,
      balances: bal,
      orders: [],
      fills: [],
      positions: {},
      leverage: {},
      lastPrice: {},
      averageCost: {},
      funding: [],
      totals: { realizedPnl: '0', fees: '0', funding: '0' },
    };
    for (const m of Object.values(this.cfg.markets)) {
      if (m.type === 'spot' && bal[m.base] && !dec(bal[m.base]!.free).isZero()) this.s.averageCost[m.base] = null;
    }
  }

  /**
   * Rebuilds an engine from {@link toJSON}'s output.
   * @throws Error on an unknown snapshot version
   */
  static fromJSON(snapshot: PaperEngineSnapshot): PaperEngine {
    if (snapshot?.version !== 1) throw new Error('snapshot: unsupported version');
    return new PaperEngine(snapshot.config, {}, snapshot.state);
  }

  /** The whole engine as plain JSON (decimal strings); `fromJSON(toJSON())` continues identically. */
  toJSON(): PaperEngineSnapshot {
    this.flushPrices();
    return { version: 1, config: structuredClone(this.cfg), state: structuredClone(this.s) };
  }

  /** The engine's configuration (copy). */
  get config(): Required<PaperEngineConfig> {
    return structuredClone(this.cfg);
  }

  /** True when events are waiting for {@link takeEvents} (lets a hot loop skip an empty take). */
  hasEvents(): boolean {
    return this.events.length > 0;
  }

  /** Returns and clears the events produced since the last call, oldest first. */
  takeEvents(): PaperEvent[] {
    const e = this.events;
    this.events = [];
    return e;
  }

  // ─── orders ──────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Places an order. Amount and prices must already be multiples of the market's steps (adapters round).
   * A repeated `clientOrderId` returns the existing order unchanged (idempotent create).
   * @returns the order after placement (status `closed` when it filled at once)
   * @throws RejectedOrderError `BAD_SYMBOL` (unknown market), `INVALID_ORDER` (bad field, precision,
   *   reduce-only with nothing to reduce, trigger that would fire at once), `MIN_AMOUNT`, `MIN_NOTIONAL`,
   *   `INSUFFICIENT_FUNDS`; the message starts with the field name
   */
  placeOrder(req: OrderRequest, ctx: PlaceContext): Order {
    const existing = typeof req.clientOrderId === 'string' ? this.byClientId.get(req.clientOrderId) : undefined;
    if (existing) return toOrder(existing);
    if (typeof req.clientOrderId !== 'string' || !CLIENT_ID_RE.test(req.clientOrderId)) reject('INVALID_ORDER', 'clientOrderId: must be 1-36 characters of A-Z, a-z, 0-9, _ or -');
    const m = this.market(req.symbol);
    // Spot venues know no reduce-only: such a sell is a plain sell and reserves its base while it rests.
    if (m.type === 'spot' && req.reduceOnly === true && req.side === 'sell') req = { ...req, reduceOnly: false };
    const fast = this.placeRestingLimit(req, ctx, m);
    if (fast !== undefined) return fast;
    if (!ORDER_SIDES_SET.has(req.side)) reject('INVALID_ORDER', `side: must be buy or sell, got "${String(req.side)}"`);
    if (!ORDER_TYPES_SET.has(req.type)) reject('INVALID_ORDER', `type: must be market or limit, got "${String(req.type)}"`);
    const kind = req.kind ?? 'regular';
    if (!ORDER_KINDS_SET.has(kind)) reject('INVALID_ORDER', `kind: must be regular, stop_loss or take_profit, got "${String(kind)}"`);
    const reduceOnly = req.reduceOnly ?? false;
    const amount = positive(req.amount, 'amount');
    if (!multipleOf(req.amount, amount, m.amountStep)) reject('INVALID_ORDER', `amount: ${req.amount} is not a multiple of the amount step ${m.amountStep} ${m.base}`);
    if (m.minAmount !== null && amount.lt(m.minAmount)) reject('MIN_AMOUNT', `amount: ${req.amount} ${m.base} is below the minimum ${m.minAmount} ${m.base}`);
    let price: Decimal | null = null;
    if (req.type === 'limit') {
      if (req.price === undefined) reject('INVALID_ORDER', 'price: required for limit orders');
      price = this.tickPrice(req.price, 'price', m);
    }
    let trigger: Decimal | null = null;
    if (kind !== 'regular') {
      if (req.triggerPrice === undefined) reject('INVALID_ORDER', `triggerPrice: required for ${kind} orders`);
      trigger = this.tickPrice(req.triggerPrice, 'triggerPrice', m);
    } else if (req.triggerPrice !== undefined) {
      reject('INVALID_ORDER', 'triggerPrice: only stop_loss and take_profit orders take a trigger price');
    }
    if (m.type === 'spot' && reduceOnly && req.side === 'buy') reject('INVALID_ORDER', 'reduceOnly: only sell orders can be reduce-only on spot');

    const current = ctx.price === undefined || ctx.price === null ? null : decOrReject(ctx.price, 'price');
    if (current !== null && current.lte(0)) reject('INVALID_ORDER', 'price: the current market price must be positive');
    const reference = price ?? trigger ?? current ?? this.lastPriceOf(m.symbol);
    if (!reduceOnly && m.minNotional !== null && reference !== null) {
      const notional = amount.mul(reference);
      if (notional.lt(m.minNotional)) reject('MIN_NOTIONAL', `amount: notional ${str(notional)} ${m.quote} (amount × price) is below the minimum ${m.minNotional} ${m.quote}`);
    }
    if (reduceOnly && kind === 'regular' && !this.canReduce(m, req.side)) {
      reject('INVALID_ORDER', m.type === 'spot' ? `reduceOnly: no ${m.base} holdings to sell` : `reduceOnly: no ${req.side === 'sell' ? 'long' : 'short'} position on ${m.symbol} to reduce`);
    }
    if (trigger !== null && current !== null) {
      const dir = triggerDirection(kind, req.side);
      if (dir === 'down' ? current.lte(trigger) : current.gte(trigger)) {
        reject('INVALID_ORDER', `triggerPrice: ${str(trigger)} would trigger immediately (current price ${str(current)})`);
      }
    }

    if (current !== null) this.notePrice(m.symbol, current, ctx.now);
    const seq = this.s.nextOrderSeq;
    const o: PaperOrderState = {
      id: String(seq),
      clientOrderId: req.clientOrderId,
      symbol: m.symbol,
      side: req.side,
      type: req.type,
      kind,
      status: 'open',
      amount: str(amount),
      filled: '0',
      price: price === null ? null : str(price),
      average: null,
      triggerPrice: trigger === null ? null : str(trigger),
      reduceOnly,
      fee: '0',
      feeCurrency: null,
      createdAt: ctx.now,
      updatedAt: ctx.now,
      seq,
      triggered: false,
      lock: '0',
      lockCurrency: null,
    };

    if (ctx.hold === true) o.held = true;
    // Immediate execution: market orders, and limit orders marketable at the current price (never when held).
    if (kind === 'regular' && current !== null && o.held !== true) {
      const slip = () => slipped(req.side, current, this.cfg.slippageBps, m.priceStep);
      const immediate = req.type === 'market' ? slip() : price !== null && (req.side === 'buy' ? current.lte(price) : current.gte(price)) ? (req.side === 'buy' ? dmin(price, slip()) : dmax(price, slip())) : null;
      if (immediate !== null) {
        const out = this.fill(o, immediate, 'taker', ctx.now);
        if (!out.ok) reject(out.reason === 'insufficient' ? 'INSUFFICIENT_FUNDS' : 'INVALID_ORDER', out.reason === 'insufficient' ? out.message : 'reduceOnly: nothing to reduce');
        this.store(o);
        this.afterFill(o, out.fill, out.closedSide);
        return toOrder(o);
      }
    }

    // Resting order: lock what it may need.
    const lock = this.lockFor(m, req.side, amount, reduceOnly, req.type === 'market' ? reference : (price ?? trigger), kind);
    if (lock) {
      const free = this.freeOf(lock.currency);
      if (free.lt(lock.amount)) {
        reject('INSUFFICIENT_FUNDS', `amount: needs ${str(lock.amount)} ${lock.currency}${lock.what}, free ${str(free)} ${lock.currency}`);
      }
      this.move(lock.currency, lock.amount);
      o.lock = str(lock.amount);
      o.lockCurrency = lock.currency;
    }
    this.store(o);
    this.emitOrder(o);
    return toOrder(o);
  }

  /**
   * {@link placeOrder}'s fast path for the most common order, a spot limit order, not reduce-only, that rests
   * (not marketable at the current price, or held): every check of placeOrder made on the canonical decimal strings with
   * {@link cmpSmall} & co. (exact where they answer) and float comparisons that are exact where they decide
   * (see {@link limitReached}); undefined — before any change — whenever a check cannot be decided that way or
   * would fail, and placeOrder then runs its full path (and throws its error). The order stored, the funds
   * locked, the events and the returned order are what the full path gives.
   */
  private placeRestingLimit(req: OrderRequest, ctx: PlaceContext, m: MarketInfo): Order | undefined {
    if (req.type !== 'limit' || (req.kind !== undefined && req.kind !== 'regular') || req.triggerPrice !== undefined || m.type !== 'spot') return undefined;
    const side = req.side;
    if (side !== 'buy' && side !== 'sell') return undefined;
    // reduce-only orders take the full path
    if (req.reduceOnly === true) return undefined;
    const amount = req.amount;
    const price = req.price;
    if (typeof amount !== 'string' || typeof price !== 'string' || canonicalSmall(amount) !== amount || canonicalSmall(price) !== price) return undefined;
    if (!(cmpSmall(amount, '0') > 0) || !(cmpSmall(price, '0') > 0)) return undefined;
    const ap = stepPlaces(m.amountStep);
    const pp = stepPlaces(m.priceStep);
    if (ap < 0 || pp < 0 || placesSmall(amount) > ap || placesSmall(price) > pp) return undefined;
    if (m.minAmount !== null && cmpS(amount, m.minAmount) < 0) return undefined;
    const c = ctx.price;
    if (c !== undefined && c !== null && (typeof c !== 'number' || !(c > 0) || c === Infinity)) return undefined;
    const held = ctx.hold === true;
    if (typeof c === 'number' && !held) {
      // not marketable at the current price: a buy strictly below it, a sell strictly above (exact when the
      // floats differ; a tie goes to the full path)
      const pf = Number(price);
      if (side === 'buy' ? !(pf < c) : !(pf > c)) return undefined;
    }
    // (the sums and products below are exact: small-decimal.ts gives the strings decimal.js gives)
    if (m.minNotional !== null && cmpS(timesS(amount, price), m.minNotional) < 0) return undefined;
    // the lock: a buy's cost plus the taker fee of the quote, a sell's base amount
    let lock: string;
    let lockCurrency: string;
    if (side === 'buy') {
      lock = timesS(timesS(amount, price), this.lane(m.symbol)!.takerPlus1S);
      lockCurrency = m.quote;
    } else {
      lock = amount;
      lockCurrency = m.base;
    }
    if (cmpS(this.s.balances[lockCurrency]?.free ?? '0', lock) < 0) return undefined;

    if (typeof c === 'number') this.notePrice(m.symbol, c, ctx.now);
    const seq = this.s.nextOrderSeq;
    const o: PaperOrderState = {
      id: String(seq),
      clientOrderId: req.clientOrderId,
      symbol: m.symbol,
      side,
      type: 'limit',
      kind: 'regular',
      status: 'open',
      amount,
      filled: '0',
      price,
      average: null,
      triggerPrice: null,
      reduceOnly: false,
      fee: '0',
      feeCurrency: null,
      createdAt: ctx.now,
      updatedAt: ctx.now,
      seq,
      triggered: false,
      lock: '0',
      lockCurrency: null,
    };
    if (held) o.held = true;
    this.move(lockCurrency, lock);
    o.lock = lock;
    o.lockCurrency = lockCurrency;
    this.store(o);
    this.emitOrder(o);
    return toOrder(o);
  }

  /**
   * Cancels an open order and releases its locked funds. Cancelling a cancelled order returns it unchanged.
   * @throws RejectedOrderError `ORDER_NOT_FOUND` for an unknown id, `INVALID_ORDER` when it already filled
   */
  cancelOrder(id: string, now: number): Order {
    const o = this.orderById(id);
    if (!o) reject('ORDER_NOT_FOUND', `id: no order ${id}`);
    if (o.status === 'canceled') return toOrder(o);
    if (o.status !== 'open') reject('INVALID_ORDER', `id: order ${id} is already ${o.status}`);
    this.close(o, 'canceled', now);
    return toOrder(o);
  }

  /** An order by id, or null. */
  getOrder(id: string): Order | null {
    const o = this.orderById(id);
    return o ? toOrder(o) : null;
  }

  /** An order by clientOrderId, or null. */
  getOrderByClientId(clientOrderId: string): Order | null {
    const o = this.byClientId.get(clientOrderId);
    return o ? toOrder(o) : null;
  }

  /** Open orders (including untriggered conditionals), by creation sequence, optionally of one symbol. */
  openOrders(symbol?: string): Order[] {
    return this.s.orders.filter((o) => o.status === 'open' && (symbol === undefined || o.symbol === symbol)).map(toOrder);
  }

  /** Every order, by creation sequence, optionally of one symbol. */
  orders(symbol?: string): Order[] {
    return this.s.orders.filter((o) => symbol === undefined || o.symbol === symbol).map(toOrder);
  }

  /** Every fill of the order `orderId`, oldest first, whatever their time (empty for an unknown order). */
  orderFills(orderId: string): PaperFill[] {
    return this.s.fills.filter((f) => f.orderId === orderId).map((f) => ({ ...f }));
  }

  /** Fills, oldest first, optionally of one symbol and at or after `since` (Unix ms). */
  fills(symbol?: string, since?: number): PaperFill[] {
    return this.s.fills.filter((f) => (symbol === undefined || f.symbol === symbol) && (since === undefined || f.ts >= since)).map((f) => ({ ...f }));
  }

  // ─── account ─────────────────────────────────────────────────────────────────────────────────────────

  /** Balances (currencies sorted), `total = free + used`; perpetual margins are in `used`. */
  balances(): Balance[] {
    return Object.keys(this.s.balances)
      .sort()
      .map((currency) => {
        const b = this.s.balances[currency]!;
        return { currency, free: b.free, used: b.used, total: plusS(b.free, b.used) };
      });
  }

  /** Balance of one currency (zeros when never held). */
  balance(currency: string): Balance {
    const b = this.s.balances[currency] ?? { free: '0', used: '0' };
    return { currency, free: b.free, used: b.used, total: plusS(b.free, b.used) };
  }

  /**
   * Open perpetual positions (symbols sorted); unrealized PnL at `marks[symbol]`, else the last price seen.
   */
  positions(marks: Record<string, DecimalInput> = {}): Position[] {
    return Object.keys(this.s.positions)
      .sort()
      .map((sym) => this.toPosition(this.s.positions[sym]!, marks[sym]));
  }

  /** The open position of a symbol, or null. */
  position(symbol: string, mark?: DecimalInput): Position | null {
    const p = this.s.positions[symbol];
    return p ? this.toPosition(p, mark) : null;
  }

  /** The stored position of a symbol with its lifetime PnL/fees/funding (copy), or null. */
  positionState(symbol: string): PaperPositionState | null {
    const p = this.s.positions[symbol];
    return p ? { ...p } : null;
  }

  /** Spot holdings of base currencies (non-zero totals) with their average cost. */
  holdings(): Holding[] {
    return Object.keys(this.s.averageCost)
      .sort()
      .map((currency) => ({ currency, amount: this.balance(currency).total, averageCost: this.s.averageCost[currency] ?? null }))
      .filter((h) => !dec(h.amount).isZero());
  }

  /** Leverage of a perpetual symbol (the default until set). */
  leverage(symbol: string): number {
    return this.s.leverage[symbol] ?? this.cfg.defaultLeverage;
  }

  /** Running totals: gross realized PnL, fees, net funding (quote). */
  totals(): PaperTotals {
    return { ...this.s.totals };
  }

  /** Funding settlements, oldest first. */
  fundingPayments(symbol?: string): FundingPayment[] {
    return this.s.funding.filter((f) => symbol === undefined || f.symbol === symbol).map((f) => ({ ...f }));
  }

  /** Last price seen for a symbol (step close or placement price), or null. */
  lastPrice(symbol: string): { price: DecimalString; ts: number } | null {
    this.flushPrices();
    const p = this.s.lastPrice[symbol];
    return p ? { ...p } : null;
  }

  /**
   * Sets the leverage of a perpetual symbol (no-op on spot, and when unchanged).
   * @throws RejectedOrderError `BAD_SYMBOL`; `INVALID_ORDER` when not an integer in 1..maxLeverage, or when the
   *   symbol has a position or open non-reduce-only orders
   */
  setLeverage(symbol: string, leverage: number): void {
    const m = this.market(symbol);
    if (m.type === 'spot') return;
    if (!Number.isInteger(leverage) || leverage < 1 || leverage > m.maxLeverage) reject('INVALID_ORDER', `leverage: must be an integer from 1 to ${m.maxLeverage}, got ${leverage}`);
    if (leverage === this.leverage(symbol)) return;
    const busy = this.s.positions[symbol] !== undefined || [...this.open].some((o) => o.symbol === symbol && !o.reduceOnly);
    if (busy) reject('INVALID_ORDER', `leverage: cannot change while ${symbol} has a position or open orders`);
    this.s.leverage[symbol] = leverage;
  }

  // ─── market ──────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Advances one symbol by one price step: fills, triggers and liquidations, in {@link processingOrder}
   * order. A position whose liquidation price the step reaches is liquidated before any fill further
   * along the adverse direction (and at once when the step opens beyond it). Steps of unknown symbols are
   * ignored.
   * @returns the fills of this step, in order (a shared frozen empty array when there are none)
   */
  applyStep(step: PriceStep): PaperFill[] {
    const lane = this.lane(step.symbol);
    if (lane === null) return NO_FILLS;
    // The quiet step (most steps of a spot backtest): nothing held back, the cost of the holding settled since
    // the last fill, and no open order the step can reach — only the close is noted (what the full path below
    // does then, without its checks).
    if (
      lane.costFill === this.s.nextFillSeq &&
      lane.version === this.openVersion &&
      this.released === 0 &&
      lane.hasLast &&
      !(lane.any && (lane.always || !(lane.down < step.low) || !(lane.up > step.high)))
    ) {
      lane.pendingPrice = step.close;
      lane.pendingTs = step.ts;
      lane.pending = true;
      this.pendingPrices = true;
      return NO_FILLS;
    }
    const m = lane.m;
    let out: PaperFill[] | null = null;
    if (lane.spot) {
      if (this.s.averageCost[m.base] === null) this.initCost(m, step.open);
    } else {
      const pos0 = this.s.positions[m.symbol];
      if (pos0 && this.mayBeBeyondLiquidation(pos0, step.open) && this.beyondLiquidation(pos0, dec(step.open))) (out ??= []).push(this.liquidate(pos0, step.ts));
    }
    // Performance: most steps reach no order; then the (decimal) matching below is skipped altogether.
    if (this.anyMayBeReached(lane, step)) {
      const candidates = this.candidates(lane);
      const opts = { slippageBps: this.cfg.slippageBps, priceStep: m.priceStep };
      for (const o of candidates) {
        if (o.status !== 'open' || o.held === true) continue;
        if (o.reduceOnly && !this.canReduce(m, o.side)) continue;
        const r = reachOf(o);
        if (r.always ? false : r.down ? r.f < step.low : r.f > step.high) continue; // matchOrder would return null
        const at = r.limit !== null ? limitReached(r, step) : undefined;
        if (at === false) continue;
        if (at === true && lane.spot) {
          // a resting spot limit filled at its own price, maker (also on its first step after a hold): no
          // decimal needed, the fill runs on the strings
          out ??= [];
          const res = this.fillSpot(o, m, r.limit!, 'maker', step.ts);
          if (res.ok) {
            out.push(res.fill);
            this.afterFill(o, res.fill, res.closedSide);
          } else if (res.reason === 'insufficient') {
            this.close(o, 'expired', step.ts);
          }
          continue;
        }
        const match = at === true ? limitMatch(r) : matchOrder(o, step, opts);
        if (!match) continue;
        out ??= [];
        const pos = this.s.positions[m.symbol];
        if (pos && this.liquidationBefore(pos, step, match.point)) {
          out.push(this.liquidate(pos, step.ts));
          if (o.status !== 'open' || (o.reduceOnly && !this.canReduce(m, o.side))) continue;
        }
        if (match.price === null) {
          o.triggered = true;
          this.openVersion++;
          o.updatedAt = step.ts;
          this.emitOrder(o);
          continue;
        }
        if (match.triggered) {
          o.triggered = true;
          this.openVersion++;
        }
        // Released from hold on this step: a limit / take-profit gets its own level, not a better open.
        const price = o.held === false && o.kind !== 'stop_loss' ? releasedPrice(o, match.price) : match.price;
        const res = this.fill(o, price, match.liquidity, step.ts);
        if (res.ok) {
          out.push(res.fill);
          this.afterFill(o, res.fill, res.closedSide);
        } else if (res.reason === 'insufficient') {
          this.close(o, 'expired', step.ts);
        }
      }
    }
    if (this.released > 0) this.endRelease(m.symbol);
    if (!lane.spot) {
      const pos = this.s.positions[m.symbol];
      if (pos && this.touchesLiquidation(pos, step)) (out ??= []).push(this.liquidate(pos, step.ts));
    }
    if (lane.hasLast) {
      // performance: the decimal string of the close is only built when the last price is read
      lane.pendingPrice = step.close;
      lane.pendingTs = step.ts;
      lane.pending = true;
      this.pendingPrices = true;
      if (lane.spot && this.s.averageCost[m.base] === null) this.initCost(m, step.close);
    } else this.notePrice(m.symbol, step.close, step.ts);
    // a spot holding whose cost is known (or that is empty) keeps it until the next fill: quiet steps may skip
    // the cost check (the fill sequence number dates that)
    if (lane.spot) {
      const b = this.s.balances[m.base];
      lane.costFill = this.s.averageCost[m.base] !== null || b === undefined || cmpS(plusS(b.free, b.used), '0') === 0 ? this.s.nextFillSeq : -1;
    }
    return out ?? NO_FILLS;
  }

  /**
   * The open orders of `symbol` in {@link processingOrder} order: the open set keeps creation order (orders
   * enter it once, when stored), which is that order unless a take-profit must move behind a stop-loss.
   */
  private candidates(lane: Lane): PaperOrderState[] {
    // a copy (fills change the list while the step goes through it), in a reused array: applyStep is not reentrant
    const out = this.scratch;
    out.length = 0;
    let tp = false;
    const orders = lane.orders;
    for (let i = 0; i < orders.length; i++) {
      const o = orders[i]!;
      out.push(o);
      if (o.kind === 'take_profit') tp = true;
    }
    return tp ? processingOrder(out) : out;
  }

  /** The {@link Lane} of a symbol, or null for an unknown one. */
  private lane(symbol: string): Lane | null {
    // the same string object as last time: a pointer comparison (steps of one symbol come in runs)
    if (symbol === this.lastSymbol && this.lastLane !== null) return this.lastLane;
    const last = this.lastLane;
    if (last !== null && last.m.symbol === symbol) {
      this.lastSymbol = symbol;
      return last;
    }
    let l = this.lanes.get(symbol);
    if (l === undefined) {
      const m = this.cfg.markets[symbol];
      if (!m) return null;
      const taker = dec(m.takerFee);
      const takerPlus1 = taker.plus(1);
      const orders: PaperOrderState[] = [];
      for (const o of this.open) if (o.symbol === symbol) orders.push(o);
      l = { m, spot: m.type === 'spot', takerPlus1, takerPlus1S: str(takerPlus1), orders, version: -1, down: -Infinity, up: Infinity, always: false, any: false, hasLast: symbol in this.s.lastPrice, costFill: -1, pending: false, pendingPrice: 0, pendingTs: 0 };
      this.lanes.set(symbol, l);
    }
    this.lastLane = l;
    this.lastSymbol = symbol;
    return l;
  }

  /**
   * Releases the held orders of `symbol` (placed with {@link PlaceContext.hold}): from the next step on they
   * are matched like any resting order (a held market order then fills at that step's open ± slippage).
   * @returns how many orders were released (0 for an unknown symbol)
   */
  release(symbol: string): number {
    let n = 0;
    for (const o of this.open) {
      if (o.held === true && o.symbol === symbol) {
        o.held = false;
        n++;
      }
    }
    if (n > 0) this.openVersion++;
    this.released += n;
    return n;
  }

  /** Ends the first step after release of `symbol`'s released orders (see {@link PlaceContext.hold}). */
  private endRelease(symbol: string): void {
    let left = 0;
    for (const o of this.open) {
      if (o.held !== false) continue;
      if (o.symbol === symbol) delete o.held;
      else left++;
    }
    this.released = left;
  }

  /**
   * Settles funding of a perpetual symbol's position: `payment = −side × size × mark × rate` (longs pay
   * shorts when rate > 0). Credited to / debited from the free quote balance; a shortfall is taken from the
   * position's isolated margin (its liquidation price moves accordingly).
   * @param rate funding rate (fraction, e.g. `"0.0001"`)
   * @param markPrice mark price at the funding time
   * @param ts funding time, Unix ms
   * @returns the settlement, or null when there is no position
   * @throws RejectedOrderError `BAD_SYMBOL`, `INVALID_ORDER` (bad rate or mark)
   */
  applyFunding(symbol: string, rate: DecimalInput, markPrice: DecimalInput, ts: number): FundingPayment | null {
    const m = this.market(symbol);
    const pos = this.s.positions[symbol];
    if (!pos) return null;
    const r = decOrReject(rate, 'rate');
    const mark = decOrReject(markPrice, 'markPrice');
    if (mark.lte(0)) reject('INVALID_ORDER', 'markPrice: must be positive');
    const pay = fundingPayment(pos.side, pos.amount, mark, r);
    const b = this.bal(m.quote);
    let free = dec(b.free).plus(pay);
    if (free.isNegative()) {
      const shortfall = free.neg();
      const takeFromMargin = dmin(shortfall, pos.margin);
      pos.margin = str(dec(pos.margin).minus(takeFromMargin));
      b.used = str(dec(b.used).minus(takeFromMargin));
      free = free.plus(takeFromMargin);
      this.refreshLiquidation(pos, m);
    }
    b.free = str(free);
    pos.funding = str(dec(pos.funding).plus(pay));
    pos.updatedAt = ts;
    this.s.totals.funding = str(dec(this.s.totals.funding).plus(pay));
    const payment: FundingPayment = { symbol, ts, rate: str(r), markPrice: str(mark), side: pos.side, amount: pos.amount, payment: str(pay) };
    this.s.funding.push(payment);
    this.events.push({ type: 'funding', payment: { ...payment } });
    this.emitPosition(symbol);
    return { ...payment };
  }

  // ─── internals ───────────────────────────────────────────────────────────────────────────────────────

  private market(symbol: string): MarketInfo {
    const m = typeof symbol === 'string' ? this.cfg.markets[symbol] : undefined;
    if (!m) reject('BAD_SYMBOL', `symbol: unknown market ${String(symbol)}`);
    if (m.type !== this.cfg.marketType) reject('BAD_SYMBOL', `symbol: ${symbol} is a ${m.type} market, this account trades ${this.cfg.marketType}`);
    return m;
  }

  private tickPrice(v: unknown, field: string, m: MarketInfo): Decimal {
    const p = positive(v, field);
    if (!multipleOf(v as string, p, m.priceStep)) reject('INVALID_ORDER', `${field}: ${String(v)} is not a multiple of the price step ${m.priceStep} ${m.quote}`);
    return p;
  }

  private bal(currency: string): { free: DecimalString; used: DecimalString } {
    let b = this.s.balances[currency];
    if (!b) {
      b = { free: '0', used: '0' };
      this.s.balances[currency] = b;
    }
    return b;
  }

  /** Total (free + used) of a currency as a decimal, without creating its entry. */
  private totalOf(currency: string): Decimal {
    const b = this.s.balances[currency];
    return b === undefined ? ZERO : dec(b.free).plus(b.used);
  }

  /** Free balance of a currency without creating its entry (checks must not change state). */
  private freeOf(currency: string): Decimal {
    return dec(this.s.balances[currency]?.free ?? '0');
  }

  /** Moves `amount` from free to used (negative: back). */
  private move(currency: string, amount: DecimalInput): void {
    const b = this.bal(currency);
    if (typeof amount === 'string') {
      b.free = minusS(b.free, amount);
      b.used = plusS(b.used, amount);
      return;
    }
    b.free = str(dec(b.free).minus(amount));
    b.used = str(dec(b.used).plus(amount));
  }

  private lastPriceOf(symbol: string): Decimal | null {
    this.flushPrices();
    const p = this.s.lastPrice[symbol];
    return p ? dec(p.price) : null;
  }

  private notePrice(symbol: string, price: Decimal | number, ts: number): void {
    const lane = this.lane(symbol);
    if (typeof price === 'number' && lane !== null && lane.hasLast) {
      lane.pendingPrice = price;
      lane.pendingTs = ts;
      lane.pending = true;
      this.pendingPrices = true;
    } else {
      // the first price of a symbol is written at once (the state's keys keep their order)
      if (lane !== null) {
        lane.pending = false;
        lane.hasLast = true;
      }
      this.s.lastPrice[symbol] = { price: typeof price === 'number' ? numberString(price) : str(price), ts };
    }
    const m = this.cfg.markets[symbol];
    if (m?.type === 'spot') this.initCost(m, price);
  }

  /** Writes the lanes' pending step closes to `s.lastPrice` (see {@link Lane.pending}). */
  private flushPrices(): void {
    if (!this.pendingPrices) return;
    for (const [symbol, l] of this.lanes) {
      if (!l.pending) continue;
      this.s.lastPrice[symbol] = { price: numberString(l.pendingPrice), ts: l.pendingTs };
      l.pending = false;
    }
    this.pendingPrices = false;
  }

  /** Gives a starting base holding of unknown cost the first price seen. */
  private initCost(m: MarketInfo, price: DecimalInput): void {
    if (this.s.averageCost[m.base] !== null) return;
    const b = this.s.balances[m.base];
    if (b === undefined || (b.free === '0' && b.used === '0')) return; // total 0 (the common case, without decimals)
    if (!dec(this.balance(m.base).total).isZero()) this.s.averageCost[m.base] = str(price);
  }

  /**
   * True unless every open order of the lane's symbol certainly stays unreached by `step` (see
   * {@link reachOf}): compares the step with the lane's float bounds, rebuilt only after the open orders changed.
   */
  private anyMayBeReached(lane: Lane, step: PriceStep): boolean {
    if (lane.version !== this.openVersion) {
      let down = -Infinity;
      let up = Infinity;
      let always = false;
      let any = false;
      const orders = lane.orders;
      for (let i = 0; i < orders.length; i++) {
        const o = orders[i]!;
        if (o.held === true) continue;
        any = true;
        const r = reachOf(o);
        if (r.always) always = true;
        else if (r.down) down = Math.max(down, r.f);
        else up = Math.min(up, r.f);
      }
      lane.down = down;
      lane.up = up;
      lane.always = always;
      lane.any = any;
      lane.version = this.openVersion;
    }
    return lane.any && (lane.always || !(lane.down < step.low) || !(lane.up > step.high));
  }

  /** Float pre-check of {@link beyondLiquidation} at a float price: false only when certainly not beyond. */
  private mayBeBeyondLiquidation(p: PaperPositionState, price: number): boolean {
    const lp = Number(p.liquidationPrice);
    if (!(lp > 0)) return true;
    return p.side === 'long' ? !(lp < price) : !(lp > price);
  }

  private canReduce(m: MarketInfo, side: OrderSide): boolean {
    if (m.type === 'spot') return side === 'sell' && cmpS(this.s.balances[m.base]?.free ?? '0', '0') > 0;
    const p = this.s.positions[m.symbol];
    return p !== undefined && p.side === (side === 'sell' ? 'long' : 'short');
  }

  private lockFor(
    m: MarketInfo,
    side: OrderSide,
    amount: Decimal,
    reduceOnly: boolean,
    ref: Decimal | null,
    kind: string,
  ): { currency: string; amount: Decimal; what: string } | null {
    const taker = dec(m.takerFee);
    if (m.type === 'spot') {
      if (side === 'sell') return reduceOnly ? null : { currency: m.base, amount, what: '' };
      if (ref === null) return null;
      const px = kind === 'stop_loss' ? slipped('buy', ref, this.cfg.slippageBps, m.priceStep) : ref;
      return { currency: m.quote, amount: amount.mul(px).mul(this.lane(m.symbol)!.takerPlus1), what: ' (cost + fee)' };
    }
    if (reduceOnly || ref === null) return null;
    const p = this.s.positions[m.symbol];
    const opposite = p && p.side === (side === 'buy' ? 'short' : 'long') ? dec(p.amount) : ZERO;
    const opening = dmax(0, amount.minus(opposite));
    if (opening.isZero()) return null;
    const lev = this.leverage(m.symbol);
    return { currency: m.quote, amount: opening.mul(ref).mul(new Dec(1).div(lev).plus(taker)), what: ' (margin + fee)' };
  }

  /** The order of an id, or undefined: `s.orders[id − 1]` when that is it, else a look-up in {@link byId}. */
  private orderById(id: string): PaperOrderState | undefined {
    const orders = this.s.orders;
    const k = Number(id) - 1;
    const o = k >= 0 && k < orders.length && Number.isInteger(k) ? orders[k]! : undefined;
    if (o !== undefined && o.id === id) return o;
    if (this.byId === null) {
      this.byId = new Map();
      for (const x of orders) this.byId.set(x.id, x);
    }
    return this.byId.get(id);
  }

  private store(o: PaperOrderState): void {
    this.s.nextOrderSeq = o.seq + 1;
    this.s.orders.push(o);
    if (this.byId !== null) this.byId.set(o.id, o);
    if (o.clientOrderId !== null) this.byClientId.set(o.clientOrderId, o);
    if (o.status === 'open') this.openAdd(o);
  }

  /** Adds an order to the open set (and to its lane's list, creation order kept: orders are added as stored). */
  private openAdd(o: PaperOrderState): void {
    this.open.add(o);
    this.lanes.get(o.symbol)?.orders.push(o);
    this.openVersion++;
  }

  /** Removes an order from the open set and its lane's list. */
  private openDelete(o: PaperOrderState): void {
    if (!this.open.delete(o)) return;
    const l = this.lanes.get(o.symbol);
    if (l !== undefined) {
      const i = l.orders.indexOf(o);
      if (i >= 0) l.orders.splice(i, 1);
    }
    this.openVersion++;
  }

  private releaseLock(o: PaperOrderState): void {
    if (o.lockCurrency !== null && o.lock !== '0' && cmpS(o.lock, '0') !== 0) {
      // move(currency, −lock): free − (−lock), used + (−lock)
      const b = this.bal(o.lockCurrency);
      b.free = plusS(b.free, o.lock);
      b.used = minusS(b.used, o.lock);
    }
    o.lock = '0';
    o.lockCurrency = null;
  }

  /**
   * {@link releaseLock} of a lock known to be non-zero in its currency's existing balance, whose free plus the
   * lock the caller has computed already (`freePlusLock`: the same string releaseLock's sum gives).
   */
  private releaseLockAs(o: PaperOrderState, freePlusLock: string): void {
    if (cmpS(o.lock, '0') !== 0) {
      const b = this.s.balances[o.lockCurrency!]!;
      b.free = freePlusLock;
      b.used = minusS(b.used, o.lock);
    }
    o.lock = '0';
    o.lockCurrency = null;
  }

  private close(o: PaperOrderState, status: 'canceled' | 'expired' | 'closed', ts: number): void {
    this.releaseLock(o);
    o.status = status;
    o.updatedAt = ts;
    this.openDelete(o);
    this.emitOrder(o);
  }

  /**
   * Executes a whole order at `price` (reduce-only: clipped to what it can reduce). Checks funds first and
   * changes nothing unless it can fill; the order's own lock counts as available.
   */
  private fill(o: PaperOrderState, price: Decimal, liquidity: 'maker' | 'taker', ts: number): FillOutcome {
    const m = this.cfg.markets[o.symbol]!;
    if (m.type === 'spot') return this.fillSpot(o, m, str(price), liquidity, ts);
    const rate = dec(liquidity === 'maker' ? m.makerFee : m.takerFee);
    const amount = dec(o.amount).minus(o.filled);
    const lock = dec(o.lock);
    let qty: Decimal;
    let fee: Decimal;
    let pnl = ZERO;
    let closed: PositionSide | null = null;
    {
      const pos = this.s.positions[m.symbol];
      const dir: PositionSide = o.side === 'buy' ? 'long' : 'short';
      const closing = pos && pos.side !== dir ? dmin(amount, pos.amount) : ZERO;
      const opening = o.reduceOnly ? ZERO : amount.minus(closing);
      qty = closing.plus(opening);
      if (qty.isZero()) return { ok: false, reason: 'nothing_to_reduce' };
      fee = qty.mul(price).mul(rate);
      const lev = this.leverage(m.symbol);
      let released = ZERO;
      let closedSide: PositionSide | null = null;
      if (pos && closing.gt(0)) {
        released = dec(pos.margin).mul(closing).div(pos.amount);
        // Isolated margin caps the loss of the closed part at its margin (the venue's insurance fund takes the rest).
        pnl = dmax(realizedPnl(pos.side, pos.entryPrice, price, closing), released.neg());
      }
      const openMargin = opening.mul(price).div(lev);
      const free = this.freeOf(m.quote).plus(o.lockCurrency === m.quote ? lock : 0);
      if (opening.gt(0) && free.plus(released).plus(pnl).minus(fee).lt(openMargin)) {
        return { ok: false, reason: 'insufficient', message: `amount: needs ${str(openMargin.plus(fee))} ${m.quote} (margin + fee), free ${str(free)} ${m.quote}` };
      }
      this.releaseLock(o);
      const quote = this.bal(m.quote);
      if (pos && closing.gt(0)) {
        quote.free = str(dec(quote.free).plus(released).plus(pnl));
        quote.used = str(dec(quote.used).minus(released));
        const left = dec(pos.amount).minus(closing);
        pos.realizedPnl = str(dec(pos.realizedPnl).plus(pnl));
        pos.fees = str(dec(pos.fees).plus(fee.mul(closing).div(qty)));
        pos.updatedAt = ts;
        if (left.isZero()) {
          delete this.s.positions[m.symbol];
          closedSide = pos.side;
        } else {
          pos.amount = str(left);
          pos.margin = str(dec(pos.margin).minus(released));
          this.refreshLiquidation(pos, m);
        }
      }
      quote.free = str(dec(quote.free).minus(fee));
      if (opening.gt(0)) {
        quote.free = str(dec(quote.free).minus(openMargin));
        quote.used = str(dec(quote.used).plus(openMargin));
        const cur = this.s.positions[m.symbol];
        const openFee = fee.mul(opening).div(qty);
        if (cur) {
          cur.entryPrice = str(averageEntry(cur.amount, cur.entryPrice, opening, price));
          cur.amount = str(dec(cur.amount).plus(opening));
          cur.margin = str(dec(cur.margin).plus(openMargin));
          cur.fees = str(dec(cur.fees).plus(openFee));
          cur.updatedAt = ts;
          this.refreshLiquidation(cur, m);
        } else {
          const fresh: PaperPositionState = {
            symbol: m.symbol,
            side: dir,
            amount: str(opening),
            entryPrice: str(price),
            leverage: lev,
            margin: str(openMargin),
            liquidationPrice: '0',
            realizedPnl: '0',
            fees: str(openFee),
            funding: '0',
            openedAt: ts,
            updatedAt: ts,
          };
          this.refreshLiquidation(fresh, m);
          this.s.positions[m.symbol] = fresh;
        }
      }
      closed = closedSide;
    }
    const f: PaperFill = {
      id: String(this.s.nextFillSeq++),
      orderId: o.id,
      clientOrderId: o.clientOrderId,
      symbol: o.symbol,
      side: o.side,
      price: str(price),
      amount: str(qty),
      fee: str(fee),
      feeCurrency: m.quote,
      liquidity,
      ts,
      realizedPnl: str(pnl),
      liquidation: false,
    };
    this.s.fills.push(f);
    this.s.totals.realizedPnl = str(dec(this.s.totals.realizedPnl).plus(pnl));
    this.s.totals.fees = str(dec(this.s.totals.fees).plus(fee));
    o.filled = str(dec(o.filled).plus(qty));
    o.average = str(price);
    o.fee = str(dec(o.fee).plus(fee));
    o.feeCurrency = m.quote;
    o.updatedAt = ts;
    o.status = 'closed';
    this.openDelete(o);
    return { ok: true, fill: f, closedSide: closed };
  }

  /**
   * {@link fill} on a spot market, on the decimal strings of the state: each sum, difference and product is
   * `str` of the decimal.js operation ({@link plusS} & co.: exact small-decimal arithmetic when it applies,
   * decimal.js otherwise), in the same order, so the results are the same strings.
   */
  private fillSpot(o: PaperOrderState, m: MarketInfo, price: string, liquidity: 'maker' | 'taker', ts: number): FillOutcome {
    const rate = liquidity === 'maker' ? m.makerFee : m.takerFee;
    const amount = o.filled === '0' ? o.amount : minusS(o.amount, o.filled);
    let qty: string;
    let fee: string;
    let pnl = '0';
    if (o.side === 'buy') {
      qty = amount;
      const cost = timesS(qty, price);
      fee = timesS(cost, rate);
      const free = this.s.balances[m.quote]?.free ?? '0';
      const available = o.lockCurrency === m.quote ? plusS(free, o.lock) : free;
      const need = plusS(cost, fee);
      if (cmpS(available, need) < 0) return { ok: false, reason: 'insufficient', message: `amount: needs ${need} ${m.quote} (cost + fee), free ${str(dec(available))} ${m.quote}` };
      // releaseLock(o), its free + lock being `available` when the lock is in the quote currency
      if (o.lockCurrency === m.quote && o.lock !== '0' && this.s.balances[m.quote] !== undefined) this.releaseLockAs(o, available);
      else this.releaseLock(o);
      const base = this.bal(m.base);
      const quote = this.bal(m.quote);
      const held = plusS(base.free, base.used);
      const avg = this.s.averageCost[m.base];
      this.s.averageCost[m.base] = held === '0' || avg === null || avg === undefined ? price : divS(plusS(timesS(held, avg), timesS(qty, price)), plusS(held, qty));
      quote.free = addThenSubDec(quote.free, cost, fee, -1);
      base.free = plusS(base.free, qty);
    } else {
      const free0 = this.s.balances[m.base]?.free ?? '0';
      const free = o.lockCurrency === m.base ? plusS(free0, o.lock) : free0;
      qty = o.reduceOnly && cmpS(free, amount) < 0 ? str(dec(free)) : amount;
      if (cmpS(qty, '0') === 0) return { ok: false, reason: 'nothing_to_reduce' };
      if (cmpS(free, qty) < 0) return { ok: false, reason: 'insufficient', message: `amount: needs ${str(dec(qty))} ${m.base}, free ${str(dec(free))} ${m.base}` };
      // releaseLock(o), its free + lock being `free` when the lock is in the base currency
      if (o.lockCurrency === m.base && o.lock !== '0' && this.s.balances[m.base] !== undefined) this.releaseLockAs(o, free);
      else this.releaseLock(o);
      const base = this.bal(m.base);
      const quote = this.bal(m.quote);
      const proceeds = timesS(qty, price);
      fee = timesS(proceeds, rate);
      const avg = this.s.averageCost[m.base];
      pnl = avg === null || avg === undefined ? '0' : timesS(minusS(price, avg), qty);
      base.free = minusS(base.free, qty);
      quote.free = addThenSubDec(quote.free, proceeds, fee, 1);
    }
    const f: PaperFill = {
      id: String(this.s.nextFillSeq++),
      orderId: o.id,
      clientOrderId: o.clientOrderId,
      symbol: o.symbol,
      side: o.side,
      price,
      amount: qty,
      fee,
      feeCurrency: m.quote,
      liquidity,
      ts,
      realizedPnl: pnl,
      liquidation: false,
    };
    this.s.fills.push(f);
    // x + 0 is x: the state's strings are canonical (written by str)
    if (pnl !== '0') this.s.totals.realizedPnl = plusS(this.s.totals.realizedPnl, pnl);
    this.s.totals.fees = plusS(this.s.totals.fees, fee);
    o.filled = o.filled === '0' ? qty : plusS(o.filled, qty);
    o.average = price;
    o.fee = o.fee === '0' ? fee : plusS(o.fee, fee);
    o.feeCurrency = m.quote;
    o.updatedAt = ts;
    o.status = 'closed';
    this.openDelete(o);
    return { ok: true, fill: f, closedSide: null };
  }

  /** Events and reduce-only clean-up after a successful fill that closed a position of `closedSide` (or none). */
  private afterFill(o: PaperOrderState, f: PaperFill, closedSide: PositionSide | null): void {
    const m = this.cfg.markets[o.symbol]!;
    this.emitOrder(o);
    this.events.push({ type: 'fill', fill: { ...f } });
    if (m.type === 'spot') {
      if (o.side === 'sell' && cmpS(this.balance(m.base).total, '0') === 0) {
        this.s.averageCost[m.base] = null;
        for (const other of [...this.open]) {
          const om = this.cfg.markets[other.symbol]!;
          if (other.reduceOnly && om.base === m.base) this.close(other, 'canceled', f.ts);
        }
      }
      return;
    }
    if (closedSide !== null) this.cancelGuards(m.symbol, closedSide, f.ts);
    this.emitPosition(m.symbol);
  }

  /**
   * Cancels the reduce-only orders that guarded a position of `closedSide` that is now gone (closed,
   * flipped or liquidated): the sells of a long, the buys of a short. Reduce-only orders on the other side
   * (e.g. a stop prepared for a short not yet opened) stay.
   */
  private cancelGuards(symbol: string, closedSide: PositionSide, ts: number): void {
    const guardSide: OrderSide = closedSide === 'long' ? 'sell' : 'buy';
    for (const other of [...this.open]) {
      if (other.symbol === symbol && other.reduceOnly && other.side === guardSide) this.close(other, 'canceled', ts);
    }
  }

  private refreshLiquidation(p: PaperPositionState, m: MarketInfo): void {
    const lp = liquidationPrice(p.side, p.amount, p.entryPrice, p.margin, this.cfg.maintenanceMarginRate);
    p.liquidationPrice = str(roundToStep(lp, m.priceStep, p.side === 'long' ? 'up' : 'down'));
  }

  private beyondLiquidation(p: PaperPositionState, price: Decimal): boolean {
    const lp = dec(p.liquidationPrice);
    if (lp.lte(0)) return false;
    return p.side === 'long' ? price.lte(lp) : price.gte(lp);
  }

  private touchesLiquidation(p: PaperPositionState, step: PriceStep): boolean {
    const x = p.side === 'long' ? step.low : step.high;
    return this.mayBeBeyondLiquidation(p, x) && this.beyondLiquidation(p, dec(x));
  }

  /** True when the step reaches the liquidation price no later than `point` along the adverse direction. */
  private liquidationBefore(p: PaperPositionState, step: PriceStep, point: Decimal): boolean {
    return this.touchesLiquidation(p, step) && this.beyondLiquidation(p, point);
  }

  /** Liquidates a position at its liquidation price: the whole isolated margin is lost. */
  private liquidate(p: PaperPositionState, ts: number): PaperFill {
    const m = this.cfg.markets[p.symbol]!;
    const quote = this.bal(m.quote);
    const margin = dec(p.margin);
    const lp = dec(p.liquidationPrice);
    const pnl = dmax(realizedPnl(p.side, p.entryPrice, lp, p.amount), margin.neg());
    const fee = margin.plus(pnl);
    quote.used = str(dec(quote.used).minus(margin));
    delete this.s.positions[p.symbol];
    const seq = this.s.nextOrderSeq;
    const side: OrderSide = p.side === 'long' ? 'sell' : 'buy';
    const o: PaperOrderState = {
      id: String(seq),
      clientOrderId: null,
      symbol: p.symbol,
      side,
      type: 'market',
      kind: 'regular',
      status: 'closed',
      amount: p.amount,
      filled: p.amount,
      price: null,
      average: str(lp),
      triggerPrice: null,
      reduceOnly: true,
      fee: str(fee),
      feeCurrency: m.quote,
      createdAt: ts,
      updatedAt: ts,
      seq,
      triggered: false,
      lock: '0',
      lockCurrency: null,
    };
    this.store(o);
    const f: PaperFill = {
      id: String(this.s.nextFillSeq++),
      orderId: o.id,
      clientOrderId: null,
      symbol: p.symbol,
      side,
      price: str(lp),
      amount: p.amount,
      fee: str(fee),
      feeCurrency: m.quote,
      liquidity: 'taker',
      ts,
      realizedPnl: str(pnl),
      liquidation: true,
    };
    this.s.fills.push(f);
    this.s.totals.realizedPnl = str(dec(this.s.totals.realizedPnl).plus(pnl));
    this.s.totals.fees = str(dec(this.s.totals.fees).plus(fee));
    this.emitOrder(o);
    this.events.push({ type: 'fill', fill: { ...f } });
    this.cancelGuards(p.symbol, p.side, ts);
    this.emitPosition(p.symbol);
    return { ...f };
  }

  private toPosition(p: PaperPositionState, mark?: DecimalInput): Position {
    const markPrice = mark !== undefined ? dec(mark) : this.lastPriceOf(p.symbol);
    return {
      symbol: p.symbol,
      side: p.side,
      amount: p.amount,
      entryPrice: p.entryPrice,
      markPrice: markPrice === null ? null : str(markPrice),
      leverage: p.leverage,
      marginMode: 'isolated',
      margin: p.margin,
      liquidationPrice: dec(p.liquidationPrice).isZero() ? null : p.liquidationPrice,
      unrealizedPnl: markPrice === null ? '0' : str(unrealizedPnl(p.side, p.entryPrice, markPrice, p.amount)),
      updatedAt: p.updatedAt,
    };
  }

  private emitOrder(o: PaperOrderState): void {
    this.events.push({ type: 'order', order: toOrder(o) });
  }

  private emitPosition(symbol: string): void {
    this.events.push({ type: 'position', symbol, position: this.position(symbol) });
  }
}

/** The port view of a stored order. */
function toOrder(o: PaperOrderState): Order {
  return {
    id: o.id,
    clientOrderId: o.clientOrderId,
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    kind: o.kind,
    status: o.status,
    amount: o.amount,
    filled: o.filled,
    price: o.price,
    average: o.average,
    triggerPrice: o.triggerPrice,
    reduceOnly: o.reduceOnly,
    fee: o.fee,
    feeCurrency: o.feeCurrency,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
  };
}

function reject(code: ConstructorParameters<typeof RejectedOrderError>[0], message: string): never {
  throw new RejectedOrderError(code, message);
}

function positive(v: unknown, field: string): Decimal {
  if (!isDecimalString(v)) reject('INVALID_ORDER', `${field}: must be a decimal string like "0.01", got ${JSON.stringify(v)}`);
  const d = dec(v);
  if (d.lte(0)) reject('INVALID_ORDER', `${field}: must be greater than 0, got ${v}`);
  return d;
}

function decOrReject(v: DecimalInput, field: string): Decimal {
  try {
    const d = dec(v);
    if (!d.isFinite()) throw new Error('not finite');
    return d;
  } catch {
    return reject('INVALID_ORDER', `${field}: must be a finite decimal, got ${String(v)}`);
  }
}

/**
 * `str(x)` of a float without building a decimal when its shortest representation has no exponent (then the
 * two are equal: a Decimal of a number is parsed from `String(x)`, and `toFixed()` of a plain-notation number
 * gives the same digits).
 */
function numberString(x: number): string {
  const s = String(x);
  return x === 0 || s.indexOf('e') !== -1 ? str(x) : s;
}

const stepPlacesMemo = new Map<string, number>();
/** k when a market step is the plain string of 10^-k (`1`, `0.01`, `0.00001` …), else -1 (memoised). */
function stepPlaces(step: string): number {
  let k = stepPlacesMemo.get(step);
  if (k === undefined) {
    k = step === '1' ? 0 : /^0\.0*1$/.test(step) ? step.length - 2 : -1;
    if (stepPlacesMemo.size < 1024) stepPlacesMemo.set(step, k);
  }
  return k;
}

/** `str(dec(a).plus(b))` (small-decimal.ts {@link plusDec}: exact string arithmetic when it applies, else decimal.js). */
const plusS = plusDec;
/** `str(dec(a).minus(b))` (see {@link plusS}). */
const minusS = minusDec;
/** `str(dec(a).mul(b))` (see {@link plusS}). */
const timesS = timesDec;
/** `str(dec(a).div(b))` (see {@link plusS}). */
const divS = divDec;
/** `dec(a).cmp(b)` (−1, 0, 1) (see {@link plusS}). */
const cmpS = cmpDec;

/**
 * The price of a limit or take-profit fill on the first step after its release from hold: its own level — the
 * limit price, else the trigger of a market take-profit — when the match would give a better one.
 */
function releasedPrice(o: PaperOrderState, price: Decimal): Decimal {
  const level = o.type === 'limit' ? o.price : o.triggerPrice;
  if (level === null) return price;
  const lv = dec(level);
  return o.side === 'buy' ? dmax(price, lv) : dmin(price, lv);
}

/**
 * Derived per-symbol data of an engine (performance; not state): the market and its taker fee + 1, the float
 * bounds of its open orders' levels for {@link PaperEngine.anyMayBeReached} — the highest level reached going
 * down, the lowest reached going up, whether an order is always matched and whether there is any — valid while
 * `version` equals the engine's open-orders version, and the last step close not yet written to `s.lastPrice`.
 */
interface Lane {
  m: MarketInfo;
  spot: boolean;
  takerPlus1: Decimal;
  takerPlus1S: string;
  /** The symbol's open orders in creation order (the engine's open set, per symbol). */
  orders: PaperOrderState[];
  version: number;
  down: number;
  up: number;
  always: boolean;
  any: boolean;
  /** `s.lastPrice` has an entry for the symbol (later closes may then wait in `pendingPrice`). */
  hasLast: boolean;
  /**
   * Spot: the fill sequence number (`nextFillSeq`) at which the holding's cost was found settled (known, or no
   * holding) — valid until the next fill; -1 otherwise (and always on perpetuals: their steps check positions).
   */
  costFill: number;
  pending: boolean;
  pendingPrice: number;
  pendingTs: number;
}

/**
 * Where the fill rules reach an order (performance cache of an order, kept on it under a symbol key so that
 * neither the state's JSON nor `structuredClone` carry it): the level — a limit's price (buy: reached going
 * down, sell: up), or an untriggered conditional's trigger — as a float `f` and, for a resting limit (regular,
 * or a triggered conditional limit), as a decimal `limit`; `always` when matched by every step (market orders,
 * or a missing price, which matchOrder reports). Valid while the order's `triggered` equals `triggered`.
 */
interface Reach {
  triggered: boolean;
  always: boolean;
  down: boolean;
  f: number;
  /** The resting limit's price (null for other orders) and its decimal, parsed on first use. */
  limit: string | null;
  limitD: Decimal | null;
}
const REACH = Symbol('reach');
type WithReach = PaperOrderState & { [REACH]?: Reach };

/** The {@link Reach} of an order (cached on it). */
function reachOf(o: PaperOrderState): Reach {
  const c = (o as WithReach)[REACH];
  if (c !== undefined && c.triggered === o.triggered) return c;
  let r: Reach;
  if (o.kind === 'regular' || o.triggered) {
    if (o.type === 'market' || o.price === null) r = { triggered: o.triggered, always: true, down: false, f: NaN, limit: null, limitD: null };
    else r = { triggered: o.triggered, always: false, down: o.side === 'buy', f: Number(o.price), limit: o.price, limitD: null };
  } else if (o.triggerPrice === null) r = { triggered: o.triggered, always: true, down: false, f: NaN, limit: null, limitD: null };
  else r = { triggered: o.triggered, always: false, down: triggerDirection(o.kind, o.side) === 'down', f: Number(o.triggerPrice), limit: null, limitD: null };
  if (r.f !== r.f && !r.always) r.always = true;
  (o as WithReach)[REACH] = r;
  return r;
}

/**
 * {@link matchOrder} of a resting limit order (`r.limit` set) decided with floats where they are exact: the
 * step reaches the limit P going down when `Number(P) > low` (rounding to floats is monotonic, and a float's
 * decimal is its shortest representation), not when `Number(P) < low`; likewise up with the high; and the
 * reach point min(P, open) (max going up) is P when `Number(P) < open` (`>` going up). Then the fill is at P
 * itself, maker: the limit is on the tick (placeOrder checks it), so rounding it against the trader and
 * capping it at the limit give P ({@link limitMatch}). Returns true for such a fill, false when the step does
 * not reach the order, undefined when a float comparison ties (the caller runs matchOrder) — exactly as
 * matchOrder would decide.
 */
function limitReached(r: Reach, step: PriceStep): boolean | undefined {
  const f = r.f;
  if (r.down) {
    if (f < step.low) return false;
    if (!(f > step.low) || !(f < step.open)) return undefined;
  } else {
    if (f > step.high) return false;
    if (!(f < step.high) || !(f > step.open)) return undefined;
  }
  return true;
}

/** The {@link OrderMatch} of a resting limit filled at its own price (see {@link limitReached}). */
function limitMatch(r: Reach): OrderMatch {
  const p = (r.limitD ??= dec(r.limit!));
  return { price: p, point: p, liquidity: 'maker', triggered: false };
}
