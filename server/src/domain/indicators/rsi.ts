import { SmaSeededEma } from './ema.js';

/**
 * Relative Strength Index, TA-Lib `RSI` (ta_RSI.c): for i ≥ 1, gain = max(close_i − close_{i−1}, 0),
 * loss = max(close_{i−1} − close_i, 0); both Wilder-smoothed (SMA seed over the first n changes, α = 1/n);
 * RSI = 100·avgGain/(avgGain + avgLoss), 0 when both averages are 0 (TA-Lib's convention; all-up gives 100).
 * First value at input index n. Supports in-progress replacement.
 */
export class Rsi {
  /** Output: RSI (0–100) of the latest input, NaN before warm-up. Read-only for callers. */
  value = NaN;
  private readonly avgGain: SmaSeededEma;
  private readonly avgLoss: SmaSeededEma;
  private count = 0;
  private pCount = 0;
  private prevClose = 0;
  private curClose = 0;

  /** @param period Wilder period n (e.g. 14) */
  constructor(readonly period: number) {
    this.avgGain = SmaSeededEma.wilder(period);
    this.avgLoss = SmaSeededEma.wilder(period);
  }

  /**
   * Feeds one close and updates {@link value}.
   * @param close the close price
   * @param replace true to replace the previous input (still-forming candle)
   */
  update(close: number, replace = false): void {
    if (!replace) {
      this.count = this.pCount;
      this.prevClose = this.curClose;
    }
    this.pCount = this.count + 1;
    this.curClose = close;
    if (this.count === 0) {
      this.value = NaN;
      return;
    }
    const change = close - this.prevClose;
    const gain = this.avgGain;
    const loss = this.avgLoss;
    gain.update(change > 0 ? change : 0, replace);
    loss.update(change < 0 ? -change : 0, replace);
    const sum = gain.value + loss.value; // NaN until warm
    this.value = sum === 0 ? 0 : (100 * gain.value) / sum;
  }
}
