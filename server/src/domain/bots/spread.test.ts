import { describe, expect, it } from 'vitest';
import { initialSpreadState, parseSpreadConfig, spreadPct, SpreadConfigError, stepSpread, type SpreadEvent } from './spread.js';

const T0 = Date.UTC(2024, 0, 1);
const cfg = (over: Record<string, unknown> = {}) =>
  parseSpreadConfig({ botId: 'sp', symbolA: 'ETH/USDT:USDT', symbolB: 'BTC/USDT:USDT', amountStepA: '0.001', amountStepB: '0.001', ...over });

/** Runs price pairs through the bot; returns per-step orders (id side symbol amount [ro]) and events, and the final state. */
function run(ticks: [number, number][], over: Record<string, unknown> = {}) {
  const config = cfg(over);
  let state = initialSpreadState();
  const steps: { orders: string[]; event?: SpreadEvent }[] = [];
  ticks.forEach(([a, b], i) => {
    const r = stepSpread(state, { a, b, now: T0 + i * 60_000 }, config);
    state = r.state;
    steps.push({
      orders: r.intents.map((x) => (x.type === 'place' ? `${x.order.clientOrderId} ${x.order.side} ${x.order.symbol.slice(0, 3)} ${x.order.amount}${x.order.reduceOnly ? ' ro' : ''}` : 'cancel')),
      ...(r.event ? { event: r.event } : {}),
    });
  });
  return { steps, state };
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

describe('stepSpread', () => {
  it('the first tick only sets the cycle start', () => {
    const { steps, state } = run([[100, 100]]);
    expect(steps).toEqual([{ orders: [] }]);
    expect(state).toMatchObject({ startA: '100', startB: '100', open: null });
  });

  const opens: { name: string; ticks: [number, number][]; over?: Record<string, unknown>; last: object }[] = [
    { name: 'below entry: nothing', ticks: [[100, 100], [104.99, 100]], last: { orders: [] } },
    {
      name: 'A leads by 5: long B, short A (perp)',
      ticks: [[100, 100], [105, 100]],
      last: { orders: ['bspx0ob0 buy BTC 1', 'bspx0oa1 sell ETH 0.952'], event: { type: 'opened', spread: '5', laggard: 'b' } },
    },
    {
      name: 'B leads by 6: long A, short B (perp)',
      ticks: [[100, 100], [100, 106]],
      last: { orders: ['bspx0oa0 buy ETH 1', 'bspx0ob1 sell BTC 0.943'], event: { type: 'opened', spread: '-6', laggard: 'a' } },
    },
    {
      name: 'spot: buys the laggard only',
      ticks: [[100, 100], [105, 100]],
      over: { marketType: 'spot' },
      last: { orders: ['bspx0ob0 buy BTC 1'], event: { type: 'opened', spread: '5', laggard: 'b' } },
    },
    {
      name: 'DCA add at open + stepPct with the multiplier (notional 100 × 2 = 200)',
      ticks: [[100, 100], [105, 100], [107.9, 100], [108, 100]],
      over: { sizeMultiplier: 2 },
      last: { orders: ['bspx0ab2 buy BTC 2', 'bspx0aa3 sell ETH 1.851'], event: { type: 'added', spread: '8', add: 1 } },
    },
    {
      name: 'second add at open + 2 × stepPct (notional 100 × 2² = 400)',
      ticks: [[100, 100], [105, 100], [108, 100], [111, 100]],
      over: { sizeMultiplier: 2 },
      last: { orders: ['bspx0ab4 buy BTC 4', 'bspx0aa5 sell ETH 3.603'], event: { type: 'added', spread: '11', add: 2 } },
    },
    { name: 'max adds reached: no more adds', ticks: [[100, 100], [105, 100], [108, 100], [111, 100]], over: { sizeMultiplier: 2, maxAdds: 1 }, last: { orders: [] } },
    {
      name: 'TP on revert: spread back from 5 to 2 (3 points) closes both legs reduce-only',
      ticks: [[100, 100], [105, 100], [103, 100], [102, 100]],
      last: {
        orders: ['bspx0cb2 sell BTC 1 ro', 'bspx0ca3 buy ETH 0.952 ro'],
        event: { type: 'closed', reason: 'takeProfitRevert', spread: '2', pnl: '2.856', pnlPct: expect.stringMatching(/^1\.4282856/) },
      },
    },
    {
      name: 'TP on cycle PnL (5 / 199.96 = 2.5 % ≥ 2 %) wins over revert',
      ticks: [[100, 100], [105, 100], [105, 105]],
      last: { orders: ['bspx0cb2 sell BTC 1 ro', 'bspx0ca3 buy ETH 0.952 ro'], event: { type: 'closed', reason: 'takeProfit', spread: '0', pnl: '5', pnlPct: expect.stringMatching(/^2\.5005/) } },
    },
    {
      name: 'SL on cycle PnL (−4.76 / 199.96 = −2.38 % ≤ −2 %) wins over a DCA add',
      ticks: [[100, 100], [105, 100], [110, 100]],
      over: { stopLossPct: 2 },
      last: { orders: ['bspx0cb2 sell BTC 1 ro', 'bspx0ca3 buy ETH 0.952 ro'], event: { type: 'closed', reason: 'stopLoss', spread: '10', pnl: '-4.76', pnlPct: expect.stringMatching(/^-2\.3804/) } },
    },
    {
      name: 'spot close: sells the laggard without reduce-only',
      ticks: [[100, 100], [105, 100], [105, 105]],
      over: { marketType: 'spot' },
      last: { orders: ['bspx0cb1 sell BTC 1'], event: { type: 'closed', reason: 'takeProfit', spread: '0', pnl: '5', pnlPct: '5' } },
    },
    {
      name: 'after a close the new cycle starts from the close prices (102, 100): 107.1 is +5 %',
      ticks: [[100, 100], [105, 100], [102, 100], [102, 100], [107.1, 100]],
      last: { orders: ['bspx1ob4 buy BTC 1', 'bspx1oa5 sell ETH 0.933'], event: { type: 'opened', spread: '5', laggard: 'b' } },
    },
  ];
  it.each(opens)('$name', ({ ticks, over, last }) => {
    const { steps } = run(ticks, over);
    expect(steps.at(-1)).toEqual(last);
  });

  it('tracks the realized PnL and cycle, and never mutates its input', () => {
    const config = cfg();
    const s0 = initialSpreadState();
    const s1 = stepSpread(s0, { a: 100, b: 100, now: T0 }, config).state;
    const frozen = structuredClone(s1);
    const s2 = stepSpread(s1, { a: 105, b: 100, now: T0 + 1 }, config).state;
    expect(s1).toEqual(frozen);
    const s3 = stepSpread(s2, { a: 102, b: 100, now: T0 + 2 }, config).state;
    expect(s3).toMatchObject({ cycle: 1, open: null, realizedPnl: '2.856', startA: '102', startB: '100' });
  });

  it('config errors name the field', () => {
    expect(() => cfg({ symbolB: 'ETH/USDT:USDT' })).toThrow(SpreadConfigError);
    expect(() => cfg({ symbolB: 'ETH/USDT:USDT' })).toThrow(/^symbolB:/);
    expect(() => cfg({ maxAdds: 1.5 })).toThrow(/^maxAdds:/);
    expect(() => cfg({ orderQuote: '0' })).toThrow(/^orderQuote:/);
    expect(cfg()).toMatchObject({ entryPct: 5, stepPct: 3, maxAdds: 6, marketType: 'swap' });
  });
});
