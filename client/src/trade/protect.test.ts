import { describe, expect, it } from 'vitest';
import { protectChanges, protectFormFor, protectToInput } from './protect.js';

const TRADE = {
  id: '00000000-0000-4000-8000-0000000000aa',
  stopLoss: '59000',
  takeProfits: [
    { price: '61000', share: '0.5', done: true },
    { price: '62000', share: '0.5', done: false },
  ],
};

describe('protect form', () => {
  it('prefills the stop and the open targets in percent', () => {
    expect(protectFormFor(TRADE)).toEqual({ stopLoss: '59000', takeProfits: [{ price: '62000', sharePct: '50' }] });
  });

  it('sends only a changed stop', () => {
    const r = protectToInput(TRADE, { stopLoss: '59500', takeProfits: [{ price: '62000', sharePct: '50' }] });
    expect(r).toEqual({ ok: true, input: { tradeId: TRADE.id, stopLoss: '59500' } });
  });

  it('sends null to remove the stop and nothing when unchanged', () => {
    const removed = protectToInput(TRADE, { stopLoss: ' ', takeProfits: [{ price: '62000.0', sharePct: '50' }] });
    expect(removed).toEqual({ ok: true, input: { tradeId: TRADE.id, stopLoss: null } });
    const same = protectToInput(TRADE, protectFormFor(TRADE));
    expect(same.ok && protectChanges(same.input)).toBe(false);
  });

  it('sends changed targets as fractions', () => {
    const r = protectToInput(TRADE, { stopLoss: '59000', takeProfits: [{ price: '62500', sharePct: '25' }, { price: '63000', sharePct: '25' }] });
    expect(r).toEqual({ ok: true, input: { tradeId: TRADE.id, takeProfits: [{ price: '62500', share: '0.25' }, { price: '63000', share: '0.25' }] } });
  });

  it('names the bad field', () => {
    const r = protectToInput(TRADE, { stopLoss: '-1', takeProfits: [] });
    expect(r.ok === false && Object.keys(r.errors)).toEqual(['stopLoss']);
  });
});
