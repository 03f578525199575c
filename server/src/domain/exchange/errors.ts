/**
 * The exchange error hierarchy: every venue error is translated once, at the adapter boundary, into one of
 * these classes, each of which says what the caller should do (after freqtrade's hierarchy):
 * - {@link TemporaryExchangeError}: network, timeout, 5xx, rate limit → retry with backoff;
 * - {@link RejectedOrderError}: invalid order, insufficient funds, bad request → never retried;
 * - {@link AuthExchangeError}: bad key, IP not whitelisted, permission → stop and alert the operator;
 * - {@link AmbiguousOrderError}: a create whose outcome is unknown (timeout after sending) → look the order
 *   up by clientOrderId before any retry.
 */

/** Machine-readable reason, shown to users in words by the UI. */
export type ExchangeErrorCode =
  | 'NETWORK'
  | 'TIMEOUT'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  | 'INSUFFICIENT_FUNDS'
  | 'INVALID_ORDER'
  | 'MIN_AMOUNT'
  | 'MIN_NOTIONAL'
  | 'BAD_SYMBOL'
  | 'BAD_REQUEST'
  | 'ORDER_NOT_FOUND'
  | 'NOT_SUPPORTED'
  | 'AUTH'
  | 'IP_NOT_ALLOWED'
  | 'PERMISSION'
  | 'AMBIGUOUS';

/** Base class; `retryable` tells the request scheduler whether a retry is allowed. */
export abstract class ExchangeError extends Error {
  abstract readonly retryable: boolean;
  /**
   * @param code reason
   * @param message human text (never contains secrets)
   * @param options.cause the original venue/ccxt error
   */
  constructor(
    readonly code: ExchangeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Network/timeout/5xx/rate-limit: retry with backoff. */
export class TemporaryExchangeError extends ExchangeError {
  override readonly name = 'TemporaryExchangeError';
  readonly retryable = true;
}

/**
 * The venue (or our pre-checks) rejected the request: never retried. `notSent` is true when the adapter refused
 * it before any order request left (validation, rounding, minimums): the venue never saw the order.
 */
export class RejectedOrderError extends ExchangeError {
  override readonly name = 'RejectedOrderError';
  readonly retryable = false;
  /** True when refused by the adapter's own checks before the order was sent (no trace at the venue). */
  readonly notSent: boolean;
  /**
   * @param code reason
   * @param message human text (never contains secrets)
   * @param options.cause the original venue/ccxt error; `options.notSent` see {@link RejectedOrderError.notSent}
   */
  constructor(code: ExchangeErrorCode, message: string, options?: { cause?: unknown; notSent?: boolean }) {
    super(code, message, options);
    this.notSent = options?.notSent ?? false;
  }
}

/** Credentials, IP whitelist or permissions: stop and alert. */
export class AuthExchangeError extends ExchangeError {
  override readonly name = 'AuthExchangeError';
  readonly retryable = false;
}

/** A create order whose outcome is unknown: look it up by clientOrderId first. */
export class AmbiguousOrderError extends ExchangeError {
  override readonly name = 'AmbiguousOrderError';
  readonly retryable = false;
  /** @param clientOrderId the id to look up */
  constructor(
    readonly clientOrderId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('AMBIGUOUS', message, options);
  }
}
