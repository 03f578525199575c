import { describe, expect, it } from 'vitest';
import { buildSpreadOption, seriesData } from './spread-option.js';

const points = [
  { series: 'spread', ts: 3, value: -6 },
  { series: 'spread', ts: 1, value: 1.5 },
  { series: 'other', ts: 2, value: 99 },
  { series: 'spread', ts: 2, value: Number.NaN },
];

describe('spread chart', () => {
  it('keeps the spread series in time order', () => {
    expect(seriesData(points)).toEqual([
      [1, 1.5],
      [3, -6],
    ]);
    expect(seriesData(points, 'other')).toEqual([[2, 99]]);
  });

  it('draws ±entryPct threshold lines and keeps both in view', () => {
    const o = buildSpreadOption(points, 5, 'UTC', { spread: 'Spread', entry: 'Entry' });
    const s = (o.series as { markLine: { data: { yAxis: number }[] } }[])[0]!;
    expect(s.markLine.data.map((d) => d.yAxis)).toEqual([5, -5, 0]);
    const y = o.yAxis as { min: number; max: number };
    expect(y.min).toBeLessThan(-6);
    expect(y.max).toBeGreaterThan(5);
  });

  it('shows the thresholds without data', () => {
    const y = buildSpreadOption([], 2, 'UTC', { spread: 'Spread', entry: 'Entry' }).yAxis as { min: number; max: number };
    expect(y.min).toBeLessThan(-2);
    expect(y.max).toBeGreaterThan(2);
  });
});
