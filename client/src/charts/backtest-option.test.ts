import { describe, expect, it } from 'vitest';
import type { Candle } from '@osprey/shared';
import { COMPARE_COLORS, MIN_TRADE_WINDOW, buildBacktestCandleOption, buildBacktestEquityOption, buildCompareOption, countFillMarkers, equityData, normalisedReturns, tradesZoomWindow } from './backtest-option.js';
import { CHART_COLORS } from './market-option.js';

const t = (k: string) => k;
const M15 = 900_000;
const T0 = Date.UTC(2024, 2, 1);

function candles(n: number): Candle[] {
  return Array.from({ length: n }, (_, i) => ({ ts: T0 + i * M15, open: 100 + i, high: 102 + i, low: 99 + i, close: 101 + i, volume: 10 }));
}

/** The series of an option by id. */
function series(option: { series?: unknown }, id: string): Record<string, unknown> {
  const list = option.series as Record<string, unknown>[];
  const s = list.find((x) => x.id === id);
  if (!s) throw new Error(`no series ${id}`);
  return s;
}

describe('equity chart', () => {
  const points = [
    { ts: T0 + 2 * M15, equity: 9900, drawdownPct: 1 },
    { ts: T0, equity: 10000, drawdownPct: 0 },
    { ts: T0 + M15, equity: 10100, drawdownPct: 0 },
    { ts: T0 + 3 * M15, equity: Number.NaN, drawdownPct: 0 },
  ];

  it('sorts points, drops non-finite equity and draws drawdown below zero', () => {
    expect(equityData(points)).toEqual({
      equity: [
        [T0, 10000],
        [T0 + M15, 10100],
        [T0 + 2 * M15, 9900],
      ],
      drawdown: [
        [T0, 0],
        [T0 + M15, 0],
        [T0 + 2 * M15, -1],
      ],
    });
  });

  it('puts equity and drawdown on two grids and colours a losing curve red', () => {
    const o = buildBacktestEquityOption(points, 'UTC', { equity: 'Equity', drawdown: 'Drawdown' });
    expect(o.grid).toHaveLength(2);
    const eq = series(o, 'equity');
    const dd = series(o, 'drawdown');
    expect([eq.xAxisIndex, eq.yAxisIndex, dd.xAxisIndex, dd.yAxisIndex]).toEqual([0, 0, 1, 1]);
    expect((eq.lineStyle as { color: string }).color).toBe(CHART_COLORS.down);
    expect((dd.data as unknown[]).length).toBe(3);
    const up = buildBacktestEquityOption(points.slice(1, 3), 'UTC', { equity: 'Equity', drawdown: 'Drawdown' });
    expect((series(up, 'equity').lineStyle as { color: string }).color).toBe(CHART_COLORS.up);
  });
});

describe('compare chart', () => {
  it('normalises each curve to % return from its first point', () => {
    expect(
      normalisedReturns([
        { ts: 2, equity: 110 },
        { ts: 1, equity: 100 },
        { ts: 3, equity: 95 },
      ]),
    ).toEqual([
      [1, 0],
      [2, 10.000000000000009],
      [3, -5.000000000000004],
    ]);
    expect(normalisedReturns([{ ts: 1, equity: 0 }])).toEqual([]);
    expect(normalisedReturns([])).toEqual([]);
  });

  it('draws one named line per run in distinct colours', () => {
    const o = buildCompareOption(
      [
        { name: 'A', points: [{ ts: 1, equity: 100 }, { ts: 2, equity: 120 }] },
        { name: 'B', points: [{ ts: 1, equity: 5000 }, { ts: 2, equity: 4500 }] },
      ],
      'UTC',
    );
    const list = o.series as { name: string; data: [number, number][]; lineStyle: { color: string } }[];
    expect(list.map((s) => s.name)).toEqual(['A', 'B']);
    expect(list[0]!.data.at(-1)![1]).toBeCloseTo(20);
    expect(list[1]!.data.at(-1)![1]).toBeCloseTo(-10);
    expect(list[0]!.lineStyle.color).not.toBe(list[1]!.lineStyle.color);
  });

  it('overlays more than two runs, each in its own colour', () => {
    const curves = Array.from({ length: 5 }, (_, i) => ({ name: `R${i}`, points: [{ ts: 1, equity: 100 }, { ts: 2, equity: 100 + i }] }));
    const list = buildCompareOption(curves, 'UTC').series as { name: string; lineStyle: { color: string } }[];
    expect(list.map((s) => s.name)).toEqual(['R0', 'R1', 'R2', 'R3', 'R4']);
    expect(new Set(list.map((s) => s.lineStyle.color)).size).toBe(5);
    expect(COMPARE_COLORS.length).toBeGreaterThanOrEqual(6);
  });
});

describe('run candle chart', () => {
  const cs = candles(10);
  const fills = [
    { id: '1', symbol: 'BTC/USDT', side: 'buy' as const, price: '101.5', amount: '1', ts: T0 + 2 * M15 + 60_000 },
    { id: '2', symbol: 'BTC/USDT', side: 'sell' as const, price: '106', amount: '1', ts: T0 + 5 * M15 },
    { id: '3', symbol: 'ETH/USDT', side: 'buy' as const, price: '3000', amount: '1', ts: T0 + 5 * M15 },
    { id: '4', symbol: 'BTC/USDT', side: 'sell' as const, price: '200', amount: '1', ts: T0 + 50 * M15 },
  ];

  it('marks the fills of the charted symbol on the candle containing them', () => {
    const o = buildBacktestCandleOption({ candles: cs, timeframe: '15m', fills, chartSymbol: 'BTC/USDT', timeZone: 'UTC', t });
    expect(series(o, 'fills-buy').data).toEqual([[2, 101.5]]);
    expect(series(o, 'fills-sell').data).toEqual([[5, 106]]);
    expect((series(o, 'candles').data as unknown[])[0]).toEqual([100, 101, 99, 102]);
    expect(countFillMarkers({ candles: cs, timeframe: '15m', fills, chartSymbol: 'BTC/USDT' })).toBe(2);
  });

  it('opens zoomed on the candles that hold the trades', () => {
    const many = Array.from({ length: 2000 }, (_, i) => ({ ts: T0 + i * M15, open: 100, high: 101, low: 99, close: 100, volume: 1 }));
    const trades = [300, 420, 700].map((i, k) => ({ id: String(k), symbol: 'BTC/USDT', side: (k % 2 ? 'sell' : 'buy') as 'buy' | 'sell', price: '100', amount: '1', ts: T0 + i * M15 }));
    const o = buildBacktestCandleOption({ candles: many, timeframe: '15m', fills: trades, chartSymbol: 'BTC/USDT', timeZone: 'UTC', t });
    for (const z of o.dataZoom as { startValue: number; endValue: number }[]) expect([z.startValue, z.endValue]).toEqual([260, 740]);
    // Without fills: the latest candles, as before.
    const none = buildBacktestCandleOption({ candles: many, timeframe: '15m', fills: [], chartSymbol: 'BTC/USDT', timeZone: 'UTC', t });
    expect((none.dataZoom as { startValue: number }[])[0]!.startValue).toBe(1820);
  });

  it('widens a short trade window to the minimum and keeps it inside the candles', () => {
    expect(tradesZoomWindow([100], 1000)).toEqual({ start: 70, end: 70 + MIN_TRADE_WINDOW - 1 });
    expect(tradesZoomWindow([2, 5], 1000)).toEqual({ start: 0, end: MIN_TRADE_WINDOW - 1 });
    expect(tradesZoomWindow([998], 1000)).toEqual({ start: 1000 - MIN_TRADE_WINDOW, end: 999 });
    expect(tradesZoomWindow([3], 10)).toEqual({ start: 0, end: 9 });
    expect(tradesZoomWindow([], 0)).toEqual({ start: 0, end: 0 });
  });

  it('puts perpetual fills on the spot candles', () => {
    const perp = fills.map((f) => ({ ...f, symbol: `${f.symbol}:USDT` }));
    expect(countFillMarkers({ candles: cs, timeframe: '15m', fills: perp, chartSymbol: 'BTC/USDT' })).toBe(2);
  });
});
