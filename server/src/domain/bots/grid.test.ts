import { describe, expect, it } from 'vitest';
import Decimal from 'decimal.js';
import type { Candle } from '@osprey/shared';
import type { Fill, MarketInfo } from '../exchange/port.js';
import { runBacktest } from './backtest.js';
import { createGridStrategy, GridConfigError, parseGridConfig, type GridConfigInput, type GridState } from './grid.js';
import type { Intent, Strategy, StrategyContext, StrategyEvent, StepResult } from './strategy.js';

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
/** Time of the k-th third (0–3) of candle i: the replay steps at 0, ⅓, ⅔ of each candle and at its close. */
const at = (i: number, k: number) => T0 + i * M15 + k * (M15 / 3);
/** Candles from [open, high, low, close] rows, 15 minutes apart. */
const candles = (...rows: [number, number, number, number][]): Candle[] => rows.map(([open, high, low, close], i) => ({ ts: T0 + i * M15, open, high, low, close, volume: 1 }));

function grid(cfg: Partial<GridConfigInput>, cs: Candle[]) {
  const config = parseGridConfig({ symbol: 'BTC/USDT', levels: 2, spacingPct: 1, sellOffsetPct: 1, orderSize: { mode: 'base', value: '0.1' }, repricePct: 0, ...cfg });
  return runBacktest({
    strategy: createGridStrategy('grid', config),
    candles: { 'BTC/USDT': cs },
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
        // buys at 99 / 98 placed at the first close (anchor 100); the falling candle's second leg 100.5 → 98.5
        // (applied at ⅔ of the candle) reaches 99
        { id: 'bgridx0b0', side: 'buy', price: '99', amount: '0.1', fee: '0.0099', ts: at(1, 2) },
        // its sell at 99 × 1.01 = 99.99, reached by the rising candle's second leg 99.5 → 101
        { id: 'bgridx0s2', side: 'sell', price: '99.99', amount: '0.1', fee: '0.009999', ts: at(2, 2) },
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
        // the open point of the gapping candle (at its open time) fills both
        { id: 'bgridx0b0', side: 'buy', price: '97', amount: '0.1', fee: '0.0097', ts: at(1, 0) },
        { id: 'bgridx0b1', side: 'buy', price: '97', amount: '0.1', fee: '0.0097', ts: at(1, 0) },
        // both sells at 97 × 1.01 = 97.97; the last candle peaks at 98 (its second leg)
        { id: 'bgridx0s2', side: 'sell', price: '97.97', amount: '0.1', fee: '0.009797', ts: at(2, 2) },
        { id: 'bgridx0s3', side: 'sell', price: '97.97', amount: '0.1', fee: '0.009797', ts: at(2, 2) },
        // the re-armed buys (99, 98; anchor still 100) are marketable at the leg's close 98: they fill at once as
        // taker, like in paper mode — 98 × (1 + 5 bps) = 98.049 → 98.05 (tick, against the buyer); 98 capped at its limit
        { id: 'bgridx1b4', side: 'buy', price: '98.05', amount: '0.1', fee: '0.009805', ts: at(2, 2), liquidity: 'taker' },
        { id: 'bgridx1b5', side: 'buy', price: '98', amount: '0.1', fee: '0.0098', ts: at(2, 2), liquidity: 'taker' },
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
        { id: 'bgridx0b0', side: 'buy', price: '99', amount: '0.1', fee: '0.0099', ts: at(1, 2) },
        { id: 'bgridx0s1', side: 'sell', price: '99.99', amount: '0.1', fee: '0.009999', ts: at(3, 2) },
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
      fills: [{ id: 'bgridx0b0', side: 'buy', price: '99', amount: '0.50505', fee: '0.04999995', ts: at(1, 2) }],
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
    const r = runBacktest({ strategy: createGridStrategy('grid', config), candles: { 'BTC/USDT': cs }, timeframe: '15m', marketType: 'spot', markets: { 'BTC/USDT': SPOT }, balances: { USDT: '10000' } });
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
      candles: { 'BTC/USDT': [...cs, { ts: T0 + 3 * M15, open: 102.8, high: 102.8, low: 101.5, close: 101.6, volume: 1 }] },
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
    const r = runBacktest({ strategy: createGridStrategy('grid', config), candles: { 'BTC/USDT': cs }, timeframe: '15m', marketType: 'spot', markets: { 'BTC/USDT': SPOT }, balances: { USDT: '10000' } });
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
    expect(r.intents).toEqual([{ type: 'place', order: { clientOrderId: 'bg1x0b0', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: '1.0101', price: '99' }, role: 'entry' }]);
  });
});

const PERP: MarketInfo = { ...SPOT, symbol: 'BTC/USDT:USDT', type: 'swap', amountStep: '0.001', priceStep: '0.01', minAmount: '0.001', minNotional: '5', makerFee: '0.0002', takerFee: '0.0005', maxLeverage: 125 };

describe('grid strategy: held lots and forced exits (stepped by hand)', () => {
  const ctx = (m: MarketInfo, now = T0): StrategyContext => ({ now, markets: { [m.symbol]: m }, balances: [], positions: [] });
  const candle = (symbol: string, close: number, i = 0): StrategyEvent => ({ type: 'candle', symbol, candle: { ts: T0 + i * M15, open: close, high: close, low: close, close, volume: 1 }, closed: true });
  const fill = (m: MarketInfo, clientOrderId: string, side: 'buy' | 'sell', price: string, amount: string, fee: string, ts: number): StrategyEvent => ({
    type: 'fill',
    fill: { id: clientOrderId, orderId: clientOrderId, clientOrderId, symbol: m.symbol, side, price, amount, fee, feeCurrency: m.quote, liquidity: 'maker', ts } satisfies Fill,
  });
  /** A grid with one long lot at level 0 (buy 0.1 at 99, fee 0.0099, at T0 + 1 min) and its sell 99.99 open. */
  function holding(m: MarketInfo) {
    const g = createGridStrategy('fx', parseGridConfig({ symbol: m.symbol, levels: 2, spacingPct: 1, sellOffsetPct: 1, orderSize: { mode: 'base', value: '0.1' }, repricePct: 0 }));
    let r: StepResult<GridState> = g.step(g.initialState(), candle(m.symbol, 100), ctx(m));
    expect(r.intents.map((i) => (i.type === 'place' ? [i.order.clientOrderId, i.order.price, i.role] : null))).toEqual([
      ['bfxx0b0', '99', 'entry'],
      ['bfxx0b1', '98', 'entry'],
    ]);
    r = g.step(r.state, fill(m, 'bfxx0b0', 'buy', '99', '0.1', '0.0099', T0 + 60_000), ctx(m));
    expect(r.intents).toEqual([{ type: 'place', order: { clientOrderId: 'bfxx0s2', symbol: m.symbol, side: 'sell', type: 'limit', amount: '0.1', price: '99.99', ...(m.type === 'swap' ? { reduceOnly: true } : {}) }, role: 'exit' }]);
    return { g, state: r.state };
  }

  it('held(): one lot per level holding a filled buy; summary() counts round trips', () => {
    const { g, state } = holding(SPOT);
    expect(g.held(state)).toEqual([{ key: 'L0', symbol: 'BTC/USDT', side: 'long', amount: '0.1', entryPrice: '99', openedAt: T0 + 60_000 }]);
    expect(g.summary(state)).toEqual({ realizedPnl: '0', roundTrips: 0 });
    expect(g.held(g.initialState())).toEqual([]);
  });

  const table: { name: string; m: MarketInfo; exitPrice: string; exitFee: string; pnl: string }[] = [
    // (97.5 − 99) × 0.1 − 0.0099 − 0.00975
    { name: 'spot: market sell, not reduce-only', m: SPOT, exitPrice: '97.5', exitFee: '0.00975', pnl: '-0.16965' },
    { name: 'perpetual: reduce-only market sell', m: PERP, exitPrice: '97.5', exitFee: '0.004875', pnl: '-0.164775' },
  ];
  it.each(table)('forceExit L0 — $name: cancels the sell, sells the lot at market, books the round trip, re-arms', ({ m, exitPrice, exitFee, pnl }) => {
    const { g, state } = holding(m);
    const before = structuredClone(state);
    let r = g.step(state, { type: 'forceExit', key: 'L0', rule: 'priceStop' }, ctx(m, T0 + 120_000));
    expect(state).toEqual(before); // pure
    // first the limit sell is cancelled; nothing else until the cancel is confirmed
    expect(r.intents).toEqual([{ type: 'cancel', clientOrderId: 'bfxx0s2', symbol: m.symbol }]);
    // still held; a second forceExit while the exit is under way does nothing, nor does a closed candle
    expect(g.held(r.state).map((h) => h.key)).toEqual(['L0']);
    expect(g.step(r.state, { type: 'forceExit', key: 'L0', rule: 'timeStop' }, ctx(m)).intents).toEqual([]);
    expect(g.step(r.state, candle(m.symbol, 98, 1), ctx(m)).intents).toEqual([]);
    // the cancelled sell's death sends the market sell
    r = g.step(r.state, { type: 'orderDead', clientOrderId: 'bfxx0s2', symbol: m.symbol, reason: 'canceled' }, ctx(m));
    expect(r.intents).toEqual([{ type: 'place', order: { clientOrderId: 'bfxx0x3', symbol: m.symbol, side: 'sell', type: 'market', amount: '0.1', ...(m.type === 'swap' ? { reduceOnly: true } : {}) }, role: 'exit' }]);
    expect(g.step(r.state, { type: 'forceExit', key: 'L0', rule: 'timeStop' }, ctx(m)).intents).toEqual([]);
    expect(g.step(r.state, candle(m.symbol, 98, 1), ctx(m)).intents).toEqual([]);
    r = g.step(r.state, fill(m, 'bfxx0x3', 'sell', exitPrice, '0.1', exitFee, T0 + 120_000), ctx(m));
    expect(r.closed).toEqual([
      { symbol: m.symbol, side: 'long', entryClientOrderId: 'bfxx0b0', exitClientOrderId: 'bfxx0x3', amount: '0.1', entryPrice: '99', exitPrice, entryFee: '0.0099', exitFee, pnl, openedAt: T0 + 60_000, closedAt: T0 + 120_000 },
    ]);
    expect(pnl).toBe(new Decimal(exitPrice).minus(99).mul('0.1').minus('0.0099').minus(exitFee).toFixed());
    expect(g.held(r.state)).toEqual([]);
    expect(g.summary(r.state)).toEqual({ realizedPnl: pnl, roundTrips: 1 });
    // level 0 re-armed at the anchor's level price (cycle 1)
    expect(r.intents.map((i) => (i.type === 'place' ? i.order.clientOrderId : i.clientOrderId))).toEqual(['bfxx1b4']);
    expect(r.state.levels[0]).toMatchObject({ status: 'buying', cycle: 1, sellId: null, exitId: null, entry: null });
  });

  it('forceExit of a level holding nothing, or an unknown key, does nothing', () => {
    const { g, state } = holding(SPOT);
    for (const key of ['L1', 'L7', 'C0a']) {
      const r = g.step(state, { type: 'forceExit', key, rule: 'priceStop' }, ctx(SPOT));
      expect(r.intents).toEqual([]);
      expect(r.state).toEqual(state);
    }
  });

  it('live race: the limit sell fills before its cancel lands — that fill closes the level, no market sell follows', () => {
    const { g, state } = holding(SPOT);
    let r = g.step(state, { type: 'forceExit', key: 'L0', rule: 'priceStop' }, ctx(SPOT));
    r = g.step(r.state, fill(SPOT, 'bfxx0s2', 'sell', '99.99', '0.1', '0.009999', T0 + 90_000), ctx(SPOT));
    expect(r.closed!.map((t) => [t.exitClientOrderId, t.exitPrice])).toEqual([['bfxx0s2', '99.99']]);
    expect(r.intents.every((i) => i.type === 'place' && i.order.side === 'buy')).toBe(true);
    expect(g.held(r.state)).toEqual([]);
    // the cancel then fails (the order is gone): no death arrives, or a late one changes nothing
    expect(g.step(r.state, { type: 'orderDead', clientOrderId: 'bfxx0s2', symbol: 'BTC/USDT', reason: 'canceled' }, ctx(SPOT)).intents).toEqual([]);
  });

  it('a refused exit leaves the lot held; its limit sell is re-placed on the next closed candle', () => {
    const { g, state } = holding(SPOT);
    let r = g.step(state, { type: 'forceExit', key: 'L0', rule: 'priceStop' }, ctx(SPOT));
    r = g.step(r.state, { type: 'orderDead', clientOrderId: 'bfxx0s2', symbol: 'BTC/USDT', reason: 'canceled' }, ctx(SPOT));
    r = g.step(r.state, { type: 'orderDead', clientOrderId: 'bfxx0x3', symbol: 'BTC/USDT', reason: 'rejected', message: 'amount: ...' }, ctx(SPOT));
    expect(r.intents).toEqual([]);
    expect(g.held(r.state).map((h) => h.key)).toEqual(['L0']);
    r = g.step(r.state, candle('BTC/USDT', 99.5, 1), ctx(SPOT));
    expect(r.intents).toEqual([{ type: 'place', order: { clientOrderId: 'bfxx0s4', symbol: 'BTC/USDT', side: 'sell', type: 'limit', amount: '0.1', price: '99.99' }, role: 'exit' }]);
  });

  it('in a backtest: a stop wrapper forcing the exit gets a taker fill in the engine and the round trip matches the fills', () => {
    // A minimal "risk gate": after a closed candle below 97, force the exit of every held lot.
    const inner = createGridStrategy('fx', parseGridConfig({ symbol: 'BTC/USDT', levels: 1, spacingPct: 1, sellOffsetPct: 1, orderSize: { mode: 'base', value: '0.1' }, repricePct: 0 }));
    const stop: Strategy<GridState> = {
      ...inner,
      step(state, event, c) {
        const r = inner.step(state, event, c);
        if (event.type !== 'candle' || event.candle.close >= 97) return r;
        let s = r.state;
        const intents: Intent[] = [...r.intents];
        for (const lot of inner.held(s)) {
          const x = inner.step(s, { type: 'forceExit', key: lot.key, rule: 'priceStop' }, c);
          s = x.state;
          intents.push(...x.intents);
        }
        return { ...r, state: s, intents };
      },
    };
    const r = runBacktest({
      strategy: stop,
      candles: { 'BTC/USDT': candles([100, 100, 100, 100], [100, 100, 98.5, 98.8], [98.8, 98.8, 96, 96.5]) },
      timeframe: '15m',
      marketType: 'spot',
      markets: { 'BTC/USDT': SPOT },
      balances: { USDT: '10000' },
    });
    expect(brief(r)).toEqual([
      { id: 'bfxx0b0', side: 'buy', price: '99', amount: '0.1', fee: '0.0099', ts: at(1, 2) },
      // closed at 96.5 (< 97) → market sell at the close less 5 bps: 96.5 × 0.9995 = 96.45175 → 96.45 (tick, down)
      { id: 'bfxx0x2', side: 'sell', price: '96.45', amount: '0.1', fee: '0.009645', ts: at(2, 3), liquidity: 'taker' },
      // the level re-arms at 99 (anchor 100), marketable at 96.5: taker at 96.5 × 1.0005 = 96.54825 → 96.55
      { id: 'bfxx1b3', side: 'buy', price: '96.55', amount: '0.1', fee: '0.009655', ts: at(2, 3), liquidity: 'taker' },
    ]);
    expect(r.trades.map((t) => [t.entryClientOrderId, t.exitClientOrderId, t.pnl])).toEqual([['bfxx0b0', 'bfxx0x2', '-0.274545']]); // −0.255 − 0.0099 − 0.009645
    // the cancelled limit sell is gone; the new lot's sell (96.55 × 1.01 = 97.5155 → 97.52) is open
    expect(r.openOrders.map((o) => `${o.side} ${o.price} ${o.clientOrderId}`)).toEqual(['sell 97.52 bfxx1s4']);
    expect(r.finalBalances).toEqual({ BTC: '0.1', USDT: new Decimal(10000).minus('0.274545').minus('9.655').minus('0.009655').toFixed() });
  });
});
