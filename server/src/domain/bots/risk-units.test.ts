/**
 * Risk rules on position units: both legs of a spread cycle (same `unit`) are one position for max open
 * positions and one result (pnl summed) for the cooldown streak and the daily loss limit.
 */
import { describe, expect, it } from 'vitest';
import type { RiskRules } from '@osprey/shared';
import type { MarketInfo } from '../exchange/port.js';
import { gatedOpenCount, withRiskRules } from './risk-gate.js';
import type { HeldLot, Intent, RoundTrip, StepResult, Strategy, StrategyContext } from './strategy.js';

const T0 = Date.UTC(2024, 2, 13, 1);
const market = (symbol: string): MarketInfo => {
  const [base, quote] = symbol.split(/[/:]/) as [string, string];
  return { symbol, base, quote, type: 'swap', amountStep: '0.001', priceStep: '0.01', minAmount: null, minNotional: null, makerFee: '0.0002', takerFee: '0.0005', maxLeverage: 20 };
};
const A = 'ETH/USDT:USDT';
const B = 'BTC/USDT:USDT';
const ctx = (now: number): StrategyContext => ({ now, markets: { [A]: market(A), [B]: market(B) }, balances: [], positions: [] });

interface ScriptState {
  i: number;
  lots: HeldLot[];
  dead: string[];
}
interface Step {
  intents?: Intent[];
  closed?: RoundTrip[];
  lots?: HeldLot[];
}

/** A strategy that, on each signal event, returns the next scripted step (orderDead events are only recorded). */
function scripted(steps: Step[]): Strategy<ScriptState> {
  return {
    type: 'script',
    botId: 's',
    symbols: [A, B],
    initialState: () => ({ i: 0, lots: [], dead: [] }),
    step(state, event): StepResult<ScriptState> {
      const s = structuredClone(state);
      if (event.type === 'orderDead') {
        s.dead.push(event.clientOrderId);
        return { state: s, intents: [] };
      }
      const st = steps[s.i++] ?? {};
      if (st.lots) s.lots = st.lots;
      const r: StepResult<ScriptState> = { state: s, intents: st.intents ?? [] };
      if (st.closed) r.closed = st.closed;
      return r;
    },
    held: (s) => s.lots,
    summary: () => ({ realizedPnl: '0', roundTrips: 0 }),
  };
}

const entry = (id: string, symbol: string, unit?: string): Intent => ({ type: 'place', role: 'entry', order: { clientOrderId: id, symbol, side: 'buy', type: 'market', amount: '1' }, ...(unit ? { unit } : {}) });
const lot = (key: string, symbol: string, unit?: string): HeldLot => ({ key, symbol, side: 'long', amount: '1', entryPrice: '100', openedAt: T0, ...(unit ? { unit } : {}) });
const leg = (symbol: string, pnl: string, closedAt: number, unit?: string): RoundTrip => ({
  symbol,
  side: 'long',
  entryClientOrderId: `e-${symbol}-${closedAt}`,
  exitClientOrderId: `x-${symbol}-${closedAt}`,
  amount: '1',
  entryPrice: '100',
  exitPrice: '100',
  entryFee: '0',
  exitFee: '0',
  pnl,
  openedAt: closedAt - 60_000,
  closedAt,
  ...(unit ? { unit } : {}),
});
const signal = { type: 'signal', signal: { id: 'x', exchange: 'binance', symbol: 'ETH/USDT', type: 'LONG', score: 20, sizeMultiplier: 1, candleTs: T0, createdAt: T0, expiresAt: T0 + 1, details: {} } } as const;

function run(rules: RiskRules, steps: Step[]) {
  const g = withRiskRules(scripted(steps), rules);
  let state = g.initialState();
  const out: StepResult<typeof state>[] = [];
  for (let i = 0; i < steps.length; i++) {
    const r = g.step(state, signal, ctx(T0 + i * 60_000));
    state = r.state;
    out.push(r);
  }
  return { g, state, out, notes: out.flatMap((r) => r.notes ?? []) };
}

describe('max open positions counts units', () => {
  it('lets both legs of one cycle through a limit of 1, and refuses the next cycle', () => {
    const { state, out, g } = run({ maxOpenPositions: 1 }, [
      { intents: [entry('oa0', A, 'C0'), entry('ob1', B, 'C0')] },
      { lots: [lot('C0a', A, 'C0'), lot('C0b', B, 'C0')], intents: [entry('oa2', A, 'C1')] },
    ]);
    expect(out[0]!.intents.map((i) => (i.type === 'place' ? i.order.clientOrderId : ''))).toEqual(['oa0', 'ob1']);
    expect(out[1]!.intents).toEqual([]);
    expect(state.inner.dead).toEqual(['oa2']);
    expect(gatedOpenCount(g as Strategy<unknown>, state)).toBe(1);
  });

  it('still counts lots without a unit one each (the second leg without a unit is refused)', () => {
    const { state } = run({ maxOpenPositions: 1 }, [{ intents: [entry('oa0', A), entry('ob1', B)] }]);
    expect(state.inner.dead).toEqual(['ob1']);
  });
});

describe('results are cycles, not legs', () => {
  it('a losing leg of a net profitable cycle is no loss for the cooldown', () => {
    const { state, notes } = run({ cooldown: { afterLosses: 2, pauseMinutes: 60 } }, [
      { closed: [leg(A, '-21.24', T0, 'C0'), leg(B, '29.70', T0, 'C0')] },
      { closed: [leg(A, '-5', T0 + 60_000, 'C1'), leg(B, '13.65', T0 + 60_000, 'C1')] },
    ]);
    expect(notes.map((n) => n.code)).not.toContain('risk.cooldownStarted');
    expect(state.risk.lossStreak).toBe(0);
    expect(state.risk.pausedUntil).toBeNull();
  });

  it('two net losing cycles start the cooldown, reporting the net figure', () => {
    const { notes } = run({ cooldown: { afterLosses: 2, pauseMinutes: 60 } }, [
      { closed: [leg(A, '-21.24', T0, 'C0'), leg(B, '20', T0, 'C0')] },
      { closed: [leg(A, '3', T0 + 60_000, 'C1'), leg(B, '-4.5', T0 + 60_000, 'C1')] },
    ]);
    const started = notes.find((n) => n.code === 'risk.cooldownStarted')!;
    expect(started.message).toContain(`${A} + ${B} -1.5 net over 2 legs`);
    expect(started.detail.lastPnl).toBe('-1.5');
  });

  it('the daily loss limit acts on the net realized figure, and then holds for the day', () => {
    const { notes, state, out } = run({ dailyLossLimit: '15' }, [
      { closed: [leg(A, '-21.24', T0, 'C0'), leg(B, '29.70', T0, 'C0')] },
      { closed: [leg(A, '-30', T0 + 60_000, 'C1'), leg(B, '4.46', T0 + 60_000, 'C1')] },
      { intents: [entry('oa9', A, 'C2'), entry('ob10', B, 'C2')] },
    ]);
    const reached = notes.filter((n) => n.code === 'risk.dailyLossLimitReached');
    // Day: +8.46 then −25.54 → −17.08: the limit is reached once, on the second cycle, with the net figure.
    expect(reached).toHaveLength(1);
    expect(reached[0]!.detail.lossToday).toBe('17.08');
    expect(out[2]!.intents).toEqual([]);
    expect(state.inner.dead).toEqual(['oa9', 'ob10']);
  });
});
