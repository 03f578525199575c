/**
 * Ports for market data: where candles come from (an exchange) and where they are kept (a store),
 * plus the small error hierarchy every {@link OhlcvSource} adapter translates its client errors into.
 */
import type { Candle, CandleTimeframe } from '@osprey/shared';

/**
 * A source of OHLCV candles, e.g. one ccxt exchange instance.
 * Implementations throw only {@link TemporaryExchangeError} or {@link PermanentExchangeError}.
 */
export interface OhlcvSource {
  /** ccxt exchange id, e.g. `binance`. */
  readonly id: string;
  /**
   * Candles with open time ≥ `since`, ascending, at most `limit` of them. The last candle may still be
   * forming (its open time + timeframe length is in the future); callers decide which ones are closed.
   * @param symbol ccxt unified symbol, e.g. `BTC/USDT`
   * @param since open time of the first wanted candle, Unix ms; `undefined` = the most recent `limit`
   * @param limit maximum number of candles (exchanges cap it, Binance spot at 1000)
   * @throws TemporaryExchangeError | PermanentExchangeError
   */
  fetchOHLCV(symbol: string, timeframe: CandleTimeframe, since: number | undefined, limit: number): Promise<Candle[]>;
}

/** Persistent candle storage keyed by (exchange, symbol, timeframe, open time). Only closed candles are stored. */
export interface CandleStore {
  /** Open time (Unix ms) of the newest stored candle, or `null` when there is none. */
  latestTs(exchange: string, symbol: string, tf: CandleTimeframe): Promise<number | null>;
  /** Open times (Unix ms, ascending) of stored candles with `from ≤ ts ≤ to`. */
  listTs(exchange: string, symbol: string, tf: CandleTimeframe, from: number, to: number): Promise<number[]>;
  /** Inserts or replaces candles by open time; returns the number of candles written. */
  upsert(exchange: string, symbol: string, tf: CandleTimeframe, candles: readonly Candle[]): Promise<number>;
}

/** Codes of exchange failures that may go away by retrying later. */
export type TemporaryExchangeErrorCode = 'NETWORK' | 'TIMEOUT' | 'RATE_LIMITED' | 'UNAVAILABLE' | 'BAD_RESPONSE';
/** Codes of exchange failures that retrying will not fix (configuration or request is wrong). */
export type PermanentExchangeErrorCode = 'BAD_SYMBOL' | 'BAD_REQUEST' | 'AUTH' | 'NOT_SUPPORTED' | 'EXCHANGE';

/** Base class of errors an {@link OhlcvSource} throws. `cause` keeps the original client error. */
export abstract class ExchangeSourceError extends Error {
  /** `true` when retrying later may succeed. */
  abstract readonly temporary: boolean;
  /** Machine-readable reason. */
  abstract readonly code: TemporaryExchangeErrorCode | PermanentExchangeErrorCode;
}

/**
 * A failure that may pass: network error, client timeout, rate limit (HTTP 418/429), exchange
 * unavailable or overloaded (HTTP 5xx), malformed response. Callers back off and retry.
 */
export class TemporaryExchangeError extends ExchangeSourceError {
  override readonly name = 'TemporaryExchangeError';
  readonly temporary = true;
  /**
   * @param code reason
   * @param message human description (includes the exchange's message when there is one)
   * @param options `cause`: the original error
   */
  constructor(
    readonly code: TemporaryExchangeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A failure retrying will not fix: unknown/delisted symbol, invalid request, bad credentials, unsupported
 * call, or any other error the exchange reported about the request itself. Callers stop and report it.
 */
export class PermanentExchangeError extends ExchangeSourceError {
  override readonly name = 'PermanentExchangeError';
  readonly temporary = false;
  /**
   * @param code reason
   * @param message human description (includes the exchange's message when there is one)
   * @param options `cause`: the original error
   */
  constructor(
    readonly code: PermanentExchangeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
