/**
 * Settling the funding of a perpetual position that fell due between two price updates. Shared by the paper
 * exchange (live feed) and the backtester (candles), so both settle the same events at the same marks.
 *
 * Rule: before a price step of a perpetual symbol at time `now`, every funding event with
 * `checkedAt < ts ≤ now` is applied to the symbol's position ({@link PaperEngine.applyFunding}) at the
 * engine's last price of the symbol (the mark of the simulation: the previous step's close), oldest first —
 * but only when a position exists at that moment (events while flat are skipped for good). The symbol's
 * checkpoint then moves to `now`. A first check (no checkpoint yet) settles nothing.
 */
import type { DecimalString } from '@osprey/shared';
import type { FundingPayment, PaperEngine } from './paper-engine.js';

/** A funding settlement of a perpetual: time (Unix ms) and rate (fraction; positive = longs pay). */
export interface FundingRateEvent {
  ts: number;
  rate: DecimalString;
}

/** Outcome of {@link settleFundingDue}. */
export interface FundingSettlement {
  /** The symbol's new checkpoint (always `now`). */
  checkedAt: number;
  /** Settlements applied, oldest first (also recorded and emitted by the engine). */
  payments: FundingPayment[];
}

/**
 * Settles the funding events of `symbol` due in `(checkedAt, now]` (see the module doc).
 * @param engine the paper engine holding the position (mutated through `applyFunding`)
 * @param symbol perpetual market symbol, e.g. `BTC/USDT:USDT`
 * @param checkedAt time up to which funding was settled (Unix ms), or undefined before the first check
 * @param now the time of the coming price step (Unix ms)
 * @param between the funding events with `from < ts ≤ to`, oldest first; only called when a position
 *   exists and `now > checkedAt`
 * @throws RejectedOrderError from `applyFunding` on a bad rate (`INVALID_ORDER`) or an unknown symbol
 */
export function settleFundingDue(
  engine: PaperEngine,
  symbol: string,
  checkedAt: number | undefined,
  now: number,
  between: (from: number, to: number) => Iterable<FundingRateEvent>,
): FundingSettlement {
  const from = checkedAt ?? now;
  const payments: FundingPayment[] = [];
  if (now <= from || engine.positionState(symbol) === null) return { checkedAt: now, payments };
  for (const ev of between(from, now)) {
    const mark = engine.lastPrice(symbol)?.price;
    if (mark === undefined) continue;
    const p = engine.applyFunding(symbol, ev.rate, mark, ev.ts);
    if (p) payments.push(p);
  }
  return { checkedAt: now, payments };
}
