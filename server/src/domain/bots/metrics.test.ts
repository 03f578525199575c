import { describe, expect, it } from 'vitest';
import { computeMetrics, dailyReturns, type EquityPoint } from './metrics.js';
import type { RoundTrip } from './strategy.js';

const D = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);
const trip = (pnl: string, openedAt: number, closedAt: number): RoundTrip => ({
  symbol: 'BTC/USDT',
  side: 'long',
  entryClientOrderId: 'a',
  exitClientOrderId: 'b',
  amount: '1',
  entryPrice: '1',
  exitPrice: '1',
  entryFee: '0',
  exitFee: '0',
  pnl,
  openedAt,
  closedAt,
});

describe('metrics', () => {
  // Day 0: 100 (noon) → 110 (end); day 1: 99; day 2: 108.9 → daily returns +10 %, −10 %, +10 %.
  const curve: EquityPoint[] = [
    { ts: T0 + D / 2, equity: '100', exposed: false },
    { ts: T0 + D - 1, equity: '110', exposed: true },
    { ts: T0 + D + 5, equity: '99', exposed: true },
    { ts: T0 + 2 * D + 5, equity: '108.9', exposed: false },
  ];
  const trips = [trip('10', 0, 1000), trip('-5', 0, 2000), trip('3', 0, 3000)];

  it('daily returns: last point of each UTC day, the first from the first point', () => {
    const r = dailyReturns(curve);
    expect(r).toHaveLength(3);
    [0.1, -0.1, 0.1].forEach((x, i) => expect(r[i]).toBeCloseTo(x, 12));
  });

  it('hand-computed curve: return, drawdown, Sharpe, Sortino, win rate, profit factor, holding, exposure', () => {
    const m = computeMetrics(curve, trips, '1.25');
    expect(m.startEquity).toBe('100');
    expect(m.endEquity).toBe('108.9');
    expect(m.netPnl).toBe('8.9');
    expect(m.totalReturnPct).toBeCloseTo(8.9, 10);
    expect(m.maxDrawdownPct).toBeCloseTo(10, 10); // peak 110 → 99
    // mean 1/30, sample sd √(0.02667/2) = 0.11547 → 0.288675 × √365 = 5.5151
    expect(m.sharpe).toBeCloseTo(5.5151, 3);
    // downside deviation √(0.01/3) = 0.057735 → 0.57735 × √365 = 11.0303
    expect(m.sortino).toBeCloseTo(11.0303, 3);
    expect(m.winRatePct).toBeCloseTo(66.6667, 3);
    expect(m.profitFactor).toBeCloseTo(2.6, 10); // 13 / 5
    expect(m.roundTrips).toBe(3);
    expect(m.avgHoldingMs).toBe(2000);
    expect(m.exposurePct).toBe(50);
    expect(m.feesPaid).toBe('1.25');
  });

  it('a losing curve has a negative Sharpe; no losses → profit factor null; flat → ratios null', () => {
    const down: EquityPoint[] = [100, 95, 96, 90].map((e, i) => ({ ts: T0 + i * D, equity: String(e), exposed: true }));
    const m = computeMetrics(down, [trip('1', 0, 10)], '0');
    expect(m.sharpe!).toBeLessThan(0);
    expect(m.sortino!).toBeLessThan(0);
    expect(m.profitFactor).toBeNull();
    expect(m.winRatePct).toBe(100);
    expect(m.maxDrawdownPct).toBeCloseTo(10, 10);
    const flat = computeMetrics([{ ts: T0, equity: '5', exposed: false }], [], '0');
    expect(flat).toMatchObject({ sharpe: null, sortino: null, winRatePct: null, profitFactor: null, avgHoldingMs: null, totalReturnPct: 0, maxDrawdownPct: 0, exposurePct: 0 });
  });

  it('rejects an empty or unordered curve', () => {
    expect(() => computeMetrics([], [], '0')).toThrow(/equity/);
    expect(() => computeMetrics([curve[1]!, curve[0]!], [], '0')).toThrow(/equity: point 1/);
  });
});
