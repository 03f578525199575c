/**
 * The DCA spread bot over two markets A and B, as a {@link Strategy} (pure state machine).
 *
 * Spread = (A's % change since the cycle start) − (B's % change since the cycle start), in percentage
 * points, see {@link spreadPct}. The bot ticks once both symbols have a closed candle with the same open time
 * (a candle waits in the state for its partner; an older unmatched one is dropped when a newer candle of the
 * other symbol arrives). Each tick emits a `spread` series point (stamped `ctx.now`).
 * - A cycle starts at the first tick (and again right after every close, from the last tick's closes).
 * - Open when |spread| ≥ `entryPct`: the market that rose more (relatively) is the leader, the other the
 *   laggard. On perpetuals (`marketType: 'swap'`) buy the laggard and sell (short) the leader, `orderQuote`
 *   of notional each; on spot only buy the laggard. `openSpread` = |spread| at the decision.
 * - DCA: the k-th add (k = 1..`maxAdds`) happens when the spread, measured in the opening direction, reaches
 *   `openSpread + k × stepPct`; its notional per leg is `orderQuote × sizeMultiplier^k`. At most one add per
 *   tick (a jump over several thresholds adds once; the next tick adds again if still beyond). An add counts
 *   once placed: a refused add (orderDead) is not retried at the same threshold (a note says so).
 * - Exits, checked in this order on every tick while open: stop loss when cycle PnL % ≤ −`stopLossPct`;
 *   take profit when cycle PnL % ≥ `takeProfitPct`; the spread reverted (note `spread.reverted`, saying whether
 *   the cycle closes in profit or at a loss: a revert is not a take profit) when the directional spread is
 *   ≤ `openSpread − takeProfitRevertPct`. Cycle PnL % = {@link spreadCyclePnl}: Σ legs' mark-to-market PnL at
 *   the tick's closes, net of the entry fees paid, / Σ legs' cost × 100 (exit fees are not estimated).
 *   Exits close every leg at market (reduce-only on perpetuals, role `exit`).
 * - Orders are market orders (role `entry` for opens, `add` for DCA adds); amounts are `notional / close` floored to the
 *   market's amount step (one step up when only the floor breaks a market minimum: `amountOnStep`), and a leg that floors to 0 is skipped (no open at all when the laggard's does).
 *
 * Fills: legs account the REAL fills — amount, cost (Σ amount × price), fees valued in quote (a fee in the
 * base currency is valued at the fill price and reduces the held amount, as in grid.ts; any other fee
 * currency is taken as quote). While any order of the cycle is unfilled the bot decides nothing new on
 * ticks (it waits for the fills or the order's death). When the closing fills are all in, one
 * {@link RoundTrip} per leg is emitted, all with the cycle's `unit` (`C<cycle>`): metrics and risk rules count
 * the cycle as one round trip with the legs' summed pnl, and the bot's round-trip count grows by one; amount = Σ exit fills, prices volume-weighted (12 decimals),
 * `pnl = ±(exit value − cost × exit amount / entry amount) − entry fees − exit fees`; on spot a base dust
 * below the amount step is left unsold and out of the PnL.
 *
 * Failures (orderDead):
 * - an opening order that dies before filling completely: once the open's orders are all done, whatever
 *   did fill is closed at market (close reason `openFailed`, round trips as usual); if nothing filled the
 *   cycle is abandoned (same start prices, so the next tick may try again; a note is emitted once per run
 *   of consecutive failed opens);
 * - a dead add keeps what filled (legs may then be unequal);
 * - a dead close leaves the rest of the leg held: the close is re-placed on the next tick.
 *
 * Held lots: one per leg with a closable amount, key `C<cycle><a|b>` (e.g. `C3a`). A `forceExit` naming
 * either leg closes the whole cycle (both legs: a spread position is only meaningful as a pair); while
 * orders are in flight the exit is remembered and done once they are.
 */
import Decimal from 'decimal.js';
import { spreadParamsSchema, type OrderSide, type SeriesPoint, type SpreadParams } from '@osprey/shared';
import type { Fill, MarketInfo, OrderRequest } from '../exchange/port.js';
import { Dec, roundToStep, str, amountOnStep } from '../trading/precision.js';
import { botOrderId, type HeldLot, type Intent, type RoundTrip, type StepResult, type Strategy, type StrategyContext, type StrategyEvent, type StrategyNote } from './strategy.js';

/** Thrown by {@link parseSpreadParams} and {@link createSpreadStrategy}; `field` is the dotted path of the offending field. */
export class SpreadConfigError extends Error {
  override readonly name = 'SpreadConfigError';
  /** @param field dotted field path @param reason what is wrong */
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/**
 * Validates spread parameters against the shared `spreadParamsSchema` and applies defaults.
 * @throws SpreadConfigError naming the first offending field
 */
export function parseSpreadParams(input: unknown): SpreadParams {
  const r = spreadParamsSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new SpreadConfigError(issue.path.join('.') || 'params', issue.message);
  }
  return r.data;
}

/**
 * Spread in percentage points: `(a / startA − 1) × 100 − (b / startB − 1) × 100`.
 * E.g. (100, 100, 106, 101) → 5. Positive: A outperformed B.
 * @throws RangeError naming `startA`/`startB` when a start price is not > 0
 */
export function spreadPct(startA: Decimal.Value, startB: Decimal.Value, a: Decimal.Value, b: Decimal.Value): Decimal {
  const sa = new Dec(startA);
  const sb = new Dec(startB);
  if (!sa.gt(0)) throw new RangeError('startA: must be > 0');
  if (!sb.gt(0)) throw new RangeError('startB: must be > 0');
  return new Dec(a).div(sa).minus(new Dec(b).div(sb)).mul(100);
}

/** Market A or B of the bot. */
export type SpreadMarket = 'a' | 'b';

/** One leg of a cycle, accounted from its real fills (plain JSON; decimals as strings, quote unless said). */
export interface SpreadLeg {
  market: SpreadMarket;
  symbol: string;
  side: 'long' | 'short';
  /** The market's amount step (base), to tell a closable amount from dust. */
  amountStep: string;
  /** Base amount held now: entry fills net of base-currency fees, minus exit fills. */
  amount: string;
  /** Σ entry fill amounts (base, gross). */
  entryAmount: string;
  /** Σ entry fill amount × price. */
  cost: string;
  /** Σ entry fees valued in quote (a base fee at its fill price). */
  entryFee: string;
  /** The part of `entryFee` not paid in base (base fees already reduced `amount`). */
  entryFeeQuote: string;
  /** Σ exit fill amounts (base). */
  exitAmount: string;
  /** Σ exit fill amount × price. */
  exitValue: string;
  /** Σ exit fees valued in quote. */
  exitFee: string;
  firstEntryId: string | null;
  lastExitId: string | null;
  /** First entry / last exit fill time, Unix ms. */
  openedAt: number | null;
  closedAt: number | null;
}

/** An order of the current cycle not yet complete (neither fully filled nor dead). */
export interface SpreadOrder {
  clientOrderId: string;
  market: SpreadMarket;
  purpose: 'open' | 'add' | 'close';
  /** Requested and filled base amounts. */
  amount: string;
  filled: string;
}

/** Why a cycle is closed. */
export type SpreadCloseReason = 'stopLoss' | 'takeProfit' | 'takeProfitRevert' | 'forceExit' | 'openFailed';

/** The open cycle. */
export interface SpreadCycle {
  /** +1: A led (long B / short A), −1: B led (long A / short B). */
  dir: 1 | -1;
  /** |spread| at the open decision (points). */
  openSpread: string;
  /** DCA adds placed. */
  adds: number;
  /** Time of the open decision, Unix ms. */
  openedAt: number;
  /** `opening` until the opening orders are done, `open`, `closing` once the exit was decided. */
  phase: 'opening' | 'open' | 'closing';
  legs: SpreadLeg[];
  /** An opening order died before filling completely. */
  failed: boolean;
  /** What the first such order reported (id, symbol, filled of amount, reason). */
  failedWhy?: string;
  /** A `forceExit` (its rule) arrived while orders were in flight: close once they are done. */
  exitRule: string | null;
  closeReason: SpreadCloseReason | null;
}

/** State of a spread bot (plain JSON). */
export interface SpreadState {
  /** Cycle number (order ids and lot keys derive from it); grows after each close. */
  cycle: number;
  /** Next order sequence number. */
  seq: number;
  /** Start prices of the current cycle (null before the first tick). */
  startA: string | null;
  startB: string | null;
  /** Closes of the last tick. */
  lastA: string | null;
  lastB: string | null;
  /** A closed candle waiting for the other symbol's candle of the same open time. */
  pending: Record<SpreadMarket, { ts: number; close: string } | null>;
  open: SpreadCycle | null;
  /** Orders of the cycle in flight. */
  orders: SpreadOrder[];
  /** The last open attempt was abandoned with nothing filled (its note was emitted). */
  openFailing: boolean;
  /** Σ net PnL of the round trips closed (quote). */
  realizedPnl: string;
  roundTrips: number;
}

/**
 * Cycle PnL at prices (a, b), net of the entry fees paid: Σ (long: amount × price − cost; short: cost −
 * amount × price) − Σ entryFeeQuote (fees in base already reduced `amount`), and its percentage of Σ cost
 * (0 when nothing was bought).
 */
export function spreadCyclePnl(legs: readonly SpreadLeg[], a: Decimal.Value, b: Decimal.Value): { pnl: Decimal; pnlPct: Decimal } {
  let pnl = new Dec(0);
  let cost = new Dec(0);
  for (const l of legs) {
    const value = new Dec(l.amount).mul(l.market === 'a' ? a : b);
    pnl = pnl.plus(l.side === 'long' ? value.minus(l.cost) : new Dec(l.cost).minus(value)).minus(l.entryFeeQuote);
    cost = cost.plus(l.cost);
  }
  return { pnl, pnlPct: cost.isZero() ? new Dec(0) : pnl.div(cost).mul(100) };
}

/** Rounds a derived (possibly non-terminating) decimal to 12 places for the wire. */
const q12 = (d: Decimal) => str(d.toDecimalPlaces(12, Decimal.ROUND_HALF_UP));
/** Spread points as shown in messages (4 decimals; details keep the exact value). */
const pts = (d: Decimal.Value) => str(new Dec(d).toDecimalPlaces(4, Decimal.ROUND_HALF_UP));

/** The closable (step-floored) amount of a leg. */
const closable = (l: SpreadLeg) => roundToStep(l.amount, l.amountStep, 'down');

/** Lot key of a leg: `C<cycle><a|b>`. */
const legKey = (cycle: number, m: SpreadMarket) => `C${cycle}${m}`;
/** Position unit of a cycle (both legs): `C<cycle>`. */
const cycleUnit = (cycle: number) => `C${cycle}`;

/** Round trip of a closed leg (see the module doc for the formula). */
function legRoundTrip(l: SpreadLeg, unit: string): RoundTrip {
  const entryAmount = new Dec(l.entryAmount);
  const exitAmount = new Dec(l.exitAmount);
  const costPart = new Dec(l.cost).mul(exitAmount).div(entryAmount);
  const gross = new Dec(l.exitValue).minus(costPart).mul(l.side === 'long' ? 1 : -1);
  return {
    symbol: l.symbol,
    side: l.side,
    entryClientOrderId: l.firstEntryId!,
    exitClientOrderId: l.lastExitId!,
    amount: l.exitAmount,
    entryPrice: q12(new Dec(l.cost).div(entryAmount)),
    exitPrice: q12(new Dec(l.exitValue).div(exitAmount)),
    entryFee: l.entryFee,
    exitFee: l.exitFee,
    pnl: q12(gross.minus(l.entryFee).minus(l.exitFee)),
    openedAt: l.openedAt!,
    closedAt: l.closedAt!,
    unit,
  };
}

/**
 * Creates the DCA spread strategy of a bot (see the module doc).
 * @param botId bot id (order ids derive from it, see {@link botOrderId})
 * @param params spread parameters (validated again with the shared schema)
 * @param marketType `swap`: long laggard + short leader; `spot`: buy the laggard only
 * @throws SpreadConfigError naming the offending parameter; from `step`, naming `symbolA`/`symbolB` when
 *   `ctx.markets` lacks the market
 */
export function createSpreadStrategy(botId: string, params: SpreadParams, marketType: 'spot' | 'swap'): Strategy<SpreadState> {
  const cfg = parseSpreadParams(params);
  if (marketType !== 'spot' && marketType !== 'swap') throw new SpreadConfigError('marketType', 'must be spot or swap');
  const swap = marketType === 'swap';
  const symbolOf = (m: SpreadMarket) => (m === 'a' ? cfg.symbolA : cfg.symbolB);

  /** Everything one step works on. */
  interface Io {
    s: SpreadState;
    ctx: StrategyContext;
    mk: Record<SpreadMarket, MarketInfo>;
    out: Intent[];
    closed: RoundTrip[];
    points: SeriesPoint[];
    notes: StrategyNote[];
  }

  const note = (io: Io, code: string, message: string, detail: Record<string, number | string>) => io.notes.push({ kind: 'info', code, message, detail });

  const place = (io: Io, market: SpreadMarket, side: OrderSide, amount: Decimal, purpose: SpreadOrder['purpose']) => {
    const { s } = io;
    const legCode = `${purpose === 'open' ? 'o' : purpose === 'add' ? 'a' : 'c'}${market}`;
    const order: OrderRequest = { clientOrderId: botOrderId(botId, s.cycle, legCode, s.seq++), symbol: symbolOf(market), side, type: 'market', amount: str(amount) };
    if (purpose === 'close' && swap) order.reduceOnly = true;
    io.out.push({ type: 'place', order, role: purpose === 'close' ? 'exit' : purpose === 'add' ? 'add' : 'entry', unit: cycleUnit(s.cycle) });
    s.orders.push({ clientOrderId: order.clientOrderId, market, purpose, amount: order.amount, filled: '0' });
  };

  const newLeg = (io: Io, market: SpreadMarket, side: 'long' | 'short'): SpreadLeg => ({
    market,
    symbol: symbolOf(market),
    side,
    amountStep: io.mk[market].amountStep,
    amount: '0',
    entryAmount: '0',
    cost: '0',
    entryFee: '0',
    entryFeeQuote: '0',
    exitAmount: '0',
    exitValue: '0',
    exitFee: '0',
    firstEntryId: null,
    lastExitId: null,
    openedAt: null,
    closedAt: null,
  });

  const amountFor = (io: Io, market: SpreadMarket, notional: Decimal, price: Decimal) => amountOnStep(notional.div(price), price, io.mk[market]);

  const finalize = (io: Io) => {
    const { s } = io;
    const c = s.open!;
    let total = new Dec(0);
    let legs = 0;
    for (const l of c.legs) {
      if (new Dec(l.exitAmount).lte(0)) continue;
      const rt = legRoundTrip(l, cycleUnit(s.cycle));
      io.closed.push(rt);
      total = total.plus(rt.pnl);
      legs++;
    }
    // The cycle is the round trip (both legs with their adds); its legs stay visible as unit members.
    if (legs > 0) s.roundTrips++;
    s.realizedPnl = str(new Dec(s.realizedPnl).plus(total));
    s.cycle++;
    s.open = null;
    s.startA = s.lastA;
    s.startB = s.lastB;
  };

  /** Places the closing orders of every leg with a closable amount; finalizes when there is none. */
  const placeCloses = (io: Io) => {
    for (const l of io.s.open!.legs) {
      const amt = closable(l);
      if (amt.gt(0)) place(io, l.market, l.side === 'long' ? 'sell' : 'buy', amt, 'close');
    }
    if (io.s.orders.length === 0) finalize(io);
  };

  const close = (io: Io, reason: SpreadCloseReason, message: string, detail: Record<string, number | string>) => {
    const c = io.s.open!;
    c.phase = 'closing';
    c.closeReason = reason;
    note(io, reason === 'takeProfitRevert' ? 'spread.reverted' : `spread.${reason}`, message, { cycle: io.s.cycle, ...detail });
    placeCloses(io);
  };

  /** Event-driven decisions once the cycle's orders are all done. */
  const settle = (io: Io) => {
    const { s } = io;
    const c = s.open;
    if (!c || s.orders.length > 0) return;
    if (c.phase === 'opening') {
      if (c.failed) {
        if (c.legs.some((l) => closable(l).gt(0))) {
          close(io, 'openFailed', `Cycle ${s.cycle}: an opening order did not fill completely${c.failedWhy ? ` (${c.failedWhy})` : ''}; closing what filled`, {});
          return;
        }
        if (!s.openFailing) note(io, 'spread.openFailed', `Cycle ${s.cycle}: the opening orders did not fill; the cycle was abandoned (retried while the spread stays ≥ ${cfg.entryPct} points)`, { cycle: s.cycle, entryPct: cfg.entryPct });
        s.openFailing = true;
        s.open = null;
        return;
      }
      c.phase = 'open';
      s.openFailing = false;
      const detail: Record<string, number | string> = { cycle: s.cycle, openSpread: c.openSpread };
      for (const l of c.legs) {
        detail[`${l.market}Amount`] = l.amount;
        detail[`${l.market}Price`] = q12(new Dec(l.cost).div(l.entryAmount));
      }
      const legs = c.legs.map((l) => `${l.side} ${l.amount} ${l.symbol} @ ${detail[`${l.market}Price`]}`).join(', ');
      note(io, 'spread.opened', `Cycle ${s.cycle} opened at a spread of ${pts(c.openSpread)} points: ${legs}`, detail);
    }
    if (c.phase === 'open' && c.exitRule !== null) {
      close(io, 'forceExit', `Cycle ${s.cycle}: closing both legs (forced exit, rule ${c.exitRule})`, { rule: c.exitRule });
      return;
    }
    if (c.phase === 'closing' && c.legs.every((l) => closable(l).isZero())) finalize(io);
  };

  const tick = (io: Io, a: Decimal, b: Decimal) => {
    const { s } = io;
    s.lastA = str(a);
    s.lastB = str(b);
    if (s.startA === null || s.startB === null) {
      s.startA = str(a);
      s.startB = str(b);
    }
    const spread = spreadPct(s.startA, s.startB, a, b);
    io.points.push({ series: 'spread', ts: io.ctx.now, value: spread.toNumber() });
    if (s.orders.length > 0) return;
    const c = s.open;
    const priceOf = (m: SpreadMarket) => (m === 'a' ? a : b);

    if (c === null) {
      if (spread.abs().lt(cfg.entryPct)) return;
      const dir: 1 | -1 = spread.gt(0) ? 1 : -1;
      const laggard: SpreadMarket = dir === 1 ? 'b' : 'a';
      const leader: SpreadMarket = dir === 1 ? 'a' : 'b';
      const notional = new Dec(cfg.orderQuote);
      const lagAmount = amountFor(io, laggard, notional, priceOf(laggard));
      if (lagAmount.lte(0)) return;
      const cycle: SpreadCycle = { dir, openSpread: str(spread.abs()), adds: 0, openedAt: io.ctx.now, phase: 'opening', legs: [newLeg(io, laggard, 'long')], failed: false, exitRule: null, closeReason: null };
      s.open = cycle;
      place(io, laggard, 'buy', lagAmount, 'open');
      if (swap) {
        const leadAmount = amountFor(io, leader, notional, priceOf(leader));
        if (leadAmount.gt(0)) {
          cycle.legs.push(newLeg(io, leader, 'short'));
          place(io, leader, 'sell', leadAmount, 'open');
        }
      }
      return;
    }

    if (c.phase === 'closing') {
      placeCloses(io);
      return;
    }
    const { pnl, pnlPct } = spreadCyclePnl(c.legs, a, b);
    const directional = spread.mul(c.dir);
    const openSpread = new Dec(c.openSpread);
    const nums = { spread: str(spread), openSpread: c.openSpread, pnl: q12(pnl), pnlPct: pnlPct.toDecimalPlaces(4).toNumber() };
    const head = `Cycle ${s.cycle}: spread ${pts(spread)} points (opened at ${pts(c.openSpread)}), cycle PnL ${nums.pnl} (${nums.pnlPct} %)`;
    if (pnlPct.lte(-cfg.stopLossPct)) return close(io, 'stopLoss', `${head} ≤ −${cfg.stopLossPct} %: stop loss, closing both legs`, { ...nums, stopLossPct: cfg.stopLossPct });
    if (pnlPct.gte(cfg.takeProfitPct)) return close(io, 'takeProfit', `${head} ≥ ${cfg.takeProfitPct} %: take profit, closing both legs`, { ...nums, takeProfitPct: cfg.takeProfitPct });
    if (directional.lte(openSpread.minus(cfg.takeProfitRevertPct))) {
      const outcome = pnl.gte(0) ? 'in profit' : 'at a loss';
      return close(io, 'takeProfitRevert', `${head}: the spread reverted ${cfg.takeProfitRevertPct} points, closing both legs ${outcome}`, { ...nums, takeProfitRevertPct: cfg.takeProfitRevertPct });
    }
    const k = c.adds + 1;
    const threshold = openSpread.plus(new Dec(cfg.stepPct).mul(k));
    if (c.adds < cfg.maxAdds && directional.gte(threshold)) {
      const notional = new Dec(cfg.orderQuote).mul(new Dec(cfg.sizeMultiplier).pow(k));
      c.adds = k;
      for (const l of c.legs) {
        const amt = amountFor(io, l.market, notional, priceOf(l.market));
        if (amt.gt(0)) place(io, l.market, l.side === 'long' ? 'buy' : 'sell', amt, 'add');
      }
      note(io, 'spread.added', `Cycle ${s.cycle}: spread ${pts(spread)} points reached ${pts(threshold)}: DCA add ${k} of ${cfg.maxAdds}, ${str(notional)} per leg`, {
        cycle: s.cycle,
        spread: nums.spread,
        threshold: str(threshold),
        add: k,
        notional: str(notional),
      });
    }
  };

  const onCandle = (io: Io, market: SpreadMarket, ts: number, close: number) => {
    const { s } = io;
    const other: SpreadMarket = market === 'a' ? 'b' : 'a';
    const p = s.pending[other];
    if (p && p.ts > ts) return; // older than the partner's: stale
    s.pending[market] = { ts, close: str(close) };
    if (!p) return;
    if (p.ts < ts) {
      s.pending[other] = null;
      return;
    }
    const a = new Dec(s.pending.a!.close);
    const b = new Dec(s.pending.b!.close);
    s.pending = { a: null, b: null };
    tick(io, a, b);
  };

  const onFill = (io: Io, f: Fill) => {
    const { s } = io;
    const o = s.orders.find((x) => x.clientOrderId === f.clientOrderId);
    if (!o || !s.open) return;
    const leg = s.open.legs.find((l) => l.market === o.market)!;
    const m = io.mk[o.market];
    const feeInBase = f.feeCurrency === m.base;
    const fee = new Dec(f.fee);
    const feeQuote = feeInBase ? fee.mul(f.price) : fee;
    const value = new Dec(f.amount).mul(f.price);
    if (o.purpose === 'close') {
      leg.exitAmount = str(new Dec(leg.exitAmount).plus(f.amount));
      leg.exitValue = str(new Dec(leg.exitValue).plus(value));
      leg.exitFee = str(new Dec(leg.exitFee).plus(feeQuote));
      leg.amount = str(new Dec(leg.amount).minus(f.amount));
      leg.lastExitId = o.clientOrderId;
      leg.closedAt = f.ts;
    } else {
      leg.entryAmount = str(new Dec(leg.entryAmount).plus(f.amount));
      leg.cost = str(new Dec(leg.cost).plus(value));
      leg.entryFee = str(new Dec(leg.entryFee).plus(feeQuote));
      if (!feeInBase) leg.entryFeeQuote = str(new Dec(leg.entryFeeQuote).plus(fee));
      leg.amount = str(new Dec(leg.amount).plus(f.amount).minus(feeInBase ? fee : 0));
      leg.firstEntryId ??= o.clientOrderId;
      leg.openedAt ??= f.ts;
    }
    o.filled = str(new Dec(o.filled).plus(f.amount));
    if (new Dec(o.filled).gte(o.amount)) s.orders = s.orders.filter((x) => x !== o);
    settle(io);
  };

  const onDead = (io: Io, clientOrderId: string, reason: string, message: string | undefined) => {
    const { s } = io;
    const o = s.orders.find((x) => x.clientOrderId === clientOrderId);
    if (!o || !s.open) return;
    s.orders = s.orders.filter((x) => x !== o);
    const short = new Dec(o.filled).lt(o.amount);
    const why = `${reason}${message ? `: ${message}` : ''}`;
    const detail = { cycle: s.cycle, clientOrderId, symbol: symbolOf(o.market), amount: o.amount, filled: o.filled, reason };
    if (short && o.purpose === 'open') {
      s.open.failed = true;
      s.open.failedWhy ??= `${clientOrderId} on ${symbolOf(o.market)} filled ${o.filled} of ${o.amount} (${why})`;
    }
    if (short && o.purpose === 'add') note(io, 'spread.addFailed', `Cycle ${s.cycle}: add order ${clientOrderId} on ${symbolOf(o.market)} filled ${o.filled} of ${o.amount} (${why}); keeping what filled`, detail);
    if (short && o.purpose === 'close') note(io, 'spread.closeFailed', `Cycle ${s.cycle}: close order ${clientOrderId} on ${symbolOf(o.market)} filled ${o.filled} of ${o.amount} (${why}); retrying on the next tick`, detail);
    settle(io);
  };

  const onForceExit = (io: Io, key: string, rule: string) => {
    const { s } = io;
    const c = s.open;
    if (!c || c.phase === 'closing' || !c.legs.some((l) => legKey(s.cycle, l.market) === key)) return;
    if (s.orders.length > 0) {
      c.exitRule = rule;
      return;
    }
    close(io, 'forceExit', `Cycle ${s.cycle}: closing both legs (forced exit of ${key}, rule ${rule})`, { key, rule });
  };

  return {
    type: 'spread',
    botId,
    symbols: [cfg.symbolA, cfg.symbolB],
    initialState(): SpreadState {
      return { cycle: 0, seq: 0, startA: null, startB: null, lastA: null, lastB: null, pending: { a: null, b: null }, open: null, orders: [], openFailing: false, realizedPnl: '0', roundTrips: 0 };
    },
    step(state: SpreadState, event: StrategyEvent, ctx: StrategyContext): StepResult<SpreadState> {
      const ma = ctx.markets[cfg.symbolA];
      const mb = ctx.markets[cfg.symbolB];
      if (!ma) throw new SpreadConfigError('symbolA', `unknown market ${cfg.symbolA}`);
      if (!mb) throw new SpreadConfigError('symbolB', `unknown market ${cfg.symbolB}`);
      const io: Io = { s: structuredClone(state), ctx, mk: { a: ma, b: mb }, out: [], closed: [], points: [], notes: [] };
      const marketOf = (symbol: string): SpreadMarket | null => (symbol === cfg.symbolA ? 'a' : symbol === cfg.symbolB ? 'b' : null);
      switch (event.type) {
        case 'candle': {
          const m = marketOf(event.symbol);
          if (m && event.closed) onCandle(io, m, event.candle.ts, event.candle.close);
          break;
        }
        case 'fill':
          onFill(io, event.fill);
          break;
        case 'orderDead':
          onDead(io, event.clientOrderId, event.reason, event.message);
          break;
        case 'forceExit':
          onForceExit(io, event.key, event.rule);
          break;
        default:
          break;
      }
      const r: StepResult<SpreadState> = { state: io.s, intents: io.out };
      if (io.closed.length) r.closed = io.closed;
      if (io.points.length) r.points = io.points;
      if (io.notes.length) r.notes = io.notes;
      return r;
    },
    held(state: SpreadState): HeldLot[] {
      const c = state.open;
      if (!c) return [];
      return c.legs
        .filter((l) => closable(l).gt(0))
        .map((l) => ({ key: legKey(state.cycle, l.market), symbol: l.symbol, side: l.side, amount: l.amount, entryPrice: q12(new Dec(l.cost).div(l.entryAmount)), openedAt: l.openedAt ?? c.openedAt, unit: cycleUnit(state.cycle) }));
    },
    summary(state: SpreadState) {
      return { realizedPnl: state.realizedPnl, roundTrips: state.roundTrips };
    },
  };
}
