/**
 * Price-triggered entries (the seed's PendingOrderManager), pure part: which pending orders a price step
 * triggers or expires. The service applies the outcome exactly once (conditional status update).
 */
import Decimal from 'decimal.js';

/**
 * Statuses of a pending order (the same as the shared `PENDING_ORDER_STATUSES`): `FAILED` is a fired order that
 * opened no trade (its `error` says why).
 */
export const PENDING_STATUSES = ['PENDING', 'TRIGGERED', 'FAILED', 'CANCELLED', 'EXPIRED'] as const;
/** One of {@link PENDING_STATUSES}. */
export type PendingStatus = (typeof PENDING_STATUSES)[number];

/** The part of a pending order the trigger logic needs. */
export interface PendingTrigger {
  id: string;
  symbol: string;
  triggerPrice: string;
  /** Fire when price rises to the trigger (`above`) or falls to it (`below`). */
  direction: 'above' | 'below';
  /** Unix ms. */
  expiresAt: number;
  status: PendingStatus;
}

/** A price step: the range traded since the previous step, ending at `ts` (Unix ms). */
export interface PriceRange {
  symbol: string;
  ts: number;
  high: number | string;
  low: number | string;
}

/** Default lifetime of a pending order: 1 hour. */
export const DEFAULT_PENDING_TTL_MS = 3_600_000;

/**
 * Direction implied by where the trigger sits relative to the current price (the form's default suggestion;
 * the order keeps the trader's choice, see {@link checkDirection}): a trigger above the market fires on a rise,
 * one below fires on a fall.
 * @throws RangeError when the trigger equals the current price (it would fire at once; place a market order)
 */
export function directionFor(triggerPrice: string, currentPrice: string): 'above' | 'below' {
  const c = new Decimal(triggerPrice).comparedTo(currentPrice);
  if (c === 0) throw new RangeError('triggerPrice: equals the current price: place a market order instead');
  return c > 0 ? 'above' : 'below';
}

/** Words for a direction in messages: `crosses above` / `crosses below`. */
export function directionWords(direction: 'above' | 'below'): string {
  return direction === 'above' ? 'crosses above' : 'crosses below';
}

/**
 * Checks the trader's chosen direction against the current price: `above` needs the trigger strictly above the
 * current price, `below` strictly below it. A trigger on the other side (or at the price) is already reached,
 * so the order would fire on the next price step: it is refused rather than fired at once.
 * @param triggerPrice decimal string, quote
 * @param currentPrice decimal string, quote (the account's last price of the symbol)
 * @throws RangeError `triggerPrice: …` naming both prices and what to do instead
 */
export function checkDirection(direction: 'above' | 'below', triggerPrice: string, currentPrice: string): void {
  const c = new Decimal(triggerPrice).comparedTo(currentPrice);
  const cur = new Decimal(currentPrice).toFixed();
  if (c === 0) throw new RangeError(`triggerPrice: equals the current price ${cur} and would trigger at once: place a market order instead`);
  if (direction === 'above' && c < 0) {
    throw new RangeError(
      `triggerPrice: ${triggerPrice} is below the current price ${cur}, so "${directionWords('above')}" would trigger at once: choose a trigger above ${cur}, or "${directionWords('below')}"`,
    );
  }
  if (direction === 'below' && c > 0) {
    throw new RangeError(
      `triggerPrice: ${triggerPrice} is above the current price ${cur}, so "${directionWords('below')}" would trigger at once: choose a trigger below ${cur}, or "${directionWords('above')}"`,
    );
  }
}

/**
 * Splits the PENDING orders of `step.symbol` into those the step expires (step end ≥ expiresAt, checked
 * first: an order cannot fire after its expiry) and those it triggers (high ≥ trigger for `above`,
 * low ≤ trigger for `below`). Orders of other symbols or not PENDING are ignored.
 */
export function evaluatePending<T extends PendingTrigger>(orders: readonly T[], step: PriceRange): { triggered: T[]; expired: T[] } {
  const triggered: T[] = [];
  const expired: T[] = [];
  for (const o of orders) {
    if (o.status !== 'PENDING' || o.symbol !== step.symbol) continue;
    if (step.ts >= o.expiresAt) {
      expired.push(o);
      continue;
    }
    const hit = o.direction === 'above' ? new Decimal(step.high).gte(o.triggerPrice) : new Decimal(step.low).lte(o.triggerPrice);
    if (hit) triggered.push(o);
  }
  return { triggered, expired };
}

/** Pending orders expired at `now` (Unix ms), for a clock-driven sweep without a price step. */
export function expiredAt<T extends PendingTrigger>(orders: readonly T[], now: number): T[] {
  return orders.filter((o) => o.status === 'PENDING' && now >= o.expiresAt);
}
