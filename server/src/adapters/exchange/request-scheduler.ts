/**
 * The request scheduler in front of each live exchange account (the seed's "API manager"): one async queue
 * that sends requests by priority (stop-loss 1 > trade 2 > query 3) inside a rate window (default 10 per
 * 2 s, ≥ 200 ms apart, never faster than the venue's own ccxt `rateLimit`), retries
 * {@link TemporaryExchangeError}s up to 3 times with exponential backoff, and gives every attempt a 30 s
 * timeout. Rejected, auth and ambiguous errors are never retried: an ambiguous create is resolved by the
 * caller with `fetchOrderByClientId`. The decisions are pure (domain/exchange/rate-window.ts); this file
 * owns the promises and the timer, which is injected so tests drive it with a fake clock.
 */
import {
  AmbiguousOrderError,
  ExchangeError,
  TemporaryExchangeError,
} from '../../domain/exchange/errors.js';
import {
  DEFAULT_BACKOFF,
  DEFAULT_RATE_WINDOW,
  PRIORITIES,
  backoffDelay,
  decideNext,
  pruneSent,
  recordWait,
  shouldRetry,
  validateBackoff,
  validateRateWindow,
  type BackoffConfig,
  type QueuedRequest,
  type RateWindowConfig,
  type RequestPriority,
  type WaitStats,
} from '../../domain/exchange/rate-window.js';

export { PRIORITY, type RequestPriority } from '../../domain/exchange/rate-window.js';

/** Time source and sleeper of the scheduler (real in production, manual in tests). */
export interface SchedulerTimer {
  /** Current time, Unix ms. */
  now(): number;
  /**
   * Resolves after `ms` milliseconds; when `signal` aborts first, resolves at once (never rejects).
   * @param ms delay, ms (≤ 0 resolves on the next tick)
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The wall-clock timer (`Date.now` + `setTimeout`, cleared on abort). */
export const realTimer: SchedulerTimer = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const onAbort = () => {
        clearTimeout(t);
        resolve();
      };
      const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** Options of {@link RequestScheduler}. */
export interface RequestSchedulerOptions {
  /** Rate window; missing fields take {@link DEFAULT_RATE_WINDOW}. */
  window?: Partial<RateWindowConfig>;
  /** Backoff between retries; missing fields take {@link DEFAULT_BACKOFF}. */
  backoff?: Partial<BackoffConfig>;
  /** Retries of a TemporaryExchangeError (default 3, so at most 4 attempts). */
  maxRetries?: number;
  /** Timeout of one attempt, ms (default 30 000). */
  timeoutMs?: number;
  /** Default {@link realTimer}. */
  timer?: SchedulerTimer;
}

/** Per-request options of {@link RequestScheduler.run}. */
export interface ScheduleOptions {
  priority: RequestPriority;
  /** Short description for errors/stats, e.g. `createOrder BTC/USDT`. */
  label?: string;
  /**
   * Set on order creation: a timeout then becomes an {@link AmbiguousOrderError} for this clientOrderId
   * (the order may have reached the venue) instead of a retryable TemporaryExchangeError.
   */
  createClientOrderId?: string;
}

/** Snapshot of the scheduler for health pages and tests. */
export interface SchedulerStats {
  /** Requests waiting, by priority (1 stop-loss, 2 trade, 3 query), retries waiting out their backoff included. */
  queued: Record<RequestPriority, number>;
  /** Requests sent and not answered yet. */
  inFlight: number;
  /** Requests sent (attempts, retries included). */
  sent: number;
  /** Retries made. */
  retries: number;
  /** Requests that finished with an error (after retries). */
  failed: number;
  /** Mean and maximum wait from enqueue to first send, ms. */
  avgWaitMs: number;
  maxWaitMs: number;
  /** The effective window (after {@link RequestScheduler.raiseMinSpacing}). */
  window: RateWindowConfig;
}

interface Entry extends QueuedRequest {
  opts: ScheduleOptions;
  fn: () => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  enqueuedAt: number;
  retriesDone: number;
  waited: boolean;
}

/**
 * A priority queue with a rate window, retries and timeouts; see the file header. Share one instance per
 * exchange account (API key): the venue's limits are per key/IP.
 */
export class RequestScheduler {
  private readonly cfg: RateWindowConfig;
  private readonly backoff: BackoffConfig;
  private readonly maxRetries: number;
  private readonly timeoutMs: number;
  private readonly timer: SchedulerTimer;
  private queue: Entry[] = [];
  private sentAt: number[] = [];
  private inFlight = 0;
  private seq = 0;
  private waits: WaitStats = { count: 0, totalMs: 0, maxMs: 0 };
  private counters = { sent: 0, retries: 0, failed: 0 };
  private pumping = false;
  private wake: AbortController | null = null;
  private closed = false;

  /**
   * @throws RangeError naming the field when the window, backoff, `maxRetries` or `timeoutMs` is invalid
   */
  constructor(opts: RequestSchedulerOptions = {}) {
    this.cfg = validateRateWindow({ ...DEFAULT_RATE_WINDOW, ...opts.window });
    this.backoff = validateBackoff({ ...DEFAULT_BACKOFF, ...opts.backoff });
    this.maxRetries = opts.maxRetries ?? 3;
    if (!Number.isInteger(this.maxRetries) || this.maxRetries < 0) throw new RangeError(`maxRetries must be an integer ≥ 0 (got ${this.maxRetries})`);
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    if (!Number.isFinite(this.timeoutMs) || this.timeoutMs <= 0) throw new RangeError(`timeoutMs must be > 0 (got ${this.timeoutMs})`);
    this.timer = opts.timer ?? realTimer;
  }

  /**
   * Never send faster than `ms` apart (e.g. ccxt's `exchange.rateLimit`); only ever raises the spacing.
   * @param ms minimum spacing, ms
   */
  raiseMinSpacing(ms: number): void {
    if (Number.isFinite(ms) && ms > this.cfg.minSpacingMs) this.cfg.minSpacingMs = ms;
  }

  /**
   * Queues `fn` and settles with its result. `fn` should throw the exchange error hierarchy (CcxtExchange
   * translates ccxt errors before they get here): a {@link TemporaryExchangeError} is retried after a
   * backoff (re-queued at the same priority), anything else is passed through. Each attempt times out
   * after `timeoutMs` → TemporaryExchangeError TIMEOUT (retried), or AmbiguousOrderError for a create.
   * @throws TemporaryExchangeError UNAVAILABLE when the scheduler is closed
   */
  run<T>(opts: ScheduleOptions, fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new TemporaryExchangeError('UNAVAILABLE', 'request scheduler is closed'));
    return new Promise<T>((resolve, reject) => {
      const now = this.timer.now();
      this.queue.push({
        seq: ++this.seq,
        priority: opts.priority,
        notBefore: 0,
        opts,
        fn,
        resolve: resolve as (v: unknown) => void,
        reject,
        enqueuedAt: now,
        retriesDone: 0,
        waited: false,
      });
      this.kick();
    });
  }

  /** Current queue depths, in-flight count and wait statistics. */
  stats(): SchedulerStats {
    const queued = Object.fromEntries(PRIORITIES.map((p) => [p, this.queue.filter((e) => e.priority === p).length])) as Record<RequestPriority, number>;
    return {
      queued,
      inFlight: this.inFlight,
      ...this.counters,
      avgWaitMs: this.waits.count === 0 ? 0 : this.waits.totalMs / this.waits.count,
      maxWaitMs: this.waits.maxMs,
      window: { ...this.cfg },
    };
  }

  /** Rejects everything still queued (TemporaryExchangeError UNAVAILABLE) and refuses new requests. In-flight requests finish. */
  close(): void {
    this.closed = true;
    const pending = this.queue;
    this.queue = [];
    for (const e of pending) e.reject(new TemporaryExchangeError('UNAVAILABLE', `request scheduler closed before ${e.opts.label ?? 'the request'} was sent`));
    this.kick();
  }

  private kick(): void {
    this.wake?.abort();
    if (!this.pumping) void this.pump();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      for (;;) {
        const now = this.timer.now();
        this.sentAt = pruneSent(this.sentAt, now, this.cfg);
        const d = decideNext({ queue: this.queue, sentAt: this.sentAt, inFlight: this.inFlight }, now, this.cfg);
        if (d.kind === 'idle' || d.kind === 'blocked') return; // run()/completion kicks us again
        if (d.kind === 'wait') {
          this.wake = new AbortController();
          await this.timer.sleep(d.until - now, this.wake.signal);
          this.wake = null;
          continue;
        }
        const e = d.item;
        this.queue = this.queue.filter((x) => x !== e);
        this.sentAt.push(now);
        if (!e.waited) {
          e.waited = true;
          this.waits = recordWait(this.waits, now - e.enqueuedAt);
        }
        this.counters.sent++;
        this.inFlight++;
        void this.attempt(e);
      }
    } finally {
      this.pumping = false;
    }
  }

  private async attempt(e: Entry): Promise<void> {
    let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
    const abort = new AbortController();
    try {
      const timeout = this.timer.sleep(this.timeoutMs, abort.signal).then(() => {
        if (!abort.signal.aborted) throw this.timeoutError(e);
      });
      outcome = { ok: true, value: await Promise.race([e.fn(), timeout]) };
    } catch (error) {
      outcome = { ok: false, error };
    } finally {
      abort.abort();
      this.inFlight--;
    }
    if (outcome.ok) {
      e.resolve(outcome.value);
    } else {
      const retryable = outcome.error instanceof ExchangeError && outcome.error.retryable;
      if (!this.closed && shouldRetry(retryable, e.retriesDone, this.maxRetries)) {
        e.retriesDone++;
        this.counters.retries++;
        e.notBefore = this.timer.now() + backoffDelay(e.retriesDone, this.backoff);
        this.queue.push(e);
      } else {
        this.counters.failed++;
        e.reject(outcome.error);
      }
    }
    this.kick();
  }

  private timeoutError(e: ScheduleOptions | Entry): ExchangeError {
    const opts = 'opts' in e ? e.opts : e;
    const what = opts.label ?? 'request';
    if (opts.createClientOrderId !== undefined) {
      return new AmbiguousOrderError(opts.createClientOrderId, `${what} got no answer within ${this.timeoutMs} ms: the order may or may not have been placed`);
    }
    return new TemporaryExchangeError('TIMEOUT', `${what} got no answer within ${this.timeoutMs} ms`);
  }
}
