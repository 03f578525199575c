import { describe, expect, it } from 'vitest';
import type { TradeView } from '@osprey/shared';
import { buildMarketOption, extentWithLines } from './market-option.js';
import { buildTradeOverlay, placeFillMarkers, priceLineMarks, tradePriceLines } from './trade-overlay.js';
import { buildEquityOption, equityChange, equitySeries } from './equity-option.js';

const M15 = 15 * 60_000;
const candles = Array.from({ length: 10 }, (_, i) => ({ ts: i * M15, open: 100, high: 101, low: 99, close: 100, volume: 1, ind: {} }));

function trade(over: Partial<TradeView> = {}): TradeView {
  return {
    id: 't1',
    accountId: 'a',
    symbol: 'BTC/USDT:USDT',
    side: 'long',
    status: 'open',
    leverage: 5,
    amount: '0.01',
    entryPrice: '100',
    stopLoss: '95',
    takeProfits: [
      { price: '110', share: '0.5', done: true },
      { price: '120', share: '0.5', done: false },
    ],
    realizedPnl: '0',
    realizedPnlPct: '0',
    unrealizedPnl: null,
    fees: '0',
    source: 'manual',
    sourceRef: null,
    closeReason: null,
    openedAt: 0,
    closedAt: null,
    ...over,
  };
}

describe('trade price lines', () => {
  it('draws entry, stop and targets of active trades on the spot chart of a perpetual', () => {
    const lines = tradePriceLines([trade()], 'BTC/USDT');
    expect(lines.map((l) => [l.kind, l.price, l.label, l.done])).toEqual([
      ['entry', 100, 'Entry ▲ 0.01', false],
      ['sl', 95, 'SL', false],
      ['tp', 110, 'TP1 50%', true],
      ['tp', 120, 'TP2 50%', false],
    ]);
    const marks = priceLineMarks(lines);
    expect(marks[1]!.lineStyle.color).toBe('#ef5350');
    expect(marks[2]!.lineStyle.color).toBe('#26a69a');
    expect(marks[2]!.lineStyle.type).toBe('dotted');
  });

  it('skips closed trades, other symbols and missing prices', () => {
    expect(tradePriceLines([trade({ status: 'closed' })], 'BTC/USDT')).toEqual([]);
    expect(tradePriceLines([trade()], 'ETH/USDT')).toEqual([]);
    const opening = tradePriceLines([trade({ status: 'opening', entryPrice: null, stopLoss: null, takeProfits: [] })], 'BTC/USDT');
    expect(opening).toEqual([]);
  });
});

describe('fill markers', () => {
  it('places fills on the candle containing them, by side', () => {
    const fills = [
      { id: 'f1', symbol: 'BTC/USDT:USDT', side: 'buy' as const, price: '100.5', amount: '0.01', ts: 2 * M15 + 1000 },
      { id: 'f2', symbol: 'BTC/USDT', side: 'sell' as const, price: '101', amount: '0.01', ts: 5 * M15 },
      { id: 'f3', symbol: 'BTC/USDT', side: 'sell' as const, price: '101', amount: '0.01', ts: 99 * M15 },
      { id: 'f4', symbol: 'ETH/USDT', side: 'buy' as const, price: '5', amount: '1', ts: 0 },
    ];
    expect(placeFillMarkers(fills, candles, M15, 'BTC/USDT')).toEqual({ buy: [[2, 100.5]], sell: [[5, 101]] });
  });

  it('merges into the market option as a markLine and two scatter series', () => {
    const overlay = buildTradeOverlay([trade()], [{ id: 'f', symbol: 'BTC/USDT', side: 'buy', price: '100', amount: '1', ts: 0 }], candles, M15, 'BTC/USDT');
    expect(overlay.lineCount).toBe(4);
    expect(overlay.fillCount).toBe(1);
    const opt = buildMarketOption({ timeframe: '15m', candles, signals: [], timeZone: 'UTC', t: (k) => k, overlay });
    const series = opt.series as { id: string; markLine?: { data: unknown[] } }[];
    expect(series.find((s) => s.id === 'candles')?.markLine?.data).toHaveLength(4);
    expect(series.filter((s) => s.id.startsWith('fills-')).map((s) => s.id)).toEqual(['fills-buy', 'fills-sell']);
    const plain = buildMarketOption({ timeframe: '15m', candles, signals: [], timeZone: 'UTC', t: (k) => k });
    expect((plain.series as { id: string; markLine?: unknown }[]).find((s) => s.id === 'candles')?.markLine).toBeUndefined();
  });
});

describe('price axis with overlay lines', () => {
  it('widens the visible range to include the lines, with a margin', () => {
    expect(extentWithLines(100, 110, [])).toEqual([99.6, 110.4]);
    const [lo, hi] = extentWithLines(100, 110, [90, 105]);
    expect(lo).toBeCloseTo(89.2);
    expect(hi).toBeCloseTo(110.8);
    const opt = buildMarketOption({
      timeframe: '15m',
      candles,
      signals: [],
      timeZone: 'UTC',
      t: (k) => k,
      overlay: buildTradeOverlay([trade()], [], candles, M15, 'BTC/USDT'),
    });
    const y0 = (opt.yAxis as { min?: (v: { min: number; max: number }) => number; max?: (v: { min: number; max: number }) => number }[])[0]!;
    expect(y0.min?.({ min: 99, max: 101 })).toBeLessThan(95);
    expect(y0.max?.({ min: 99, max: 101 })).toBeGreaterThan(120);
  });
});

describe('equity chart', () => {
  it('sorts points, drops bad values and colours by change', () => {
    const pts = [{ ts: 2, equity: '90' }, { ts: 1, equity: '100' }, { ts: 3, equity: 'x' }];
    expect(equitySeries(pts)).toEqual([[1, 100], [2, 90]]);
    expect(equityChange(pts)).toBe(-10);
    const opt = buildEquityOption(pts, 'UTC');
    const s = (opt.series as { data: unknown[]; lineStyle: { color: string } }[])[0]!;
    expect(s.data).toHaveLength(2);
    expect(s.lineStyle.color).toBe('#ef5350');
  });
});

describe('spot take-profits held by Osprey', () => {
  it('labels a held target and draws it dotted; an executed one stays plain', () => {
    const spot = trade({
      symbol: 'BTC/USDT',
      leverage: 1,
      takeProfits: [
        { price: '110', share: '0.5', done: true },
        { price: '120', share: '0.5', done: false, held: true },
      ],
    });
    const lines = tradePriceLines([spot], 'BTC/USDT', { entry: 'Entry', sl: 'SL', tp: 'TP', held: '由 Osprey 本地监控' });
    expect(lines.filter((l) => l.kind === 'tp').map((l) => [l.label, l.done, l.held])).toEqual([
      ['TP1 50%', true, false],
      ['TP2 50% · 由 Osprey 本地监控', false, true],
    ]);
    const marks = priceLineMarks(lines);
    expect(marks[3]).toMatchObject({ lineStyle: { type: 'dotted', opacity: 1 }, label: { formatter: expect.stringMatching(/^TP2 50% · 由 Osprey 本地监控 /) } });
    expect(tradePriceLines([spot], 'BTC/USDT')[3]!.label).toBe('TP2 50% · held by Osprey');
    expect(buildTradeOverlay([spot], [], candles, M15, 'BTC/USDT')).toMatchObject({ lineCount: 4, heldCount: 1 });
  });
});
