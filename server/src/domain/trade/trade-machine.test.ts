import { describe, expect, it } from 'vitest';
import { openTrade, realizedPnlPct, stepTrade, TradeStateError, type TradeIntent, type TradeState } from './trade-machine.js';
import { clientOrderId } from './client-order-id.js';
import { positionAmount, splitByShares, SizingError } from './sizing.js';

const ctx = { amountStep: '0.001', priceStep: '0.1' };
const places = (xs: TradeIntent[]) => xs.filter((x) => x.kind === 'place').map((x) => (x.kind === 'place' ? x : null)!);
const cancels = (xs: TradeIntent[]) => xs.filter((x) => x.kind === 'cancel').map((x) => (x.kind === 'cancel' ? x.clientOrderId : ''));

describe('clientOrderId', () => {
  it('is deterministic, alphanumeric and at most 32 characters', () => {
    const id = clientOrderId('3f2a9c1e-7b4d-4e11-9f00-aa55cc77ee99', 'target', 1295);
    expect(id).toBe(clientOrderId('3f2a9c1e-7b4d-4e11-9f00-aa55cc77ee99', 'target', 1295));
    expect(id).toMatch(/^[A-Za-z0-9]{1,32}$/);
    expect(id).toBe('o3f2a9c1e7b4d4e119f00aa55t' + (1295).toString(36));
    expect(clientOrderId('t1', 'entry', 0)).not.toBe(clientOrderId('t1', 'stop', 0));
    expect(() => clientOrderId('--', 'entry', 0)).toThrow(RangeError);
  });
});

describe('sizing', () => {
  it('sizes by base, quote notional and risk % (floored to the step)', () => {
    const p = { entryPrice: '60000', equity: '10000', amountStep: '0.001' };
    expect(positionAmount({ mode: 'base', value: '0.0129' }, p).toString()).toBe('0.012');
    expect(positionAmount({ mode: 'quote', value: '1000' }, p).toString()).toBe('0.016'); // 0.01666…
    // 1 % of 10 000 = 100 USDT risk over a 1 500 USDT stop distance = 0.0666… BTC
    expect(positionAmount({ mode: 'risk', value: '1' }, { ...p, stopLoss: '58500' }).toString()).toBe('0.066');
  });
  it('names the field on bad sizing input', () => {
    const p = { entryPrice: '60000', equity: '10000', amountStep: '0.001' };
    expect(() => positionAmount({ mode: 'risk', value: '1' }, p)).toThrow(/^stopLoss: /);
    expect(() => positionAmount({ mode: 'risk', value: '1' }, { ...p, stopLoss: '60000' })).toThrow(SizingError);
    expect(() => positionAmount({ mode: 'quote', value: '1' }, p)).toThrow(/^sizing.value: gives less than one amount step/);
    expect(() => positionAmount({ mode: 'base', value: '-1' }, p)).toThrow(/^sizing.value: /);
  });
  it('splits targets by share, the last taking the rounding remainder', () => {
    expect(splitByShares('0.1', ['0.333', '0.333', '0.334'], '0.001').map(String)).toEqual(['0.033', '0.033', '0.034']);
    expect(splitByShares('0.007', ['0.5', '0.5'], '0.001').map(String)).toEqual(['0.003', '0.004']);
    expect(() => splitByShares('1', ['0.7', '0.5'], '0.001')).toThrow(/^takeProfits: shares add up to 1.2/);
  });
});

describe('trade machine: open → add → TP1 → stop to breakeven → close (hand-computed)', () => {
  it('places, re-places and accounts exactly', () => {
    // Long 0.1 BTC at market; stop 58 000; targets 62 000 (50 %) and 64 000 (50 %); breakeven after TP1.
    let r = openTrade({ id: 'T1', symbol: 'BTC/USDT:USDT', side: 'long', amount: '0.1', leverage: 5, entryType: 'market', stopLoss: '58000', targets: [{ price: '62000', share: '0.5' }, { price: '64000', share: '0.5' }], breakevenAfterFirstTarget: true });
    expect(places(r.intents)).toEqual([{ kind: 'place', role: 'entry', order: { clientOrderId: 'oT1e0', symbol: 'BTC/USDT:USDT', side: 'buy', type: 'market', amount: '0.1' } }]);
    let s: TradeState = r.state;

    // Entry fills at 60 000, taker fee 0.05 % → 3 USDT.
    r = stepTrade(s, { type: 'fill', clientOrderId: 'oT1e0', price: '60000', amount: '0.1', fee: '3' }, ctx);
    s = r.state;
    expect(s.status).toBe('open');
    expect(places(r.intents).map((p) => [p.role, p.order.side, p.order.amount, p.order.triggerPrice, p.order.reduceOnly])).toEqual([
      ['stop', 'sell', '0.1', '58000', true],
      ['target', 'sell', '0.05', '62000', true],
      ['target', 'sell', '0.05', '64000', true],
    ]);
    const [stop1, t1a, t2a] = places(r.intents).map((p) => p.order.clientOrderId);

    // Add 0.05 at 61 000 (fee 1.525): entry becomes (6000 + 3050) / 0.15 = 60 333.33…; protection re-placed.
    r = stepTrade(s, { type: 'add', amount: '0.05' }, ctx);
    s = r.state;
    const addId = places(r.intents)[0]!.order.clientOrderId;
    r = stepTrade(s, { type: 'fill', clientOrderId: addId, price: '61000', amount: '0.05', fee: '1.525' }, ctx);
    s = r.state;
    expect(s.amount).toBe('0.15');
    expect(Number(s.entryPrice)).toBeCloseTo(60333.333333, 5);
    expect(cancels(r.intents).sort()).toEqual([stop1, t1a, t2a].sort());
    const placed = places(r.intents);
    expect(placed.map((p) => [p.role, p.order.amount])).toEqual([['stop', '0.15'], ['target', '0.075'], ['target', '0.075']]);
    const [, t1, t2] = placed.map((p) => p.order.clientOrderId);

    // TP1 fills 0.075 at 62 000 (maker 0.02 % → 0.93). PnL (62000 − 60333.33…) × 0.075 = 125.
    r = stepTrade(s, { type: 'fill', clientOrderId: t1!, price: '62000', amount: '0.075', fee: '0.93' }, ctx);
    s = r.state;
    expect(Number(s.realizedPnl)).toBeCloseTo(125, 9);
    expect(s.amount).toBe('0.075');
    const newStop = places(r.intents);
    expect(newStop).toHaveLength(1);
    expect(newStop[0]!.order).toMatchObject({ amount: '0.075', triggerPrice: s.entryPrice, kind: 'stop_loss' }); // breakeven
    expect(cancels(r.intents)).toHaveLength(1);

    // Close the rest at 61 500 (fee 2.30625): PnL (61500 − 60333.33…) × 0.075 = 87.5.
    r = stepTrade(s, { type: 'close', reason: 'manual' }, ctx);
    s = r.state;
    const closeOrder = places(r.intents)[0]!.order;
    expect(closeOrder).toMatchObject({ side: 'sell', type: 'market', amount: '0.075', reduceOnly: true });
    r = stepTrade(s, { type: 'fill', clientOrderId: closeOrder.clientOrderId, price: '61500', amount: '0.075', fee: '2.30625' }, ctx);
    s = r.state;
    expect(s.status).toBe('closed');
    expect(s.closeReason).toBe('manual');
    expect(cancels(r.intents).sort()).toEqual([newStop[0]!.order.clientOrderId, t2!].sort());
    // Net = 125 + 87.5 − fees (3 + 1.525 + 0.93 + 2.30625 = 7.76125) = 204.73875
    expect(Number(s.realizedPnl)).toBeCloseTo(204.73875, 9);
    expect(s.fees).toBe('7.76125');
    // PnL % on margin: 204.73875 / (60333.33… × 0.15 / 5) × 100 = 11.3116…
    expect(Number(realizedPnlPct(s))).toBeCloseTo(11.3116, 3);
  });
});

describe('trade machine: other paths', () => {
  const open = () => {
    const r = openTrade({ id: 'S1', symbol: 'ETH/USDT:USDT', side: 'short', amount: '1', leverage: 2, entryType: 'market', stopLoss: '3100', targets: [{ price: '2800', share: '1' }] });
    return stepTrade(r.state, { type: 'fill', clientOrderId: 'oS1e0', price: '3000', amount: '1', fee: '1.5' }, ctx);
  };

  it('a stop fill closes a short at a loss and cancels the target', () => {
    const { state, intents } = open();
    const [stop, target] = places(intents).map((p) => p.order);
    expect(stop).toMatchObject({ side: 'buy', triggerPrice: '3100' });
    const r = stepTrade(state, { type: 'fill', clientOrderId: stop!.clientOrderId, price: '3101', amount: '1', fee: '1.55' }, ctx);
    expect(r.state.status).toBe('closed');
    expect(r.state.closeReason).toBe('stop_loss');
    expect(r.state.realizedPnl).toBe('-104.05'); // (3000 − 3101) × 1 − 1.5 − 1.55
    expect(cancels(r.intents)).toEqual([target!.clientOrderId]);
  });

  it('an external close realizes at the given price and cancels all protection', () => {
    const { state, intents } = open();
    const r = stepTrade(state, { type: 'positionGone', price: '2900' }, ctx);
    expect(r.state).toMatchObject({ status: 'closed', closeReason: 'external', amount: '0', realizedPnl: '98.5' });
    expect(cancels(r.intents).sort()).toEqual(places(intents).map((p) => p.order.clientOrderId).sort());
  });

  it('ignores duplicate or foreign fills (idempotent)', () => {
    const { state, intents } = open();
    const target = places(intents)[1]!.order.clientOrderId;
    const once = stepTrade(state, { type: 'fill', clientOrderId: target, price: '2800', amount: '1', fee: '0.56' }, ctx);
    expect(once.state.status).toBe('closed');
    const twice = stepTrade(once.state, { type: 'fill', clientOrderId: target, price: '2800', amount: '1', fee: '0.56' }, ctx);
    expect(twice.state).toBe(once.state);
    expect(stepTrade(state, { type: 'fill', clientOrderId: 'nope', price: '1', amount: '1', fee: '0' }, ctx).intents).toEqual([]);
  });

  it('rejects targets and stops on the wrong side, naming the field', () => {
    expect(() => openTrade({ id: 'X', symbol: 'BTC/USDT', side: 'long', amount: '1', leverage: 1, entryType: 'limit', entryPrice: '100', stopLoss: '110' })).toThrow(/^stopLoss: /);
    expect(() => openTrade({ id: 'X', symbol: 'BTC/USDT', side: 'short', amount: '1', leverage: 1, entryType: 'limit', entryPrice: '100', targets: [{ price: '105', share: '1' }] })).toThrow(/^takeProfits: /);
    expect(() => openTrade({ id: 'X', symbol: 'BTC/USDT', side: 'long', amount: '1', leverage: 1, entryType: 'limit' })).toThrow(/^entryPrice: /);
    const { state } = open();
    expect(() => stepTrade({ ...state, status: 'closed' }, { type: 'add', amount: '1' }, ctx)).toThrow(TradeStateError);
  });

  it('a rejected entry cancels the trade; cancelling an unfilled limit entry too', () => {
    const r = openTrade({ id: 'L1', symbol: 'BTC/USDT', side: 'long', amount: '0.01', leverage: 1, entryType: 'limit', entryPrice: '50000' });
    expect(stepTrade(r.state, { type: 'orderDead', clientOrderId: 'oL1e0', reason: 'rejected: insufficient funds' }, ctx).state.status).toBe('cancelled');
    const c = stepTrade(r.state, { type: 'cancelEntry' }, ctx);
    expect(c.state.status).toBe('cancelled');
    expect(cancels(c.intents)).toEqual(['oL1e0']);
  });

  it('moving the stop re-places it for the held amount', () => {
    const { state, intents } = open();
    const oldStop = places(intents)[0]!.order.clientOrderId;
    const r = stepTrade(state, { type: 'protect', stopLoss: '3050' }, ctx);
    expect(cancels(r.intents)).toContain(oldStop);
    expect(places(r.intents).find((p) => p.role === 'stop')!.order).toMatchObject({ triggerPrice: '3050', amount: '1' });
  });
});
