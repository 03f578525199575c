import { INDICATOR_COLUMNS, type Candle, type IndicatorColumn, type IndicatorValues, type Timeframe } from '@osprey/shared';
import { BollingerBands } from './bollinger.js';
import { Adx, Obv } from './candle-indicators.js';
import { SmaSeededEma } from './ema.js';
import { Macd } from './macd.js';
import { Rsi } from './rsi.js';

/**
 * Columns computed for a timeframe, in output order (1h uses the 4h set).
 * @returns `INDICATOR_COLUMNS_15M`, `_4H` or `_1D` from `@osprey/shared`
 */
export function indicatorColumns(timeframe: Timeframe): readonly IndicatorColumn[] {
  return INDICATOR_COLUMNS[timeframe];
}

/**
 * Incremental indicator engine for one (symbol, timeframe) series.
 *
 * Columns and parameters (definitions follow TA-Lib; see each kernel's docstring for its formula):
 * - 15m: EMA 9/21/55, RSI 7, MACD 8/17/9, Bollinger 20/2σ (+ width), ATR 14, OBV (+ EMA 9 of OBV), ADX 14.
 * - 1h, 4h: EMA 9/21, RSI 14, MACD 12/26/9, Bollinger 20/2σ (+ width).
 * - 1d: EMA 9/21, RSI 14, MACD 12/26/9.
 *
 * First non-null candle index: EMA n at n−1; RSI n at n; MACD line at slow−1, signal/histogram at
 * slow+signal−2 (8/17/9: 16 and 24; 12/26/9: 25 and 33); Bollinger at 19; ATR 14 at 14; OBV at 0 and its
 * EMA 9 at 8; ADX 14 at 27.
 *
 * Implementation per column — each trading-signals v8 class was checked against the definition and measured:
 * - `ema_*`, `obv_ema_9`, MACD: our {@link SmaSeededEma}/{@link Macd}. trading-signals' `EMA` (and so its
 *   `MACD` built on it) seeds with the first price, not with the SMA of the first n as TA-Lib does.
 * - `adx_14`: our {@link Adx}. trading-signals' `ADX`/`DX` credit both sides on a DM tie (TA-Lib: neither)
 *   and seed with candle 0 (DM 0, TR = high − low). The true range is trading-signals' `getTrueRange`.
 * - `atr_14`: the Wilder-smoothed TR that {@link Adx} computes anyway. trading-signals' `ATR` feeds candle 0's
 *   high − low into its seed (TA-Lib starts at candle 1); its `TR` + `WSMA` would match.
 * - `rsi_*`, `bb_*`, `obv`: trading-signals' `RSI` (WSMA), `BollingerBands` (population σ) and `OBV(2)` + candle
 *   0's volume do meet the definitions (the tests cross-check our kernels against them), but measured on 500k
 *   15m candles they are 3–6× slower than our kernels (bench/indicators.bench.ts, e.g. RSI 73–115 ms vs
 *   12–30 ms, Bollinger 190–285 ms vs 18–45 ms: their SMA/WSMA re-average a shifted array on every update and
 *   Bollinger allocates three arrays/objects per update). With them the batch path ran at 0.09× the typed-array
 *   reference loop, so our allocation-free kernels ({@link Rsi}, {@link BollingerBands}, {@link Obv}) are used.
 *
 * Replacement (the forming candle): every kernel keeps its state after the last final candle and recomputes the
 * pending candle from it, so in-progress versions never leak into the final values.
 */
export class IndicatorEngine {
  private readonly ema9 = new SmaSeededEma(9);
  private readonly ema21 = new SmaSeededEma(21);
  private readonly ema55 = new SmaSeededEma(55);
  private readonly rsi: Rsi;
  private readonly macd: Macd;
  private readonly bb = new BollingerBands(20, 2);
  private readonly adx = new Adx(14);
  private readonly obv = new Obv();
  private readonly obvEma = new SmaSeededEma(9);
  private readonly m15: boolean;
  /** Values of the latest candle, one slot per column in {@link indicatorColumns} order, NaN for null. */
  private readonly row: Float64Array;
  /** One-element views of {@link row}, so {@link updateInto} can write the row in place. */
  private readonly rowCells: Float64Array[];
  private lastTs = -Infinity;
  /** Object for the latest candle; undefined when {@link updateRow} fed it and it is not built yet. */
  private lastValues: IndicatorValues | null | undefined = null;

  /** @param timeframe selects the column set (see {@link indicatorColumns}) */
  constructor(readonly timeframe: Timeframe) {
    const m15 = timeframe === '15m';
    this.m15 = m15;
    this.rsi = new Rsi(m15 ? 7 : 14);
    this.macd = m15 ? new Macd(8, 17, 9) : new Macd(12, 26, 9);
    this.row = new Float64Array(INDICATOR_COLUMNS[timeframe].length);
    this.rowCells = Array.from(this.row, (_, j) => this.row.subarray(j, j + 1));
  }

  /** Values of the last candle fed (the object {@link update} returned, if it fed it), or null if none yet. */
  get last(): IndicatorValues | null {
    if (this.lastValues === undefined) this.lastValues = this.toValues(this.row);
    return this.lastValues;
  }

  /**
   * Feeds a candle. If `candle.ts` equals the last fed candle's `ts` it replaces that candle (an in-progress
   * update of the forming candle); a larger `ts` appends (the previous candle is then final). Feeding several
   * versions of a candle gives the same state as feeding only the last one. Candles are not validated here
   * (see `validateCandles`).
   * @param candle open time `ts` in Unix ms UTC
   * @returns a new object with every column of the timeframe, in column order, null before warm-up
   * @throws RangeError if `candle.ts` is smaller than the last fed candle's `ts`
   */
  update(candle: Candle): IndicatorValues {
    const v = this.toValues(this.updateRow(candle));
    this.lastValues = v;
    return v;
  }

  private toValues(r: Float64Array): IndicatorValues {
    let v: IndicatorValues;
    switch (this.timeframe) {
      case '15m':
        v = {
          ema_9: nul(r[0]!),
          ema_21: nul(r[1]!),
          ema_55: nul(r[2]!),
          rsi_7: nul(r[3]!),
          macd_line: nul(r[4]!),
          signal_line: nul(r[5]!),
          histogram: nul(r[6]!),
          bb_upper: nul(r[7]!),
          bb_middle: nul(r[8]!),
          bb_lower: nul(r[9]!),
          bb_width: nul(r[10]!),
          atr_14: nul(r[11]!),
          obv: nul(r[12]!),
          obv_ema_9: nul(r[13]!),
          adx_14: nul(r[14]!),
        };
        break;
      case '1h':
      case '4h':
        v = {
          ema_9: nul(r[0]!),
          ema_21: nul(r[1]!),
          rsi_14: nul(r[2]!),
          macd_line: nul(r[3]!),
          signal_line: nul(r[4]!),
          histogram: nul(r[5]!),
          bb_upper: nul(r[6]!),
          bb_middle: nul(r[7]!),
          bb_lower: nul(r[8]!),
          bb_width: nul(r[9]!),
        };
        break;
      case '1d':
        v = {
          ema_9: nul(r[0]!),
          ema_21: nul(r[1]!),
          rsi_14: nul(r[2]!),
          macd_line: nul(r[3]!),
          signal_line: nul(r[4]!),
          histogram: nul(r[5]!),
        };
        break;
    }
    return v;
  }

  /**
   * Feeds a candle exactly like {@link update} (same replace/append rules) but allocates nothing.
   * @param candle open time `ts` in Unix ms UTC
   * @returns the engine's own row buffer, overwritten by the next call: one slot per column in
   *   {@link indicatorColumns} order, NaN where {@link update} would give null
   * @throws RangeError if `candle.ts` is smaller than the last fed candle's `ts`
   */
  updateRow(candle: Candle): Float64Array {
    this.updateInto(candle, this.rowCells, 0);
    return this.row;
  }

  /**
   * Feeds a candle exactly like {@link update} and writes its values into caller-owned columns:
   * `columns[j][index]` = column j of {@link indicatorColumns}, NaN where {@link update} would give null.
   * Allocates nothing (used by {@link computeIndicatorColumns}).
   * @param candle open time `ts` in Unix ms UTC
   * @param columns at least as many arrays as the timeframe has columns, each longer than `index`
   * @param index row to write
   * @throws RangeError if `candle.ts` is smaller than the last fed candle's `ts` (nothing written)
   */
  updateInto(candle: Candle, columns: readonly Float64Array[], index: number): void {
    if (candle.ts < this.lastTs) {
      throw new RangeError(`candle ts ${candle.ts} is before the last fed candle ts ${this.lastTs}`);
    }
    const replace = candle.ts === this.lastTs;
    this.lastTs = candle.ts;
    this.lastValues = undefined;
    const c = columns;
    const i = index;
    const close = candle.close;
    const macd = this.macd;
    macd.update(close, replace);
    this.ema9.update(close, replace);
    this.ema21.update(close, replace);
    this.rsi.update(close, replace);
    c[0]![i] = this.ema9.value;
    c[1]![i] = this.ema21.value;
    // 15m has ema_55 at slot 2, so its later columns are shifted by one.
    const o = this.m15 ? 1 : 0;
    if (o) {
      this.ema55.update(close, replace);
      c[2]![i] = this.ema55.value;
    }
    c[2 + o]![i] = this.rsi.value;
    c[3 + o]![i] = macd.line;
    c[4 + o]![i] = macd.signal;
    c[5 + o]![i] = macd.histogram;
    if (this.timeframe === '1d') return;
    const bb = this.bb;
    bb.update(close, replace);
    c[6 + o]![i] = bb.upper;
    c[7 + o]![i] = bb.middle;
    c[8 + o]![i] = bb.lower;
    c[9 + o]![i] = bb.width;
    if (!o) return;
    const adx = this.adx;
    adx.update(candle, replace);
    const obv = this.obv;
    obv.update(candle, replace);
    this.obvEma.update(obv.value, replace);
    c[11]![i] = adx.atr;
    c[12]![i] = obv.value;
    c[13]![i] = this.obvEma.value;
    c[14]![i] = adx.adx;
  }
}

const nul = (x: number): number | null => (x === x ? x : null);

/**
 * Batch computation: equals feeding a fresh {@link IndicatorEngine} candle by candle (so a repeated `ts`
 * replaces the previous candle's state, and its earlier output row stays as it was).
 * @param candles ascending by `ts` (Unix ms UTC)
 * @returns one IndicatorValues per input candle, every column of the timeframe present, null before warm-up
 * @throws RangeError if a candle's `ts` is smaller than its predecessor's
 */
export function computeIndicators(candles: readonly Candle[], timeframe: Timeframe): IndicatorValues[] {
  const engine = new IndicatorEngine(timeframe);
  const out = new Array<IndicatorValues>(candles.length);
  for (let i = 0; i < candles.length; i++) out[i] = engine.update(candles[i]!);
  return out;
}

/** Columnar indicator values: one Float64Array per column of the timeframe (NaN before warm-up). */
export type IndicatorColumns = Partial<Record<IndicatorColumn, Float64Array>>;

/**
 * Columnar batch computation for hot paths (backtests, detector history walks): the same numbers as
 * {@link computeIndicators} — row i of column c is `computeIndicators(...)[i][c]`, NaN where that is null —
 * without one object per candle (each object costs ~16 heap allocations and dominates the batch time).
 * @param candles ascending by `ts` (Unix ms UTC)
 * @returns every column of the timeframe, each of length `candles.length`
 * @throws RangeError if a candle's `ts` is smaller than its predecessor's
 */
export function computeIndicatorColumns(candles: readonly Candle[], timeframe: Timeframe): IndicatorColumns {
  const names = INDICATOR_COLUMNS[timeframe];
  const n = candles.length;
  const cols = names.map(() => new Float64Array(n));
  const engine = new IndicatorEngine(timeframe);
  for (let i = 0; i < n; i++) engine.updateInto(candles[i]!, cols, i);
  const out: IndicatorColumns = {};
  names.forEach((name, j) => (out[name] = cols[j]!));
  return out;
}
