import { describe, expect, it } from 'vitest';
import type { SpreadParams } from '@osprey/shared';
import type { MarketInfo, OrderRequest } from '../exchange/port.js';
import { createSpreadStrategy, parseSpreadParams, spreadPct, SpreadConfigError, type SpreadState } from './spread.js';
import { roundTripUnits, type RoundTrip, type StepResult, type StrategyEvent } from './strategy.js';

const T0 = Date.UTC(2024, 0, 1);
const M15 = 900_000;
const market = (symbol: string, type: 'spot' | 'swap', over: Partial<MarketInfo> = {}): MarketInfo => {
  const [base, rest] = symbol.split('/') as [string, string];
  return { symbol, base, quote: rest.split(':')[0]!, type, amountStep: '0.001', priceStep: '0.01', minAmount: null, minNotional: null, makerFee: '0.0002', takerFee: '0.0005', maxLeverage: type === 'swap' ? 20 : 1, ...over };
};
const SWAP = { A: 'ETH/USDT:USDT', B: 'BTC/USDT:USDT' };
const SPOT = { A: 'ETH/USDT', B: 'BTC/USDT' };

interface Out {
  orders: string[];
  notes: string[];
  closed: RoundTrip[];
  points: number[];
}

/**
 * Drives a spread strategy through `step`: `tick(a, b)` delivers the closed candles of A then B (same open
 * time), `fill`/`dead`/`force` deliver hand-made events, `fillAll` fills every open order at the last
 * tick's closes with a quote fee of `rate` × notional.
 */
function sim(over: Partial<SpreadParams> = {}, marketType: 'spot' | 'swap' = 'swap', rules: { A?: Partial<MarketInfo>; B?: Partial<MarketInfo> } = {}) {
  const sym = marketType === 'swap' ? SWAP : SPOT;
  const markets = { [sym.A]: market(sym.A, marketType, rules.A), [sym.B]: market(sym.B, marketType, rules.B) };
  const strategy = createSpreadStrategy('sp', parseSpreadParams({ symbolA: sym.A, symbolB: sym.B, ...over }), marketType);
  let state: SpreadState = strategy.initialState();
  let i = 0;
  let now = T0;
  let fillSeq = 0;
  let last: Record<string, number> = {};
  /** Orders placed and not complete, with the amount filled so far. */
  const open = new Map<string, OrderRequest>();
  const filled = new Map<string, number>();
  const brief = (o: OrderRequest, role: string) => `${o.clientOrderId} ${o.side} ${o.symbol.slice(0, 3)} ${o.amount}${o.reduceOnly ? ' ro' : ''}${role === 'exit' ? ' exit' : ''}`;
  const run = (event: StrategyEvent, out: Out): StepResult<SpreadState> => {
    const frozen = structuredClone(state);
    const r = strategy.step(state, event, { now, markets, balances: [], positions: [] });
    expect(state, 'step must not mutate its input').toEqual(frozen);
    state = r.state;
    for (const it of r.intents) {
      if (it.type !== 'place') throw new Error('spread bots only place orders');
      open.set(it.order.clientOrderId, it.order);
      out.orders.push(brief(it.order, it.role));
    }
    out.notes.push(...(r.notes ?? []).map((n) => n.code));
    out.closed.push(...(r.closed ?? []));
    out.points.push(...(r.points ?? []).map((p) => p.value));
    return r;
  };
  const empty = (): Out => ({ orders: [], notes: [], closed: [], points: [] });
  const api = {
    strategy,
    get state() {
      return state;
    },
    open,
    candle(symbol: 'A' | 'B', close: number, ts = T0 + i * M15) {
      now = ts + M15;
      const out = empty();
      run({ type: 'candle', symbol: sym[symbol], candle: { ts, open: close, high: close, low: close, close, volume: 1 }, closed: true }, out);
      return out;
    },
    tick(a: number, b: number): Out {
      const out = empty();
      for (const [k, v] of [['A', a], ['B', b]] as const) {
        const o = api.candle(k, v);
        out.orders.push(...o.orders);
        out.notes.push(...o.notes);
        out.closed.push(...o.closed);
        out.points.push(...o.points);
      }
      i++;
      last = { [sym.A]: a, [sym.B]: b };
      return out;
    },
    fill(id: string, price: number | string, f: { amount?: string; fee?: string; feeCurrency?: string } = {}): Out {
      const o = open.get(id)!;
      const amount = f.amount ?? o.amount;
      const out = empty();
      run({ type: 'fill', fill: { id: `f${fillSeq++}`, orderId: id, clientOrderId: id, symbol: o.symbol, side: o.side, price: String(price), amount, fee: f.fee ?? '0', feeCurrency: f.feeCurrency ?? 'USDT', liquidity: 'taker', ts: now } }, out);
      const total = (filled.get(id) ?? 0) + Number(amount);
      filled.set(id, total);
      if (total >= Number(o.amount)) open.delete(id);
      return out;
    },
    fillAll(rate = 0): Out {
      const out = empty();
      for (const [id, o] of [...open]) {
        const p = last[o.symbol]!;
        const r = api.fill(id, p, { fee: String(Number(o.amount) * p * rate) });
        out.orders.push(...r.orders);
        out.notes.push(...r.notes);
        out.closed.push(...r.closed);
      }
      return out;
    },
    dead(id: string, reason: 'canceled' | 'expired' | 'rejected' = 'rejected', message?: string): Out {
      const o = open.get(id)!;
      open.delete(id);
      const out = empty();
      run({ type: 'orderDead', clientOrderId: id, symbol: o.symbol, reason, ...(message ? { message } : {}) }, out);
      return out;
    },
    force(key: string, rule = 'priceStop'): Out {
      const out = empty();
      run({ type: 'forceExit', key, rule }, out);
      return out;
    },
    /** Delivers any event (e.g. a candle update that is not closed). */
    event(e: StrategyEvent): Out {
      const out = empty();
      run(e, out);
      return out;
    },
  };
  return api;
}

describe('spreadPct', () => {
  it.each<{ args: [number, number, number, number]; expected: string }>([
    { args: [100, 100, 106, 101], expected: '5' },
    { args: [50, 200, 55, 180], expected: '20' },
    { args: [100, 100, 95, 100], expected: '-5' },
    { args: [100, 100, 100, 100], expected: '0' },
  ])('$args → $expected', ({ args, expected }) => {
    expect(spreadPct(...args).toString()).toBe(expected);
  });
  it('rejects a zero start price, naming it', () => {
    expect(() => spreadPct(0, 1, 1, 1)).toThrow(/^startA:/);
  });
});

describe('spread strategy: decisions (every order filled at the tick closes, no fees)', () => {
  const table: { name: string; ticks: [number, number][]; over?: Partial<SpreadParams>; spot?: boolean; last: { orders: string[]; notes: string[] } }[] = [
    { name: 'the first tick only sets the cycle start', ticks: [[100, 100]], last: { orders: [], notes: [] } },
    { name: 'below entry: nothing', ticks: [[100, 100], [104.99, 100]], last: { orders: [], notes: [] } },
    { name: 'A leads by 5: long B, short A (perp)', ticks: [[100, 100], [105, 100]], last: { orders: ['bspx0ob0 buy BTC 1', 'bspx0oa1 sell ETH 0.952'], notes: ['spread.opened'] } },
    { name: 'B leads by 6: long A, short B (perp)', ticks: [[100, 100], [100, 106]], last: { orders: ['bspx0oa0 buy ETH 1', 'bspx0ob1 sell BTC 0.943'], notes: ['spread.opened'] } },
    { name: 'spot: buys the laggard only', ticks: [[100, 100], [105, 100]], spot: true, last: { orders: ['bspx0ob0 buy BTC 1'], notes: ['spread.opened'] } },
    { name: 'spot: a laggard amount flooring to 0 opens nothing', ticks: [[100, 100], [105, 100]], spot: true, over: { orderQuote: '0.09' }, last: { orders: [], notes: [] } },
    { name: 'DCA: no add just below open + stepPct', ticks: [[100, 100], [105, 100], [107.9, 100]], over: { sizeMultiplier: 2 }, last: { orders: [], notes: [] } },
    {
      name: 'DCA add at open + stepPct with the multiplier (notional 100 × 2 = 200)',
      ticks: [[100, 100], [105, 100], [107.9, 100], [108, 100]],
      over: { sizeMultiplier: 2 },
      last: { orders: ['bspx0ab2 buy BTC 2', 'bspx0aa3 sell ETH 1.851'], notes: ['spread.added'] },
    },
    {
      name: 'second add at open + 2 × stepPct (notional 100 × 2² = 400)',
      ticks: [[100, 100], [105, 100], [108, 100], [111, 100]],
      over: { sizeMultiplier: 2 },
      last: { orders: ['bspx0ab4 buy BTC 4', 'bspx0aa5 sell ETH 3.603'], notes: ['spread.added'] },
    },
    { name: 'a jump over two thresholds adds once', ticks: [[100, 100], [105, 100], [112, 100]], last: { orders: ['bspx0ab2 buy BTC 1', 'bspx0aa3 sell ETH 0.892'], notes: ['spread.added'] } },
    { name: 'max adds reached: no more adds', ticks: [[100, 100], [105, 100], [108, 100], [111, 100]], over: { sizeMultiplier: 2, maxAdds: 1 }, last: { orders: [], notes: [] } },
    {
      name: 'TP on revert: spread back from 5 to 2 (3 points) closes both legs reduce-only',
      ticks: [[100, 100], [105, 100], [103, 100], [102, 100]],
      last: { orders: ['bspx0cb2 sell BTC 1 ro exit', 'bspx0ca3 buy ETH 0.952 ro exit'], notes: ['spread.reverted'] },
    },
    {
      name: 'TP on cycle PnL (5 / 199.96 = 2.5 % ≥ 2 %) wins over revert',
      ticks: [[100, 100], [105, 100], [105, 105]],
      last: { orders: ['bspx0cb2 sell BTC 1 ro exit', 'bspx0ca3 buy ETH 0.952 ro exit'], notes: ['spread.takeProfit'] },
    },
    {
      name: 'SL on cycle PnL (−4.76 / 199.96 = −2.38 % ≤ −2 %) wins over a DCA add',
      ticks: [[100, 100], [105, 100], [110, 100]],
      over: { stopLossPct: 2 },
      last: { orders: ['bspx0cb2 sell BTC 1 ro exit', 'bspx0ca3 buy ETH 0.952 ro exit'], notes: ['spread.stopLoss'] },
    },
    { name: 'spot close: sells the laggard without reduce-only', ticks: [[100, 100], [105, 100], [105, 105]], spot: true, last: { orders: ['bspx0cb1 sell BTC 1 exit'], notes: ['spread.takeProfit'] } },
    {
      name: 'after a close the new cycle starts from the close prices (102, 100): 107.1 is +5 %',
      ticks: [[100, 100], [105, 100], [102, 100], [102, 100], [107.1, 100]],
      last: { orders: ['bspx1ob4 buy BTC 1', 'bspx1oa5 sell ETH 0.933'], notes: ['spread.opened'] },
    },
  ];
  it.each(table)('$name', ({ ticks, over, spot, last }) => {
    const s = sim(over, spot ? 'spot' : 'swap');
    let out: Out | undefined;
    for (const [a, b] of ticks) {
      out = s.tick(a, b);
      const f = s.fillAll();
      out.notes.push(...f.notes);
    }
    expect({ orders: out!.orders, notes: out!.notes }).toEqual(last);
  });

  it('emits one spread point per tick (percentage points since the cycle start)', () => {
    const s = sim();
    expect([s.tick(100, 100), s.tick(102, 100), s.tick(101, 102)].map((o) => o.points)).toEqual([[0], [2], [-1]]);
  });
});

describe('spread strategy: accounting from real fills', () => {
  it('swap, taker fee 0.05 % in USDT: round trip per leg net of its fees', () => {
    const s = sim();
    s.tick(100, 100);
    s.tick(105, 100);
    // long B 1 @100 (fee 0.05), short A 0.952 @105 (notional 99.96, fee 0.04998)
    s.fillAll(0.0005);
    expect(s.strategy.held(s.state)).toEqual([
      { key: 'C0b', symbol: SWAP.B, side: 'long', amount: '1', entryPrice: '100', openedAt: T0 + 2 * M15, unit: 'C0' },
      { key: 'C0a', symbol: SWAP.A, side: 'short', amount: '0.952', entryPrice: '105', openedAt: T0 + 2 * M15, unit: 'C0' },
    ]);
    // cycle PnL at (102, 100): −0.05 + (99.96 − 97.104 − 0.04998) = 2.75602 → 1.378 % < 2 %; revert 2 ≤ 5 − 3
    const t = s.tick(102, 100);
    expect(t.orders).toEqual(['bspx0cb2 sell BTC 1 ro exit', 'bspx0ca3 buy ETH 0.952 ro exit']);
    const c = s.fillAll(0.0005);
    expect(c.closed).toEqual([
      { symbol: SWAP.B, side: 'long', entryClientOrderId: 'bspx0ob0', exitClientOrderId: 'bspx0cb2', amount: '1', entryPrice: '100', exitPrice: '100', entryFee: '0.05', exitFee: '0.05', pnl: '-0.1', openedAt: T0 + 2 * M15, closedAt: T0 + 3 * M15, unit: 'C0' },
      // (105 − 102) × 0.952 − 0.04998 − 0.048552
      { symbol: SWAP.A, side: 'short', entryClientOrderId: 'bspx0oa1', exitClientOrderId: 'bspx0ca3', amount: '0.952', entryPrice: '105', exitPrice: '102', entryFee: '0.04998', exitFee: '0.048552', pnl: '2.757468', openedAt: T0 + 2 * M15, closedAt: T0 + 3 * M15, unit: 'C0' },
    ]);
    // The cycle is one round trip: both legs in one unit, pnl −0.1 + 2.757468.
    expect(s.strategy.summary(s.state)).toEqual({ realizedPnl: '2.657468', roundTrips: 1 });
    expect(roundTripUnits(c.closed)).toMatchObject([{ unit: 'C0', pnl: '2.657468', symbols: `${SWAP.B} + ${SWAP.A}` }]);
    expect(s.strategy.held(s.state)).toEqual([]);
    expect(s.state).toMatchObject({ cycle: 1, open: null, orders: [], startA: '102', startB: '100' });
  });

  it('spot, entry fee in base: held amount net of the fee, fee valued at the fill price', () => {
    const s = sim({}, 'spot');
    s.tick(100, 100);
    expect(s.tick(105, 100).orders).toEqual(['bspx0ob0 buy BTC 1']);
    s.fill('bspx0ob0', '100.1', { fee: '0.001', feeCurrency: 'BTC' });
    expect(s.strategy.held(s.state)).toEqual([{ key: 'C0b', symbol: SPOT.B, side: 'long', amount: '0.999', entryPrice: '100.1', openedAt: T0 + 2 * M15, unit: 'C0' }]);
    // PnL at 103: 0.999 × 103 − 100.1 = 2.797 → 2.794 % ≥ 2 %: take profit, selling the 0.999 held
    const t = s.tick(105, 103);
    expect(t).toMatchObject({ orders: ['bspx0cb1 sell BTC 0.999 exit'], notes: ['spread.takeProfit'] });
    const c = s.fill('bspx0cb1', '102.9', { fee: '0.1027971' });
    // 102.9 × 0.999 − 100.1 × 0.999 − 0.1001 − 0.1027971 = the cash PnL (102.7971 − 0.1027971 − 100.1)
    expect(c.closed).toEqual([
      { symbol: SPOT.B, side: 'long', entryClientOrderId: 'bspx0ob0', exitClientOrderId: 'bspx0cb1', amount: '0.999', entryPrice: '100.1', exitPrice: '102.9', entryFee: '0.1001', exitFee: '0.1027971', pnl: '2.5943029', openedAt: T0 + 2 * M15, closedAt: T0 + 3 * M15, unit: 'C0' },
    ]);
    expect(s.strategy.summary(s.state).realizedPnl).toBe('2.5943029');
  });

  it('partial fills: volume-weighted prices, the order completes on its last fill', () => {
    const s = sim();
    s.tick(100, 100);
    s.tick(105, 100);
    expect(s.fill('bspx0ob0', '99', { amount: '0.4' }).notes).toEqual([]);
    s.fill('bspx0ob0', '101', { amount: '0.6' }); // VWAP (39.6 + 60.6) / 1 = 100.2
    expect(s.fill('bspx0oa1', '105').notes).toEqual(['spread.opened']);
    expect(s.strategy.held(s.state)[0]).toMatchObject({ key: 'C0b', amount: '1', entryPrice: '100.2' });
    s.tick(102, 100);
    const c = s.fillAll();
    expect(c.closed[0]).toMatchObject({ amount: '1', entryPrice: '100.2', exitPrice: '100', pnl: '-0.2' });
  });
});

describe('spread strategy: waiting for fills and failures', () => {
  it('decides nothing while an order of the cycle is unfilled; the fills settle the open', () => {
    const s = sim();
    s.tick(100, 100);
    s.tick(105, 100);
    // spread 9 ≥ 5 + 3 would add, but the opening orders are still unfilled
    expect(s.tick(109, 100)).toEqual({ orders: [], notes: [], closed: [], points: [9] });
    expect(s.fill('bspx0ob0', 100).notes).toEqual([]);
    expect(s.fill('bspx0oa1', 105).notes).toEqual(['spread.opened']);
    expect(s.tick(109, 100).orders).toEqual(['bspx0ab2 buy BTC 1', 'bspx0aa3 sell ETH 0.917']);
  });

  it('a rejected leader leg: the filled laggard is closed at once (openFailed), one round trip', () => {
    const s = sim();
    s.tick(100, 100);
    s.tick(105, 100);
    s.fill('bspx0ob0', 100);
    const d = s.dead('bspx0oa1', 'rejected', 'risk: cooldown');
    expect(d).toMatchObject({ orders: ['bspx0cb2 sell BTC 1 ro exit'], notes: ['spread.openFailed'] });
    const c = s.fill('bspx0cb2', 99);
    expect(c.closed.map((r) => [r.symbol, r.amount, r.pnl])).toEqual([[SWAP.B, '1', '-1']]);
    expect(s.state).toMatchObject({ cycle: 1, open: null, startA: '105', startB: '100' });
  });

  it('both opening legs rejected: the cycle is abandoned, retried next tick, the note emitted once', () => {
    const s = sim();
    s.tick(100, 100);
    s.tick(105, 100);
    s.dead('bspx0ob0');
    expect(s.dead('bspx0oa1')).toMatchObject({ orders: [], notes: ['spread.openFailed'] });
    expect(s.state).toMatchObject({ cycle: 0, open: null, orders: [], startA: '100', startB: '100' });
    expect(s.tick(105, 100).orders).toEqual(['bspx0ob2 buy BTC 1', 'bspx0oa3 sell ETH 0.952']);
    s.dead('bspx0ob2');
    expect(s.dead('bspx0oa3').notes).toEqual([]);
    s.tick(105, 100);
    expect(s.fillAll().notes).toEqual(['spread.opened']);
  });

  it('a dead add keeps what filled and is not retried at the same threshold', () => {
    const s = sim();
    s.tick(100, 100);
    s.tick(105, 100);
    s.fillAll();
    s.tick(108, 100);
    s.fill('bspx0ab2', 100);
    expect(s.dead('bspx0aa3').notes).toEqual(['spread.addFailed']);
    expect(s.strategy.held(s.state).map((l) => [l.key, l.amount])).toEqual([['C0b', '2'], ['C0a', '0.952']]);
    expect(s.tick(108, 100).orders).toEqual([]);
  });

  it('a dead close is re-placed for the rest on the next tick; the cycle ends when all is closed', () => {
    const s = sim();
    s.tick(100, 100);
    s.tick(105, 100);
    s.fillAll();
    s.tick(102, 100);
    s.fill('bspx0cb2', 100);
    s.fill('bspx0ca3', 102, { amount: '0.5' });
    expect(s.dead('bspx0ca3', 'expired').notes).toEqual(['spread.closeFailed']);
    expect(s.strategy.held(s.state).map((l) => [l.key, l.amount])).toEqual([['C0a', '0.452']]);
    const t = s.tick(101, 100);
    expect(t.orders).toEqual(['bspx0ca4 buy ETH 0.452 ro exit']);
    const c = s.fill('bspx0ca4', 101);
    // short A: (105 − VWAP) × 0.952 with VWAP (51 + 45.652) / 0.952
    expect(c.closed.map((r) => [r.side, r.amount, r.exitClientOrderId, r.pnl])).toEqual([
      ['long', '1', 'bspx0cb2', '0'],
      ['short', '0.952', 'bspx0ca4', '3.308'],
    ]);
    expect(s.state.open).toBeNull();
  });
});

describe('spread strategy: forced exits and candle pairing', () => {
  it('forceExit of either leg closes the whole cycle; unknown keys are ignored', () => {
    const s = sim();
    s.tick(100, 100);
    s.tick(105, 100);
    s.fillAll();
    expect(s.force('C9a').orders).toEqual([]);
    expect(s.force('C0a', 'timeStop')).toMatchObject({ orders: ['bspx0cb2 sell BTC 1 ro exit', 'bspx0ca3 buy ETH 0.952 ro exit'], notes: ['spread.forceExit'] });
    expect(s.force('C0b').orders).toEqual([]);
    expect(s.fillAll().closed).toHaveLength(2);
  });

  it('a forceExit while orders are in flight is done once they are', () => {
    const s = sim();
    s.tick(100, 100);
    s.tick(105, 100);
    s.fill('bspx0ob0', 100);
    expect(s.force('C0b').orders).toEqual([]);
    expect(s.fill('bspx0oa1', 105)).toMatchObject({ orders: ['bspx0cb2 sell BTC 1 ro exit', 'bspx0ca3 buy ETH 0.952 ro exit'], notes: ['spread.opened', 'spread.forceExit'] });
  });

  it('ticks only on a pair of closed candles with the same open time', () => {
    const s = sim();
    expect(s.candle('A', 100, T0).points).toEqual([]);
    expect(s.candle('B', 100, T0).points).toEqual([0]);
    expect(s.candle('A', 110, T0 + M15).points).toEqual([]);
    // B's candle of the next slot: A's pending T0 + M15 is stale and dropped
    expect(s.candle('B', 100, T0 + 2 * M15).points).toEqual([]);
    expect(s.candle('A', 103, T0 + M15).points).toEqual([]); // older than B's pending: ignored
    expect(s.candle('A', 103, T0 + 2 * M15).points).toEqual([3]);
    const before = s.state;
    expect(s.event({ type: 'candle', symbol: SWAP.A, candle: { ts: T0 + 3 * M15, open: 1, high: 1, low: 1, close: 1, volume: 1 }, closed: false }).points).toEqual([]);
    expect(s.state, 'a candle update that is not closed is ignored').toEqual(before);
  });
});

describe('spread strategy: configuration', () => {
  it('parameter errors name the field', () => {
    expect(() => parseSpreadParams({ symbolA: 'ETH/USDT:USDT', symbolB: 'ETH/USDT:USDT' })).toThrow(SpreadConfigError);
    expect(() => parseSpreadParams({ symbolA: 'ETH/USDT:USDT', symbolB: 'ETH/USDT:USDT' })).toThrow(/^symbolB:/);
    expect(() => parseSpreadParams({ symbolA: 'ETH/USDT:USDT', symbolB: 'BTC/USDT:USDT', maxAdds: 1.5 })).toThrow(/^maxAdds:/);
    expect(() => createSpreadStrategy('x', { ...parseSpreadParams({ symbolA: 'ETH/USDT', symbolB: 'BTC/USDT' }), orderQuote: '0' }, 'spot')).toThrow(/^orderQuote:/);
    expect(parseSpreadParams({ symbolA: 'ETH/USDT', symbolB: 'BTC/USDT' })).toMatchObject({ entryPct: 5, stepPct: 3, maxAdds: 6 });
  });
  it('a market missing from ctx.markets is named', () => {
    const st = createSpreadStrategy('x', parseSpreadParams({ symbolA: 'ETH/USDT', symbolB: 'BTC/USDT' }), 'spot');
    expect(() => st.step(st.initialState(), { type: 'start' }, { now: T0, markets: { 'ETH/USDT': market('ETH/USDT', 'spot') }, balances: [], positions: [] })).toThrow(/^symbolB: unknown market/);
  });
});

describe('spread strategy: venue minimums', () => {
  it('a leg whose floored amount misses the minimum notional takes one step more (100 USDT of BTC at 60 000, 0.001 step, 100 USDT minimum)', () => {
    const s = sim({}, 'swap', { A: { minNotional: '20' }, B: { minNotional: '100', minAmount: '0.001' } });
    s.tick(3000, 60000);
    // A (ETH) leads by 5 %: long BTC (the laggard), short ETH; BTC 100 / 60 000 = 0.00167 floors to 0.001 (60 USDT) → 0.002.
    expect(s.tick(3150, 60000).orders).toEqual(['bspx0ob0 buy BTC 0.002', 'bspx0oa1 sell ETH 0.031']);
  });
});
