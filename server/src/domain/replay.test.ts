import { describe, expect, it } from 'vitest';
import { TIMEFRAME_MS, type Candle } from '@osprey/shared';
import { formingCandle, SymbolReplay } from './replay.js';
import { aggregateCandles } from './candles.js';

const M15 = TIMEFRAME_MS['15m'];
const T0 = Date.UTC(2024, 0, 1);

describe('formingCandle', () => {
  const up: Candle = { ts: T0, open: 100, high: 110, low: 95, close: 105, volume: 30 };
  const down: Candle = { ts: T0, open: 100, high: 104, low: 90, close: 92, volume: 30 };

  it('walks open → low → high → close on a rising candle', () => {
    expect(formingCandle(up, 0)).toEqual({ ts: T0, open: 100, high: 100, low: 100, close: 100, volume: 0 });
    expect(formingCandle(up, 1 / 3)).toMatchObject({ close: 95, low: 95, high: 100, volume: 10 });
    expect(formingCandle(up, 2 / 3)).toMatchObject({ close: 110, low: 95, high: 110, volume: 20 });
    expect(formingCandle(up, 1)).toEqual(up);
  });

  it('walks open → high → low → close on a falling candle', () => {
    expect(formingCandle(down, 1 / 3)).toMatchObject({ close: 104, high: 104, low: 100 });
    expect(formingCandle(down, 0.5)).toMatchObject({ close: 97, high: 104, low: 97 });
    expect(formingCandle(down, 1)).toEqual(down);
  });

  it('never leaves the final candle range and clamps the fraction', () => {
    for (let f = -0.5; f <= 1.5; f += 0.05) {
      const c = formingCandle(up, f);
      expect(c.high).toBeLessThanOrEqual(up.high);
      expect(c.low).toBeGreaterThanOrEqual(up.low);
      expect(c.low).toBeLessThanOrEqual(c.close);
      expect(c.close).toBeLessThanOrEqual(c.high);
    }
  });
});

describe('SymbolReplay', () => {
  // 32 15m candles = 8 hours = two 4h buckets.
  const base: Candle[] = Array.from({ length: 32 }, (_, i) => ({ ts: T0 + i * M15, open: 100 + i, high: 102 + i, low: 99 + i, close: 101 + i, volume: 1 + i }));

  it('closes each candle once when its time passes and derives 4h candles equal to the aggregate', () => {
    const r = new SymbolReplay('BTC/USDT', base, ['15m', '4h'], T0);
    const closes: { tf: string; c: Candle }[] = [];
    for (let t = T0; t <= T0 + 8 * 3_600_000; t += 7 * 60_000) {
      for (const e of r.step(t)) if (e.closed) closes.push({ tf: e.timeframe, c: e.candle });
    }
    for (const e of r.step(T0 + 8 * 3_600_000)) if (e.closed) closes.push({ tf: e.timeframe, c: e.candle });
    expect(closes.filter((x) => x.tf === '15m').map((x) => x.c)).toEqual(base);
    expect(closes.filter((x) => x.tf === '4h').map((x) => x.c)).toEqual(aggregateCandles(base, '4h'));
    expect(r.ended).toBe(true);
  });

  it('emits the forming candle of every timeframe, the 4h one merged from closed 15m plus the forming 15m', () => {
    const r = new SymbolReplay('BTC/USDT', base, ['15m', '4h'], T0);
    const events = r.step(T0 + 2 * M15 + M15 / 2);
    const closed = events.filter((e) => e.closed).map((e) => e.candle.ts);
    expect(closed).toEqual([T0, T0 + M15]);
    const f15 = events.find((e) => !e.closed && e.timeframe === '15m')!;
    const f4h = events.find((e) => !e.closed && e.timeframe === '4h')!;
    expect(f15.candle.ts).toBe(T0 + 2 * M15);
    expect(f4h.candle).toMatchObject({ ts: T0, open: base[0]!.open, close: f15.candle.close, high: Math.max(base[1]!.high, f15.candle.high) });
    expect(f4h.candle.volume).toBeCloseTo(base[0]!.volume + base[1]!.volume + f15.candle.volume, 9);
  });

  it('starts after history: candles closed before the start are not replayed', () => {
    const r = new SymbolReplay('BTC/USDT', base, ['15m'], T0 + 10 * M15);
    const closes = r.step(T0 + 12 * M15).filter((e) => e.closed);
    expect(closes.map((e) => e.candle.ts)).toEqual([T0 + 10 * M15, T0 + 11 * M15]);
  });
});
