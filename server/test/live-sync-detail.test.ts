/**
 * LiveSync with detail timeframes (`OSPREY_DETAIL_TIMEFRAMES`): 5m candles are backfilled, gap-filled and
 * followed into the store like the charted timeframes, but never emitted to the market service.
 *
 * Data: a stub source serving **synthetic** candles (a flat price with a per-candle wiggle, any timeframe, only
 * those opened by the clock) — what matters here is which series are fetched, stored and emitted.
 */
import { describe, expect, it } from 'vitest';
import { TIMEFRAME_MS, type Candle, type CandleTimeframe } from '@osprey/shared';
import { ManualClock } from '../src/domain/ports.js';
import type { OhlcvSource } from '../src/domain/market-ports.js';
import { LiveSync, type CandleUpdate } from '../src/services/live-sync.js';
import { loadEnv } from '../src/config/env.js';
import { MemoryCandleStore } from './fakes/memory-candle-store.js';

const T = Date.UTC(2024, 2, 1, 0, 7);

/** Synthetic candles of any timeframe up to the clock (not market data). */
function stubSource(clock: ManualClock, requests: string[]): OhlcvSource {
  return {
    id: 'stub',
    async fetchOHLCV(symbol: string, tf: CandleTimeframe, since: number | undefined, limit: number): Promise<Candle[]> {
      requests.push(tf);
      const len = TIMEFRAME_MS[tf];
      const out: Candle[] = [];
      for (let ts = since ?? clock.now() - limit * len; ts <= clock.now() && out.length < limit; ts += len) {
        const w = ((ts / len) % 7) / 10;
        out.push({ ts, open: 100, high: 101 + w, low: 99 - w, close: 100 + w, volume: 1 });
      }
      return out;
    },
  };
}

describe('LiveSync detail timeframes', () => {
  it('stores 5m candles over their backfill window and as they close, without emitting them', async () => {
    const clock = new ManualClock(T);
    const requests: string[] = [];
    const store = new MemoryCandleStore();
    const updates: CandleUpdate[] = [];
    const sync = new LiveSync({ source: stubSource(clock, requests), store, exchange: 'binance', symbols: ['BTC/USDT'], timeframes: ['15m'], detailTimeframes: ['5m'], backfill: { '15m': 1, '5m': 1 }, clock, onCandle: (u) => updates.push(u) });
    await sync.backfill();
    const five = await store.listTs('binance', 'BTC/USDT', '5m' as never, 0, T);
    expect(five).toHaveLength(287); // the closed 5m candles opening from 1 day before the clock (aligned up) to 00:00
    expect(five.at(-1)).toBe(Date.UTC(2024, 2, 1, 0, 0));
    expect(await store.listTs('binance', 'BTC/USDT', '15m', 0, T)).toHaveLength(95);
    expect(requests).toContain('5m');
    clock.set(Date.UTC(2024, 2, 1, 0, 21));
    updates.length = 0;
    await sync.tick();
    expect((await store.listTs('binance', 'BTC/USDT', '5m' as never, 0, clock.now())).at(-1)).toBe(Date.UTC(2024, 2, 1, 0, 15));
    expect(updates.map((u) => u.timeframe)).toEqual(['15m', '15m']); // the closed 00:00 and the forming 00:15; no 5m
  });

  it('OSPREY_DETAIL_TIMEFRAMES takes 1m and/or 5m and nothing else', () => {
    expect(loadEnv({}).OSPREY_DETAIL_TIMEFRAMES).toEqual([]);
    expect(loadEnv({ OSPREY_DETAIL_TIMEFRAMES: '5m, 1m,5m' }).OSPREY_DETAIL_TIMEFRAMES).toEqual(['5m', '1m']);
    expect(loadEnv({ OSPREY_DETAIL_TIMEFRAMES: '5m', OSPREY_BACKFILL_DETAIL_DAYS: '7' }).OSPREY_BACKFILL_DETAIL_DAYS).toBe(7);
    expect(() => loadEnv({ OSPREY_DETAIL_TIMEFRAMES: '15m' })).toThrow(/OSPREY_DETAIL_TIMEFRAMES/);
  });
});
