/**
 * Technical indicators (pure): batch and incremental computation of the per-timeframe indicator columns
 * defined in `@osprey/shared` (INDICATOR_COLUMNS_15M / _4H / _1D), TA-Lib definitions. See
 * {@link IndicatorEngine} for the columns, parameters, warm-up and which implementation computes each one.
 * The single-indicator kernels (ema.ts, rsi.ts, macd.ts, bollinger.ts, candle-indicators.ts) are internal.
 */
export {
  computeIndicatorColumns,
  computeIndicators,
  IndicatorEngine,
  indicatorColumns,
  type IndicatorColumns,
} from './engine.js';
export { CandleCsvError, indicatorsCsv, parseCandlesCsv } from './csv.js';
