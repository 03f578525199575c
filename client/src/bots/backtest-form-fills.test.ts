import { describe, expect, it } from 'vitest';
import { defaultConfigForm } from './bot-form.js';
import { detailOptions, emptyBacktestForm, validateBacktestForm, type BacktestFormState } from './backtest-form.js';

describe('backtest form: fill model and detail candles', () => {
  const base = (): BacktestFormState => ({ ...emptyBacktestForm(defaultConfigForm('spot')), from: '2024-03-01T00:00', to: '2024-03-31T00:00' });

  it('offers the stored timeframes finer than the stepped one', () => {
    expect(detailOptions('15m')).toEqual(['1m', '5m']);
    expect(detailOptions('1h')).toEqual(['1m', '5m', '15m']);
    expect(detailOptions('1d')).toEqual(['1m', '5m', '15m', '1h', '4h']);
  });

  it('sends the fill model only when it is not the default, and the detail timeframe when chosen', () => {
    const plain = validateBacktestForm(base(), 'UTC');
    expect(plain.ok && plain.input.settings).toEqual({ timeframe: '15m', balances: { USDT: '10000' }, slippageBps: 5 });
    const r = validateBacktestForm({ ...base(), timeframe: '1h', fillModel: 'conservative', detail: '15m' }, 'UTC');
    expect(r.ok && r.input.settings).toEqual({ timeframe: '1h', fillModel: 'conservative', detail: '15m', balances: { USDT: '10000' }, slippageBps: 5 });
  });

  it('puts a detail timeframe that is not finer than the stepped one under settings.detail', () => {
    const r = validateBacktestForm({ ...base(), timeframe: '15m', detail: '1h' }, 'UTC');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors['settings.detail']).toMatch(/shorter than the stepped timeframe/);
  });
});
