import { describe, expect, it } from 'vitest';
import { botOrderId } from './strategy.js';

describe('botOrderId', () => {
  it('is deterministic, alphanumeric and at most 32 characters', () => {
    expect(botOrderId('bot-1', 3, 'b', 17)).toBe('bbot1x3b17');
    const long = botOrderId('0f8fad5b-d9cb-469f-a165-70867728950e', 999_999, 'sell', 9_999_999);
    expect(long).toMatch(/^[A-Za-z0-9]{1,32}$/);
    expect(long).toBe('b0f8fad5bd9cbx999999sell9999999');
  });
  it('distinguishes cycle/leg/seq combinations', () => {
    expect(botOrderId('g', 1, 'b', 23)).not.toBe(botOrderId('g', 12, 'b', 3));
    expect(botOrderId('g', 1, 'b', 2)).not.toBe(botOrderId('g', 1, 's', 2));
  });
  it('names the bad argument', () => {
    expect(() => botOrderId('--', 0, 'b', 0)).toThrow(/botId/);
    expect(() => botOrderId('g', -1, 'b', 0)).toThrow(/cycle/);
    expect(() => botOrderId('g', 0, 'B1', 0)).toThrow(/leg/);
    expect(() => botOrderId('g', 0, 'b', 1.5)).toThrow(/seq/);
    expect(() => botOrderId('abcdefghijkl', Number.MAX_SAFE_INTEGER, 'sell', Number.MAX_SAFE_INTEGER)).toThrow(/32/);
  });
});
