import { describe, expect, it } from 'vitest';
import { checkEntry, initialRiskState, parseRiskRules, recordResult, riskExits, RiskRulesError, type HeldPosition, type RiskRules, type RiskState } from './risk.js';

const D1 = Date.UTC(2024, 0, 1);
const H = 3_600_000;
const MIN = 60_000;

/** Applies results [pnl, ts] in order. */
const apply = (rules: RiskRules, results: [string, number][]): RiskState => results.reduce((s, [p, t]) => recordResult(s, p, t, rules), initialRiskState());

describe('checkEntry', () => {
  const table: { name: string; rules: RiskRules; results: [string, number][]; now: number; open: number; expected: unknown }[] = [
    { name: 'no rules: allowed', rules: {}, results: [['-1000', D1]], now: D1 + H, open: 50, expected: { allowed: true } },
    { name: 'maxOpenPositions: below max', rules: { maxOpenPositions: 2 }, results: [], now: D1, open: 1, expected: { allowed: true } },
    { name: 'maxOpenPositions: at max', rules: { maxOpenPositions: 2 }, results: [], now: D1, open: 2, expected: { allowed: false, rule: 'maxOpenPositions', detail: { max: 2, open: 2 } } },
    {
      name: 'daily loss: under limit',
      rules: { dailyLossLimit: '100' },
      results: [['-60', D1 + H], ['-39.99', D1 + 2 * H]],
      now: D1 + 3 * H,
      open: 0,
      expected: { allowed: true },
    },
    {
      name: 'daily loss: limit reached (profits net against losses)',
      rules: { dailyLossLimit: '100' },
      results: [['-80', D1 + H], ['30', D1 + 2 * H], ['-50', D1 + 3 * H]],
      now: D1 + 4 * H,
      open: 0,
      expected: { allowed: false, rule: 'dailyLossLimit', detail: { limit: '100', lossToday: '100', resumesAt: D1 + 24 * H } },
    },
    {
      name: 'daily loss: still blocked at 23:59:59.999 UTC',
      rules: { dailyLossLimit: '100' },
      results: [['-150', D1 + H]],
      now: D1 + 24 * H - 1,
      open: 0,
      expected: { allowed: false, rule: 'dailyLossLimit', detail: { limit: '100', lossToday: '150', resumesAt: D1 + 24 * H } },
    },
    { name: 'daily loss: UTC rollover at 00:00 frees entries', rules: { dailyLossLimit: '100' }, results: [['-150', D1 + H]], now: D1 + 24 * H, open: 0, expected: { allowed: true } },
    {
      name: 'daily loss: yesterday’s losses do not count toward today',
      rules: { dailyLossLimit: '100' },
      results: [['-90', D1 + 23 * H], ['-20', D1 + 25 * H]],
      now: D1 + 26 * H,
      open: 0,
      expected: { allowed: true },
    },
    {
      name: 'cooldown: streak below N',
      rules: { cooldown: { afterLosses: 3, pauseMinutes: 30 } },
      results: [['-1', D1], ['-1', D1 + MIN]],
      now: D1 + 2 * MIN,
      open: 0,
      expected: { allowed: true },
    },
    {
      name: 'cooldown: N consecutive losses pause M minutes',
      rules: { cooldown: { afterLosses: 3, pauseMinutes: 30 } },
      results: [['-1', D1], ['-1', D1 + MIN], ['-1', D1 + 2 * MIN]],
      now: D1 + 10 * MIN,
      open: 0,
      expected: { allowed: false, rule: 'cooldown', detail: { pausedUntil: D1 + 32 * MIN, remainingMs: 22 * MIN } },
    },
    {
      name: 'cooldown: expires at pausedUntil',
      rules: { cooldown: { afterLosses: 3, pauseMinutes: 30 } },
      results: [['-1', D1], ['-1', D1 + MIN], ['-1', D1 + 2 * MIN]],
      now: D1 + 32 * MIN,
      open: 0,
      expected: { allowed: true },
    },
    {
      name: 'cooldown: a win breaks the streak',
      rules: { cooldown: { afterLosses: 3, pauseMinutes: 30 } },
      results: [['-1', D1], ['-1', D1 + MIN], ['0', D1 + 2 * MIN], ['-1', D1 + 3 * MIN]],
      now: D1 + 4 * MIN,
      open: 0,
      expected: { allowed: true },
    },
    {
      name: 'cooldown is reported before the other rules',
      rules: { cooldown: { afterLosses: 1, pauseMinutes: 1 }, maxOpenPositions: 1, dailyLossLimit: '1' },
      results: [['-5', D1]],
      now: D1 + 1000,
      open: 3,
      expected: { allowed: false, rule: 'cooldown', detail: { pausedUntil: D1 + MIN, remainingMs: MIN - 1000 } },
    },
  ];
  it.each(table)('$name', ({ rules, results, now, open, expected }) => {
    expect(checkEntry(rules, apply(rules, results), { now, openPositions: open })).toEqual(expected);
  });

  it('after a cooldown the streak restarts, so one more loss does not pause again', () => {
    const rules: RiskRules = { cooldown: { afterLosses: 2, pauseMinutes: 5 } };
    const s = apply(rules, [['-1', D1], ['-1', D1 + MIN], ['-1', D1 + 10 * MIN]]);
    expect(s.lossStreak).toBe(1);
    expect(checkEntry(rules, s, { now: D1 + 11 * MIN, openPositions: 0 })).toEqual({ allowed: true });
  });
});

describe('recordResult', () => {
  it('tracks today’s PnL and the streak without mutating its input', () => {
    const s0 = initialRiskState();
    const s1 = recordResult(s0, '-12.5', D1 + H);
    expect(s0).toEqual(initialRiskState());
    expect(s1).toEqual({ day: D1, dayPnl: '-12.5', lossStreak: 1, pausedUntil: null });
    expect(recordResult(s1, '20', D1 + 2 * H)).toEqual({ day: D1, dayPnl: '7.5', lossStreak: 0, pausedUntil: null });
    expect(recordResult(s1, '-1', D1 + 24 * H)).toEqual({ day: D1 + 24 * H, dayPnl: '-1', lossStreak: 2, pausedUntil: null });
  });
});

describe('riskExits', () => {
  const pos = (p: Partial<HeldPosition>): HeldPosition => ({ key: 'L1', symbol: 'BTC/USDT:USDT', side: 'long', amount: '0.5', entryPrice: '100', price: '100', openedAt: D1, ...p });
  const table: { name: string; rules: RiskRules; p: HeldPosition; now: number; expected: unknown[] }[] = [
    { name: 'long above stop: kept', rules: { stopLossPct: 5 }, p: pos({ price: '95.01' }), now: D1, expected: [] },
    {
      name: 'long at −5 %: price stop sells',
      rules: { stopLossPct: 5 },
      p: pos({ price: '95' }),
      now: D1,
      expected: [{ key: 'L1', rule: 'priceStop', detail: { lossPct: '5', stopLossPct: 5 } }],
    },
    { name: 'short gaining on a drop: kept', rules: { stopLossPct: 5 }, p: pos({ side: 'short', price: '80' }), now: D1, expected: [] },
    {
      name: 'short at +6 %: price stop buys',
      rules: { stopLossPct: 5 },
      p: pos({ side: 'short', price: '106' }),
      now: D1,
      expected: [{ key: 'L1', rule: 'priceStop', detail: { lossPct: '6', stopLossPct: 5 } }],
    },
    { name: 'time stop: not yet', rules: { maxHoldingMs: 4 * H }, p: pos({}), now: D1 + 4 * H - 1, expected: [] },
    {
      name: 'time stop: held max',
      rules: { maxHoldingMs: 4 * H },
      p: pos({}),
      now: D1 + 4 * H,
      expected: [{ key: 'L1', rule: 'timeStop', detail: { heldMs: 4 * H, maxHoldingMs: 4 * H } }],
    },
    {
      name: 'both: one exit, price stop first',
      rules: { stopLossPct: 1, maxHoldingMs: H },
      p: pos({ price: '90' }),
      now: D1 + 2 * H,
      expected: [{ key: 'L1', rule: 'priceStop', detail: { lossPct: '10', stopLossPct: 1 } }],
    },
  ];
  it.each(table)('$name', ({ rules, p, now, expected }) => {
    expect(riskExits(rules, [p], now).map(({ position, rule, detail }) => ({ key: position.key, rule, detail }))).toEqual(expected);
  });
});

describe('parseRiskRules', () => {
  it('accepts an empty rule set and names the bad field', () => {
    expect(parseRiskRules({})).toEqual({});
    expect(() => parseRiskRules({ cooldown: { afterLosses: 0, pauseMinutes: 5 } })).toThrow(RiskRulesError);
    expect(() => parseRiskRules({ cooldown: { afterLosses: 0, pauseMinutes: 5 } })).toThrow(/^cooldown\.afterLosses:/);
    expect(() => parseRiskRules({ dailyLossLimit: '-5' })).toThrow(/^dailyLossLimit:/);
  });
});
