/**
 * In-memory {@link CandleStore} for tests: candles keyed by (exchange, symbol, timeframe, open time).
 * Same contract as the database store; plus helpers to read and punch holes for gap tests.
 */
import type { Candle, Timeframe } from '@osprey/shared';
import type { CandleStore } from '../../src/domain/market-ports.js';

/** Map-backed candle store; see the file header. */
export class MemoryCandleStore implements CandleStore {
  private readonly series = new Map<string, Map<number, Candle>>();
  /** Number of `upsert` calls (to check batching). */
  upsertCalls = 0;

  private get(exchange: string, symbol: string, tf: Timeframe): Map<number, Candle> {
    const key = `${exchange}|${symbol}|${tf}`;
    let m = this.series.get(key);
    if (!m) this.series.set(key, (m = new Map()));
    return m;
  }

  /** {@inheritDoc CandleStore.latestTs} */
  async latestTs(exchange: string, symbol: string, tf: Timeframe): Promise<number | null> {
    let max: number | null = null;
    for (const ts of this.get(exchange, symbol, tf).keys()) if (max === null || ts > max) max = ts;
    return max;
  }

  /** {@inheritDoc CandleStore.listTs} */
  async listTs(exchange: string, symbol: string, tf: Timeframe, from: number, to: number): Promise<number[]> {
    return [...this.get(exchange, symbol, tf).keys()].filter((ts) => ts >= from && ts <= to).sort((a, b) => a - b);
  }

  /** {@inheritDoc CandleStore.upsert} */
  async upsert(exchange: string, symbol: string, tf: Timeframe, candles: readonly Candle[]): Promise<number> {
    this.upsertCalls++;
    const m = this.get(exchange, symbol, tf);
    for (const c of candles) m.set(c.ts, { ...c });
    return candles.length;
  }

  /** All stored candles of a series, ascending by open time. */
  candles(exchange: string, symbol: string, tf: Timeframe): Candle[] {
    return [...this.get(exchange, symbol, tf).values()].sort((a, b) => a.ts - b.ts);
  }

  /** Deletes stored candles with `from ≤ ts ≤ to`; returns how many were removed. */
  deleteRange(exchange: string, symbol: string, tf: Timeframe, from: number, to: number): number {
    const m = this.get(exchange, symbol, tf);
    let n = 0;
    for (const ts of [...m.keys()]) if (ts >= from && ts <= to && m.delete(ts)) n++;
    return n;
  }
}
