/**
 * SMA-seeded exponential average with in-progress replacement, as TA-Lib defines it; also Wilder's smoothing.
 *
 * TA-Lib `EMA` (ta_EMA.c): the first output, at input index `n − 1`, is the simple average of the first `n`
 * inputs; after that `ema = (x − prev)·α + prev` with α = 2/(n+1). With α = 1/n ({@link SmaSeededEma.wilder})
 * this is Wilder's smoothing as TA-Lib's RSI/ATR/ADX use it (SMA seed, then `(prev·(n−1) + x)/n`).
 * trading-signals' `EMA` instead seeds with the first input (its warm-up only hides the values), so its early
 * values differ; its `WSMA` matches Wilder but re-averages a shifted array on every update (see engine.ts).
 *
 * Like all kernels here it signals "not warmed up" with NaN, not null: a `number | null` field or return
 * value makes V8 box every double on the heap, which dominated the batch time.
 */
export class SmaSeededEma {
  /** Smoothing factor α. */
  readonly alpha: number;
  /** Output: the average including the latest input, NaN before `period` inputs. Read-only for callers. */
  value = NaN;
  // Committed state: after the last final (no longer replaceable) input.
  private count = 0;
  private sum = 0;
  private prev = NaN;
  // Pending state: including the latest input, which a `replace` update may still overwrite.
  private pCount = 0;
  private pSum = 0;

  /**
   * @param period number of inputs n (≥ 1)
   * @param alpha smoothing factor; defaults to the EMA's 2/(n+1) (pass 1/n for Wilder smoothing)
   * @throws RangeError for a non-integer or non-positive period
   */
  constructor(
    readonly period: number,
    alpha = 2 / (period + 1),
  ) {
    if (!Number.isInteger(period) || period < 1) throw new RangeError(`EMA period must be a positive integer (got ${period})`);
    this.alpha = alpha;
  }

  /** Wilder's smoothing (α = 1/n, SMA-seeded), e.g. RSI/ATR/ADX averages. */
  static wilder(period: number): SmaSeededEma {
    return new SmaSeededEma(period, 1 / period);
  }

  /**
   * Feeds one input and updates {@link value}. (Results are fields, not return values: a double returned
   * from a call V8 does not inline is boxed on the heap.)
   * @param x the input (e.g. a close price)
   * @param replace true to replace the previous input (same, still-forming candle) instead of appending
   */
  update(x: number, replace = false): void {
    if (!replace) {
      this.count = this.pCount;
      this.sum = this.pSum;
      this.prev = this.value;
    }
    const n = this.count + 1;
    const period = this.period;
    this.pCount = n;
    if (n <= period) {
      const sum = this.sum + x;
      this.pSum = sum;
      this.value = n === period ? sum / period : NaN;
    } else {
      this.value = (x - this.prev) * this.alpha + this.prev;
    }
  }
}
