/**
 * Risk rules of a bot as pure functions (the rules are the shared `riskRulesSchema`): before an entry the
 * gate (`withRiskRules` in risk-gate.ts) asks {@link checkEntry}; on every closed candle it asks
 * {@link riskExits} which held lots must be closed; after every closed round trip it folds the result into
 * {@link RiskState} with {@link recordResult}.
 *
 * Rules (each optional; an absent rule never blocks):
 * - `maxOpenPositions` — no entry while that many positions are open.
 * - `stopLossPct` (price stop) — exit a position once its adverse move from entry reaches the % (long:
 *   `(entry − price) / entry × 100`, short: `(price − entry) / entry × 100`).
 * - `maxHoldingMs` (time stop) — exit a position held at least that long (`now − openedAt`).
 * - `dailyLossLimit` — quote amount; once the realized loss of the current UTC day (`−Σ pnl`, from
 *   00:00:00.000 UTC of the injected `now`) is ≥ the limit, no new entries until the next UTC midnight.
 * - `cooldown` — after `afterLosses` consecutive losing trades, no entries for `pauseMinutes` minutes
 *   from the last loss; the streak restarts at 0 when the pause starts (and on any non-losing trade).
 *
 * A block is returned as data (`rule` + numbers) so the UI can show why. Money in decimal strings,
 * computed with decimal.js; time in Unix ms UTC.
 */
import { riskRulesSchema, type RiskRules } from '@osprey/shared';
import { Dec, str } from '../trading/precision.js';
import type { HeldLot } from './strategy.js';

const DAY_MS = 86_400_000;

/** Validated risk rules (the shared contract `riskRulesSchema` of `@osprey/shared`). */
export type { RiskRules };

/** Thrown by {@link parseRiskRules}; `field` is the dotted path of the offending field, e.g. `cooldown.afterLosses`. */
export class RiskRulesError extends Error {
  override readonly name = 'RiskRulesError';
  /** @param field dotted field path @param reason what is wrong */
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/**
 * Validates risk rules against the shared `riskRulesSchema`.
 * @throws RiskRulesError naming the first offending field
 */
export function parseRiskRules(input: unknown): RiskRules {
  const r = riskRulesSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new RiskRulesError(issue.path.join('.') || 'rules', issue.message);
  }
  return r.data;
}

/** Bookkeeping of the risk gate (plain JSON). */
export interface RiskState {
  /** Start (00:00 UTC, Unix ms) of the day `dayPnl` belongs to; null before the first result. */
  day: number | null;
  /** Σ net realized PnL of that UTC day (quote, decimal string). */
  dayPnl: string;
  /** Consecutive losing trades so far (reset by a non-losing trade or when a cooldown starts). */
  lossStreak: number;
  /** Entries are paused until this time (Unix ms, exclusive), or null. */
  pausedUntil: number | null;
}

/**
 * The account-level risk picture a runner hands the gate (in {@link StrategyContext}`.account`): the
 * account's own rules, its {@link RiskState} folded over the round trips of **every** bot of the account
 * (in close-time order, with the account's rules), and the positions held or pending by the account's
 * *other* bots. Absent in backtests (a backtested bot is alone on its simulated account).
 */
export interface AccountRiskContext {
  /** The account's rules (same shape as a bot's). */
  rules: RiskRules;
  /** Daily PnL, loss streak and pause across the account's bots. */
  state: RiskState;
  /** Positions held plus entries pending by the account's other bots. */
  otherOpen: number;
}

/** The state of a fresh bot: nothing recorded. */
export function initialRiskState(): RiskState {
  return { day: null, dayPnl: '0', lossStreak: 0, pausedUntil: null };
}

/** Start of the UTC day containing `ts` (Unix ms). */
export function utcDayStart(ts: number): number {
  return Math.floor(ts / DAY_MS) * DAY_MS;
}

/**
 * Folds one closed trade into the state (pure; returns a new state).
 * A trade of another UTC day than `state.day` starts a new day's PnL. A loss (`pnl < 0`) grows the streak;
 * when the streak reaches `rules.cooldown.afterLosses`, entries pause until `now + pauseMinutes` and the
 * streak restarts at 0. A zero or positive PnL resets the streak.
 * @param pnl net realized PnL of the trade (quote, decimal string)
 * @param now close time of the trade, Unix ms UTC
 * @param rules the bot's rules (only `cooldown` is used; without it no pause is started)
 */
export function recordResult(state: RiskState, pnl: string, now: number, rules: RiskRules = {}): RiskState {
  const day = utcDayStart(now);
  const base = state.day === day ? new Dec(state.dayPnl) : new Dec(0);
  const p = new Dec(pnl);
  const next: RiskState = { day, dayPnl: str(base.plus(p)), lossStreak: p.isNegative() && !p.isZero() ? state.lossStreak + 1 : 0, pausedUntil: state.pausedUntil };
  if (rules.cooldown && next.lossStreak >= rules.cooldown.afterLosses) {
    next.pausedUntil = now + Math.round(rules.cooldown.pauseMinutes * 60_000);
    next.lossStreak = 0;
  }
  return next;
}

/** Why an entry is refused: the rule and its numbers (for the UI). */
export type EntryBlock = {
  allowed: false;
  rule: 'cooldown' | 'dailyLossLimit' | 'maxOpenPositions';
  detail: Record<string, number | string>;
};

/** Outcome of {@link checkEntry}. */
export type EntryCheck = { allowed: true } | EntryBlock;

/**
 * May the bot open a new position now? Checks, in order: cooldown (`detail`: `pausedUntil`, `remainingMs`),
 * daily loss limit (`limit`, `lossToday` — decimal strings — and `resumesAt`, the next UTC midnight),
 * max open positions (`max`, `open`). The first failing rule is returned.
 * @param ctx `now` (Unix ms UTC) and the number of positions the bot holds
 */
export function checkEntry(rules: RiskRules, state: RiskState, ctx: { now: number; openPositions: number }): EntryCheck {
  const { now } = ctx;
  if (state.pausedUntil !== null && now < state.pausedUntil) {
    return { allowed: false, rule: 'cooldown', detail: { pausedUntil: state.pausedUntil, remainingMs: state.pausedUntil - now } };
  }
  if (rules.dailyLossLimit !== undefined && state.day === utcDayStart(now)) {
    const loss = new Dec(state.dayPnl).neg();
    if (loss.gte(rules.dailyLossLimit)) {
      return { allowed: false, rule: 'dailyLossLimit', detail: { limit: rules.dailyLossLimit, lossToday: str(loss), resumesAt: utcDayStart(now) + DAY_MS } };
    }
  }
  if (rules.maxOpenPositions !== undefined && ctx.openPositions >= rules.maxOpenPositions) {
    return { allowed: false, rule: 'maxOpenPositions', detail: { max: rules.maxOpenPositions, open: ctx.openPositions } };
  }
  return { allowed: true };
}

/** A held lot ({@link HeldLot}: key, symbol, side, amount, entry price, opened at) with its current price. */
export interface HeldPosition extends HeldLot {
  /** Current price (quote), e.g. the last close. */
  price: string;
}

/** A lot the rules demand be closed now (the strategy closes it on a `forceExit` event), with the rule and its numbers. */
export interface RiskExit {
  position: HeldPosition;
  rule: 'priceStop' | 'timeStop';
  detail: Record<string, number | string>;
}

/**
 * Lots that must be closed now, at most one exit per lot (price stop before time stop).
 * Price stop `detail`: `lossPct` (adverse move, decimal string), `stopLossPct`; time stop: `heldMs`, `maxHoldingMs`.
 * @param now Unix ms UTC
 */
export function riskExits(rules: RiskRules, positions: readonly HeldPosition[], now: number): RiskExit[] {
  const out: RiskExit[] = [];
  for (const p of positions) {
    if (rules.stopLossPct !== undefined) {
      const entry = new Dec(p.entryPrice);
      const move = new Dec(p.price).minus(entry).div(entry).mul(100);
      const lossPct = p.side === 'long' ? move.neg() : move;
      if (lossPct.gte(rules.stopLossPct)) {
        out.push({ position: p, rule: 'priceStop', detail: { lossPct: str(lossPct), stopLossPct: rules.stopLossPct } });
        continue;
      }
    }
    if (rules.maxHoldingMs !== undefined && now - p.openedAt >= rules.maxHoldingMs) {
      out.push({ position: p, rule: 'timeStop', detail: { heldMs: now - p.openedAt, maxHoldingMs: rules.maxHoldingMs } });
    }
  }
  return out;
}
