/**
 * Indicator benchmark on ~500k 15m candles made by tiling the real BTC 15m file (ts shifted by whole copies so
 * it stays increasing and aligned; prices unchanged). Times
 * (a) `computeIndicators(candles, '15m')` (one IndicatorValues object per candle, the public API),
 * (a') `computeIndicatorColumns(candles, '15m')` (same engine, Float64Array columns, no per-candle objects),
 * (b) a plain single-pass Float64Array loop computing the same 15m columns (EMA 9/21/55, RSI 7, MACD 8/17/9,
 *     Bollinger 20/2σ, ATR 14, OBV + EMA 9, ADX 14),
 * in the same run: each warmed up once, then best of 3, interleaved, with a full GC and a short pause before
 * each timed run (so one path's garbage is not collected on another's clock). Prints candles/s, the ratios
 * to (b) (target (a)/(b) ≥ 0.5×; not asserted) and the largest relative difference between (a') and (b).
 * Then, per indicator, our kernel against the trading-signals class that meets the same definition (the
 * measurement behind not using those classes in the engine; see engine.ts).
 * Run: `npx tsx server/bench/indicators.bench.ts` (from server/, where tsx is installed).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { INDICATOR_COLUMNS_15M, TIMEFRAME_MS, type Candle } from '@osprey/shared';
import { BollingerBands as TsBollingerBands, OBV as TsObv, RSI as TsRsi, TR as TsTr, WSMA as TsWsma } from 'trading-signals';
import { computeIndicatorColumns, computeIndicators, parseCandlesCsv } from '../src/domain/indicators/index.js';
import { BollingerBands } from '../src/domain/indicators/bollinger.js';
import { Adx, Obv } from '../src/domain/indicators/candle-indicators.js';
import { Rsi } from '../src/domain/indicators/rsi.js';

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

/**
 * A full GC (when `gc` can be exposed at run time), then a 150 ms pause so the GC's concurrent sweeping does not
 * compete with the next timed run (on a 2-core box it otherwise slowed short runs several-fold).
 */
function settler(): () => void {
  let gc = (): void => {};
  try {
    setFlagsFromString('--expose-gc');
    const fn: unknown = runInNewContext('gc');
    if (typeof fn === 'function') gc = fn as () => void;
  } catch {
    // not available: pause only
  }
  const cell = new Int32Array(new SharedArrayBuffer(4));
  return () => {
    gc();
    Atomics.wait(cell, 0, 0, 150);
  };
}

/**
 * Warm-up once each, then best of `rounds` timed runs per function, interleaved, each after a GC and pause
 * (so one path's garbage is not collected on another's clock); ms per function.
 */
function bestOf(rounds: number, fns: (() => unknown)[]): number[] {
  const settle = settler();
  for (const fn of fns) fn();
  const best = fns.map(() => Infinity);
  for (let r = 0; r < rounds; r++) {
    fns.forEach((fn, k) => {
      settle();
      const t0 = performance.now();
      fn();
      best[k] = Math.min(best[k]!, performance.now() - t0);
    });
  }
  return best;
}

/** Runs the benchmark, prints the figures and returns them. */
export async function runIndicatorsBench(): Promise<BenchResult[]> {
  const candles = tiledBtc15m();
  const n = candles.length;
  const fields = ['high', 'low', 'close', 'volume'] as const;
  const [high, low, close, volume] = fields.map((k) => Float64Array.from(candles, (c) => c[k])) as [
    Float64Array, Float64Array, Float64Array, Float64Array,
  ];
  const [msObjects, msColumns, msTyped] = bestOf(3, [
    () => computeIndicators(candles, '15m'),
    () => computeIndicatorColumns(candles, '15m'),
    () => typedIndicators15m(high, low, close, volume),
  ]) as [number, number, number];

  // Same numbers? Largest relative difference between the engine's columns and the typed loop.
  const engineCols = computeIndicatorColumns(candles, '15m');
  const typedCols = typedIndicators15m(high, low, close, volume);
  let maxDiff = 0;
  INDICATOR_COLUMNS_15M.forEach((name, j) => {
    const a = engineCols[name]!, b = typedCols[j]!;
    for (let i = 0; i < n; i++) {
      const x = a[i]!, y = b[i]!;
      if (Number.isNaN(x) !== Number.isNaN(y)) throw new Error(`warm-up mismatch in ${name} at ${i}`);
      if (!Number.isNaN(x)) maxDiff = Math.max(maxDiff, Math.abs(x - y) / Math.max(1, Math.abs(y)));
    }
  });

  const rate = (ms: number) => n / (ms / 1000);
  const results: BenchResult[] = [
    { name: 'indicators.computeIndicators.15m', value: rate(msObjects), unit: 'candles/s' },
    { name: 'indicators.computeIndicatorColumns.15m', value: rate(msColumns), unit: 'candles/s' },
    { name: 'indicators.typedArrayLoop.15m', value: rate(msTyped), unit: 'candles/s' },
    { name: 'indicators.ratio.computeIndicators', value: msTyped / msObjects, unit: 'x' },
    { name: 'indicators.ratio.computeIndicatorColumns', value: msTyped / msColumns, unit: 'x' },
  ];
  const line = (label: string, ms: number) =>
    console.log(`  ${label.padEnd(26)} ${ms.toFixed(1).padStart(7)} ms  ${Math.round(rate(ms)).toLocaleString('en').padStart(10)} candles/s`);
  console.log(`indicators bench: ${n} BTC 15m candles (tiled), best of 3`);
  line('(a)  computeIndicators', msObjects);
  line("(a') computeIndicatorColumns", msColumns);
  line('(b)  typed-array loop', msTyped);
  console.log(`  ratio (a)/(b)  ${(msTyped / msObjects).toFixed(2)}x   (target >= 0.5x)`);
  console.log(`  ratio (a')/(b) ${(msTyped / msColumns).toFixed(2)}x`);
  console.log(`  max relative difference (a') vs (b): ${maxDiff.toExponential(2)}`);

  // Per indicator: our kernel vs the trading-signals class meeting the same definition.
  const pairs: [string, () => void, () => void][] = [
    ['rsi_7', () => { const k = new Rsi(7); for (const c of candles) k.update(c.close); },
      () => { const k = new TsRsi(7); for (const c of candles) k.update(c.close, false); }],
    ['bollinger_20_2', () => { const k = new BollingerBands(20, 2); for (const c of candles) k.update(c.close); },
      () => { const k = new TsBollingerBands(20, 2); for (const c of candles) k.update(c.close, false); }],
    ['obv', () => { const k = new Obv(); for (const c of candles) k.update(c); },
      () => { const k = new TsObv(2); for (const c of candles) k.update(c, false); }],
    ['atr_14 (ours: whole ADX 14)', () => { const k = new Adx(14); for (const c of candles) k.update(c); },
      () => { const tr = new TsTr(), w = new TsWsma(14); for (const c of candles) w.update(tr.update(c, false), false); }],
  ];
  console.log('  per indicator, ours vs trading-signals:');
  for (const [name, ours, lib] of pairs) {
    const [msOurs, msLib] = bestOf(3, [ours, lib]) as [number, number];
    console.log(`    ${name.padEnd(28)} ${msOurs.toFixed(1).padStart(6)} ms vs ${msLib.toFixed(1).padStart(6)} ms`);
    results.push({ name: `indicators.kernel.${name.split(' ')[0]}.ours`, value: msOurs, unit: 'ms' });
    results.push({ name: `indicators.kernel.${name.split(' ')[0]}.trading-signals`, value: msLib, unit: 'ms' });
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runIndicatorsBench();
}
