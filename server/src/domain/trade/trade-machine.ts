/**
 * The lifecycle of one managed position (a "trade") as a pure state machine:
 * `step(state, event, ctx) → { state, intents }`. The TradingManager executes the intents (place/cancel
 * orders) through an ExchangeAdapter — live, paper or simulated — and feeds fills back as events. Decisions
 * are data, so the same code runs live, on paper and in backtests.
 *
 * Protection: one reduce-only stop-loss covering the whole open amount, and reduce-only take-profit
 * targets, each a share of the position. After a target fills, the stop is re-placed for what remains
 * (optionally moved to breakeven after the first target). A stop fill cancels the targets; a close or an
 * external close cancels everything.
 */
import Decimal from 'decimal.js';
import type { OrderSide, PositionSide } from '@osprey/shared';
import type { OrderRequest } from '../exchange/port.js';
import { clientOrderId, type OrderRole } from './client-order-id.js';
import { splitByShares } from './sizing.js';
import { averageEntry, realizedPnl } from '../trading/pnl.js';
import { roundToStep } from '../trading/precision.js';

/** Market steps the machine needs to split amounts. */
export interface TradeContext {
  amountStep: string;
  priceStep: string;
}

/** A take-profit target: `share` of the position at the time protection was placed. */
export interface TargetLeg {
  price: string;
  share: string;
  /** Amount of the currently placed order (0 when not placed). */
  amount: string;
  clientOrderId: string | null;
  filled: string;
  done: boolean;
}

/** Persisted state of a trade. Decimal strings throughout; times Unix ms. */
export interface TradeState {
  id: string;
  symbol: string;
  side: PositionSide;
  leverage: number;
  status: 'opening' | 'open' | 'closed' | 'cancelled';
  /** Next clientOrderId sequence number. */
  seq: number;
  entry: { clientOrderId: string; type: 'market' | 'limit'; price: string | null; amount: string; filled: string };
  /** Base amount currently held. */
  amount: string;
  /** Average entry price of what is held (null before the first fill). */
  entryPrice: string | null;
  stopLoss: { price: string; clientOrderId: string | null; amount: string } | null;
  targets: TargetLeg[];
  breakevenAfterFirstTarget: boolean;
  /** Orders we asked for and whose fills we expect: clientOrderId → role. */
  working: Record<string, OrderRole>;
  realizedPnl: string;
  fees: string;
  closedAmount: string;
  /** Largest amount ever held (PnL % base). */
  peakAmount: string;
  closeReason: string | null;
  /** Reason given with the close order in flight, if any. */
  pendingCloseReason: string | null;
}

/** What to do next: place an order, or cancel one by clientOrderId. */
export type TradeIntent = { kind: 'place'; role: OrderRole; order: OrderRequest } | { kind: 'cancel'; clientOrderId: string };

/** Events that move a trade. */
export type TradeEvent =
  /** A fill of one of this trade's orders (fee in quote). */
  | { type: 'fill'; clientOrderId: string; price: string; amount: string; fee: string }
  /** Close `amount` (default: all) at market. */
  | { type: 'close'; amount?: string; reason: string }
  /** Add `amount` at market in the trade's direction. */
  | { type: 'add'; amount: string }
  /** Replace the stop-loss (null removes it) and/or the targets. */
  | { type: 'protect'; stopLoss?: string | null; targets?: { price: string; share: string }[] }
  /** The venue shows no position any more (closed outside Osprey); `price` values what was left. */
  | { type: 'positionGone'; price: string }
  /** An order was cancelled or rejected by the venue. */
  | { type: 'orderDead'; clientOrderId: string; reason: string }
  /** Abandon an unfilled entry. */
  | { type: 'cancelEntry' };

/** A new trade's plan. */
export interface OpenPlan {
  id: string;
  symbol: string;
  side: PositionSide;
  amount: string;
  leverage: number;
  entryType: 'market' | 'limit';
  entryPrice?: string | undefined;
  stopLoss?: string | undefined;
  targets?: { price: string; share: string }[] | undefined;
  breakevenAfterFirstTarget?: boolean | undefined;
}

/** Thrown for an event that makes no sense in the current state (e.g. `add` to a closed trade). */
export class TradeStateError extends Error {
  override readonly name = 'TradeStateError';
}

const ZERO = new Decimal(0);
const entrySide = (s: PositionSide): OrderSide => (s === 'long' ? 'buy' : 'sell');
const exitSide = (s: PositionSide): OrderSide => (s === 'long' ? 'sell' : 'buy');

/**
 * Starts a trade: state `opening` and the entry order intent.
 * @throws TradeStateError when a limit entry has no price, or targets/stop are on the wrong side of the entry
 */
export function openTrade(plan: OpenPlan): { state: TradeState; intents: TradeIntent[] } {
  if (plan.entryType === 'limit' && !plan.entryPrice) throw new TradeStateError('entryPrice: a limit entry needs a price');
  const ref = plan.entryPrice;
  if (ref && plan.stopLoss) {
    const wrong = plan.side === 'long' ? new Decimal(plan.stopLoss).gte(ref) : new Decimal(plan.stopLoss).lte(ref);
    if (wrong) throw new TradeStateError(`stopLoss: must be ${plan.side === 'long' ? 'below' : 'above'} the entry price for a ${plan.side}`);
  }
  if (ref) {
    for (const t of plan.targets ?? []) {
      const wrong = plan.side === 'long' ? new Decimal(t.price).lte(ref) : new Decimal(t.price).gte(ref);
      if (wrong) throw new TradeStateError(`takeProfits: target ${t.price} must be ${plan.side === 'long' ? 'above' : 'below'} the entry price`);
    }
  }
  const id = clientOrderId(plan.id, 'entry', 0);
  const state: TradeState = {
    id: plan.id,
    symbol: plan.symbol,
    side: plan.side,
    leverage: plan.leverage,
    status: 'opening',
    seq: 1,
    entry: { clientOrderId: id, type: plan.entryType, price: plan.entryPrice ?? null, amount: plan.amount, filled: '0' },
    amount: '0',
    entryPrice: null,
    stopLoss: plan.stopLoss ? { price: plan.stopLoss, clientOrderId: null, amount: '0' } : null,
    targets: (plan.targets ?? []).map((t) => ({ price: t.price, share: t.share, amount: '0', clientOrderId: null, filled: '0', done: false })),
    breakevenAfterFirstTarget: plan.breakevenAfterFirstTarget ?? false,
    working: { [id]: 'entry' },
    realizedPnl: '0',
    fees: '0',
    closedAmount: '0',
    peakAmount: '0',
    closeReason: null,
    pendingCloseReason: null,
  };
  const order: OrderRequest = { clientOrderId: id, symbol: plan.symbol, side: entrySide(plan.side), type: plan.entryType, amount: plan.amount };
  if (plan.entryType === 'limit') order.price = plan.entryPrice!;
  return { state, intents: [{ kind: 'place', role: 'entry', order }] };
}

/**
 * Applies one event. Never mutates its input.
 * @throws TradeStateError for events invalid in the current state
 */
export function stepTrade(prev: TradeState, ev: TradeEvent, ctx: TradeContext): { state: TradeState; intents: TradeIntent[] } {
  const s: TradeState = structuredClone(prev);
  const intents: TradeIntent[] = [];
  switch (ev.type) {
    case 'fill': {
      const role = s.working[ev.clientOrderId];
      if (!role) return { state: prev, intents: [] }; // not ours, or already accounted
      const amt = new Decimal(ev.amount);
      s.fees = new Decimal(s.fees).plus(ev.fee).toString();
      if (role === 'entry' || role === 'add') {
        const held = new Decimal(s.amount);
        const newAmt = held.plus(amt);
        s.entryPrice = (s.entryPrice ? averageEntry(held, s.entryPrice, amt, ev.price) : new Decimal(ev.price)).toString();
        s.amount = newAmt.toString();
        if (newAmt.gt(s.peakAmount)) s.peakAmount = newAmt.toString();
        if (role === 'entry') {
          s.entry.filled = new Decimal(s.entry.filled).plus(amt).toString();
          if (new Decimal(s.entry.filled).gte(s.entry.amount)) {
            delete s.working[ev.clientOrderId];
            s.status = 'open';
            intents.push(...replaceProtection(s, ctx));
          }
        } else {
          delete s.working[ev.clientOrderId];
          intents.push(...replaceProtection(s, ctx));
        }
        break;
      }
      realize(s, ev.price, amt);
      if (role === 'target') {
        const leg = s.targets.find((t) => t.clientOrderId === ev.clientOrderId)!;
        leg.filled = new Decimal(leg.filled).plus(amt).toString();
        if (new Decimal(leg.filled).gte(leg.amount)) {
          leg.done = true;
          delete s.working[ev.clientOrderId];
          const first = s.targets.filter((t) => t.done).length === 1;
          if (first && s.breakevenAfterFirstTarget && s.stopLoss && s.entryPrice) s.stopLoss.price = s.entryPrice;
        }
        if (new Decimal(s.amount).isZero()) finish(s, 'take_profit', intents);
        else if (leg.done) intents.push(...replaceStop(s, ctx));
      } else if (role === 'stop') {
        if (new Decimal(s.amount).lte(0)) {
          delete s.working[ev.clientOrderId];
          if (s.stopLoss) s.stopLoss.clientOrderId = null; // filled: nothing to cancel
          finish(s, 'stop_loss', intents);
        }
      } else if (role === 'close') {
        delete s.working[ev.clientOrderId];
        const reason = s.pendingCloseReason ?? 'manual';
        s.pendingCloseReason = null;
        if (new Decimal(s.amount).lte(0)) finish(s, reason, intents);
        else intents.push(...replaceProtection(s, ctx));
      }
      break;
    }
    case 'close': {
      if (s.status !== 'open') throw new TradeStateError(`close: trade is ${s.status}`);
      const held = new Decimal(s.amount);
      const amt = ev.amount ? roundToStep(Decimal.min(held, ev.amount), ctx.amountStep, 'down') : held;
      if (amt.lte(0)) throw new TradeStateError('amount: must be at least one amount step');
      const id = nextId(s, 'close');
      s.pendingCloseReason = ev.reason;
      intents.push({ kind: 'place', role: 'close', order: { clientOrderId: id, symbol: s.symbol, side: exitSide(s.side), type: 'market', amount: amt.toString(), reduceOnly: true } });
      break;
    }
    case 'add': {
      if (s.status !== 'open') throw new TradeStateError(`add: trade is ${s.status}`);
      const amt = roundToStep(ev.amount, ctx.amountStep, 'down');
      if (amt.lte(0)) throw new TradeStateError('amount: must be at least one amount step');
      const id = nextId(s, 'add');
      intents.push({ kind: 'place', role: 'add', order: { clientOrderId: id, symbol: s.symbol, side: entrySide(s.side), type: 'market', amount: amt.toString() } });
      break;
    }
    case 'protect': {
      if (s.status === 'closed' || s.status === 'cancelled') throw new TradeStateError(`protect: trade is ${s.status}`);
      const ref = s.entryPrice ?? s.entry.price;
      if (ev.stopLoss !== undefined) s.stopLoss = ev.stopLoss === null ? (cancelStop(s, intents), null) : { price: ev.stopLoss, clientOrderId: s.stopLoss?.clientOrderId ?? null, amount: s.stopLoss?.amount ?? '0' };
      if (ev.targets) {
        if (ref) for (const t of ev.targets) {
          const wrong = s.side === 'long' ? new Decimal(t.price).lte(ref) : new Decimal(t.price).gte(ref);
          if (wrong) throw new TradeStateError(`takeProfits: target ${t.price} must be ${s.side === 'long' ? 'above' : 'below'} the entry price`);
        }
        for (const t of s.targets) if (t.clientOrderId && !t.done) cancel(s, t.clientOrderId, intents);
        s.targets = [...s.targets.filter((t) => t.done), ...ev.targets.map((t) => ({ price: t.price, share: t.share, amount: '0', clientOrderId: null, filled: '0', done: false }))];
      }
      if (s.status === 'open') intents.push(...replaceProtection(s, ctx));
      break;
    }
    case 'positionGone': {
      if (s.status !== 'open') return { state: prev, intents: [] };
      realize(s, ev.price, new Decimal(s.amount));
      finish(s, 'external', intents);
      break;
    }
    case 'orderDead': {
      const role = s.working[ev.clientOrderId];
      if (!role) return { state: prev, intents: [] };
      delete s.working[ev.clientOrderId];
      if (role === 'entry' && new Decimal(s.entry.filled).isZero()) {
        s.status = 'cancelled';
        s.closeReason = ev.reason;
      } else if (role === 'stop' && s.stopLoss) s.stopLoss.clientOrderId = null;
      else if (role === 'target') {
        const leg = s.targets.find((t) => t.clientOrderId === ev.clientOrderId);
        if (leg) leg.clientOrderId = null;
      } else if (role === 'close') s.pendingCloseReason = null;
      break;
    }
    case 'cancelEntry': {
      if (s.status !== 'opening') throw new TradeStateError(`cancelEntry: trade is ${s.status}`);
      cancel(s, s.entry.clientOrderId, intents);
      if (new Decimal(s.entry.filled).isZero()) {
        s.status = 'cancelled';
        s.closeReason = 'entry_cancelled';
      } else {
        // Keep what filled: protect it as an open trade.
        s.status = 'open';
        intents.push(...replaceProtection(s, ctx));
      }
      break;
    }
  }
  return { state: s, intents };
}

/** Realized PnL % of a closed/partly closed trade against the margin used (notional / leverage). */
export function realizedPnlPct(s: TradeState): string {
  if (!s.entryPrice || new Decimal(s.closedAmount).isZero()) return '0';
  const margin = new Decimal(s.entryPrice).mul(s.closedAmount).div(s.leverage);
  return new Decimal(s.realizedPnl).div(margin).mul(100).toDecimalPlaces(4).toString();
}

function realize(s: TradeState, price: string, amt: Decimal): void {
  const gross = realizedPnl(s.side, s.entryPrice ?? price, price, amt);
  s.realizedPnl = new Decimal(s.realizedPnl).plus(gross).toString();
  s.amount = Decimal.max(ZERO, new Decimal(s.amount).minus(amt)).toString();
  s.closedAmount = new Decimal(s.closedAmount).plus(amt).toString();
}

function finish(s: TradeState, reason: string, intents: TradeIntent[]): void {
  cancelStop(s, intents);
  for (const t of s.targets) if (t.clientOrderId && !t.done) cancel(s, t.clientOrderId, intents);
  for (const id of Object.keys(s.working)) if (s.working[id] === 'close' || s.working[id] === 'add') delete s.working[id];
  s.status = 'closed';
  s.closeReason = reason;
  // Fees are part of the result: realized PnL is net.
  s.realizedPnl = new Decimal(s.realizedPnl).minus(s.fees).toString();
}

function nextId(s: TradeState, role: OrderRole): string {
  const id = clientOrderId(s.id, role, s.seq++);
  s.working[id] = role;
  return id;
}

function cancel(s: TradeState, id: string, intents: TradeIntent[]): void {
  delete s.working[id];
  intents.push({ kind: 'cancel', clientOrderId: id });
}

function cancelStop(s: TradeState, intents: TradeIntent[]): void {
  if (s.stopLoss?.clientOrderId) {
    cancel(s, s.stopLoss.clientOrderId, intents);
    s.stopLoss.clientOrderId = null;
  }
}

/** Re-places the stop for the whole held amount. */
function replaceStop(s: TradeState, _ctx: TradeContext): TradeIntent[] {
  const intents: TradeIntent[] = [];
  if (!s.stopLoss) return intents;
  cancelStop(s, intents);
  const amount = new Decimal(s.amount);
  if (amount.lte(0)) return intents;
  const id = nextId(s, 'stop');
  s.stopLoss.clientOrderId = id;
  s.stopLoss.amount = amount.toString();
  intents.push({
    kind: 'place',
    role: 'stop',
    order: { clientOrderId: id, symbol: s.symbol, side: exitSide(s.side), type: 'market', amount: amount.toString(), reduceOnly: true, kind: 'stop_loss', triggerPrice: s.stopLoss.price },
  });
  return intents;
}

/**
 * Cancels and re-places the stop and every unfinished target for the held amount. Unfinished targets share
 * the held amount in proportion to their shares (so they still cover what the original plan covered).
 */
function replaceProtection(s: TradeState, ctx: TradeContext): TradeIntent[] {
  const intents = replaceStop(s, ctx);
  const open = s.targets.filter((t) => !t.done);
  for (const t of open) if (t.clientOrderId) cancel(s, t.clientOrderId, intents);
  if (open.length === 0) return intents;
  const doneShare = s.targets.filter((t) => t.done).reduce((a, t) => a.plus(t.share), ZERO);
  const remainingShare = Decimal.max(new Decimal(1).minus(doneShare), ZERO);
  const shares = open.map((t) => (remainingShare.isZero() ? '0' : Decimal.min(1, new Decimal(t.share).div(remainingShare)).toString()));
  const amounts = shares.some((x) => x === '0') ? open.map(() => ZERO) : splitByShares(s.amount, shares.map((x) => new Decimal(x).toDecimalPlaces(12, Decimal.ROUND_DOWN).toString()), ctx.amountStep);
  open.forEach((t, i) => {
    const amt = amounts[i]!;
    t.clientOrderId = null;
    t.amount = amt.toString();
    t.filled = '0';
    if (amt.lte(0)) return;
    const id = nextId(s, 'target');
    t.clientOrderId = id;
    intents.push({
      kind: 'place',
      role: 'target',
      order: { clientOrderId: id, symbol: s.symbol, side: exitSide(s.side), type: 'limit', price: t.price, amount: amt.toString(), reduceOnly: true, kind: 'take_profit', triggerPrice: t.price },
    });
  });
  return intents;
}
