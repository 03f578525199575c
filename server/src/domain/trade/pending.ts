/**
 * Price-triggered entries (the seed's PendingOrderManager), pure part: which pending orders a price step
 * triggers or expires. The service applies the outcome exactly once (conditional status update).
 */
import Decimal from 'decimal.js';

/** Statuses of a pending order. */
export const PENDING_STATUSES = ['PENDING', 'TRIGGERED', 'CANCELLED', 'EXPIRED'] as const;
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
 * Direction implied by where the trigger sits relative to the current price: a trigger above the market
 * fires on a rise, one below fires on a fall.
 * @throws RangeError when the trigger equals the current price (it would fire at once; place a market order)
 */
export function directionFor(triggerPrice: string, currentPrice: string): 'above' | 'below' {
  const c = new Decimal(triggerPrice).comparedTo(currentPrice);
  if (c === 0) throw new RangeError('triggerPrice: equals the current price; place a market order instead');
  return c > 0 ? 'above' : 'below';
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
