import { describe, expect, it } from 'vitest';
import type { Candle } from '@osprey/shared';
import { backoffDelayMs, isClosed, splitClosed } from './candle-sync.js';

const H = 3_600_000;
const candle = (ts: number): Candle => ({ ts, open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 });

describe('isClosed / splitClosed', () => {
  it('a candle is closed exactly when its interval has elapsed', () => {
    expect(isClosed(0, '1h', H - 1)).toBe(false);
    expect(isClosed(0, '1h', H)).toBe(true);
  });

  it('splits closed candles from the forming one and drops future ones', () => {
    const now = 3 * H + 5;
    const { closed, forming } = splitClosed([0, H, 2 * H, 3 * H, 4 * H].map(candle), '1h', now);
    expect(closed.map((c) => c.ts)).toEqual([0, H, 2 * H]);
    expect(forming?.ts).toBe(3 * H);
  });

  it('has no forming candle when the fetch stopped before it', () => {
    expect(splitClosed([candle(0)], '1h', 3 * H).forming).toBeUndefined();
  });
});

describe('backoffDelayMs', () => {
  it('doubles from 1 s and caps at 5 min', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelayMs(n))).toEqual([1000, 2000, 4000, 8000, 16000]);
    expect(backoffDelayMs(9)).toBe(256_000);
    expect(backoffDelayMs(10)).toBe(300_000);
    expect(backoffDelayMs(5000)).toBe(300_000);
  });

  it('is 0 before any failure and honours custom base/cap', () => {
    expect(backoffDelayMs(0)).toBe(0);
    expect(backoffDelayMs(3, 100, 250)).toBe(250);
  });
});
