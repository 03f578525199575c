/**
 * Bollinger Bands, TA-Lib `BBANDS` with an SMA middle: middle = mean of the last n closes, σ = population
 * standard deviation of those closes, upper/lower = middle ± k·σ; width = (upper − lower)/middle.
 * First values at input index n − 1. Results are exposed as fields (no allocation per update).
 * Supports in-progress replacement.
 */
export class BollingerBands {
  /** Upper band of the latest input, or null before warm-up. */
  upper: number | null = null;
  /** Middle band (SMA) of the latest input, or null. */
  middle: number | null = null;
  /** Lower band of the latest input, or null. */
  lower: number | null = null;
  /** (upper − lower) / middle of the latest input, or null. */
  width: number | null = null;
  private readonly window: Float64Array;
  private count = 0;
  private pCount = 0;

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
    if (!replace) this.count = this.pCount;
    const n = this.period;
    const w = this.window;
    // The pending input takes the slot of the value leaving the window; a replacement rewrites the same slot.
    w[this.count % n] = close;
    this.pCount = this.count + 1;
    if (this.pCount < n) {
      this.upper = this.middle = this.lower = this.width = null;
      return;
    }
    let sum = 0;
    for (let i = 0; i < n; i++) sum += w[i]!;
    const mean = sum / n;
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
