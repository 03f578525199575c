/**
 * Hand-crafted candle fixtures for the detector tests (indicator values are set directly, so the tests do
 * not depend on the indicator engine). Not used by production code.
 */
import { TIMEFRAME_MS, type CandleWithIndicators, type IndicatorValues } from '@osprey/shared';

/** 15m length, ms. */
export const M15 = TIMEFRAME_MS['15m'];
/** 4h length, ms. */
export const H4 = TIMEFRAME_MS['4h'];
/** A 4h-aligned start time: 2024-06-01 00:00 UTC. */
export const T0 = Date.UTC(2024, 5, 1);

/** A flat candle (open = high = low = close) with the given indicators. */
export function bar(ts: number, close: number, volume: number, ind: IndicatorValues): CandleWithIndicators {
  return { ts, open: close, high: close, low: close, close, volume, ind };
}

/** Patch for one candle: price/volume and indicator overrides (merged into `ind`). */
export interface BarPatch {
  close?: number;
  volume?: number;
  ind?: IndicatorValues;
}

/**
 * Copy of `candles` with the candle `fromEnd` positions before the last (0 = last) patched.
 */
export function patch(candles: readonly CandleWithIndicators[], fromEnd: number, p: BarPatch): CandleWithIndicators[] {
  const out = candles.slice();
  const i = out.length - 1 - fromEnd;
  const c = out[i]!;
  const close = p.close ?? c.close;
  out[i] = bar(c.ts, close, p.volume ?? c.volume, { ...c.ind, ...p.ind });
  return out;
}

/** Copy of `candles` with the last `values.length` histogram values replaced (oldest first). */
export function withHistogram(candles: readonly CandleWithIndicators[], values: readonly number[]): CandleWithIndicators[] {
  let out = candles.slice();
  values.forEach((h, k) => {
    out = patch(out, values.length - 1 - k, { ind: { histogram: h } });
  });
  return out;
}

/**
 * 100 closed 15m candles (open times T0 … T0 + 99 × 15m) that give a LONG with score 18 by default:
 * close 100 vs ema_55 99 (BULL), bb_width 0.02 everywhere (active, no bandwidth confirm), volumes
 * alternating 9/11 (last 11, below mean + 1.5 std ≈ 11.5), rsi_7 60 (size 1), histogram 0.05 then
 * 0.1, 0.2, 0.3 on the last three (rising rule). For `dir = 'SHORT'` everything is mirrored: ema_55 101,
 * rsi_7 40, histogram −0.1, −0.2, −0.3.
 */
export function base15m(dir: 'LONG' | 'SHORT' = 'LONG', n = 100): CandleWithIndicators[] {
  const s = dir === 'LONG' ? 1 : -1;
  const candles = Array.from({ length: n }, (_, i) =>
    bar(T0 + i * M15, 100, i % 2 ? 11 : 9, { ema_55: 100 - s, bb_width: 0.02, rsi_7: 50 + 10 * s, histogram: 0.05 * s }),
  );
  return withHistogram(candles, [0.1 * s, 0.2 * s, 0.3 * s]);
}

/**
 * 60 closed 4h candles, the last opening at T0 (closed long before the 15m fixture's last close):
 * close 100 vs ema_21 101 (BEAR, trend DOWN) and a flat histogram of 0, so no 4h trigger fires.
 */
export function base4h(n = 60): CandleWithIndicators[] {
  return Array.from({ length: n }, (_, k) => bar(T0 - (n - 1 - k) * H4, 100, 1000, { ema_21: 101, histogram: 0 }));
}

/** 4h fixture in BULL mode (close 102 vs ema_21 101) whose histogram rose over the last two candles. */
export function bullish4h(): CandleWithIndicators[] {
  const c = base4h().map((b) => ({ ...b, close: 102, open: 102, high: 102, low: 102 }));
  return withHistogram(c, [0.1, 0.2, 0.3]);
}

/** 4h fixture in BEAR mode (close 100 vs ema_21 101) whose histogram fell over the last two candles. */
export function bearish4h(): CandleWithIndicators[] {
  return withHistogram(base4h(), [-0.1, -0.2, -0.3]);
}
