import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { accountInputSchema, botConfigSchema, riskRulesSchema } from './index.js';

const messages = (schema: z.ZodType, value: unknown) => {
  const r = schema.safeParse(value);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('plain-language validation messages (installed by importing @osprey/shared)', () => {
  it('numbers, strings, arrays, types and lists read as a trader would say them', () => {
    expect(messages(riskRulesSchema, { maxOpenPositions: 0 })).toEqual(['maxOpenPositions: must be at least 1']);
    expect(messages(riskRulesSchema, { stopLossPct: 101 })).toEqual(['stopLossPct: must be at most 100']);
    expect(messages(riskRulesSchema, { stopLossPct: 0 })).toEqual(['stopLossPct: must be greater than 0']);
    expect(messages(botConfigSchema, { type: 'grid', grid: { symbol: 'BTC/USDT', levels: 'x' } })).toEqual(['grid.levels: must be a number']);
    expect(messages(z.object({ a: z.string() }), {})).toEqual(['a: is required']);
    expect(messages(z.array(z.number()).max(2), [1, 2, 3])).toEqual([': must list at most 2']);
    expect(messages(accountInputSchema, { name: 'x', exchange: 'binance', marketType: 'futures', mode: 'paper', paperBalances: { USDT: '1' } })).toEqual(['marketType: must be one of "spot", "swap"']);
  });

  it('a message a schema sets itself wins', () => {
    expect(messages(accountInputSchema, { name: '', exchange: 'binance', marketType: 'spot', mode: 'live' })).toEqual(['name: name is required']);
    expect(messages(botConfigSchema, { type: 'grid', grid: { symbol: 'BTC/USDT', levels: 1.5 } })).toEqual(['grid.levels: must be an integer']);
  });
});
