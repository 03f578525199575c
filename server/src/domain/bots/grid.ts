/**
 * The grid bot: a ladder of limit buys below an anchor price, each paired with a limit sell above its fill.
 *
 * Cycle of a level i (0 = nearest): buy placed at `anchor × (1 − spacingPct/100 × (i+1))` (rounded down to
 * the tick) → the buy fills → its paired sell is placed at `buy fill × (1 + sellOffsetPct/100)` (rounded up
 * to the tick) for the filled amount → the sell fills → the round trip's profit is recorded
 * (`(sell − buy) × amount − fees`) → the level's cycle count grows and its buy is re-armed.
 *
 * - The anchor is the close of the first closed candle. When a closed candle's close is more than
 *   `repricePct` % away from the anchor (0 disables), the anchor moves to that close: unfilled buys are
 *   cancelled and, once each cancel is confirmed (`orderDead`), re-placed around the new anchor. Levels
 *   holding a filled buy keep their sells.
 * - At any time `held + open buys ≤ maxOpenPositions` (held = filled buys whose sell has not filled), so the
 *   bot can never hold more than that many positions; nearest levels are armed first.
 * - Order size per level: `base` amount, or `quote` notional divided by the level price; floored to the
 *   amount step, one step up when only the floor breaks the market's minimum (`amountOnStep`). On perpetuals the sells are reduce-only.
 * - A rejected or externally cancelled buy leaves its level idle until the next closed candle (no tight
 *   retry loop); a dead sell is re-placed on the next closed candle.
 * - Orders are assumed to fill completely (one fill each), as the paper engine does. A fee charged in the
 *   base currency reduces the amount sold and is valued at the fill price.
 * - Roles: buys are `entry` intents (the risk gate may refuse them: the level then idles like after a
 *   rejection), sells are `exit` intents.
 * - Held lots ({@link Strategy.held}): one per level holding a filled buy, key `L<index>` (e.g. `L0`).
 *   A `forceExit` naming one cancels the level's open sell (if any) and, once that cancel is confirmed
 *   (`orderDead`), sells the held amount at market (leg code `x`, reduce-only on perpetuals); with no open
 *   sell the market sell goes out at once. If the limit sell fills before its cancel lands (live venues), that
 *   fill closes the round trip and no market sell is placed. The exit's fill closes the round trip like a sell
 *   fill and the level re-arms. A refused or dead exit leaves the level holding; its limit sell is re-placed
 *   on the next closed candle. A `forceExit` for a level that holds nothing, or whose exit is already under
 *   way, does nothing.
 * - Signals are ignored.
 * - Performance (results unchanged): events that change nothing (a closed candle inside the reprice band with
 *   nothing to place, `start`, signals, other symbols) return the state as is, without a copy (and the same
 *   frozen result while the state is the same); a step copies only the levels it changes (copy-on-write: old
 *   states never change); level prices and amounts are memoised for the current anchor; decimal arithmetic on
 *   the state's strings goes through small-decimal.ts (the strings decimal.js gives, faster).
 */
import { gridParamsSchema, type GridParams } from '@osprey/shared';
import type { z } from 'zod';
import type { Fill, MarketInfo, OrderRequest } from '../exchange/port.js';
import { Dec, amountOnStep, roundToStep, str } from '../trading/precision.js';
import { amountOnStepDec, canonicalDec, cmpDec, divDec, minusDec, plusDec, roundToStepDec, timesDec } from '../trading/small-decimal.js';
import { botOrderId, type HeldLot, type Intent, type RoundTrip, type StepResult, type Strategy, type StrategyContext, type StrategyEvent } from './strategy.js';

/**
 * Zod schema of the grid configuration: the shared {@link gridParamsSchema} (input form: everything but
 * `symbol` has a default).
 */
export const gridConfigSchema = gridParamsSchema;

/** A validated grid configuration (defaults applied, `maxOpenPositions` resolved). */
export type GridConfig = Omit<GridParams, 'maxOpenPositions'> & { maxOpenPositions: number };

/** Input form of a grid configuration (optional fields may be left out). */
export type GridConfigInput = z.input<typeof gridParamsSchema>;

/** Thrown by {@link parseGridConfig}; `field` is the dotted path of the offending field, e.g. `orderSize.value`. */
export class GridConfigError extends Error {
  override readonly name = 'GridConfigError';
  /** @param field dotted field path @param reason what is wrong */
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/**
 * Validates a grid configuration and applies defaults.
 * @throws GridConfigError naming the first offending field
 */
export function parseGridConfig(input: unknown): GridConfig {
  const r = gridConfigSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new GridConfigError(issue.path.join('.') || 'config', issue.message);
  }
  return { ...r.data, maxOpenPositions: r.data.maxOpenPositions ?? r.data.levels };
}

/** Status of a grid level: `idle` (to arm), `buying` (buy open), `cancelling` (buy cancel requested), `holding` (bought; sell open or to re-place). */
export type GridLevelStatus = 'idle' | 'buying' | 'cancelling' | 'holding';

/** One level of the grid (plain JSON; decimals as strings). */
export interface GridLevel {
  index: number;
  /** Completed round trips of this level. */
  cycle: number;
  status: GridLevelStatus;
  /** clientOrderId of the open (or cancelling) buy. */
  buyId: string | null;
  /** clientOrderId of the open sell while holding (null: to re-place, or replaced by a forced exit). */
  sellId: string | null;
  /**
   * clientOrderId of the market sell of a forced exit in flight (null otherwise). Optional so states saved
   * before forced exits existed stay valid.
   */
  exitId?: string | null;
  /**
   * clientOrderId of the limit sell a forced exit is cancelling first (null otherwise): the market sell goes
   * out only once the cancel is confirmed (`orderDead`), so a sell that filled meanwhile is not sold twice.
   */
  exitAfter?: string | null;
  /** While holding: the filled buy. */
  entry: { clientOrderId: string; price: string; amount: string; fee: string; ts: number } | null;
}

/** State of a grid bot (plain JSON). */
export interface GridState {
  /** Current anchor price (null before the first closed candle). */
  anchor: string | null;
  /** Next order sequence number. */
  seq: number;
  levels: GridLevel[];
  /** Σ net PnL of completed round trips (quote). */
  realizedPnl: string;
  roundTrips: number;
}

/** The intents of a step that places and cancels nothing (shared, frozen). */
const NO_INTENTS: Intent[] = Object.freeze([]) as unknown as Intent[];

/** Relative margin under which the float pre-check of a reprice defers to the exact decimal test. */
const REPRICE_FLOAT_MARGIN = 1e-9;

/**
 * Creates the grid strategy of a bot.
 * @param botId bot id (order ids derive from it, see {@link botOrderId})
 * @param config a validated configuration ({@link parseGridConfig})
 */
export function createGridStrategy(botId: string, config: GridConfig): Strategy<GridState> {
  const cfg = config;
  const one = new Dec(1);
  const spacing = new Dec(cfg.spacingPct).div(100);
  const offset = new Dec(cfg.sellOffsetPct).div(100);
  // Performance (results unchanged): the constant factors as strings, and the decimal products of the state's
  // strings computed by small-decimal.ts (`timesDec` & co. give the string of the same decimal.js operation).
  const sellFactor = str(one.plus(offset));
  const levelFactors: string[] = [];
  const levelFactor = (i: number) => (levelFactors[i] ??= str(one.minus(spacing.mul(i + 1))));

  /** Price and amount of level `i`'s buy around `anchor` (null when either rounds to 0). */
  const levelOrder = (anchor: string, i: number, m: MarketInfo): { price: string; amount: string } | null => {
    const product = timesDec(anchor, levelFactor(i));
    const price = roundToStepDec(product, m.priceStep, 'down') ?? str(roundToStep(product, m.priceStep, 'down'));
    if (cmpDec(price, '0') <= 0) return null;
    const raw = cfg.orderSize.mode === 'base' ? cfg.orderSize.value : divDec(cfg.orderSize.value, price);
    const amount = amountOnStepDec(raw, price, m) ?? str(amountOnStep(raw, price, m));
    if (cmpDec(amount, '0') <= 0) return null;
    return { price, amount };
  };
  // Memo of levelOrder for the current anchor and market steps (performance: levels re-arm at the same anchor).
  let memoAnchor = '';
  let memoTick = '';
  let memoStep = '';
  let memo: Array<{ price: string; amount: string } | null | undefined> = [];
  const levelOrderMemo = (anchor: string, i: number, m: MarketInfo) => {
    if (anchor !== memoAnchor || m.priceStep !== memoTick || m.amountStep !== memoStep) {
      memoAnchor = anchor;
      memoTick = m.priceStep;
      memoStep = m.amountStep;
      memo = [];
    }
    let v = memo[i];
    if (v === undefined) v = memo[i] = levelOrder(anchor, i, m);
    return v;
  };

  // Copy-on-write of the levels (performance): a step's new state starts as a shallow copy sharing the levels
  // of the old one; a level is copied the first time the step changes it (`own`), so no old state ever changes.
  const owned = new Set<GridLevel>();
  /** The step's own copy of level `lv` of `s` (made and put in `s.levels` on first use). */
  const own = (s: GridState, lv: GridLevel): GridLevel => {
    if (owned.has(lv)) return lv;
    const copy: GridLevel = { index: lv.index, cycle: lv.cycle, status: lv.status, buyId: lv.buyId, sellId: lv.sellId, exitId: lv.exitId, exitAfter: lv.exitAfter, entry: lv.entry };
    s.levels[s.levels.indexOf(lv)] = copy;
    owned.add(copy);
    return copy;
  };

  const placeBuy = (s: GridState, lv0: GridLevel, m: MarketInfo, out: Intent[]): boolean => {
    const lo = levelOrderMemo(s.anchor!, lv0.index, m);
    if (lo === null) return false;
    const lv = own(s, lv0);
    const clientOrderId = botOrderId(botId, lv.cycle, 'b', s.seq++);
    const order: OrderRequest = { clientOrderId, symbol: cfg.symbol, side: 'buy', type: 'limit', amount: lo.amount, price: lo.price };
    out.push({ type: 'place', order, role: 'entry' });
    lv.status = 'buying';
    lv.buyId = clientOrderId;
    return true;
  };

  const placeSell = (s: GridState, lv0: GridLevel, m: MarketInfo, out: Intent[]) => {
    const lv = own(s, lv0);
    const e = lv.entry!;
    const product = timesDec(e.price, sellFactor);
    const price = roundToStepDec(product, m.priceStep, 'up') ?? str(roundToStep(product, m.priceStep, 'up'));
    const clientOrderId = botOrderId(botId, lv.cycle, 's', s.seq++);
    const order: OrderRequest = { clientOrderId, symbol: cfg.symbol, side: 'sell', type: 'limit', amount: e.amount, price };
    if (m.type === 'swap') order.reduceOnly = true;
    out.push({ type: 'place', order, role: 'exit' });
    lv.sellId = clientOrderId;
  };

  /** Levels whose limit sell is to be (re-)placed: holding, no sell open, no forced exit in flight. */
  const needsSell = (lv: GridLevel) => lv.status === 'holding' && lv.sellId === null && (lv.exitId ?? null) === null && (lv.exitAfter ?? null) === null;

  /** Idle levels the budget allows arming (`held + open buys < maxOpenPositions`). */
  const canArm = (s: GridState): boolean => {
    let busy = 0;
    let idle = false;
    for (const lv of s.levels) {
      if (lv.status === 'idle') idle = true;
      else busy++;
    }
    return idle && busy < cfg.maxOpenPositions;
  };

  /** Arms idle levels, nearest first, while held + open buys < maxOpenPositions. */
  const arm = (s: GridState, m: MarketInfo, out: Intent[]) => {
    if (s.anchor === null) return;
    let budget = cfg.maxOpenPositions - s.levels.filter((l) => l.status !== 'idle').length;
    for (const lv of s.levels) {
      if (budget <= 0) break;
      if (lv.status === 'idle' && placeBuy(s, lv, m, out)) budget--;
    }
  };

  /** Records the round trip of a level's exit fill (limit sell or forced market sell) and re-arms the level. */
  const closeLevel = (s: GridState, lv0: GridLevel, f: Fill, m: MarketInfo, out: Intent[], closed: RoundTrip[]) => {
    const lv = own(s, lv0);
    const e = lv.entry!;
    const exitFee = f.feeCurrency === m.base ? timesDec(f.fee, f.price) : canonicalDec(f.fee);
    const pnl = minusDec(minusDec(timesDec(minusDec(f.price, e.price), f.amount), e.fee), exitFee);
    closed.push({
      symbol: cfg.symbol,
      side: 'long',
      entryClientOrderId: e.clientOrderId,
      exitClientOrderId: f.clientOrderId!,
      amount: f.amount,
      entryPrice: e.price,
      exitPrice: f.price,
      entryFee: e.fee,
      exitFee,
      pnl,
      openedAt: e.ts,
      closedAt: f.ts,
    });
    s.realizedPnl = plusDec(s.realizedPnl, pnl);
    s.roundTrips++;
    lv.status = 'idle';
    lv.sellId = null;
    lv.exitId = null;
    lv.exitAfter = null;
    lv.entry = null;
    lv.cycle++;
    arm(s, m, out);
  };

  const onFill = (s: GridState, f: Fill, m: MarketInfo, out: Intent[], closed: RoundTrip[]) => {
    const found = s.levels.find((l) => l.buyId === f.clientOrderId && (l.status === 'buying' || l.status === 'cancelling'));
    if (found) {
      const buyLv = own(s, found);
      const feeInBase = f.feeCurrency === m.base;
      const amount = feeInBase ? str(roundToStep(new Dec(f.amount).minus(f.fee), m.amountStep, 'down')) : canonicalDec(f.amount);
      const fee = feeInBase ? timesDec(f.fee, f.price) : canonicalDec(f.fee);
      buyLv.status = 'holding';
      buyLv.buyId = null;
      buyLv.entry = { clientOrderId: f.clientOrderId!, price: f.price, amount, fee, ts: f.ts };
      placeSell(s, buyLv, m, out);
      return;
    }
    const sellLv = s.levels.find((l) => l.status === 'holding' && f.clientOrderId !== null && (l.sellId === f.clientOrderId || l.exitId === f.clientOrderId));
    if (sellLv) closeLevel(s, sellLv, f, m, out, closed);
  };

  // The result of a step that changes nothing, reused while the state is the same object (performance: most
  // closed candles change nothing); frozen, with a shared frozen empty intents list (callers only read them).
  let quiet: StepResult<GridState> | null = null;
  const unchanged = (state: GridState): StepResult<GridState> => {
    if (quiet === null || quiet.state !== state) quiet = Object.freeze({ state, intents: NO_INTENTS });
    return quiet;
  };

  // Number(anchor) of the last anchor seen (the anchor changes rarely; closes are checked against it often).
  let anchorStr = '';
  let anchorNum = NaN;
  /** True when `close` is more than `repricePct` % away from `anchor` (exact, decimal). */
  const repriceDue = (anchor: string, close: number): boolean => {
    if (cfg.repricePct <= 0) return false;
    if (anchor !== anchorStr) {
      anchorStr = anchor;
      anchorNum = Number(anchor);
    }
    const a = anchorNum;
    // Float pre-check: clearly inside the band → no reprice, clearly beyond it → reprice (the float ratio is
    // within ~1e-13 of the exact one); the exact test only runs near the band's edge.
    const ratio = (Math.abs(close - a) / a) * 100;
    if (ratio < cfg.repricePct * (1 - REPRICE_FLOAT_MARGIN)) return false;
    if (ratio > cfg.repricePct * (1 + REPRICE_FLOAT_MARGIN) + REPRICE_FLOAT_MARGIN) return true;
    return new Dec(close).minus(anchor).abs().div(anchor).mul(100).gt(cfg.repricePct);
  };

  // The last state found with no sell to place and no level to arm (performance: a state is a value — no step
  // changes one, see the copy-on-write above — so that stays true of the same object; closes only re-check
  // the anchor's band).
  let settled: GridState | null = null;
  /** True when a closed candle at `close` changes nothing (the step can return the state as is). */
  const candleIsQuiet = (s: GridState, close: number): boolean => {
    if (s.anchor === null || repriceDue(s.anchor, close)) return false;
    if (s === settled) return true;
    for (const lv of s.levels) if (needsSell(lv)) return false;
    if (canArm(s)) return false;
    settled = s;
    return true;
  };

  const onCandle = (s: GridState, close: number, m: MarketInfo, out: Intent[]) => {
    if (s.anchor === null) s.anchor = str(new Dec(close));
    else if (repriceDue(s.anchor, close)) {
      s.anchor = str(new Dec(close));
      for (const lv of s.levels) {
        if (lv.status !== 'buying') continue;
        out.push({ type: 'cancel', clientOrderId: lv.buyId!, symbol: cfg.symbol });
        own(s, lv).status = 'cancelling';
      }
    }
    for (const lv of s.levels) if (needsSell(lv)) placeSell(s, lv, m, out);
    arm(s, m, out);
  };

  const onForceExit = (s: GridState, key: string, m: MarketInfo, out: Intent[]) => {
    const found = s.levels.find((l) => `L${l.index}` === key);
    if (!found || found.status !== 'holding' || found.entry === null || (found.exitId ?? null) !== null || (found.exitAfter ?? null) !== null) return;
    const lv = own(s, found);
    if (lv.sellId !== null) {
      // The sell stays known (sellId) until its cancel is confirmed: a fill meanwhile closes the level.
      out.push({ type: 'cancel', clientOrderId: lv.sellId, symbol: cfg.symbol });
      lv.exitAfter = lv.sellId;
      return;
    }
    placeExit(s, lv, m, out);
  };

  /** The market sell of a forced exit. */
  const placeExit = (s: GridState, lv0: GridLevel, m: MarketInfo, out: Intent[]) => {
    const entry = lv0.entry;
    if (entry === null) return;
    const lv = own(s, lv0);
    const clientOrderId = botOrderId(botId, lv.cycle, 'x', s.seq++);
    const order: OrderRequest = { clientOrderId, symbol: cfg.symbol, side: 'sell', type: 'market', amount: entry.amount };
    if (m.type === 'swap') order.reduceOnly = true;
    out.push({ type: 'place', order, role: 'exit' });
    lv.exitId = clientOrderId;
    lv.sellId = null;
  };

  const onOrderDead = (s: GridState, clientOrderId: string, m: MarketInfo, out: Intent[]) => {
    const found = s.levels.find((l) => l.buyId === clientOrderId && (l.status === 'buying' || l.status === 'cancelling'));
    if (found) {
      const buyLv = own(s, found);
      const wasCancelling = buyLv.status === 'cancelling';
      buyLv.status = 'idle';
      buyLv.buyId = null;
      if (wasCancelling) arm(s, m, out);
      return;
    }
    for (const l of s.levels) {
      if (l.status !== 'holding' || (l.sellId !== clientOrderId && l.exitId !== clientOrderId)) continue;
      const lv = own(s, l);
      if (lv.sellId === clientOrderId) {
        lv.sellId = null;
        if (lv.exitAfter === clientOrderId) {
          lv.exitAfter = null;
          placeExit(s, lv, m, out);
        }
      }
      if (lv.exitId === clientOrderId) lv.exitId = null;
    }
  };

  return {
    type: 'grid',
    botId,
    symbols: [cfg.symbol],
    initialState(): GridState {
      const levels: GridLevel[] = [];
      for (let i = 0; i < cfg.levels; i++) levels.push({ index: i, cycle: 0, status: 'idle', buyId: null, sellId: null, exitId: null, exitAfter: null, entry: null });
      return { anchor: null, seq: 0, levels, realizedPnl: '0', roundTrips: 0 };
    },
    step(state: GridState, event: StrategyEvent, ctx: StrategyContext): StepResult<GridState> {
      const m = ctx.markets[cfg.symbol];
      if (!m) throw new GridConfigError('symbol', `unknown market ${cfg.symbol}`);
      // Events that cannot change anything return the state as is (no copy).
      if (event.type === 'start' || event.type === 'signal') return unchanged(state);
      if (event.type === 'candle' && (event.symbol !== cfg.symbol || !event.closed || candleIsQuiet(state, event.candle.close))) return unchanged(state);
      if (event.type === 'fill' && event.fill.symbol !== cfg.symbol) return unchanged(state);
      const s = cloneState(state);
      owned.clear();
      const intents: Intent[] = [];
      const closed: RoundTrip[] = [];
      switch (event.type) {
        case 'candle':
          onCandle(s, event.candle.close, m, intents);
          break;
        case 'fill':
          onFill(s, event.fill, m, intents, closed);
          break;
        case 'forceExit':
          onForceExit(s, event.key, m, intents);
          break;
        case 'orderDead':
          onOrderDead(s, event.clientOrderId, m, intents);
          break;
      }
      return { state: s, intents, closed };
    },
    held(state: GridState): HeldLot[] {
      const out: HeldLot[] = [];
      for (const lv of state.levels) {
        if (lv.status !== 'holding' || lv.entry === null) continue;
        out.push({ key: `L${lv.index}`, symbol: cfg.symbol, side: 'long', amount: lv.entry.amount, entryPrice: lv.entry.price, openedAt: lv.entry.ts });
      }
      return out;
    },
    summary(state: GridState): { realizedPnl: string; roundTrips: number } {
      return { realizedPnl: state.realizedPnl, roundTrips: state.roundTrips };
    },
  };
}

/**
 * A copy of a grid state whose levels array is its own but whose level objects are still the old state's: the
 * step copies a level before changing it (`own` in {@link createGridStrategy}), so the old state never changes.
 */
function cloneState(state: GridState): GridState {
  return { ...state, levels: state.levels.slice() };
}
