import { SmaSeededEma } from './ema.js';

/**
 * MACD with in-progress replacement. line = EMA_fast(close) − EMA_slow(close), both SMA-seeded from the start
 * of the series ({@link SmaSeededEma}); signal = SMA-seeded EMA_signal of the line (first value after
 * `signal` line values); histogram = line − signal. Formula: Appel's MACD with TA-Lib's EMA definition.
 * Results are exposed as fields (no allocation per update); they are NaN before warm-up
 * (line from input index slow−1, signal/histogram from slow+signal−2).
 */
export class Macd {
  /** MACD line of the latest input, or NaN. */
  line = NaN;
  /** Signal line of the latest input, or NaN. */
  signal = NaN;
  /** line − signal of the latest input, or NaN. */
  histogram = NaN;
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
    this.fastEma.update(close, replace);
    this.slowEma.update(close, replace);
    const line = this.fastEma.value - this.slowEma.value; // NaN until the slow EMA is warm
    if (line !== line) {
      this.line = this.signal = this.histogram = NaN;
      return;
    }
    const signal = this.signalEma;
    signal.update(line, replace);
    this.line = line;
    this.signal = signal.value;
    this.histogram = line - signal.value;
  }
}
