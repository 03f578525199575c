/**
 * Bollinger Bands, TA-Lib `BBANDS` with an SMA middle: middle = mean of the last n closes, σ = population
 * standard deviation of those closes, upper/lower = middle ± k·σ; width = (upper − lower)/middle.
 * First values at input index n − 1. Results are exposed as fields (no allocation per update).
 * The window sum is rolled (add the new close, subtract the leaving one; rounding drift ~1e-16·√updates
 * relative), σ is a second pass over the window around that mean. Supports in-progress replacement.
 */
export class BollingerBands {
  /** Upper band of the latest input, or NaN before warm-up. */
  upper = NaN;
  /** Middle band (SMA) of the latest input, or NaN. */
  middle = NaN;
  /** Lower band of the latest input, or NaN. */
  lower = NaN;
  /** (upper − lower) / middle of the latest input, or NaN. */
  width = NaN;
  private readonly window: Float64Array;
  private count = 0;
  private pCount = 0;
  private sum = 0;
  private pSum = 0;
  /** Close leaving the window when the pending input was appended (0 while the window fills). */
  private leaving = 0;

  /**
   * @param period window n (e.g. 20)
   * @param k band width in standard deviations (e.g. 2)
   */
  constructor(
    readonly period: number,
    readonly k: number,
  ) {
    this.window = new Float64Array(period);
  }

  /**
   * Feeds one close and updates the band fields.
   * @param close the close price
   * @param replace true to replace the previous input (still-forming candle)
   */
  update(close: number, replace = false): void {
    const n = this.period;
    const w = this.window;
    // The pending input takes the slot of the value leaving the window; a replacement rewrites the same slot.
    if (!replace) {
      this.count = this.pCount;
      this.sum = this.pSum;
      this.leaving = this.count >= n ? w[this.count % n]! : 0;
    }
    w[this.count % n] = close;
    this.pCount = this.count + 1;
    this.pSum = this.sum - this.leaving + close;
    if (this.pCount < n) {
      this.upper = this.middle = this.lower = this.width = NaN;
      return;
    }
    const mean = this.pSum / n;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const d = w[i]! - mean;
      ss += d * d;
    }
    const band = this.k * Math.sqrt(ss / n);
    const upper = mean + band;
    const lower = mean - band;
    this.upper = upper;
    this.middle = mean;
    this.lower = lower;
    this.width = (upper - lower) / mean;
  }
}
