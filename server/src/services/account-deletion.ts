/**
 * Deleting an exchange account without leaving anything behind unwatched.
 *
 * Deleting an account deletes its bots, trades, orders and history. While one of its bots runs, or it has open
 * orders, positions or active trades, that would leave orders and positions on the venue with nobody watching
 * them, so a plain delete is refused (CONFLICT naming what is open). `stopAndCancel` is the way through: the
 * account's armed pending orders are cancelled, its bots stopped with their orders cancelled, every open order
 * cancelled at the venue, and then the account is deleted. Positions and balances are never closed: on a live or
 * sandbox account they stay on the venue; a paper account's go with it.
 */
import { asc, eq } from 'drizzle-orm';
import Decimal from 'decimal.js';
import type { AccountDeletionCheck, AccountRemoveInput, AccountRemoveResult, BotConfig } from '@osprey/shared';
import type { Db } from '../adapters/db/client.js';
import { deleteAccountOfUser, findAccountOfUser, type AccountRow } from '../adapters/db/repos/accounts-repo.js';
import { listOrders, listPendingOrders, listTrades } from '../adapters/db/repos/trading-repo.js';
import { bots as botsTable } from '../adapters/db/schema/index.js';
import type { Logger } from '../adapters/log.js';
import { createBotStrategy } from '../domain/bots/factory.js';
import { botOrderId } from '../domain/bots/strategy.js';
import { describeExchangeError } from './accounts-service.js';
import type { BotRuntime } from './bot-runner.js';
import type { BotService } from './bot-service.js';
import { AppError } from './errors.js';
import type { ExchangeHub } from './exchange-factory.js';
import type { PendingService } from './pending-service.js';
import type { TradingService } from './trading-service.js';

/** Options of {@link AccountDeletionService}. */
export interface AccountDeletionOptions {
  db: Db;
  hub: ExchangeHub;
  bots: BotService;
  trading: TradingService;
  pending: PendingService;
  log: Logger;
  /** How long the check waits for the venue (open orders, positions), ms of wall time (default 10 000). */
  venueTimeoutMs?: number;
}

/** A bot of the account, as the check reads it. */
interface AccountBot {
  id: string;
  name: string;
  status: string;
  /** Lots its strategy holds (from the saved runtime). */
  held: number;
  /** Its open orders at the venue (clientOrderId prefix), when the venue answered. */
  venueOrders: number;
}

/** The check plus what `remove` needs to act on it. */
interface Inspection {
  row: AccountRow;
  check: AccountDeletionCheck;
  bots: AccountBot[];
}

/** Open orders cancelled per pass at most this many times (a trade reacting to a cancel may place another). */
const CANCEL_PASSES = 3;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The account deletion use-case (see the module doc). */
export class AccountDeletionService {
  constructor(private readonly o: AccountDeletionOptions) {}

  /**
   * What is still open on one of the user's accounts: running bots (names), open orders, positions, active
   * trades and armed pending orders, with the `blockers` that refuse a plain delete. Asks the venue for its
   * open orders and (perpetuals) positions; when it cannot answer in time the counts are Osprey's records and
   * `venueError` says why.
   * @throws AppError NOT_FOUND `id: no such account` (also for another user's account)
   */
  async check(userId: string, id: string): Promise<AccountDeletionCheck> {
    return (await this.inspect(userId, id)).check;
  }

  /**
   * Deletes one of the user's accounts with its bots, trades, orders and history.
   * Without `stopAndCancel` it is refused while anything is open (see {@link check}). With it: armed pending
   * orders are cancelled, running (and failed) bots stopped with their orders cancelled, every open order
   * cancelled at the venue, and then the account is deleted; positions and balances are not closed.
   * @returns the id and what was stopped and cancelled first
   * @throws AppError NOT_FOUND `id: no such account`; CONFLICT `id: …` naming what is open (plain delete), or
   *   what could not be stopped or cancelled (then nothing is deleted; what was already stopped stays stopped);
   *   the venue's error (as AppError) when stopping a bot fails there
   */
  async remove(userId: string, input: AccountRemoveInput): Promise<AccountRemoveResult> {
    const { row, check, bots } = await this.inspect(userId, input.id);
    const name = row.name;
    if (!input.stopAndCancel) {
      if (!check.canDelete) {
        throw new AppError(
          'CONFLICT',
          `id: the account "${name}" still has ${check.blockers.join(', ')}; stop the bots and cancel the orders first (the delete dialog offers "Stop the bots and cancel their orders, then delete")`,
        );
      }
      await this.deleteNow(userId, row);
      return { id: row.id, stoppedBots: [], cancelledOrders: 0, cancelledPending: 0 };
    }

    // 1. Armed pending orders first, so none fires while the rest is wound down.
    let cancelledPending = 0;
    for (const p of await listPendingOrders(this.o.db, { accountId: row.id, status: 'PENDING' })) {
      try {
        await this.o.pending.cancel(userId, p.id);
        cancelledPending++;
      } catch (err) {
        // Triggered or expired in the meantime: its trade (if any) is handled below like any other.
        if (!(err instanceof AppError && err.code === 'CONFLICT')) throw err;
      }
    }
    // 2. Bots: running or failed ones, and stopped ones that left orders at the venue, are stopped cancelling their orders.
    const stoppedBots: string[] = [];
    for (const b of bots) {
      if (b.status === 'stopped' && b.venueOrders === 0) continue;
      try {
        await this.o.bots.stop(userId, b.id, true);
      } catch (err) {
        const why = err instanceof AppError ? err.message : describeExchangeError(err).message;
        throw new AppError('CONFLICT', `id: could not stop the bot "${b.name}" and cancel its orders (${why}); the account "${name}" was not deleted`);
      }
      if (b.status !== 'stopped') stoppedBots.push(b.name);
    }
    await this.o.trading.idle();
    // 3. Every open order Osprey tracks on the account.
    const cancelledOrders = await this.cancelOpenOrders(userId, row);
    // 4. Nothing may have started meanwhile.
    const after = await this.inspect(userId, row.id, false);
    if (after.check.runningBots.length > 0) {
      throw new AppError('CONFLICT', `id: ${plural(after.check.runningBots.length, 'bot')} of the account "${name}" started again meanwhile (${after.check.runningBots.map((b) => b.name).join(', ')}); the account was not deleted`);
    }
    await this.deleteNow(userId, row);
    this.o.log.info({ accountId: row.id, stoppedBots: stoppedBots.length, cancelledOrders, cancelledPending }, 'exchange account stopped, cancelled and removed');
    return { id: row.id, stoppedBots, cancelledOrders: Math.max(cancelledOrders, check.openOrders), cancelledPending };
  }

  // ─── steps ───────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Cancels the account's open orders (Osprey's records) through the trading service, in up to
   * {@link CANCEL_PASSES} passes. An order the venue does not know counts as gone.
   * @returns how many cancels went through
   * @throws AppError CONFLICT naming the orders still open after the last pass
   */
  private async cancelOpenOrders(userId: string, row: AccountRow): Promise<number> {
    let cancelled = 0;
    const failures = new Map<string, string>();
    const gone = new Set<string>();
    for (let pass = 0; pass < CANCEL_PASSES; pass++) {
      const open = (await listOrders(this.o.db, { accountId: row.id, status: 'open', limit: 2000 })).filter((o) => !gone.has(o.id));
      if (open.length === 0) return cancelled;
      for (const o of open) {
        try {
          await this.o.trading.cancelOrder(userId, row.id, o.exchangeOrderId ?? o.clientOrderId);
          cancelled++;
          failures.delete(o.id);
        } catch (err) {
          if (err instanceof AppError && err.code === 'NOT_FOUND') {
            gone.add(o.id);
            continue;
          }
          failures.set(o.id, `${o.clientOrderId} ${o.symbol}: ${err instanceof AppError ? err.message : describeExchangeError(err).message}`);
        }
      }
      await this.o.trading.idle();
    }
    const left = (await listOrders(this.o.db, { accountId: row.id, status: 'open', limit: 2000 })).filter((o) => !gone.has(o.id));
    if (left.length === 0) return cancelled;
    const reasons = left.map((o) => failures.get(o.id) ?? `${o.clientOrderId} ${o.symbol}: still open`);
    throw new AppError('CONFLICT', `id: could not cancel ${plural(left.length, 'open order')} of the account "${row.name}" (${reasons.join('; ')}); the account was not deleted`);
  }

  /** Closes the account's adapter (saving a paper state while the row exists), deletes it, and lets the hub forget it. */
  private async deleteNow(userId: string, row: AccountRow): Promise<void> {
    await this.o.hub.release(row.id);
    if (!(await deleteAccountOfUser(this.o.db, userId, row.id))) throw notFound();
    // The hub finds the row gone: it drops anything reopened meanwhile and forgets the account's price feeds.
    await this.o.hub.get(row.id).catch(() => undefined);
    this.o.log.info({ accountId: row.id }, 'exchange account removed');
  }

  /** Reads the account's bots, orders, trades and pending orders, and (when `venue`) asks the venue. */
  private async inspect(userId: string, id: string, venue = true): Promise<Inspection> {
    const row = await findAccountOfUser(this.o.db, userId, id);
    if (!row) throw notFound();
    const botRows = await this.o.db
      .select({ id: botsTable.id, name: botsTable.name, status: botsTable.status, config: botsTable.config, runtime: botsTable.runtime })
      .from(botsTable)
      .where(eq(botsTable.accountId, row.id))
      .orderBy(asc(botsTable.createdAt), asc(botsTable.id));
    const bots: AccountBot[] = botRows.map((b) => ({ id: b.id, name: b.name, status: b.status, held: heldLots(b.id, b.config, b.runtime), venueOrders: 0 }));
    const [openRows, opening, open, pending] = await Promise.all([
      listOrders(this.o.db, { accountId: row.id, status: 'open', limit: 2000 }),
      listTrades(this.o.db, { accountId: row.id, status: 'opening', limit: 2000 }),
      listTrades(this.o.db, { accountId: row.id, status: 'open', limit: 2000 }),
      listPendingOrders(this.o.db, { accountId: row.id, status: 'PENDING' }),
    ]);
    const active = [...opening, ...open];
    const known = new Set(openRows.flatMap((o) => [o.clientOrderId, ...(o.exchangeOrderId ? [o.exchangeOrderId] : [])]));
    let openOrders = openRows.length;
    let venuePositions: number | null = null;
    let venueError: string | null = null;
    if (venue) {
      try {
        const v = await this.askVenue(row);
        for (const o of v.orders) {
          const bot = bots.find((b) => o.clientOrderId?.startsWith(prefixOf(b.id)));
          if (!bot) continue;
          bot.venueOrders++;
          if (!known.has(o.id) && !(o.clientOrderId && known.has(o.clientOrderId))) openOrders++;
        }
        venuePositions = v.positions;
      } catch (err) {
        venueError = err instanceof AppError ? err.message : describeExchangeError(err).message;
        this.o.log.info({ accountId: row.id, errorType: err instanceof Error ? err.name : typeof err }, 'deletion check: the venue did not answer');
      }
    }
    const positions = venuePositions ?? bots.reduce((n, b) => n + b.held, 0) + active.filter((t) => new Decimal(t.amount).gt(0)).length;
    const runningBots = bots.filter((b) => b.status === 'running').map((b) => ({ id: b.id, name: b.name }));
    const blockers = [
      runningBots.length ? `${plural(runningBots.length, 'bot')} running (${runningBots.map((b) => b.name).join(', ')})` : '',
      openOrders ? plural(openOrders, 'open order') : '',
      positions ? plural(positions, 'position') : '',
      active.length ? plural(active.length, 'active trade') : '',
    ].filter(Boolean);
    return {
      row,
      bots,
      check: {
        accountId: row.id,
        name: row.name,
        mode: row.mode,
        marketType: row.marketType,
        runningBots,
        openOrders,
        positions,
        activeTrades: active.length,
        pendingOrders: pending.length,
        venueError,
        blockers,
        canDelete: blockers.length === 0,
      },
    };
  }

  /**
   * The venue's open orders, and on perpetuals its open positions count (null on spot), within the timeout.
   * @throws AppError INTERNAL when the venue does not answer in time; the adapter's errors
   */
  private async askVenue(row: AccountRow): Promise<{ orders: { id: string; clientOrderId: string | null | undefined }[]; positions: number | null }> {
    const ms = this.o.venueTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new AppError('INTERNAL', `The exchange did not answer within ${ms / 1000} s; the counts are Osprey's own records`)), ms);
    });
    try {
      return await Promise.race([
        (async () => {
          const acc = await this.o.hub.get(row.id);
          const orders = await acc.adapter.fetchOpenOrders();
          const positions = row.marketType === 'swap' ? (await acc.adapter.fetchPositions()).filter((p) => !new Decimal(p.amount).isZero()).length : null;
          return { orders, positions };
        })(),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Lots a bot's saved strategy state holds (0 without a runtime or when the state does not read). */
function heldLots(botId: string, config: BotConfig, runtime: Record<string, unknown> | null): number {
  if (!runtime) return 0;
  try {
    return createBotStrategy(botId, config).held((runtime as unknown as BotRuntime).strategy).length;
  } catch {
    return 0;
  }
}

/** The clientOrderId prefix of a bot's orders (see `botOrderId`). */
const prefixOf = (botId: string): string => botOrderId(botId, 0, 'a', 0).replace(/0a0$/, '');

const notFound = (): AppError => new AppError('NOT_FOUND', 'id: no such account');
