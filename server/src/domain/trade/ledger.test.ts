import { describe, expect, it } from 'vitest';
import { accountEquity, feeInQuote, fillDelta } from './ledger.js';

describe('fillDelta', () => {
  it('turns a first report into one fill at the average price', () => {
    const r = fillDelta(undefined, { filled: '0.5', average: '60000', feeQuote: '15' }, null);
    expect(r.delta).toEqual({ amount: '0.5', price: '60000', fee: '15' });
    expect(r.entry).toEqual({ filled: '0.5', cost: '30000', fee: '15' });
  });

  it('yields only the new part of a growing order, priced at the average of the new executions', () => {
    const first = fillDelta(undefined, { filled: '1', average: '100', feeQuote: '0.1' }, null);
    // 1 more at 103: cumulative average (100 + 103) / 2 = 101.5
    const second = fillDelta(first.entry, { filled: '2', average: '101.5', feeQuote: '0.203' }, null);
    expect(second.delta).toEqual({ amount: '1', price: '103', fee: '0.103' });
    expect(second.entry).toEqual({ filled: '2', cost: '203', fee: '0.203' });
  });

  it('yields nothing for the same report again, or a stale one', () => {
    const first = fillDelta(undefined, { filled: '1', average: '100', feeQuote: '0.1' }, null);
    expect(fillDelta(first.entry, { filled: '1', average: '100', feeQuote: '0.1' }, null)).toEqual({ delta: null, entry: first.entry });
    expect(fillDelta(first.entry, { filled: '0.5', average: '100', feeQuote: '0.05' }, null)).toEqual({ delta: null, entry: first.entry });
  });

  it('values a fill without an average at the fallback price, and waits when there is none', () => {
    expect(fillDelta(undefined, { filled: '2', average: null, feeQuote: '0' }, '10').delta).toEqual({ amount: '2', price: '10', fee: '0' });
    expect(fillDelta(undefined, { filled: '2', average: null, feeQuote: '0' }, null).delta).toBeNull();
  });

  it('never gives back a fee already applied', () => {
    const first = fillDelta(undefined, { filled: '1', average: '100', feeQuote: '0.1' }, null);
    expect(fillDelta(first.entry, { filled: '2', average: '100', feeQuote: '0' }, null).delta).toEqual({ amount: '1', price: '100', fee: '0' });
  });
});

describe('feeInQuote', () => {
  const m = { base: 'BTC', quote: 'USDT' };
  it('keeps quote fees, values base fees at the price, ignores other currencies', () => {
    expect(feeInQuote('0.3', 'USDT', '60000', m)).toBe('0.3');
    expect(feeInQuote('0.00001', 'BTC', '60000', m)).toBe('0.6');
    expect(feeInQuote('0.01', 'BNB', '60000', m)).toBe('0');
    expect(feeInQuote('-0.3', null, '60000', m)).toBe('0.3');
  });
});

describe('accountEquity', () => {
  const pos = (unrealizedPnl: string) => ({ symbol: 'BTC/USDT:USDT', side: 'long' as const, amount: '0.1', entryPrice: '60000', markPrice: '61000', leverage: 10, marginMode: 'isolated' as const, margin: '600', liquidationPrice: null, unrealizedPnl, updatedAt: 0 });
  const usdt = (total: string) => ({ currency: 'USDT', free: total, used: '0', total });

  it('spot: quote plus holdings at their last price', () => {
    const e = accountEquity({ marketType: 'spot', quote: 'USDT', balances: [usdt('1000'), { currency: 'BTC', free: '0.1', used: '0', total: '0.1' }, { currency: 'DOGE', free: '5', used: '0', total: '5' }], positions: [], prices: { BTC: '60000' }, balanceIncludesUnrealized: false });
    expect(e).toEqual({ equity: '7000', balance: '7000', unrealizedPnl: '0' });
  });

  it('perpetuals: wallet plus unrealized PnL, or the margin balance as is when it already contains it', () => {
    expect(accountEquity({ marketType: 'swap', quote: 'USDT', balances: [usdt('10000')], positions: [pos('100')], prices: {}, balanceIncludesUnrealized: false })).toEqual({ equity: '10100', balance: '10000', unrealizedPnl: '100' });
    expect(accountEquity({ marketType: 'swap', quote: 'USDT', balances: [usdt('10100')], positions: [pos('100')], prices: {}, balanceIncludesUnrealized: true })).toEqual({ equity: '10100', balance: '10000', unrealizedPnl: '100' });
  });
});

describe('fillDelta: fees paid in the base currency', () => {
  it('carries the new part of a base fee, once', () => {
    const first = fillDelta(undefined, { filled: '0.01', average: '60000', feeQuote: '0.6', feeBase: '0.00001' }, null);
    expect(first.delta).toEqual({ amount: '0.01', price: '60000', fee: '0.6', feeBase: '0.00001' });
    expect(first.entry).toEqual({ filled: '0.01', cost: '600', fee: '0.6', feeBase: '0.00001' });
    const again = fillDelta(first.entry, { filled: '0.02', average: '60000', feeQuote: '1.2', feeBase: '0.00002' }, null);
    expect(again.delta).toEqual({ amount: '0.01', price: '60000', fee: '0.6', feeBase: '0.00001' });
    expect(fillDelta(undefined, { filled: '1', average: '10', feeQuote: '0.01' }, null).delta).not.toHaveProperty('feeBase');
  });
});
