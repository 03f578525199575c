/**
 * Indicator benchmark: `computeIndicators(candles, '15m')` against a plain single-pass Float64Array loop
 * computing the same 15m columns (EMA 9/21/55, RSI 7, MACD 8/17/9, Bollinger 20/2σ, ATR 14, OBV + EMA 9,
 * ADX 14), on ~500k 15m candles made by tiling the real BTC 15m file (ts shifted to stay increasing and
 * aligned; prices unchanged). Each path is warmed up once, then timed best of 3. Prints candles/s for both and
 * the ratio (target ≥ 0.5×; not asserted). Run: `npx tsx server/bench/indicators.bench.ts`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { TIMEFRAME_MS, type Candle } from '@osprey/shared';
import { computeIndicators, parseCandlesCsv } from '../src/domain/indicators/index.js';

/** One benchmark figure. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
}

const BTC_15M = fileURLToPath(new URL('../assets/market/BINANCE_BTC-USDT_15m.csv', import.meta.url));

/** Tiles the real BTC 15m series until it has at least `target` candles, shifting ts by whole copies. */
export function tiledBtc15m(target = 500_000): Candle[] {
  const base = parseCandlesCsv(readFileSync(BTC_15M, 'utf8'), '15m');
  const span = base[base.length - 1]!.ts - base[0]!.ts + TIMEFRAME_MS['15m'];
  const out: Candle[] = [];
  for (let k = 0; out.length < target; k++) {
    for (const c of base) out.push({ ...c, ts: c.ts + k * span });
  }
  return out;
}

/** Columns of the typed-array loop, in INDICATOR_COLUMNS_15M order. */
const TYPED_COLUMNS = 15;

/**
 * Reference-speed kernel: one pass over Float64Arrays, NaN before warm-up, same definitions as the engine
 * (SMA-seeded EMAs, Wilder RSI/ATR/ADX, population-σ Bollinger with a rolling sum for the mean).
 * @returns 15 columns in INDICATOR_COLUMNS_15M order
 */
export function typedIndicators15m(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  volume: Float64Array,
): Float64Array[] {
  const n = close.length;
  const cols = Array.from({ length: TYPED_COLUMNS }, () => new Float64Array(n).fill(NaN));
  const [e9, e21, e55, rsi, ml, sl, hist, bu, bm, bl, bw, atr, obvC, obvE, adx] = cols as [
    Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array,
    Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array,
  ];
  // EMA states: [sum/value] per EMA, periods and alphas
  const P = [9, 21, 55, 8, 17, 9, 9] as const; // ema9, ema21, ema55, fast, slow, signal, obvEma
  const st = new Float64Array(P.length);
  const K = P.map((p) => 2 / (p + 1));
  const ema = (j: number, idx: number, x: number): number => {
    const p = P[j]!;
    if (idx < p - 1) {
      st[j]! += x;
      return NaN;
    }
    if (idx === p - 1) return (st[j] = (st[j]! + x) / p);
    return (st[j] = (x - st[j]!) * K[j]! + st[j]!);
  };
  let gain = 0, loss = 0; // RSI 7
  let bbSum = 0; // Bollinger 20
  let trAvg = 0, pdmAvg = 0, mdmAvg = 0, dxAvg = 0; // ATR/ADX 14
  let obv = 0;
  for (let i = 0; i < n; i++) {
    const c = close[i]!;
    e9[i] = ema(0, i, c);
    e21[i] = ema(1, i, c);
    e55[i] = ema(2, i, c);
    const f = ema(3, i, c);
    const s = ema(4, i, c);
    if (i >= 16) {
      const line = f - s;
      ml[i] = line;
      const sig = ema(5, i - 16, line);
      sl[i] = sig;
      hist[i] = line - sig;
    }
    bbSum += c;
    if (i >= 20) bbSum -= close[i - 20]!;
    if (i >= 19) {
      const mean = bbSum / 20;
      let ss = 0;
      for (let j = i - 19; j <= i; j++) {
        const d = close[j]! - mean;
        ss += d * d;
      }
      const sd = Math.sqrt(ss / 20);
      bu[i] = mean + 2 * sd;
      bm[i] = mean;
      bl[i] = mean - 2 * sd;
      bw[i] = (4 * sd) / mean;
    }
    obv = i === 0 ? volume[0]! : c > close[i - 1]! ? obv + volume[i]! : c < close[i - 1]! ? obv - volume[i]! : obv;
    obvC[i] = obv;
    obvE[i] = ema(6, i, obv);
    if (i === 0) continue;
    const ch = c - close[i - 1]!;
    const g = ch > 0 ? ch : 0, lo = ch < 0 ? -ch : 0;
    if (i <= 7) {
      gain += g / 7;
      loss += lo / 7;
    } else {
      gain += (g - gain) / 7;
      loss += (lo - loss) / 7;
    }
    if (i >= 7) rsi[i] = loss === 0 ? 100 : 100 - 100 / (1 + gain / loss);
    const pc = close[i - 1]!, h = high[i]!, l = low[i]!;
    const tr = Math.max(h - l, Math.abs(h - pc), Math.abs(l - pc));
    const up = h - high[i - 1]!, down = low[i - 1]! - l;
    const pdm = up > down && up > 0 ? up : 0, mdm = down > up && down > 0 ? down : 0;
    if (i <= 14) {
      trAvg += tr / 14;
      pdmAvg += pdm / 14;
      mdmAvg += mdm / 14;
    } else {
      trAvg += (tr - trAvg) / 14;
      pdmAvg += (pdm - pdmAvg) / 14;
      mdmAvg += (mdm - mdmAvg) / 14;
    }
    if (i < 14) continue;
    atr[i] = trAvg;
    const pdi = trAvg === 0 ? 0 : (100 * pdmAvg) / trAvg, mdi = trAvg === 0 ? 0 : (100 * mdmAvg) / trAvg;
    const sum = pdi + mdi;
    const dx = sum === 0 ? 0 : (100 * Math.abs(pdi - mdi)) / sum;
    if (i < 27) dxAvg += dx / 14;
    else if (i === 27) adx[i] = dxAvg += dx / 14;
    else adx[i] = dxAvg += (dx - dxAvg) / 14;
  }
  return cols;
}

function bestOf3(fn: () => unknown): number {
  fn(); // warm-up
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

/** Runs the benchmark, prints the figures and returns them. */
export async function runIndicatorsBench(): Promise<BenchResult[]> {
  const candles = tiledBtc15m();
  const n = candles.length;
  const cols = ['high', 'low', 'close', 'volume'] as const;
  const [high, low, close, volume] = cols.map((k) => Float64Array.from(candles, (c) => c[k])) as [
    Float64Array, Float64Array, Float64Array, Float64Array,
  ];
  const msEngine = bestOf3(() => computeIndicators(candles, '15m'));
  const msTyped = bestOf3(() => typedIndicators15m(high, low, close, volume));
  const results: BenchResult[] = [
    { name: 'indicators.computeIndicators.15m', value: n / (msEngine / 1000), unit: 'candles/s' },
    { name: 'indicators.typedArrayLoop.15m', value: n / (msTyped / 1000), unit: 'candles/s' },
    { name: 'indicators.ratio', value: msTyped / msEngine, unit: 'x' },
  ];
  console.log(`indicators bench: ${n} candles (BTC 15m tiled)`);
  console.log(`  computeIndicators: ${msEngine.toFixed(1)} ms  ${Math.round(results[0]!.value).toLocaleString('en')} candles/s`);
  console.log(`  typed-array loop : ${msTyped.toFixed(1)} ms  ${Math.round(results[1]!.value).toLocaleString('en')} candles/s`);
  console.log(`  ratio (a)/(b)    : ${results[2]!.value.toFixed(2)}x (target >= 0.5x)`);
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runIndicatorsBench();
}
