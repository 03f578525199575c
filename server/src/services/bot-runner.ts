/**
 * The runner of one bot: feeds a pure {@link Strategy} the venue's happenings and executes its intents
 * through the account's {@link ExchangeAdapter} (paper or live), persisting every decision before its side
 * effects.
 *
 * Inputs (one serial queue, so the strategy sees one event at a time, in arrival order):
 * - closed 15m candles of the bot's symbols from the market feed (a perpetual `BTC/USDT:USDT` follows the
 *   feed's `BTC/USDT`), detector signals (signal bots);
 * - the bot's fills and dead orders: pushed by the paper exchange as they happen; on live venues found by
 *   reconciling the orders in flight (every poll, on `watchOrders` pushes, and at resume).
 *
 * Restart safety (the trade machine's outbox pattern): a step's new strategy state and its intents (the
 * outbox) are written first; each intent is then executed and removed from the outbox. An intent still in
 * the outbox after a restart may or may not have reached the venue, so it is looked up by its deterministic
 * clientOrderId before being sent again: a restart between placing an order and saving never doubles it.
 * Fills are delivered once (ids remembered); an order's death once (it leaves the in-flight set).
 *
 * After a crash: before every write of the runtime (and of a fill row) the venue state it derives from is
 * saved first ({@link BotRunnerDeps.saveVenue}: a paper account's state with the market position), so the
 * venue is never behind the runtime; what the venue did after the last runtime write (fills of orders in
 * flight, orders that ended) is found at resume by looking every order in flight up — its fills by the order,
 * whatever their time. Events that arrive while the runner opens wait behind the resume on the queue, and a
 * closed candle is passed on once (the latest delivered per symbol is remembered).
 */
import type { Candle, MarketSignal } from '@osprey/shared';
import type { Db } from '../adapters/db/client.js';
import { insertBotEvents, insertBotTrades, updateBot, upsertBotSeries, type BotRow } from '../adapters/db/repos/bots-repo.js';
import { insertFills } from '../adapters/db/repos/trading-repo.js';
import { feedSymbol } from '../adapters/exchange/paper-exchange.js';
import type { Logger } from '../adapters/log.js';
import { gatedOpenCount } from '../domain/bots/risk-gate.js';
import type { AccountRiskContext } from '../domain/bots/risk.js';
import type { Intent, RoundTrip, Strategy, StrategyContext, StrategyEvent, StepResult } from '../domain/bots/strategy.js';
import { AmbiguousOrderError, AuthExchangeError, ExchangeError, RejectedOrderError } from '../domain/exchange/errors.js';
import type { Balance, ExchangeAdapter, Fill, MarketInfo, Order, Position } from '../domain/exchange/port.js';
import type { Clock } from '../domain/ports.js';
import { randomUUID } from 'node:crypto';
import Decimal from 'decimal.js';

/** Persisted runner state (`bots.runtime`), plain JSON. */
export interface BotRuntime {
  version: 1;
  /** The strategy's state. */
  strategy: unknown;
  /** Intents decided but not yet confirmed executed, in order. */
  outbox: Intent[];
  /** Orders placed and not finished, by clientOrderId (venue id once known). */
  working: Record<string, { symbol: string; orderId: string | null }>;
  /** Ids of the fills already delivered (the most recent 1 000). */
  seenFills: string[];
  /** Whether the `start` event was delivered. */
  started: boolean;
  /**
   * Per bot symbol, the open time (Unix ms) of the latest closed candle delivered: an older or repeated one is
   * not passed on again (e.g. a feed that resumed a little behind). Optional: runtimes saved before it lack it.
   */
  lastCandle?: Record<string, number>;
}

/** A fresh runtime for a strategy. */
export function initialRuntime(strategy: Strategy<unknown>): BotRuntime {
  return { version: 1, strategy: strategy.initialState(), outbox: [], working: {}, seenFills: [], started: false };
}

/** What the runner needs from the outside (the BotService wires it). */
export interface BotRunnerDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  adapter: ExchangeAdapter;
  /** True for paper accounts: fills and order changes are pushed ({@link BotRunner.onFill}/{@link BotRunner.onOrder}), not polled. */
  paper: boolean;
  /**
   * Saves the venue state the runner's next write depends on (a paper account's state, with the market clock's
   * position), called before every write of the runtime and of fill rows; resolves once saved (a failed save is
   * the saver's to report, it does not throw). Absent (live venues keep their own state): nothing to save.
   */
  saveVenue?(): Promise<void>;
  /** Recent closed 15m candles of a feed symbol for the start event's warm-up history. */
  history(feedSymbol: string): Promise<Candle[]>;
  /**
   * Runs one step under the account's risk: `step` gets the account's risk context (undefined when the
   * account sets no rules) and returns the round trips it closed and the bot's open positions (held +
   * pending entries), which the caller folds into the account's picture. Steps of the bots of one account
   * run one at a time here, so two bots deciding on the same candle both see each other's entries.
   */
  accountStep?(step: (account: AccountRiskContext | undefined) => Promise<{ closed: readonly RoundTrip[]; open: number }>): Promise<void>;
  /** Called after every persisted change (status, state, events). */
  changed(what: 'state' | 'event'): void;
  /** Called when the runner hits a failure it cannot recover from (the service marks the bot `error`). */
  failed(message: string): void;
}

const SEEN_FILLS = 1000;

/** Runs one bot (see the module doc). Created by the BotService for a bot it holds the lease of. */
export class BotRunner {
  private runtime: BotRuntime;
  private queue: Promise<void> = Promise.resolve();
  private markets: Record<string, MarketInfo> = {};
  /** Outbox intents loaded from the database: they may already be at the venue (look them up first). */
  private readonly uncertain = new Set<string>();
  private halted = false;
  /** While stopping: decisions are persisted but not executed (the next start executes them). */
  private executing = true;
  /** While closing its positions before a stop: new entries are refused (as the risk gate refuses them). */
  private liquidating = false;
  private readonly prefix: string;
  /** Per bot symbol, the open time of the latest closed candle queued for the strategy. */
  private readonly pushedCandle = new Map<string, number>();

  constructor(
    readonly bot: BotRow,
    readonly strategy: Strategy<unknown>,
    private readonly deps: BotRunnerDeps,
  ) {
    const rt = bot.runtime as BotRuntime | null;
    this.runtime = rt && rt.version === 1 ? structuredClone(rt) : initialRuntime(strategy);
    for (const it of this.runtime.outbox) if (it.type === 'place') this.uncertain.add(it.order.clientOrderId);
    this.prefix = `b${bot.id.replace(/[^A-Za-z0-9]/g, '').slice(0, 12)}x`;
  }

  /** The current runtime (a copy). */
  snapshot(): BotRuntime {
    return structuredClone(this.runtime);
  }

  /** Positions the bot holds plus entries in flight (what account rules count). */
  openCount(): number {
    return gatedOpenCount(this.strategy, this.runtime.strategy);
  }

  /** True when `clientOrderId` names an order of this bot. */
  owns(clientOrderId: string | null): boolean {
    return clientOrderId !== null && clientOrderId.startsWith(this.prefix);
  }

  /**
   * Prepares the runner: loads markets, checks the bot's symbols exist, sets leverage on perpetuals, then
   * (first start) delivers the `start` event with warm-up history, or (resume) finishes the outbox and
   * reconciles the orders in flight.
   * @throws ExchangeError from the venue; Error naming the symbol when the account lacks a market
   */
  async open(leverage: number): Promise<void> {
    // The first job of the queue: fills, order changes and candles pushed meanwhile wait behind it.
    let failure: { err: unknown } | null = null;
    await this.enqueue(async () => {
      try {
        this.markets = await this.deps.adapter.loadMarkets();
        for (const s of this.strategy.symbols) {
          if (!this.markets[s]) throw new Error(`symbol: ${s} is not a market of this account (${this.deps.adapter.marketType})`);
          if (this.deps.adapter.marketType === 'swap') await this.deps.adapter.setLeverage(s, leverage);
        }
        if (!this.runtime.started) {
          const history: Record<string, Candle[]> = {};
          for (const s of this.strategy.symbols) history[s] = await this.deps.history(feedSymbol(this.markets[s]!));
          this.runtime.started = true;
          await this.process({ type: 'start', history });
        } else {
          await this.drive();
          await this.reconcile();
        }
      } catch (err) {
        // The caller reports it (the service marks the bot `error`); nothing queued behind runs any more.
        this.halted = true;
        failure = { err };
      }
    });
    if (failure) throw (failure as { err: unknown }).err;
  }

  /**
   * A candle of the feed: only closed 15m candles are passed on, each once and in order (one not newer than the
   * latest passed on for the symbol is dropped). Candles arriving before {@link open} loaded the markets are
   * dropped too (the strategy cannot tell which of its symbols they price yet).
   */
  onFeedCandle(feedSym: string, candle: Candle, closed: boolean): void {
    if (!closed) return;
    for (const s of this.strategy.symbols) {
      const m = this.markets[s];
      if (!m || feedSymbol(m) !== feedSym) continue;
      const last = this.pushedCandle.get(s) ?? this.runtime.lastCandle?.[s];
      if (last !== undefined && candle.ts <= last) continue;
      this.pushedCandle.set(s, candle.ts);
      this.push({ type: 'candle', symbol: s, candle, closed: true });
    }
  }

  /** A detector signal; only signals of the feed symbols pricing the bot's markets are passed on (as in backtests). */
  onSignal(signal: MarketSignal): void {
    if (!this.strategy.symbols.some((s) => this.markets[s] && feedSymbol(this.markets[s]) === signal.symbol)) return;
    this.push({ type: 'signal', signal });
  }

  /** A fill pushed by the venue (paper). Others' fills are ignored; each fill is delivered once. */
  onFill(fill: Fill): void {
    if (!this.owns(fill.clientOrderId)) return;
    void this.enqueue(() => this.deliverFill(fill));
  }

  /** An order change pushed by the venue (paper): finished orders leave the in-flight set; dead ones are reported. */
  onOrder(order: Order): void {
    if (!this.owns(order.clientOrderId)) return;
    void this.enqueue(() => this.orderChanged(order));
  }

  /** Live venues: looks at every order in flight (fills, deaths) and retries the outbox. */
  poll(): Promise<void> {
    return this.enqueue(async () => {
      await this.drive();
      await this.reconcile();
    });
  }

  /**
   * Closes everything the bot holds, through the strategy's own exit path: from now on its new entries and
   * adds are refused (the strategy gets an `orderDead`, as for a risk refusal); its resting orders are
   * cancelled (so no buy fills while it closes; the strategy hears of each cancel); then every held lot gets
   * a `forceExit` (rule `manual`), which the strategy answers by closing it at market, booking the round trip
   * as usual. Resolves when all of that was processed (market closes may still be filling on a live venue).
   */
  closeAll(): Promise<void> {
    this.liquidating = true;
    return this.enqueue(async () => {
      await this.cancelWorking();
      for (const lot of this.strategy.held(this.runtime.strategy)) await this.process({ type: 'forceExit', key: lot.key, rule: 'manual' });
    });
  }

  /** Lots held now and orders in flight (what {@link closeAll} waits to see go to zero). */
  exposure(): { held: number; working: number } {
    return { held: this.strategy.held(this.runtime.strategy).length, working: Object.keys(this.runtime.working).length };
  }

  /** Waits until every queued event was processed. */
  idle(): Promise<void> {
    return this.enqueue(async () => undefined);
  }

  /**
   * Stops: waits for the queue, then (optionally) cancels every open order of the bot and tells the strategy
   * (its resulting decisions are kept in the outbox for the next start, not executed). Idempotent. On a paper
   * venue the orders in flight are looked at a last time: fills and ends pushed while the last job ran (e.g.
   * an order that filled at once as it was placed) are queued behind this stop and would not run, so they are
   * taken in here and the saved state matches the venue's.
   */
  async stop(cancelOrders: boolean): Promise<void> {
    await this.enqueue(async () => {
      this.executing = false;
      if (cancelOrders) await this.cancelWorking();
      else if (this.isPaper()) await this.reconcile();
    });
    this.halted = true;
  }

  /** Cancels every order of the bot in flight at the venue, then reconciles (the strategy hears of each end). */
  private async cancelWorking(): Promise<void> {
    for (const [cid, w] of Object.entries(this.runtime.working)) {
      try {
        const id = w.orderId ?? (await this.deps.adapter.fetchOrderByClientId(cid, w.symbol))?.id;
        if (id) await this.deps.adapter.cancelOrder(id, w.symbol);
      } catch (err) {
        if (!(err instanceof RejectedOrderError)) throw err;
      }
    }
    await this.reconcile();
  }

  // ─── internals ───────────────────────────────────────────────────────────────────────────────────────

  private push(event: StrategyEvent): void {
    void this.enqueue(() => this.process(event));
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    const p = this.queue.then(async () => {
      if (this.halted) return;
      try {
        await job();
      } catch (err) {
        this.fail(err);
      }
    });
    this.queue = p;
    return p;
  }

  private fail(err: unknown): void {
    if (this.halted) return;
    this.halted = true;
    const message = err instanceof Error ? err.message : String(err);
    this.deps.log.error({ botId: this.bot.id, err }, 'bot runner failed');
    this.deps.failed(message);
  }

  private async context(): Promise<StrategyContext> {
    const a = this.deps.adapter;
    const [balances, positions] = await Promise.all([a.fetchBalance(), a.marketType === 'swap' ? a.fetchPositions() : Promise.resolve([] as Position[])]);
    return { now: this.deps.clock.now(), markets: this.markets, balances: balances as Balance[], positions };
  }

  /** Steps the strategy with one event, persists the result, then executes the outbox. */
  private async process(event: StrategyEvent): Promise<void> {
    if (event.type === 'candle') this.runtime.lastCandle = { ...this.runtime.lastCandle, [event.symbol]: event.candle.ts };
    const step = async (account?: AccountRiskContext) => {
      const ctx = await this.context();
      if (account) ctx.account = account;
      const r = this.strategy.step(this.runtime.strategy, event, ctx) as StepResult<unknown>;
      this.runtime.strategy = r.state;
      this.runtime.outbox.push(...r.intents);
      await this.persist(r, ctx.now);
      return { closed: r.closed ?? [], open: this.openCount() };
    };
    if (this.deps.accountStep) await this.deps.accountStep(step);
    else await step();
    await this.drive();
  }

  private async persist(r: Pick<StepResult<unknown>, 'closed' | 'notes' | 'points'> | null, now: number): Promise<void> {
    const botId = this.bot.id;
    // The venue first: after a crash it is never behind the runtime written next.
    await this.deps.saveVenue?.();
    const summary = this.strategy.summary(this.runtime.strategy);
    await this.deps.db.transaction(async (tx) => {
      await updateBot(tx, botId, { runtime: this.runtime as unknown as Record<string, unknown>, realizedPnl: summary.realizedPnl, roundTrips: summary.roundTrips, openPositions: this.openCount(), updatedAt: now });
      if (r?.closed?.length) await insertBotTrades(tx, r.closed.map((t) => ({ botId, ...t })));
      if (r?.notes?.length) await insertBotEvents(tx, r.notes.map((n) => ({ botId, ts: now, kind: n.kind, code: n.code, message: n.message, detail: n.detail })));
      if (r?.points?.length) await upsertBotSeries(tx, r.points.map((p) => ({ botId, series: p.series, ts: p.ts, value: p.value })));
    });
    this.deps.changed(r?.notes?.length ? 'event' : 'state');
  }

  /** Executes the outbox in order; an intent that must wait (venue unreachable) stays for the next poll. */
  private async drive(): Promise<void> {
    while (this.executing && this.runtime.outbox.length > 0) {
      const intent = this.runtime.outbox[0]!;
      const refused = this.liquidating && intent.type === 'place' && intent.role !== 'exit';
      const outcome = refused ? { kind: 'dead' as const, message: 'the bot is closing its positions' } : await this.execute(intent);
      if (outcome.kind === 'retry') {
        this.deps.log.warn({ botId: this.bot.id, message: outcome.message }, 'bot intent will be retried');
        return;
      }
      this.runtime.outbox.shift();
      if (intent.type === 'place') this.uncertain.delete(intent.order.clientOrderId);
      await this.persist(null, this.deps.clock.now());
      if (outcome.kind === 'dead' && intent.type === 'place') {
        const cid = intent.order.clientOrderId;
        await insertBotEvents(this.deps.db, [{ botId: this.bot.id, ts: this.deps.clock.now(), kind: 'info', code: 'order.rejected', message: `order ${cid} rejected: ${outcome.message}`, detail: { clientOrderId: cid } }]);
        this.push({ type: 'orderDead', clientOrderId: cid, symbol: intent.order.symbol, reason: 'rejected', message: outcome.message });
      }
    }
  }

  private async execute(intent: Intent): Promise<{ kind: 'ok' } | { kind: 'dead'; message: string } | { kind: 'retry'; message: string }> {
    const a = this.deps.adapter;
    try {
      if (intent.type === 'cancel') {
        const w = this.runtime.working[intent.clientOrderId];
        if (!w) return { kind: 'ok' };
        const id = w.orderId ?? (await a.fetchOrderByClientId(intent.clientOrderId, w.symbol))?.id;
        if (!id) return { kind: 'ok' };
        try {
          await a.cancelOrder(id, w.symbol);
        } catch (err) {
          if (!(err instanceof RejectedOrderError)) throw err; // already gone: reconcile reports it
        }
        if (!this.isPaper()) await this.reconcileOne(intent.clientOrderId);
        return { kind: 'ok' };
      }
      const req = intent.order;
      const cid = req.clientOrderId;
      if (this.uncertain.has(cid)) {
        const found = await a.fetchOrderByClientId(cid, req.symbol);
        if (found) {
          this.runtime.working[cid] = { symbol: req.symbol, orderId: found.id };
          return { kind: 'ok' };
        }
      }
      this.runtime.working[cid] = { symbol: req.symbol, orderId: null };
      try {
        const o = await a.createOrder(req);
        if (this.runtime.working[cid]) this.runtime.working[cid] = { symbol: req.symbol, orderId: o.id };
        if (!this.isPaper()) await this.reconcileOne(cid);
        return { kind: 'ok' };
      } catch (err) {
        if (err instanceof RejectedOrderError) {
          delete this.runtime.working[cid];
          return { kind: 'dead', message: err.message };
        }
        if (err instanceof AmbiguousOrderError) {
          this.uncertain.add(cid);
          return { kind: 'retry', message: err.message };
        }
        delete this.runtime.working[cid];
        throw err;
      }
    } catch (err) {
      if (err instanceof AuthExchangeError) throw err;
      if (err instanceof ExchangeError) return { kind: 'retry', message: err.message };
      throw err;
    }
  }

  /** True on a paper account (fills are pushed, nothing needs polling). */
  isPaper(): boolean {
    return this.deps.paper;
  }

  private async deliverFill(fill: Fill): Promise<void> {
    if (this.runtime.seenFills.includes(fill.id)) return;
    this.runtime.seenFills.push(fill.id);
    if (this.runtime.seenFills.length > SEEN_FILLS) this.runtime.seenFills.splice(0, this.runtime.seenFills.length - SEEN_FILLS);
    await this.deps.saveVenue?.();
    await insertFills(this.deps.db, [
      { id: randomUUID(), accountId: this.bot.accountId, orderId: fill.orderId, clientOrderId: fill.clientOrderId, exchangeFillId: fill.id, symbol: fill.symbol, side: fill.side, price: fill.price, amount: fill.amount, fee: fill.fee, feeCurrency: fill.feeCurrency, liquidity: fill.liquidity, ts: fill.ts },
    ]);
    await this.process({ type: 'fill', fill });
  }

  private async orderChanged(o: Order): Promise<void> {
    const cid = o.clientOrderId!;
    const w = this.runtime.working[cid];
    if (!w) return;
    if (o.status === 'open') {
      if (w.orderId !== o.id) w.orderId = o.id;
      return;
    }
    delete this.runtime.working[cid];
    if (o.status === 'closed') {
      await this.persist(null, this.deps.clock.now());
      return;
    }
    await this.process({ type: 'orderDead', clientOrderId: cid, symbol: o.symbol, reason: o.status === 'expired' ? 'expired' : o.status === 'rejected' ? 'rejected' : 'canceled' });
  }

  /** Checks every order in flight (see {@link reconcileOne}). */
  private async reconcile(): Promise<void> {
    for (const cid of Object.keys(this.runtime.working)) await this.reconcileOne(cid);
  }

  /**
   * Looks an order in flight up at the venue: delivers its unseen fills (every fill of the order, asked for by
   * order id whatever their time), and its end when it ended. A finished order whose fills the venue does not
   * list completely yet (a lagging trades endpoint) stays in flight and is looked at again on the next poll.
   */
  private async reconcileOne(cid: string): Promise<void> {
    const w = this.runtime.working[cid];
    if (!w) return;
    const a = this.deps.adapter;
    let o: Order | null = null;
    try {
      o = w.orderId ? await a.fetchOrder(w.orderId, w.symbol) : await a.fetchOrderByClientId(cid, w.symbol);
    } catch (err) {
      if (!(err instanceof RejectedOrderError && err.code === 'ORDER_NOT_FOUND')) throw err;
    }
    if (!o) {
      delete this.runtime.working[cid];
      await this.process({ type: 'orderDead', clientOrderId: cid, symbol: w.symbol, reason: 'canceled', message: 'the venue does not know the order' });
      return;
    }
    w.orderId = o.id;
    let listed = new Decimal(0);
    if (new Decimal(o.filled).gt(0)) {
      const fills = await a.fetchOrderFills(o.id, w.symbol);
      for (const f of fills) {
        listed = listed.plus(f.amount);
        await this.deliverFill({ ...f, clientOrderId: f.clientOrderId ?? cid });
      }
    }
    if (o.status === 'open') return;
    if (listed.lt(o.filled)) {
      this.deps.log.warn({ botId: this.bot.id, clientOrderId: cid, filled: o.filled, listed: listed.toFixed() }, 'the venue lists fewer fills than the order filled; looking again on the next poll');
      return;
    }
    await this.orderChanged({ ...o, clientOrderId: cid });
  }
}
