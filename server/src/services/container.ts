import path from 'node:path';
import type { FeedState } from '@osprey/shared';
import { openDatabase, type Database } from '../adapters/db/client.js';
import { SecretBox, loadSecretKey } from '../adapters/crypto/secret-box.js';
import { systemClock } from '../adapters/clock.js';
import type { Logger } from '../adapters/log.js';
import type { Clock } from '../domain/ports.js';
import type { Env } from '../config/env.js';
import { SERVER_TIMEFRAMES } from '../config/env.js';
import { AccountDeletionService } from './account-deletion.js';
import { AccountsService, type ExchangeFactory } from './accounts-service.js';
import { AuthService } from './auth-service.js';
import { ensureDemoData } from './demo-data.js';
import { EventBus } from './event-bus.js';
import type { MarketFeed } from './feeds.js';
import { MarketService } from './market-service.js';
import { ReplayFeed } from './replay-feed.js';
import { createLiveFeed } from './live-feed.js';
import { createExchangeFactory, ExchangeHub, type CcxtAdapterOptions } from './exchange-factory.js';
import { CsvFundingSource, MarketPriceSource } from './market-sources.js';
import { BacktestService } from './backtest-service.js';
import { BotService } from './bot-service.js';
import { DashboardService } from './dashboard-service.js';
import { ExportService } from './export-service.js';
import { PendingService } from './pending-service.js';
import { TradingService } from './trading-service.js';

/** Everything the transports (tRPC, CLI, jobs) call. */
export interface Services {
  env: Env;
  log: Logger;
  database: Database;
  bus: EventBus;
  auth: AuthService;
  accounts: AccountsService;
  /** Deleting accounts: what is open on one, refusal, and stop-cancel-then-delete. */
  accountDeletion: AccountDeletionService;
  feed: MarketFeed;
  market: MarketService;
  /** The trading clock: market time (the feed's clock unless overridden). */
  clock: Clock;
  /** Prices paper accounts trade against (the feed's 15m stream). */
  prices: MarketPriceSource;
  /** One cached exchange adapter per account. */
  exchanges: ExchangeHub;
  /** The TradingManager. */
  trading: TradingService;
  /** The PendingOrderManager. */
  pending: PendingService;
  /** Bots and their runners. */
  bots: BotService;
  /** Backtest runs. */
  backtests: BacktestService;
  /** The dashboard: one trader's picture across their accounts (reads only). */
  dashboard: DashboardService;
  /** CSV exports of trades, orders, fills, round trips and equity (reads only). */
  exports: ExportService;
  /** `GET /health` body. */
  health(): Promise<{ status: 'ok' | 'degraded'; db: { kind: Database['kind']; ok: boolean }; feed: FeedState }>;
  /** Starts the feed, the once-a-second feed-state broadcast, and trading (resuming open trades and pending orders). */
  start(): void;
  /** Stops feeds and timers, waits for work in flight, closes the database. */
  close(): Promise<void>;
}

/** Resolves a relative data dir against the directory the user ran the command from (pnpm sets INIT_CWD). */
export function resolveDataDir(dir: string): string {
  if (dir.startsWith('memory://') || path.isAbsolute(dir)) return dir;
  return path.resolve(process.env.INIT_CWD ?? process.cwd(), dir);
}

/**
 * Opens the database (migrating it), seeds demo data and the first admin, and wires the feed and
 * services. Nothing is emitted until {@link Services.start}.
 * @param opts.liveClock market clock of the live feed (tests pin it to the fake exchange's time)
 * @param opts.exchangeFactory builds account adapters (tests pass local fakes); default paper → PaperExchange,
 *   live/sandbox → CcxtExchange ({@link createExchangeFactory})
 * @param opts.marketClock trading clock replacing the feed's market clock (tests drive it by hand)
 * @param opts.exchangeOptions ccxt adapter options (timeouts, rate limit, scheduler) of live/sandbox accounts;
 *   `apiBase` defaults to `OSPREY_EXCHANGE_API_BASE`
 * @throws SecretKeyError when the secret key (OSPREY_SECRET_KEY or the key file) is unusable
 */
export async function createServices(
  env: Env,
  log: Logger,
  opts: { liveClock?: Clock; exchangeFactory?: ExchangeFactory; marketClock?: Clock; exchangeOptions?: CcxtAdapterOptions } = {},
): Promise<Services> {
  const dataDir = resolveDataDir(env.OSPREY_DATA_DIR);
  const secretKey = loadSecretKey({ envKey: env.OSPREY_SECRET_KEY, dataDir, warn: (msg) => log.warn(msg) });
  if (secretKey.file) log.info({ file: secretKey.file }, 'exchange secrets are encrypted with the key file');
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir });
  const { db } = database;
  try {
    const bus = new EventBus();
    const auth = new AuthService(db, systemClock, { sessionDays: env.OSPREY_SESSION_DAYS });
    const admin = await auth.ensureFirstAdmin(env.ADMIN_EMAIL, env.ADMIN_PASSWORD);
    if (admin?.generatedPassword) {
      // Printed once, on stdout only, never logged.
      process.stdout.write(
        `\n  First start: created admin ${admin.email} with password ${admin.generatedPassword}\n  Change it or set ADMIN_EMAIL/ADMIN_PASSWORD. This is shown only once.\n\n`,
      );
    } else if (admin) {
      log.info({ email: admin.email }, 'created first admin from ADMIN_EMAIL');
    }
    if (env.OSPREY_FEED === 'replay' && env.OSPREY_DEMO_DATA) {
      const n = await ensureDemoData(db, env.OSPREY_SYMBOLS, systemClock);
      if (n > 0) log.info({ rows: n }, 'imported shipped demo candles');
    }
    const feed: MarketFeed =
      env.OSPREY_FEED === 'replay'
        ? new ReplayFeed({
            db,
            exchange: env.OSPREY_EXCHANGE,
            symbols: env.OSPREY_SYMBOLS,
            timeframes: SERVER_TIMEFRAMES,
            speed: env.OSPREY_REPLAY_SPEED,
            startAt: env.OSPREY_REPLAY_START,
            tickMs: env.OSPREY_REPLAY_TICK_MS,
            log,
          })
        : createLiveFeed(env, db, log, opts.liveClock ?? systemClock);
    await feed.init();
    const market = new MarketService({ db, bus, feed, exchange: env.OSPREY_EXCHANGE, symbols: env.OSPREY_SYMBOLS, timeframes: SERVER_TIMEFRAMES, log });
    await market.init();
    // Market time, read through the feed on every call: the replay feed replaces its clock when it (re)starts.
    const clock: Clock = opts.marketClock ?? { now: () => feed.clock.now() };
    const prices = new MarketPriceSource({ db, bus, exchange: env.OSPREY_EXCHANGE, symbols: env.OSPREY_SYMBOLS, clock });
    await prices.init();
    const late: { hub?: ExchangeHub } = {};
    const wired = createExchangeFactory({
      clock,
      prices,
      funding: new CsvFundingSource(),
      paperSnapshot: (id) => late.hub?.snapshotOf(id) ?? null,
      ccxt: { apiBase: env.OSPREY_EXCHANGE_API_BASE, ...opts.exchangeOptions },
    });
    const accounts = new AccountsService({
      db,
      clock: systemClock,
      box: new SecretBox(secretKey.key),
      exchangeFactory: opts.exchangeFactory ?? wired.create,
      log,
    });
    // Paper states are saved with the replay position in the same transaction: a crash never resumes the
    // market clock behind a saved paper venue.
    const exchanges = new ExchangeHub({ db, accounts, clock, log, onAccountGone: (id) => wired.forget(id), checkpoint: (tx) => feed.checkpoint?.(tx) ?? Promise.resolve() });
    late.hub = exchanges;
    const trading = new TradingService({ db, bus, clock, hub: exchanges, log, syncMs: env.OSPREY_SYNC_MS, prices });
    const pending = new PendingService({ db, bus, clock, trading, log });
    const bots = new BotService({ db, bus, clock, hub: exchanges, log, feedExchange: env.OSPREY_EXCHANGE, pollMs: env.OSPREY_SYNC_MS });
    const accountDeletion = new AccountDeletionService({ db, hub: exchanges, bots, trading, pending, log });
    const backtests = new BacktestService({ db, bus, log, exchange: env.OSPREY_EXCHANGE });
    await backtests.init();
    const dashboard = new DashboardService({ db, clock, trading, bots, pending, market, log });
    const exportService = new ExportService({ db });
    let feedTimer: NodeJS.Timeout | undefined;
    return {
      env,
      log,
      database,
      bus,
      auth,
      accounts,
      accountDeletion,
      feed,
      market,
      clock,
      prices,
      exchanges,
      trading,
      pending,
      bots,
      backtests,
      dashboard,
      exports: exportService,
      async health() {
        const ok = await database.ping();
        return { status: ok ? 'ok' : 'degraded', db: { kind: database.kind, ok }, feed: feed.state() };
      },
      start() {
        feed.start(market.onFeedCandle);
        feedTimer = setInterval(() => bus.emit('feed', feed.state()), 1000);
        trading.start().catch((err) => log.error({ err }, 'trading failed to start'));
        pending.start().catch((err) => log.error({ err }, 'pending orders failed to start'));
        bots.resumeAll().catch((err) => log.error({ err }, 'bots failed to resume'));
      },
      async close() {
        if (feedTimer) clearInterval(feedTimer);
        await feed.stop();
        await backtests.close();
        await bots.close();
        await pending.stop();
        await trading.stop();
        await exchanges.closeAll();
        wired.close();
        prices.close();
        await market.idle();
        await database.close();
      },
    };
  } catch (err) {
    await database.close().catch(() => undefined);
    throw err;
  }
}
