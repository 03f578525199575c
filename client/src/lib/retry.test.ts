import { describe, expect, it } from 'vitest';
import { RETRY_MAX_MS, backoffDelay, secondsUntil } from './retry.js';

describe('backoffDelay', () => {
  it('doubles from 1 s and stops at 10 s', () => {
    expect([1, 2, 3, 4, 5, 6, 50].map((n) => backoffDelay(n))).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000, RETRY_MAX_MS]);
  });
  it('treats a missing or bad count as the first retry', () => {
    expect([0, -1, Number.NaN].map((n) => backoffDelay(n))).toEqual([1000, 1000, 1000]);
  });
});

describe('secondsUntil', () => {
  it('rounds up and never goes negative', () => {
    expect(secondsUntil(10_500, 10_000)).toBe(1);
    expect(secondsUntil(14_000, 10_000)).toBe(4);
    expect(secondsUntil(9_000, 10_000)).toBe(0);
  });
});
