import { SmaSeededEma } from './ema.js';

/**
 * MACD with in-progress replacement. line = EMA_fast(close) − EMA_slow(close), both SMA-seeded from the start
 * of the series ({@link SmaSeededEma}); signal = SMA-seeded EMA_signal of the line (first value after
 * `signal` line values); histogram = line − signal. Formula: Appel's MACD with TA-Lib's EMA definition.
 * Results are exposed as fields (no allocation per update); they are null before warm-up
 * (line from input index slow−1, signal/histogram from slow+signal−2).
 */
export class Macd {
  /** MACD line of the latest input, or null. */
  line: number | null = null;
  /** Signal line of the latest input, or null. */
  signal: number | null = null;
  /** line − signal of the latest input, or null. */
  histogram: number | null = null;
  private readonly fastEma: SmaSeededEma;
  private readonly slowEma: SmaSeededEma;
  private readonly signalEma: SmaSeededEma;

  /**
   * @param fast fast EMA period (e.g. 12)
   * @param slow slow EMA period (e.g. 26), must exceed `fast`
   * @param signal signal EMA period (e.g. 9)
   * @throws RangeError if fast ≥ slow or a period is invalid
   */
  constructor(fast: number, slow: number, signal: number) {
    if (fast >= slow) throw new RangeError(`MACD fast period (${fast}) must be below slow period (${slow})`);
    this.fastEma = new SmaSeededEma(fast);
    this.slowEma = new SmaSeededEma(slow);
    this.signalEma = new SmaSeededEma(signal);
  }

  /**
   * Feeds one close and updates {@link line}, {@link signal}, {@link histogram}.
   * @param close the close price
   * @param replace true to replace the previous input (still-forming candle)
   */
  update(close: number, replace = false): void {
    const f = this.fastEma.update(close, replace);
    const s = this.slowEma.update(close, replace);
    if (f === null || s === null) {
      this.line = this.signal = this.histogram = null;
      return;
    }
    const line = f - s;
    const sig = this.signalEma.update(line, replace);
    this.line = line;
    this.signal = sig;
    this.histogram = sig === null ? null : line - sig;
  }
}
