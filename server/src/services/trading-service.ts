/**
 * The TradingManager: managed trades on exchange accounts, for every transport (tRPC, pending orders, bots).
 *
 * How a trade moves: the pure trade machine (`domain/trade/trade-machine.ts`) decides, this service executes.
 * Every decision is persisted before its side effects: a step's new state and its intents (the *outbox*) are
 * written to `trades.state` first, then the intents are executed one by one, each removed from the outbox and
 * written again once done. Orders carry deterministic clientOrderIds, and an order row is written before the
 * create is sent; so when a restart (or an ambiguous create) leaves an intent in the outbox whose order row
 * exists, the venue is asked for that clientOrderId first and the order is never placed twice.
 *
 * What the venue reports goes through one path, {@link TradingService} `observe`: an order as reported
 * (create result, paper event, poll) is upserted by clientOrderId, and the part of its cumulative fill the
 * trade has not seen yet (the per-order ledger in the trade state, `domain/trade/ledger.ts`) becomes a
 * machine `fill` event; a cancelled/rejected/expired order becomes `orderDead`. Fills are recorded by the
 * venue's fill id. Paper accounts report through the adapter's events at once; live and sandbox accounts are
 * polled every `OSPREY_SYNC_MS` (open orders, orders that left the book, own fills since the last poll,
 * positions — a perpetual trade whose position vanished is closed as `external`). When a live account's adapter
 * offers a live order stream (`watchOrders`), the account is subscribed while it has active trades or open
 * orders, and every pushed order change triggers that same poll ({@link STREAM_DEBOUNCE_MS} later, on the
 * account's queue), so fills show up within a second; the timed poll stays as the safety net.
 *
 * Spot brackets (`domain/trade/trade-machine.ts`): a spot trade with a stop-loss rests only the stop at the
 * venue and holds its take-profits locally. This service watches the price for them: paper accounts on every
 * update of the price feed they fill against (the high reached since the previous update), live and sandbox
 * accounts on the venue's ticker every {@link DEFAULT_WATCH_MS} and on every poll. When a held target is
 * reached, the machine's `price` event cancels the stop and sells that share once the cancel is confirmed;
 * everything it waits for is in `trades.state`, so a restart in between resumes where it was.
 *
 * Concurrency: all work on one account runs on that account's serial queue (user actions, adapter events,
 * polls, equity snapshots), so a trade is never stepped twice at once. Scoping: every user-facing method takes
 * the caller's user id; another user's account, trade or order answers NOT_FOUND like a missing one.
 */
import { randomUUID } from 'node:crypto';
import Decimal from 'decimal.js';
import {
  type AccountEvent,
  type Candle,
  type FillView,
  type OpenTradeInput,
  type OrderView,
  type TradeEstimate,
  type TradeSource,
  type TradeStatus,
  type TradeView,
} from '@osprey/shared';
import { SecretBoxError } from '../adapters/crypto/secret-box.js';
import type { Db } from '../adapters/db/client.js';
import { findAccountOfUser } from '../adapters/db/repos/accounts-repo.js';
import {
  accountsWithOpenOrders,
  deleteOrderPlaceholder,
  deleteTrade,
  findOrderByClientId,
  findOrderByExchangeId,
  findTrade,
  insertFills,
  insertPositionSnapshots,
  insertTrade,
  listEquitySnapshots,
  listFills,
  listOrders,
  listRecentFills,
  listTrades,
  updateTrade,
  upsertEquitySnapshot,
  upsertOrder,
  type FillRow,
  type OrderRow,
  type TradeRow,
} from '../adapters/db/repos/trading-repo.js';
import type { PaperEvent } from '../domain/trading/paper-engine.js';
import type { PriceSource } from '../adapters/exchange/paper-exchange.js';
import { stepFromCandleUpdate } from '../domain/trading/fill-rules.js';
import type { Logger } from '../adapters/log.js';
import { AmbiguousOrderError, AuthExchangeError, ExchangeError, RejectedOrderError, TemporaryExchangeError } from '../domain/exchange/errors.js';
import type { Balance, Fill, MarketInfo, Order, Position, Ticker } from '../domain/exchange/port.js';
import type { Clock } from '../domain/ports.js';
import { accountEquity, feeInQuote, fillDelta, type EquityParts, type LedgerEntry } from '../domain/trade/ledger.js';
import { positionAmount, SizingError } from '../domain/trade/sizing.js';
import { armedLevel, upgradeSpotState, openTrade, realizedPnlPct, stepTrade, TradeStateError, type TradeContext, type TradeEvent, type TradeIntent, type TradeState } from '../domain/trade/trade-machine.js';
import { DEFAULT_MAINTENANCE_MARGIN_RATE, liquidationPrice } from '../domain/trading/margin.js';
import { roundToStep } from '../domain/trading/precision.js';
import { unrealizedPnl } from '../domain/trading/pnl.js';
import { describeExchangeError } from './accounts-service.js';
import { AppError } from './errors.js';
import type { EventBus } from './event-bus.js';
import type { ExchangeHub, OpenAccount } from './exchange-factory.js';

/** Quote currency equity is measured in (every Osprey market is against USDT). */
export const EQUITY_QUOTE = 'USDT';

/** Default poll interval of live/sandbox accounts, ms (`OSPREY_SYNC_MS`). */
export const DEFAULT_SYNC_MS = 30_000;

/** What `trades.state` holds: the machine state plus the bookkeeping that makes execution restart-safe. */
export interface StoredTrade {
  version: 1;
  /** The domain trade machine's full state. */
  machine: TradeState;
  /** Market steps the machine splits amounts with. */
  ctx: TradeContext;
  /** Per clientOrderId: the cumulative fill already applied to the machine. */
  ledger: Record<string, LedgerEntry>;
  /** Intents decided but not yet executed, oldest first. */
  outbox: TradeIntent[];
  /** Last order problem (shown with the trade). */
  lastError: string | null;
  /** The clientOrderId the problem is about while its intent waits for a retry (cleared once it goes through). */
  retryingCid?: string | null;
}

/** A trade loaded for a step. */
interface Loaded {
  row: TradeRow;
  s: StoredTrade;
  /** Just created by `openFor` (its entry not tried yet): discarded, not kept as cancelled, if that entry is refused before reaching the venue. */
  fresh?: boolean;
  /** Set once such a trade was deleted (nothing of it reached the venue). */
  discarded?: boolean;
}

/** Options of {@link TradingService}. */
export interface TradingServiceOptions {
  db: Db;
  bus: EventBus;
  /** Trading clock (market time: simulated in replay). */
  clock: Clock;
  hub: ExchangeHub;
  log: Logger;
  /** Poll interval of live/sandbox accounts, ms (default {@link DEFAULT_SYNC_MS}). */
  syncMs?: number;
  /**
   * The price feed paper accounts fill against: watched for spot take-profits held by Osprey (without it,
   * paper accounts' held targets are only checked on the ticker like live ones).
   */
  prices?: PriceSource;
  /** How often live/sandbox accounts' tickers are read for held spot take-profits, ms (default {@link DEFAULT_WATCH_MS}). */
  watchMs?: number;
}

/** Default interval of the ticker watch of held spot take-profits on live/sandbox accounts, ms. */
export const DEFAULT_WATCH_MS = 5_000;

/** Where a trade came from (`trades.source` / `source_ref`). */
export interface TradeOrigin {
  source: TradeSource;
  sourceRef: string | null;
}

/**
 * What executing an intent gave: `done` with the venue's answers; `dead` (the order will never exist), with
 * `notSent` true when it was refused before reaching a venue (the adapter's own checks, or anything on paper:
 * its placeholder row is gone); `retry` later (venue unreachable).
 */
type ExecOutcome =
  | { kind: 'done'; orders: Order[] }
  | { kind: 'dead'; reason: string; message: string; notSent: boolean }
  | { kind: 'retry'; message: string };

const ACTIVE: readonly TradeStatus[] = ['opening', 'open'];
const DEAD_STATUSES = new Set(['canceled', 'rejected', 'expired']);
/** Prefix of the clientOrderId stored for venue orders that have none (never a valid Osprey id: it has a colon). */
const EXTERNAL_CID = 'ext:';
/** Delay coalescing order-stream pushes into one poll, ms. */
export const STREAM_DEBOUNCE_MS = 100;
/** How far before the last poll fills are fetched again (venue clocks and late reports), ms. */
const FILL_OVERLAP_MS = 60_000;

/** The TradingManager (see the module doc). */
export class TradingService {
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly paperBuffers = new Map<string, PaperEvent[]>();
  private readonly paperOffs = new Map<string, () => void>();
  private readonly lastFillSync = new Map<string, number>();
  private readonly syncing = new Set<string>();
  /** Price of the latest fill on a symbol that was not one of our trades' (external close, liquidation). */
  private readonly foreignFill = new Map<string, { price: string; ts: number }>();
  /** Last known price per `accountId|symbol` (tickers, positions), for views of live accounts. */
  private readonly lastPrices = new Map<string, string>();
  private readonly offs: (() => void)[] = [];
  private timer: NodeJS.Timeout | null = null;
  private lastEquityTs = 0;
  private startPromise: Promise<void> | null = null;
  private stopped = false;
  private readonly syncMs: number;
  /** Running order streams of live accounts, with the adapter they belong to. */
  private readonly streams = new Map<string, { adapter: OpenAccount['adapter']; stop: () => void }>();
  /** Debounce timers of stream-triggered polls, and polls queued but not started yet. */
  private readonly streamTimers = new Map<string, NodeJS.Timeout>();
  private readonly streamSyncQueued = new Set<string>();
  /** Spot trades with a take-profit held by Osprey, by trade id: the account, symbol and price that reaches it. */
  private readonly armed = new Map<string, { accountId: string; symbol: string; level: string }>();
  /** Trades with a `price` event queued (bursts of feed updates coalesce). */
  private readonly priceQueued = new Set<string>();
  /** Accounts with a ticker watch queued. */
  private readonly watchQueued = new Set<string>();
  /** Previous feed update per symbol: the step from it to the next update gives the high reached. */
  private readonly prevFeed = new Map<string, Candle>();
  private watchTimer: NodeJS.Timeout | null = null;
  private readonly watchMs: number;

  constructor(private readonly o: TradingServiceOptions) {
    this.syncMs = o.syncMs ?? DEFAULT_SYNC_MS;
    this.watchMs = o.watchMs ?? DEFAULT_WATCH_MS;
  }

  // ─── lifecycle ───────────────────────────────────────────────────────────────────────────────────────

  /**
   * Attaches to the adapters and the bus, resumes every open trade (reconciles its orders by clientOrderId and
   * finishes its outbox) and starts the poll loop. Idempotent: a second call returns the first call's promise.
   */
  start(): Promise<void> {
    this.startPromise ??= this.doStart();
    return this.startPromise;
  }

  private async doStart(): Promise<void> {
    this.offs.push(this.o.hub.onOpen((open) => this.attach(open)));
    this.offs.push(
      this.o.bus.on('candle', (u) => {
        if (u.timeframe === '15m' && u.closed) this.onQuarterClose(u.candle.ts + 15 * 60_000);
      }),
    );
    for (const open of this.o.hub.openIds().map((id) => this.o.hub.peek(id)!)) this.attach(open);
    if (this.o.prices) this.offs.push(this.o.prices.subscribe((symbol, candle) => this.onFeedPrice(symbol, candle)));
    const ids = new Set<string>([...(await this.activeTrades()).map((t) => t.accountId), ...(await accountsWithOpenOrders(this.o.db))]);
    await Promise.all([...ids].map((id) => this.run(id, () => this.resumeAccount(id)).catch((err) => this.logError(err, { accountId: id }, 'resuming trades failed'))));
    if (!this.stopped) {
      this.timer = setInterval(() => void this.syncTick(), this.syncMs);
      this.timer.unref?.();
      this.watchTimer = setInterval(() => this.watchTick(), this.watchMs);
      this.watchTimer.unref?.();
    }
  }

  /** Stops polling and listening, and waits for the work queued on every account. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.watchTimer) clearInterval(this.watchTimer);
    this.watchTimer = null;
    for (const off of this.offs.splice(0)) off();
    for (const off of this.paperOffs.values()) off();
    this.paperOffs.clear();
    this.stopAllStreams();
    await this.startPromise?.catch(() => undefined);
    await this.idle();
    this.stopAllStreams();
  }

  /** Resolves when every account's queue is empty (tests, shutdown). */
  async idle(): Promise<void> {
    for (;;) {
      const pending = [...this.queues.values()];
      if (pending.length === 0) return;
      await Promise.allSettled(pending);
    }
  }

  // ─── user-facing reads ───────────────────────────────────────────────────────────────────────────────

  /** The account's tradable markets, by symbol. @throws AppError NOT_FOUND; exchange errors as AppError */
  async markets(userId: string, accountId: string): Promise<MarketInfo[]> {
    const acc = await this.ownOpen(userId, accountId);
    const markets = await this.call(() => acc.adapter.loadMarkets());
    return Object.values(markets).sort((a, b) => a.symbol.localeCompare(b.symbol));
  }

  /** Last/bid/ask/mark of a symbol. @throws AppError NOT_FOUND; VALIDATION for an unknown symbol */
  async ticker(userId: string, accountId: string, symbol: string): Promise<Ticker> {
    const acc = await this.ownOpen(userId, accountId);
    return this.tickerOf(acc, symbol);
  }

  /** The account's trades, newest first: `active` (opening/open), `closed` (closed/cancelled) or `all`. */
  async trades(userId: string, accountId: string, status: 'active' | 'closed' | 'all' = 'all'): Promise<TradeView[]> {
    await this.ownAccount(userId, accountId);
    const statuses: (TradeStatus | undefined)[] = status === 'active' ? ['opening', 'open'] : status === 'closed' ? ['closed', 'cancelled'] : [undefined];
    const rows = (await Promise.all(statuses.map((s) => listTrades(this.o.db, { accountId, status: s, limit: 1000 })))).flat();
    rows.sort((a, b) => b.openedAt - a.openedAt || b.id.localeCompare(a.id));
    return Promise.all(rows.map((r) => this.view(r)));
  }

  /** One trade. @throws AppError NOT_FOUND (also another user's) */
  async trade(userId: string, tradeId: string): Promise<TradeView> {
    return this.view(await this.ownTrade(userId, tradeId));
  }

  /** The account's orders, newest first: `open`, or the `history` (everything else). */
  async orders(userId: string, accountId: string, status: 'open' | 'history' = 'open'): Promise<OrderView[]> {
    await this.ownAccount(userId, accountId);
    const rows = await listOrders(this.o.db, { accountId, status: status === 'open' ? 'open' : undefined, limit: 2000 });
    return rows.filter((r) => (status === 'open' ? r.status === 'open' : r.status !== 'open')).map(orderView);
  }

  /** The account's newest fills first. */
  async fills(userId: string, accountId: string, limit = 200): Promise<FillView[]> {
    await this.ownAccount(userId, accountId);
    return (await listRecentFills(this.o.db, accountId, limit)).map(fillView);
  }

  /** Open perpetual positions with live unrealized PnL (empty on spot). */
  async positions(userId: string, accountId: string): Promise<Position[]> {
    const acc = await this.ownOpen(userId, accountId);
    const ps = await this.call(() => acc.adapter.fetchPositions());
    for (const p of ps) if (p.markPrice) this.lastPrices.set(`${accountId}|${p.symbol}`, p.markPrice);
    return ps;
  }

  /** Balances as the venue reports them. */
  async balances(userId: string, accountId: string): Promise<Balance[]> {
    const acc = await this.ownOpen(userId, accountId);
    return this.call(() => acc.adapter.fetchBalance());
  }

  /** Equity snapshots (15m closes and fills), oldest first, from `from` (Unix ms). */
  async equity(userId: string, accountId: string, from?: number): Promise<{ ts: number; equity: string }[]> {
    await this.ownAccount(userId, accountId);
    return (await listEquitySnapshots(this.o.db, { accountId, from })).map((r) => ({ ts: r.ts, equity: r.equity }));
  }

  /**
   * Live events of one of the caller's accounts (order, fill, trade, positions, balances, equity, pending),
   * until `signal` aborts. The ownership check happens before the stream is returned.
   * @throws AppError NOT_FOUND when the account is not the caller's
   */
  async events(userId: string, accountId: string, signal: AbortSignal | undefined): Promise<AsyncGenerator<AccountEvent>> {
    await this.ownAccount(userId, accountId);
    const bus = this.o.bus;
    return (async function* () {
      for await (const e of bus.stream('account', signal)) if (e.accountId === accountId) yield e;
    })();
  }

  // ─── user-facing actions ─────────────────────────────────────────────────────────────────────────────

  /**
   * What `open` would place: amount (sizing rules of `domain/trade/sizing.ts`), price, notional, entry fee,
   * margin, liquidation price (isolated, Binance formula in `domain/trading/margin.ts`) and warnings.
   * @throws AppError NOT_FOUND; VALIDATION naming the field (`symbol`, `side`, `sizing.value`, `stopLoss`…)
   */
  async estimate(userId: string, input: OpenTradeInput): Promise<TradeEstimate> {
    const acc = await this.ownOpen(userId, input.accountId);
    const p = await this.plan(acc, input);
    return { ...p.estimate, warnings: p.warnings.map((w) => w.message) };
  }

  /**
   * Opens a managed trade: sizes it, checks the venue's minimums, sets leverage, places the entry and — once it
   * fills — the stop-loss and targets. An entry refused before it reached the venue (paper engine: funds,
   * minimums; adapter pre-checks) leaves nothing behind: no trade, no order row. An entry a live venue refused
   * after receiving it keeps its rejected order row, and the trade is `cancelled` (never left active).
   * @throws AppError NOT_FOUND; CONFLICT `symbol: …` when the account already has an active trade on the symbol;
   *   VALIDATION naming the field for bad input, minimums, or a refused entry (with the venue's message; the
   *   paper engine's `amount: …` is reported as `sizing.value: …`, the ticket's field)
   */
  async open(userId: string, input: OpenTradeInput): Promise<TradeView> {
    await this.ownAccount(userId, input.accountId);
    return this.openFor(input.accountId, input, { source: input.sourceSignalId ? 'signal' : 'manual', sourceRef: input.sourceSignalId ?? null });
  }

  /**
   * {@link open} without the ownership check, for server-side callers that checked it already (pending orders,
   * bots). Same errors as {@link open}.
   */
  async openFor(accountId: string, input: OpenTradeInput, origin: TradeOrigin): Promise<TradeView> {
    const acc = await this.open_(accountId);
    const errors: string[] = [];
    const tradeId = await this.run(accountId, async () => {
      const clash = (await this.activeTrades(accountId)).find((t) => t.symbol === input.symbol);
      if (clash) throw new AppError('CONFLICT', `symbol: this account already has an active trade on ${input.symbol} (trade ${clash.id}): add to it or close it first`);
      const p = await this.plan(acc, input);
      const blocking = p.warnings.filter((w) => w.blocking);
      if (blocking.length > 0) throw new AppError('VALIDATION', blocking.map((w) => w.message).join('; '));
      const leverage = p.market.type === 'swap' ? input.leverage : 1;
      if (p.market.type === 'swap') {
        try {
          await acc.adapter.setLeverage(input.symbol, leverage);
        } catch (err) {
          if (err instanceof RejectedOrderError) throw new AppError('VALIDATION', err.message.startsWith('leverage') ? err.message : `leverage: ${err.message}`);
          throw toAppError(err);
        }
      }
      const id = randomUUID();
      let opened: ReturnType<typeof openTrade>;
      try {
        opened = openTrade({
          id,
          symbol: input.symbol,
          side: input.side,
          amount: p.estimate.amount,
          leverage,
          entryType: input.entryType,
          entryPrice: input.entryType === 'limit' ? input.entryPrice : undefined,
          stopLoss: input.stopLoss,
          targets: input.takeProfits,
          breakevenAfterFirstTarget: input.breakevenAfterTp1,
          market: p.market.type,
        });
      } catch (err) {
        throw toAppError(err);
      }
      const s: StoredTrade = { version: 1, machine: opened.state, ctx: { amountStep: p.market.amountStep, priceStep: p.market.priceStep }, ledger: {}, outbox: opened.intents, lastError: null };
      const row = await insertTrade(this.o.db, {
        id,
        accountId,
        symbol: input.symbol,
        side: input.side,
        leverage,
        breakevenAfterTp1: input.breakevenAfterTp1,
        source: origin.source,
        sourceRef: origin.sourceRef,
        ...mirror(s),
        openedAt: this.o.clock.now(),
      });
      // Not announced yet: the first state written after the entry was tried is (a refused one never is).
      const t: Loaded = { row, s, fresh: true };
      this.o.log.info({ accountId, tradeId: id, symbol: input.symbol, side: input.side, amount: p.estimate.amount, source: origin.source }, 'trade opening');
      await this.drive(acc, t, errors);
      if (!acc.paper) await this.emitAccountState(acc);
      return id;
    });
    await this.flush(accountId);
    const row = await findTrade(this.o.db, tradeId);
    const refused = errors.map((m) => m.replace(/^amount: /, 'sizing.value: ')).join('; ');
    if (!row) throw new AppError('VALIDATION', refused || 'sizing.value: the entry order was refused');
    if (row.status === 'cancelled' && errors.length > 0) throw new AppError('VALIDATION', refused);
    return this.view(row);
  }

  /**
   * Adds `amount` (base) at market in the trade's direction; protection is re-placed for the new size.
   * @throws AppError NOT_FOUND; VALIDATION (trade not open, below the venue's minimums, refused by the venue)
   */
  async add(userId: string, input: { tradeId: string; amount: string }): Promise<TradeView> {
    return this.act(userId, input.tradeId, async (acc, t) => {
      const m = await this.marketOf(acc, t.row.symbol);
      const price = (await this.tickerOf(acc, t.row.symbol)).last;
      const amount = new Decimal(input.amount);
      if (m.minAmount && amount.lt(m.minAmount)) throw new AppError('VALIDATION', `amount: ${input.amount} ${m.base} is below the minimum ${m.minAmount} ${m.base}`);
      if (m.minNotional && amount.mul(price).lt(m.minNotional)) {
        throw new AppError('VALIDATION', `amount: notional ${amount.mul(price).toFixed()} ${m.quote} is below the minimum notional ${m.minNotional} ${m.quote} of ${m.symbol}`);
      }
      return { type: 'add', amount: input.amount };
    });
  }

  /**
   * Closes the trade at market: all of it, or `amount` (base) only (a reduce), with `reason` recorded.
   * @throws AppError NOT_FOUND; VALIDATION (trade not open, amount below one step, refused by the venue)
   */
  async close(userId: string, input: { tradeId: string; amount?: string | undefined; reason?: string | undefined }): Promise<TradeView> {
    return this.act(userId, input.tradeId, async () => ({ type: 'close', ...(input.amount !== undefined ? { amount: input.amount } : {}), reason: input.reason ?? 'manual' }));
  }

  /**
   * Replaces the stop-loss (null removes it) and/or the take-profit targets; placed orders are re-placed.
   * @throws AppError NOT_FOUND; VALIDATION (closed trade, targets on the wrong side, refused by the venue)
   */
  async protect(
    userId: string,
    input: { tradeId: string; stopLoss?: string | null | undefined; takeProfits?: { price: string; share: string }[] | undefined },
  ): Promise<TradeView> {
    return this.act(userId, input.tradeId, async (acc, t) => {
      if (input.stopLoss) {
        const last = new Decimal((await this.tickerOf(acc, t.row.symbol)).last);
        const wrong = t.row.side === 'long' ? last.lte(input.stopLoss) : last.gte(input.stopLoss);
        if (wrong && t.s.machine.status === 'open') throw new AppError('VALIDATION', `stopLoss: ${input.stopLoss} is ${t.row.side === 'long' ? 'at or above' : 'at or below'} the current price ${last.toFixed()}; it would trigger at once`);
      }
      const ev: TradeEvent = { type: 'protect' };
      if (input.stopLoss !== undefined) ev.stopLoss = input.stopLoss;
      if (input.takeProfits !== undefined) ev.targets = input.takeProfits;
      return ev;
    });
  }

  /** Abandons an unfilled (limit) entry; a partly filled one keeps what filled, protected. */
  async cancelEntry(userId: string, tradeId: string): Promise<TradeView> {
    return this.act(userId, tradeId, async () => ({ type: 'cancelEntry' }));
  }

  /**
   * Cancels an order of the account (a trade's stop or target too: the trade then shows it unprotected).
   * @param orderId the `id` from {@link orders} (venue id), or Osprey's clientOrderId
   * @throws AppError NOT_FOUND (unknown order, another user's account); VALIDATION when the venue refuses
   */
  async cancelOrder(userId: string, accountId: string, orderId: string): Promise<OrderView> {
    await this.ownAccount(userId, accountId);
    const acc = await this.open_(accountId);
    const row = (await findOrderByExchangeId(this.o.db, accountId, orderId)) ?? (await findOrderByClientId(this.o.db, accountId, orderId)) ?? (await this.orderByRowId(accountId, orderId));
    if (!row) throw new AppError('NOT_FOUND', 'orderId: no such order on this account');
    await this.run(accountId, async () => {
      let exId = row.exchangeOrderId;
      if (!exId) exId = (await this.call(() => acc.adapter.fetchOrderByClientId(row.clientOrderId, row.symbol)))?.id ?? null;
      if (!exId) throw new AppError('NOT_FOUND', 'orderId: the exchange does not know this order');
      let o: Order;
      try {
        o = await acc.adapter.cancelOrder(exId, row.symbol);
      } catch (err) {
        if (err instanceof RejectedOrderError && err.code === 'INVALID_ORDER') {
          o = await this.call(() => acc.adapter.fetchOrder(exId!, row.symbol));
        } else throw toAppError(err);
      }
      await this.observe(acc, o);
    });
    await this.flush(accountId);
    const after = (await findOrderByClientId(this.o.db, accountId, row.clientOrderId)) ?? row;
    return orderView(after);
  }

  // ─── server-side API ─────────────────────────────────────────────────────────────────────────────────

  /**
   * {@link estimate} without the ownership check (pending orders size at creation with it), plus the warnings
   * that would make {@link open} refuse (`blocking`).
   */
  async estimateFor(accountId: string, input: OpenTradeInput): Promise<{ estimate: TradeEstimate; blocking: string[] }> {
    const acc = await this.open_(accountId);
    const p = await this.plan(acc, input);
    return { estimate: { ...p.estimate, warnings: p.warnings.map((w) => w.message) }, blocking: p.warnings.filter((w) => w.blocking).map((w) => w.message) };
  }

  /**
   * The account's active (opening or open) trade on `symbol`, or null when there is none (no ownership check;
   * pending orders are refused on such a symbol).
   */
  async activeTradeOn(accountId: string, symbol: string): Promise<TradeView | null> {
    const row = (await this.activeTrades(accountId)).find((t) => t.symbol === symbol);
    return row ? this.view(row) : null;
  }

  /** The last price of a symbol on an account (no ownership check). @throws AppError as {@link ticker} */
  async lastPrice(accountId: string, symbol: string): Promise<string> {
    return (await this.tickerOf(await this.open_(accountId), symbol)).last;
  }

  /**
   * Polls one live/sandbox account now (what the sync loop does every `OSPREY_SYNC_MS`): orders, fills,
   * positions (external closes), balances. Paper accounts only retry unfinished intents.
   */
  async syncAccount(accountId: string): Promise<void> {
    await this.run(accountId, async () => {
      const acc = await this.o.hub.get(accountId);
      await this.sync(acc);
    });
  }

  /**
   * Stores an equity snapshot of an account at `ts` (Unix ms; default now) and emits it.
   * @returns the snapshot parts
   */
  async snapshotEquity(accountId: string, ts?: number): Promise<EquityParts> {
    return this.run(accountId, async () => this.equitySnapshot(await this.o.hub.get(accountId), ts ?? this.o.clock.now()));
  }

  /**
   * An account's equity now, read from the venue like a snapshot ({@link EQUITY_QUOTE}: balance, positions'
   * unrealized PnL, spot holdings at their last price) but neither stored nor emitted (no ownership check).
   * @throws AppError when the account cannot be opened or the venue does not answer (see {@link toAppError})
   */
  async equityNow(accountId: string): Promise<EquityParts> {
    return this.equityOf(await this.open_(accountId));
  }

  // ─── planning ────────────────────────────────────────────────────────────────────────────────────────

  private async plan(
    acc: OpenAccount,
    input: OpenTradeInput,
  ): Promise<{ market: MarketInfo; estimate: Omit<TradeEstimate, 'warnings'>; warnings: { message: string; blocking: boolean }[] }> {
    const m = await this.marketOf(acc, input.symbol);
    if (m.type === 'spot' && input.side === 'short') throw new AppError('VALIDATION', 'side: spot accounts can only open longs (buy, then sell)');
    const price = input.entryType === 'limit' ? input.entryPrice! : (await this.tickerOf(acc, input.symbol)).last;
    const equity = input.sizing.mode === 'risk' ? (await this.equityOf(acc)).equity : '0';
    let amount: Decimal;
    try {
      amount = positionAmount(input.sizing, { entryPrice: price, equity, stopLoss: input.stopLoss, amountStep: m.amountStep });
    } catch (err) {
      throw toAppError(err);
    }
    const leverage = m.type === 'swap' ? input.leverage : 1;
    const notional = amount.mul(price);
    const fee = notional.mul(input.entryType === 'limit' ? m.makerFee : m.takerFee);
    const margin = notional.div(leverage);
    let liq: Decimal | null = null;
    if (m.type === 'swap') {
      liq = roundToStep(liquidationPrice(input.side, amount, price, margin, DEFAULT_MAINTENANCE_MARGIN_RATE), m.priceStep, input.side === 'long' ? 'up' : 'down');
      if (liq.lte(0)) liq = null;
    }
    const warnings: { message: string; blocking: boolean }[] = [];
    const warn = (message: string, blocking: boolean) => warnings.push({ message, blocking });
    if (m.minAmount && amount.lt(m.minAmount)) warn(`sizing.value: amount ${amount.toFixed()} ${m.base} is below the minimum ${m.minAmount} ${m.base} of ${m.symbol}`, true);
    if (m.minNotional && notional.lt(m.minNotional)) warn(`sizing.value: notional ${notional.toFixed()} ${m.quote} is below the minimum notional ${m.minNotional} ${m.quote} of ${m.symbol}`, true);
    if (m.type === 'swap' && input.leverage > m.maxLeverage) warn(`leverage: at most ${m.maxLeverage}× on ${m.symbol}`, true);
    if (m.type === 'spot' && input.leverage > 1) warn('leverage: spot trades are not leveraged; 1× is used', false);
    if (input.stopLoss) {
      const wrong = input.side === 'long' ? new Decimal(input.stopLoss).gte(price) : new Decimal(input.stopLoss).lte(price);
      if (wrong) warn(`stopLoss: must be ${input.side === 'long' ? 'below' : 'above'} the entry price ${price} for a ${input.side}`, true);
      else if (liq) {
        const beyond = input.side === 'long' ? new Decimal(input.stopLoss).lte(liq) : new Decimal(input.stopLoss).gte(liq);
        if (beyond) warn(`stopLoss: beyond the liquidation price ${liq.toFixed()}; the position would be liquidated before the stop triggers`, false);
      }
    }
    for (const t of input.takeProfits) {
      const wrong = input.side === 'long' ? new Decimal(t.price).lte(price) : new Decimal(t.price).gte(price);
      if (wrong) warn(`takeProfits: target ${t.price} must be ${input.side === 'long' ? 'above' : 'below'} the entry price ${price}`, true);
    }
    const free = (await this.call(() => acc.adapter.fetchBalance())).find((b) => b.currency === m.quote)?.free ?? '0';
    if (new Decimal(free).lt(margin.plus(fee))) warn(`sizing.value: needs ${margin.plus(fee).toFixed()} ${m.quote} (${m.type === 'swap' ? 'margin' : 'cost'} + fee), free ${free} ${m.quote}`, false);
    return {
      market: m,
      estimate: {
        amount: amount.toFixed(),
        price: new Decimal(price).toFixed(),
        notional: notional.toFixed(),
        fee: fee.toFixed(),
        margin: margin.toFixed(),
        liquidationPrice: liq ? liq.toFixed() : null,
      },
      warnings,
    };
  }

  // ─── executing ───────────────────────────────────────────────────────────────────────────────────────

  /** Runs a user event on a trade, executes its intents, and returns the view (errors of refused orders thrown). */
  private async act(userId: string, tradeId: string, makeEvent: (acc: OpenAccount, t: Loaded) => Promise<TradeEvent>): Promise<TradeView> {
    const owned = await this.ownTrade(userId, tradeId);
    const acc = await this.open_(owned.accountId);
    const errors: string[] = [];
    await this.run(owned.accountId, async () => {
      const t = await this.load(tradeId);
      if (!t) throw new AppError('NOT_FOUND', 'trade: no such trade');
      const ev = await makeEvent(acc, t);
      // A new action starts with a clean slate; anything still wrong is reported again by this drive.
      t.s.lastError = null;
      t.s.retryingCid = null;
      await this.step(acc, t, ev, true);
      await this.drive(acc, t, errors);
      if (!acc.paper) await this.emitAccountState(acc);
    });
    await this.flush(owned.accountId);
    if (errors.length > 0) throw new AppError('VALIDATION', errors.join('; '));
    return this.view((await findTrade(this.o.db, tradeId))!);
  }

  /**
   * Applies one machine event and persists the new state (with the new intents appended to the outbox) before
   * anything is executed.
   * @param user true for user events: invalid ones throw AppError VALIDATION; otherwise they are logged and ignored
   */
  private async step(acc: OpenAccount, t: Loaded, ev: TradeEvent, user = false): Promise<void> {
    let res: { state: TradeState; intents: TradeIntent[] };
    try {
      res = stepTrade(t.s.machine, ev, t.s.ctx);
    } catch (err) {
      if (user) throw toAppError(err);
      this.o.log.warn({ tradeId: t.row.id, event: ev.type, error: err instanceof Error ? err.message : String(err) }, 'trade event ignored');
      return;
    }
    if (res.state === t.s.machine && res.intents.length === 0) return;
    t.s.machine = res.state;
    t.s.outbox.push(...res.intents);
    await this.persist(t);
    if (res.state.status === 'closed' || res.state.status === 'cancelled') {
      this.o.log.info({ accountId: acc.account.id, tradeId: t.row.id, status: res.state.status, reason: res.state.closeReason, realizedPnl: res.state.realizedPnl }, 'trade finished');
    }
  }

  /**
   * Executes the outbox in order. Each intent is removed (and the state written) once executed; what the venue
   * reports back is observed (which may step the trade and append more intents). An intent that cannot be
   * executed now (venue unreachable) stays for the next poll.
   * @param errors collects messages of refused orders for the user
   */
  private async drive(acc: OpenAccount, t: Loaded, errors?: string[]): Promise<void> {
    while (t.s.outbox.length > 0) {
      const intent = t.s.outbox[0]!;
      const out = await this.execute(acc, t, intent);
      const cid = intent.kind === 'place' ? intent.order.clientOrderId : intent.clientOrderId;
      if (out.kind === 'dead' && out.notSent && intent.kind === 'place' && intent.role === 'entry' && t.fresh && this.untouched(t)) {
        // The venue never saw this trade: drop it rather than keep an "entry cancelled" trade.
        await deleteTrade(this.o.db, t.row.id);
        t.discarded = true;
        t.s.outbox = [];
        errors?.push(out.message);
        this.o.log.info({ accountId: acc.account.id, tradeId: t.row.id, reason: out.reason }, 'trade discarded: its entry was refused before reaching the venue');
        return;
      }
      t.fresh = false;
      if (out.kind === 'retry') {
        if (t.s.lastError !== out.message) {
          t.s.lastError = out.message;
          t.s.retryingCid = cid;
          await this.persist(t);
        }
        return;
      }
      t.s.outbox.shift();
      if (out.kind === 'dead') {
        t.s.lastError = out.message;
        t.s.retryingCid = null;
        errors?.push(out.message);
      } else if (t.s.retryingCid === cid) {
        t.s.lastError = null;
        t.s.retryingCid = null;
      }
      await this.persist(t);
      if (out.kind === 'done') for (const o of out.orders) await this.observe(acc, o, t);
      else if (intent.kind === 'place') await this.step(acc, t, { type: 'orderDead', clientOrderId: intent.order.clientOrderId, reason: out.reason });
      if (intent.kind === 'cancel' && out.kind === 'done' && out.orders.length === 0 && t.s.machine.working[cid]) {
        // An awaited cancel of an order the venue does not know (never reached it): confirmed as cancelled.
        await this.step(acc, t, { type: 'orderDead', clientOrderId: cid, reason: 'canceled' });
      }
    }
  }

  /** True while a trade is only its unfilled entry: nothing filled, no other order asked for. */
  private untouched(t: Loaded): boolean {
    const m = t.s.machine;
    return m.status === 'opening' && new Decimal(m.entry.filled).isZero() && Object.keys(m.working).every((c) => c === m.entry.clientOrderId);
  }

  /**
   * Forgets an order that was refused before it reached a venue: its placeholder row is deleted (no "rejected"
   * row for something the venue never saw).
   */
  private async dropUnsent(accountId: string, cid: string): Promise<void> {
    await deleteOrderPlaceholder(this.o.db, accountId, cid);
  }

  /** Executes one intent against the venue (no state change here; a refused order's row is marked or dropped). */
  private async execute(acc: OpenAccount, t: Loaded, intent: TradeIntent): Promise<ExecOutcome> {
    const accountId = acc.account.id;
    const a = acc.adapter;
    const symbol = t.row.symbol;
    if (intent.kind === 'cancel') {
      const cid = intent.clientOrderId;
      const row = await findOrderByClientId(this.o.db, accountId, cid);
      let exId = row?.exchangeOrderId ?? null;
      try {
        if (!exId) exId = (await a.fetchOrderByClientId(cid, symbol))?.id ?? null;
        if (!exId) {
          if (row && row.status === 'open') await this.markOrder(row, 'canceled');
          return { kind: 'done', orders: [] };
        }
        return { kind: 'done', orders: [await a.cancelOrder(exId, symbol)] };
      } catch (err) {
        if (err instanceof RejectedOrderError && err.code === 'ORDER_NOT_FOUND') {
          if (row && row.status === 'open') await this.markOrder(row, 'canceled');
          return { kind: 'done', orders: [] };
        }
        if (err instanceof RejectedOrderError && exId) {
          // Already filled or closed: report its final state instead.
          const o = await a.fetchOrder(exId, symbol).catch(() => null);
          const awaited = (t.s.machine.cancelling ?? []).some((c) => c.clientOrderId === cid);
          // A spot sell waits for this cancel: an order still open is asked again later, never taken as gone.
          if (awaited && (!o || o.status === 'open')) return { kind: 'retry', message: `cancel ${cid}: ${describeExchangeError(err).message}` };
          return { kind: 'done', orders: o ? [o] : [] };
        }
        return { kind: 'retry', message: `cancel ${cid}: ${describeExchangeError(err).message}` };
      }
    }
    const req = intent.order;
    const cid = req.clientOrderId;
    const protective = intent.role === 'stop' || intent.role === 'target';
    const prior = await findOrderByClientId(this.o.db, accountId, cid);
    if (prior) {
      // An earlier attempt may have reached the venue (restart, ambiguous create): look before placing again.
      try {
        const found = await a.fetchOrderByClientId(cid, symbol);
        if (found) return { kind: 'done', orders: [found] };
      } catch (err) {
        return { kind: 'retry', message: `${intent.role} order ${cid}: ${describeExchangeError(err).message}` };
      }
    } else {
      await upsertOrder(this.o.db, {
        id: randomUUID(),
        accountId,
        exchangeOrderId: null,
        clientOrderId: cid,
        symbol: req.symbol,
        side: req.side,
        type: req.type,
        kind: req.kind ?? 'regular',
        status: 'open',
        amount: req.amount,
        price: req.price ?? null,
        triggerPrice: req.triggerPrice ?? null,
        reduceOnly: req.reduceOnly ?? false,
        tradeId: t.row.id,
        createdAt: this.o.clock.now(),
        // 0: any report from the venue supersedes this placeholder, whatever its clock says
        updatedAt: 0,
      });
    }
    for (let attempt = 0; ; attempt++) {
      try {
        return { kind: 'done', orders: [await a.createOrder(req)] };
      } catch (err) {
        if (err instanceof AmbiguousOrderError) {
          this.o.log.warn({ accountId, tradeId: t.row.id, clientOrderId: cid }, 'order create outcome unknown; looking it up by clientOrderId');
          try {
            const found = await a.fetchOrderByClientId(cid, symbol);
            if (found) return { kind: 'done', orders: [found] };
          } catch (lookupErr) {
            return { kind: 'retry', message: `${intent.role} order ${cid}: ${describeExchangeError(lookupErr).message}` };
          }
          if (attempt === 0) continue; // the venue never got it: one more try with the same clientOrderId
          return { kind: 'retry', message: `${intent.role} order ${cid}: ${err.message}` };
        }
        if (err instanceof RejectedOrderError) {
          // Paper orders never leave the process; live ones are unsent when the adapter's own checks refused them.
          const notSent = !!acc.paper || err.notSent;
          if (notSent) await this.dropUnsent(accountId, cid);
          else await this.markOrderByCid(accountId, cid, 'rejected');
          this.o.log.info({ accountId, tradeId: t.row.id, clientOrderId: cid, code: err.code, reason: err.message, notSent }, 'order refused');
          return { kind: 'dead', reason: `rejected: ${err.code}`, message: `${intent.role === 'entry' ? '' : `${intent.role}: `}${err.message}`, notSent };
        }
        const d = describeExchangeError(err);
        if (!(err instanceof ExchangeError)) this.logError(err, { accountId, tradeId: t.row.id }, 'order create failed');
        if (protective && !(err instanceof AuthExchangeError)) return { kind: 'retry', message: `${intent.role}: ${d.message}` };
        if (acc.paper) await this.dropUnsent(accountId, cid);
        else await this.markOrderByCid(accountId, cid, 'rejected');
        return { kind: 'dead', reason: `failed: ${d.code}`, message: d.message, notSent: !!acc.paper };
      }
    }
  }

  // ─── observing the venue ─────────────────────────────────────────────────────────────────────────────

  /**
   * Records an order as the venue reports it and, when it belongs to an active trade, feeds the part not yet
   * applied (ledger) to the machine as a fill, and a dead order as `orderDead`; then executes the consequences.
   * @param t the trade already loaded by the caller (its in-memory state is used and updated)
   */
  private async observe(acc: OpenAccount, order: Order, t?: Loaded): Promise<void> {
    const accountId = acc.account.id;
    const cid = order.clientOrderId;
    const prior = cid ? await findOrderByClientId(this.o.db, accountId, cid) : await findOrderByExchangeId(this.o.db, accountId, order.id);
    const stored = await upsertOrder(this.o.db, {
      id: prior?.id ?? randomUUID(),
      accountId,
      exchangeOrderId: order.id,
      clientOrderId: cid ?? prior?.clientOrderId ?? `${EXTERNAL_CID}${order.id}`,
      symbol: order.symbol,
      side: order.side,
      type: order.type,
      kind: order.kind,
      status: order.status,
      amount: order.amount,
      filled: order.filled,
      price: order.price,
      average: order.average,
      triggerPrice: order.triggerPrice,
      reduceOnly: order.reduceOnly,
      fee: order.fee,
      feeCurrency: order.feeCurrency,
      tradeId: prior?.tradeId ?? null,
      createdAt: prior?.createdAt ?? order.createdAt,
      updatedAt: order.updatedAt,
    });
    this.emit({ type: 'order', accountId, order: { ...orderView(stored) } });
    if (!cid || !stored.tradeId || stored.updatedAt > order.updatedAt) return;
    const trade = t && t.row.id === stored.tradeId ? t : await this.load(stored.tradeId);
    if (!trade || !ACTIVE.includes(trade.s.machine.status)) return;
    const m = await this.marketOf(acc, order.symbol).catch(() => null);
    if (!m) return;
    let pulled = 0;
    if (!acc.paper && new Decimal(order.filled).gt(trade.s.ledger[cid]?.filled ?? '0')) {
      // Live fees are reported per fill: fetch this order's fills (by the order, whatever their time) before valuing it.
      pulled = (await this.pullOrderFills(acc, order).catch((err) => (this.logError(err, { accountId }, 'fill sync failed'), []))).length;
    }
    const fills = await listFills(this.o.db, { accountId, orderId: order.id });
    let average = order.average;
    let feeQuote: string;
    // Spot: a fee paid in the base currency is not in the wallet any more (the trade holds less).
    let feeBase = new Decimal(0);
    if (fills.length > 0) {
      const amt = fills.reduce((a, f) => a.plus(f.amount), new Decimal(0));
      if (average === null && amt.gt(0)) average = fills.reduce((a, f) => a.plus(new Decimal(f.amount).mul(f.price)), new Decimal(0)).div(amt).toFixed();
      feeQuote = fills.reduce((a, f) => a.plus(feeInQuote(f.fee, f.feeCurrency, f.price, m)), new Decimal(0)).toFixed();
      feeBase = fills.reduce((a, f) => (f.feeCurrency === m.base ? a.plus(new Decimal(f.fee).abs()) : a), feeBase);
    } else {
      feeQuote = feeInQuote(order.fee, order.feeCurrency, average ?? order.price ?? '0', m);
      if (order.feeCurrency === m.base) feeBase = new Decimal(order.fee).abs();
    }
    const progress = { filled: order.filled, average, feeQuote, ...(m.type === 'spot' && feeBase.gt(0) ? { feeBase: feeBase.toFixed() } : {}) };
    const { delta, entry } = fillDelta(trade.s.ledger[cid], progress, order.price ?? this.lastPrices.get(`${accountId}|${order.symbol}`) ?? null);
    if (delta) {
      trade.s.ledger[cid] = entry;
      await this.step(acc, trade, { type: 'fill', clientOrderId: cid, price: delta.price, amount: delta.amount, fee: delta.fee, ...(delta.feeBase ? { feeBase: delta.feeBase } : {}) });
    }
    if (DEAD_STATUSES.has(order.status) || (order.status === 'closed' && new Decimal(order.filled).lt(order.amount))) {
      const role = trade.s.machine.working[cid];
      // A spot cancel Osprey asked for and awaits (before a sell or a new stop): its confirmation, not a problem.
      const awaited = (trade.s.machine.cancelling ?? []).some((c) => c.clientOrderId === cid);
      if (role) {
        await this.step(acc, trade, { type: 'orderDead', clientOrderId: cid, reason: order.status });
        if ((role === 'stop' || role === 'target') && !awaited && ACTIVE.includes(trade.s.machine.status)) {
          // Not cancelled by us (our cancels leave `working` first): the trade is no longer protected by it.
          trade.s.lastError = `${role === 'stop' ? 'stop-loss' : 'take-profit'} order ${cid} is ${order.status} on the exchange; set the protection again`;
          await this.persist(trade);
        }
      }
    }
    await this.drive(acc, trade);
    if (pulled > 0) {
      await this.emitAccountState(acc);
      await this.equitySnapshot(acc, this.o.clock.now()).catch((err) => this.logError(err, { accountId }, 'equity snapshot failed'));
    }
  }

  /** Records fills (new ones only, by venue fill id) and emits them. @returns the fills newly stored */
  private async recordFills(acc: OpenAccount, fills: readonly Fill[]): Promise<FillRow[]> {
    const accountId = acc.account.id;
    if (fills.length === 0) return [];
    const rows = [];
    for (const f of fills) {
      let cid = f.clientOrderId;
      const orderRow = await findOrderByExchangeId(this.o.db, accountId, f.orderId);
      if (!cid && orderRow && !orderRow.clientOrderId.startsWith(EXTERNAL_CID)) cid = orderRow.clientOrderId;
      if (!orderRow?.tradeId) this.foreignFill.set(`${accountId}|${f.symbol}`, { price: f.price, ts: f.ts });
      rows.push({
        id: randomUUID(),
        accountId,
        orderId: f.orderId,
        clientOrderId: cid,
        exchangeFillId: f.id,
        symbol: f.symbol,
        side: f.side,
        price: f.price,
        amount: f.amount,
        fee: f.fee,
        feeCurrency: f.feeCurrency,
        liquidity: f.liquidity,
        ts: f.ts,
      });
    }
    const inserted = await insertFills(this.o.db, rows);
    for (const r of inserted) this.emit({ type: 'fill', accountId, fill: { ...fillView(r) } });
    return inserted;
  }

  /** Fetches and records every fill of `order` (looked up by the order, whatever their time). */
  private async pullOrderFills(acc: OpenAccount, order: Pick<Order, 'id' | 'symbol'>): Promise<FillRow[]> {
    return this.recordFills(acc, await acc.adapter.fetchOrderFills(order.id, order.symbol));
  }

  /** Fetches and records the account's own fills on `symbol` since `since`. */
  private async pullFills(acc: OpenAccount, symbol: string, since: number): Promise<FillRow[]> {
    return this.recordFills(acc, await acc.adapter.fetchMyTrades(symbol, since));
  }

  /**
   * Closes every open trade on `symbol` whose position the venue no longer shows, at the price of the latest
   * fill that was not ours (the external close or liquidation) or else the last price.
   * @param reason close reason replacing the machine's `external` (e.g. `liquidation`)
   */
  private async positionGone(acc: OpenAccount, symbol: string, positions: readonly Position[], reason?: string): Promise<void> {
    const accountId = acc.account.id;
    for (const r of (await this.activeTrades(accountId)).filter((x) => x.symbol === symbol && x.status === 'open')) {
      const t = await this.load(r.id);
      if (!t || t.s.machine.status !== 'open' || new Decimal(t.s.machine.amount).lte(0)) continue;
      if (positions.some((p) => p.symbol === symbol && p.side === t.row.side && new Decimal(p.amount).gt(0))) continue;
      const foreign = this.foreignFill.get(`${accountId}|${symbol}`);
      const price = foreign && foreign.ts >= t.row.openedAt ? foreign.price : (await this.tickerOf(acc, symbol).catch(() => null))?.last;
      if (!price) continue;
      this.o.log.info({ accountId, tradeId: t.row.id, symbol, price, reason: reason ?? 'external' }, 'position closed outside Osprey');
      await this.step(acc, t, { type: 'positionGone', price });
      if (reason && (t.s.machine.status as TradeStatus) === 'closed' && t.s.machine.closeReason === 'external') {
        t.s.machine.closeReason = reason;
        await this.persist(t);
      }
      await this.drive(acc, t);
    }
  }

  // ─── paper events ────────────────────────────────────────────────────────────────────────────────────

  private attach(open: OpenAccount): void {
    const accountId = open.account.id;
    const stream = this.streams.get(accountId);
    if (stream && stream.adapter !== open.adapter) this.stopStream(accountId); // re-opened: the old adapter is closed
    this.paperOffs.get(accountId)?.();
    this.paperOffs.delete(accountId);
    if (!open.paper || this.stopped) return;
    this.paperOffs.set(
      accountId,
      open.paper.onEvent((e) => {
        let buf = this.paperBuffers.get(accountId);
        if (!buf) {
          buf = [];
          this.paperBuffers.set(accountId, buf);
          void this.run(accountId, () => this.drainPaper(accountId)).catch((err) => this.logError(err, { accountId }, 'paper event handling failed'));
        }
        buf.push(e);
      }),
    );
  }

  private async drainPaper(accountId: string): Promise<void> {
    const events = this.paperBuffers.get(accountId) ?? [];
    this.paperBuffers.delete(accountId);
    const acc = this.o.hub.peek(accountId);
    if (!acc?.paper || events.length === 0) return;
    // The paper state is written before any trade state that depends on it.
    await this.o.hub.savePaper(accountId);
    let filled = false;
    const liquidated = new Set<string>();
    for (const e of events) {
      if (e.type === 'order') await this.observe(acc, e.order);
      else if (e.type === 'fill') {
        filled = (await this.recordFills(acc, [e.fill])).length > 0 || filled;
        if (e.fill.liquidation) liquidated.add(e.fill.symbol);
      } else if (e.type === 'position' && e.position === null) await this.positionGone(acc, e.symbol, [], liquidated.has(e.symbol) ? 'liquidation' : undefined);
    }
    await this.emitAccountState(acc);
    if (filled) await this.equitySnapshot(acc, this.o.clock.now());
  }

  // ─── held spot take-profits ──────────────────────────────────────────────────────────────────────────

  /**
   * A price feed update (paper accounts): every armed trade on the symbol of a paper account whose held
   * target the update's step reaches (its high ≥ the target) gets a `price` event.
   */
  private onFeedPrice(symbol: string, candle: Candle): void {
    if (this.stopped) return;
    const prev = this.prevFeed.get(symbol) ?? null;
    if (prev && candle.ts < prev.ts) return; // stale
    this.prevFeed.set(symbol, candle);
    if (this.armed.size === 0) return;
    // Without a previous update the step is unknown: only the last price counts (not the candle's earlier high).
    const high = prev ? stepFromCandleUpdate(prev, candle, symbol).high : candle.close;
    for (const [tradeId, a] of this.armed) {
      if (a.symbol !== symbol || !this.o.hub.peek(a.accountId)?.paper) continue;
      if (new Decimal(high).gte(a.level)) this.queuePrice(a.accountId, tradeId, new Decimal(high).toFixed());
    }
  }

  private queuePrice(accountId: string, tradeId: string, price: string): void {
    if (this.priceQueued.has(tradeId)) return;
    this.priceQueued.add(tradeId);
    void this.run(accountId, async () => {
      this.priceQueued.delete(tradeId);
      if (!this.stopped) await this.onPrice(await this.o.hub.get(accountId), tradeId, price);
    }).catch((err) => {
      this.priceQueued.delete(tradeId);
      this.logError(err, { accountId, tradeId }, 'take-profit watch failed');
    });
  }

  /** Feeds a reached price to an armed trade (inside the account's queue) and executes what follows. */
  private async onPrice(acc: OpenAccount, tradeId: string, price: string): Promise<void> {
    const t = await this.load(tradeId);
    if (!t || !ACTIVE.includes(t.s.machine.status)) return;
    const level = armedLevel(t.s.machine);
    if (level === null || new Decimal(price).lt(level)) return;
    this.o.log.info({ accountId: acc.account.id, tradeId, symbol: t.row.symbol, price, target: level }, 'held take-profit reached: cancelling the stop before selling');
    await this.step(acc, t, { type: 'price', price });
    await this.drive(acc, t);
    if (!acc.paper) await this.emitAccountState(acc);
  }

  /** Every {@link watchMs}: queues a ticker check on each live/sandbox account with an armed trade. */
  private watchTick(): void {
    if (this.stopped) return;
    const ids = new Set([...this.armed.values()].map((a) => a.accountId));
    for (const id of ids) {
      const open = this.o.hub.peek(id);
      if ((open?.paper && this.o.prices) || this.watchQueued.has(id)) continue;
      this.watchQueued.add(id);
      void this.run(id, async () => {
        this.watchQueued.delete(id);
        if (!this.stopped) await this.watchTickers(await this.o.hub.get(id));
      }).catch((err) => {
        this.watchQueued.delete(id);
        this.logError(err, { accountId: id }, 'take-profit watch failed');
      });
    }
  }

  /** Reads the ticker of every armed trade of the account (inside its queue) and feeds a reached price. */
  private async watchTickers(acc: OpenAccount): Promise<void> {
    const accountId = acc.account.id;
    for (const [tradeId, a] of [...this.armed]) {
      if (a.accountId !== accountId) continue;
      const tk = await acc.adapter.fetchTicker(a.symbol).catch((err) => (this.logError(err, { accountId, tradeId }, 'take-profit watch: ticker failed'), null));
      if (!tk) continue;
      this.lastPrices.set(`${accountId}|${a.symbol}`, tk.last);
      if (new Decimal(tk.last).gte(a.level)) await this.onPrice(acc, tradeId, tk.last);
    }
  }

  // ─── polling ─────────────────────────────────────────────────────────────────────────────────────────

  private async syncTick(): Promise<void> {
    if (this.stopped) return;
    let ids: Set<string>;
    try {
      ids = new Set([...(await this.activeTrades()).map((t) => t.accountId), ...(await accountsWithOpenOrders(this.o.db))]);
    } catch (err) {
      this.logError(err, {}, 'sync: listing accounts failed');
      return;
    }
    for (const id of ids) {
      if (this.syncing.has(id)) continue;
      this.syncing.add(id);
      void this.run(id, async () => {
        const acc = await this.o.hub.get(id);
        await this.sync(acc);
      })
        .catch((err) => this.logError(err, { accountId: id }, 'account sync failed'))
        .finally(() => this.syncing.delete(id));
    }
  }

  /** One poll of an account (inside its queue). Paper accounts report through events: only outboxes are retried. */
  private async sync(acc: OpenAccount): Promise<void> {
    const accountId = acc.account.id;
    const trades = await this.activeTrades(accountId);
    if (acc.paper) {
      for (const r of trades) {
        const t = await this.load(r.id);
        if (t && t.s.outbox.length > 0) await this.drive(acc, t);
      }
      return;
    }
    const a = acc.adapter;
    const started = this.o.clock.now();
    const openRows = await listOrders(this.o.db, { accountId, status: 'open', limit: 2000 });
    const symbols = new Set([...trades.map((t) => t.symbol), ...openRows.map((r) => r.symbol)]);
    const since = this.lastFillSync.get(accountId) ?? Math.min(started, ...trades.map((t) => t.openedAt), ...openRows.map((r) => r.createdAt));
    let newFills = 0;
    for (const sym of symbols) newFills += (await this.pullFills(acc, sym, since - FILL_OVERLAP_MS)).length;
    const venueOpen = await a.fetchOpenOrders();
    const seen = new Set(venueOpen.map((o) => o.id));
    for (const o of venueOpen) if (o.clientOrderId || (await findOrderByExchangeId(this.o.db, accountId, o.id))) await this.observe(acc, o);
    for (const row of openRows) {
      if (row.exchangeOrderId && seen.has(row.exchangeOrderId)) continue;
      let o: Order | null = null;
      try {
        o = row.exchangeOrderId ? await a.fetchOrder(row.exchangeOrderId, row.symbol) : await a.fetchOrderByClientId(row.clientOrderId, row.symbol);
      } catch (err) {
        if (!(err instanceof RejectedOrderError && err.code === 'ORDER_NOT_FOUND')) throw err;
      }
      if (o) await this.observe(acc, o);
      else if (!row.exchangeOrderId && row.updatedAt === 0) {
        // Placeholder of a create the venue never got: its intent is still in the outbox and is retried below.
      } else await this.markOrder(row, 'canceled');
    }
    if (a.marketType === 'swap') {
      const positions = await a.fetchPositions();
      await insertPositionSnapshots(
        this.o.db,
        positions.map((p) => ({ accountId, symbol: p.symbol, side: p.side, amount: p.amount, entryPrice: p.entryPrice, markPrice: p.markPrice, unrealizedPnl: p.unrealizedPnl, updatedAt: p.updatedAt })),
      );
      for (const p of positions) if (p.markPrice) this.lastPrices.set(`${accountId}|${p.symbol}`, p.markPrice);
      for (const sym of new Set(trades.map((t) => t.symbol))) await this.positionGone(acc, sym, positions);
    }
    await this.watchTickers(acc);
    for (const r of await this.activeTrades(accountId)) {
      const t = await this.load(r.id);
      if (t && t.s.outbox.length > 0) await this.drive(acc, t);
    }
    this.lastFillSync.set(accountId, started);
    await this.emitAccountState(acc);
    if (newFills > 0) await this.equitySnapshot(acc, this.o.clock.now());
  }

  /** Restart: reconcile every working order of the account's active trades, finish outboxes, then poll. */
  private async resumeAccount(accountId: string): Promise<void> {
    const acc = await this.o.hub.get(accountId);
    for (const r of await this.activeTrades(accountId)) {
      const t = await this.load(r.id);
      if (!t) continue;
      const queued = new Set(t.s.outbox.flatMap((i) => (i.kind === 'place' ? [i.order.clientOrderId] : [])));
      for (const cid of Object.keys(t.s.machine.working)) {
        if (queued.has(cid)) continue;
        const row = await findOrderByClientId(this.o.db, accountId, cid);
        try {
          const o = row?.exchangeOrderId ? await acc.adapter.fetchOrder(row.exchangeOrderId, t.row.symbol) : await acc.adapter.fetchOrderByClientId(cid, t.row.symbol);
          // A paper venue saved with fills whose rows a crash kept from being written: record them (live: `observe` does).
          if (o && acc.paper && new Decimal(o.filled).gt(0)) await this.pullOrderFills(acc, o);
          if (o) await this.observe(acc, o, t);
        } catch (err) {
          this.logError(err, { accountId, tradeId: t.row.id, clientOrderId: cid }, 'resume: order lookup failed');
        }
      }
      await this.drive(acc, t);
    }
    if (!acc.paper) await this.sync(acc);
  }

  // ─── equity ──────────────────────────────────────────────────────────────────────────────────────────

  private onQuarterClose(ts: number): void {
    if (ts <= this.lastEquityTs || this.stopped) return;
    this.lastEquityTs = ts;
    void (async () => {
      const ids = new Set([...this.o.hub.openIds(), ...(await this.activeTrades()).map((t) => t.accountId)]);
      await Promise.all(
        [...ids].map((id) =>
          this.run(id, async () => this.equitySnapshot(await this.o.hub.get(id), ts)).catch((err) => this.logError(err, { accountId: id }, 'equity snapshot failed')),
        ),
      );
    })().catch((err) => this.logError(err, {}, 'equity snapshots failed'));
  }

  private async equityOf(acc: OpenAccount): Promise<EquityParts> {
    const a = acc.adapter;
    const balances = await this.call(() => a.fetchBalance());
    const positions = a.marketType === 'swap' ? await this.call(() => a.fetchPositions()) : [];
    const prices: Record<string, string> = {};
    if (a.marketType === 'spot') {
      const markets = await this.call(() => a.loadMarkets());
      for (const b of balances) {
        const sym = `${b.currency}/${EQUITY_QUOTE}`;
        if (b.currency === EQUITY_QUOTE || new Decimal(b.total).isZero() || !markets[sym]) continue;
        const t = await a.fetchTicker(sym).catch(() => null);
        if (t) prices[b.currency] = t.last;
      }
    }
    // Paper balances hold margins at cost; venues' (ccxt) perpetual totals are margin balances with unrealized PnL.
    return accountEquity({ marketType: a.marketType, quote: EQUITY_QUOTE, balances, positions, prices, balanceIncludesUnrealized: !acc.paper && a.marketType === 'swap' });
  }

  private async equitySnapshot(acc: OpenAccount, ts: number): Promise<EquityParts> {
    const parts = await this.equityOf(acc);
    await upsertEquitySnapshot(this.o.db, { accountId: acc.account.id, ts, ...parts });
    this.emit({ type: 'equity', accountId: acc.account.id, ts, equity: parts.equity });
    return parts;
  }

  private async emitAccountState(acc: OpenAccount): Promise<void> {
    const accountId = acc.account.id;
    // Called after every change on a live account (action, poll): the right moment to (un)subscribe its stream.
    await this.refreshStream(acc).catch((err) => this.logError(err, { accountId }, 'order stream update failed'));
    try {
      this.emit({ type: 'balances', accountId, balances: await acc.adapter.fetchBalance() });
      if (acc.adapter.marketType === 'swap') this.emit({ type: 'positions', accountId, positions: (await acc.adapter.fetchPositions()).map((p) => ({ ...p })) });
    } catch (err) {
      this.logError(err, { accountId }, 'reading balances/positions failed');
    }
  }

  // ─── persistence and views ───────────────────────────────────────────────────────────────────────────

  private async load(tradeId: string): Promise<Loaded | null> {
    const row = await findTrade(this.o.db, tradeId);
    if (!row?.state || (row.state as { version?: unknown }).version !== 1) return null;
    const t: Loaded = { row, s: structuredClone(row.state) as unknown as StoredTrade };
    t.s.machine = upgradeSpotState(t.s.machine);
    this.track(t);
    return t;
  }

  /** Keeps {@link armed} in step with a trade's state. */
  private track(t: Loaded): void {
    const level = ACTIVE.includes(t.s.machine.status) ? armedLevel(t.s.machine) : null;
    if (level === null || t.discarded) this.armed.delete(t.row.id);
    else this.armed.set(t.row.id, { accountId: t.row.accountId, symbol: t.row.symbol, level });
  }

  private async persist(t: Loaded): Promise<void> {
    const wasActive = ACTIVE.includes(t.row.status);
    const patch = mirror(t.s);
    const finished = t.s.machine.status === 'closed' || t.s.machine.status === 'cancelled';
    const row = await updateTrade(this.o.db, t.row.id, { ...patch, ...(finished && wasActive ? { closedAt: this.o.clock.now() } : {}) });
    if (row) t.row = row;
    this.track(t);
    this.emitTrade(t);
  }

  private emitTrade(t: Loaded): void {
    this.emit({ type: 'trade', accountId: t.row.accountId, trade: this.viewOf(t.row, t.s, null) });
  }

  private async view(row: TradeRow): Promise<TradeView> {
    const s = row.state && (row.state as { version?: unknown }).version === 1 ? (row.state as unknown as StoredTrade) : null;
    let price: string | null = null;
    if (row.status === 'open') {
      const acc = this.o.hub.peek(row.accountId);
      if (acc?.paper) price = (await acc.paper.fetchTicker(row.symbol).catch(() => null))?.last ?? null;
      else price = this.lastPrices.get(`${row.accountId}|${row.symbol}`) ?? null;
    }
    return this.viewOf(row, s, price);
  }

  private viewOf(row: TradeRow, s: StoredTrade | null, price: string | null): TradeView {
    const m = s?.machine;
    const amount = m?.amount ?? row.amount;
    const entry = m?.entryPrice ?? row.entryPrice;
    const upnl = price && entry && row.status === 'open' && new Decimal(amount).gt(0) ? unrealizedPnl(row.side, entry, price, amount).toFixed() : null;
    return {
      id: row.id,
      accountId: row.accountId,
      symbol: row.symbol,
      side: row.side,
      status: row.status,
      leverage: row.leverage,
      amount,
      entryPrice: entry,
      stopLoss: m ? (m.stopLoss?.price ?? null) : (row.stopLoss?.price ?? null),
      takeProfits: m ? m.targets.map((x) => ({ price: x.price, share: x.share, done: x.done, ...(x.held && ACTIVE.includes(row.status) ? { held: true } : {}) })) : row.takeProfits.map((x) => ({ price: x.price, share: x.share, done: !!x.filled })),
      realizedPnl: row.realizedPnl,
      realizedPnlPct: row.realizedPnlPct,
      unrealizedPnl: upnl,
      fees: row.fees,
      source: row.source,
      sourceRef: row.sourceRef,
      closeReason: row.closeReason,
      openedAt: row.openedAt,
      closedAt: row.closedAt,
      lastError: ACTIVE.includes(row.status) ? (s?.lastError ?? null) : null,
    };
  }

  private async markOrder(row: OrderRow, status: 'canceled' | 'rejected'): Promise<void> {
    const r = await upsertOrder(this.o.db, { ...row, status, updatedAt: Math.max(row.updatedAt, this.o.clock.now()) });
    this.emit({ type: 'order', accountId: row.accountId, order: { ...orderView(r) } });
  }

  private async markOrderByCid(accountId: string, cid: string, status: 'canceled' | 'rejected'): Promise<void> {
    const row = await findOrderByClientId(this.o.db, accountId, cid);
    if (row && row.status === 'open') await this.markOrder(row, status);
  }

  private async orderByRowId(accountId: string, id: string): Promise<OrderRow | undefined> {
    return (await listOrders(this.o.db, { accountId, limit: 5000 })).find((r) => r.id === id);
  }

  // ─── order streams ───────────────────────────────────────────────────────────────────────────────────

  /**
   * Subscribes a live account to its adapter's order stream while it has active trades or open orders, and
   * unsubscribes it otherwise (inside the account's queue).
   */
  private async refreshStream(acc: OpenAccount): Promise<void> {
    const accountId = acc.account.id;
    const a = acc.adapter;
    const current = this.streams.get(accountId);
    if (current && current.adapter !== a) this.stopStream(accountId);
    if (acc.paper || !a.watchOrders || this.stopped) return;
    const wanted = (await this.activeTrades(accountId)).length > 0 || (await listOrders(this.o.db, { accountId, status: 'open', limit: 1 })).length > 0;
    const running = this.streams.has(accountId);
    if (wanted && !running && !this.stopped) {
      const stop = a.watchOrders(() => this.onStreamUpdate(accountId));
      this.streams.set(accountId, { adapter: a, stop });
      this.o.log.info({ accountId }, 'order stream subscribed');
    } else if (!wanted && running) {
      this.stopStream(accountId);
      this.o.log.info({ accountId }, 'order stream unsubscribed');
    }
  }

  /** A pushed order change: one poll of the account {@link STREAM_DEBOUNCE_MS} later (coalescing bursts). */
  private onStreamUpdate(accountId: string): void {
    if (this.stopped || this.streamTimers.has(accountId)) return;
    const timer = setTimeout(() => {
      this.streamTimers.delete(accountId);
      if (this.stopped || this.streamSyncQueued.has(accountId)) return;
      this.streamSyncQueued.add(accountId);
      void this.run(accountId, async () => {
        this.streamSyncQueued.delete(accountId);
        if (this.stopped) return;
        await this.sync(await this.o.hub.get(accountId));
      }).catch((err) => {
        this.streamSyncQueued.delete(accountId);
        this.logError(err, { accountId }, 'account sync (order stream) failed');
      });
    }, STREAM_DEBOUNCE_MS);
    timer.unref?.();
    this.streamTimers.set(accountId, timer);
  }

  private stopStream(accountId: string): void {
    this.streams.get(accountId)?.stop();
    this.streams.delete(accountId);
    const t = this.streamTimers.get(accountId);
    if (t) clearTimeout(t);
    this.streamTimers.delete(accountId);
  }

  private stopAllStreams(): void {
    for (const id of [...this.streams.keys(), ...this.streamTimers.keys()]) this.stopStream(id);
  }

  // ─── helpers ─────────────────────────────────────────────────────────────────────────────────────────

  /** Runs `fn` on the account's serial queue. */
  private run<T>(accountId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.queues.get(accountId) ?? Promise.resolve();
    const next = prev.then(fn);
    const tail = next.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(accountId, tail);
    void tail.then(() => {
      if (this.queues.get(accountId) === tail) this.queues.delete(accountId);
    });
    return next;
  }

  /** Waits for everything queued on the account so far (e.g. adapter events caused by an action). */
  private async flush(accountId: string): Promise<void> {
    await this.run(accountId, async () => undefined);
  }

  private async activeTrades(accountId?: string): Promise<TradeRow[]> {
    const [a, b] = await Promise.all(ACTIVE.map((status) => listTrades(this.o.db, { accountId, status, limit: 5000 })));
    return [...a!, ...b!];
  }

  private async ownAccount(userId: string, accountId: string): Promise<void> {
    if (!(await findAccountOfUser(this.o.db, userId, accountId))) throw new AppError('NOT_FOUND', 'account: no such account');
  }

  private async ownOpen(userId: string, accountId: string): Promise<OpenAccount> {
    await this.ownAccount(userId, accountId);
    return this.open_(accountId);
  }

  private async ownTrade(userId: string, tradeId: string): Promise<TradeRow> {
    const row = await findTrade(this.o.db, tradeId);
    if (!row || !(await findAccountOfUser(this.o.db, userId, row.accountId))) throw new AppError('NOT_FOUND', 'trade: no such trade');
    return row;
  }

  /** The account's adapter, with exchange/secret errors as AppErrors. */
  private async open_(accountId: string): Promise<OpenAccount> {
    try {
      return await this.o.hub.get(accountId);
    } catch (err) {
      throw toAppError(err);
    }
  }

  private async marketOf(acc: OpenAccount, symbol: string): Promise<MarketInfo> {
    const m = (await this.call(() => acc.adapter.loadMarkets()))[symbol];
    if (!m) throw new AppError('VALIDATION', `symbol: ${symbol} is not a ${acc.adapter.marketType} market of this account`);
    return m;
  }

  private async tickerOf(acc: OpenAccount, symbol: string): Promise<Ticker> {
    await this.marketOf(acc, symbol);
    const t = await this.call(() => acc.adapter.fetchTicker(symbol));
    this.lastPrices.set(`${acc.account.id}|${symbol}`, t.mark ?? t.last);
    return t;
  }

  /** Runs an adapter call, translating exchange errors into AppErrors for the user. */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toAppError(err);
    }
  }

  private emit(e: AccountEvent): void {
    this.o.bus.emit('account', e);
  }

  private logError(err: unknown, ctx: Record<string, unknown>, msg: string): void {
    if (err instanceof ExchangeError || err instanceof AppError) this.o.log.warn({ ...ctx, code: err.code, error: err.message }, msg);
    else if (err instanceof SecretBoxError) this.o.log.warn({ ...ctx, code: 'SECRETS_UNREADABLE' }, msg);
    else this.o.log.error({ ...ctx, err }, msg);
  }
}

/** The flat `trades` columns mirrored from a stored trade (for queries and the UI), plus the state itself. */
function mirror(s: StoredTrade) {
  const m = s.machine;
  const finished = m.status === 'closed' || m.status === 'cancelled';
  // Open trades show their result so far net of the fees paid; the machine subtracts fees when it finishes.
  const net = finished ? new Decimal(m.realizedPnl) : new Decimal(m.realizedPnl).minus(m.fees);
  return {
    status: m.status,
    entryPrice: m.entryPrice,
    amount: m.amount,
    closedAmount: m.closedAmount,
    realizedPnl: net.toFixed(),
    realizedPnlPct: realizedPnlPct({ ...m, realizedPnl: net.toFixed() }),
    fees: m.fees,
    stopLoss: m.stopLoss ? { price: m.stopLoss.price, clientOrderId: m.stopLoss.clientOrderId, triggered: m.closeReason === 'stop_loss' } : null,
    takeProfits: m.targets.map((x) => ({ price: x.price, share: x.share, clientOrderId: x.clientOrderId, filled: x.done })),
    closeReason: m.closeReason,
    state: s as unknown as Record<string, unknown>,
  };
}

/** The API view of an order row. */
export function orderView(r: OrderRow): OrderView {
  return {
    id: r.exchangeOrderId ?? r.id,
    clientOrderId: r.clientOrderId.startsWith(EXTERNAL_CID) ? null : r.clientOrderId,
    symbol: r.symbol,
    side: r.side,
    type: r.type,
    kind: r.kind,
    status: r.status,
    amount: r.amount,
    filled: r.filled,
    price: r.price,
    average: r.average,
    triggerPrice: r.triggerPrice,
    reduceOnly: r.reduceOnly,
    fee: r.fee,
    feeCurrency: r.feeCurrency,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    tradeId: r.tradeId,
  };
}

/** The API view of a fill row (ids are the venue's). */
export function fillView(r: FillRow): FillView {
  return {
    id: r.exchangeFillId,
    orderId: r.orderId,
    clientOrderId: r.clientOrderId,
    symbol: r.symbol,
    side: r.side,
    price: r.price,
    amount: r.amount,
    fee: r.fee,
    feeCurrency: r.feeCurrency,
    liquidity: r.liquidity,
    ts: r.ts,
  };
}

/**
 * Translates domain and exchange errors into user-facing AppErrors: bad input / refused orders → VALIDATION
 * (messages start with the field), rate limits → RATE_LIMITED, credentials → FORBIDDEN, venue trouble →
 * INTERNAL with a sentence saying what to do ({@link describeExchangeError}). Anything else is rethrown.
 */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof SizingError || err instanceof TradeStateError) return new AppError('VALIDATION', err.message);
  if (err instanceof RejectedOrderError) return new AppError('VALIDATION', err.message);
  if (err instanceof TemporaryExchangeError) return new AppError(err.code === 'RATE_LIMITED' ? 'RATE_LIMITED' : 'INTERNAL', describeExchangeError(err).message);
  if (err instanceof AuthExchangeError) return new AppError('FORBIDDEN', describeExchangeError(err).message);
  if (err instanceof ExchangeError || err instanceof SecretBoxError) return new AppError('INTERNAL', describeExchangeError(err).message);
  throw err;
}
