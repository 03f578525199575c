import { describe, expect, it } from 'vitest';
import { buildBotOverlay, orderPriceLines, type OrderLike } from './bot-overlay.js';
import { CHART_COLORS, layoutPriceLabels } from './market-option.js';

const M15 = 900_000;
const candles = Array.from({ length: 6 }, (_, i) => ({ ts: i * M15 }));

const order = (over: Partial<OrderLike>): OrderLike => ({ id: 'o', symbol: 'BTC/USDT', side: 'buy', price: '100', triggerPrice: null, amount: '0.01', filled: '0', ...over });

describe('order price lines', () => {
  it('draws one line per open order of the symbol at its limit or trigger price', () => {
    const lines = orderPriceLines(
      [
        order({ id: 'a', price: '99.5' }),
        order({ id: 'b', side: 'sell', price: '101' }),
        order({ id: 'c', price: null, triggerPrice: '95' }),
        order({ id: 'd', price: null }),
        order({ id: 'e', symbol: 'ETH/USDT' }),
        order({ id: 'f', symbol: 'BTC/USDT:USDT', price: '98' }),
      ],
      'BTC/USDT',
    );
    expect(lines.map((l) => [l.name, l.yAxis])).toEqual([
      ['order:a', 99.5],
      ['order:b', 101],
      ['order:c', 95],
      ['order:f', 98],
    ]);
    expect(lines[0]!.lineStyle.color).toBe(CHART_COLORS.up);
    expect(lines[1]!.lineStyle.color).toBe(CHART_COLORS.down);
    expect(lines[1]!.label.formatter).toBe('Sell 0.01 @ 101.000');
  });

  it('groups the levels of one side so that close ones share one label', () => {
    const grid = [100, 99.7, 99.4, 99.1].map((p, i) => order({ id: `g${i}`, price: String(p), amount: `0.0${i + 1}` }));
    const lines = orderPriceLines([...grid, order({ id: 's', side: 'sell', price: '100.3' })], 'BTC/USDT');
    expect(lines.map((l) => l.group)).toEqual([...grid.map(() => ({ key: 'buy', text: 'Buy' })), { key: 'sell', text: 'Sell' }]);
    // 0.3 apart at 20 px per unit = 6 px: the three levels within 14 px of the top one share its label.
    const items = layoutPriceLabels(lines.slice(0, 4), 20);
    expect(items.filter((i) => i.label.show).map((i) => i.label.formatter)).toEqual(['Buy ×3 @ 99.4000–100.000', 'Buy 0.04 @ 99.1000']);
    expect(items[1]!.label.show).toBe(false);
    expect(items[1]!.emphasis.label.formatter).toBe('Buy 0.02 @ 99.7000');
  });
});

describe('bot overlay', () => {
  const fills = [
    { id: '1', symbol: 'BTC/USDT', side: 'buy' as const, price: '99', amount: '0.01', ts: M15 + 5 },
    { id: '2', symbol: 'BTC/USDT', side: 'sell' as const, price: '101', amount: '0.01', ts: 4 * M15 },
    { id: '3', symbol: 'BTC/USDT', side: 'sell' as const, price: '101', amount: '0.01', ts: 40 * M15 },
  ];

  it('marks fills and, for grid bots, open orders', () => {
    const o = buildBotOverlay({ orders: [order({})], fills, candles, periodMs: M15, chartSymbol: 'BTC/USDT', showOrders: true });
    expect(o.fillCount).toBe(2);
    expect(o.lineCount).toBe(1);
    expect(o.series.map((s) => [s.id, s.data])).toEqual([
      ['fills-buy', [[1, 99]]],
      ['fills-sell', [[4, 101]]],
    ]);
  });

  it('draws no order lines when asked not to', () => {
    const o = buildBotOverlay({ orders: [order({})], fills: [], candles, periodMs: M15, chartSymbol: 'BTC/USDT', showOrders: false });
    expect([o.lineCount, o.priceLines.length, o.fillCount]).toEqual([0, 0, 0]);
  });
});
