import { describe, expect, it } from 'vitest';
import type { TradeView } from '@osprey/shared';
import { appendEquityPoint, chartSymbolFor, formatSigned, isActiveTrade, newestFirst, pnlClass, unrealizedPnl, upsertTrade } from './trades.js';

function trade(id: string, openedAt: number, over: Partial<TradeView> = {}): TradeView {
  return {
    id,
    accountId: 'a',
    symbol: 'BTC/USDT',
    side: 'long',
    status: 'open',
    leverage: 1,
    amount: '0.01',
    entryPrice: '60000',
    stopLoss: null,
    takeProfits: [],
    realizedPnl: '0',
    realizedPnlPct: '0',
    unrealizedPnl: null,
    fees: '0',
    source: 'manual',
    sourceRef: null,
    closeReason: null,
    openedAt,
    closedAt: null,
    ...over,
  };
}

describe('upsertTrade', () => {
  const list = [trade('c', 300), trade('b', 200), trade('a', 100)];

  it('replaces a known trade in place', () => {
    const next = upsertTrade(list, trade('b', 200, { stopLoss: '59000' }), 'active')!;
    expect(next.map((t) => t.id)).toEqual(['c', 'b', 'a']);
    expect(next[1]!.stopLoss).toBe('59000');
    expect(list[1]!.stopLoss).toBeNull();
  });

  it('inserts a new trade newest first', () => {
    expect(upsertTrade(list, trade('d', 400), 'active')!.map((t) => t.id)).toEqual(['d', 'c', 'b', 'a']);
    expect(upsertTrade(list, trade('e', 150), 'active')!.map((t) => t.id)).toEqual(['c', 'b', 'e', 'a']);
    expect(upsertTrade(list, trade('f', 50), 'all')!.map((t) => t.id)).toEqual(['c', 'b', 'a', 'f']);
  });

  it('moves a closed trade out of the active list and into the closed one', () => {
    const closed = trade('b', 200, { status: 'closed', closedAt: 500 });
    expect(upsertTrade(list, closed, 'active')!.map((t) => t.id)).toEqual(['c', 'a']);
    expect(upsertTrade([], closed, 'closed')!.map((t) => t.id)).toEqual(['b']);
    expect(upsertTrade([], trade('x', 1), 'closed')).toEqual([]);
    expect(upsertTrade(undefined, closed, 'closed')).toBeUndefined();
  });

  it('knows which statuses are active', () => {
    expect(isActiveTrade({ status: 'opening' })).toBe(true);
    expect(isActiveTrade({ status: 'cancelled' })).toBe(false);
  });
});

describe('appendEquityPoint', () => {
  it('appends, replaces the same ts, inserts late points and caps the length', () => {
    const pts = [{ ts: 1, equity: '100' }, { ts: 3, equity: '101' }];
    expect(appendEquityPoint(pts, { ts: 4, equity: '102' })!.map((p) => p.ts)).toEqual([1, 3, 4]);
    expect(appendEquityPoint(pts, { ts: 3, equity: '99' })).toEqual([{ ts: 1, equity: '100' }, { ts: 3, equity: '99' }]);
    expect(appendEquityPoint(pts, { ts: 2, equity: '1' })!.map((p) => p.ts)).toEqual([1, 2, 3]);
    expect(appendEquityPoint(pts, { ts: 9, equity: '1' }, 2)!.map((p) => p.ts)).toEqual([3, 9]);
    expect(appendEquityPoint(undefined, { ts: 9, equity: '1' })).toBeUndefined();
  });
});

describe('unrealized PnL and formatting', () => {
  it('is (price − entry) × amount, negated for shorts', () => {
    expect(unrealizedPnl('long', '60000', '0.01', 61000)).toBeCloseTo(10);
    expect(unrealizedPnl('short', '60000', '0.01', 61000)).toBeCloseTo(-10);
    expect(unrealizedPnl('long', null, '0.01', 61000)).toBeNull();
    expect(unrealizedPnl('long', '60000', '0.01', null)).toBeNull();
  });

  it('formats signs and classes', () => {
    expect(formatSigned(12.5)).toBe('+12.50');
    expect(formatSigned(-3.1)).toBe('-3.10');
    expect(formatSigned(-0.001)).toBe('0.00');
    expect(formatSigned(null)).toBe('-');
    expect(pnlClass(1)).toBe('pos');
    expect(pnlClass(-1)).toBe('neg');
    expect(pnlClass(0)).toBe('flat');
  });

  it('charts perpetuals on their spot candles', () => {
    expect(chartSymbolFor('BTC/USDT:USDT')).toBe('BTC/USDT');
    expect(chartSymbolFor('ETH/USDT')).toBe('ETH/USDT');
  });
});

describe('newestFirst', () => {
  it('sorts by the time column, newest first, ties by id (newer first), missing times last, without touching the input', () => {
    const rows = [
      { id: 'a', t: 100 },
      { id: 'c', t: 300 },
      { id: 'b', t: null },
      { id: 'e', t: 200 },
      { id: 'd', t: 200 },
    ];
    expect(newestFirst(rows, (r) => r.t).map((r) => r.id)).toEqual(['c', 'e', 'd', 'a', 'b']);
    expect(rows.map((r) => r.id)).toEqual(['a', 'c', 'b', 'e', 'd']);
    // closed trades by when they closed, not when they opened
    const closed = [trade('x', 1, { status: 'closed', closedAt: 50 }), trade('y', 2, { status: 'closed', closedAt: 40 })];
    expect(newestFirst(closed, (t) => t.closedAt ?? t.openedAt).map((t) => t.id)).toEqual(['x', 'y']);
  });
});
