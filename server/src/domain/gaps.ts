/**
 * Pure planning of candle synchronisation: which open times are missing from a store, how to page the
 * requests that fetch them, and which window a backfill covers. All times are Unix ms UTC; candle open
 * times sit on multiples of the timeframe length (UTC boundaries, as on Binance for 15m..1d).
 */
import { TIMEFRAME_MS, type CandleTimeframe } from '@osprey/shared';

/** Inclusive range of candle open times `[first, last]`, Unix ms, both on the timeframe grid. */
export type TsRange = [first: number, last: number];

/** One exchange request of a paged fetch: fetch `limit` candles starting at open time `since` (Unix ms). */
export interface PageRequest {
  since: number;
  limit: number;
}

function checkStep(tfMs: number): void {
  if (!Number.isSafeInteger(tfMs) || tfMs <= 0) throw new RangeError(`timeframe length must be a positive integer of ms (got ${tfMs})`);
}

/** Smallest multiple of `step` that is ≥ `t`. */
function alignUp(t: number, step: number): number {
  return Math.ceil(t / step) * step;
}

/** Largest multiple of `step` that is ≤ `t`. */
function alignDown(t: number, step: number): number {
  return Math.floor(t / step) * step;
}

/**
 * Finds the open times missing from `tsList` on the grid of multiples of `tfMs` within `[from, to]`.
 * Entries outside the window or off the grid are ignored; duplicates are harmless.
 * @param tsList stored open times, Unix ms, ascending
 * @param tfMs timeframe length, ms
 * @param from first wanted open time, Unix ms (rounded up to the grid)
 * @param to last wanted open time, Unix ms, inclusive (rounded down to the grid)
 * @returns missing ranges, ascending, each `[first, last]` inclusive; `[]` when nothing is missing or the window is empty
 * @throws RangeError when `tfMs` is not a positive integer or `tsList` is not ascending
 */
export function findGaps(tsList: readonly number[], tfMs: number, from: number, to: number): TsRange[] {
  checkStep(tfMs);
  const first = alignUp(from, tfMs);
  const last = alignDown(to, tfMs);
  const gaps: TsRange[] = [];
  let expected = first; // next open time not yet known to be present
  let prev = -Infinity;
  for (const ts of tsList) {
    if (ts < prev) throw new RangeError(`open times must be ascending (${ts} after ${prev})`);
    prev = ts;
    if (ts < expected || ts > last || ts % tfMs !== 0) continue;
    if (ts > expected) gaps.push([expected, ts - tfMs]);
    expected = ts + tfMs;
  }
  if (expected <= last) gaps.push([expected, last]);
  return gaps;
}

/**
 * The next request of a paged fetch of the open-time range `[since, to]`: at most `pageLimit` candles
 * starting at `since`. Callers advance `since` to the open time after the last candle a page returned
 * (exchanges may return fewer candles than asked, e.g. across an outage or a lower cap), so the requests
 * of a complete range are `⌈n / pageLimit⌉` pages of `pageLimit` and one remainder.
 * @param since first open time still to fetch, Unix ms, on the `tfMs` grid
 * @param to last wanted open time, Unix ms, inclusive, on the grid
 * @param tfMs timeframe length, ms
 * @param pageLimit maximum candles per request (≥ 1)
 * @returns the request, or `null` when `since > to` (nothing left)
 * @throws RangeError on a bad `tfMs`/`pageLimit` or bounds off the grid
 */
export function nextPage(since: number, to: number, tfMs: number, pageLimit: number): PageRequest | null {
  checkStep(tfMs);
  if (!Number.isSafeInteger(pageLimit) || pageLimit < 1) throw new RangeError(`pageLimit must be a positive integer (got ${pageLimit})`);
  if (since % tfMs !== 0 || to % tfMs !== 0) throw new RangeError(`range [${since}, ${to}] is not on the ${tfMs} ms grid`);
  if (since > to) return null;
  return { since, limit: Math.min(pageLimit, (to - since) / tfMs + 1) };
}

/**
 * Open time (Unix ms) of the newest candle that is closed at `now`, i.e. the candle before the one
 * containing `now`. A candle is closed when `ts + tfMs ≤ now`.
 */
export function lastClosedOpen(now: number, timeframe: CandleTimeframe): number {
  const len = TIMEFRAME_MS[timeframe];
  return alignDown(now, len) - len;
}

/**
 * The open-time window a backfill keeps complete: from the first candle opening at or after
 * `now − days` to the last closed candle at `now`.
 * @param now Unix ms
 * @param days backfill depth in days (0 → empty window)
 * @returns `{ from, to }` open times, Unix ms inclusive; `from > to` when the window is empty
 */
export function backfillWindow(now: number, timeframe: CandleTimeframe, days: number): { from: number; to: number } {
  const to = lastClosedOpen(now, timeframe);
  if (!(days > 0)) return { from: to + TIMEFRAME_MS[timeframe], to };
  return { from: alignUp(now - days * 86_400_000, TIMEFRAME_MS[timeframe]), to };
}
