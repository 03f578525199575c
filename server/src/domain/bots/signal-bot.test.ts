import { describe, expect, it } from 'vitest';
import type { MarketSignal } from '@osprey/shared';
import { initialSignalBotState, parseSignalBotConfig, releaseSignalPosition, SignalBotError, stepSignalBot, type SignalInput } from './signal-bot.js';

const T0 = Date.UTC(2024, 3, 1);
const SYM = 'BTC/USDT:USDT';
const SWAP = { type: 'swap' as const, amountStep: '0.001', priceStep: '0.01' };
const signal = (over: Partial<MarketSignal> = {}): MarketSignal => ({
  id: 'sig1',
  exchange: 'binance',
  symbol: SYM,
  type: 'LONG',
  score: 20,
  sizeMultiplier: 1,
  candleTs: T0 - 900_000,
  createdAt: T0,
  expiresAt: T0 + 4 * 3_600_000,
  details: {},
  ...over,
});
const cfg = (over: Record<string, unknown> = {}) => parseSignalBotConfig({ botId: 'sig', symbols: [SYM], minScore: 15, sizing: { mode: 'quote', value: '500' }, stopAtrMult: 1.5, takeProfitAtrMult: 3, ...over });
const input = (over: Partial<SignalInput> = {}): SignalInput => ({ signal: signal(), price: '100', atr: 2, equity: '10000', now: T0 + 60_000, market: SWAP, ...over });
const brief = (r: ReturnType<typeof stepSignalBot>) =>
  r.intents.map((i) => (i.type === 'place' ? `${i.order.clientOrderId} ${i.order.side} ${i.order.amount} ${i.order.kind ?? 'regular'}${i.order.triggerPrice ? ` @${i.order.triggerPrice}` : ''}${i.order.reduceOnly ? ' ro' : ''}` : 'cancel'));

describe('stepSignalBot: taking a signal', () => {
  const table: { name: string; over?: Record<string, unknown>; in?: Partial<SignalInput>; orders: string[] }[] = [
    { name: 'LONG, quote 500 at 100: 5, stop 100 − 1.5×2, TP 100 + 3×2', orders: ['bsigx0e0 buy 5 regular', 'bsigx0s1 sell 5 stop_loss @97 ro', 'bsigx0t2 sell 5 take_profit @106 ro'] },
    { name: 'SHORT mirrors stop and TP', in: { signal: signal({ type: 'SHORT' }) }, orders: ['bsigx0e0 sell 5 regular', 'bsigx0s1 buy 5 stop_loss @103 ro', 'bsigx0t2 buy 5 take_profit @94 ro'] },
    { name: 'sizeMultiplier 2 doubles the amount', in: { signal: signal({ sizeMultiplier: 2 }) }, orders: ['bsigx0e0 buy 10 regular', 'bsigx0s1 sell 10 stop_loss @97 ro', 'bsigx0t2 sell 10 take_profit @106 ro'] },
    { name: 'equityPct 10 % of 10000 at 100: 10', over: { sizing: { mode: 'equityPct', value: '10' } }, orders: ['bsigx0e0 buy 10 regular', 'bsigx0s1 sell 10 stop_loss @97 ro', 'bsigx0t2 sell 10 take_profit @106 ro'] },
    { name: 'risk 1 % of 10000 over a 3 stop distance: 33.333 (floored)', over: { sizing: { mode: 'risk', value: '1' } }, orders: ['bsigx0e0 buy 33.333 regular', 'bsigx0s1 sell 33.333 stop_loss @97 ro', 'bsigx0t2 sell 33.333 take_profit @106 ro'] },
    { name: 'risk with ATR mult 2 and ATR 2.5: stop 95, 100 / 5 = 20', over: { sizing: { mode: 'risk', value: '1' }, stopAtrMult: 2 }, in: { atr: '2.5' }, orders: ['bsigx0e0 buy 20 regular', 'bsigx0s1 sell 20 stop_loss @95 ro', 'bsigx0t2 sell 20 take_profit @107.5 ro'] },
    { name: 'spot LONG: no reduce-only flag', in: { market: { ...SWAP, type: 'spot' } }, orders: ['bsigx0e0 buy 5 regular', 'bsigx0s1 sell 5 stop_loss @97', 'bsigx0t2 sell 5 take_profit @106'] },
    { name: 'score exactly minScore is taken', in: { signal: signal({ score: 15 }) }, orders: ['bsigx0e0 buy 5 regular', 'bsigx0s1 sell 5 stop_loss @97 ro', 'bsigx0t2 sell 5 take_profit @106 ro'] },
  ];
  it.each(table)('$name', ({ over, in: inOver, orders }) => {
    const r = stepSignalBot(initialSignalBotState(), input(inOver), cfg(over));
    expect(brief(r)).toEqual(orders);
    expect(r.decision.taken).toBe(true);
  });
});

describe('stepSignalBot: skipping a signal', () => {
  const table: { name: string; over?: Record<string, unknown>; in: Partial<SignalInput>; reason: string; detail: object }[] = [
    { name: 'other symbol', in: { signal: signal({ symbol: 'ETH/USDT:USDT' }) }, reason: 'otherSymbol', detail: { symbol: 'ETH/USDT:USDT' } },
    { name: 'expired at expiresAt', in: { now: T0 + 4 * 3_600_000 }, reason: 'expired', detail: { expiresAt: T0 + 4 * 3_600_000, now: T0 + 4 * 3_600_000 } },
    { name: 'below minScore', in: { signal: signal({ score: 14 }) }, reason: 'belowMinScore', detail: { score: 14, minScore: 15 } },
    { name: 'SHORT on spot', in: { signal: signal({ type: 'SHORT' }), market: { ...SWAP, type: 'spot' } }, reason: 'spotShort', detail: { symbol: SYM } },
    { name: 'stop at or below 0', in: { atr: 70 }, reason: 'invalidStop', detail: { stop: '-5', price: '100' } },
    { name: 'amount below one step', over: { sizing: { mode: 'quote', value: '0.05' } }, in: {}, reason: 'tooSmall', detail: { amount: '0.0005', amountStep: '0.001' } },
  ];
  it.each(table)('$name', ({ over, in: inOver, reason, detail }) => {
    const s0 = initialSignalBotState();
    const r = stepSignalBot(s0, input(inOver), cfg(over));
    expect(r.intents).toEqual([]);
    expect(r.state).toBe(s0);
    expect(r.decision).toEqual({ taken: false, reason, detail });
  });
});

describe('stepSignalBot: one position per symbol', () => {
  it('skips a second signal until the position is released, then uses the next cycle ids', () => {
    const config = cfg({ symbols: [SYM, 'ETH/USDT:USDT'] });
    const s0 = initialSignalBotState();
    const r1 = stepSignalBot(s0, input(), config);
    expect(s0).toEqual(initialSignalBotState());
    expect(r1.state.positions[SYM]).toMatchObject({ signalId: 'sig1', side: 'long', amount: '5', stopPrice: '97', takeProfitPrice: '106', entryId: 'bsigx0e0' });

    const r2 = stepSignalBot(r1.state, input({ signal: signal({ id: 'sig2' }) }), config);
    expect(r2.decision).toEqual({ taken: false, reason: 'positionOpen', detail: { symbol: SYM, signalId: 'sig1' } });

    const r3 = stepSignalBot(r1.state, input({ signal: signal({ id: 'sig3', symbol: 'ETH/USDT:USDT' }) }), config);
    expect(brief(r3)[0]).toBe('bsigx1e3 buy 5 regular');

    const r4 = stepSignalBot(releaseSignalPosition(r1.state, SYM), input({ signal: signal({ id: 'sig4' }) }), config);
    expect(brief(r4)).toEqual(['bsigx1e3 buy 5 regular', 'bsigx1s4 sell 5 stop_loss @97 ro', 'bsigx1t5 sell 5 take_profit @106 ro']);
  });
});

describe('signal-bot input and config errors', () => {
  it('names the field', () => {
    expect(() => stepSignalBot(initialSignalBotState(), input({ atr: 0 }), cfg())).toThrow(SignalBotError);
    expect(() => stepSignalBot(initialSignalBotState(), input({ atr: 0 }), cfg())).toThrow(/^atr:/);
    expect(() => stepSignalBot(initialSignalBotState(), input({ price: '0' }), cfg())).toThrow(/^price:/);
    expect(() => cfg({ symbols: [] })).toThrow(/^symbols:/);
    expect(() => cfg({ sizing: { mode: 'risk', value: '101' } })).toThrow(/^sizing\.value:/);
  });
});
