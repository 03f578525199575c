/**
 * Incremental Wilder ATR with a plain-JSON state (for strategies, whose state must persist as JSON).
 *
 * Definition (TA-Lib `ATR`, ta_ATR.c; J. Welles Wilder, *New Concepts in Technical Trading Systems*, 1978):
 * - true range of candle i ≥ 1: `TR = max(high − low, |high − prevClose|, |low − prevClose|)`; the first
 *   candle has no previous close and only seeds `prevClose` (TA-Lib starts its TRs at candle 1);
 * - the first ATR is the mean of the first n true ranges (available after n + 1 candles);
 * - then `ATR = (prevATR × (n − 1) + TR) / n`.
 *
 * Numbers are IEEE doubles like the rest of the indicator module (candle prices are numbers); callers that
 * derive money from the ATR convert to decimals and round to the market's steps.
 */
import type { Candle } from '@osprey/shared';

/** Running state of {@link updateAtr} (plain JSON). */
export interface AtrState {
  /** Period n (candles). */
  period: number;
  /** Close of the last candle seen, or null before the first. */
  prevClose: number | null;
  /** True ranges summed so far while seeding (≤ n). */
  seedCount: number;
  /** Σ of those true ranges. */
  seedSum: number;
  /** Current ATR (price units), or null before n true ranges were seen. */
  atr: number | null;
}

/**
 * A fresh ATR state.
 * @param period n, integer ≥ 1
 * @throws RangeError naming `period` when it is not an integer ≥ 1
 */
export function initialAtrState(period: number): AtrState {
  if (!Number.isInteger(period) || period < 1) throw new RangeError('period: must be an integer ≥ 1');
  return { period, prevClose: null, seedCount: 0, seedSum: 0, atr: null };
}

/** True range of a candle after a close `prevClose`: `max(high − low, |high − prevClose|, |low − prevClose|)`. */
export function trueRange(candle: Pick<Candle, 'high' | 'low'>, prevClose: number): number {
  return Math.max(candle.high - candle.low, Math.abs(candle.high - prevClose), Math.abs(candle.low - prevClose));
}

/**
 * Folds one closed candle into the state (pure: returns a new state). See the module doc for the formula.
 * @throws RangeError naming `candle` when high, low or close is not a finite number
 */
export function updateAtr(state: AtrState, candle: Pick<Candle, 'high' | 'low' | 'close'>): AtrState {
  if (![candle.high, candle.low, candle.close].every(Number.isFinite)) throw new RangeError('candle: high, low and close must be finite numbers');
  const next: AtrState = { ...state, prevClose: candle.close };
  if (state.prevClose === null) return next;
  const tr = trueRange(candle, state.prevClose);
  const n = state.period;
  if (state.atr !== null) {
    next.atr = (state.atr * (n - 1) + tr) / n;
    return next;
  }
  next.seedCount = state.seedCount + 1;
  next.seedSum = state.seedSum + tr;
  if (next.seedCount === n) next.atr = next.seedSum / n;
  return next;
}
