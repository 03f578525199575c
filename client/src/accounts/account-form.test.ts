import { describe, expect, it } from 'vitest';
import type { PublicAccount } from '@osprey/shared';
import { accountFormToInput, accountToForm, emptyAccountForm, filterExchanges, keyHint, validateAccountForm, type AccountFormState } from './account-form.js';

function form(over: Partial<AccountFormState> = {}): AccountFormState {
  return { ...emptyAccountForm(), name: 'Paper 1', ...over };
}

describe('account form', () => {
  it('maps a paper form to input with normalised balances and no secrets', () => {
    const input = accountFormToInput(form({ apiKey: 'leaked?', balances: [{ currency: ' usdt ', amount: '10000.00' }, { currency: '', amount: '' }] }));
    expect(input).toEqual({ name: 'Paper 1', exchange: 'binance', marketType: 'spot', mode: 'paper', paperBalances: { USDT: '10000' } });
  });

  it('maps a live form with secrets and leaves blank secrets out (keep on edit)', () => {
    const input = accountFormToInput(form({ mode: 'live', apiKey: ' key123 ', secret: '', passphrase: '  ' }));
    expect(input).toEqual({ name: 'Paper 1', exchange: 'binance', marketType: 'spot', mode: 'live', apiKey: 'key123' });
    expect('secret' in input).toBe(false);
  });

  it('validates with the shared schema and names the field', () => {
    const r = validateAccountForm(form({ name: '  ' }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.name).toBe('name is required');
  });

  it('rejects paper mode without balances, duplicated and bad currencies', () => {
    const none = validateAccountForm(form({ balances: [] }));
    expect(none.ok === false && none.errors.paperBalances).toMatch(/starting balances/);
    const dup = validateAccountForm(form({ balances: [{ currency: 'USDT', amount: '1' }, { currency: 'usdt', amount: '2' }] }));
    expect(dup.ok === false && dup.errors.paperBalances).toMatch(/listed twice/);
    const bad = validateAccountForm(form({ balances: [{ currency: 'US-DT', amount: '1' }] }));
    expect(bad.ok === false && bad.errors.paperBalances).toMatch(/upper-case/);
    const zero = validateAccountForm(form({ balances: [{ currency: 'USDT', amount: '0' }] }));
    expect(zero.ok === false && zero.errors.paperBalances).toMatch(/greater than 0/);
  });

  it('checks the exchange against the server list when known', () => {
    const r = validateAccountForm(form({ exchange: 'notanexchange' }), ['binance', 'okx']);
    expect(r.ok === false && r.errors.exchange).toMatch(/not a ccxt exchange id/);
    const ok = validateAccountForm(form({ exchange: 'OKX' }), ['binance', 'okx']);
    expect(ok.ok && ok.input.exchange).toBe('okx');
  });

  it('returns the parsed input when valid', () => {
    const r = validateAccountForm(form({ marketType: 'swap' }));
    expect(r).toEqual({ ok: true, input: { name: 'Paper 1', exchange: 'binance', marketType: 'swap', mode: 'paper', paperBalances: { USDT: '10000' } } });
  });

  it('prefills from a stored account without secrets', () => {
    const a: PublicAccount = {
      id: '00000000-0000-4000-8000-000000000001',
      name: 'Main',
      exchange: 'okx',
      marketType: 'swap',
      mode: 'live',
      apiKeyHint: '…a1b2',
      hasSecret: true,
      hasPassphrase: true,
      paperBalances: null,
      createdAt: 0,
    };
    const f = accountToForm(a);
    expect(f).toMatchObject({ name: 'Main', exchange: 'okx', marketType: 'swap', mode: 'live', apiKey: '', secret: '', passphrase: '' });
    expect(keyHint(a)).toBe('…a1b2');
    expect(keyHint({ apiKeyHint: null })).toBe('—');
    expect(keyHint({ apiKeyHint: 'abcdefa1b2' })).toBe('…a1b2');
  });

  it('filters exchanges by prefix first, then substring', () => {
    const all = ['binance', 'binanceusdm', 'bitget', 'coinbase', 'okx', 'wazirx'];
    expect(filterExchanges(all, 'bin')).toEqual(['binance', 'binanceusdm']);
    expect(filterExchanges(all, 'x')).toEqual(['okx', 'wazirx']);
    expect(filterExchanges(all, 'b', 2)).toEqual(['binance', 'binanceusdm']);
    expect(filterExchanges(all, '')).toHaveLength(6);
  });
});
