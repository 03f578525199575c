/**
 * Live candle synchronisation: keeps a {@link CandleStore} complete for a set of symbols × timeframes by
 * backfilling a window of history, filling gaps after restarts, and fetching each candle right after it
 * closes. Exchange access goes through the {@link OhlcvSource} port; time through the injected {@link Clock}
 * (decisions) while the polling timer lives here. Detail timeframes (`1m`, `5m`: the path inside a candle for
 * backtests) are synced and stored the same way after the others, but never emitted.
 */
import { TIMEFRAME_MS, type Candle, type CandleTimeframe, type DetailTimeframe, type Timeframe } from '@osprey/shared';
import { validateCandles } from '../domain/candles.js';
import { backoffDelayMs, splitClosed } from '../domain/candle-sync.js';
import { backfillWindow, findGaps, lastClosedOpen, nextPage } from '../domain/gaps.js';
import { PermanentExchangeError, type CandleStore, type OhlcvSource } from '../domain/market-ports.js';
import type { Clock } from '../domain/ports.js';

export type { CandleStore, OhlcvSource } from '../domain/market-ports.js';

/** A candle event: a freshly closed candle (`closed: true`) or the one now forming (`closed: false`). */
export interface CandleUpdate {
  symbol: string;
  timeframe: Timeframe;
  candle: Candle;
  closed: boolean;
}

/** Minimal structured logger (pino-compatible). */
export interface SyncLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Constructor options of {@link LiveSync}. */
export interface LiveSyncOptions {
  source: OhlcvSource;
  store: CandleStore;
  /** Exchange id under which candles are stored, e.g. `binance`. */
  exchange: string;
  /** ccxt unified symbols, e.g. `BTC/USDT`. */
  symbols: readonly string[];
  timeframes: readonly Timeframe[];
  /**
   * Store-only timeframes (default none): backfilled, gap-filled and followed like `timeframes` (after them),
   * but their candles are never passed to `onCandle`.
   */
  detailTimeframes?: readonly DetailTimeframe[];
  /** Backfill depth per timeframe in days; a missing/0 entry keeps no history beyond live candles. */
  backfill: Partial<Record<CandleTimeframe, number>>;
  clock: Clock;
  /** Candles per request (default 1000, Binance spot's maximum). */
  pageLimit?: number;
  /** Poll period of the {@link LiveSync.start} loop, ms (default 10 000). */
  pollMs?: number;
  /** Called for each closed candle fetched by {@link LiveSync.tick} (in order), then for the forming one. */
  onCandle?: (u: CandleUpdate) => void;
  /** Called for every failed attempt; `err` is a Temporary/PermanentExchangeError for exchange failures. */
  onError?: (symbol: string, timeframe: CandleTimeframe, err: Error) => void;
  log?: SyncLog;
}

/** Health of one symbol's sync. Times are Unix ms (injected clock). */
export interface SymbolSyncStatus {
  symbol: string;
  /** The backfill/gap fill of every timeframe completed since the last start. */
  backfilled: boolean;
  /** Stopped after a permanent error until the next {@link LiveSync.start}. */
  paused: boolean;
  /** Consecutive temporary failures. */
  failures: number;
  /** No attempt before this time (0 = now). */
  retryAt: number;
  lastError: Error | null;
}

/** Outcome of one {@link LiveSync.backfill} or {@link LiveSync.tick} run. */
export interface SyncReport {
  /** Exchange requests made. */
  requests: number;
  /** Closed candles written to the store. */
  stored: number;
  /** Symbols whose attempt failed in this run. */
  failed: string[];
}

const NO_LOG: SyncLog = { info: () => {}, warn: () => {} };

/**
 * Candle sync service; see the file header.
 *
 * Error policy, per symbol (a failing symbol never blocks the others, which run concurrently):
 * a temporary failure (network, timeout, rate limit, 5xx, store error, invalid candle data) schedules a retry
 * after {@link backoffDelayMs} (1 s, 2 s, 4 s … 5 min, measured on the injected clock; the loop retries
 * at its next poll after that); a {@link PermanentExchangeError} (e.g. unknown symbol) pauses the symbol
 * until the next {@link LiveSync.start}. Both are reported through `onError`.
 */
export class LiveSync {
  private readonly source: OhlcvSource;
  private readonly store: CandleStore;
  private readonly exchange: string;
  private readonly symbols: readonly string[];
  private readonly timeframes: readonly Timeframe[];
  private readonly detailTimeframes: readonly DetailTimeframe[];
  private readonly backfillDays: Partial<Record<CandleTimeframe, number>>;
  private readonly clock: Clock;
  private readonly pageLimit: number;
  private readonly pollMs: number;
  private readonly onCandle: ((u: CandleUpdate) => void) | undefined;
  private readonly onError: ((symbol: string, timeframe: CandleTimeframe, err: Error) => void) | undefined;
  private readonly log: SyncLog;

  private readonly states = new Map<string, SymbolSyncStatus>();
  /** Open time of the newest stored closed candle per `symbol|tf` (`null`: none; absent: not yet read). */
  private readonly lastClosed = new Map<string, number | null>();
  private queue: Promise<unknown> = Promise.resolve();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private generation = 0;
  private running = false;

  /** @throws RangeError on a non-positive `pageLimit`/`pollMs` */
  constructor(opts: LiveSyncOptions) {
    this.source = opts.source;
    this.store = opts.store;
    this.exchange = opts.exchange;
    this.symbols = [...opts.symbols];
    this.timeframes = [...opts.timeframes];
    this.detailTimeframes = [...(opts.detailTimeframes ?? [])];
    this.backfillDays = { ...opts.backfill };
    this.clock = opts.clock;
    this.pageLimit = opts.pageLimit ?? 1000;
    this.pollMs = opts.pollMs ?? 10_000;
    this.onCandle = opts.onCandle;
    this.onError = opts.onError;
    this.log = opts.log ?? NO_LOG;
    if (!Number.isSafeInteger(this.pageLimit) || this.pageLimit < 1) throw new RangeError(`pageLimit must be a positive integer (got ${this.pageLimit})`);
    if (!(this.pollMs > 0)) throw new RangeError(`pollMs must be positive (got ${this.pollMs})`);
    this.reset();
  }

  /**
   * Makes the backfill window of every (symbol, timeframe) complete: fetches every gap in
   * `[now − backfill days, last closed candle]` (on a first run the whole window, after a restart the tail
   * since the newest stored candle plus any hole) in pages of `pageLimit`. Only closed candles are stored.
   * Symbols paused or backing off are skipped. Never throws; failures go to `onError`.
   */
  backfill(): Promise<SyncReport> {
    return this.exclusive(() => this.runAll('backfill'));
  }

  /**
   * One scheduler step. For each symbol not backing off: first its backfill if that has not completed since
   * the last start, then for each timeframe whose last candle closed after the newest stored one, fetches from
   * there to the forming candle, stores the closed ones and emits `onCandle` for each of them (`closed: true`)
   * and for the forming one (`closed: false`). Timeframes with nothing newly closed cost no request.
   * Never throws; failures go to `onError`. Calls are serialised with {@link backfill}.
   */
  tick(): Promise<SyncReport> {
    return this.exclusive(() => this.runAll('tick'));
  }

  /**
   * Starts the polling loop: clears pauses/backoff and the backfill state, then runs {@link tick}
   * immediately and `pollMs` after each run ends (so the first tick does the backfill). No-op if running.
   */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.reset();
    const gen = ++this.generation;
    const loop = async (): Promise<void> => {
      this.timer = undefined;
      if (gen !== this.generation) return;
      try {
        await this.tick();
      } catch (e) {
        this.log.warn({ err: e }, 'live sync tick failed');
      }
      if (gen === this.generation) this.timer = setTimeout(() => void loop(), this.pollMs);
    };
    this.timer = setTimeout(() => void loop(), 0);
  }

  /** Stops the loop: clears the timer and resolves once in-flight work has finished. */
  async stop(): Promise<void> {
    this.running = false;
    this.generation++;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.queue;
  }

  /** Current per-symbol health, in configuration order (copies). */
  status(): SymbolSyncStatus[] {
    return this.symbols.map((s) => ({ ...this.state(s) }));
  }

  private reset(): void {
    for (const symbol of this.symbols) {
      this.states.set(symbol, { symbol, backfilled: false, paused: false, failures: 0, retryAt: 0, lastError: null });
    }
    this.lastClosed.clear();
  }

  private state(symbol: string): SymbolSyncStatus {
    const st = this.states.get(symbol);
    if (!st) throw new Error(`unknown symbol ${symbol}`);
    return st;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async runAll(mode: 'backfill' | 'tick'): Promise<SyncReport> {
    const report: SyncReport = { requests: 0, stored: 0, failed: [] };
    await Promise.all(this.symbols.map((s) => this.runSymbol(s, mode, report)));
    return report;
  }

  private async runSymbol(symbol: string, mode: 'backfill' | 'tick', report: SyncReport): Promise<void> {
    const st = this.state(symbol);
    const now = this.clock.now();
    if (st.paused || now < st.retryAt) return;
    let current: CandleTimeframe | undefined;
    try {
      if (mode === 'backfill' || !st.backfilled) {
        for (current of this.timeframes) await this.backfillSeries(symbol, current, now, report, true);
        for (current of this.detailTimeframes) await this.backfillSeries(symbol, current, now, report, false);
        st.backfilled = true;
      }
      if (mode === 'tick') {
        for (current of this.timeframes) await this.followSeries(symbol, current, now, report, true);
        for (current of this.detailTimeframes) await this.followSeries(symbol, current, now, report, false);
      }
      st.failures = 0;
      st.retryAt = 0;
    } catch (e) {
      report.failed.push(symbol);
      this.fail(st, current ?? this.timeframes[0] ?? '15m', e);
    }
  }

  private fail(st: SymbolSyncStatus, timeframe: CandleTimeframe, e: unknown): void {
    const err = e instanceof Error ? e : new Error(String(e));
    st.lastError = err;
    if (err instanceof PermanentExchangeError) {
      st.paused = true;
      this.log.warn({ symbol: st.symbol, timeframe, code: err.code, err }, 'live sync paused symbol after permanent error');
    } else {
      st.failures++;
      const delay = backoffDelayMs(st.failures);
      st.retryAt = this.clock.now() + delay;
      this.log.warn({ symbol: st.symbol, timeframe, failures: st.failures, retryInMs: delay, err }, 'live sync attempt failed, backing off');
    }
    try {
      this.onError?.(st.symbol, timeframe, err);
    } catch (cbErr) {
      this.log.warn({ err: cbErr }, 'live sync onError callback threw');
    }
  }

  /** Backfills one series; `emit` false for store-only (detail) timeframes. */
  private async backfillSeries(symbol: string, tf: CandleTimeframe, now: number, report: SyncReport, emit: boolean): Promise<void> {
    const { from, to } = backfillWindow(now, tf, this.backfillDays[tf] ?? 0);
    if (from <= to) {
      const stored = await this.store.listTs(this.exchange, symbol, tf, from, to);
      const prevLatest = stored.at(-1);
      const gaps = findGaps(stored, TIMEFRAME_MS[tf], from, to);
      for (const [first, last] of gaps) {
        const { closed } = await this.fetchRange(symbol, tf, first, last, now, report);
        // Candles that closed after the newest one we had are news (e.g. closed between start-up and the
        // loop's first gap check): publish them like a tick would, so listeners miss no close.
        if (emit && prevLatest !== undefined) for (const candle of closed) if (candle.ts > prevLatest) this.emit({ symbol, timeframe: tf as Timeframe, candle, closed: true });
      }
      if (gaps.length > 0) this.log.info({ symbol, timeframe: tf, gaps: gaps.length }, 'live sync filled gaps');
    }
    this.lastClosed.set(`${symbol}|${tf}`, await this.store.latestTs(this.exchange, symbol, tf));
  }

  /** Fetches a series' newly closed candles; `emit` false for store-only (detail) timeframes. */
  private async followSeries(symbol: string, tf: CandleTimeframe, now: number, report: SyncReport, emit: boolean): Promise<void> {
    const key = `${symbol}|${tf}`;
    const tfMs = TIMEFRAME_MS[tf];
    const target = lastClosedOpen(now, tf);
    let last = this.lastClosed.get(key);
    if (last === undefined) last = await this.store.latestTs(this.exchange, symbol, tf);
    if (last !== null && last >= target) return;
    // Never reach back before the backfill window (or, without one, before the last closed candle).
    const floor = Math.min(backfillWindow(now, tf, this.backfillDays[tf] ?? 0).from, target);
    const since = last === null ? floor : Math.max(last + tfMs, floor);
    const { closed, forming } = await this.fetchRange(symbol, tf, since, target + tfMs, now, report);
    const newest = closed.at(-1);
    if (newest) this.lastClosed.set(key, newest.ts);
    if (!emit) return;
    for (const candle of closed) this.emit({ symbol, timeframe: tf as Timeframe, candle, closed: true });
    if (forming) this.emit({ symbol, timeframe: tf as Timeframe, candle: forming, closed: false });
  }

  /**
   * Fetches open times `[from, to]` page by page, advancing past the last candle each page returned,
   * and stores the closed candles. Stops when a page brings nothing new inside the range.
   */
  private async fetchRange(
    symbol: string,
    tf: CandleTimeframe,
    from: number,
    to: number,
    now: number,
    report: SyncReport,
  ): Promise<{ closed: Candle[]; forming: Candle | undefined }> {
    const tfMs = TIMEFRAME_MS[tf];
    const allClosed: Candle[] = [];
    let forming: Candle | undefined;
    let page = nextPage(from, to, tfMs, this.pageLimit);
    while (page) {
      const { since, limit } = page;
      const got = await this.source.fetchOHLCV(symbol, tf, since, limit);
      report.requests++;
      const inRange = got.filter((c) => c.ts >= since && c.ts <= to);
      validateCandles(inRange, tf);
      const split = splitClosed(inRange, tf, now);
      if (split.closed.length > 0) report.stored += await this.store.upsert(this.exchange, symbol, tf, split.closed);
      allClosed.push(...split.closed);
      forming = split.forming ?? forming;
      const lastTs = inRange.at(-1)?.ts;
      page = lastTs === undefined ? null : nextPage(lastTs + tfMs, to, tfMs, this.pageLimit);
    }
    return { closed: allClosed, forming };
  }

  private emit(u: CandleUpdate): void {
    try {
      this.onCandle?.(u);
    } catch (e) {
      this.log.warn({ symbol: u.symbol, timeframe: u.timeframe, err: e }, 'live sync onCandle callback threw');
    }
  }
}
