import type { CandleUpdate, CandleWithIndicators, MarketSignal, Timeframe } from '@osprey/shared';

/** What `market.candles` returns: closed candles ascending, plus the in-progress candle if any. */
export interface CandleSeries {
  candles: CandleWithIndicators[];
  forming: CandleWithIndicators | null;
}

/**
 * Candles requested per timeframe: the whole stored history for charting and zoom (≈ 8 months of 15m
 * candles is ~24 000; ECharts handles that with `large` mode).
 */
export const CANDLE_LIMITS: Record<Timeframe, number> = { '15m': 20_000, '1h': 8_000, '4h': 3_000, '1d': 1_000 };

/**
 * How often (ms) live ticks are pushed into a chart at most: rebuilding a 20 000-candle option costs
 * tens of ms, so long series refresh less often than short ones.
 */
export function chartThrottleMs(candleCount: number): number {
  return candleCount > 5000 ? 750 : 250;
}

/** Signals loaded per symbol for the list and chart markers. */
export const SIGNALS_LIMIT = 1000;

/** Input of `market.candles` for a chart (one shared shape so query keys match everywhere). */
export function candlesInput(symbol: string, timeframe: Timeframe) {
  return { symbol, timeframe, limit: CANDLE_LIMITS[timeframe] };
}

/** Input of `market.signals` for a symbol (one shared shape so query keys match everywhere). */
export function signalsInput(symbol: string) {
  return { symbol, limit: SIGNALS_LIMIT };
}

/**
 * Applies one live update to a candle series without mutating it. Rules (ts = candle open time):
 * - `closed: false` with the forming candle's ts → replaces the forming candle in place;
 *   with a newer ts → the old forming candle (whose close we missed) is kept as closed and the update
 *   becomes the forming candle.
 * - `closed: true` newer than the last closed candle → appended; a forming candle with the same or an
 *   older ts is dropped (an older one is first kept as closed, as above). With the last closed candle's
 *   ts → replaces it (a correction).
 * - Anything older is stale and ignored.
 * Returns the same object when nothing changed.
 */
export function applyCandleUpdate(series: CandleSeries, update: Pick<CandleUpdate, 'candle' | 'closed'>): CandleSeries {
  const { candle, closed } = update;
  const last = series.candles.at(-1);
  if (last && candle.ts < last.ts) return series;
  if (last && candle.ts === last.ts) {
    if (!closed) return series;
    return { candles: [...series.candles.slice(0, -1), candle], forming: series.forming };
  }
  const forming = series.forming;
  if (forming && candle.ts < forming.ts) return series;
  // A forming candle older than this update was closed without us seeing the close: keep what we have.
  const base = forming && forming.ts < candle.ts ? [...series.candles, forming] : series.candles;
  if (closed) return { candles: [...base, candle], forming: null };
  return { candles: base === series.candles ? series.candles : base, forming: candle };
}

/** The candles to chart: closed ones followed by the forming one. */
export function chartCandles(series: CandleSeries): CandleWithIndicators[] {
  return series.forming ? [...series.candles, series.forming] : series.candles;
}

/** Prepends `signal` to a newest-first list unless a signal with its id is already there. */
export function prependSignal(list: readonly MarketSignal[], signal: MarketSignal): MarketSignal[] {
  if (list.some((s) => s.id === signal.id)) return list as MarketSignal[];
  return [signal, ...list];
}

/** Whether a signal is still actionable at feed time `now` (Unix ms): created at or before and not expired. */
export function isSignalActive(signal: MarketSignal, now: number): boolean {
  return signal.createdAt <= now && now < signal.expiresAt;
}
