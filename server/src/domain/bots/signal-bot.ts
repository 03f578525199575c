/**
 * The signal-following bot as a {@link Strategy}: turns market-detector signals ({@link MarketSignal}) into a
 * market entry protected by a stop loss and a take profit sized from the ATR. Pure and deterministic.
 *
 * Symbols: signals name spot symbols (`BTC/USDT`); the bot follows a signal when one of its `symbols` has
 * the same base/quote (`BTC/USDT:USDT` on perpetuals follows `BTC/USDT`), see {@link followedSymbol}.
 *
 * ATR: an incremental Wilder ATR(`atrPeriod`) per symbol ({@link updateAtr}, TA-Lib definition), seeded from
 * the `start` event's history and updated on every closed candle (updates that are not closed, and candles
 * not newer than the last one, are ignored).
 *
 * A signal is taken when, in this order (else an `info` note `signal.<reason>` with the numbers): it is for
 * one of `symbols` (`otherSymbol`), not expired (`now < expiresAt`, `expired`), `score ≥ minScore`
 * (`belowMinScore`), the bot holds no position in that symbol (`positionOpen`; one per symbol), it is not a
 * SHORT on spot (`spotShort`), the ATR is ready (`noAtr`), the planned stop is > 0 and ≠ the price
 * (`invalidStop`), and the amount is ≥ one amount step, the market's minimum amount and minimum notional
 * (`tooSmall`).
 *
 * Sizing, at the entry reference price P = the symbol's last closed candle's close, stop S = P ∓
 * `stopAtrMult` × ATR (rounded to the price step): `quote`: value / P; `equityPct`: equity × value / 100 / P;
 * `risk`: equity × value / 100 / |P − S| (fixed-fractional sizing, Van Tharp, *Definitive Guide to Position
 * Sizing*); then × `signal.sizeMultiplier`, floored to the amount step (`quote` / `equityPct`: one step up when only the
 * floor breaks a market minimum; `risk` never rounds up past its budget). Equity = the total balance of the
 * market's quote currency (`ctx.balances`) + the bot's held lots in that quote at their last closes: on spot
 * their value (amount × close), on perpetuals their unrealized PnL (the margin is already in the balance).
 *
 * Orders (ids from {@link botOrderId}, cycle = the bot's entry count): a market entry (leg `e`, role
 * `entry`). Once the entry has FILLED (all of it, or what filled before it died) a stop-loss and (on
 * perpetuals, see below for spot) a take-profit conditional market order (legs `s`, `t`; kind `stop_loss`/`take_profit`, `triggerPrice`;
 * role `exit`, reduce-only on perpetuals) close the held amount (floored to the step; on spot a fee in base
 * reduces it). Their prices are ATR multiples around the actual entry price E (volume-weighted): stop
 * E ∓ `stopAtrMult` × ATR, take profit E ± `takeProfitAtrMult` × ATR (ATR as at the signal), rounded to the
 * price step (nearest); a stop ≤ 0 becomes one price step.
 *
 * On spot only the stop loss rests at the venue: spot venues (and the paper engine) lock the base amount for
 * every resting sell, so a second sell of the same amount would be refused. The take profit is then watched
 * on every closed candle instead: a close ≥ it cancels the stop and closes at market (leg `x`, reason
 * `takeProfit`; intra-candle touches are not seen).
 *
 * Exits: the first fill of the stop or the take profit cancels the other; when the exits have closed the
 * held amount a {@link RoundTrip} is emitted and the slot is freed. A stop/take profit the venue kills
 * (cancelled, expired, rejected) is re-placed on the next closed candle — or, when that close is already
 * beyond its trigger, the position is closed at market (leg `x`). A `forceExit` of the lot (key `S<cycle>`)
 * cancels the stop and take profit and, once those cancels are confirmed, closes what is still held at market
 * (leg `x`; a resting exit that filled meanwhile counts); the round trip is emitted on the last exit fill.
 * A dead market close is re-placed on the next closed candle. A dead entry with nothing filled frees the slot
 * with a note `signal.entryFailed`.
 *
 * Accounting like grid.ts / spread.ts: fees valued in quote (a base fee at its fill price), prices
 * volume-weighted (12 decimals), `pnl = ±(exit value − cost × exit amount / entry amount) − fees`.
 */
import Decimal from 'decimal.js';
import { signalParamsSchema, type MarketSignal, type SignalParams } from '@osprey/shared';
import type { Fill, MarketInfo, OrderRequest } from '../exchange/port.js';
import { initialAtrState, updateAtr, type AtrState } from '../indicators/atr.js';
import { Dec, amountOnStep, roundToStep, str } from '../trading/precision.js';
import { botOrderId, type HeldLot, type Intent, type RoundTrip, type StepResult, type Strategy, type StrategyContext, type StrategyEvent, type StrategyNote } from './strategy.js';

/** Thrown by {@link parseSignalParams} and {@link createSignalStrategy}; `field` names the offending field. */
export class SignalBotError extends Error {
  override readonly name = 'SignalBotError';
  /** @param field dotted field path @param reason what is wrong */
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/**
 * Validates signal-bot parameters against the shared `signalParamsSchema` and applies defaults.
 * @throws SignalBotError naming the first offending field
 */
export function parseSignalParams(input: unknown): SignalParams {
  const r = signalParamsSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new SignalBotError(issue.path.join('.') || 'params', issue.message);
  }
  return r.data;
}

/**
 * The bot symbol that follows signals of `signalSymbol`: the first of `symbols` with the same base/quote
 * (the part before any `:settle` suffix), e.g. `BTC/USDT:USDT` for `BTC/USDT`; null when none does.
 */
export function followedSymbol(symbols: readonly string[], signalSymbol: string): string | null {
  const pair = signalSymbol.split(':')[0];
  return symbols.find((s) => s.split(':')[0] === pair) ?? null;
}

/** Why a signal was skipped (the note code is `signal.<reason>`). */
export type SignalSkipReason = 'otherSymbol' | 'expired' | 'belowMinScore' | 'positionOpen' | 'spotShort' | 'noAtr' | 'invalidStop' | 'invalidTakeProfit' | 'tooSmall';

/** An exit order of a position in flight. */
export interface SignalExitOrder {
  clientOrderId: string;
  /** `stop` (stop loss), `takeProfit`, `close` (market close). */
  role: 'stop' | 'takeProfit' | 'close';
  amount: string;
  filled: string;
  /** A cancel was requested (the other exit filled, or a forced close). */
  cancelling: boolean;
}

/** Why a position was closed. */
export type SignalExitReason = 'stopLoss' | 'takeProfit' | 'forceExit' | 'stopBreached' | 'takeProfitBreached';

/** A position of the bot (plain JSON; decimals as strings, quote unless said). */
export interface SignalPosition {
  /** Entry count at the signal (ids and the lot key derive from it). */
  cycle: number;
  /** Held-lot key, `S<cycle>`. */
  key: string;
  symbol: string;
  signalId: string;
  side: 'long' | 'short';
  /** `entering` (entry in flight), `open` (stop and take profit working), `exiting` (an exit is filling or a close was placed). */
  status: 'entering' | 'open' | 'exiting';
  /** ATR at the signal (quote; `0` when the signal gave both its stop and take profit and no ATR was needed). */
  atr: string;
  /** Stop-loss / take-profit prices the signal gave (used instead of the ATR multiples); optional in old states. */
  signalStop?: string | null;
  signalTakeProfit?: string | null;
  /** The market's amount step (base). */
  amountStep: string;
  entryId: string;
  /** Entry order amount and what filled of it (base). */
  entryRequested: string;
  entryFilled: string;
  /** Base amount held now (entry fills net of base fees, minus exit fills). */
  amount: string;
  /** Σ entry fill amounts (base), Σ amount × price, Σ fees valued in quote. */
  entryAmount: string;
  cost: string;
  entryFee: string;
  openedAt: number | null;
  /** Base amount the exits close (held after the entry, floored to the step). */
  closeAmount: string;
  stopPrice: string | null;
  takeProfitPrice: string | null;
  exits: SignalExitOrder[];
  exitAmount: string;
  exitValue: string;
  exitFee: string;
  lastExitId: string | null;
  closedAt: number | null;
  /** A forceExit arrived (its rule). */
  forcedRule: string | null;
  exitReason: SignalExitReason | null;
  /**
   * A market close waits for the cancels of the resting stop / take profit to be confirmed (so a stop that
   * fills meanwhile is not followed by a second sell). Optional: states saved before it stay valid.
   */
  closePending?: boolean;
}

/** State of a signal bot (plain JSON). */
export interface SignalState {
  /** Next order sequence number. */
  seq: number;
  /** Entries taken so far (the cycle of the ids). */
  entries: number;
  /** Wilder ATR per bot symbol. */
  atr: Record<string, AtrState>;
  /** Last closed candle per bot symbol (open time, close). */
  last: Record<string, { ts: number; close: number }>;
  /** Positions by bot symbol. */
  positions: Record<string, SignalPosition>;
  /** Σ net PnL of the round trips closed (quote). */
  realizedPnl: string;
  roundTrips: number;
}

const q12 = (d: Decimal) => str(d.toDecimalPlaces(12, Decimal.ROUND_HALF_UP));
const add = (a: string, b: Decimal.Value) => str(new Dec(a).plus(b));

/**
 * Creates the signal-following strategy of a bot (see the module doc).
 * @param botId bot id (order ids derive from it)
 * @param params signal parameters (validated again with the shared schema)
 * @param marketType `spot` (LONG only) or `swap`
 * @throws SignalBotError naming the offending parameter; from `step`, naming `symbols` when `ctx.markets`
 *   lacks a market the step needs
 */
export function createSignalStrategy(botId: string, params: SignalParams, marketType: 'spot' | 'swap'): Strategy<SignalState> {
  const cfg = parseSignalParams(params);
  if (marketType !== 'spot' && marketType !== 'swap') throw new SignalBotError('marketType', 'must be spot or swap');
  const swap = marketType === 'swap';

  interface Io {
    s: SignalState;
    ctx: StrategyContext;
    out: Intent[];
    closed: RoundTrip[];
    notes: StrategyNote[];
  }
  const note = (io: Io, code: string, message: string, detail: Record<string, number | string>) => io.notes.push({ kind: 'info', code, message, detail });
  const marketOf = (io: Io, symbol: string): MarketInfo => {
    const m = io.ctx.markets[symbol];
    if (!m) throw new SignalBotError('symbols', `unknown market ${symbol}`);
    return m;
  };

  const feedCandle = (s: SignalState, symbol: string, c: { ts: number; high: number; low: number; close: number }): boolean => {
    const last = s.last[symbol];
    if (last && c.ts <= last.ts) return false;
    s.atr[symbol] = updateAtr(s.atr[symbol] ?? initialAtrState(cfg.atrPeriod), c);
    s.last[symbol] = { ts: c.ts, close: c.close };
    return true;
  };

  const entryPrice = (p: SignalPosition) => new Dec(p.cost).div(p.entryAmount);

  // ─── orders ───

  const placeExit = (io: Io, p: SignalPosition, role: SignalExitOrder['role'], amount: Decimal) => {
    const leg = role === 'stop' ? 's' : role === 'takeProfit' ? 't' : 'x';
    const order: OrderRequest = { clientOrderId: botOrderId(botId, p.cycle, leg, io.s.seq++), symbol: p.symbol, side: p.side === 'long' ? 'sell' : 'buy', type: 'market', amount: str(amount) };
    if (role === 'stop') Object.assign(order, { kind: 'stop_loss', triggerPrice: p.stopPrice! });
    if (role === 'takeProfit') Object.assign(order, { kind: 'take_profit', triggerPrice: p.takeProfitPrice! });
    if (swap) order.reduceOnly = true;
    io.out.push({ type: 'place', order, role: 'exit' });
    p.exits.push({ clientOrderId: order.clientOrderId, role, amount: order.amount, filled: '0', cancelling: false });
  };

  const cancelExits = (io: Io, p: SignalPosition, except?: string) => {
    for (const o of p.exits) {
      if (o.cancelling || o.clientOrderId === except) continue;
      io.out.push({ type: 'cancel', clientOrderId: o.clientOrderId, symbol: p.symbol });
      o.cancelling = true;
    }
  };

  const remaining = (p: SignalPosition) => roundToStep(new Dec(p.closeAmount).minus(p.exitAmount), p.amountStep, 'down');

  const finalize = (io: Io, p: SignalPosition) => {
    cancelExits(io, p);
    const s = io.s;
    if (new Dec(p.exitAmount).gt(0)) {
      const exitAmount = new Dec(p.exitAmount);
      const gross = new Dec(p.exitValue).minus(new Dec(p.cost).mul(exitAmount).div(p.entryAmount)).mul(p.side === 'long' ? 1 : -1);
      const rt: RoundTrip = {
        symbol: p.symbol,
        side: p.side,
        entryClientOrderId: p.entryId,
        exitClientOrderId: p.lastExitId!,
        amount: p.exitAmount,
        entryPrice: q12(entryPrice(p)),
        exitPrice: q12(new Dec(p.exitValue).div(exitAmount)),
        entryFee: p.entryFee,
        exitFee: p.exitFee,
        pnl: q12(gross.minus(p.entryFee).minus(p.exitFee)),
        openedAt: p.openedAt!,
        closedAt: p.closedAt!,
      };
      io.closed.push(rt);
      s.realizedPnl = add(s.realizedPnl, rt.pnl);
      s.roundTrips++;
      note(io, 'signal.closed', `${p.symbol} ${p.side} ${rt.amount} closed (${p.exitReason ?? 'exit'}) at ${rt.exitPrice} after entry at ${rt.entryPrice}: PnL ${rt.pnl}`, {
        symbol: p.symbol,
        signalId: p.signalId,
        reason: p.exitReason ?? 'exit',
        amount: rt.amount,
        entryPrice: rt.entryPrice,
        exitPrice: rt.exitPrice,
        pnl: rt.pnl,
      });
    }
    delete s.positions[p.symbol];
  };

  /**
   * Closes what is left at market (leg `x`), cancelling the stop and take profit first: the close goes out
   * once no cancel is pending (at once when nothing rests at the venue); a resting exit that fills before its
   * cancel lands counts, and only what is still held is closed.
   */
  const closeAtMarket = (io: Io, p: SignalPosition, reason: SignalExitReason) => {
    cancelExits(io, p);
    p.status = 'exiting';
    p.exitReason = reason;
    if (p.exits.some((o) => o.cancelling)) {
      p.closePending = true;
      return;
    }
    placeClose(io, p);
  };

  const placeClose = (io: Io, p: SignalPosition) => {
    p.closePending = false;
    const left = remaining(p);
    if (left.gt(0)) placeExit(io, p, 'close', left);
    else finalize(io, p);
  };

  /** The entry is done (filled, or dead after a partial fill): protect it, or close it when forced. */
  const entered = (io: Io, p: SignalPosition) => {
    const m = marketOf(io, p.symbol);
    const closeAmount = roundToStep(p.amount, p.amountStep, 'down');
    p.closeAmount = str(closeAmount);
    p.status = 'open';
    if (closeAmount.lte(0)) {
      note(io, 'signal.entryDust', `Entry ${p.entryId} on ${p.symbol} left ${p.amount}, less than one amount step (${p.amountStep}): nothing to protect`, { symbol: p.symbol, amount: p.amount, amountStep: p.amountStep });
      delete io.s.positions[p.symbol];
      return;
    }
    if (p.forcedRule !== null) {
      closeAtMarket(io, p, 'forceExit');
      return;
    }
    const e = entryPrice(p);
    const dir = p.side === 'long' ? 1 : -1;
    const atr = new Dec(p.atr);
    let stop = p.signalStop ? new Dec(p.signalStop) : roundToStep(e.minus(atr.mul(cfg.stopAtrMult).mul(dir)), m.priceStep, 'nearest');
    if (stop.lte(0)) stop = new Dec(m.priceStep);
    const tp = p.signalTakeProfit ? new Dec(p.signalTakeProfit) : roundToStep(e.plus(atr.mul(cfg.takeProfitAtrMult).mul(dir)), m.priceStep, 'nearest');
    p.stopPrice = str(stop);
    p.takeProfitPrice = str(tp.gt(0) ? tp : m.priceStep);
    placeExit(io, p, 'stop', closeAmount);
    if (swap) placeExit(io, p, 'takeProfit', closeAmount);
  };

  // ─── events ───

  const onSignal = (io: Io, signal: MarketSignal) => {
    const { s, ctx } = io;
    const head = `Signal ${signal.id} (${signal.type} ${signal.symbol}, score ${signal.score})`;
    const skip = (reason: SignalSkipReason, why: string, detail: Record<string, number | string>) =>
      note(io, `signal.${reason}`, `${head} skipped: ${why}`, { signalId: signal.id, symbol: signal.symbol, ...detail });
    const symbol = followedSymbol(cfg.symbols, signal.symbol);
    if (symbol === null) return skip('otherSymbol', `the bot follows ${cfg.symbols.join(', ')}`, { symbols: cfg.symbols.join(',') });
    if (ctx.now >= signal.expiresAt) return skip('expired', `expired at ${new Date(signal.expiresAt).toISOString()}`, { expiresAt: signal.expiresAt, now: ctx.now });
    if (signal.score < cfg.minScore) return skip('belowMinScore', `score ${signal.score} < minimum ${cfg.minScore}`, { score: signal.score, minScore: cfg.minScore });
    const held = s.positions[symbol];
    if (held) return skip('positionOpen', `a position on ${symbol} is open (signal ${held.signalId})`, { botSymbol: symbol, openSignalId: held.signalId });
    if (signal.type === 'SHORT' && !swap) return skip('spotShort', 'a spot bot cannot short', { botSymbol: symbol });
    const atrState = s.atr[symbol];
    const last = s.last[symbol];
    const m = marketOf(io, symbol);
    // Levels the signal gives replace the ATR multiples (rounded to the tick); the ATR is needed only for a missing one.
    const level = (v: string | null | undefined) => (v === undefined || v === null || v === '' ? null : roundToStep(v, m.priceStep, 'nearest'));
    const sigStop = level(signal.stopLoss);
    const sigTp = level(signal.takeProfit);
    const needAtr = sigStop === null || sigTp === null;
    if (!last || (needAtr && (!atrState || atrState.atr === null))) {
      const seen = atrState?.seedCount ?? 0;
      return skip('noAtr', `ATR(${cfg.atrPeriod}) of ${symbol} not ready (${seen} of ${cfg.atrPeriod} true ranges)`, { botSymbol: symbol, atrPeriod: cfg.atrPeriod, trueRanges: seen });
    }
    const price = new Dec(last.close);
    const atr = new Dec(atrState?.atr ?? 0);
    const long = signal.type === 'LONG';
    const dir = long ? 1 : -1;
    if (sigStop !== null && (sigStop.lte(0) || (long ? sigStop.gte(price) : sigStop.lte(price)))) {
      return skip('invalidStop', `the signal's stop ${str(sigStop)} is not ${long ? 'below' : 'above'} the price ${str(price)}`, { stop: str(sigStop), price: str(price) });
    }
    if (sigTp !== null && (sigTp.lte(0) || (long ? sigTp.lte(price) : sigTp.gte(price)))) {
      return skip('invalidTakeProfit', `the signal's take profit ${str(sigTp)} is not ${long ? 'above' : 'below'} the price ${str(price)}`, { takeProfit: str(sigTp), price: str(price) });
    }
    const stop = sigStop ?? roundToStep(price.minus(atr.mul(cfg.stopAtrMult).mul(dir)), m.priceStep, 'nearest');
    if (stop.lte(0) || stop.eq(price)) return skip('invalidStop', `stop ${str(stop)} from price ${str(price)} and ATR ${q12(atr)} × ${cfg.stopAtrMult} is not usable`, { stop: str(stop), price: str(price), atr: q12(atr) });

    let equity = new Dec(ctx.balances.find((b) => b.currency === m.quote)?.total ?? 0);
    for (const q of Object.values(s.positions)) {
      const qm = ctx.markets[q.symbol];
      if (!qm || qm.quote !== m.quote || new Dec(q.amount).lte(0)) continue;
      const close = s.last[q.symbol]?.close ?? entryPrice(q);
      equity = swap ? equity.plus(new Dec(close).minus(entryPrice(q)).mul(q.amount).mul(q.side === 'long' ? 1 : -1)) : equity.plus(new Dec(q.amount).mul(close));
    }
    const v = new Dec(cfg.sizing.value);
    const raw = (cfg.sizing.mode === 'quote' ? v.div(price) : cfg.sizing.mode === 'equityPct' ? equity.mul(v).div(100).div(price) : equity.mul(v).div(100).div(price.minus(stop).abs())).mul(signal.sizeMultiplier);
    // Risk sizing never rounds up past the risk budget; the other modes may take one step more to meet the minimums.
    const amount = cfg.sizing.mode === 'risk' ? roundToStep(raw, m.amountStep, 'down') : amountOnStep(raw, price, m);
    const tooSmall = amount.lte(0) || (m.minAmount !== null && amount.lt(m.minAmount)) || (m.minNotional !== null && amount.mul(price).lt(m.minNotional));
    if (tooSmall) {
      return skip('tooSmall', `amount ${q12(raw)} (${cfg.sizing.mode} ${cfg.sizing.value}, equity ${q12(equity)}) is below the market's minimum (step ${m.amountStep}, min amount ${m.minAmount ?? '-'}, min notional ${m.minNotional ?? '-'})`, {
        amount: q12(raw),
        amountStep: m.amountStep,
        minAmount: m.minAmount ?? '',
        minNotional: m.minNotional ?? '',
        equity: q12(equity),
      });
    }

    const cycle = s.entries++;
    const entry: OrderRequest = { clientOrderId: botOrderId(botId, cycle, 'e', s.seq++), symbol, side: long ? 'buy' : 'sell', type: 'market', amount: str(amount) };
    io.out.push({ type: 'place', order: entry, role: 'entry' });
    s.positions[symbol] = {
      cycle,
      key: `S${cycle}`,
      symbol,
      signalId: signal.id,
      side: long ? 'long' : 'short',
      status: 'entering',
      atr: str(atr),
      signalStop: sigStop === null ? null : str(sigStop),
      signalTakeProfit: sigTp === null ? null : str(sigTp),
      amountStep: m.amountStep,
      entryId: entry.clientOrderId,
      entryRequested: entry.amount,
      entryFilled: '0',
      amount: '0',
      entryAmount: '0',
      cost: '0',
      entryFee: '0',
      openedAt: null,
      closeAmount: '0',
      stopPrice: null,
      takeProfitPrice: null,
      exits: [],
      exitAmount: '0',
      exitValue: '0',
      exitFee: '0',
      lastExitId: null,
      closedAt: null,
      forcedRule: null,
      exitReason: null,
    };
    note(io, 'signal.taken', `${head} taken: ${entry.side} ${entry.amount} ${symbol} at market (last close ${str(price)}, ATR ${q12(atr)}, planned stop ${str(stop)})`, {
      signalId: signal.id,
      symbol,
      amount: entry.amount,
      price: str(price),
      atr: q12(atr),
      stop: str(stop),
      equity: q12(equity),
    });
  };

  const onFill = (io: Io, f: Fill) => {
    const p = Object.values(io.s.positions).find((x) => x.entryId === f.clientOrderId || x.exits.some((o) => o.clientOrderId === f.clientOrderId));
    if (!p) return;
    const m = marketOf(io, p.symbol);
    const feeInBase = f.feeCurrency === m.base;
    const fee = new Dec(f.fee);
    const feeQuote = feeInBase ? fee.mul(f.price) : fee;
    const value = new Dec(f.amount).mul(f.price);
    if (p.entryId === f.clientOrderId) {
      if (p.status !== 'entering') return;
      p.entryAmount = add(p.entryAmount, f.amount);
      p.cost = add(p.cost, value);
      p.entryFee = add(p.entryFee, feeQuote);
      p.amount = str(new Dec(p.amount).plus(f.amount).minus(feeInBase ? fee : 0));
      p.entryFilled = add(p.entryFilled, f.amount);
      p.openedAt ??= f.ts;
      if (new Dec(p.entryFilled).gte(p.entryRequested)) entered(io, p);
      return;
    }
    const o = p.exits.find((x) => x.clientOrderId === f.clientOrderId)!;
    p.exitAmount = add(p.exitAmount, f.amount);
    p.exitValue = add(p.exitValue, value);
    p.exitFee = add(p.exitFee, feeQuote);
    p.amount = str(new Dec(p.amount).minus(f.amount));
    p.lastExitId = o.clientOrderId;
    p.closedAt = f.ts;
    o.filled = add(o.filled, f.amount);
    if (p.status === 'open') {
      p.status = 'exiting';
      p.exitReason = o.role === 'stop' ? 'stopLoss' : 'takeProfit';
      cancelExits(io, p, o.clientOrderId);
    }
    if (new Dec(o.filled).gte(o.amount)) p.exits = p.exits.filter((x) => x !== o);
    if (new Dec(p.exitAmount).gte(p.closeAmount)) finalize(io, p);
  };

  const onDead = (io: Io, clientOrderId: string, reason: string, message: string | undefined) => {
    const p = Object.values(io.s.positions).find((x) => x.entryId === clientOrderId || x.exits.some((o) => o.clientOrderId === clientOrderId));
    if (!p) return;
    const why = `${reason}${message ? `: ${message}` : ''}`;
    if (p.entryId === clientOrderId) {
      if (p.status !== 'entering') return;
      if (new Dec(p.entryFilled).gt(0)) {
        entered(io, p);
        return;
      }
      note(io, 'signal.entryFailed', `Entry ${clientOrderId} of signal ${p.signalId} on ${p.symbol} did not fill (${why}); slot freed`, { symbol: p.symbol, signalId: p.signalId, clientOrderId, reason, message: message ?? '' });
      delete io.s.positions[p.symbol];
      return;
    }
    const o = p.exits.find((x) => x.clientOrderId === clientOrderId)!;
    p.exits = p.exits.filter((x) => x !== o);
    if (o.cancelling) {
      if (p.closePending && !p.exits.some((x) => x.cancelling)) placeClose(io, p);
      return;
    }
    note(io, 'signal.exitOrderDead', `${o.role === 'close' ? 'Close' : o.role === 'stop' ? 'Stop loss' : 'Take profit'} ${clientOrderId} on ${p.symbol} died (${why}); re-placed on the next closed candle`, {
      symbol: p.symbol,
      clientOrderId,
      role: o.role,
      reason,
      message: message ?? '',
    });
  };

  /** On a closed candle of the position's symbol: re-place what the venue killed. */
  const repair = (io: Io, p: SignalPosition) => {
    if (p.status === 'entering') return;
    const live = (role: SignalExitOrder['role']) => p.exits.some((o) => o.role === role && !o.cancelling);
    if (p.status === 'exiting') {
      if (!p.closePending && !p.exits.some((o) => !o.cancelling)) closeAtMarket(io, p, p.exitReason ?? 'forceExit');
      return;
    }
    const close = new Dec(io.s.last[p.symbol]!.close);
    const long = p.side === 'long';
    if (!swap && close.gte(p.takeProfitPrice!)) return closeAtMarket(io, p, 'takeProfit');
    if (!live('stop') && (long ? close.lte(p.stopPrice!) : close.gte(p.stopPrice!))) return closeAtMarket(io, p, 'stopBreached');
    if (swap && !live('takeProfit') && (long ? close.gte(p.takeProfitPrice!) : close.lte(p.takeProfitPrice!))) return closeAtMarket(io, p, 'takeProfitBreached');
    const left = remaining(p);
    if (!live('stop')) placeExit(io, p, 'stop', left);
    if (swap && !live('takeProfit')) placeExit(io, p, 'takeProfit', left);
  };

  const onForceExit = (io: Io, key: string, rule: string) => {
    const p = Object.values(io.s.positions).find((x) => x.key === key);
    if (!p || p.forcedRule !== null) return;
    p.forcedRule = rule;
    if (p.status === 'open') closeAtMarket(io, p, 'forceExit');
  };

  return {
    type: 'signal',
    botId,
    symbols: [...cfg.symbols],
    initialState(): SignalState {
      return { seq: 0, entries: 0, atr: {}, last: {}, positions: {}, realizedPnl: '0', roundTrips: 0 };
    },
    step(state: SignalState, event: StrategyEvent, ctx: StrategyContext): StepResult<SignalState> {
      const io: Io = { s: structuredClone(state), ctx, out: [], closed: [], notes: [] };
      switch (event.type) {
        case 'start':
          for (const symbol of cfg.symbols) for (const c of event.history?.[symbol] ?? []) feedCandle(io.s, symbol, c);
          break;
        case 'candle':
          if (event.closed && cfg.symbols.includes(event.symbol) && feedCandle(io.s, event.symbol, event.candle)) {
            const p = io.s.positions[event.symbol];
            if (p) repair(io, p);
          }
          break;
        case 'signal':
          onSignal(io, event.signal);
          break;
        case 'fill':
          onFill(io, event.fill);
          break;
        case 'orderDead':
          onDead(io, event.clientOrderId, event.reason, event.message);
          break;
        case 'forceExit':
          onForceExit(io, event.key, event.rule);
          break;
      }
      const r: StepResult<SignalState> = { state: io.s, intents: io.out };
      if (io.closed.length) r.closed = io.closed;
      if (io.notes.length) r.notes = io.notes;
      return r;
    },
    held(state: SignalState): HeldLot[] {
      return Object.values(state.positions)
        .filter((p) => roundToStep(p.amount, p.amountStep, 'down').gt(0))
        .map((p) => ({ key: p.key, symbol: p.symbol, side: p.side, amount: p.amount, entryPrice: q12(entryPrice(p)), openedAt: p.openedAt! }));
    },
    summary(state: SignalState) {
      return { realizedPnl: state.realizedPnl, roundTrips: state.roundTrips };
    },
  };
}
