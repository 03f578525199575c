/**
 * The DCA spread bot over two markets A and B (pure state machine).
 *
 * Spread = (A's % change since the cycle start) − (B's % change since the cycle start), see {@link spreadPct}.
 * - A cycle starts at the first price pair (and again right after every close): those prices are its start.
 * - Open when |spread| ≥ `entryPct`: the market that rose more (relatively) is the leader, the other the
 *   laggard. On perpetuals (`marketType: 'swap'`) buy the laggard and sell (short) the leader, `orderQuote`
 *   of notional each; on spot only buy the laggard. `openSpread` = |spread| at the open.
 * - DCA: the k-th add (k = 1..`maxAdds`) happens when the spread, measured in the opening direction, reaches
 *   `openSpread + k × stepPct`; its notional per leg is `orderQuote × sizeMultiplier^k`. At most one add per
 *   step (a jump over several thresholds adds once; the next step adds again if still beyond).
 * - Exits, checked in this order on every step while open: stop loss when cycle PnL % ≤ −`stopLossPct`;
 *   take profit when cycle PnL % ≥ `takeProfitPct`; take profit on revert when the directional spread is
 *   ≤ `openSpread − takeProfitRevertPct`. Cycle PnL % = Σ legs' mark-to-market PnL / Σ legs' cost × 100
 *   (long: amount × price − cost; short: cost − amount × price). Exits close every leg at market
 *   (reduce-only on perpetuals); the next cycle starts from the current prices.
 *
 * All orders are market orders assumed filled at the observed price (fees not counted): the state tracks the
 * intended legs. Amounts are `notional / price` floored to the leg's amount step; a leg that floors to 0 is
 * skipped (an open whose laggard leg is 0 does not happen). Decimal maths with decimal.js throughout.
 */
import Decimal from 'decimal.js';
import { z } from 'zod';
import type { OrderRequest } from '../exchange/port.js';
import { Dec, roundToStep, str } from '../trading/precision.js';
import { botOrderId, type Intent } from './strategy.js';

const positiveDecimal = z.string().refine((s) => /^\d+(\.\d+)?$/.test(s) && new Decimal(s).gt(0), 'must be a decimal string greater than 0, like "100"');

/** Zod schema of the spread-bot configuration (input form: only the ids and symbols are required). */
export const spreadConfigSchema = z
  .strictObject({
    /** Bot id (order ids derive from it). */
    botId: z.string().min(1, 'must not be empty'),
    /** Market A, e.g. `ETH/USDT:USDT`. */
    symbolA: z.string().min(1, 'must not be empty'),
    /** Market B, e.g. `BTC/USDT:USDT`. */
    symbolB: z.string().min(1, 'must not be empty'),
    /** `swap`: long laggard + short leader; `spot`: buy the laggard only. */
    marketType: z.enum(['spot', 'swap']).default('swap'),
    /** |spread| (percentage points) that opens a cycle. */
    entryPct: z.number().positive().default(5),
    /** Further widening (points) between DCA adds. */
    stepPct: z.number().positive().default(3),
    /** Notional of add k is `orderQuote × sizeMultiplier^k`. */
    sizeMultiplier: z.number().positive().max(10).default(1),
    /** Most DCA adds per cycle. */
    maxAdds: z.number().int('must be an integer').min(0).max(50).default(6),
    /** Quote notional per leg of the opening order. */
    orderQuote: positiveDecimal.default('100'),
    /** Take profit when the spread came back this many points from `openSpread`. */
    takeProfitRevertPct: z.number().positive().default(3),
    /** Take profit when cycle PnL ≥ this % of the cycle's cost. */
    takeProfitPct: z.number().positive().default(2),
    /** Stop loss when cycle PnL ≤ −this % of the cycle's cost. */
    stopLossPct: z.number().positive().default(10),
    /** Amount steps (base) of A and B. */
    amountStepA: positiveDecimal.default('0.00000001'),
    amountStepB: positiveDecimal.default('0.00000001'),
  })
  .superRefine((c, ctx) => {
    if (c.symbolA === c.symbolB) ctx.addIssue({ code: 'custom', path: ['symbolB'], message: 'must differ from symbolA' });
  });

/** A validated spread configuration (defaults applied). */
export type SpreadConfig = z.output<typeof spreadConfigSchema>;

/** Thrown by {@link parseSpreadConfig}; `field` is the dotted path of the offending field. */
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
 * Validates a spread configuration and applies defaults.
 * @throws SpreadConfigError naming the first offending field
 */
export function parseSpreadConfig(input: unknown): SpreadConfig {
  const r = spreadConfigSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new SpreadConfigError(issue.path.join('.') || 'config', issue.message);
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

/** One leg of an open cycle (plain JSON; decimals as strings). */
export interface SpreadLeg {
  market: 'a' | 'b';
  symbol: string;
  side: 'long' | 'short';
  /** Base amount held. */
  amount: string;
  /** Σ amount × price paid/received (quote). */
  cost: string;
}

/** State of a spread bot (plain JSON). */
export interface SpreadState {
  /** Cycle number (ids derive from it); grows after each close. */
  cycle: number;
  /** Next order sequence number. */
  seq: number;
  /** Start prices of the current cycle (null before the first step). */
  startA: string | null;
  startB: string | null;
  /** The open position of the cycle, or null while waiting for the entry. */
  open: {
    /** +1: A led (short A / long B), −1: B led (long A / short B). */
    dir: 1 | -1;
    /** |spread| at the open (points). */
    openSpread: string;
    adds: number;
    legs: SpreadLeg[];
    openedAt: number;
  } | null;
  /** Σ PnL of closed cycles (quote). */
  realizedPnl: string;
}

/** Price input of {@link stepSpread}: prices (quote per base) and time (Unix ms UTC). */
export interface SpreadTick {
  a: Decimal.Value;
  b: Decimal.Value;
  now: number;
}

/** What happened in a step (for logs and the UI). Spreads and PnL % are decimal strings. */
export type SpreadEvent =
  | { type: 'opened'; spread: string; laggard: 'a' | 'b' }
  | { type: 'added'; spread: string; add: number }
  | { type: 'closed'; reason: 'stopLoss' | 'takeProfit' | 'takeProfitRevert'; spread: string; pnl: string; pnlPct: string };

/** Outcome of {@link stepSpread}. */
export interface SpreadStepResult {
  state: SpreadState;
  intents: Intent[];
  event?: SpreadEvent;
}

/** The state of a fresh spread bot. */
export function initialSpreadState(): SpreadState {
  return { cycle: 0, seq: 0, startA: null, startB: null, open: null, realizedPnl: '0' };
}

/**
 * Cycle PnL of the legs at prices (a, b): Σ (long: amount × price − cost; short: cost − amount × price),
 * and its percentage of Σ cost (0 when nothing is held).
 */
export function spreadCyclePnl(legs: readonly SpreadLeg[], a: Decimal.Value, b: Decimal.Value): { pnl: Decimal; pnlPct: Decimal } {
  let pnl = new Dec(0);
  let cost = new Dec(0);
  for (const l of legs) {
    const value = new Dec(l.amount).mul(l.market === 'a' ? a : b);
    pnl = pnl.plus(l.side === 'long' ? value.minus(l.cost) : new Dec(l.cost).minus(value));
    cost = cost.plus(l.cost);
  }
  return { pnl, pnlPct: cost.isZero() ? new Dec(0) : pnl.div(cost).mul(100) };
}

/**
 * One pure step of the spread bot (see the module doc): never mutates `state`.
 * @returns the new state, the orders to place (market; clientOrderIds from {@link botOrderId} with legs
 *   `oa`/`ob` open, `aa`/`ab` add, `ca`/`cb` close) and what happened, if anything
 */
export function stepSpread(state: SpreadState, tick: SpreadTick, config: SpreadConfig): SpreadStepResult {
  const s = structuredClone(state);
  const intents: Intent[] = [];
  const a = new Dec(tick.a);
  const b = new Dec(tick.b);
  if (s.startA === null || s.startB === null) {
    s.startA = str(a);
    s.startB = str(b);
    return { state: s, intents };
  }
  const spread = spreadPct(s.startA, s.startB, a, b);
  const symbolOf = (m: 'a' | 'b') => (m === 'a' ? config.symbolA : config.symbolB);
  const priceOf = (m: 'a' | 'b') => (m === 'a' ? a : b);

  /** Adds `notional` to leg (market, side); returns false when it floors to 0. */
  const trade = (legs: SpreadLeg[], market: 'a' | 'b', side: 'long' | 'short', notional: Decimal, legCode: string): boolean => {
    const price = priceOf(market);
    const amount = roundToStep(notional.div(price), market === 'a' ? config.amountStepA : config.amountStepB, 'down');
    if (amount.lte(0)) return false;
    const order: OrderRequest = { clientOrderId: botOrderId(config.botId, s.cycle, legCode, s.seq++), symbol: symbolOf(market), side: side === 'long' ? 'buy' : 'sell', type: 'market', amount: str(amount) };
    intents.push({ type: 'place', order });
    const cost = amount.mul(price);
    const leg = legs.find((l) => l.market === market);
    if (leg) {
      leg.amount = str(new Dec(leg.amount).plus(amount));
      leg.cost = str(new Dec(leg.cost).plus(cost));
    } else legs.push({ market, symbol: symbolOf(market), side, amount: str(amount), cost: str(cost) });
    return true;
  };

  if (s.open === null) {
    if (spread.abs().lt(config.entryPct)) return { state: s, intents };
    const dir: 1 | -1 = spread.gt(0) ? 1 : -1;
    const laggard = dir === 1 ? 'b' : 'a';
    const leader = dir === 1 ? 'a' : 'b';
    const legs: SpreadLeg[] = [];
    const notional = new Dec(config.orderQuote);
    if (!trade(legs, laggard, 'long', notional, `o${laggard}`)) return { state: s, intents: [] };
    if (config.marketType === 'swap') trade(legs, leader, 'short', notional, `o${leader}`);
    s.open = { dir, openSpread: str(spread.abs()), adds: 0, legs, openedAt: tick.now };
    return { state: s, intents, event: { type: 'opened', spread: str(spread), laggard } };
  }

  const open = s.open;
  const { pnl, pnlPct } = spreadCyclePnl(open.legs, a, b);
  const directional = spread.mul(open.dir);
  const reason = pnlPct.lte(-config.stopLossPct)
    ? 'stopLoss'
    : pnlPct.gte(config.takeProfitPct)
      ? 'takeProfit'
      : directional.lte(new Dec(open.openSpread).minus(config.takeProfitRevertPct))
        ? 'takeProfitRevert'
        : null;
  if (reason) {
    for (const l of open.legs) {
      const order: OrderRequest = { clientOrderId: botOrderId(config.botId, s.cycle, `c${l.market}`, s.seq++), symbol: l.symbol, side: l.side === 'long' ? 'sell' : 'buy', type: 'market', amount: l.amount };
      if (config.marketType === 'swap') order.reduceOnly = true;
      intents.push({ type: 'place', order });
    }
    s.realizedPnl = str(new Dec(s.realizedPnl).plus(pnl));
    s.open = null;
    s.cycle++;
    s.startA = str(a);
    s.startB = str(b);
    return { state: s, intents, event: { type: 'closed', reason, spread: str(spread), pnl: str(pnl), pnlPct: str(pnlPct) } };
  }

  const k = open.adds + 1;
  if (open.adds < config.maxAdds && directional.gte(new Dec(open.openSpread).plus(new Dec(config.stepPct).mul(k)))) {
    const notional = new Dec(config.orderQuote).mul(new Dec(config.sizeMultiplier).pow(k));
    for (const l of [...open.legs]) trade(open.legs, l.market, l.side, notional, `a${l.market}`);
    open.adds = k;
    return { state: s, intents, event: { type: 'added', spread: str(spread), add: k } };
  }
  return { state: s, intents };
}
