/**
 * Compares the engine with an independent reference written here from the definitions (plain loops over
 * arrays; no trading-signals, no engine code) on the shipped Binance data, every symbol and timeframe.
 * Warm-up skipped before comparing values: 300 candles on 15m, 100 on 1h/4h/1d. Before that only the
 * null/non-null pattern is checked (exact first-value index per column).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Candle, IndicatorColumn, Timeframe } from '@osprey/shared';
import { computeIndicators, indicatorColumns } from './index.js';

type Series = (number | null)[];

function loadCandles(symbol: string, tf: Timeframe): Candle[] {
  const file = fileURLToPath(new URL(`../../../assets/market/BINANCE_${symbol}-USDT_${tf}.csv`, import.meta.url));
  const lines = readFileSync(file, 'utf8').trim().split('\n').slice(1);
  return lines.map((line) => {
    const [ts, open, high, low, close, volume] = line.split(',').map(Number) as [number, number, number, number, number, number];
    return { ts, open, high, low, close, volume };
  });
}

// ---- reference definitions (TA-Lib) ----

/** EMA α = 2/(n+1) over the non-null tail of xs, seeded with the SMA of its first n values. */
function refEma(xs: Series, n: number): Series {
  const out: Series = xs.map(() => null);
  const start = xs.findIndex((x) => x !== null);
  if (start < 0) return out;
  const k = 2 / (n + 1);
  let seed = 0;
  for (let i = start; i < start + n && i < xs.length; i++) seed += xs[i]!;
  let prev = seed / n;
  if (start + n - 1 < xs.length) out[start + n - 1] = prev;
  for (let i = start + n; i < xs.length; i++) {
    prev = xs[i]! * k + prev * (1 - k);
    out[i] = prev;
  }
  return out;
}

/** Wilder average over the non-null tail of xs: SMA of the first n, then (prev·(n−1) + x)/n. */
function refWilder(xs: Series, n: number): Series {
  const out: Series = xs.map(() => null);
  const start = xs.findIndex((x) => x !== null);
  if (start < 0) return out;
  let sum = 0;
  for (let i = start; i < start + n && i < xs.length; i++) sum += xs[i]!;
  let prev = sum / n;
  if (start + n - 1 < xs.length) out[start + n - 1] = prev;
  for (let i = start + n; i < xs.length; i++) {
    prev = (prev * (n - 1) + xs[i]!) / n;
    out[i] = prev;
  }
  return out;
}

function refRsi(close: number[], n: number): Series {
  const gains: Series = close.map((c, i) => (i === 0 ? null : Math.max(c - close[i - 1]!, 0)));
  const losses: Series = close.map((c, i) => (i === 0 ? null : Math.max(close[i - 1]! - c, 0)));
  const g = refWilder(gains, n);
  const l = refWilder(losses, n);
  return close.map((_, i) => {
    const a = g[i];
    const b = l[i];
    if (a === null || a === undefined || b === null || b === undefined) return null;
    return a + b === 0 ? 0 : (100 * a) / (a + b);
  });
}

function refMacd(close: number[], fast: number, slow: number, signal: number): [Series, Series, Series] {
  const f = refEma(close, fast);
  const s = refEma(close, slow);
  const line: Series = close.map((_, i) => (f[i] === null || s[i] === null ? null : f[i]! - s[i]!));
  const sig = refEma(line, signal);
  const hist: Series = line.map((x, i) => (x === null || sig[i] === null ? null : x - sig[i]!));
  return [line, sig, hist];
}

function refBollinger(close: number[], n: number, k: number): [Series, Series, Series, Series] {
  const up: Series = [], mid: Series = [], lo: Series = [], width: Series = [];
  for (let i = 0; i < close.length; i++) {
    if (i < n - 1) {
      for (const col of [up, mid, lo, width]) col.push(null);
      continue;
    }
    const w = close.slice(i - n + 1, i + 1);
    const mean = w.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
    up.push(mean + k * sd);
    mid.push(mean);
    lo.push(mean - k * sd);
    width.push((2 * k * sd) / mean);
  }
  return [up, mid, lo, width];
}

function refTrueRange(c: Candle[]): Series {
  return c.map((x, i) => {
    if (i === 0) return null;
    const pc = c[i - 1]!.close;
    return Math.max(x.high - x.low, Math.abs(x.high - pc), Math.abs(x.low - pc));
  });
}

function refAdx(c: Candle[], n: number): Series {
  const plusDm: Series = [null], minusDm: Series = [null];
  for (let i = 1; i < c.length; i++) {
    const up = c[i]!.high - c[i - 1]!.high;
    const down = c[i - 1]!.low - c[i]!.low;
    plusDm.push(up > down && up > 0 ? up : 0);
    minusDm.push(down > up && down > 0 ? down : 0);
  }
  const tr = refWilder(refTrueRange(c), n);
  const p = refWilder(plusDm, n);
  const m = refWilder(minusDm, n);
  const dx: Series = c.map((_, i) => {
    if (tr[i] === null) return null;
    const pdi = (100 * p[i]!) / tr[i]!;
    const mdi = (100 * m[i]!) / tr[i]!;
    return pdi + mdi === 0 ? 0 : (100 * Math.abs(pdi - mdi)) / (pdi + mdi);
  });
  return refWilder(dx, n);
}

function refObv(c: Candle[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < c.length; i++) {
    if (i === 0) out.push(c[0]!.volume);
    else if (c[i]!.close > c[i - 1]!.close) out.push(out[i - 1]! + c[i]!.volume);
    else if (c[i]!.close < c[i - 1]!.close) out.push(out[i - 1]! - c[i]!.volume);
    else out.push(out[i - 1]!);
  }
  return out;
}

function reference(c: Candle[], tf: Timeframe): Partial<Record<IndicatorColumn, Series>> {
  const close = c.map((x) => x.close);
  const m15 = tf === '15m';
  const [macdLine, signalLine, histogram] = m15 ? refMacd(close, 8, 17, 9) : refMacd(close, 12, 26, 9);
  const ref: Partial<Record<IndicatorColumn, Series>> = {
    ema_9: refEma(close, 9),
    ema_21: refEma(close, 21),
    macd_line: macdLine,
    signal_line: signalLine,
    histogram,
  };
  if (m15) {
    ref.ema_55 = refEma(close, 55);
    ref.rsi_7 = refRsi(close, 7);
    ref.atr_14 = refWilder(refTrueRange(c), 14);
    ref.obv = refObv(c);
    ref.obv_ema_9 = refEma(ref.obv, 9);
    ref.adx_14 = refAdx(c, 14);
  } else {
    ref.rsi_14 = refRsi(close, 14);
  }
  if (tf !== '1d') [ref.bb_upper, ref.bb_middle, ref.bb_lower, ref.bb_width] = refBollinger(close, 20, 2);
  return ref;
}

/** First non-null index of each column (TA-Lib lookbacks). */
const FIRST_VALUE: Record<'15m' | '4h' | '1d', Partial<Record<IndicatorColumn, number>>> = {
  '15m': {
    ema_9: 8, ema_21: 20, ema_55: 54, rsi_7: 7, macd_line: 16, signal_line: 24, histogram: 24,
    bb_upper: 19, bb_middle: 19, bb_lower: 19, bb_width: 19, atr_14: 14, obv: 0, obv_ema_9: 8, adx_14: 27,
  },
  '4h': {
    ema_9: 8, ema_21: 20, rsi_14: 14, macd_line: 25, signal_line: 33, histogram: 33,
    bb_upper: 19, bb_middle: 19, bb_lower: 19, bb_width: 19,
  },
  '1d': { ema_9: 8, ema_21: 20, rsi_14: 14, macd_line: 25, signal_line: 33, histogram: 33 },
};

const SYMBOLS = ['BTC', 'ETH', 'SOL', 'XRP'] as const;
const CASES: [Timeframe, number][] = [['15m', 300], ['1h', 100], ['4h', 100], ['1d', 100]];

describe('indicators match an independent TA-Lib-style reference on real data', () => {
  for (const symbol of SYMBOLS) {
    for (const [tf, skip] of CASES) {
      it(`${symbol} ${tf}: nulls before warm-up, values within 1e-6 relative after ${skip} candles`, () => {
        const candles = loadCandles(symbol, tf);
        expect(candles.length).toBeGreaterThan(skip + 100);
        const got = computeIndicators(candles, tf);
        const ref = reference(candles, tf);
        const cols = indicatorColumns(tf);
        const first = FIRST_VALUE[tf === '1h' ? '4h' : tf];
        expect(Object.keys(ref).sort()).toEqual([...cols].sort());
        for (const col of cols) {
          const r = ref[col]!;
          const f = first[col]!;
          // the reference's own warm-up agrees with the expected TA-Lib lookback
          expect(r.findIndex((x) => x !== null), col).toBe(f);
          let worst = 0;
          for (let i = 0; i < candles.length; i++) {
            const a = got[i]![col];
            if (i < f) {
              if (a !== null) expect.fail(`${col}[${i}] should be null before warm-up, got ${a}`);
              continue;
            }
            if (typeof a !== 'number' || !Number.isFinite(a)) expect.fail(`${col}[${i}] should be a number, got ${a}`);
            if (i < skip) continue;
            const b = r[i]!;
            const err = Math.abs(a - b) / Math.max(1, Math.abs(b));
            if (err > worst) worst = err;
            if (err > 1e-6) expect.fail(`${col}[${i}] = ${a}, reference ${b} (relative error ${err})`);
          }
          expect(worst, col).toBeLessThanOrEqual(1e-6);
        }
      });
    }
  }
});
