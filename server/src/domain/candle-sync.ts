/**
 * Pure rules of live candle sync: which fetched candles are closed, and how long to back off after
 * a temporary exchange failure. Times are Unix ms UTC.
 */
import { TIMEFRAME_MS, type Candle, type CandleTimeframe } from '@osprey/shared';

/** A candle is closed once its whole interval has elapsed: `ts + timeframe length ≤ now`. */
export function isClosed(ts: number, timeframe: CandleTimeframe, now: number): boolean {
  return ts + TIMEFRAME_MS[timeframe] <= now;
}

/**
 * Splits candles fetched at `now` into closed ones and the one still forming (the candle whose
 * interval contains `now`). Candles opening after `now` are dropped.
 * @param candles ascending by open time
 * @returns `closed` in input order; `forming` or `undefined` when the fetch did not include it
 */
export function splitClosed(
  candles: readonly Candle[],
  timeframe: CandleTimeframe,
  now: number,
): { closed: Candle[]; forming: Candle | undefined } {
  const closed: Candle[] = [];
  let forming: Candle | undefined;
  for (const c of candles) {
    if (isClosed(c.ts, timeframe, now)) closed.push(c);
    else if (c.ts <= now) forming = c;
  }
  return { closed, forming };
}

/** Default first retry delay after a temporary failure, ms. */
export const BACKOFF_BASE_MS = 1_000;
/** Default longest retry delay, ms (5 minutes). */
export const BACKOFF_CAP_MS = 5 * 60_000;

/**
 * Exponential backoff: the delay before the next attempt after `failures` consecutive failures,
 * `base · 2^(failures−1)` capped at `cap` → 1 s, 2 s, 4 s, … 5 min by default.
 * @param failures consecutive failures so far (≥ 1; 0 or less gives 0)
 * @returns delay in ms
 */
export function backoffDelayMs(failures: number, baseMs: number = BACKOFF_BASE_MS, capMs: number = BACKOFF_CAP_MS): number {
  if (failures <= 0) return 0;
  // 2^(failures-1) overflows to Infinity for huge counts; min() still gives the cap.
  return Math.min(capMs, baseMs * 2 ** (failures - 1));
}
