import { TIMEFRAME_MS, type CandleWithIndicators, type MarketSignal } from '@osprey/shared';
import { parseDetectorConfig, type DetectorConfigInput } from './config.js';
import { evaluate } from './detector.js';

const MS_15M = TIMEFRAME_MS['15m'];
const MS_4H = TIMEFRAME_MS['4h'];

/** Index of the first candle with `ts >= t` in an ascending series (binary search). */
function lowerBound(series: readonly CandleWithIndicators[], t: number): number {
  let lo = 0;
  let hi = series.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (series[mid]!.ts < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * History mode: walks every 15m candle with open time in `[from, to]` (inclusive, Unix ms) and runs the
 * detector as it would have run live at that candle's close: with the preceding `window15m` (default 100)
 * closed 15m candles ending at it, and the last `window4h` (default 60) 4h candles **closed** at or before
 * its close time (`4h.ts + 4h ≤ 15m.ts + 15m`), so no 4h look-ahead.
 *
 * Cost is O(n + m) pointer moves plus one window-sized slice per step (no copying of the full series).
 *
 * @param series15m full ascending 15m series with indicators (include warm-up before `from`)
 * @param series4h full ascending 4h series with indicators
 * @param config partial configuration; defaults fill the rest (parsed once)
 * @returns the emitted signals in time order
 * @throws ZodError naming the field when `config` is invalid
 */
export function detectHistory(
  exchange: string,
  symbol: string,
  series15m: readonly CandleWithIndicators[],
  series4h: readonly CandleWithIndicators[],
  from: number,
  to: number,
  config?: DetectorConfigInput,
): MarketSignal[] {
  const cfg = parseDetectorConfig(config);
  const out: MarketSignal[] = [];
  let j = 0; // number of 4h candles closed at or before the current 15m close
  for (let i = lowerBound(series15m, from); i < series15m.length; i++) {
    const c = series15m[i]!;
    if (c.ts > to) break;
    const closeTs = c.ts + MS_15M;
    while (j < series4h.length && series4h[j]!.ts + MS_4H <= closeTs) j++;
    const { signal } = evaluate(
      {
        exchange,
        symbol,
        candles15m: series15m.slice(Math.max(0, i + 1 - cfg.window15m), i + 1),
        candles4h: series4h.slice(Math.max(0, j - cfg.window4h), j),
      },
      cfg,
    );
    if (signal) out.push(signal);
  }
  return out;
}
