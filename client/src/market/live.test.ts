import { describe, expect, it } from 'vitest';
import type { CandleWithIndicators, MarketSignal } from '@osprey/shared';
import { applyCandleUpdate, chartCandles, isSignalActive, prependSignal, type CandleSeries } from './live.js';

const M15 = 15 * 60_000;
function c(i: number, close = 100 + i): CandleWithIndicators {
  return { ts: i * M15, open: 100, high: close + 1, low: 99, close, volume: 1, ind: {} };
}
function series(n: number, forming: CandleWithIndicators | null = null): CandleSeries {
  return { candles: Array.from({ length: n }, (_, i) => c(i)), forming };
}

describe('applyCandleUpdate', () => {
  it('updates the forming candle in place', () => {
    const s = series(3, c(3, 110));
    const next = applyCandleUpdate(s, { candle: c(3, 111), closed: false });
    expect(next.candles).toBe(s.candles);
    expect(next.forming?.close).toBe(111);
    expect(s.forming?.close).toBe(110); // not mutated
  });

  it('appends on close and clears the forming candle', () => {
    const next = applyCandleUpdate(series(3, c(3, 110)), { candle: c(3, 112), closed: true });
    expect(next.candles.map((x) => x.ts)).toEqual([0, M15, 2 * M15, 3 * M15]);
    expect(next.candles.at(-1)?.close).toBe(112);
    expect(next.forming).toBeNull();
  });

  it('starts a new forming candle after a close', () => {
    const closed = applyCandleUpdate(series(3, c(3)), { candle: c(3), closed: true });
    const next = applyCandleUpdate(closed, { candle: c(4, 120), closed: false });
    expect(next.candles).toHaveLength(4);
    expect(next.forming?.ts).toBe(4 * M15);
  });

  it('keeps a forming candle whose close was missed when a newer one arrives', () => {
    const next = applyCandleUpdate(series(3, c(3, 110)), { candle: c(4, 120), closed: false });
    expect(next.candles.map((x) => x.ts)).toEqual([0, M15, 2 * M15, 3 * M15]);
    expect(next.forming?.ts).toBe(4 * M15);
  });

  it('replaces the last closed candle on a correction and ignores stale updates', () => {
    const s = series(3);
    expect(applyCandleUpdate(s, { candle: c(2, 130), closed: true }).candles.at(-1)?.close).toBe(130);
    expect(applyCandleUpdate(s, { candle: c(1, 130), closed: true })).toBe(s);
    expect(applyCandleUpdate(s, { candle: c(2, 130), closed: false })).toBe(s);
    const f = series(3, c(5));
    expect(applyCandleUpdate(f, { candle: c(4), closed: false })).toBe(f);
  });

  it('works on an empty series', () => {
    const next = applyCandleUpdate({ candles: [], forming: null }, { candle: c(0), closed: false });
    expect(chartCandles(next)).toEqual([c(0)]);
  });
});

describe('signals', () => {
  const sig = (id: string, createdAt = 1000, expiresAt = 2000): MarketSignal => ({
    id, exchange: 'binance', symbol: 'BTC/USDT', type: 'LONG', score: 18, sizeMultiplier: 1, candleTs: 0, createdAt, expiresAt, details: {},
  });
  it('prepends new signals once', () => {
    const list = [sig('a')];
    expect(prependSignal(list, sig('b')).map((s) => s.id)).toEqual(['b', 'a']);
    expect(prependSignal(list, sig('a'))).toBe(list);
  });
  it('is active from creation until expiry (exclusive) at feed time', () => {
    expect(isSignalActive(sig('a'), 999)).toBe(false);
    expect(isSignalActive(sig('a'), 1000)).toBe(true);
    expect(isSignalActive(sig('a'), 1999)).toBe(true);
    expect(isSignalActive(sig('a'), 2000)).toBe(false);
  });
});
