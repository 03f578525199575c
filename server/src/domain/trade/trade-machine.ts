/**
 * The lifecycle of one managed position (a "trade") as a pure state machine:
 * `step(state, event, ctx) → { state, intents }`. The TradingManager executes the intents (place/cancel
 * orders) through an ExchangeAdapter — live, paper or simulated — and feeds fills back as events. Decisions
 * are data, so the same code runs live, on paper and in backtests.
 *
 * Protection on perpetuals: one reduce-only stop-loss covering the whole open amount, and reduce-only
 * take-profit targets, each a share of the position. After a target fills, the stop is re-placed for what
 * remains (optionally moved to breakeven after the first target). A stop fill cancels the targets; a close or
 * an external close cancels everything.
 *
 * Protection on spot (`market: 'spot'`): a spot venue reserves the base amount of every resting sell, so a
 * full-size stop and a full-size take-profit cannot rest together (the second is refused). The resting sells
 * of a spot trade never add up to more than it holds:
 * - with a stop-loss, only the stop rests at the venue (for everything held); the take-profit targets are
 *   *held* by Osprey (`held`, armed locally): the manager feeds `price` events, and when the price reaches the
 *   next target ({@link armedLevel}) the stop is cancelled and — once the venue confirmed the cancel (the
 *   order is reported cancelled, or it filled meanwhile and the trade is closed) — that target's share is
 *   sold at market; then the stop is placed again for what is left (at breakeven when asked) and the next
 *   target is armed. Only one target's sell is under way at a time.
 * - without a stop-loss, the targets rest as limit sells, each for its share (together at most what is held).
 * Every spot sell that follows a cancel waits for the venue to confirm that cancel (`cancelling`), also for a
 * manual close, an add or a change of the levels: a sell the venue filled before the cancel landed is never
 * followed by a second sell of the same coins. Fees paid in the base currency (`feeBase` of a fill, e.g.
 * Binance spot buys) reduce what is held, so the stop never asks for more than the wallet has.
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
  /** Amount of the currently placed order, or on spot of the share held locally (0 when not placed). */
  amount: string;
  clientOrderId: string | null;
  filled: string;
  done: boolean;
  /** Spot with a stop-loss: armed locally by Osprey (no order at the venue until the price reaches it). */
  held?: boolean;
}

/** Spot: a sell waiting for the venue to confirm the cancels before it (a touched held target, or a close). */
export interface SpotExit {
  /** Index of the touched target in `targets`, or null for a close. */
  leg: number | null;
  /** Base amount to sell (capped at what is held when it goes out); null = everything held. */
  amount: string | null;
  /** Close reason of a close (`take_profit` for a target). */
  reason: string;
  /** The market sell once it was sent (its fill or death ends the exit). */
  clientOrderId: string | null;
}

/** Spot: a resting sell whose cancel was sent and is awaited (its amount tells when a fill completed it). */
export interface CancellingOrder {
  clientOrderId: string;
  amount: string;
  filled: string;
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
  /**
   * `spot`: one exit rests at the venue at a time (see the module doc). Absent in states saved before spot
   * brackets existed, which keep the perpetual behaviour.
   */
  market?: 'spot' | 'swap';
  /** Spot: resting sells whose cancel is awaited before the next sell or stop goes out. */
  cancelling?: CancellingOrder[];
  /** Spot: the sell that goes out once `cancelling` is empty. */
  pendingExit?: SpotExit | null;
  /** Spot: the protection is placed again once `cancelling` is empty. */
  rearm?: boolean;
}

/** What to do next: place an order, or cancel one by clientOrderId. */
export type TradeIntent = { kind: 'place'; role: OrderRole; order: OrderRequest } | { kind: 'cancel'; clientOrderId: string };

/** Events that move a trade. */
export type TradeEvent =
  /**
   * A fill of one of this trade's orders (fee in quote). `feeBase`: the part of the fee paid in the base
   * currency (in base; it is included in `fee` too, valued in quote); on spot it reduces what is held.
   */
  | { type: 'fill'; clientOrderId: string; price: string; amount: string; fee: string; feeBase?: string }
  /** Spot: the highest price reached since the last one (a price step's high, or a ticker's last). */
  | { type: 'price'; price: string }
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
  /** `spot` arms the take-profits locally when there is a stop-loss (see the module doc); default `swap`. */
  market?: 'spot' | 'swap' | undefined;
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
  if (plan.market === 'spot') Object.assign(state, { market: 'spot', cancelling: [], pendingExit: null, rearm: false });
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
      // Spot: a fee paid in the base currency leaves less to sell.
      const feeBase = s.market === 'spot' && ev.feeBase ? Decimal.max(ZERO, new Decimal(ev.feeBase)) : ZERO;
      if (role === 'entry' || role === 'add') {
        const held = new Decimal(s.amount);
        const newAmt = held.plus(amt).minus(feeBase);
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
      if (s.market === 'spot') {
        spotExitFill(s, ev.clientOrderId, role, ev.price, amt, feeBase, ctx, intents);
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
      if (s.market === 'spot') {
        if (s.pendingExit?.clientOrderId) throw new TradeStateError('close: a sell of this trade is already on its way; try again once it has filled');
        // A touched target waiting for its cancel is replaced by the close (the target is armed again after a partial close).
        startSpotExit(s, { leg: null, amount: ev.amount ? amt.toString() : null, reason: ev.reason, clientOrderId: null }, ctx, intents);
        break;
      }
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
      if (s.market === 'spot' && s.pendingExit) throw new TradeStateError('protect: a sell of this trade is on its way; try again once it has filled');
      const ref = s.entryPrice ?? s.entry.price;
      if (s.market === 'spot') {
        // What changes is cancelled; the new levels go out once the venue confirmed the cancels (spotProtect).
        const stopCid = s.stopLoss?.clientOrderId;
        if (ev.stopLoss !== undefined && stopCid && s.working[stopCid]) cancelConfirmed(s, stopCid, intents);
        if (ev.targets) for (const t of s.targets) if (t.clientOrderId && !t.done && s.working[t.clientOrderId]) cancelConfirmed(s, t.clientOrderId, intents);
        if (ev.stopLoss !== undefined) s.stopLoss = ev.stopLoss === null ? null : { price: ev.stopLoss, clientOrderId: null, amount: '0' };
      }
      if (ev.stopLoss !== undefined && s.market !== 'spot') s.stopLoss = ev.stopLoss === null ? (cancelStop(s, intents), null) : { price: ev.stopLoss, clientOrderId: s.stopLoss?.clientOrderId ?? null, amount: s.stopLoss?.amount ?? '0' };
      if (ev.targets) {
        if (ref) for (const t of ev.targets) {
          const wrong = s.side === 'long' ? new Decimal(t.price).lte(ref) : new Decimal(t.price).gte(ref);
          if (wrong) throw new TradeStateError(`takeProfits: target ${t.price} must be ${s.side === 'long' ? 'above' : 'below'} the entry price`);
        }
        if (s.market !== 'spot') for (const t of s.targets) if (t.clientOrderId && !t.done) cancel(s, t.clientOrderId, intents);
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
      if (s.market === 'spot' && role !== 'entry' && role !== 'add') {
        spotOrderDead(s, ev.clientOrderId, role, ctx, intents);
        break;
      }
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
    case 'price': {
      const level = armedLevel(s);
      if (level === null || new Decimal(ev.price).lt(level)) return { state: prev, intents: [] };
      const i = nextHeldLeg(s)!;
      startSpotExit(s, { leg: i, amount: s.targets[i]!.amount, reason: 'take_profit', clientOrderId: null }, ctx, intents);
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
  if (s.market === 'spot') {
    s.cancelling = [];
    s.pendingExit = null;
    s.rearm = false;
    for (const t of s.targets) t.held = false;
  }
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
function replaceStop(s: TradeState, ctx: TradeContext): TradeIntent[] {
  if (s.market === 'spot') return spotProtect(s, ctx);
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
  if (s.market === 'spot') return spotProtect(s, ctx);
  const intents = replaceStop(s, ctx);
  const open = s.targets.filter((t) => !t.done);
  for (const t of open) if (t.clientOrderId) cancel(s, t.clientOrderId, intents);
  if (open.length === 0) return intents;
  const amounts = targetAmounts(s, s.amount, ctx);
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

/** Amounts of the unfinished targets out of `held`, in proportion to their shares of what is left of the plan. */
function targetAmounts(s: TradeState, held: Decimal.Value, ctx: TradeContext): Decimal[] {
  const open = s.targets.filter((t) => !t.done);
  const doneShare = s.targets.filter((t) => t.done).reduce((a, t) => a.plus(t.share), ZERO);
  const remainingShare = Decimal.max(new Decimal(1).minus(doneShare), ZERO);
  const shares = open.map((t) => (remainingShare.isZero() ? '0' : Decimal.min(1, new Decimal(t.share).div(remainingShare)).toString()));
  if (shares.some((x) => x === '0')) return open.map(() => ZERO);
  return splitByShares(held, shares.map((x) => new Decimal(x).toDecimalPlaces(12, Decimal.ROUND_DOWN).toString()), ctx.amountStep);
}

// ─── spot brackets ─────────────────────────────────────────────────────────────────────────────────────

/**
 * The price at which a spot trade sells its next locally held take-profit target (reached when a price is
 * ≥ it), or null when nothing is armed: not a spot trade, not open, no stop-loss (the targets then rest at the
 * venue), or a sell or cancel already under way.
 */
export function armedLevel(s: TradeState): string | null {
  if (s.market !== 'spot' || s.status !== 'open' || s.pendingExit || (s.cancelling ?? []).length > 0 || s.rearm) return null;
  const i = nextHeldLeg(s);
  return i === null ? null : s.targets[i]!.price;
}

/**
 * A trade state saved before spot brackets existed, on a spot symbol (ccxt: no `:settle` suffix), upgraded to the
 * spot behaviour: its resting orders stay as they are until the next event re-arranges them (the stop rests, the
 * targets become held). Other states are returned as they are.
 */
export function upgradeSpotState(s: TradeState): TradeState {
  if (s.market !== undefined || s.symbol.includes(':')) return s;
  return { ...s, market: 'spot', cancelling: [], pendingExit: null, rearm: false };
}

/** Index of the held target nearest to the price (the lowest, spot trades being long), or null. */
function nextHeldLeg(s: TradeState): number | null {
  let best: number | null = null;
  s.targets.forEach((t, i) => {
    if (!t.held || t.done || t.clientOrderId || !new Decimal(t.amount).gt(0)) return;
    if (best === null || new Decimal(t.price).lt(s.targets[best]!.price)) best = i;
  });
  return best;
}

/** ClientOrderIds of the spot trade's stop and target orders at the venue whose cancel was not asked yet. */
function restingSells(s: TradeState): string[] {
  const cancelling = new Set((s.cancelling ?? []).map((c) => c.clientOrderId));
  const exit = s.pendingExit?.clientOrderId;
  return Object.keys(s.working).filter((cid) => (s.working[cid] === 'stop' || s.working[cid] === 'target') && !cancelling.has(cid) && cid !== exit);
}

/** Asks for a cancel whose confirmation is awaited: the order stays `working`, its outcome is reported. */
function cancelConfirmed(s: TradeState, cid: string, intents: TradeIntent[]): void {
  s.cancelling ??= [];
  if (s.cancelling.some((c) => c.clientOrderId === cid)) return;
  const leg = s.targets.find((t) => t.clientOrderId === cid);
  const amount = s.stopLoss?.clientOrderId === cid ? s.stopLoss.amount : (leg?.amount ?? '0');
  s.cancelling.push({ clientOrderId: cid, amount, filled: leg?.filled ?? '0' });
  intents.push({ kind: 'cancel', clientOrderId: cid });
}

/** Forgets a resting order that is gone (cancelled, dead or filled): no order behind the stop or its target. */
function forgetOrder(s: TradeState, cid: string): void {
  delete s.working[cid];
  if (s.cancelling) s.cancelling = s.cancelling.filter((c) => c.clientOrderId !== cid);
  if (s.stopLoss?.clientOrderId === cid) s.stopLoss.clientOrderId = null;
}

/**
 * Spot protection for what is held: with a stop-loss, the stop rests for everything and the targets are held
 * locally; without one, the targets rest as limit sells (sized by share, together ≤ held). While sells rest or
 * cancels are awaited, they are cancelled first and the protection is placed once the venue confirmed
 * (`rearm`). Nothing while a sell is under way (the protection follows it).
 */
function spotProtect(s: TradeState, ctx: TradeContext): TradeIntent[] {
  const intents: TradeIntent[] = [];
  if (s.status !== 'open' || s.pendingExit) return intents;
  const held = roundToStep(s.amount, ctx.amountStep, 'down');
  // A resting stop for exactly what is held stays; every other resting sell is cancelled first.
  const stopCid = s.stopLoss?.clientOrderId ?? null;
  const keepStop = stopCid !== null && held.gt(0) && restingSells(s).includes(stopCid) && new Decimal(s.stopLoss!.amount).eq(held);
  for (const cid of restingSells(s)) if (!(keepStop && cid === stopCid)) cancelConfirmed(s, cid, intents);
  if ((s.cancelling ?? []).length > 0) {
    s.rearm = true;
    return intents;
  }
  s.rearm = false;
  const open = s.targets.filter((t) => !t.done);
  const amounts = spotTargetAmounts(s, held, ctx);
  if (s.stopLoss && !keepStop) {
    s.stopLoss.clientOrderId = null;
    if (held.gt(0)) {
      const id = nextId(s, 'stop');
      s.stopLoss.clientOrderId = id;
      s.stopLoss.amount = held.toString();
      intents.push({
        kind: 'place',
        role: 'stop',
        order: { clientOrderId: id, symbol: s.symbol, side: exitSide(s.side), type: 'market', amount: held.toString(), reduceOnly: true, kind: 'stop_loss', triggerPrice: s.stopLoss.price },
      });
    }
  }
  open.forEach((t, i) => {
    const amt = amounts[i]!;
    t.clientOrderId = null;
    t.amount = amt.toString();
    t.filled = '0';
    t.held = !!s.stopLoss && amt.gt(0);
    if (s.stopLoss || amt.lte(0)) return;
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

/**
 * Amounts of a spot trade's unfinished targets out of `held`: `held × share / share left of the plan`, floored
 * to the step (multiplied before dividing, so 0.07 × 0.3 / 0.7 is 0.03 exactly); when they cover the rest of the
 * plan the last takes the rounding remainder. Never more than `held` together.
 */
function spotTargetAmounts(s: TradeState, held: Decimal, ctx: TradeContext): Decimal[] {
  const open = s.targets.filter((t) => !t.done);
  const left = new Decimal(1).minus(s.targets.filter((t) => t.done).reduce((a, t) => a.plus(t.share), ZERO));
  if (held.lte(0) || left.lte(0) || open.length === 0) return open.map(() => ZERO);
  const out = open.map((t) => roundToStep(Decimal.min(held, held.mul(t.share).div(left)), ctx.amountStep, 'down'));
  const covered = open.reduce((a, t) => a.plus(t.share), ZERO);
  const others = out.slice(0, -1).reduce((a, x) => a.plus(x), ZERO);
  if (covered.gte(left) || others.plus(out.at(-1)!).gt(held)) out[out.length - 1] = Decimal.max(ZERO, held.minus(others));
  return out;
}

/** Starts a spot sell: every resting sell is cancelled first; the sell goes out once the cancels are confirmed. */
function startSpotExit(s: TradeState, exit: SpotExit, ctx: TradeContext, intents: TradeIntent[]): void {
  s.pendingExit = exit;
  s.rearm = false;
  for (const cid of restingSells(s)) cancelConfirmed(s, cid, intents);
  spotContinue(s, ctx, intents);
}

/** Once no cancel is awaited: sends the pending sell, or places the protection again when asked. */
function spotContinue(s: TradeState, ctx: TradeContext, intents: TradeIntent[]): void {
  if (s.status !== 'open' || (s.cancelling ?? []).length > 0) return;
  const exit = s.pendingExit;
  if (exit) {
    if (exit.clientOrderId) return;
    const held = roundToStep(s.amount, ctx.amountStep, 'down');
    const amt = exit.amount === null ? held : Decimal.min(held, roundToStep(exit.amount, ctx.amountStep, 'down'));
    if (amt.lte(0)) {
      s.pendingExit = null;
      intents.push(...spotProtect(s, ctx));
      return;
    }
    let id: string;
    if (exit.leg !== null && s.targets[exit.leg]) {
      const leg = s.targets[exit.leg]!;
      id = nextId(s, 'target');
      leg.clientOrderId = id;
      leg.amount = amt.toString();
      leg.filled = '0';
      leg.held = false;
    } else {
      id = nextId(s, 'close');
      s.pendingCloseReason = exit.reason;
    }
    exit.clientOrderId = id;
    intents.push({ kind: 'place', role: exit.leg !== null ? 'target' : 'close', order: { clientOrderId: id, symbol: s.symbol, side: exitSide(s.side), type: 'market', amount: amt.toString(), reduceOnly: true } });
    return;
  }
  // The stop must cover exactly what is held (none yet, or sized for more than is left after a sell).
  const stopOff = s.stopLoss && (!s.stopLoss.clientOrderId || !new Decimal(s.stopLoss.amount).eq(roundToStep(s.amount, ctx.amountStep, 'down')));
  if (s.rearm || stopOff) intents.push(...spotProtect(s, ctx));
}

/** A fill of a spot trade's stop, target or close (see the module doc). */
function spotExitFill(s: TradeState, cid: string, role: OrderRole, price: string, amt: Decimal, feeBase: Decimal, ctx: TradeContext, intents: TradeIntent[]): void {
  realize(s, price, amt);
  if (feeBase.gt(0)) s.amount = Decimal.max(ZERO, new Decimal(s.amount).minus(feeBase)).toString();
  const reason = role === 'stop' ? 'stop_loss' : role === 'target' ? 'take_profit' : (s.pendingCloseReason ?? 'manual');
  const c = (s.cancelling ?? []).find((x) => x.clientOrderId === cid);
  if (c) {
    c.filled = new Decimal(c.filled).plus(amt).toString();
    if (new Decimal(c.filled).gte(c.amount)) forgetOrder(s, cid); // filled before the cancel landed: done
  }
  let exitDone = false;
  if (role === 'target') {
    const leg = s.targets.find((t) => t.clientOrderId === cid);
    if (leg) {
      leg.filled = new Decimal(leg.filled).plus(amt).toString();
      if (new Decimal(leg.filled).gte(leg.amount)) {
        leg.done = true;
        leg.held = false;
        forgetOrder(s, cid);
        exitDone = true;
        const first = s.targets.filter((t) => t.done).length === 1;
        if (first && s.breakevenAfterFirstTarget && s.stopLoss && s.entryPrice) s.stopLoss.price = s.entryPrice;
      }
    }
  } else if (role === 'close') {
    forgetOrder(s, cid);
    s.pendingCloseReason = null;
    exitDone = true;
  } else if (role === 'stop' && new Decimal(s.amount).lte(0)) forgetOrder(s, cid);
  if (exitDone && s.pendingExit?.clientOrderId === cid) s.pendingExit = null;
  if (roundToStep(s.amount, ctx.amountStep, 'down').lte(0)) {
    if (role === 'stop' && s.stopLoss?.clientOrderId === cid) s.stopLoss.clientOrderId = null;
    finish(s, reason, intents);
    return;
  }
  spotContinue(s, ctx, intents);
}

/**
 * A spot trade's stop, target or close is gone without (full) fill. A cancel we awaited is confirmed: the next
 * step goes out. Otherwise the venue killed it: a dead sell of an exit arms the protection again (the target
 * stays held); a dead stop leaves the trade without one until protected again (the manager says so).
 */
function spotOrderDead(s: TradeState, cid: string, role: OrderRole, ctx: TradeContext, intents: TradeIntent[]): void {
  const awaited = (s.cancelling ?? []).some((c) => c.clientOrderId === cid);
  const leg = s.targets.find((t) => t.clientOrderId === cid);
  forgetOrder(s, cid);
  if (leg) leg.clientOrderId = null;
  if (awaited) {
    spotContinue(s, ctx, intents);
    return;
  }
  if (s.pendingExit?.clientOrderId === cid) {
    s.pendingExit = null;
    if (role === 'close') s.pendingCloseReason = null;
    if (leg) leg.held = !!s.stopLoss && new Decimal(leg.amount).gt(0);
    intents.push(...spotProtect(s, ctx));
    return;
  }
  if (role === 'close') s.pendingCloseReason = null;
}
