import { describe, expect, it } from 'vitest';
import type { MarketSignal } from '@osprey/shared';
import {
  signalChipLabel,
  applyPrefillToPending,
  applyPrefillToTicket,
  parsePrefillHash,
  prefillFromSignal,
  prefillSizing,
  prefillToHash,
  resolveSymbol,
  signalStopLoss,
  signalTriggerPrice,
  type TradePrefill,
} from './prefill.js';
import { emptyPendingForm, emptyTicket } from './ticket.js';

function signal(over: Partial<MarketSignal> = {}): MarketSignal {
  return {
    id: 'binance:BTC/USDT:1722470400000',
    exchange: 'binance',
    symbol: 'BTC/USDT',
    type: 'SHORT',
    score: 21,
    sizeMultiplier: 2,
    candleTs: 1722470400000,
    createdAt: 1722471300000,
    expiresAt: 1722485700000,
    details: { filter: { close: 64123.45, ema55: 64500 }, trigger: {}, confirm: {} },
    ...over,
  };
}

describe('signal → prefill', () => {
  it('maps side, id, multiplier and the trigger price; no stop when the detector has none', () => {
    const p = prefillFromSignal(signal(), 'ticket');
    expect(p).toEqual({
      target: 'ticket',
      symbol: 'BTC/USDT',
      side: 'short',
      sourceSignalId: 'binance:BTC/USDT:1722470400000',
      signal: { type: 'SHORT', score: 21, closeTs: 1722471300000 },
      sizeMultiplier: 2,
      stopLoss: null,
      triggerPrice: '64123.45',
    });
    expect(prefillFromSignal(signal({ type: 'LONG' }), 'pending').side).toBe('long');
  });

  it('reads a stop-loss suggestion where a signal carries one', () => {
    expect(signalStopLoss({ stopLoss: '61000' })).toBe('61000');
    expect(signalStopLoss({ risk: { stop_loss: 60500.5 } })).toBe('60500.5');
    expect(signalStopLoss({ sl: -5 })).toBeNull();
    expect(signalStopLoss({ stopLoss: 'soon' })).toBeNull();
    expect(signalTriggerPrice({ plan: { entry: '100.5' }, filter: { close: 99 } })).toBe('100.5');
    expect(signalTriggerPrice({})).toBeNull();
  });

  it('round-trips through the hash', () => {
    const p: TradePrefill = { target: 'pending', symbol: 'BTC/USDT', side: 'long', sourceSignalId: 'binance:BTC/USDT:1', signal: { type: 'LONG', score: 18, closeTs: 1722471300000 }, sizeMultiplier: 2, stopLoss: '60000', triggerPrice: '64000.5' };
    const hash = prefillToHash(p);
    expect(hash.startsWith('#/trade?')).toBe(true);
    expect(parsePrefillHash(hash)).toEqual(p);
    expect(parsePrefillHash(prefillToHash({ ...p, signal: null }))).toEqual({ ...p, signal: null });
    expect(parsePrefillHash('#/trade')).toBeNull();
    expect(parsePrefillHash('#/market?to=ticket&symbol=BTC%2FUSDT&side=long')).toBeNull();
    expect(parsePrefillHash('#/trade?to=ticket&symbol=BTC%2FUSDT&side=up')).toBeNull();
    expect(parsePrefillHash('#/trade?to=ticket&symbol=BTC%2FUSDT&side=long&mult=-1&sl=1e5')).toMatchObject({ sizeMultiplier: 1, stopLoss: null });
  });

  it('names the signal on the chip, not by its id', () => {
    const p = prefillFromSignal(signal(), 'ticket');
    expect(signalChipLabel(p, 'UTC')).toBe('BTC/USDT SHORT · score 21 · 08-01 00:15');
    expect(signalChipLabel(p, 'Asia/Shanghai')).toBe('BTC/USDT SHORT · score 21 · 08-01 08:15');
    expect(signalChipLabel({ ...p, signal: null }, 'UTC')).toBe('BTC/USDT short');
    expect(signalChipLabel({ ...p, sourceSignalId: null }, 'UTC')).toBeNull();
  });

  it('maps a spot signal symbol to the account market', () => {
    const swap = [
      { symbol: 'BTC/USDT:USDT', base: 'BTC', quote: 'USDT' },
      { symbol: 'ETH/USDT:USDT', base: 'ETH', quote: 'USDT' },
    ];
    expect(resolveSymbol('ETH/USDT', swap)).toBe('ETH/USDT:USDT');
    expect(resolveSymbol('ETH/USDT', [{ symbol: 'ETH/USDT', base: 'ETH', quote: 'USDT' }])).toBe('ETH/USDT');
    expect(resolveSymbol('DOGE/USDT', swap)).toBeNull();
  });
});

describe('applying a prefill', () => {
  const p: TradePrefill = { target: 'ticket', symbol: 'BTC/USDT', side: 'short', sourceSignalId: 'sig', sizeMultiplier: 2, stopLoss: null, triggerPrice: '64000' };

  it('prefills the ticket with the scaled usual size and an empty stop', () => {
    const before = { ...emptyTicket(), stopLoss: '1', entryType: 'limit' as const, entryPrice: '5', takeProfits: [{ price: '1', sharePct: '10' }] };
    const t = applyPrefillToTicket(before, p, { mode: 'quote', value: '150' });
    expect(t).toMatchObject({ side: 'short', sizing: { mode: 'quote', value: '300' }, stopLoss: '', entryType: 'market', entryPrice: '', takeProfits: [], sourceSignalId: 'sig' });
  });

  it('keeps risk sizing only with a stop to size against', () => {
    expect(prefillSizing({ mode: 'risk', value: '1' }, { stopLoss: null, sizeMultiplier: 2 })).toEqual({ mode: 'quote', value: '200' });
    expect(prefillSizing({ mode: 'risk', value: '0.5' }, { stopLoss: '60000', sizeMultiplier: 2 })).toEqual({ mode: 'risk', value: '1' });
    expect(applyPrefillToTicket(emptyTicket(), { ...p, stopLoss: '66000' }, { mode: 'risk', value: '1' }).stopLoss).toBe('66000');
  });

  it('prefills the pending form at the trigger price', () => {
    const f = applyPrefillToPending(emptyPendingForm(), { ...p, target: 'pending', sizeMultiplier: 1 }, { mode: 'base', value: '0.01' });
    expect(f).toMatchObject({ side: 'short', triggerPrice: '64000', sizing: { mode: 'base', value: '0.01' }, sourceSignalId: 'sig' });
  });
});
