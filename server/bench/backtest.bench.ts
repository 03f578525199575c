/**
 * Backtest benchmark (figures printed, not asserted): a grid bot backtested with `runBacktest` over ≥ 500k
 * 15m candles made by tiling the real BTC 15m file (see `tiledBtc15m` in indicators.bench.ts), beside a plain
 * loop over Float64Arrays doing the same grid level checks with floats (same candle path: open point, then
 * the three legs open → low → high → close / open → high → low → close; buy fills at min(level, leg open),
 * sells at max(target, leg open), re-arming, re-anchoring on closes) over the same candles in the same run.
 *
 * Units: candles/s, and candle-steps/s = price steps applied to the paper engine (4 per candle: the open
 * point and the three legs; target ≥ 1 000 000 /s). The plain loop's figure counts the same 4 steps per
 * candle. Wall-clock, each side warmed up by one whole run (the first full engine run after a short warm-up
 * still runs partly unoptimised code: ~15 % slower), then engine best of 3 and plain loop best of 5,
 * interleaved, each after a GC and a pause; every engine run's time is printed too (the machine may be shared:
 * the spread shows how noisy the run was). The engine time is the whole `runBacktest` (strategy steps, order
 * placement, equity curve, metrics).
 * Run: `npx tsx bench/backtest.bench.ts` (from server/); `BENCH_BACKTEST_CANDLES` changes the candle count.
 */
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Candle } from '@osprey/shared';
import type { MarketInfo } from '../src/domain/exchange/port.js';
import { paperMarkets } from '../src/adapters/exchange/paper-markets.js';
import { runBacktest } from '../src/domain/bots/backtest.js';
import { createGridStrategy, parseGridConfig, type GridConfig } from '../src/domain/bots/grid.js';
import { tiledBtc15m } from './indicators.bench.js';

/** One printed figure. */
export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
}

const N = Number(process.env.BENCH_BACKTEST_CANDLES ?? 500_000);
const STEPS_PER_CANDLE = 4;

/** Binance's BTC/USDT spot rules from the paper exchange's table (step 0.00001, tick 0.01, min notional 5, fees 0.1 %). */
const SPOT: MarketInfo = paperMarkets('spot')['BTC/USDT']!;

/** The grid benchmarked: 8 levels 0.5 % apart, sells 0.6 % above, 200 USDT each, re-anchor beyond 3 %. */
export const BENCH_GRID: GridConfig = parseGridConfig({ symbol: 'BTC/USDT', levels: 8, spacingPct: 0.5, sellOffsetPct: 0.6, orderSize: { mode: 'quote', value: '200' }, repricePct: 3 });

/** The engine run: `runBacktest` with the grid strategy. */
export function engineGrid(candles: readonly Candle[]) {
  return runBacktest({
    strategy: createGridStrategy('bench', BENCH_GRID),
    candles: { 'BTC/USDT': candles },
    timeframe: '15m',
    marketType: 'spot',
    markets: { 'BTC/USDT': SPOT },
    balances: { USDT: '100000' },
  });
}

/**
 * The reference: the same grid cycle with floats over typed arrays (no decimals, no rounding to ticks, no
 * balances, no orders — only the level checks). Returns the number of fills and the gross PnL (quote).
 */
export function typedGrid(open: Float64Array, high: Float64Array, low: Float64Array, close: Float64Array, g: GridConfig): { fills: number; pnl: number } {
  const n = close.length;
  const L = g.levels;
  const spacing = g.spacingPct / 100;
  const offset = g.sellOffsetPct / 100;
  const quote = Number(g.orderSize.value);
  // 0 idle, 1 buying, 2 holding
  const status = new Int8Array(L);
  const buyPx = new Float64Array(L);
  const sellPx = new Float64Array(L);
  const amount = new Float64Array(L);
  const entry = new Float64Array(L);
  const fresh = new Uint8Array(L);
  let anchor = NaN;
  let fills = 0;
  let pnl = 0;
  const arm = (current: number) => {
    for (let k = 0; k < L; k++) {
      if (status[k] !== 0) continue;
      const px = anchor * (1 - spacing * (k + 1));
      status[k] = 1;
      buyPx[k] = px;
      amount[k] = quote / px;
      if (current <= px) {
        // marketable at placement: immediate fill at the current price
        fill(k, current);
      }
    }
  };
  const fill = (k: number, price: number) => {
    status[k] = 2;
    entry[k] = price;
    sellPx[k] = price * (1 + offset);
    fresh[k] = 1;
    fills++;
  };
  const leg = (a: number, b: number) => {
    const lo = a < b ? a : b;
    const hi = a < b ? b : a;
    for (let k = 0; k < L; k++) fresh[k] = 0;
    let rearm = false;
    for (let k = 0; k < L; k++) {
      const s = status[k];
      if (s === 1 && lo <= buyPx[k]!) fill(k, Math.min(buyPx[k]!, a));
      else if (s === 2 && !fresh[k] && hi >= sellPx[k]!) {
        const px = Math.max(sellPx[k]!, a);
        pnl += (px - entry[k]!) * amount[k]!;
        fills++;
        status[k] = 0;
        rearm = true;
      }
    }
    if (rearm && anchor === anchor) arm(b);
  };
  for (let i = 0; i < n; i++) {
    const o = open[i]!;
    const h = high[i]!;
    const l = low[i]!;
    const c = close[i]!;
    leg(o, o);
    if (c >= o) {
      leg(o, l);
      leg(l, h);
      leg(h, c);
    } else {
      leg(o, h);
      leg(h, l);
      leg(l, c);
    }
    if (anchor !== anchor) {
      anchor = c;
      arm(c);
    } else if ((Math.abs(c - anchor) / anchor) * 100 > g.repricePct) {
      anchor = c;
      for (let k = 0; k < L; k++) if (status[k] === 1) status[k] = 0;
      arm(c);
    }
  }
  return { fills, pnl };
}

/** A full GC when it can be exposed at run time, then a short pause. */
function settle(): void {
  try {
    setFlagsFromString('--expose-gc');
    const fn: unknown = runInNewContext('gc');
    if (typeof fn === 'function') (fn as () => void)();
  } catch {
    // not available
  }
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 150);
}

/** Runs the benchmark, prints the figures and returns them. */
export async function runBacktestBench(): Promise<BenchFigure[]> {
  const candles = tiledBtc15m(N).slice(0, N);
  const n = candles.length;
  const col = (k: 'open' | 'high' | 'low' | 'close') => Float64Array.from(candles, (c) => c[k]);
  const [open, high, low, close] = [col('open'), col('high'), col('low'), col('close')];

  // warm-up: the whole series through each
  engineGrid(candles);
  typedGrid(open, high, low, close, BENCH_GRID);

  // best of 3 (engine) and of 5 (plain loop), interleaved, each after a GC and a pause
  let msEngine = Infinity;
  let msTyped = Infinity;
  const engineRuns: number[] = [];
  let r = engineGrid(candles.slice(0, 1));
  let ref = { fills: 0, pnl: 0 };
  for (let k = 0; k < 5; k++) {
    if (k < 3) {
      settle();
      const t0 = performance.now();
      r = engineGrid(candles);
      const ms = performance.now() - t0;
      engineRuns.push(ms);
      msEngine = Math.min(msEngine, ms);
    }
    settle();
    const t0 = performance.now();
    ref = typedGrid(open, high, low, close, BENCH_GRID);
    msTyped = Math.min(msTyped, performance.now() - t0);
  }

  const steps = (ms: number) => (n * STEPS_PER_CANDLE) / (ms / 1000);
  const perCandle = (ms: number) => n / (ms / 1000);
  const out: BenchFigure[] = [
    { name: `grid backtest through the engine (${n} candles), candle-steps/s (target ≥ 1 000 000)`, value: steps(msEngine), unit: 'steps/s' },
    { name: 'grid backtest through the engine, candles/s', value: perCandle(msEngine), unit: 'candles/s' },
    { name: 'reference: plain typed-array float loop, candle-steps/s', value: steps(msTyped), unit: 'steps/s' },
    { name: 'reference: plain typed-array float loop, candles/s', value: perCandle(msTyped), unit: 'candles/s' },
    { name: 'ratio engine / plain loop', value: msTyped / msEngine, unit: 'x' },
    ...engineRuns.map((ms, k) => ({ name: `engine run ${k + 1} of ${engineRuns.length}, candle-steps/s`, value: steps(ms), unit: 'steps/s' })),
    { name: `fills: engine ${r.fills.length} (${r.trades.length} round trips) vs plain loop`, value: ref.fills, unit: 'fills' },
  ];
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const f of await runBacktestBench()) console.log(`${f.name}: ${f.value.toLocaleString('en-US', { maximumFractionDigits: 3 })} ${f.unit}`);
}
