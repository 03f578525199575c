import { describe, expect, it } from 'vitest';
import { checkDirection, directionFor, evaluatePending, expiredAt, type PendingTrigger } from './pending.js';

const T = 1_722_470_400_000;
const po = (id: string, triggerPrice: string, direction: 'above' | 'below', extra: Partial<PendingTrigger> = {}): PendingTrigger => ({
  id, symbol: 'BTC/USDT', triggerPrice, direction, expiresAt: T + 3_600_000, status: 'PENDING', ...extra,
});

describe('pending order triggers', () => {
  it('derives the direction from the current price', () => {
    expect(directionFor('65000', '64000')).toBe('above');
    expect(directionFor('63000', '64000')).toBe('below');
    expect(() => directionFor('64000', '64000.0')).toThrow(/^triggerPrice: /);
  });

  it("checks the trader's direction against the current price: the trigger must not be reached already", () => {
    expect(() => checkDirection('above', '65000', '64000')).not.toThrow();
    expect(() => checkDirection('below', '63000', '64000')).not.toThrow();
    expect(() => checkDirection('above', '63000', '64000')).toThrow(
      'triggerPrice: 63000 is below the current price 64000, so "crosses above" would trigger at once: choose a trigger above 64000, or "crosses below"',
    );
    expect(() => checkDirection('below', '65000', '64000')).toThrow(/^triggerPrice: 65000 is above the current price 64000, so "crosses below" would trigger at once/);
    expect(() => checkDirection('below', '64000', '64000.0')).toThrow(/^triggerPrice: equals the current price 64000 and would trigger at once/);
  });

  it.each([
    ['above, touched by the high', po('a', '65000', 'above'), { high: 65000, low: 64000 }, 'triggered'],
    ['above, not reached', po('a', '65000', 'above'), { high: 64999.99, low: 64000 }, 'none'],
    ['below, touched by the low', po('b', '63000', 'below'), { high: 64000, low: 62999 }, 'triggered'],
    ['below, not reached', po('b', '63000', 'below'), { high: 64000, low: 63000.01 }, 'none'],
    ['expired before the step ends', po('c', '65000', 'above', { expiresAt: T }), { high: 70000, low: 60000 }, 'expired'],
    ['already triggered', po('d', '65000', 'above', { status: 'TRIGGERED' }), { high: 70000, low: 60000 }, 'none'],
    ['other symbol', po('e', '65000', 'above', { symbol: 'ETH/USDT' }), { high: 70000, low: 60000 }, 'none'],
  ])('%s', (_n, order, range, outcome) => {
    const r = evaluatePending([order], { symbol: 'BTC/USDT', ts: T, ...range });
    expect(r.triggered.length > 0 ? 'triggered' : r.expired.length > 0 ? 'expired' : 'none').toBe(outcome);
  });

  it('sweeps expiries on the clock', () => {
    const list = [po('x', '1', 'above', { expiresAt: T }), po('y', '1', 'above', { expiresAt: T + 1 })];
    expect(expiredAt(list, T).map((o) => o.id)).toEqual(['x']);
  });
});
