import { describe, expect, it } from 'vitest';
import { alertHref, dashboardWindows, dayKey, formatAtStep, stepDecimals, withLivePoint, zonedMidnight } from './dashboard-view.js';

const fallback = (v: string) => `~${v}`;

describe('zonedMidnight / dashboardWindows', () => {
  it('finds 00:00 of a day in a zone', () => {
    expect(zonedMidnight(2024, 8, 5, 'UTC')).toBe(Date.UTC(2024, 7, 5));
    // Shanghai is UTC+8 all year: 00:00 local is 16:00 UTC the day before
    expect(zonedMidnight(2024, 8, 5, 'Asia/Shanghai')).toBe(Date.UTC(2024, 7, 4, 16));
    // New York in summer (UTC−4) and winter (UTC−5)
    expect(zonedMidnight(2024, 7, 1, 'America/New_York')).toBe(Date.UTC(2024, 6, 1, 4));
    expect(zonedMidnight(2024, 1, 15, 'America/New_York')).toBe(Date.UTC(2024, 0, 15, 5));
  });

  it('today / 7 days / 30 days start at local midnights, across a DST change', () => {
    // 2024-08-05 10:00 UTC = 18:00 in Shanghai
    const now = Date.UTC(2024, 7, 5, 10);
    expect(dashboardWindows(now, 'Asia/Shanghai')).toEqual({
      today: Date.UTC(2024, 7, 4, 16),
      week: Date.UTC(2024, 6, 29, 16),
      month: Date.UTC(2024, 6, 6, 16),
    });
    // 20:00 UTC on 2024-08-04 is already the 5th in Shanghai
    expect(dashboardWindows(Date.UTC(2024, 7, 4, 20), 'Asia/Shanghai').today).toBe(Date.UTC(2024, 7, 4, 16));
    // New York 2024-11-05 (EST, UTC−5); 30 days back is 2024-10-07 (EDT, UTC−4)
    const ny = dashboardWindows(Date.UTC(2024, 10, 5, 15), 'America/New_York');
    expect(ny.today).toBe(Date.UTC(2024, 10, 5, 5));
    expect(ny.month).toBe(Date.UTC(2024, 9, 7, 4));
    expect(ny.week).toBe(Date.UTC(2024, 9, 30, 4));
  });

  it('dayKey changes once a day in the zone', () => {
    expect(dayKey(Date.UTC(2024, 7, 4, 15, 59), 'Asia/Shanghai')).toBe('2024-08-04');
    expect(dayKey(Date.UTC(2024, 7, 4, 16), 'Asia/Shanghai')).toBe('2024-08-05');
  });
});

describe('withLivePoint', () => {
  const pts = [
    { ts: 1, equity: '10' },
    { ts: 2, equity: '11' },
  ];
  it('appends a newer live point, replaces one at the same time, ignores an older one', () => {
    expect(withLivePoint(pts, { ts: 3, equity: '12' })).toEqual([...pts, { ts: 3, equity: '12' }]);
    expect(withLivePoint(pts, { ts: 2, equity: '12' })).toEqual([pts[0], { ts: 2, equity: '12' }]);
    expect(withLivePoint(pts, { ts: 1, equity: '12' })).toEqual(pts);
    expect(withLivePoint([], { ts: 1, equity: '5' })).toEqual([{ ts: 1, equity: '5' }]);
    expect(withLivePoint(pts, null)).toEqual(pts);
  });
});

describe('formatAtStep', () => {
  it("rounds and pads to the step's places", () => {
    expect(stepDecimals('0.1')).toBe(1);
    expect(stepDecimals('0.00001')).toBe(5);
    expect(stepDecimals('1')).toBe(0);
    expect(stepDecimals('0')).toBeNull();
    expect(formatAtStep('60530.25', '0.1', fallback)).toBe('60530.3');
    expect(formatAtStep('60000', '0.01', fallback)).toBe('60000.00');
    expect(formatAtStep('0.01', '0.001', fallback)).toBe('0.010');
    expect(formatAtStep('-5.303', '0.01', fallback)).toBe('-5.30');
    expect(formatAtStep('12.6', '1', fallback)).toBe('13');
  });
  it('falls back without a step or a decimal value, dash for null', () => {
    expect(formatAtStep('60530.25', null, fallback)).toBe('~60530.25');
    expect(formatAtStep('abc', '0.1', fallback)).toBe('~abc');
    expect(formatAtStep(null, '0.1', fallback)).toBe('-');
  });
});

describe('alertHref', () => {
  it("leads to the bot's page or the trade page", () => {
    expect(alertHref({ kind: 'bot_error', botId: 'b-1' })).toBe('#/bots?id=b-1');
    expect(alertHref({ kind: 'protection', botId: null })).toBe('#/trade');
    expect(alertHref({ kind: 'pending_failed', botId: null })).toBe('#/trade');
  });
});
