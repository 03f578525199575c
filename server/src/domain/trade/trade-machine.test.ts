import { describe, expect, it } from 'vitest';
import { armedLevel, openTrade, realizedPnlPct, stepTrade, TradeStateError, upgradeSpotState, type TradeIntent, type TradeState } from './trade-machine.js';
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

describe('trade machine: spot bracket (one exit rests at the venue, the take-profits are held locally)', () => {
  type Step = ReturnType<typeof stepTrade>;
  /** What the venue has resting for the trade: every placed, not cancelled sell (cid → amount). */
  class Venue {
    resting = new Map<string, string>();
    apply(r: Step): Step {
      for (const c of cancels(r.intents)) this.resting.delete(c);
      for (const p of places(r.intents)) if (p.role === 'stop' || (p.role === 'target' && p.order.type === 'limit')) this.resting.set(p.order.clientOrderId, p.order.amount);
      return r;
    }
    total(): number {
      return [...this.resting.values()].reduce((a, x) => a + Number(x), 0);
    }
  }
  const plan = (extra: Partial<Parameters<typeof openTrade>[0]> = {}) =>
    openTrade({ id: 'P1', symbol: 'BTC/USDT', side: 'long', amount: '0.1', leverage: 1, entryType: 'market', market: 'spot', stopLoss: '58000', targets: [{ price: '62000', share: '0.5' }, { price: '64000', share: '0.5' }], ...extra });
  const opened = (extra: Partial<Parameters<typeof openTrade>[0]> = {}, feeBase?: string) => {
    const venue = new Venue();
    const r = venue.apply(stepTrade(plan(extra).state, { type: 'fill', clientOrderId: 'oP1e0', price: '60000', amount: '0.1', fee: '6', ...(feeBase ? { feeBase } : {}) }, ctx));
    return { venue, r };
  };

  it('rests only the stop for everything held; the targets are held locally and the next one is armed', () => {
    const { venue, r } = opened();
    expect(places(r.intents).map((p) => [p.role, p.order.side, p.order.type, p.order.kind, p.order.amount, p.order.triggerPrice])).toEqual([['stop', 'sell', 'market', 'stop_loss', '0.1', '58000']]);
    expect(r.state.targets.map((t) => [t.price, t.amount, t.held, t.clientOrderId])).toEqual([
      ['62000', '0.05', true, null],
      ['64000', '0.05', true, null],
    ]);
    expect(armedLevel(r.state)).toBe('62000');
    expect(venue.total()).toBe(0.1);
    // perpetual trades keep the reduce-only stop and targets at the venue, and ignore prices
    const perp = openTrade({ id: 'Q1', symbol: 'BTC/USDT:USDT', side: 'long', amount: '0.1', leverage: 2, entryType: 'market', stopLoss: '58000', targets: [{ price: '62000', share: '1' }] });
    const p = stepTrade(perp.state, { type: 'fill', clientOrderId: 'oQ1e0', price: '60000', amount: '0.1', fee: '3' }, ctx);
    expect(places(p.intents).map((x) => x.role)).toEqual(['stop', 'target']);
    expect(armedLevel(p.state)).toBeNull();
    expect(stepTrade(p.state, { type: 'price', price: '70000' }, ctx).state).toBe(p.state);
  });

  it('TP touched → the stop is cancelled → once the cancel is confirmed, that share is sold at market → the stop comes back for the rest', () => {
    const { venue, r: opening } = opened({ breakevenAfterFirstTarget: true });
    let s = opening.state;
    const stop = places(opening.intents)[0]!.order.clientOrderId;
    expect(stepTrade(s, { type: 'price', price: '61999.9' }, ctx).state).toBe(s); // not reached: nothing changes

    let r = venue.apply(stepTrade(s, { type: 'price', price: '62000' }, ctx));
    s = r.state;
    expect(r.intents).toEqual([{ kind: 'cancel', clientOrderId: stop }]); // nothing sold before the cancel is confirmed
    expect(s.pendingExit).toMatchObject({ leg: 0, clientOrderId: null });
    expect(armedLevel(s)).toBeNull();
    expect(stepTrade(s, { type: 'price', price: '62500' }, ctx).intents).toEqual([]); // a second touch does nothing

    r = venue.apply(stepTrade(s, { type: 'orderDead', clientOrderId: stop, reason: 'canceled' }, ctx));
    s = r.state;
    const [sell] = places(r.intents);
    expect(sell).toMatchObject({ role: 'target', order: { side: 'sell', type: 'market', amount: '0.05', reduceOnly: true } });
    expect(sell!.order.kind).toBeUndefined();
    expect(venue.total()).toBe(0);

    // the sell fills at 62010 (fee 3.1005): PnL (62010 − 60000) × 0.05 = 100.5; the stop returns at breakeven for 0.05
    r = venue.apply(stepTrade(s, { type: 'fill', clientOrderId: sell!.order.clientOrderId, price: '62010', amount: '0.05', fee: '3.1005' }, ctx));
    s = r.state;
    expect(s).toMatchObject({ status: 'open', amount: '0.05', realizedPnl: '100.5', pendingExit: null });
    expect(places(r.intents).map((p) => [p.role, p.order.amount, p.order.triggerPrice])).toEqual([['stop', '0.05', '60000']]);
    expect(s.targets.map((t) => [t.done, t.held, t.amount])).toEqual([
      [true, false, '0.05'],
      [false, true, '0.05'],
    ]);
    expect(armedLevel(s)).toBe('64000');
    expect(venue.total()).toBe(0.05);

    // the last target: touch → cancel → confirmed → sell → closed as take_profit
    const stop2 = places(r.intents)[0]!.order.clientOrderId;
    r = stepTrade(s, { type: 'price', price: '64100' }, ctx);
    expect(cancels(r.intents)).toEqual([stop2]);
    r = stepTrade(r.state, { type: 'orderDead', clientOrderId: stop2, reason: 'canceled' }, ctx);
    const last = places(r.intents)[0]!;
    expect(last.order).toMatchObject({ type: 'market', amount: '0.05' });
    r = stepTrade(r.state, { type: 'fill', clientOrderId: last.order.clientOrderId, price: '64100', amount: '0.05', fee: '3.205' }, ctx);
    // 100.5 + (64100 − 60000) × 0.05 = 305.5 gross; fees 6 + 3.1005 + 3.205 = 12.3055
    expect(r.state).toMatchObject({ status: 'closed', closeReason: 'take_profit', amount: '0', realizedPnl: '293.1945' });
    expect(r.intents).toEqual([]);
  });

  it('SL fills → the held targets are dropped (nothing to cancel at the venue)', () => {
    const { r } = opened();
    const stop = places(r.intents)[0]!.order.clientOrderId;
    const done = stepTrade(r.state, { type: 'fill', clientOrderId: stop, price: '57990', amount: '0.1', fee: '5.799' }, ctx);
    expect(done.state).toMatchObject({ status: 'closed', closeReason: 'stop_loss', amount: '0' });
    expect(done.intents).toEqual([]);
    expect(done.state.targets.every((t) => !t.held && !t.done)).toBe(true);
    expect(armedLevel(done.state)).toBeNull();
  });

  it('the stop filling before its cancel lands closes the trade: the target is never sold on top', () => {
    const { r } = opened();
    const stop = places(r.intents)[0]!.order.clientOrderId;
    const touched = stepTrade(r.state, { type: 'price', price: '62000' }, ctx);
    const filled = stepTrade(touched.state, { type: 'fill', clientOrderId: stop, price: '57990', amount: '0.1', fee: '5.799' }, ctx);
    expect(filled.state).toMatchObject({ status: 'closed', closeReason: 'stop_loss', pendingExit: null, cancelling: [] });
    expect(places(filled.intents)).toEqual([]);
    // the cancel's late answer changes nothing
    expect(stepTrade(filled.state, { type: 'orderDead', clientOrderId: stop, reason: 'canceled' }, ctx).state).toBe(filled.state);
  });

  it('partial TP legs: three shares, each sold alone in turn; the resting sells never exceed what is held', () => {
    const venue = new Venue();
    let r = venue.apply(
      stepTrade(
        plan({ targets: [{ price: '61000', share: '0.3' }, { price: '62000', share: '0.3' }, { price: '63000', share: '0.4' }] }).state,
        { type: 'fill', clientOrderId: 'oP1e0', price: '60000', amount: '0.1', fee: '6' },
        ctx,
      ),
    );
    expect(r.state.targets.map((t) => t.amount)).toEqual(['0.03', '0.03', '0.04']);
    const sold: string[] = [];
    for (const px of ['61000', '62000', '63000']) {
      expect(armedLevel(r.state)).toBe(px);
      const stop = r.state.stopLoss!.clientOrderId!;
      r = venue.apply(stepTrade(r.state, { type: 'price', price: px }, ctx));
      expect(venue.total()).toBeLessThanOrEqual(Number(r.state.amount));
      r = venue.apply(stepTrade(r.state, { type: 'orderDead', clientOrderId: stop, reason: 'canceled' }, ctx));
      const sell = places(r.intents)[0]!.order;
      sold.push(sell.amount);
      r = venue.apply(stepTrade(r.state, { type: 'fill', clientOrderId: sell.clientOrderId, price: px, amount: sell.amount, fee: '0' }, ctx));
      expect(venue.total()).toBeLessThanOrEqual(Number(r.state.amount));
    }
    expect(sold).toEqual(['0.03', '0.03', '0.04']);
    expect(r.state).toMatchObject({ status: 'closed', closeReason: 'take_profit', amount: '0' });
    expect(venue.total()).toBe(0);
  });

  it('without a stop-loss the targets rest at the venue as limit sells, together at most what is held', () => {
    const { venue, r } = opened({ stopLoss: undefined });
    expect(places(r.intents).map((p) => [p.role, p.order.type, p.order.amount, p.order.price])).toEqual([
      ['target', 'limit', '0.05', '62000'],
      ['target', 'limit', '0.05', '64000'],
    ]);
    expect(r.state.targets.every((t) => !t.held)).toBe(true);
    expect(armedLevel(r.state)).toBeNull();
    expect(venue.total()).toBe(0.1);
  });

  it('a manual close cancels the stop and sells only once the cancel is confirmed; a partial close re-places the stop for the rest', () => {
    const { r } = opened();
    const stop = places(r.intents)[0]!.order.clientOrderId;
    let c = stepTrade(r.state, { type: 'close', amount: '0.04', reason: 'manual' }, ctx);
    expect(c.intents).toEqual([{ kind: 'cancel', clientOrderId: stop }]);
    c = stepTrade(c.state, { type: 'orderDead', clientOrderId: stop, reason: 'canceled' }, ctx);
    const sell = places(c.intents)[0]!;
    expect(sell).toMatchObject({ role: 'close', order: { type: 'market', amount: '0.04' } });
    expect(() => stepTrade(c.state, { type: 'close', reason: 'again' }, ctx)).toThrow(/^close: a sell of this trade is already on its way/);
    c = stepTrade(c.state, { type: 'fill', clientOrderId: sell.order.clientOrderId, price: '60500', amount: '0.04', fee: '2.42' }, ctx);
    expect(c.state).toMatchObject({ status: 'open', amount: '0.06' });
    expect(places(c.intents).map((p) => [p.role, p.order.amount])).toEqual([['stop', '0.06']]);
    expect(c.state.targets.map((t) => t.amount)).toEqual(['0.03', '0.03']);
  });

  it('an add cancels the stop and places it for the new size once the cancel is confirmed', () => {
    const { r } = opened();
    const stop = places(r.intents)[0]!.order.clientOrderId;
    let a = stepTrade(r.state, { type: 'add', amount: '0.02' }, ctx);
    const add = places(a.intents)[0]!.order.clientOrderId;
    a = stepTrade(a.state, { type: 'fill', clientOrderId: add, price: '61000', amount: '0.02', fee: '1.22' }, ctx);
    expect(a.intents).toEqual([{ kind: 'cancel', clientOrderId: stop }]);
    expect(armedLevel(a.state)).toBeNull();
    a = stepTrade(a.state, { type: 'orderDead', clientOrderId: stop, reason: 'canceled' }, ctx);
    expect(places(a.intents).map((p) => [p.role, p.order.amount])).toEqual([['stop', '0.12']]);
    expect(a.state.targets.map((t) => [t.amount, t.held])).toEqual([
      ['0.06', true],
      ['0.06', true],
    ]);
  });

  it('moving only the targets keeps the resting stop; moving the stop re-places it after the cancel', () => {
    const { r } = opened();
    const stop = places(r.intents)[0]!.order.clientOrderId;
    const t = stepTrade(r.state, { type: 'protect', targets: [{ price: '65000', share: '1' }] }, ctx);
    expect(t.intents).toEqual([]);
    expect(t.state.targets.map((x) => [x.price, x.amount, x.held])).toEqual([['65000', '0.1', true]]);
    const m = stepTrade(t.state, { type: 'protect', stopLoss: '59000' }, ctx);
    expect(m.intents).toEqual([{ kind: 'cancel', clientOrderId: stop }]);
    const placed = stepTrade(m.state, { type: 'orderDead', clientOrderId: stop, reason: 'canceled' }, ctx);
    expect(places(placed.intents).map((p) => [p.role, p.order.triggerPrice, p.order.amount])).toEqual([['stop', '59000', '0.1']]);
  });

  it('a base-currency fee leaves less to sell: the stop asks only for what the wallet holds', () => {
    const { r } = opened({}, '0.0001');
    expect(r.state.amount).toBe('0.0999');
    expect(places(r.intents)[0]!.order.amount).toBe('0.099'); // floored to the 0.001 step
  });

  it('a sell the venue refuses brings the stop back; the target stays armed', () => {
    const { r } = opened();
    const stop = places(r.intents)[0]!.order.clientOrderId;
    let x = stepTrade(r.state, { type: 'price', price: '62000' }, ctx);
    x = stepTrade(x.state, { type: 'orderDead', clientOrderId: stop, reason: 'canceled' }, ctx);
    const sell = places(x.intents)[0]!.order.clientOrderId;
    x = stepTrade(x.state, { type: 'orderDead', clientOrderId: sell, reason: 'rejected: INSUFFICIENT_FUNDS' }, ctx);
    expect(places(x.intents).map((p) => [p.role, p.order.amount])).toEqual([['stop', '0.1']]);
    expect(x.state.pendingExit).toBeNull();
    expect(armedLevel(x.state)).toBe('62000');
  });
});

describe('trade machine: spot states saved before spot brackets', () => {
  it('are upgraded on spot symbols; the next event rests only the stop and holds the targets', () => {
    const legacy = openTrade({ id: 'L2', symbol: 'BTC/USDT', side: 'long', amount: '0.1', leverage: 1, entryType: 'market', stopLoss: '58000', targets: [{ price: '62000', share: '1' }] });
    const old = stepTrade(legacy.state, { type: 'fill', clientOrderId: 'oL2e0', price: '60000', amount: '0.1', fee: '6' }, ctx);
    expect(places(old.intents).map((p) => p.role)).toEqual(['stop', 'target']); // the old behaviour: both rest
    const up = upgradeSpotState(old.state);
    expect(up.market).toBe('spot');
    expect(upgradeSpotState({ ...old.state, symbol: 'BTC/USDT:USDT' }).market).toBeUndefined();
    const [stop, target] = places(old.intents).map((p) => p.order.clientOrderId);
    const r = stepTrade(up, { type: 'protect', stopLoss: '58500' }, ctx);
    expect(cancels(r.intents).sort()).toEqual([stop, target].sort());
    let x = stepTrade(r.state, { type: 'orderDead', clientOrderId: stop!, reason: 'canceled' }, ctx);
    expect(places(x.intents)).toEqual([]);
    x = stepTrade(x.state, { type: 'orderDead', clientOrderId: target!, reason: 'canceled' }, ctx);
    expect(places(x.intents).map((p) => [p.role, p.order.amount, p.order.triggerPrice])).toEqual([['stop', '0.1', '58500']]);
    expect(x.state.targets.map((t) => [t.held, t.amount])).toEqual([[true, '0.1']]);
  });
});
