import { describe, expect, it } from 'vitest';
import { Dec, amountOnStep, str } from './precision.js';

const BTC_PERP = { amountStep: '0.001', minAmount: '0.001', minNotional: '100' };

describe('amountOnStep', () => {
  it.each([
    // [raw base, price, market, expected, why]
    ['0.0016667', '60000', BTC_PERP, '0.002', 'the floor (0.001 = 60 USDT) misses the 100 USDT minimum that the wanted 100 USDT meets: one step up'],
    [new Dec(100).div('59629.8').toString(), '59629.8', BTC_PERP, '0.002', 'exactly the 100 USDT minimum as 100 / price (the product misses 100 in the last digit): one step up'],
    ['0.0035', '60000', BTC_PERP, '0.003', 'the floor already meets the minimums: floored'],
    ['0.001', '60000', BTC_PERP, '0.001', 'the wanted size itself is under the minimum notional: floored, the venue refuses it'],
    ['0.0004', '60000', BTC_PERP, '0', 'under one step: 0'],
    ['0.0016667', '60000', { amountStep: '0.001', minAmount: null, minNotional: null }, '0.001', 'no minimums: floored'],
    ['1.5', '0.5', { amountStep: '1', minAmount: '2', minNotional: null }, '1', 'the wanted 1.5 is under the minimum amount 2: floored'],
    ['2.5', '0.5', { amountStep: '2', minAmount: null, minNotional: '1.2' }, '4', 'floor 2 (1 USDT) misses 1.2 USDT while the wanted 1.25 meets it: up to 4'],
  ])('%s @ %s → %s', (raw, price, m, expected, why) => {
    expect(str(amountOnStep(raw, price, m)), why).toBe(expected);
  });
});
