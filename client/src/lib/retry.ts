/**
 * Retry timing for reaching the server (pure, tested): exponential backoff from 1 s, doubling, capped at
 * 10 s, so a page opened while the server is down keeps trying and finds it within seconds of its return.
 */

/** First retry delay (ms). */
export const RETRY_BASE_MS = 1000;
/** Longest wait between two attempts (ms). */
export const RETRY_MAX_MS = 10_000;

/**
 * Delay before retry number `failures` (1 after the first failed attempt): 1 s, 2 s, 4 s, 8 s, then 10 s
 * each time. Matches TanStack Query's `retryDelay(failureCount)` signature.
 */
export function backoffDelay(failures: number, base: number = RETRY_BASE_MS, max: number = RETRY_MAX_MS): number {
  if (!Number.isFinite(failures) || failures < 1) return base;
  return Math.min(max, base * 2 ** Math.min(30, failures - 1));
}

/** Whole seconds left until `at` (Unix ms) from `now`, never negative (a countdown label). */
export function secondsUntil(at: number, now: number): number {
  return Math.max(0, Math.ceil((at - now) / 1000));
}
