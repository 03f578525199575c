/**
 * Pure decisions of the request scheduler that sits in front of every live exchange account (the seed's
 * "API manager"): which queued request goes next, when the rate window allows the next send, and how long
 * to back off before a retry. No timers and no clock here: every function takes `now` (Unix ms) and the
 * scheduler's state as plain data; the async queue lives in `adapters/exchange/request-scheduler.ts`.
 *
 * Priorities: 1 = stop-loss (protects capital, goes first), 2 = trade (create/cancel), 3 = query (fetches).
 */

/** Request priority: lower number goes first. */
export type RequestPriority = 1 | 2 | 3;

/** Named priorities. */
export const PRIORITY = { stopLoss: 1, trade: 2, query: 3 } as const satisfies Record<string, RequestPriority>;

/** All priorities, highest first. */
export const PRIORITIES: readonly RequestPriority[] = [1, 2, 3];

/** The rate window a scheduler enforces. */
export interface RateWindowConfig {
  /** At most this many sends in any sliding window of `windowMs` (e.g. 10). */
  maxRequests: number;
  /** Sliding window length, ms (e.g. 2000). */
  windowMs: number;
  /** Minimum gap between two consecutive sends, ms (e.g. 200). */
  minSpacingMs: number;
  /** At most this many requests awaiting an answer at once (e.g. 4). */
  maxInFlight: number;
}

/** The seed's defaults: 10 requests per 2 s, ≥ 200 ms apart, 4 in flight. */
export const DEFAULT_RATE_WINDOW: Readonly<RateWindowConfig> = { maxRequests: 10, windowMs: 2_000, minSpacingMs: 200, maxInFlight: 4 };

/** Exponential backoff between retries: `baseMs × factor^(retry−1)`, capped at `maxMs`. */
export interface BackoffConfig {
  /** Delay before the first retry, ms (e.g. 500). */
  baseMs: number;
  /** Growth per retry (e.g. 2). */
  factor: number;
  /** Upper bound of any delay, ms (e.g. 8000). */
  maxMs: number;
}

/** Default backoff: 500 ms, 1 s, 2 s, … capped at 8 s. */
export const DEFAULT_BACKOFF: Readonly<BackoffConfig> = { baseMs: 500, factor: 2, maxMs: 8_000 };

/**
 * Checks a rate window configuration.
 * @throws RangeError naming the offending field when a value is not a finite number in range
 *   (`maxRequests`, `maxInFlight` integers ≥ 1; `windowMs`, `minSpacingMs` ≥ 0)
 */
export function validateRateWindow(cfg: RateWindowConfig): RateWindowConfig {
  for (const k of ['maxRequests', 'maxInFlight'] as const) {
    if (!Number.isInteger(cfg[k]) || cfg[k] < 1) throw new RangeError(`${k} must be an integer ≥ 1 (got ${cfg[k]})`);
  }
  for (const k of ['windowMs', 'minSpacingMs'] as const) {
    if (!Number.isFinite(cfg[k]) || cfg[k] < 0) throw new RangeError(`${k} must be a number of ms ≥ 0 (got ${cfg[k]})`);
  }
  return cfg;
}

/**
 * Checks a backoff configuration.
 * @throws RangeError naming the field when `baseMs`/`maxMs` are negative or `factor` < 1
 */
export function validateBackoff(cfg: BackoffConfig): BackoffConfig {
  if (!Number.isFinite(cfg.baseMs) || cfg.baseMs < 0) throw new RangeError(`baseMs must be ≥ 0 (got ${cfg.baseMs})`);
  if (!Number.isFinite(cfg.factor) || cfg.factor < 1) throw new RangeError(`factor must be ≥ 1 (got ${cfg.factor})`);
  if (!Number.isFinite(cfg.maxMs) || cfg.maxMs < cfg.baseMs) throw new RangeError(`maxMs must be ≥ baseMs (got ${cfg.maxMs})`);
  return cfg;
}

/**
 * Earliest time ≥ `now` at which one more request may be sent: at least `minSpacingMs` after the last
 * send, and with fewer than `maxRequests` sends in the sliding window `(t − windowMs, t]`.
 * @param sentAt send times so far, Unix ms, ascending (older entries than the window are harmless)
 * @returns Unix ms
 */
export function nextSendAt(sentAt: readonly number[], now: number, cfg: RateWindowConfig): number {
  let t = now;
  const last = sentAt.at(-1);
  if (last !== undefined) t = Math.max(t, last + cfg.minSpacingMs);
  if (sentAt.length >= cfg.maxRequests) {
    // the send `maxRequests` back from the end must have left the window
    const oldest = sentAt[sentAt.length - cfg.maxRequests] as number;
    t = Math.max(t, oldest + cfg.windowMs);
  }
  return t;
}

/**
 * Drops send times that can no longer affect {@link nextSendAt} at or after `now`: keeps the last
 * `maxRequests` entries at most, and of those only the ones inside the window, plus the very last one.
 * @returns a new ascending array
 */
export function pruneSent(sentAt: readonly number[], now: number, cfg: RateWindowConfig): number[] {
  const tail = sentAt.slice(-cfg.maxRequests);
  const kept = tail.filter((t) => t > now - cfg.windowMs);
  const last = tail.at(-1);
  if (last !== undefined && kept.at(-1) !== last) kept.push(last);
  return kept;
}

/** What the scheduler needs to know about a queued request. */
export interface QueuedRequest {
  /** Arrival order (FIFO tiebreak), unique. */
  seq: number;
  priority: RequestPriority;
  /** Not eligible before this time, Unix ms (a retry waiting out its backoff); 0 = now. */
  notBefore: number;
}

/**
 * The request to send next among those eligible at `now` (`notBefore ≤ now`): the highest priority
 * (lowest number), first come first served within a priority.
 * @returns the chosen entry, or undefined when nothing is eligible
 */
export function pickNext<T extends QueuedRequest>(queue: readonly T[], now: number): T | undefined {
  let best: T | undefined;
  for (const q of queue) {
    if (q.notBefore > now) continue;
    if (!best || q.priority < best.priority || (q.priority === best.priority && q.seq < best.seq)) best = q;
  }
  return best;
}

/** The scheduler's state as {@link decideNext} sees it. */
export interface SchedulerState<T extends QueuedRequest> {
  queue: readonly T[];
  /** Send times, ascending, Unix ms. */
  sentAt: readonly number[];
  /** Requests sent and not answered yet. */
  inFlight: number;
}

/** Outcome of {@link decideNext}. */
export type SchedulerDecision<T> =
  /** Send `item` now. */
  | { kind: 'send'; item: T }
  /** Nothing can go before `until` (Unix ms); wake up then (or earlier when a request arrives). */
  | { kind: 'wait'; until: number }
  /** Wait for an in-flight request to finish (max in flight reached). */
  | { kind: 'blocked' }
  /** The queue is empty. */
  | { kind: 'idle' };

/**
 * One step of the scheduler loop: send the best eligible request if the window and the in-flight cap
 * allow it, otherwise say until when to wait. Priority is decided at send time, so a stop-loss that
 * arrives while a query waits for the window overtakes it.
 */
export function decideNext<T extends QueuedRequest>(state: SchedulerState<T>, now: number, cfg: RateWindowConfig): SchedulerDecision<T> {
  if (state.queue.length === 0) return { kind: 'idle' };
  if (state.inFlight >= cfg.maxInFlight) return { kind: 'blocked' };
  const item = pickNext(state.queue, now);
  if (!item) {
    const until = Math.min(...state.queue.map((q) => q.notBefore));
    return { kind: 'wait', until };
  }
  const at = nextSendAt(state.sentAt, now, cfg);
  if (at > now) return { kind: 'wait', until: at };
  return { kind: 'send', item };
}

/**
 * Delay before retry number `retry` (1 = first retry): `baseMs × factor^(retry−1)`, capped at `maxMs`.
 * @throws RangeError when `retry` is not an integer ≥ 1
 */
export function backoffDelay(retry: number, cfg: BackoffConfig = DEFAULT_BACKOFF): number {
  if (!Number.isInteger(retry) || retry < 1) throw new RangeError(`retry must be an integer ≥ 1 (got ${retry})`);
  return Math.min(cfg.maxMs, cfg.baseMs * cfg.factor ** (retry - 1));
}

/**
 * Whether a failed request may be sent again: only retryable errors (the exchange error hierarchy's
 * `retryable`, i.e. TemporaryExchangeError), and only while fewer than `maxRetries` retries were made.
 * Rejected, auth and ambiguous-create errors are never retried.
 */
export function shouldRetry(retryable: boolean, retriesDone: number, maxRetries: number): boolean {
  return retryable && retriesDone < maxRetries;
}

/** Running wait-time statistics (ms from enqueue to first send). */
export interface WaitStats {
  count: number;
  totalMs: number;
  maxMs: number;
}

/** Adds one observed wait to the statistics (returns a new object). */
export function recordWait(stats: WaitStats, waitMs: number): WaitStats {
  return { count: stats.count + 1, totalMs: stats.totalMs + waitMs, maxMs: Math.max(stats.maxMs, waitMs) };
}
