/**
 * Trading benchmarks (figures printed, not asserted):
 * 1. pending-order trigger → order placed on paper: latency of `evaluatePending` on a price step, the trade
 *    machine's `openTrade`, and `PaperExchange.createOrder` (market order filled at the current price), per
 *    trigger over 10k triggers; p50/p99 in ms (target p99 < 5 ms). Reference in the same run: the bare
 *    `PaperExchange.createOrder` alone.
 * 2. request-scheduler overhead per request: `RequestScheduler.run` around a no-op with an unlimited window,
 *    vs calling the no-op directly.
 */
import { performance } from 'node:perf_hooks';
import type { Candle } from '@osprey/shared';
import { PaperExchange, type PriceSource } from '../src/adapters/exchange/paper-exchange.js';
import { RequestScheduler } from '../src/adapters/exchange/request-scheduler.js';
import { ManualClock } from '../src/domain/ports.js';
import { evaluatePending, type PendingTrigger } from '../src/domain/trade/pending.js';
import { openTrade } from '../src/domain/trade/trade-machine.js';

/** One printed figure. */
export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
}

const N = Number(process.env.BENCH_TRIGGERS ?? 10_000);
const T0 = Date.UTC(2024, 7, 1);

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function paper(): PaperExchange {
  const last: Candle = { ts: T0, open: 64000, high: 64000, low: 64000, close: 64000, volume: 1 };
  const prices: PriceSource = { last: () => last, subscribe: () => () => undefined, history: async () => [last] };
  return new PaperExchange({ id: 'binance', marketType: 'swap', balances: { USDT: '100000000' }, clock: new ManualClock(T0), prices });
}

/** Runs both benchmarks. */
export async function runTradingBench(): Promise<BenchFigure[]> {
  const out: BenchFigure[] = [];
  // --- 1. trigger → order placed
  const ex = paper();
  await ex.loadMarkets();
  const pending: PendingTrigger[] = Array.from({ length: N }, (_, i) => ({ id: `p${i}`, symbol: 'BTC/USDT:USDT', triggerPrice: '63990', direction: 'below', expiresAt: T0 + 3_600_000, status: 'PENDING' }));
  const lat: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    const { triggered } = evaluatePending([pending[i]!], { symbol: 'BTC/USDT:USDT', ts: T0 + i, high: 64010, low: 63980 });
    const o = triggered[0]!;
    const { intents } = openTrade({ id: o.id, symbol: o.symbol, side: 'long', amount: '0.002', leverage: 1, entryType: 'market' });
    const place = intents[0]!;
    if (place.kind !== 'place') throw new Error('expected a place intent');
    await ex.createOrder(place.order);
    lat.push(performance.now() - t);
  }
  lat.sort((a, b) => a - b);
  out.push({ name: `pending trigger → paper order placed, p50 (${N} triggers)`, value: quantile(lat, 0.5), unit: 'ms' });
  out.push({ name: 'pending trigger → paper order placed, p99 (target < 5 ms)', value: quantile(lat, 0.99), unit: 'ms' });

  const ref = paper();
  await ref.loadMarkets();
  const refLat: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    await ref.createOrder({ clientOrderId: `r${i}`, symbol: 'BTC/USDT:USDT', side: 'buy', type: 'market', amount: '0.002' });
    refLat.push(performance.now() - t);
  }
  refLat.sort((a, b) => a - b);
  out.push({ name: 'reference: PaperExchange.createOrder alone, p50', value: quantile(refLat, 0.5), unit: 'ms' });
  out.push({ name: 'reference: PaperExchange.createOrder alone, p99', value: quantile(refLat, 0.99), unit: 'ms' });

  // --- 2. scheduler overhead
  const sched = new RequestScheduler({ window: { maxRequests: 1e9, windowMs: 1, minSpacingMs: 0, maxInFlight: 1e9 } });
  const noop = async () => 1;
  const M = 20_000;
  let t = performance.now();
  for (let i = 0; i < M; i++) await noop();
  const direct = (performance.now() - t) / M;
  t = performance.now();
  for (let i = 0; i < M; i++) await sched.run({ priority: 3 }, noop);
  const scheduled = (performance.now() - t) / M;
  sched.close();
  out.push({ name: 'request scheduler: overhead per request', value: (scheduled - direct) * 1000, unit: 'µs' });
  out.push({ name: 'reference: direct await of the same no-op', value: direct * 1000, unit: 'µs' });
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const f of await runTradingBench()) console.log(`${f.name}: ${f.value.toFixed(4)} ${f.unit}`);
}
