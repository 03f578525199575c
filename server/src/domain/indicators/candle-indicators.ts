import { getTrueRange } from 'trading-signals';
import type { Candle } from '@osprey/shared';
import { SmaSeededEma } from './ema.js';

/**
 * ADX with its ATR, TA-Lib `ADX` (ta_ADX.c) and `ATR` (ta_ATR.c), both over the same Wilder period n.
 * For candle i ≥ 1 (candle 0 only provides the previous values):
 * - TR_i = max(high_i − low_i, |high_i − close_{i−1}|, |low_i − close_{i−1}|) (trading-signals `getTrueRange`);
 *   ATR = W(TR), first value at candle n.
 * - upMove = high_i − high_{i−1}, downMove = low_{i−1} − low_i; +DM = upMove if upMove > downMove and > 0,
 *   −DM = downMove if downMove > upMove and > 0, else 0 (a tie counts for neither side).
 * - +DI = 100·W(+DM)/W(TR), −DI = 100·W(−DM)/W(TR) (0 when W(TR) = 0); DX = 100·|+DI − −DI|/(+DI + −DI)
 *   (0 when the sum is 0), from candle n; ADX = W(DX), first value at candle 2n − 1.
 * W = Wilder smoothing, SMA-seeded ({@link SmaSeededEma.wilder}). TA-Lib seeds the DM/TR sums of ADX slightly
 * differently (n − 1 values summed, then one Wilder step); that difference decays as ((n−1)/n)^k.
 * Results are exposed as fields (NaN before warm-up); supports in-progress replacement.
 */
export class Adx {
  /** ATR of the latest candle (price units), or NaN before warm-up. */
  atr = NaN;
  /** +DI of the latest candle (0–100), or NaN. */
  plusDi = NaN;
  /** −DI of the latest candle (0–100), or NaN. */
  minusDi = NaN;
  /** ADX of the latest candle (0–100), or NaN. */
  adx = NaN;
  private readonly avgTr: SmaSeededEma;
  private readonly avgPlusDm: SmaSeededEma;
  private readonly avgMinusDm: SmaSeededEma;
  private readonly avgDx: SmaSeededEma;
  private count = 0;
  private pCount = 0;
  private prevHigh = 0;
  private prevLow = 0;
  private prevClose = 0;
  private curHigh = 0;
  private curLow = 0;
  private curClose = 0;

  /** @param period Wilder period n (e.g. 14) */
  constructor(readonly period: number) {
    this.avgTr = SmaSeededEma.wilder(period);
    this.avgPlusDm = SmaSeededEma.wilder(period);
    this.avgMinusDm = SmaSeededEma.wilder(period);
    this.avgDx = SmaSeededEma.wilder(period);
  }

  /**
   * Feeds one candle and updates the fields.
   * @param candle high, low, close used
   * @param replace true to replace the previous candle (still forming)
   */
  update(candle: Candle, replace = false): void {
    if (!replace) {
      this.count = this.pCount;
      this.prevHigh = this.curHigh;
      this.prevLow = this.curLow;
      this.prevClose = this.curClose;
    }
    this.pCount = this.count + 1;
    this.curHigh = candle.high;
    this.curLow = candle.low;
    this.curClose = candle.close;
    if (this.count === 0) {
      this.atr = this.plusDi = this.minusDi = this.adx = NaN;
      return;
    }
    const up = candle.high - this.prevHigh;
    const down = this.prevLow - candle.low;
    this.avgTr.update(getTrueRange(candle, this.prevClose), replace);
    this.avgPlusDm.update(up > down && up > 0 ? up : 0, replace);
    this.avgMinusDm.update(down > up && down > 0 ? down : 0, replace);
    const tr = this.avgTr.value;
    const plus = this.avgPlusDm.value;
    const minus = this.avgMinusDm.value;
    this.atr = tr;
    if (tr !== tr) {
      // the three averages warm up together
      this.plusDi = this.minusDi = this.adx = NaN;
      return;
    }
    const plusDi = tr === 0 ? 0 : (100 * plus) / tr;
    const minusDi = tr === 0 ? 0 : (100 * minus) / tr;
    const sum = plusDi + minusDi;
    this.plusDi = plusDi;
    this.minusDi = minusDi;
    this.avgDx.update(sum === 0 ? 0 : (100 * Math.abs(plusDi - minusDi)) / sum, replace);
    this.adx = this.avgDx.value;
  }
}

/**
 * On-Balance Volume, TA-Lib `OBV` (ta_OBV.c): OBV_0 = volume_0; OBV_i = OBV_{i−1} + volume_i if
 * close_i > close_{i−1}, − volume_i if lower, unchanged if equal. Defined from candle 0 (base-asset units).
 * Supports in-progress replacement.
 */
export class Obv {
  /** Output: OBV including the latest candle (0 before any). Read-only for callers. */
  value = 0;
  private count = 0;
  private pCount = 0;
  private prev = 0;
  private prevClose = 0;
  private curClose = 0;

  /**
   * Feeds one candle and updates {@link value}.
   * @param candle close and volume used
   * @param replace true to replace the previous candle (still forming)
   */
  update(candle: Candle, replace = false): void {
    if (!replace) {
      this.count = this.pCount;
      this.prev = this.value;
      this.prevClose = this.curClose;
    }
    this.pCount = this.count + 1;
    this.curClose = candle.close;
    const { close, volume } = candle;
    const v = this.prev;
    this.value =
      this.count === 0 ? volume : close > this.prevClose ? v + volume : close < this.prevClose ? v - volume : v;
  }
}
