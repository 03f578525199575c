import { describe, expect, it } from 'vitest';
import type { BacktestRunView, RunMetricsView } from '@osprey/shared';
import { MAX_COMPARE, applyProgress, bestRuns, betterRun, formatMetric, metricValue, progressPct, toggleCompare, type MetricKey } from './metrics.js';

function metrics(over: Partial<RunMetricsView> = {}): RunMetricsView {
  return {
    startEquity: '10000',
    endEquity: '10500',
    netPnl: '500',
    totalReturnPct: 5,
    maxDrawdownPct: 3,
    sharpe: 1.2,
    sortino: 1.8,
    winRatePct: 60,
    profitFactor: 1.5,
    roundTrips: 10,
    avgHoldingMs: 3_600_000,
    exposurePct: 40,
    feesPaid: '12.5',
    ...over,
  };
}

describe('betterRun', () => {
  it.each([
    ['totalReturnPct', { totalReturnPct: 7 }, { totalReturnPct: 5 }, 'a'],
    ['maxDrawdownPct', { maxDrawdownPct: 2 }, { maxDrawdownPct: 8 }, 'a'],
    ['maxDrawdownPct', { maxDrawdownPct: 9 }, { maxDrawdownPct: 8 }, 'b'],
    ['sharpe', { sharpe: 0.5 }, { sharpe: 1 }, 'b'],
    ['sharpe', { sharpe: null }, { sharpe: 1 }, null],
    ['feesPaid', { feesPaid: '3' }, { feesPaid: '12.5' }, 'a'],
    ['roundTrips', { roundTrips: 30 }, { roundTrips: 2 }, null],
    ['exposurePct', { exposurePct: 10 }, { exposurePct: 90 }, null],
    ['winRatePct', { winRatePct: 50 }, { winRatePct: 50 }, null],
  ] as const)('%s: %j vs %j → %s', (key, a, b, expected) => {
    expect(betterRun(key as MetricKey, metrics(a), metrics(b))).toBe(expected);
  });

  it('does not rank a run without metrics', () => {
    expect(betterRun('totalReturnPct', metrics(), null)).toBeNull();
  });
});

describe('bestRuns', () => {
  it('picks the best of N runs in the metric\'s direction', () => {
    const runs = [metrics({ totalReturnPct: 3, maxDrawdownPct: 4 }), metrics({ totalReturnPct: 9, maxDrawdownPct: 6 }), metrics({ totalReturnPct: -2, maxDrawdownPct: 1 })];
    expect(bestRuns('totalReturnPct', runs)).toEqual([1]);
    expect(bestRuns('maxDrawdownPct', runs)).toEqual([2]);
  });

  it('marks every run on a tie for best, none when all are equal or unranked', () => {
    expect(bestRuns('sharpe', [metrics({ sharpe: 2 }), metrics({ sharpe: 1 }), metrics({ sharpe: 2 })])).toEqual([0, 2]);
    expect(bestRuns('sharpe', [metrics({ sharpe: 1 }), metrics({ sharpe: 1 })])).toEqual([]);
    expect(bestRuns('roundTrips', [metrics({ roundTrips: 1 }), metrics({ roundTrips: 5 })])).toEqual([]);
  });

  it('ignores runs without the value and needs two values', () => {
    expect(bestRuns('sharpe', [null, metrics({ sharpe: null }), metrics({ sharpe: 1 }), metrics({ sharpe: 0.5 })])).toEqual([2]);
    expect(bestRuns('sharpe', [null, metrics({ sharpe: 1 })])).toEqual([]);
  });
});

describe('formatMetric', () => {
  it.each([
    ['totalReturnPct', 12.345, '+12.35%'],
    ['totalReturnPct', -3.2, '-3.20%'],
    ['maxDrawdownPct', 4.5, '4.50%'],
    ['sharpe', 1.23456, '1.235'],
    ['roundTrips', 7, '7'],
    ['avgHoldingMs', 5_400_000, '1h 30m'],
    ['feesPaid', 12.5, '12.50'],
    ['profitFactor', null, '—'],
  ] as const)('%s %s → %s', (key, value, text) => {
    expect(formatMetric(key, value)).toBe(text);
  });

  it('reads decimal-string metrics as numbers', () => {
    expect(metricValue(metrics({ feesPaid: '0.25' }), 'feesPaid')).toBe(0.25);
    expect(metricValue(metrics({ sortino: null }), 'sortino')).toBeNull();
  });
});

describe('runs list live patches', () => {
  const run = (id: string, over: Partial<BacktestRunView> = {}) => ({ id, status: 'queued', progress: 0, error: null, ...over }) as BacktestRunView;

  it('patches the run in place and keeps the others', () => {
    const list = [run('a'), run('b')];
    const next = applyProgress(list, { id: 'b', status: 'running', progress: 0.4, error: null });
    expect(next?.map((r) => [r.id, r.status, r.progress])).toEqual([
      ['a', 'queued', 0],
      ['b', 'running', 0.4],
    ]);
    expect(next?.[0]).toBe(list[0]);
  });

  it('returns the same list for an unknown run or no change, and undefined when nothing is cached', () => {
    const list = [run('a', { status: 'running', progress: 0.5 })];
    expect(applyProgress(list, { id: 'x', status: 'done', progress: 1, error: null })).toBe(list);
    expect(applyProgress(list, { id: 'a', status: 'running', progress: 0.5, error: null })).toBe(list);
    expect(applyProgress(undefined, { id: 'a', status: 'done', progress: 1, error: null })).toBeUndefined();
  });

  it('records a failure message', () => {
    expect(applyProgress([run('a')], { id: 'a', status: 'failed', progress: 0.2, error: 'boom' })?.[0]).toMatchObject({ status: 'failed', error: 'boom' });
  });
});

describe('compare selection', () => {
  it('adds up to two runs, removes on untick, ignores a third', () => {
    let s = toggleCompare([], 'a', 2);
    s = toggleCompare(s, 'b', 2);
    expect(s).toEqual(['a', 'b']);
    expect(toggleCompare(s, 'c', 2)).toEqual(['a', 'b']);
    expect(toggleCompare(s, 'a', 2)).toEqual(['b']);
    // N-way by default: up to MAX_COMPARE runs.
    const ids = Array.from({ length: MAX_COMPARE + 1 }, (_, i) => `r${i}`);
    const all = ids.reduce<string[]>((sel, id) => toggleCompare(sel, id), []);
    expect(all).toEqual(ids.slice(0, MAX_COMPARE));
  });

  it('clamps progress to whole percents', () => {
    expect([progressPct(0.456), progressPct(-1), progressPct(2), progressPct(Number.NaN)]).toEqual([46, 0, 100, 0]);
  });
});
