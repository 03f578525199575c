/**
 * `pnpm bench`: every benchmark, figures printed (not asserted), each beside a reference measured in the
 * same run. Targets (issue #2): indicators ≥ 0.5× the typed-array loop; candle upsert ≥ 50k rows/s on Postgres;
 * grid backtest ≥ 1 000 000 candle-steps/s through the paper engine.
 */
import { runIndicatorsBench } from './indicators.bench.js';
import { runUpsertBench } from './upsert.bench.js';
import { runTradingBench } from './trading.bench.js';
import { runBacktestBench } from './backtest.bench.js';

const fmt = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 3 });

console.log('\n== indicators (15m set, 500k candles)');
for (const r of await runIndicatorsBench()) console.log(`${r.name}: ${fmt(r.value)} ${r.unit}`);
console.log('\n== candle upsert');
for (const r of await runUpsertBench()) console.log(`${r.name}: ${fmt(r.value)} ${r.unit}`);
console.log('\n== trading');
for (const r of await runTradingBench()) console.log(`${r.name}: ${fmt(r.value)} ${r.unit}`);
console.log('\n== bots');
for (const r of await runBacktestBench()) console.log(`${r.name}: ${fmt(r.value)} ${r.unit}`);
