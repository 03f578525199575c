/**
 * The PendingOrderManager: price-triggered entries kept by Osprey (not at the venue). A pending order watches
 * the market feed's 15m stream of its symbol (perpetual `BTC/USDT:USDT` watches `BTC/USDT`); the range traded
 * between two updates (`stepFromCandleUpdate`) is evaluated with the pure `evaluatePending`: a crossing opens
 * the trade through the TradingManager **exactly once** — the row moves PENDING → TRIGGERED with a
 * compare-and-set before the trade is opened, so concurrent evaluations (or processes) cannot both fire it —
 * and an order past its expiry (market clock) becomes EXPIRED, on price steps and on a periodic sweep.
 *
 * The direction (`above` / `below`) is the trader's choice, checked at creation against the current price. An
 * order is refused at creation (CONFLICT) when the account already has an active trade on the symbol. When a
 * fired order still cannot open its trade (a trade opened since, funds, minimums at the new size, the venue
 * refused), it moves TRIGGERED → FAILED with the reason stored in `error`, and the change is streamed on the
 * bus (`account` event `pending`), which the client turns into a toast.
 */
import { randomUUID } from 'node:crypto';
import Decimal from 'decimal.js';
import type { Candle, CreatePendingInput, OpenTradeInput, PendingOrderStatus, PendingOrderView, SizingInput } from '@osprey/shared';
import type { Db } from '../adapters/db/client.js';
import { findAccountOfUser } from '../adapters/db/repos/accounts-repo.js';
import {
  findPendingOrder,
  insertPendingOrder,
  listPendingOrders,
  setPendingOrderOutcome,
  transitionPendingOrder,
  type PendingOrderRow,
} from '../adapters/db/repos/trading-repo.js';
import type { Logger } from '../adapters/log.js';
import type { Clock } from '../domain/ports.js';
import { checkDirection, evaluatePending, expiredAt, type PendingTrigger } from '../domain/trade/pending.js';
import { stepFromCandleUpdate } from '../domain/trading/fill-rules.js';
import { AppError } from './errors.js';
import type { EventBus } from './event-bus.js';
import type { TradingService } from './trading-service.js';

/** Default period of the expiry sweep, real ms. */
export const DEFAULT_SWEEP_MS = 5_000;

/** Options of {@link PendingService}. */
export interface PendingServiceOptions {
  db: Db;
  bus: EventBus;
  /** Market clock (expiry follows it: simulated in replay). */
  clock: Clock;
  trading: Pick<TradingService, 'activeTradeOn' | 'estimateFor' | 'lastPrice' | 'openFor'>;
  log: Logger;
  /** Period of the expiry sweep when no prices arrive, real ms (default {@link DEFAULT_SWEEP_MS}). */
  sweepMs?: number;
}

/** A cached PENDING order with what evaluation needs. */
type Watched = PendingTrigger & { row: PendingOrderRow };

/** The PendingOrderManager (see the module doc). */
export class PendingService {
  /** PENDING orders by id (the database is the authority; this only avoids a query per price update). */
  private readonly watched = new Map<string, Watched>();
  /** Previous 15m update per feed symbol (start of the next price step). */
  private readonly prev = new Map<string, Candle>();
  private readonly inflight = new Set<Promise<unknown>>();
  private off: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly o: PendingServiceOptions) {}

  /** Loads the PENDING orders, expires those already past, and starts watching prices. */
  async start(): Promise<void> {
    for (const row of await listPendingOrders(this.o.db, { status: 'PENDING' })) this.watch(row);
    this.off ??= this.o.bus.on('candle', (u) => {
      if (u.timeframe !== '15m') return;
      this.track(this.onPrice(u.symbol, u.candle));
    });
    this.timer ??= setInterval(() => this.track(this.sweep()), this.o.sweepMs ?? DEFAULT_SWEEP_MS);
    this.timer.unref?.();
    await this.sweep();
  }

  /** Stops watching and waits for evaluations in flight. */
  async stop(): Promise<void> {
    this.off?.();
    this.off = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.idle();
  }

  /** Resolves when no evaluation is in flight. */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  /**
   * Creates a pending order on one of the user's accounts. The trader's `direction` is kept as given; the
   * trigger must lie on that side of the current price (a trigger already reached would fire at once, so it is
   * refused). The amount is estimated at the trigger price (the trade is sized again from `sizing` when it fires).
   * @throws AppError NOT_FOUND (account); CONFLICT `symbol: …` naming the symbol and the active trade when the
   *   account already has an active trade on the symbol (a pending order there could never open);
   *   VALIDATION naming the field (`triggerPrice` already reached in `direction` or at the current price,
   *   `side` short on spot, `sizing.value` below the venue's minimums, `stopLoss`/`takeProfits` on the wrong
   *   side of the trigger…)
   */
  async create(userId: string, input: CreatePendingInput): Promise<PendingOrderView> {
    if (!(await findAccountOfUser(this.o.db, userId, input.accountId))) throw new AppError('NOT_FOUND', 'account: no such account');
    const clash = await this.o.trading.activeTradeOn(input.accountId, input.symbol);
    if (clash) {
      throw new AppError(
        'CONFLICT',
        `symbol: this account already has an active trade on ${input.symbol} (${clash.side} ${clash.amount}, trade ${clash.id}), so a pending order there could not open a second one: close that trade first`,
      );
    }
    const current = await this.o.trading.lastPrice(input.accountId, input.symbol);
    const direction = input.direction;
    try {
      checkDirection(direction, input.triggerPrice, current);
    } catch (err) {
      throw new AppError('VALIDATION', err instanceof Error ? err.message : String(err));
    }
    const { estimate: est, blocking } = await this.o.trading.estimateFor(input.accountId, { ...this.openInput(input, input.sizing), entryType: 'limit', entryPrice: input.triggerPrice });
    if (blocking.length > 0) throw new AppError('VALIDATION', blocking.join('; '));
    const now = this.o.clock.now();
    const row = await insertPendingOrder(this.o.db, {
      id: randomUUID(),
      accountId: input.accountId,
      symbol: input.symbol,
      side: input.side,
      amount: est.amount,
      sizing: input.sizing,
      triggerPrice: new Decimal(input.triggerPrice).toFixed(),
      direction,
      stopLoss: input.stopLoss ?? null,
      takeProfits: input.takeProfits.map((t) => ({ price: t.price, share: t.share })),
      leverage: input.leverage,
      sourceSignalId: input.sourceSignalId ?? null,
      status: 'PENDING',
      expiresAt: now + input.expiresInMs,
      createdAt: now,
    });
    this.watch(row);
    this.emit(row);
    this.o.log.info({ accountId: row.accountId, pendingId: row.id, symbol: row.symbol, direction, triggerPrice: row.triggerPrice }, 'pending order created');
    return pendingView(row);
  }

  /**
   * Cancels a PENDING order of the user.
   * @throws AppError NOT_FOUND (also another user's); CONFLICT when it already triggered, expired or was cancelled
   */
  async cancel(userId: string, id: string): Promise<PendingOrderView> {
    const row = await findPendingOrder(this.o.db, id);
    if (!row || !(await findAccountOfUser(this.o.db, userId, row.accountId))) throw new AppError('NOT_FOUND', 'id: no such pending order');
    const done = await transitionPendingOrder(this.o.db, id, { status: 'CANCELLED' });
    if (!done) throw new AppError('CONFLICT', `id: the pending order is already ${(await findPendingOrder(this.o.db, id))?.status ?? row.status}`);
    this.watched.delete(id);
    this.emit(done);
    return pendingView(done);
  }

  /** The pending orders of one of the user's accounts, oldest first (by `createdAt`), optionally in one status. */
  async list(userId: string, accountId: string, status?: PendingOrderStatus): Promise<PendingOrderView[]> {
    if (!(await findAccountOfUser(this.o.db, userId, accountId))) throw new AppError('NOT_FOUND', 'account: no such account');
    return (await listPendingOrders(this.o.db, { accountId, status })).map(pendingView);
  }

  /**
   * Evaluates one 15m update of a feed symbol (what the bus listener calls): the price step since the previous
   * update expires and triggers the PENDING orders it concerns. Safe to call concurrently: each order fires at
   * most once (compare-and-set).
   */
  async onPrice(feedSymbol: string, candle: Candle): Promise<void> {
    const prev = this.prev.get(feedSymbol) ?? null;
    if (prev && candle.ts < prev.ts) return;
    this.prev.set(feedSymbol, candle);
    const now = this.o.clock.now();
    const mine = [...this.watched.values()].filter((w) => feedOf(w.symbol) === feedSymbol);
    const jobs: Promise<unknown>[] = [];
    for (const symbol of new Set(mine.map((w) => w.symbol))) {
      const step = stepFromCandleUpdate(prev, candle, symbol, now);
      const { triggered, expired } = evaluatePending(
        mine.filter((w) => w.symbol === symbol),
        { symbol, ts: now, high: step.high, low: step.low },
      );
      for (const w of expired) jobs.push(this.expire(w));
      for (const w of triggered) jobs.push(this.fire(w, now));
    }
    jobs.push(this.sweep());
    await Promise.all(jobs);
  }

  /** Expires every PENDING order whose time is up at market time. */
  async sweep(): Promise<void> {
    await Promise.all(expiredAt([...this.watched.values()], this.o.clock.now()).map((w) => this.expire(w)));
  }

  // ─── internals ───────────────────────────────────────────────────────────────────────────────────────

  private async expire(w: Watched): Promise<void> {
    const row = await transitionPendingOrder(this.o.db, w.id, { status: 'EXPIRED' });
    this.watched.delete(w.id);
    if (!row) return;
    this.emit(row);
    this.o.log.info({ accountId: row.accountId, pendingId: row.id }, 'pending order expired');
  }

  private async fire(w: Watched, now: number): Promise<void> {
    const won = await transitionPendingOrder(this.o.db, w.id, { status: 'TRIGGERED', triggeredAt: now });
    this.watched.delete(w.id);
    if (!won) return; // another evaluation (or process) fired it, or it was cancelled
    this.emit(won);
    this.o.log.info({ accountId: won.accountId, pendingId: won.id, symbol: won.symbol, triggerPrice: won.triggerPrice }, 'pending order triggered');
    const sizing: SizingInput = won.sizing ?? { mode: 'base', value: won.amount };
    let outcome: { tradeId: string | null; error: string | null };
    try {
      const trade = await this.o.trading.openFor(won.accountId, this.openInput(won, sizing), { source: 'pending', sourceRef: won.id });
      outcome = { tradeId: trade.id, error: null };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      outcome = { tradeId: null, error: message };
      this.o.log.warn({ accountId: won.accountId, pendingId: won.id, error: message }, 'pending order triggered but the trade did not open');
    }
    // A failure is stored (status FAILED with the reason) and streamed: the client shows it in the list and a toast.
    const row = await setPendingOrderOutcome(this.o.db, won.id, outcome);
    if (row) this.emit(row);
  }

  /** The `trading.open` input of a pending order (market entry). */
  private openInput(
    p: { accountId: string; symbol: string; side: 'long' | 'short'; leverage: number; stopLoss?: string | null | undefined; takeProfits: { price: string; share: string }[]; sourceSignalId?: string | null | undefined },
    sizing: SizingInput,
  ): OpenTradeInput {
    return {
      accountId: p.accountId,
      symbol: p.symbol,
      side: p.side,
      sizing,
      leverage: p.leverage,
      entryType: 'market',
      ...(p.stopLoss ? { stopLoss: p.stopLoss } : {}),
      takeProfits: p.takeProfits.map((t) => ({ price: t.price, share: t.share })),
      breakevenAfterTp1: false,
      ...(p.sourceSignalId ? { sourceSignalId: p.sourceSignalId } : {}),
    };
  }

  private watch(row: PendingOrderRow): void {
    if (row.status !== 'PENDING') return;
    this.watched.set(row.id, {
      id: row.id,
      symbol: row.symbol,
      triggerPrice: row.triggerPrice,
      direction: row.direction,
      expiresAt: row.expiresAt ?? Number.MAX_SAFE_INTEGER,
      status: 'PENDING',
      row,
    });
  }

  private track(p: Promise<unknown>): void {
    const q = p.catch((err) => this.o.log.error({ err }, 'pending order evaluation failed'));
    this.inflight.add(q);
    void q.finally(() => this.inflight.delete(q));
  }

  private emit(row: PendingOrderRow): void {
    this.o.bus.emit('account', { type: 'pending', accountId: row.accountId, pending: { ...pendingView(row) } });
  }
}

/** The feed symbol pricing a market: `BTC/USDT:USDT` → `BTC/USDT`. */
function feedOf(symbol: string): string {
  return symbol.split(':')[0]!;
}

/** The API view of a pending order row. */
export function pendingView(r: PendingOrderRow): PendingOrderView {
  return {
    id: r.id,
    accountId: r.accountId,
    symbol: r.symbol,
    side: r.side,
    amount: r.amount,
    sizing: r.sizing ?? null,
    triggerPrice: r.triggerPrice,
    direction: r.direction,
    stopLoss: r.stopLoss,
    takeProfits: r.takeProfits.map((t) => ({ price: t.price, share: t.share })),
    leverage: r.leverage,
    sourceSignalId: r.sourceSignalId,
    status: r.status,
    expiresAt: r.expiresAt ?? 0,
    triggeredAt: r.triggeredAt,
    tradeId: r.tradeId,
    error: r.error,
    createdAt: r.createdAt,
  };
}
