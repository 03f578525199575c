import { TIMEFRAME_MS, type Candle, type CandleTimeframe, type Timeframe } from '@osprey/shared';

/** Thrown when a candle row is malformed. `row` is 0-based in the input, `field` names the offending column. */
export class CandleValidationError extends Error {
  override readonly name = 'CandleValidationError';
  /**
   * @param row 0-based index of the offending candle in its input
   * @param field column name (`ts`, `open`, `high`, `low`, `close`, `volume`)
   * @param reason human description
   */
  constructor(
    readonly row: number,
    readonly field: keyof Candle,
    readonly reason: string,
  ) {
    super(`candle row ${row}: field "${field}" ${reason}`);
  }
}

const PRICE_FIELDS = ['open', 'high', 'low', 'close'] as const;

/**
 * Validates one candle against its timeframe: finite positive prices, non-negative finite volume,
 * low ≤ open/close ≤ high, open time aligned to the timeframe boundary (UTC).
 * @param c candle to check
 * @param timeframe its timeframe (alignment check)
 * @param row index used in the error message
 * @throws CandleValidationError naming the row and field
 */
export function validateCandle(c: Candle, timeframe: CandleTimeframe, row: number): void {
  if (!Number.isSafeInteger(c.ts) || c.ts < 0) throw new CandleValidationError(row, 'ts', 'must be a non-negative integer of Unix milliseconds');
  if (c.ts % TIMEFRAME_MS[timeframe] !== 0) {
    throw new CandleValidationError(row, 'ts', `is not aligned to a ${timeframe} boundary (${c.ts})`);
  }
  for (const f of PRICE_FIELDS) {
    const v = c[f];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new CandleValidationError(row, f, `must be a finite number (got ${String(v)})`);
    if (v <= 0) throw new CandleValidationError(row, f, `must be positive (got ${v})`);
  }
  if (typeof c.volume !== 'number' || !Number.isFinite(c.volume) || c.volume < 0) {
    throw new CandleValidationError(row, 'volume', `must be a finite non-negative number (got ${String(c.volume)})`);
  }
  if (c.high < c.low) throw new CandleValidationError(row, 'high', `is below low (${c.high} < ${c.low})`);
  if (c.open > c.high || c.close > c.high) throw new CandleValidationError(row, 'high', `is below open/close (${c.high})`);
  if (c.open < c.low || c.close < c.low) throw new CandleValidationError(row, 'low', `is above open/close (${c.low})`);
}

/**
 * Validates a series: every candle (see {@link validateCandle}) and strictly increasing open times.
 * @throws CandleValidationError naming the first bad row and field
 */
export function validateCandles(candles: readonly Candle[], timeframe: CandleTimeframe): void {
  let prev = -Infinity;
  candles.forEach((c, i) => {
    validateCandle(c, timeframe, i);
    if (c.ts <= prev) throw new CandleValidationError(i, 'ts', `is out of order (${c.ts} after ${prev})`);
    prev = c.ts;
  });
}

/**
 * Open time of the `timeframe` candle containing instant `t` (UTC boundaries).
 * @param t Unix ms
 */
export function bucketStart(t: number, timeframe: Timeframe): number {
  const len = TIMEFRAME_MS[timeframe];
  return Math.floor(t / len) * len;
}

/**
 * Aggregates consecutive lower-timeframe candles into `target` candles (open of first, max high, min low,
 * close of last, sum of volume), grouping by UTC bucket. The last bucket may be partial (in progress).
 * @param candles ascending, same lower timeframe
 */
export function aggregateCandles(candles: readonly Candle[], target: Timeframe): Candle[] {
  const out: Candle[] = [];
  let cur: Candle | undefined;
  for (const c of candles) {
    const b = bucketStart(c.ts, target);
    if (!cur || cur.ts !== b) {
      cur = { ts: b, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume };
      out.push(cur);
    } else {
      if (c.high > cur.high) cur.high = c.high;
      if (c.low < cur.low) cur.low = c.low;
      cur.close = c.close;
      cur.volume += c.volume;
    }
  }
  return out;
}
