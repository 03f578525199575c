/**
 * Wiring of exchange adapters to accounts:
 * - {@link createExchangeFactory}: the production {@link ExchangeFactory} — paper accounts get a
 *   {@link PaperExchange} over the market feed (prices from {@link MarketPriceSource}, funding from the shipped
 *   CSVs), live/sandbox accounts a {@link CcxtExchange} with the decrypted credentials and one
 *   {@link RequestScheduler} per account (shared by every adapter instance of that account, since venue rate
 *   limits are per API key);
 * - {@link ExchangeHub}: the one cached adapter per account that trading uses. It restores a paper account's
 *   saved state (`paper_state`) when opening it and saves it after every change (debounced, and on demand
 *   before trade or bot state that depends on it is written), re-opens the adapter when the account was
 *   updated, drops it when the account was deleted, and closes everything on shutdown. Every save also
 *   checkpoints the market clock's position in the same transaction (`checkpoint`), so a replay never
 *   resumes behind a saved paper state.
 */
import type { Db } from '../adapters/db/client.js';
import { findAccountById, type AccountRow } from '../adapters/db/repos/accounts-repo.js';
import { loadPaperState, savePaperState } from '../adapters/db/repos/trading-repo.js';
import { CcxtExchange } from '../adapters/exchange/ccxt-exchange.js';
import { PaperExchange, type FundingSource, type PaperExchangeSnapshot, type PriceSource } from '../adapters/exchange/paper-exchange.js';
import { RequestScheduler, type RequestSchedulerOptions } from '../adapters/exchange/request-scheduler.js';
import type { Logger } from '../adapters/log.js';
import { RejectedOrderError } from '../domain/exchange/errors.js';
import type { ExchangeAdapter } from '../domain/exchange/port.js';
import type { Clock } from '../domain/ports.js';
import type { AccountRef, AccountSecrets, AccountsService, ExchangeFactory } from './accounts-service.js';
import { AppError } from './errors.js';

/** Options of the ccxt adapters built for live and sandbox accounts. */
export interface CcxtAdapterOptions {
  /** Origin replacing every ccxt API URL (local fakes in tests; `OSPREY_EXCHANGE_API_BASE`). */
  apiBase?: string | undefined;
  /** ccxt HTTP timeout per request, ms (default 10 000). */
  timeoutMs?: number | undefined;
  /** ccxt `rateLimit`, ms between requests (default the venue's). */
  rateLimitMs?: number | undefined;
  /** Options of each account's request scheduler (window, retries, timeout). */
  scheduler?: RequestSchedulerOptions | undefined;
}

/** Dependencies of {@link createExchangeFactory}. */
export interface ExchangeFactoryOptions {
  /** The trading clock (market time: simulated in replay), used by paper fills and adapter fallbacks. */
  clock: Clock;
  /** Prices paper accounts fill against (15m stream of the feed's spot symbols). */
  prices: PriceSource;
  /** Funding of paper perpetual positions. */
  funding?: FundingSource | undefined;
  /**
   * The current state of a paper account whose adapter is already open elsewhere (the hub), so a throw-away
   * adapter (e.g. a connection test) shows the account as it is, not as it started.
   */
  paperSnapshot?: ((accountId: string) => PaperExchangeSnapshot | null) | undefined;
  ccxt?: CcxtAdapterOptions | undefined;
}

/** The production factory plus the per-account schedulers it keeps. */
export interface WiredExchangeFactory {
  /** Builds an account's adapter (see {@link ExchangeFactory}); throws RejectedOrderError NOT_SUPPORTED for an unusable venue. */
  create: ExchangeFactory;
  /** Drops (and closes) the request scheduler of an account that was deleted. */
  forget(accountId: string): void;
  /** Closes every scheduler (shutdown). */
  close(): void;
}

/**
 * The production exchange factory (see the module doc).
 * @throws (from `create`) RejectedOrderError NOT_SUPPORTED when the ccxt id is unknown, the venue has no sandbox,
 *   or a live/sandbox account lacks an API key and secret
 */
export function createExchangeFactory(o: ExchangeFactoryOptions): WiredExchangeFactory {
  const schedulers = new Map<string, RequestScheduler>();
  const schedulerFor = (accountId: string): RequestScheduler => {
    let s = schedulers.get(accountId);
    if (!s) {
      s = new RequestScheduler(o.ccxt?.scheduler ?? {});
      schedulers.set(accountId, s);
    }
    return s;
  };
  const create: ExchangeFactory = (account: AccountRef, secrets: AccountSecrets | null): ExchangeAdapter => {
    if (account.mode === 'paper') {
      const snapshot = o.paperSnapshot?.(account.id) ?? undefined;
      return new PaperExchange({
        id: account.exchange,
        marketType: account.marketType,
        balances: account.paperBalances ?? {},
        clock: o.clock,
        prices: o.prices,
        ...(account.marketType === 'swap' && o.funding ? { funding: o.funding } : {}),
        ...(snapshot ? { snapshot } : {}),
      });
    }
    if (!secrets?.apiKey || !secrets.secret) throw new RejectedOrderError('NOT_SUPPORTED', 'apiKey: this account has no API key and secret stored; add them on the Accounts page');
    try {
      return new CcxtExchange({
        exchangeId: account.exchange,
        marketType: account.marketType,
        mode: account.mode,
        credentials: { apiKey: secrets.apiKey, secret: secrets.secret, ...(secrets.passphrase ? { password: secrets.passphrase } : {}) },
        clock: o.clock,
        scheduler: schedulerFor(account.id),
        ...(o.ccxt?.apiBase ? { apiBase: o.ccxt.apiBase } : {}),
        ...(o.ccxt?.timeoutMs !== undefined ? { timeoutMs: o.ccxt.timeoutMs } : {}),
        ...(o.ccxt?.rateLimitMs !== undefined ? { rateLimitMs: o.ccxt.rateLimitMs } : {}),
      });
    } catch (err) {
      // CcxtExchange throws plain Errors for configuration problems (unknown id, no sandbox); their text has no secrets.
      throw new RejectedOrderError('NOT_SUPPORTED', `exchange: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  };
  return {
    create,
    forget(accountId) {
      schedulers.get(accountId)?.close();
      schedulers.delete(accountId);
    },
    close() {
      for (const s of schedulers.values()) s.close();
      schedulers.clear();
    },
  };
}

/** An account's open adapter as the hub hands it out. */
export interface OpenAccount {
  account: AccountRow;
  adapter: ExchangeAdapter;
  /** The adapter when it is a paper exchange (events, snapshots), else null. */
  paper: PaperExchange | null;
}

/** Options of {@link ExchangeHub}. */
export interface ExchangeHubOptions {
  db: Db;
  /** Builds adapters through the configured factory (`openAdapter`). */
  accounts: Pick<AccountsService, 'openAdapter'>;
  clock: Clock;
  log: Logger;
  /** Delay coalescing paper-state saves after a change, ms (default 250). */
  saveDebounceMs?: number;
  /** Called when an account turned out to be deleted (e.g. to drop its scheduler). */
  onAccountGone?: (accountId: string) => void;
  /**
   * Saves the market clock's position through the given transaction (the replay feed's
   * {@link MarketFeed.checkpoint}); called with every paper-state save. Absent: nothing is saved.
   */
  checkpoint?: (db: Db) => Promise<void>;
}

interface Slot {
  open: OpenAccount;
  updatedAt: number;
  off: (() => void) | null;
  saveTimer: NodeJS.Timeout | null;
  /** Tail of the saves of this slot (they run one at a time, in order). */
  saving: Promise<void>;
  /** A save queued behind the running one and not started yet: later callers share it. */
  queued: Promise<void> | null;
  /** The paper revision last written (-1: never). */
  savedRevision: number;
}

/**
 * One cached adapter per account (see the module doc). `get` checks the account row on every call (one indexed
 * read) so an update re-opens the adapter and a deletion closes it.
 */
export class ExchangeHub {
  private readonly slots = new Map<string, Slot>();
  private readonly opening = new Map<string, Promise<OpenAccount>>();
  private readonly listeners = new Set<(o: OpenAccount) => void>();
  private readonly debounceMs: number;
  private closed = false;

  constructor(private readonly o: ExchangeHubOptions) {
    this.debounceMs = o.saveDebounceMs ?? 250;
  }

  /** Calls `listener` with every adapter the hub opens (after a paper state was restored). @returns unsubscribe */
  onOpen(listener: (o: OpenAccount) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The account's adapter, opened (and for paper, restored) on first use.
   * @throws AppError NOT_FOUND when the account does not exist (any cached adapter is closed);
   *   whatever the factory throws (ExchangeError, SecretBoxError)
   */
  async get(accountId: string): Promise<OpenAccount> {
    if (this.closed) throw new AppError('INTERNAL', 'trading is shutting down');
    const row = await findAccountById(this.o.db, accountId);
    if (!row) {
      await this.release(accountId);
      this.o.onAccountGone?.(accountId);
      throw new AppError('NOT_FOUND', 'account: no such account');
    }
    const slot = this.slots.get(accountId);
    if (slot && slot.updatedAt === row.updatedAt) return slot.open;
    const inflight = this.opening.get(accountId);
    if (inflight) return inflight;
    const p = (async () => {
      if (slot) await this.release(accountId);
      return this.openSlot(row);
    })().finally(() => this.opening.delete(accountId));
    this.opening.set(accountId, p);
    return p;
  }

  /** The cached adapter of an account without checking the database, or undefined. */
  peek(accountId: string): OpenAccount | undefined {
    return this.slots.get(accountId)?.open;
  }

  /** Ids of the accounts with an open adapter. */
  openIds(): string[] {
    return [...this.slots.keys()];
  }

  /** The live state of an open paper account (null when not open or not paper). */
  snapshotOf(accountId: string): PaperExchangeSnapshot | null {
    return this.slots.get(accountId)?.open.paper?.snapshot() ?? null;
  }

  /**
   * Saves an open paper account's state now, with the market position (`checkpoint`) in the same transaction,
   * and resolves once what the account held when called is written (callers arriving while a save runs share
   * the next one; a state unchanged since the last write — same {@link PaperExchange.revision} — is not written
   * again). Call it before writing anything derived from the venue's state (fills, orders, trade or bot state),
   * so that after a crash the venue is never behind what was derived from it, nor the market clock behind the
   * venue. A failed write is logged, not thrown. No-op for accounts that are not paper or not open.
   */
  async savePaper(accountId: string): Promise<void> {
    const slot = this.slots.get(accountId);
    if (!slot?.open.paper) return;
    if (slot.saveTimer) {
      clearTimeout(slot.saveTimer);
      slot.saveTimer = null;
    }
    if (!slot.queued && slot.open.paper.revision === slot.savedRevision) {
      await slot.saving; // written already, or being written by the save running now
      return;
    }
    if (!slot.queued) {
      const next = slot.saving.then(() => {
        slot.queued = null;
        return this.writePaper(accountId, slot);
      });
      slot.queued = next;
      slot.saving = next;
    }
    await slot.queued;
  }

  private async writePaper(accountId: string, slot: Slot): Promise<void> {
    const paper = slot.open.paper!;
    const revision = paper.revision;
    if (revision === slot.savedRevision) return;
    const snapshot = paper.snapshot() as unknown as Record<string, unknown>;
    const now = this.o.clock.now();
    try {
      await this.o.db.transaction(async (tx) => {
        await savePaperState(tx, accountId, snapshot, now);
        await this.o.checkpoint?.(tx);
      });
      slot.savedRevision = revision;
    } catch (err) {
      this.o.log.warn({ accountId, errorType: err instanceof Error ? err.name : typeof err }, 'paper state save failed');
    }
  }

  /** Closes an account's adapter (saving a paper state first). */
  async release(accountId: string): Promise<void> {
    const slot = this.slots.get(accountId);
    if (!slot) return;
    if (slot.open.paper) await this.savePaper(accountId);
    this.slots.delete(accountId);
    slot.off?.();
    await slot.open.adapter.close().catch(() => undefined);
  }

  /** Closes every adapter (saving paper states) and refuses new ones. */
  async closeAll(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.opening.values()]);
    await Promise.all([...this.slots.keys()].map((id) => this.release(id)));
  }

  private async openSlot(row: AccountRow): Promise<OpenAccount> {
    const adapter = await this.o.accounts.openAdapter(row.id);
    const paper = adapter instanceof PaperExchange ? adapter : null;
    let restored = -1;
    if (paper) {
      const saved = await loadPaperState(this.o.db, row.id);
      if (saved) {
        try {
          paper.restore(saved.state as unknown as PaperExchangeSnapshot);
          restored = paper.revision;
        } catch (err) {
          this.o.log.warn({ accountId: row.id, error: err instanceof Error ? err.message : String(err) }, 'saved paper state unusable; starting from the account balances');
        }
      }
    }
    const open: OpenAccount = { account: row, adapter, paper };
    const slot: Slot = { open, updatedAt: row.updatedAt, off: null, saveTimer: null, saving: Promise.resolve(), queued: null, savedRevision: restored };
    if (paper) {
      slot.off = paper.onEvent(() => {
        if (slot.saveTimer || this.slots.get(row.id) !== slot) return;
        slot.saveTimer = setTimeout(() => {
          slot.saveTimer = null;
          void this.savePaper(row.id);
        }, this.debounceMs);
      });
    }
    if (this.closed) {
      slot.off?.();
      await adapter.close().catch(() => undefined);
      throw new AppError('INTERNAL', 'trading is shutting down');
    }
    this.slots.set(row.id, slot);
    for (const l of [...this.listeners]) l(open);
    return open;
  }
}
