/**
 * Bots: CRUD, lifecycle (start / stop / delete), and the runners of running bots.
 *
 * - Exactly one runner per bot across processes: a runner works only while its process holds the bot's lease
 *   (`bots.lease_owner`/`lease_until`), renewed by a heartbeat every third of the lease; a process that loses
 *   the lease (or sees the bot stopped elsewhere) drops its runner. An expired lease (crashed process) is
 *   taken over by the next process that tries. The lease records its holder's process identity
 *   (`domain/bots/lease.ts`), so a crashed holder known to be gone — on this host and boot, its pid not
 *   alive, or it had this process's pid (a previous incarnation) — is taken over at once, with a
 *   compare-and-set on the recorded owner (never two runners: a live holder is never judged gone).
 * - Bots that were running resume at server start ({@link BotService.resumeAll}); a graceful shutdown keeps
 *   their status `running` and releases the leases, so the next start picks them up at once.
 * - Account risk rules (`account_risk_rules`) apply across every bot of an account: before each step of a bot
 *   whose account has rules, the service reads the account's picture from the database — the rules and
 *   {@link RiskState} folded over all its bots' round trips (incrementally), and each bot's open positions
 *   (`bots.open_positions`, written by every runner with its state) — so bots run by other processes count
 *   too; the runner's gate gets it in `ctx.account`.
 * - A failure the runner cannot recover from (a bug, an auth error, a missing market) stops the bot with
 *   status `error` and the message in `last_error` (and as an `error` event).
 */
import { randomUUID } from 'node:crypto';
import Decimal from 'decimal.js';
import { and, desc, eq, like } from 'drizzle-orm';
import {
  riskRulesSchema,
  type AccountRiskView,
  type RiskRules,
  botConfigSchema,
  botSymbols,
  type BotChange,
  type BotCloseResult,
  type BotConfig,
  type BotHoldingView,
  type BotCreateInput,
  type BotDetail,
  type BotEventView,
  type BotOrdersView,
  type BotUpdateInput,
  type BotView,
  type Candle,
  type FillView,
  type OrderView,
} from '@osprey/shared';
import { systemClock } from '../adapters/clock.js';
import type { Db } from '../adapters/db/client.js';
import { findAccountOfUser } from '../adapters/db/repos/accounts-repo.js';
import {
  acquireLease,
  deleteBot,
  findAccountRiskRules,
  listAccountRoundTrips,
  listAccountOpenPositions,
  upsertAccountRiskRules,
  findBotById,
  findBotOfUser,
  insertBot,
  insertBotEvents,
  listBotEvents,
  listBotSeries,
  listBotTrades,
  listBotsByUser,
  listBotsOfAccount,
  listRunningBots,
  releaseLease,
  takeOverLease,
  updateBot,
  type BotRow,
} from '../adapters/db/repos/bots-repo.js';
import { listCandles } from '../adapters/db/repos/candles-repo.js';
import { fills as fillsTable } from '../adapters/db/schema/index.js';
import type { Logger } from '../adapters/log.js';
import { currentProcess, pidAlive } from '../adapters/process-identity.js';
import { createBotStrategy } from '../domain/bots/factory.js';
import { encodeLeaseOwner, holderIsGone, parseLeaseOwner, type ProcessIdentity } from '../domain/bots/lease.js';
import { unrealizedPnl } from '../domain/trading/pnl.js';
import { str } from '../domain/trading/precision.js';
import { initialRiskState, recordResult, utcDayStart, type RiskState } from '../domain/bots/risk.js';
import { botOrderId } from '../domain/bots/strategy.js';
import type { Clock } from '../domain/ports.js';
import { BotRunner, type BotRunnerDeps, type BotRuntime } from './bot-runner.js';
import { AppError } from './errors.js';
import type { EventBus } from './event-bus.js';
import type { ExchangeHub, OpenAccount } from './exchange-factory.js';

/** Options of {@link BotService}. */
export interface BotServiceOptions {
  db: Db;
  bus: EventBus;
  /** Market clock (replay time on the offline default): strategy time and event stamps. */
  clock: Clock;
  hub: ExchangeHub;
  log: Logger;
  /** ccxt id of the market feed (whose candles and signals drive the bots). */
  feedExchange: string;
  /** Lease length, ms of wall time (default 30 000). */
  leaseMs?: number;
  /** Live venues: how often orders in flight are reconciled, ms (default 10 000). */
  pollMs?: number;
  /** Wall clock for leases (default the system clock). */
  wallClock?: Clock;
  /** This service's instance id (default a random uuid); the lease owner recorded is it with the process identity. */
  instanceId?: string;
  /** The process identity recorded in leases (default this process's, see `adapters/process-identity.ts`). */
  processIdentity?: ProcessIdentity;
  /** Whether a pid on this host is alive (default `process.kill(pid, 0)`). */
  pidAlive?: (pid: number) => boolean;
  /** Closed 15m candles given to a starting bot for warm-up (default 200). */
  historyCandles?: number;
}

interface Live {
  runner: BotRunner;
  offs: Array<() => void>;
  timers: NodeJS.Timeout[];
}

const MS_15M = 15 * 60_000;

type AccountStep = Parameters<NonNullable<BotRunnerDeps['accountStep']>>[0];

/** What this process keeps of an account's risk (see the module doc). */
interface AccountRisk {
  rules: RiskRules;
  /** Folded over the account's round trips up to `lastTradeId`. */
  state: RiskState;
  /** Highest `bot_trades.id` folded in. */
  lastTradeId: number;
}

/** The bots service (see the module doc). */
export class BotService {
  private readonly live = new Map<string, Live>();
  private readonly waiting = new Map<string, NodeJS.Timeout>();
  private readonly accountRisks = new Map<string, Promise<AccountRisk>>();
  /** Tail of the queue of steps per account with rules (see {@link accountStep}). */
  private readonly accountLocks = new Map<string, Promise<void>>();
  /** The `lease_owner` this service writes ({@link encodeLeaseOwner}). */
  private readonly owner: string;
  private readonly me: ProcessIdentity;
  private readonly pidAlive: (pid: number) => boolean;
  private readonly leaseMs: number;
  private readonly wall: Clock;
  private closed = false;

  constructor(private readonly o: BotServiceOptions) {
    this.me = o.processIdentity ?? currentProcess();
    this.pidAlive = o.pidAlive ?? pidAlive;
    this.owner = encodeLeaseOwner({ instance: o.instanceId ?? randomUUID(), ...this.me });
    this.leaseMs = o.leaseMs ?? 30_000;
    this.wall = o.wallClock ?? systemClock;
  }

  /** The caller's bots. */
  async list(userId: string): Promise<BotView[]> {
    return (await listBotsByUser(this.o.db, userId)).map((r) => this.view(r, r.accountName));
  }

  /**
   * One bot with its state, events (newest first), round trips and series.
   * @throws AppError NOT_FOUND
   */
  async detail(userId: string, id: string): Promise<BotDetail> {
    const row = await this.own(userId, id);
    const account = await findAccountOfUser(this.o.db, userId, row.accountId);
    const [events, trades, series] = await Promise.all([listBotEvents(this.o.db, id), listBotTrades(this.o.db, id), listBotSeries(this.o.db, id)]);
    const runtime = (this.live.get(id)?.runner.snapshot() ?? row.runtime) as BotRuntime | null;
    return {
      bot: this.view(row, account?.name ?? ''),
      state: runtime?.strategy ?? null,
      events: events.map((e): BotEventView => ({ id: e.id, botId: e.botId, ts: e.ts, kind: e.kind, code: e.code, message: e.message, detail: e.detail })),
      trades: trades.map(({ id: _id, botId: _b, unit, ...t }) => (unit ? { ...t, unit } : t)),
      series,
    };
  }

  /**
   * Creates a stopped bot.
   * @throws AppError NOT_FOUND (account), BAD_REQUEST naming the field (market type mismatch, unknown symbol)
   */
  async create(userId: string, input: BotCreateInput): Promise<BotView> {
    const config = botConfigSchema.parse(input.config);
    const account = await this.checkAccount(userId, input.accountId, config);
    const now = this.wall.now();
    const row = await insertBot(this.o.db, { id: randomUUID(), userId, accountId: account.id, name: input.name.trim(), type: config.type, config, status: 'stopped', createdAt: now, updatedAt: now });
    this.emit(row, 'status');
    return this.view(row, account.name);
  }

  /**
   * Edits a stopped bot. A changed config starts from a fresh strategy state, so it is refused while the
   * bot still holds positions or has orders in flight.
   * @throws AppError NOT_FOUND, CONFLICT (running, or holding positions/orders with a config change), BAD_REQUEST
   */
  async update(userId: string, input: BotUpdateInput): Promise<BotView> {
    const row = await this.own(userId, input.id);
    if (row.status === 'running') throw new AppError('CONFLICT', 'status: stop the bot before editing it');
    const config = botConfigSchema.parse(input.config);
    const account = await this.checkAccount(userId, input.accountId, config);
    const changed = JSON.stringify(config) !== JSON.stringify(row.config) || account.id !== row.accountId;
    let runtime = row.runtime;
    if (changed && runtime) {
      const rt = runtime as unknown as BotRuntime;
      const held = createBotStrategy(row.id, row.config).held(rt.strategy);
      const working = Object.keys(rt.working).length;
      if (held.length > 0 || working > 0) {
        throw new AppError('CONFLICT', `config: the bot still holds ${held.length} position(s) and ${working} open order(s); start it and stop it with "cancel orders", and close what it holds, before changing its config`);
      }
      runtime = null;
    }
    const next = await updateBot(this.o.db, row.id, { name: input.name.trim(), accountId: account.id, type: config.type, config, runtime, ...(runtime === null ? { openPositions: 0 } : {}), updatedAt: this.wall.now() });
    // The bot's round trips count for the account it is on: both accounts' folds change when it moves.
    this.accountRisks.delete(row.accountId);
    this.accountRisks.delete(account.id);
    if (!next) throw new AppError('NOT_FOUND', 'id: no such bot');
    this.emit(next, 'status');
    return this.view(next, account.name);
  }

  /**
   * Starts a stopped bot (status `running`, its runner takes the lease).
   * @throws AppError NOT_FOUND, CONFLICT when already running
   */
  async start(userId: string, id: string): Promise<BotView> {
    const row = await this.own(userId, id);
    if (row.status === 'running') throw new AppError('CONFLICT', 'status: the bot is already running');
    const now = this.wall.now();
    const next = (await updateBot(this.o.db, id, { status: 'running', lastError: null, startedAt: now, updatedAt: now }))!;
    await this.event(id, 'info', 'started', 'bot started', {});
    this.emit(next, 'status');
    await this.launch(next);
    return this.viewOf(userId, id);
  }

  /**
   * Stops a bot; with `cancelOrders` its open orders are cancelled first (what it holds stays).
   * @throws AppError NOT_FOUND
   */
  async stop(userId: string, id: string, cancelOrders: boolean): Promise<BotView> {
    const row = await this.own(userId, id);
    const local = this.live.has(id);
    await this.detach(id, cancelOrders);
    // Not run here (error state, or another process): cancel at the venue directly; the next start's
    // reconciliation tells the strategy.
    if (!local && cancelOrders) await this.cancelAtVenue(row);
    const now = this.wall.now();
    const next = (await updateBot(this.o.db, id, { status: 'stopped', startedAt: null, updatedAt: now }))!;
    if (row.status !== 'stopped') await this.event(id, 'info', 'stopped', cancelOrders ? 'bot stopped; open orders cancelled' : 'bot stopped; open orders left at the venue', { cancelOrders: cancelOrders ? 1 : 0 });
    this.emit(next, 'status');
    return this.viewOf(userId, id);
  }

  /**
   * Closes every position a bot holds and stops it, cancelling its orders: the runner refuses new entries and
   * sends each held lot a `forceExit` (rule `manual`), so the strategy closes it at market as it does for a
   * risk stop, booking the round trip. A stopped bot is started for this (it resumes from its saved state).
   * Waits until nothing is held and no order is in flight, or `waitMs` (wall clock) passed; then stops
   * with its open orders cancelled and says what is left.
   * @throws AppError NOT_FOUND; CONFLICT when another process runs the bot
   */
  async closePositions(userId: string, id: string, waitMs = 20_000): Promise<BotCloseResult> {
    let row = await this.own(userId, id);
    if (row.status !== 'running') {
      const held = row.runtime ? createBotStrategy(row.id, row.config).held((row.runtime as unknown as BotRuntime).strategy).length : 0;
      if (held === 0) return { bot: await this.stop(userId, id, true), closed: 0, remaining: 0, note: null };
      await this.start(userId, id);
      row = await this.own(userId, id);
    }
    const l = this.live.get(id);
    if (!l) throw new AppError('CONFLICT', 'status: the bot is run by another Osprey process (or waits for its lease); stop it there, or try again in a moment');
    const before = l.runner.exposure().held;
    await this.event(id, 'info', 'closing', `closing ${before} position${before === 1 ? '' : 's'} at market before stopping`, { held: before });
    await l.runner.closeAll();
    const deadline = this.wall.now() + waitMs;
    let left = l.runner.exposure();
    while ((left.held > 0 || left.working > 0) && this.wall.now() < deadline && this.live.get(id) === l) {
      await new Promise((r) => setTimeout(r, 100));
      if (!l.runner.isPaper()) await l.runner.poll();
      await l.runner.idle();
      left = l.runner.exposure();
    }
    const bot = await this.stop(userId, id, true);
    const note = left.held > 0 ? `${left.held} position${left.held === 1 ? '' : 's'} still held: the exit did not fill within ${Math.round(waitMs / 1000)} s (see the bot's events); close ${left.held === 1 ? 'it' : 'them'} again or on the venue` : null;
    return { bot, closed: Math.max(0, before - left.held), remaining: left.held, note };
  }

  /** Lots the bots of one of the caller's accounts hold (running or not), e.g. what a stopped bot left. @throws AppError NOT_FOUND */
  async holdings(userId: string, accountId: string): Promise<BotHoldingView[]> {
    if (!(await findAccountOfUser(this.o.db, userId, accountId))) throw new AppError('NOT_FOUND', 'accountId: no such account');
    const out: BotHoldingView[] = [];
    for (const row of await listBotsOfAccount(this.o.db, accountId)) {
      const runtime = (this.live.get(row.id)?.runner.snapshot() ?? row.runtime) as BotRuntime | null;
      if (!runtime) continue;
      for (const h of createBotStrategy(row.id, row.config).held(runtime.strategy)) {
        out.push({ botId: row.id, botName: row.name, status: row.status, symbol: h.symbol, side: h.side, amount: h.amount, entryPrice: h.entryPrice, openedAt: h.openedAt });
      }
    }
    return out;
  }

  /**
   * Deletes a stopped bot with its events, trades and series (orders and fills stay in the account's history).
   * @throws AppError NOT_FOUND, CONFLICT while running
   */
  async remove(userId: string, id: string): Promise<{ ok: true }> {
    const row = await this.own(userId, id);
    if (row.status === 'running') throw new AppError('CONFLICT', 'status: stop the bot before deleting it');
    await deleteBot(this.o.db, id);
    this.accountRisks.delete(row.accountId);
    this.o.bus.emit('bot', { userId, botId: id, status: row.status, what: 'deleted' });
    return { ok: true };
  }

  /** The bot's open orders, recent fills and positions on its account (matched by its clientOrderId prefix). */
  async orders(userId: string, id: string): Promise<BotOrdersView> {
    const row = await this.own(userId, id);
    const prefix = this.prefixOf(row.id);
    const acc = await this.o.hub.get(row.accountId);
    const symbols = botSymbols(row.config);
    const open = (await acc.adapter.fetchOpenOrders())
      .filter((o) => o.clientOrderId?.startsWith(prefix))
      .map((o): OrderView => ({ ...o, tradeId: null }));
    const fillRows = await this.o.db
      .select()
      .from(fillsTable)
      .where(and(eq(fillsTable.accountId, row.accountId), like(fillsTable.clientOrderId, `${prefix}%`)))
      .orderBy(desc(fillsTable.ts))
      .limit(200);
    const fills = fillRows.map((f): FillView => ({ id: f.exchangeFillId, orderId: f.orderId, clientOrderId: f.clientOrderId, symbol: f.symbol, side: f.side, price: f.price, amount: f.amount, fee: f.fee, feeCurrency: f.feeCurrency, liquidity: f.liquidity, ts: f.ts }));
    const runtime = (this.live.get(id)?.runner.snapshot() ?? row.runtime) as BotRuntime | null;
    const held = runtime ? createBotStrategy(row.id, row.config).held(runtime.strategy) : [];
    // Mark price: the venue's position mark on perpetuals, the last price on spot.
    const marks = new Map<string, string | null>();
    if (acc.adapter.marketType === 'swap') {
      for (const p of await acc.adapter.fetchPositions(symbols)) if (symbols.includes(p.symbol)) marks.set(`${p.symbol} ${p.side}`, p.markPrice);
    } else {
      for (const sym of new Set(held.map((h) => h.symbol))) {
        const last = await acc.adapter.fetchTicker(sym).then((t) => t.last, () => null);
        marks.set(`${sym} long`, last);
      }
    }
    const positions = held.map((h) => {
      const mark = marks.get(`${h.symbol} ${h.side}`) ?? null;
      const upnl = mark === null ? null : str(unrealizedPnl(h.side, h.entryPrice, mark, h.amount).toDecimalPlaces(8));
      return { symbol: h.symbol, side: h.side, amount: h.amount, entryPrice: h.entryPrice, unrealizedPnl: upnl };
    });
    return { open, fills, positions };
  }

  /**
   * An account's risk rules and what they count now across its bots.
   * @throws AppError NOT_FOUND naming `accountId`
   */
  async accountRisk(userId: string, accountId: string): Promise<AccountRiskView> {
    if (!(await findAccountOfUser(this.o.db, userId, accountId))) throw new AppError('NOT_FOUND', 'accountId: no such account');
    const r = await this.accountPicture(accountId, await this.currentAccountRisk(accountId));
    const now = this.o.clock.now();
    let open = 0;
    for (const n of r.open.values()) open += n;
    return {
      accountId,
      rules: r.rules,
      dayPnl: r.state.day === utcDayStart(now) ? r.state.dayPnl : '0',
      lossStreak: r.state.lossStreak,
      pausedUntil: r.state.pausedUntil !== null && r.state.pausedUntil > now ? r.state.pausedUntil : null,
      openPositions: open,
    };
  }

  /**
   * Replaces an account's risk rules (`{}` clears them). Running bots of the account apply them from their
   * next event; the loss streak and cooldown are re-folded over the account's history with the new rules.
   * @throws AppError NOT_FOUND naming `accountId`; ZodError naming the rule when `rules` is invalid
   */
  async setAccountRisk(userId: string, accountId: string, rules: RiskRules): Promise<AccountRiskView> {
    const valid = riskRulesSchema.parse(rules);
    if (!(await findAccountOfUser(this.o.db, userId, accountId))) throw new AppError('NOT_FOUND', 'accountId: no such account');
    await upsertAccountRiskRules(this.o.db, accountId, valid, this.wall.now());
    return this.accountRisk(userId, accountId);
  }

  /** Starts runners for every bot marked `running` (server start). */
  async resumeAll(): Promise<void> {
    for (const row of await listRunningBots(this.o.db)) {
      await this.event(row.id, 'info', 'resumed', 'bot resumed after a server start', {});
      await this.launch(row);
    }
  }

  /** Ids of the bots this process runs now (holding their lease). */
  runningHere(): string[] {
    return [...this.live.keys()];
  }

  /** Waits until every runner processed what it was given (tests). */
  async idle(): Promise<void> {
    await Promise.all([...this.live.values()].map((l) => l.runner.idle()));
  }

  /** Stops every runner of this process without changing bot statuses, releasing the leases (shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.waiting.values()) clearTimeout(t);
    this.waiting.clear();
    await Promise.all([...this.live.keys()].map((id) => this.detach(id, false)));
  }

  // ─── runners ─────────────────────────────────────────────────────────────────────────────────────────

  private async launch(row: BotRow): Promise<void> {
    if (this.closed || this.live.has(row.id)) return;
    const pending = this.waiting.get(row.id);
    if (pending) clearTimeout(pending);
    this.waiting.delete(row.id);
    if (!(await acquireLease(this.o.db, row.id, this.owner, this.wall.now(), this.leaseMs)) && !(await this.takeOverFromGone(row.id))) {
      // Another process runs it, or a crashed one's lease has not expired yet: try again later.
      this.waiting.set(
        row.id,
        setTimeout(() => {
          this.waiting.delete(row.id);
          void findBotById(this.o.db, row.id).then((r) => (r?.status === 'running' ? this.launch(r) : undefined));
        }, Math.ceil(this.leaseMs / 3)),
      );
      return;
    }
    let acc: OpenAccount;
    let runner: BotRunner;
    try {
      acc = await this.o.hub.get(row.accountId);
      const strategy = createBotStrategy(row.id, row.config);
      const hub = this.o.hub;
      const deps = {
        db: this.o.db,
        clock: this.o.clock,
        log: this.o.log,
        get adapter() {
          return hub.peek(row.accountId)?.adapter ?? acc.adapter;
        },
        paper: acc.paper !== null,
        saveVenue: () => hub.savePaper(row.accountId),
        accountStep: (step: AccountStep) => this.accountStep(row.accountId, row.id, step),
        history: (feedSym: string) => this.history(feedSym),
        changed: (what: 'state' | 'event') => this.emit(row, what),
        failed: (message: string) => void this.markError(row.id, message),
      };
      runner = new BotRunner(row, strategy, deps);
    } catch (err) {
      await this.markError(row.id, err instanceof Error ? err.message : String(err));
      return;
    }
    const live: Live = { runner, offs: [], timers: [] };
    this.live.set(row.id, live);
    const attachPaper = (open: OpenAccount) => {
      if (!open.paper) return () => undefined;
      return open.paper.onEvent((e) => {
        if (e.type === 'fill') runner.onFill(e.fill);
        else if (e.type === 'order') runner.onOrder(e.order);
      });
    };
    let offPaper = attachPaper(acc);
    live.offs.push(() => offPaper());
    live.offs.push(
      this.o.hub.onOpen((open) => {
        if (open.account.id !== row.accountId) return;
        offPaper();
        offPaper = attachPaper(open);
      }),
    );
    live.offs.push(
      this.o.bus.on('candle', (u) => {
        if (u.exchange === this.o.feedExchange && u.timeframe === '15m') runner.onFeedCandle(u.symbol, u.candle, u.closed);
      }),
    );
    if (row.config.type === 'signal') live.offs.push(this.o.bus.on('signal', (s) => runner.onSignal(s)));
    const watch = acc.adapter.watchOrders?.(() => void runner.poll());
    if (watch) live.offs.push(watch);
    live.timers.push(setInterval(() => void this.heartbeat(row.id), Math.ceil(this.leaseMs / 3)));
    if (!acc.paper) live.timers.push(setInterval(() => void runner.poll(), this.o.pollMs ?? 10_000));
    try {
      await runner.open(row.config.leverage);
    } catch (err) {
      await this.markError(row.id, err instanceof Error ? err.message : String(err));
    }
  }

  /**
   * The account's risk picture, read from the database so that bots run by other processes count too: `r`
   * (from {@link currentAccountRisk}) brought up to date with the round trips recorded since its last read,
   * and each bot's open positions as of its runner's last step.
   */
  private async accountPicture(accountId: string, r: AccountRisk): Promise<{ rules: RiskRules; state: RiskState; open: Map<string, number> }> {
    const rows = await listAccountRoundTrips(this.o.db, accountId, r.lastTradeId);
    for (const u of accountResults(rows)) r.state = recordResult(r.state, u.pnl, u.closedAt, r.rules);
    for (const t of rows) r.lastTradeId = Math.max(r.lastTradeId, t.id);
    const open = new Map((await listAccountOpenPositions(this.o.db, accountId)).map((b) => [b.id, b.openPositions] as const));
    return { rules: r.rules, state: r.state, open };
  }

  private async loadAccountRisk(accountId: string): Promise<AccountRisk> {
    const rules = await findAccountRiskRules(this.o.db, accountId);
    let state = initialRiskState();
    let lastTradeId = 0;
    const rows = await listAccountRoundTrips(this.o.db, accountId);
    for (const u of accountResults(rows)) state = recordResult(state, u.pnl, u.closedAt, rules);
    for (const t of rows) lastTradeId = Math.max(lastTradeId, t.id);
    return { rules, state, lastTradeId };
  }

  /**
   * Runs a runner's step under its account's risk. Without account rules the step just runs. With rules,
   * steps of this process's bots of the account run one at a time (so the second bot deciding on the same
   * candle sees the first one's entries), each given the account's picture as read just before it; the
   * step itself persists its round trips and open count, which the next step reads.
   */
  private async accountStep(accountId: string, botId: string, step: AccountStep): Promise<void> {
    const r = await this.currentAccountRisk(accountId);
    if (Object.keys(r.rules).length === 0) {
      await step(undefined);
      return;
    }
    const run = async () => {
      const pic = await this.accountPicture(accountId, r);
      let otherOpen = 0;
      for (const [id, n] of pic.open) if (id !== botId) otherOpen += n;
      await step({ rules: pic.rules, state: pic.state, otherOpen });
    };
    const prev = this.accountLocks.get(accountId) ?? Promise.resolve();
    const mine = prev.then(run);
    const tail = mine.catch(() => undefined);
    this.accountLocks.set(accountId, tail);
    try {
      await mine;
    } finally {
      if (this.accountLocks.get(accountId) === tail) this.accountLocks.delete(accountId);
    }
  }

  /**
   * The account's cached risk, reloaded when its rules in the database differ from the cached ones (set by
   * this or another process), since the folded cooldown depends on them.
   */
  private async currentAccountRisk(accountId: string): Promise<AccountRisk> {
    const [rules, cached] = await Promise.all([findAccountRiskRules(this.o.db, accountId), this.accountRiskOf(accountId)]);
    if (JSON.stringify(rules) === JSON.stringify(cached.rules)) return cached;
    this.accountRisks.delete(accountId);
    return this.accountRiskOf(accountId);
  }

  /** The cached rules (and folded state) of an account, loaded on first use. */
  private accountRiskOf(accountId: string): Promise<AccountRisk> {
    let p = this.accountRisks.get(accountId);
    if (!p) {
      p = this.loadAccountRisk(accountId);
      this.accountRisks.set(accountId, p);
      p.catch(() => this.accountRisks.delete(accountId));
    }
    return p;
  }

  /**
   * Takes the lease of a bot over from its holder when that holder is known to be gone (see the module doc).
   * @returns true when this service holds the lease afterwards
   */
  private async takeOverFromGone(id: string): Promise<boolean> {
    const owner = (await findBotById(this.o.db, id))?.leaseOwner ?? null;
    const holder = parseLeaseOwner(owner);
    if (owner === null || !holder || !holderIsGone(holder, this.me, this.pidAlive)) return false;
    const taken = await takeOverLease(this.o.db, id, owner, this.owner, this.wall.now(), this.leaseMs);
    if (taken) this.o.log.info({ botId: id, fromPid: holder.pid }, 'bot lease taken over from a process that is gone');
    return taken;
  }

  private async heartbeat(id: string): Promise<void> {
    if (!this.live.has(id)) return;
    try {
      const row = await findBotById(this.o.db, id);
      const kept = row?.status === 'running' && (await acquireLease(this.o.db, id, this.owner, this.wall.now(), this.leaseMs));
      if (!kept) await this.detach(id, false, false);
    } catch (err) {
      this.o.log.warn({ botId: id, err }, 'bot lease renewal failed');
    }
  }

  /** Stops this process's runner of a bot (if any) and releases its lease. */
  private async detach(id: string, cancelOrders: boolean, release = true): Promise<void> {
    const pending = this.waiting.get(id);
    if (pending) clearTimeout(pending);
    this.waiting.delete(id);
    const l = this.live.get(id);
    if (!l) return;
    this.live.delete(id);
    for (const t of l.timers) clearInterval(t);
    try {
      await l.runner.stop(cancelOrders);
    } finally {
      for (const off of l.offs) off();
      if (release) await releaseLease(this.o.db, id, this.owner);
    }
  }

  private async cancelAtVenue(row: BotRow): Promise<void> {
    const prefix = this.prefixOf(row.id);
    const acc = await this.o.hub.get(row.accountId);
    for (const o of await acc.adapter.fetchOpenOrders()) {
      if (!o.clientOrderId?.startsWith(prefix)) continue;
      await acc.adapter.cancelOrder(o.id, o.symbol).catch((err) => this.o.log.warn({ botId: row.id, err }, 'cancel at stop failed'));
    }
  }

  /** The clientOrderId prefix of a bot's orders (see `botOrderId`). */
  private prefixOf(botId: string): string {
    return botOrderId(botId, 0, 'a', 0).replace(/0a0$/, '');
  }

  private async markError(id: string, message: string): Promise<void> {
    const l = this.live.get(id);
    if (l) {
      this.live.delete(id);
      for (const t of l.timers) clearInterval(t);
      for (const off of l.offs) off();
    }
    await releaseLease(this.o.db, id, this.owner);
    const row = await updateBot(this.o.db, id, { status: 'error', lastError: message, startedAt: null, updatedAt: this.wall.now() });
    await this.event(id, 'error', 'error', message, {});
    if (row) this.emit(row, 'status');
  }

  private async history(feedSym: string): Promise<Candle[]> {
    const to = this.o.clock.now() - MS_15M;
    return listCandles(this.o.db, { exchange: this.o.feedExchange, symbol: feedSym, timeframe: '15m' }, { to, limit: this.o.historyCandles ?? 200 });
  }

  // ─── helpers ─────────────────────────────────────────────────────────────────────────────────────────

  private async own(userId: string, id: string): Promise<BotRow> {
    const row = await findBotOfUser(this.o.db, userId, id);
    if (!row) throw new AppError('NOT_FOUND', 'id: no such bot');
    return row;
  }

  private async checkAccount(userId: string, accountId: string, config: BotConfig) {
    const account = await findAccountOfUser(this.o.db, userId, accountId);
    if (!account) throw new AppError('NOT_FOUND', 'accountId: no such account');
    if (account.marketType !== config.marketType) {
      throw new AppError('VALIDATION', `config.marketType: the account "${account.name}" trades ${account.marketType}, the bot is configured for ${config.marketType}`);
    }
    const acc = await this.o.hub.get(account.id);
    const markets = await acc.adapter.loadMarkets();
    for (const s of botSymbols(config)) {
      if (!markets[s]) throw new AppError('VALIDATION', `config: ${s} is not a market of the account "${account.name}"`);
    }
    return account;
  }

  private async viewOf(userId: string, id: string): Promise<BotView> {
    const row = await this.own(userId, id);
    const account = await findAccountOfUser(this.o.db, userId, row.accountId);
    return this.view(row, account?.name ?? '');
  }

  private view(r: BotRow, accountName: string): BotView {
    return {
      id: r.id,
      name: r.name,
      accountId: r.accountId,
      accountName,
      type: r.type,
      symbols: botSymbols(r.config),
      config: r.config,
      status: r.status,
      lastError: r.lastError,
      realizedPnl: r.realizedPnl,
      roundTrips: r.roundTrips,
      startedAt: r.startedAt,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    };
  }

  private async event(botId: string, kind: 'info' | 'error', code: string, message: string, detail: Record<string, unknown>): Promise<void> {
    await insertBotEvents(this.o.db, [{ botId, ts: this.o.clock.now(), kind, code, message, detail }]);
  }

  private emit(row: Pick<BotRow, 'id' | 'userId' | 'status'>, what: BotChange['what']): void {
    this.o.bus.emit('bot', { userId: row.userId, botId: row.id, status: row.status, what });
  }
}

/**
 * Stored round trips of an account's bots as risk results: the legs of one position unit of one bot (a
 * spread cycle, written in one transaction) become one result with their pnl summed; others stay one each.
 */
function accountResults(rows: ReadonlyArray<{ botId: string; unit: string | null; pnl: string; closedAt: number }>): { pnl: string; closedAt: number }[] {
  const out: { pnl: Decimal; closedAt: number }[] = [];
  const byUnit = new Map<string, { pnl: Decimal; closedAt: number }>();
  for (const t of rows) {
    const key = t.unit === null ? null : `${t.botId}|${t.unit}`;
    const u = key ? byUnit.get(key) : undefined;
    if (u) {
      u.pnl = u.pnl.plus(t.pnl);
      u.closedAt = Math.max(u.closedAt, t.closedAt);
      continue;
    }
    const fresh = { pnl: new Decimal(t.pnl), closedAt: t.closedAt };
    if (key) byUnit.set(key, fresh);
    out.push(fresh);
  }
  return out.map((u) => ({ pnl: u.pnl.toFixed(), closedAt: u.closedAt }));
}
