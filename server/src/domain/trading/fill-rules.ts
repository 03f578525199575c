/**
 * Fill rules shared by the paper exchange and the backtester: how an order fills against a **price step**,
 * the market's movement over an interval (a whole candle in a backtest; in paper mode the path traversed
 * since the previous live update). Pure and deterministic: same steps → same fills.
 *
 * Rules (prices in quote; slippage in basis points, adverse: a buy pays more, a sell gets less):
 * - market order: fills at the step's open ± slippage when it waits for a step (an order placed before any
 *   price is known); the paper engine — in paper mode and in backtests alike — fills it at once at the
 *   current price (the close of the last step) instead; taker;
 * - limit buy at P: fills on the first step with low ≤ P, at min(P, open); limit sell at Q: high ≥ Q, at
 *   max(Q, open); maker;
 * - stop-loss (kind `stop_loss`): a sell stop at S (closes a long) triggers when low ≤ S and fills at
 *   min(S, open) − slippage; a buy stop (closes a short) triggers when high ≥ S, fills at max(S, open) +
 *   slippage; taker;
 * - take-profit (kind `take_profit`): like a limit at T: a sell TP triggers when high ≥ T, fills at
 *   max(T, open); a buy TP when low ≤ T, at min(T, open); maker, no slippage;
 * - a conditional order of type `limit` (stop-limit / take-profit-limit) fills at the trigger point when
 *   its limit `price` is marketable there, else it rests as a plain limit from the next step on;
 * - fill prices are rounded to the market's tick, against the trader (buy up, sell down), never past a
 *   limit price;
 * - order of processing within a step: {@link processingOrder} (creation sequence, a position's stop-losses
 *   before its take-profits: when both are touched in one step the stop-loss is assumed first; the
 *   take-profit is then cancelled by the engine since its position is gone).
 *
 * Parity: a whole-candle step cannot know whether the high or the low came first, hence the conservative
 * SL-first rule. The replay feed walks each candle along open → low → high → close (rising) or
 * open → high → low → close (falling); feeding the backtest the three legs of that path
 * ({@link candlePath}) instead of whole candles gives exactly the fills a paper run over the replay's
 * forming-candle updates ({@link stepFromCandleUpdate}) gives for orders resting before the candle starts.
 */
import type { Candle, OrderKind, OrderSide, OrderType } from '@osprey/shared';
import type Decimal from 'decimal.js';
import { Dec, dmax, dmin, roundToStep, type DecimalInput } from './precision.js';

/**
 * The market's movement over one interval. Prices are floats as candles carry them (converted to decimals
 * by their shortest representation); `ts` is when the step is observed (Unix ms) and becomes the fills' time.
 */
export interface PriceStep {
  /** Market symbol the step belongs to (the engine's market, e.g. `BTC/USDT:USDT`). */
  symbol: string;
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

/** What the fill rules need to know of an order. Prices are decimal strings. */
export interface MatchableOrder {
  side: OrderSide;
  type: OrderType;
  kind: OrderKind;
  /** Limit price (type `limit`). */
  price: string | null;
  /** Trigger of a `stop_loss` / `take_profit`. */
  triggerPrice: string | null;
  /** A conditional limit order that already triggered and now rests as a plain limit. */
  triggered?: boolean;
}

/** Options of {@link matchOrder}. */
export interface FillRuleOptions {
  /** Slippage of market and stop-loss fills, basis points (5 = 0.05 %). */
  slippageBps: DecimalInput;
  /** Tick size; when given, fill prices are rounded to it against the trader. */
  priceStep?: DecimalInput | null;
}

/** Outcome of {@link matchOrder} for an order the step reached. */
export interface OrderMatch {
  /** Execution price (slippage applied, tick-rounded); null when a conditional limit only triggered. */
  price: Decimal | null;
  /** Where on the step the order was reached, before slippage (orders liquidation against fills). */
  point: Decimal;
  liquidity: 'maker' | 'taker';
  /** True when a conditional order triggered in this step. */
  triggered: boolean;
}

/** Direction in which the price must move to reach a level: `down` (low ≤ level) or `up` (high ≥ level). */
export type Direction = 'down' | 'up';

/**
 * The direction a conditional order triggers in: sell stop-loss and buy take-profit trigger on a fall,
 * buy stop-loss and sell take-profit on a rise.
 * @throws Error for a `regular` order
 */
export function triggerDirection(kind: OrderKind, side: OrderSide): Direction {
  if (kind === 'stop_loss') return side === 'sell' ? 'down' : 'up';
  if (kind === 'take_profit') return side === 'sell' ? 'up' : 'down';
  throw new Error('kind: regular orders have no trigger');
}

/** True when the step reaches `level` moving in `dir` (inclusive). */
export function reaches(dir: Direction, level: DecimalInput, step: PriceStep): boolean {
  return dir === 'down' ? new Dec(step.low).lte(level) : new Dec(step.high).gte(level);
}

/** The first price at which a step reaching `level` in `dir` trades there or beyond: min/max(level, open). */
export function reachPoint(dir: Direction, level: DecimalInput, step: PriceStep): Decimal {
  return dir === 'down' ? dmin(level, step.open) : dmax(level, step.open);
}

/**
 * Applies adverse slippage: a buy pays `price × (1 + bps/10⁴)`, a sell gets `price × (1 − bps/10⁴)`, then
 * rounds to `priceStep` against the trader (buy up, sell down) when given.
 */
export function slipped(side: OrderSide, price: DecimalInput, slippageBps: DecimalInput, priceStep?: DecimalInput | null): Decimal {
  const f = new Dec(slippageBps).div(10_000);
  const p = new Dec(price).mul(side === 'buy' ? f.plus(1) : new Dec(1).minus(f));
  return adverse(side, p, priceStep);
}

/** Rounds `price` to the tick against the trader (buy up, sell down); unchanged without a tick. */
export function adverse(side: OrderSide, price: DecimalInput, priceStep?: DecimalInput | null): Decimal {
  if (priceStep === undefined || priceStep === null) return new Dec(price);
  return roundToStep(price, priceStep, side === 'buy' ? 'up' : 'down');
}

/** A limit fill at `point`, tick-rounded against the trader but never past the limit `limit`. */
function limitFill(side: OrderSide, point: Decimal, limit: Decimal, priceStep?: DecimalInput | null): Decimal {
  const p = adverse(side, point, priceStep);
  return side === 'buy' ? dmin(p, limit) : dmax(p, limit);
}

/**
 * Matches one order against one step (see the module doc for the rules).
 * @returns the fill (or trigger) the step causes, or null when the step does not reach the order
 * @throws Error when the order lacks the price its type/kind needs
 */
export function matchOrder(order: MatchableOrder, step: PriceStep, opts: FillRuleOptions): OrderMatch | null {
  const tick = opts.priceStep ?? null;
  if (order.kind === 'regular' || order.triggered) {
    if (order.type === 'market') {
      const point = new Dec(step.open);
      return { price: slipped(order.side, point, opts.slippageBps, tick), point, liquidity: 'taker', triggered: false };
    }
    const limit = requirePrice(order.price, 'price');
    const dir: Direction = order.side === 'buy' ? 'down' : 'up';
    if (!reaches(dir, limit, step)) return null;
    const point = reachPoint(dir, limit, step);
    return { price: limitFill(order.side, point, limit, tick), point, liquidity: 'maker', triggered: false };
  }
  const trigger = requirePrice(order.triggerPrice, 'triggerPrice');
  const dir = triggerDirection(order.kind, order.side);
  if (!reaches(dir, trigger, step)) return null;
  const point = reachPoint(dir, trigger, step);
  const liquidity = order.kind === 'stop_loss' ? 'taker' : 'maker';
  if (order.type === 'market') {
    const price = order.kind === 'stop_loss' ? slipped(order.side, point, opts.slippageBps, tick) : adverse(order.side, point, tick);
    return { price, point, liquidity, triggered: true };
  }
  const limit = requirePrice(order.price, 'price');
  const marketable = order.side === 'buy' ? point.lte(limit) : point.gte(limit);
  return { price: marketable ? limitFill(order.side, point, limit, tick) : null, point, liquidity, triggered: true };
}

function requirePrice(v: string | null, field: string): Decimal {
  if (v === null) throw new Error(`${field}: required by this order type`);
  return new Dec(v);
}

/** The minimum an order needs for {@link processingOrder}. */
export interface SequencedOrder {
  seq: number;
  symbol: string;
  side: OrderSide;
  kind: OrderKind;
}

/**
 * The deterministic order in which a step processes open orders: by creation sequence, except that a
 * take-profit is moved behind every stop-loss of the same position — same symbol and side (a sell
 * stop-loss and a sell take-profit guard the same long) — so that when one step touches both the
 * stop-loss is assumed first. Returns a new array.
 */
export function processingOrder<T extends SequencedOrder>(orders: readonly T[]): T[] {
  const lastStop = new Map<string, number>();
  const pos = (o: T) => `${o.symbol}\u0000${o.side}`;
  for (const o of orders) if (o.kind === 'stop_loss') lastStop.set(pos(o), Math.max(lastStop.get(pos(o)) ?? -Infinity, o.seq));
  const key = (o: T): [number, number] => (o.kind === 'take_profit' ? [Math.max(o.seq, lastStop.get(pos(o)) ?? -Infinity), 1] : [o.seq, 0]);
  return [...orders].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka[0] - kb[0] || ka[1] - kb[1] || a.seq - b.seq;
  });
}

/**
 * The step between two consecutive updates of a symbol's forming candle (cumulative high/low within the
 * candle, as the replay and live feeds emit them).
 * - Same candle (`prev.ts === next.ts`): open = previous close, close = new close; high/low span both
 *   closes plus the candle's new high (low) when it rose above (fell below) the previous update's.
 * - New candle (different ts) or no previous update: the candle so far, from its own open.
 * @param prev the previous update of this symbol (null at the first one)
 * @param next the new update
 * @param symbol the market symbol to stamp on the step
 * @param ts when the update is observed (Unix ms); default the candle's open time
 * @param out when given, the step is written into this object and returned (no allocation: the backtester
 *   reuses one step object per symbol)
 */
export function stepFromCandleUpdate(prev: Candle | null, next: Candle, symbol: string, ts: number = next.ts, out?: PriceStep): PriceStep {
  let open: number;
  let high: number;
  let low: number;
  if (!prev || prev.ts !== next.ts) {
    open = next.open;
    high = next.high;
    low = next.low;
  } else {
    open = prev.close;
    high = Math.max(prev.close, next.close);
    low = Math.min(prev.close, next.close);
    if (next.high > prev.high) high = Math.max(high, next.high);
    if (next.low < prev.low) low = Math.min(low, next.low);
  }
  if (!out) return { symbol, ts, open, high, low, close: next.close };
  out.symbol = symbol;
  out.ts = ts;
  out.open = open;
  out.high = high;
  out.low = low;
  out.close = next.close;
  return out;
}

/** A whole candle as one step (the classic backtest step). */
export function stepFromCandle(candle: Candle, symbol: string, ts: number = candle.ts): PriceStep {
  return { symbol, ts, open: candle.open, high: candle.high, low: candle.low, close: candle.close };
}

/**
 * The three monotonic legs of a candle along the replay feed's path — open → low → high → close for a
 * rising candle (close ≥ open), open → high → low → close for a falling one — as steps. Backtesting over
 * these legs resolves SL-vs-TP by the path and matches a paper run over the replay exactly.
 * @param ts time stamped on the legs; default the candle's open time
 */
export function candlePath(candle: Candle, symbol: string, ts: number = candle.ts): PriceStep[] {
  const rising = candle.close >= candle.open;
  const path = rising ? [candle.open, candle.low, candle.high, candle.close] : [candle.open, candle.high, candle.low, candle.close];
  const legs: PriceStep[] = [];
  for (let i = 0; i < 3; i++) {
    const a = path[i]!;
    const b = path[i + 1]!;
    legs.push({ symbol, ts, open: a, high: Math.max(a, b), low: Math.min(a, b), close: b });
  }
  return legs;
}
