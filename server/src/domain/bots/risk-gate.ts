/**
 * The risk gate: {@link withRiskRules} wraps any {@link Strategy} with a bot's {@link RiskRules}, as a
 * strategy itself (pure; its state is plain JSON holding the inner strategy's state).
 *
 * - Entries: every `place` intent with role `entry` or `add` the inner strategy returns is checked with
 *   {@link checkEntry} (cooldown, daily UTC loss limit, max open positions). Open positions = the inner
 *   strategy's held lots + the entries the gate let through that have neither filled nor died yet (so a
 *   ladder of limit buys placed at once, or two signals before the first fill, cannot exceed the limit).
 *   A refused entry is dropped and the inner strategy immediately gets an `orderDead` event for it (reason
 *   `rejected`, message `risk: …`); whatever that step returns is gated the same way, until no entry is
 *   refused (more than {@link MAX_RESTEPS} re-steps in one event throws: the inner strategy re-places what is
 *   refused). Exits (role `exit`) and cancels always pass.
 * - Block notes: kind `risk`, code `risk.<rule>`, the rule's numbers in `detail` — only when a block starts
 *   after entries were allowed (or none was checked yet) or the blocking rule changes, not for every refused
 *   order.
 * - Forced exits: on every closed candle (after the inner strategy has seen it), {@link riskExits} runs over
 *   the inner strategy's held lots priced at the gate's last close of each lot's symbol (lots of a symbol
 *   without a close yet are skipped): a price stop or time stop sends a `forceExit` {key, rule} event into
 *   the inner strategy plus a `risk.priceStop` / `risk.timeStop` note. A key is sent once while it stays held.
 * - Position units: lots and entries naming the same `unit` (both legs of a spread cycle) are one position
 *   for max open positions, and the round trips of one unit closed in a step are one result (pnl summed) for
 *   the daily loss limit and the cooldown streak.
 * - Results: every result (round trip, or unit of round trips) the inner strategy closes is folded into the
 *   risk state with {@link recordResult} (at its `closedAt`); a cooldown starting or the daily loss limit being reached gives a
 *   note `risk.cooldownStarted` / `risk.dailyLossLimitReached`.
 * - Account rules: when the runner passes `ctx.account` ({@link AccountRiskContext}), an entry the bot's own rules
 *   allow must also pass the account's rules, with the account's risk state (round trips of all its bots,
 *   plus those this event closes) and open positions = the other bots' + this bot's held and pending. Such a
 *   block is noted as `risk.account.<rule>`. The account's price and time stops apply to this bot's lots
 *   where the bot sets none.
 * - `held`, `summary`, `type`, `botId` and `symbols` are the inner strategy's.
 */
import type { RiskRules, SeriesPoint } from '@osprey/shared';
import { Dec, str } from '../trading/precision.js';
import { checkEntry, initialRiskState, parseRiskRules, recordResult, riskExits, type EntryBlock, type RiskState } from './risk.js';
export type { AccountRiskContext } from './risk.js';
import { roundTripUnits, type HeldLot, type Intent, type RoundTrip, type RoundTripUnit, type StepResult, type Strategy, type StrategyContext, type StrategyEvent, type StrategyNote } from './strategy.js';

/** Most inner steps one event may cause (re-steps after refused entries and forced exits). */
export const MAX_RESTEPS = 1000;

const DAY_MS = 86_400_000;

/** State of a gated strategy (plain JSON). */
export interface RiskGateState<S> {
  /** The inner strategy's state. */
  inner: S;
  /** Daily PnL, loss streak and pause of the rules. */
  risk: RiskState;
  /** Last closed-candle close per symbol (quote). */
  last: Record<string, number>;
  /** Keys a `forceExit` was sent for (dropped once no longer held). */
  exiting: string[];
  /** Entries let through that have neither filled nor died: clientOrderId → symbol. */
  pendingEntries: Record<string, string>;
  /** The position unit of each pending entry that names one (clientOrderId → unit). */
  pendingUnits?: Record<string, string>;
  /**
   * Rule of the current run of refused entries (`account.<rule>` for the account's rules), or null after an
   * entry was allowed (or before any).
   */
  blocking: EntryBlock['rule'] | `account.${EntryBlock['rule']}` | null;
}

const iso = (ts: number) => new Date(ts).toISOString();

/** One sentence for a refused entry. */
function blockText(b: EntryBlock): string {
  const d = b.detail;
  if (b.rule === 'cooldown') return `cooldown after consecutive losses, entries paused until ${iso(Number(d.pausedUntil))} (${Math.ceil(Number(d.remainingMs) / 60_000)} min left)`;
  if (b.rule === 'dailyLossLimit') return `daily loss limit ${d.limit} reached (loss today ${d.lossToday}), entries resume at ${iso(Number(d.resumesAt))}`;
  return `max open positions ${d.max} reached (${d.open} open or pending)`;
}

/**
 * Wraps `inner` with the risk rules (see the module doc).
 * @param inner the strategy to gate
 * @param rules the bot's risk rules (validated again with the shared schema; `{}` gates nothing but keeps the state shape)
 * @throws RiskRulesError naming the offending rule; from `step`, Error when one event causes more than
 *   {@link MAX_RESTEPS} inner steps
 */
export function withRiskRules<S>(inner: Strategy<S>, rules: RiskRules): Strategy<RiskGateState<S>> {
  const cfg = parseRiskRules(rules);
  const symbols = new Set(inner.symbols);

  return {
    type: inner.type,
    botId: inner.botId,
    symbols: inner.symbols,
    initialState(): RiskGateState<S> {
      return { inner: inner.initialState(), risk: initialRiskState(), last: {}, exiting: [], pendingEntries: {}, blocking: null };
    },
    step(state: RiskGateState<S>, event: StrategyEvent, ctx: StrategyContext): StepResult<RiskGateState<S>> {
      let innerState = state.inner;
      let risk = state.risk;
      let blocking = state.blocking;
      let last = state.last;
      let pending = state.pendingEntries;
      let pendingUnits = state.pendingUnits ?? {};
      let exiting = state.exiting;
      const account = ctx.account;
      let accountRisk = account?.state;
      // Price and time stops: the bot's own, else the account's.
      const exitCfg: RiskRules = { stopLossPct: cfg.stopLossPct ?? account?.rules.stopLossPct, maxHoldingMs: cfg.maxHoldingMs ?? account?.rules.maxHoldingMs };
      const exitRules = exitCfg.stopLossPct !== undefined || exitCfg.maxHoldingMs !== undefined;
      const intents: Intent[] = [];
      const closed: RoundTrip[] = [];
      const points: SeriesPoint[] = [];
      const notes: StrategyNote[] = [];
      const closedCandle = event.type === 'candle' && event.closed && symbols.has(event.symbol);
      if (closedCandle) last = { ...last, [event.symbol]: event.candle.close };

      const forget = (id: string | null) => {
        if (id === null || !(id in pending)) return;
        pending = { ...pending };
        delete pending[id];
        if (pendingUnits[id] !== undefined) {
          pendingUnits = { ...pendingUnits };
          delete pendingUnits[id];
        }
      };

      /** Notes a cooldown starting / the daily limit being reached between `before` and `after` under `rules`. */
      const transitions = (rules: RiskRules, before: RiskState, after: RiskState, rt: RoundTripUnit, scope: '' | 'account.') => {
        const who = scope ? 'Account: ' : '';
        if (rules.cooldown && after.pausedUntil !== before.pausedUntil && after.pausedUntil !== null) {
          notes.push({
            kind: 'risk',
            code: `risk.${scope}cooldownStarted`,
            message: `${who}${rules.cooldown.afterLosses} consecutive losing trades (last ${rt.symbols} ${rt.pnl}${rt.legs.length > 1 ? ` net over ${rt.legs.length} legs` : ''}): entries paused ${rules.cooldown.pauseMinutes} min, until ${iso(after.pausedUntil)}`,
            detail: { afterLosses: rules.cooldown.afterLosses, pauseMinutes: rules.cooldown.pauseMinutes, pausedUntil: after.pausedUntil, lastPnl: rt.pnl },
          });
        }
        if (rules.dailyLossLimit !== undefined && after.day !== null) {
          const lossBefore = before.day === after.day ? new Dec(before.dayPnl).neg() : new Dec(0);
          const loss = new Dec(after.dayPnl).neg();
          if (loss.gte(rules.dailyLossLimit) && lossBefore.lt(rules.dailyLossLimit)) {
            notes.push({
              kind: 'risk',
              code: `risk.${scope}dailyLossLimitReached`,
              message: `${scope ? 'Account: realized' : 'Realized'} loss today ${str(loss)} reached the daily limit ${rules.dailyLossLimit}: no entries until ${iso(after.day + DAY_MS)}`,
              detail: { limit: rules.dailyLossLimit, lossToday: str(loss), resumesAt: after.day + DAY_MS },
            });
          }
        }
      };

      /** Folds one result — a position unit, e.g. a whole spread cycle with its legs' pnl summed — into the rules' state. */
      const record = (rt: RoundTripUnit) => {
        const before = risk;
        risk = recordResult(risk, rt.pnl, rt.closedAt, cfg);
        transitions(cfg, before, risk, rt, '');
        if (account && accountRisk) {
          const accountBefore = accountRisk;
          accountRisk = recordResult(accountRisk, rt.pnl, rt.closedAt, account.rules);
          transitions(account.rules, accountBefore, accountRisk, rt, 'account.');
        }
      };

      const queue: StrategyEvent[] = [event];
      let steps = 0;
      const pump = () => {
        while (queue.length > 0) {
          if (++steps > MAX_RESTEPS) throw new Error(`risk gate of ${inner.type} bot ${inner.botId}: more than ${MAX_RESTEPS} inner steps for one ${event.type} event (the strategy keeps re-placing refused entries)`);
          const ev = queue.shift()!;
          if (ev.type === 'fill') forget(ev.fill.clientOrderId);
          if (ev.type === 'orderDead') forget(ev.clientOrderId);
          const r = inner.step(innerState, ev, ctx);
          innerState = r.state;
          if (r.points) points.push(...r.points);
          if (r.notes) notes.push(...r.notes);
          if (r.closed) {
            closed.push(...r.closed);
            for (const u of roundTripUnits(r.closed)) record(u);
          }
          let units: Set<string> | null = null;
          for (const it of r.intents) {
            if (it.type !== 'place' || it.role === 'exit') {
              intents.push(it);
              continue;
            }
            units ??= openUnits(inner.held(innerState), pending, pendingUnits);
            // An add, or an entry of a unit already held or pending (a spread's second leg), grows a position
            // already counted: it is checked as if one fewer were open.
            const own = units.size - (it.role === 'add' || (it.unit !== undefined && units.has(`u:${it.unit}`)) ? 1 : 0);
            let check = checkEntry(cfg, risk, { now: ctx.now, openPositions: own });
            let rule: NonNullable<RiskGateState<S>['blocking']> | null = check.allowed ? null : check.rule;
            if (check.allowed && account && accountRisk) {
              check = checkEntry(account.rules, accountRisk, { now: ctx.now, openPositions: account.otherOpen + own });
              if (!check.allowed) rule = `account.${check.rule}`;
            }
            if (check.allowed || rule === null) {
              blocking = null;
              if (it.role === 'entry') {
                pending = { ...pending, [it.order.clientOrderId]: it.order.symbol };
                if (it.unit !== undefined) pendingUnits = { ...pendingUnits, [it.order.clientOrderId]: it.unit };
                units = null;
              }
              intents.push(it);
              continue;
            }
            const text = (rule.startsWith('account.') ? 'account rule: ' : '') + blockText(check);
            if (blocking !== rule) {
              notes.push({ kind: 'risk', code: `risk.${rule}`, message: `Entry ${it.order.clientOrderId} (${it.order.side} ${it.order.amount} ${it.order.symbol}) refused: ${text}`, detail: { ...check.detail, symbol: it.order.symbol } });
              blocking = rule;
            }
            queue.push({ type: 'orderDead', clientOrderId: it.order.clientOrderId, symbol: it.order.symbol, reason: 'rejected', message: `risk: ${text}` });
          }
        }
      };
      pump();

      if (closedCandle && exitRules) {
        const lots = inner.held(innerState);
        const keys = new Set(lots.map((l) => l.key));
        if (exiting.some((k) => !keys.has(k))) exiting = exiting.filter((k) => keys.has(k));
        const priced = lots.filter((l) => last[l.symbol] !== undefined && !exiting.includes(l.key)).map((l: HeldLot) => ({ ...l, price: str(new Dec(last[l.symbol]!)) }));
        for (const x of riskExits(exitCfg, priced, ctx.now)) {
          const p = x.position;
          exiting = [...exiting, p.key];
          const what = `${p.symbol} ${p.side} ${p.amount} (lot ${p.key}, entry ${p.entryPrice})`;
          const message =
            x.rule === 'priceStop'
              ? `Price stop: ${what} is ${x.detail.lossPct} % against its entry at ${p.price} (limit ${x.detail.stopLossPct} %): closing`
              : `Time stop: ${what} held ${Math.round(Number(x.detail.heldMs) / 60_000)} min (limit ${Math.round(Number(x.detail.maxHoldingMs) / 60_000)} min): closing`;
          notes.push({ kind: 'risk', code: `risk.${x.rule}`, message, detail: { ...x.detail, key: p.key, symbol: p.symbol, side: p.side, entryPrice: p.entryPrice, price: p.price } });
          queue.push({ type: 'forceExit', key: p.key, rule: x.rule });
        }
        pump();
      }

      const next: RiskGateState<S> = { inner: innerState, risk, last, exiting, pendingEntries: pending, blocking };
      if (Object.keys(pendingUnits).length) next.pendingUnits = pendingUnits;
      const out: StepResult<RiskGateState<S>> = { state: next, intents };
      if (closed.length) out.closed = closed;
      if (points.length) out.points = points;
      if (notes.length) out.notes = notes;
      return out;
    },
    held(state: RiskGateState<S>): HeldLot[] {
      return inner.held(state.inner);
    },
    summary(state: RiskGateState<S>) {
      return inner.summary(state.inner);
    },
  };
}

/**
 * Position units a gated strategy holds plus the entries the gate let through that have neither filled nor
 * died (a spread cycle's two legs are one unit): what the account's `maxOpenPositions` counts for this bot.
 * @param strategy a strategy built by {@link withRiskRules} (every bot's is)
 * @param state its state
 */
export function gatedOpenCount(strategy: Strategy<unknown>, state: unknown): number {
  const s = state as Partial<RiskGateState<unknown>> | null;
  return openUnits(strategy.held(state), s?.pendingEntries ?? {}, s?.pendingUnits ?? {}).size;
}

/**
 * The open position units: each held lot's unit (or the lot itself when it names none) and each pending
 * entry's unit (or the entry itself). Keys are prefixed (`u:` unit, `k:` lot key, `p:` pending clientOrderId).
 */
function openUnits(held: readonly HeldLot[], pending: Record<string, string>, pendingUnits: Record<string, string>): Set<string> {
  const units = new Set<string>();
  for (const l of held) units.add(l.unit !== undefined ? `u:${l.unit}` : `k:${l.key}`);
  for (const cid of Object.keys(pending)) units.add(pendingUnits[cid] !== undefined ? `u:${pendingUnits[cid]}` : `p:${cid}`);
  return units;
}
