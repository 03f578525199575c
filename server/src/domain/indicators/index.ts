/**
 * Technical indicators (pure): batch and incremental computation of the per-timeframe indicator columns
 * defined in `@osprey/shared` (INDICATOR_COLUMNS_15M / _4H / _1D), TA-Lib definitions. See
 * {@link IndicatorEngine} for the columns, parameters, warm-up and which implementation computes each one.
 */
export { computeIndicators, IndicatorEngine, indicatorColumns } from './engine.js';
export { CandleCsvError, indicatorsCsv, parseCandlesCsv } from './csv.js';
export { SmaSeededEma } from './ema.js';
export { Macd } from './macd.js';
export { Rsi } from './rsi.js';
export { BollingerBands } from './bollinger.js';
export { Adx, Obv } from './candle-indicators.js';
