import { describe, expect, it } from 'vitest';
import type { Candle } from '@osprey/shared';
import type { MarketInfo } from '../exchange/port.js';
import { runBacktest } from './backtest.js';
import { createGridStrategy, GridConfigError, parseGridConfig, type GridConfigInput } from './grid.js';

const SPOT: MarketInfo = {
  symbol: 'BTC/USDT',
  base: 'BTC',
  quote: 'USDT',
  type: 'spot',
  amountStep: '0.00001',
  priceStep: '0.01',
  minAmount: '0.00001',
  minNotional: '5',
  makerFee: '0.001',
  takerFee: '0.001',
  maxLeverage: 1,
};
const T0 = Date.UTC(2024, 0, 1);
const M15 = 900_000;
/** Candles from [open, high, low, close] rows, 15 minutes apart. */
const candles = (...rows: [number, number, number, number][]): Candle[] => rows.map(([open, high, low, close], i) => ({ ts: T0 + i * M15, open, high, low, close, volume: 1 }));

function grid(cfg: Partial<GridConfigInput>, cs: Candle[]) {
  const config = parseGridConfig({ symbol: 'BTC/USDT', levels: 2, spacingPct: 1, sellOffsetPct: 1, orderSize: { mode: 'base', value: '0.1' }, repricePct: 0, ...cfg });
  return runBacktest({
    strategy: createGridStrategy('grid', config),
    symbol: 'BTC/USDT',
    candles: cs,
    timeframe: '15m',
    marketType: 'spot',
    markets: { 'BTC/USDT': SPOT },
    balances: { USDT: '10000' },
  });
}
const brief = (r: ReturnType<typeof grid>) => r.fills.map((f) => ({ id: f.clientOrderId, side: f.side, price: f.price, amount: f.amount, fee: f.fee, ts: f.ts, ...(f.liquidity === 'taker' ? { liquidity: 'taker' } : {}) }));

describe('grid strategy (backtested on hand-written candles)', () => {
  const table: { name: string; cfg: Partial<GridConfigInput>; candles: Candle[]; fills: object[]; pnl: string[]; usdt: string; open: string[] }[] = [
    {
      name: 'buy at level 0 fills on the way down, its sell fills on the way up, the level re-arms',
      cfg: {},
      candles: candles([100, 100, 100, 100], [100, 100.5, 98.5, 99.5], [99.5, 101, 99.5, 100.5]),
      fills: [
        // buys at 99 / 98 placed at the first close (anchor 100); the falling candle's leg 100.5 → 98.5 reaches 99
        { id: 'bgridx0b0', side: 'buy', price: '99', amount: '0.1', fee: '0.0099', ts: T0 + M15 },
        // its sell at 99 × 1.01 = 99.99, reached by the rising candle's leg 99.5 → 101
        { id: 'bgridx0s2', side: 'sell', price: '99.99', amount: '0.1', fee: '0.009999', ts: T0 + 2 * M15 },
      ],
      pnl: ['0.079101'], // (99.99 − 99) × 0.1 − 0.0099 − 0.009999
      usdt: '10000.079101',
      open: ['buy 98 bgridx0b1', 'buy 99 bgridx1b3'],
    },
    {
      name: 'a gap down fills both levels at the open, sells priced off the fill',
      cfg: {},
      candles: candles([100, 100, 100, 100], [97, 97, 96, 96.5], [96.5, 98, 96.5, 97.9]),
      fills: [
        { id: 'bgridx0b0', side: 'buy', price: '97', amount: '0.1', fee: '0.0097', ts: T0 + M15 },
        { id: 'bgridx0b1', side: 'buy', price: '97', amount: '0.1', fee: '0.0097', ts: T0 + M15 },
        // both sells at 97 × 1.01 = 97.97; the last candle peaks at 98
        { id: 'bgridx0s2', side: 'sell', price: '97.97', amount: '0.1', fee: '0.009797', ts: T0 + 2 * M15 },
        { id: 'bgridx0s3', side: 'sell', price: '97.97', amount: '0.1', fee: '0.009797', ts: T0 + 2 * M15 },
        // the re-armed buys (99, 98; anchor still 100) are marketable at the leg's close 98: they fill at once as
        // taker, like in paper mode — 98 × (1 + 5 bps) = 98.049 → 98.05 (tick, against the buyer); 98 capped at its limit
        { id: 'bgridx1b4', side: 'buy', price: '98.05', amount: '0.1', fee: '0.009805', ts: T0 + 2 * M15, liquidity: 'taker' },
        { id: 'bgridx1b5', side: 'buy', price: '98', amount: '0.1', fee: '0.0098', ts: T0 + 2 * M15, liquidity: 'taker' },
      ],
      pnl: ['0.077503', '0.077503'], // 0.097 − 0.0097 − 0.009797
      usdt: '9980.530401', // + 0.155006 − (9.805 + 0.009805) − (9.8 + 0.0098)
      open: ['sell 99.04 bgridx1s6', 'sell 98.98 bgridx1s7'],
    },
    {
      name: 'maxOpenPositions 1: only the nearest level is armed, deeper levels wait for the sell',
      cfg: { levels: 3, maxOpenPositions: 1 },
      candles: candles([100, 100, 100, 100], [100, 100, 96, 96.5], [96.5, 96.6, 96.4, 96.5], [96.5, 100.5, 96.5, 100.5]),
      fills: [
        { id: 'bgridx0b0', side: 'buy', price: '99', amount: '0.1', fee: '0.0099', ts: T0 + M15 },
        { id: 'bgridx0s1', side: 'sell', price: '99.99', amount: '0.1', fee: '0.009999', ts: T0 + 3 * M15 },
      ],
      pnl: ['0.079101'],
      usdt: '10000.079101',
      open: ['buy 99 bgridx1b2'],
    },
    {
      name: 'quote sizing: 50 USDT per level, amounts floored to the step',
      cfg: { levels: 1, orderSize: { mode: 'quote', value: '50' } },
      candles: candles([100, 100, 100, 100], [100, 100, 98.9, 99]),
      // 50 / 99 = 0.505050… → 0.50505
      fills: [{ id: 'bgridx0b0', side: 'buy', price: '99', amount: '0.50505', fee: '0.04999995', ts: T0 + M15 }],
      pnl: [],
      usdt: '9949.95005005', // 10000 − 49.99995 − 0.04999995
      open: ['sell 99.99 bgridx0s1'],
    },
  ];

  it.each(table)('$name', (t) => {
    const r = grid(t.cfg, t.candles);
    expect(brief(r)).toEqual(t.fills);
    expect(r.trades.map((x) => x.pnl)).toEqual(t.pnl);
    expect(r.finalBalances.USDT).toBe(t.usdt);
    expect(r.rejections).toEqual([]);
    const st = r.finalState;
    const open = st.levels.flatMap((l) => (l.buyId ? [l.buyId] : l.sellId ? [l.sellId] : []));
    expect(open.length).toBe(t.open.length);
  });

  it('open orders after the run are the expected ones, in the engine and in the strategy state', () => {
    for (const t of table) {
      const r = grid(t.cfg, t.candles);
      expect(r.openOrders.map((o) => `${o.side} ${o.price} ${o.clientOrderId}`).sort()).toEqual([...t.open].sort());
      const ids = r.finalState.levels.flatMap((l) => [l.buyId, l.sellId]).filter((x): x is string => x !== null).sort();
      expect(ids).toEqual(t.open.map((o) => o.split(' ')[2]!).sort());
    }
  });

  it('reprice: a close more than repricePct away cancels the unfilled buys and re-places them around the new anchor', () => {
    const cs = candles([100, 100, 100, 100], [100, 103, 100, 103], [103, 103, 102.5, 102.8]);
    const config = parseGridConfig({ symbol: 'BTC/USDT', levels: 2, spacingPct: 1, sellOffsetPct: 1, orderSize: { mode: 'base', value: '0.1' }, repricePct: 2 });
    const r = runBacktest({ strategy: createGridStrategy('grid', config), symbol: 'BTC/USDT', candles: cs, timeframe: '15m', marketType: 'spot', markets: { 'BTC/USDT': SPOT }, balances: { USDT: '10000' } });
    expect(r.fills).toEqual([]);
    expect(r.finalState.anchor).toBe('103');
    expect(r.finalState.levels.map((l) => [l.status, l.buyId])).toEqual([
      ['buying', 'bgridx0b2'],
      ['buying', 'bgridx0b3'],
    ]);
    // Locks of the re-placed buys (103 × 0.99 = 101.97 and 103 × 0.98 = 100.94, 0.1 each, + taker fee) are used; the old ones released.
    expect(r.finalBalances.USDT).toBe('10000');
    expect(r.openOrders.map((o) => `${o.side} ${o.price} ${o.clientOrderId}`)).toEqual(['buy 101.97 bgridx0b2', 'buy 100.94 bgridx0b3']);
    const repriced = runBacktest({
      strategy: createGridStrategy('grid', config),
      symbol: 'BTC/USDT',
      candles: [...cs, { ts: T0 + 3 * M15, open: 102.8, high: 102.8, low: 101.5, close: 101.6, volume: 1 }],
      timeframe: '15m',
      marketType: 'spot',
      markets: { 'BTC/USDT': SPOT },
      balances: { USDT: '10000' },
    });
    // the new level-0 buy at 101.97 fills (it would not have at the old 99)
    expect(repriced.fills.map((f) => [f.clientOrderId, f.side, f.price])).toEqual([['bgridx0b2', 'buy', '101.97']]);
    // its sell at 101.97 × 1.01 = 102.9897 → 102.99 (rounded up to the tick)
    expect(repriced.finalState.levels[0]).toMatchObject({ status: 'holding', sellId: 'bgridx0s4' });
  });

  it('reprice never touches a held level', () => {
    const cs = candles([100, 100, 100, 100], [100, 100, 98.9, 99], [99, 95, 95, 95]);
    const config = parseGridConfig({ symbol: 'BTC/USDT', levels: 1, spacingPct: 1, sellOffsetPct: 1, orderSize: { mode: 'base', value: '0.1' }, repricePct: 2 });
    const r = runBacktest({ strategy: createGridStrategy('grid', config), symbol: 'BTC/USDT', candles: cs, timeframe: '15m', marketType: 'spot', markets: { 'BTC/USDT': SPOT }, balances: { USDT: '10000' } });
    expect(r.finalState.anchor).toBe('95');
    expect(r.finalState.levels[0]).toMatchObject({ status: 'holding', sellId: 'bgridx0s1' });
  });

  it('config: defaults and field-named errors', () => {
    expect(parseGridConfig({ symbol: 'BTC/USDT' })).toEqual({
      symbol: 'BTC/USDT',
      levels: 5,
      spacingPct: 1,
      sellOffsetPct: 1,
      orderSize: { mode: 'quote', value: '100' },
      repricePct: 5,
      maxOpenPositions: 5,
    });
    const err = (input: unknown) => {
      try {
        parseGridConfig(input);
      } catch (e) {
        expect(e).toBeInstanceOf(GridConfigError);
        return (e as GridConfigError).field;
      }
      throw new Error('expected a GridConfigError');
    };
    expect(err({})).toBe('symbol');
    expect(err({ symbol: 'BTC/USDT', levels: 0 })).toBe('levels');
    expect(err({ symbol: 'BTC/USDT', levels: 1.5 })).toBe('levels');
    expect(err({ symbol: 'BTC/USDT', levels: 5, spacingPct: 20 })).toBe('spacingPct');
    expect(err({ symbol: 'BTC/USDT', orderSize: { mode: 'quote', value: 'abc' } })).toBe('orderSize.value');
    expect(err({ symbol: 'BTC/USDT', orderSize: { mode: 'quote', value: '0' } })).toBe('orderSize.value');
    expect(err({ symbol: 'BTC/USDT', repricePct: -1 })).toBe('repricePct');
    expect(err({ symbol: 'BTC/USDT', maxOpenPositions: 0 })).toBe('maxOpenPositions');
    expect(err({ symbol: 'BTC/USDT', bogus: 1 })).toBe('config');
  });

  it('step is pure: the input state is not mutated', () => {
    const s = createGridStrategy('g1', parseGridConfig({ symbol: 'BTC/USDT', levels: 1 }));
    const st = s.initialState();
    const before = structuredClone(st);
    const r = s.step(st, { type: 'candle', symbol: 'BTC/USDT', candle: { ts: T0, open: 1, high: 1, low: 1, close: 100, volume: 1 }, closed: true }, { now: T0, markets: { 'BTC/USDT': SPOT }, balances: [], positions: [] });
    expect(st).toEqual(before);
    expect(r.intents).toEqual([{ type: 'place', order: { clientOrderId: 'bg1x0b0', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: '1.0101', price: '99' } }]);
  });
});
