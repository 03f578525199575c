import { describe, expect, it } from 'vitest';
import { errorUnder, issuesToFieldErrors, parseServerFieldErrors, pathKey } from './form.js';

describe('field errors', () => {
  it('keys zod issues by their path, first message wins', () => {
    const errors = issuesToFieldErrors([
      { path: ['sizing', 'value'], message: 'must be greater than 0' },
      { path: ['takeProfits', 0, 'price'], message: 'must be a decimal number' },
      { path: ['sizing', 'value'], message: 'second' },
      { path: [], message: 'whole input' },
    ]);
    expect(errors).toEqual({ 'sizing.value': 'must be greater than 0', 'takeProfits.0.price': 'must be a decimal number', form: 'whole input' });
  });

  it('folds deep paths when asked', () => {
    expect(issuesToFieldErrors([{ path: ['paperBalances', 'usdt'], message: 'currency must be upper-case, e.g. USDT' }], 1)).toEqual({
      paperBalances: 'currency must be upper-case, e.g. USDT',
    });
    expect(pathKey(['a', 1, 'b'])).toBe('a.1.b');
  });

  it('parses the server "field: message; field: message" format', () => {
    const msg = 'apiKey: kraken needs an API key; secret: kraken needs the API secret';
    expect(parseServerFieldErrors(msg, new Set(['apiKey', 'secret']))).toEqual({ apiKey: 'kraken needs an API key', secret: 'kraken needs the API secret' });
  });

  it('keeps unknown fields and plain sentences under "form"', () => {
    expect(parseServerFieldErrors('Insufficient balance: need 500 USDT', new Set(['name']))).toEqual({ form: 'Insufficient balance: need 500 USDT' });
    expect(parseServerFieldErrors('stopLoss: must be below the entry for a long', new Set(['stopLoss']))).toEqual({ stopLoss: 'must be below the entry for a long' });
    expect(parseServerFieldErrors('takeProfits.1.price: must be above the entry', new Set(['takeProfits']))).toEqual({ 'takeProfits.1.price': 'must be above the entry' });
  });

  it('finds nested errors under a field', () => {
    expect(errorUnder({ 'takeProfits.0.share': 'x' }, 'takeProfits')).toBe('x');
    expect(errorUnder({ takeProfits: 'sum' }, 'takeProfits')).toBe('sum');
    expect(errorUnder({ stopLoss: 'y' }, 'takeProfits')).toBeUndefined();
  });
});
