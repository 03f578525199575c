import type { FeedState, Timeframe } from '@osprey/shared';
import type { Db } from '../adapters/db/client.js';
import { latestCandleTs, listCandleTs, upsertCandles } from '../adapters/db/repos/candles-repo.js';
import { CcxtOhlcvSource, createCcxtExchange } from '../adapters/exchange/ccxt-ohlcv.js';
import type { Logger } from '../adapters/log.js';
import { backfillDaysOf, detailBackfillDaysOf, SERVER_TIMEFRAMES, type Env } from '../config/env.js';
import type { CandleStore } from '../domain/market-ports.js';
import type { Clock } from '../domain/ports.js';
import type { FeedCandle, MarketFeed } from './feeds.js';
import { LiveSync } from './live-sync.js';

/** The {@link CandleStore} port over the candles table. */
export function dbCandleStore(db: Db): CandleStore {
  return {
    latestTs: (exchange, symbol, timeframe) => latestCandleTs(db, { exchange, symbol, timeframe }),
    listTs: (exchange, symbol, timeframe, from, to) => listCandleTs(db, { exchange, symbol, timeframe }, from, to),
    upsert: (exchange, symbol, timeframe, candles) => upsertCandles(db, { exchange, symbol, timeframe }, candles),
  };
}

/**
 * Live market feed: ccxt sync of the configured exchange and symbols into the candles table, with
 * backfill and gap fill at start ({@link LiveSync}); closed and forming candles flow to the market
 * service exactly like replay events. `OSPREY_DETAIL_TIMEFRAMES` (1m, 5m) are synced and stored too, for
 * backtests' detail paths, without reaching the market service.
 */
class LiveFeed implements MarketFeed {
  readonly kind = 'live' as const;
  private sync: LiveSync;
  private emit: ((e: FeedCandle) => void) | undefined;
  private running = false;

  constructor(
    private readonly env: Env,
    db: Db,
    private readonly log: Logger,
    readonly clock: Clock,
    timeframes: readonly Timeframe[],
  ) {
    const exchange = createCcxtExchange(env.OSPREY_EXCHANGE, { apiBase: env.OSPREY_EXCHANGE_API_BASE });
    this.sync = new LiveSync({
      source: new CcxtOhlcvSource(exchange),
      store: dbCandleStore(db),
      exchange: env.OSPREY_EXCHANGE,
      symbols: env.OSPREY_SYMBOLS,
      timeframes,
      detailTimeframes: env.OSPREY_DETAIL_TIMEFRAMES,
      backfill: { ...backfillDaysOf(env), ...detailBackfillDaysOf(env) },
      clock,
      pollMs: env.OSPREY_LIVE_POLL_MS,
      onCandle: (u) => this.emit?.(u),
      onError: (symbol, timeframe, err) => log.warn({ symbol, timeframe, err: err.message }, 'live sync failed'),
      log,
    });
  }

  /** Backfills history (failures are isolated per symbol and retried by the loop). */
  async init(): Promise<void> {
    const r = await this.sync.backfill();
    this.log.info({ requests: r.requests, stored: r.stored, failed: r.failed }, 'live backfill done');
  }

  start(onCandle: (e: FeedCandle) => void): void {
    this.emit = onCandle;
    this.running = true;
    this.sync.start();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.sync.stop();
  }

  state(): FeedState {
    return {
      kind: 'live',
      running: this.running,
      now: this.clock.now(),
      speed: 1,
      exchange: this.env.OSPREY_EXCHANGE,
      symbols: [...this.env.OSPREY_SYMBOLS],
    };
  }
}

/** Creates the live feed (`OSPREY_FEED=live`). @param clock wall clock in production, a fake in tests */
export function createLiveFeed(env: Env, db: Db, log: Logger, clock: Clock): MarketFeed {
  return new LiveFeed(env, db, log, clock, SERVER_TIMEFRAMES);
}
