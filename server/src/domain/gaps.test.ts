import { describe, expect, it } from 'vitest';
import { TIMEFRAME_MS } from '@osprey/shared';
import { backfillWindow, findGaps, lastClosedOpen, nextPage } from './gaps.js';

const M15 = TIMEFRAME_MS['15m'];
const T0 = Date.UTC(2024, 0, 1);
const at = (i: number) => T0 + i * M15;

describe('findGaps', () => {
  it('reports nothing when the window is complete', () => {
    expect(findGaps([0, 1, 2, 3].map(at), M15, at(0), at(3))).toEqual([]);
  });

  it('reports the whole window when nothing is stored', () => {
    expect(findGaps([], M15, at(0), at(9))).toEqual([[at(0), at(9)]]);
  });

  it('finds leading, inner and trailing holes as inclusive ranges', () => {
    const stored = [2, 3, 5, 8].map(at);
    expect(findGaps(stored, M15, at(0), at(10))).toEqual([
      [at(0), at(1)],
      [at(4), at(4)],
      [at(6), at(7)],
      [at(9), at(10)],
    ]);
  });

  it('aligns the window to the grid and ignores entries outside it, off-grid or duplicated', () => {
    const stored = [at(-3), at(1), at(1), at(2) + 1, at(3), at(12)];
    // from is mid-candle → first expected open is at(1); to is mid-candle → last is at(4)
    expect(findGaps(stored, M15, at(0) + 1, at(4) + 5)).toEqual([
      [at(2), at(2)],
      [at(4), at(4)],
    ]);
  });

  it('returns [] for an empty window', () => {
    expect(findGaps([], M15, at(5), at(4))).toEqual([]);
  });

  it('rejects unsorted input and a bad timeframe length', () => {
    expect(() => findGaps([at(2), at(1)], M15, at(0), at(3))).toThrow(RangeError);
    expect(() => findGaps([], 0, at(0), at(3))).toThrow(RangeError);
  });
});

describe('nextPage', () => {
  /** Pages of a range when every page returns all it asked for. */
  function pagesOf(from: number, to: number, limit: number) {
    const pages = [];
    for (let p = nextPage(from, to, M15, limit); p; p = nextPage(p.since + p.limit * M15, to, M15, limit)) pages.push(p);
    return pages;
  }

  it('splits a complete range into full pages and a remainder', () => {
    expect(pagesOf(at(0), at(24), 10)).toEqual([
      { since: at(0), limit: 10 },
      { since: at(10), limit: 10 },
      { since: at(20), limit: 5 },
    ]);
    expect(pagesOf(at(0), at(2999), 1000).map((p) => p.limit)).toEqual([1000, 1000, 1000]);
  });

  it('asks for one candle for a single open time and nothing past the end', () => {
    expect(nextPage(at(3), at(3), M15, 1000)).toEqual({ since: at(3), limit: 1 });
    expect(nextPage(at(4), at(3), M15, 1000)).toBeNull();
  });

  it('rejects off-grid bounds and bad limits', () => {
    expect(() => nextPage(at(0) + 1, at(3), M15, 10)).toThrow(RangeError);
    expect(() => nextPage(at(0), at(3), M15, 0)).toThrow(RangeError);
    expect(() => nextPage(at(0), at(3), M15, 1.5)).toThrow(RangeError);
  });
});

describe('lastClosedOpen / backfillWindow', () => {
  it('the last closed candle is the one before the candle containing now', () => {
    expect(lastClosedOpen(at(4) + 7 * 60_000, '15m')).toBe(at(3));
    // exactly on a boundary the candle that just ended is closed
    expect(lastClosedOpen(at(4), '15m')).toBe(at(3));
    expect(lastClosedOpen(Date.UTC(2024, 2, 1, 3, 59), '4h')).toBe(Date.UTC(2024, 1, 29, 20));
  });

  it('spans from the first open at or after now − days to the last closed candle', () => {
    const now = Date.UTC(2024, 2, 1, 0, 7);
    const w = backfillWindow(now, '15m', 1);
    expect(w).toEqual({ from: Date.UTC(2024, 1, 29, 0, 15), to: Date.UTC(2024, 1, 29, 23, 45) });
    expect((w.to - w.from) / M15 + 1).toBe(95);
    expect(backfillWindow(Date.UTC(2024, 2, 1), '1d', 3)).toEqual({ from: Date.UTC(2024, 1, 27), to: Date.UTC(2024, 1, 29) });
  });

  it('is empty for 0 days', () => {
    const w = backfillWindow(at(10), '15m', 0);
    expect(w.from).toBeGreaterThan(w.to);
  });
});
