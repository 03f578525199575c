/**
 * ccxt adapter for the {@link OhlcvSource} port: fetches candles from a real ccxt exchange instance and
 * translates ccxt's error classes, once, into {@link TemporaryExchangeError} / {@link PermanentExchangeError}.
 */
import ccxt, { type Exchange, type OHLCV } from 'ccxt';
import type { Candle, CandleTimeframe } from '@osprey/shared';
import {
  ExchangeSourceError,
  PermanentExchangeError,
  TemporaryExchangeError,
  type OhlcvSource,
} from '../../domain/market-ports.js';

/** Options of {@link createCcxtExchange}. */
export interface CcxtExchangeOptions {
  /**
   * Base URL (`http://127.0.0.1:1234`) replacing scheme+host of every URL in `exchange.urls.api`, keeping
   * the path (`https://api.binance.com/api/v3` → `http://127.0.0.1:1234/api/v3`). For local fakes/proxies.
   */
  apiBase?: string;
  /** Client-side request timeout, ms (ccxt `timeout`); default 10 000. */
  timeoutMs?: number;
  /** Minimum spacing between requests, ms (ccxt `rateLimit`); default: the exchange's own. */
  rateLimitMs?: number;
  /**
   * Binance family only: market types `loadMarkets` fetches (ccxt `options.fetchMarkets.types`).
   * Default `['spot']` for `binance` (ccxt also loads linear+inverse futures) and ccxt's own otherwise.
   */
  marketTypes?: string[];
}

type ExchangeCtor = new (config: Record<string, unknown>) => Exchange;

/**
 * Creates a ccxt exchange instance configured for public market data:
 * rate limiting on, no implicit private calls (Binance: `fetchCurrencies`/`fetchMargins` off, no clock sync),
 * and optionally all REST base URLs pointed at `apiBase`.
 * @param id ccxt exchange id, e.g. `binance`, `binanceusdm`
 * @throws Error when `id` is not a ccxt exchange, or `apiBase` is not an http(s) URL
 */
export function createCcxtExchange(id: string, opts: CcxtExchangeOptions = {}): Exchange {
  const Ctor = (ccxt as unknown as Record<string, unknown>)[id];
  if (!ccxt.exchanges.includes(id) || typeof Ctor !== 'function') throw new Error(`unknown ccxt exchange id "${id}"`);
  const options: Record<string, unknown> = {};
  if (id.startsWith('binance')) {
    options.fetchCurrencies = false; // sapi call, needs keys; currencies are derived from markets instead
    options.fetchMargins = false; // sapi margin pairs, needs keys
    options.adjustForTimeDifference = false; // no /time round-trip on loadMarkets
    const types = opts.marketTypes ?? (id === 'binance' ? ['spot'] : undefined);
    if (types) options.fetchMarkets = { types };
  }
  const config: Record<string, unknown> = { enableRateLimit: true, timeout: opts.timeoutMs ?? 10_000, options };
  if (opts.rateLimitMs !== undefined) config.rateLimit = opts.rateLimitMs;
  const exchange = new (Ctor as ExchangeCtor)(config);
  if (opts.apiBase !== undefined) exchange.urls.api = rebaseUrls(exchange.urls.api, opts.apiBase) as typeof exchange.urls.api;
  return exchange;
}

/**
 * Replaces scheme and host of every URL string in a (nested) ccxt URL map with `base`, keeping paths.
 * @param urls a string or nested object of strings, e.g. ccxt `urls.api`
 * @param base e.g. `http://127.0.0.1:1234` (a trailing slash is ignored)
 * @throws Error when `base` is not an http(s) URL
 */
export function rebaseUrls(urls: unknown, base: string): unknown {
  if (!/^https?:\/\/[^/]+\/?$/i.test(base)) throw new Error(`apiBase must be an http(s) origin, got "${base}"`);
  const origin = base.replace(/\/$/, '');
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]+/i, origin);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(urls);
}

/**
 * Translates any error thrown by ccxt into the port's hierarchy (subclasses are tested first):
 * - temporary: `RequestTimeout` → TIMEOUT; `DDoSProtection`/`RateLimitExceeded` (HTTP 418/429, Binance -1003) →
 *   RATE_LIMITED; `ExchangeNotAvailable`/`OnMaintenance` (HTTP 5xx without a Binance error body) → UNAVAILABLE;
 *   other `NetworkError` → NETWORK; `BadResponse`/`NullResponse` → BAD_RESPONSE; other `OperationFailed`
 *   (Binance -1000/-1001 internal errors) → UNAVAILABLE; non-ccxt errors (e.g. a parse TypeError) → BAD_RESPONSE.
 * - permanent: `BadSymbol` (Binance -1121) → BAD_SYMBOL; `AuthenticationError` → AUTH; `BadRequest`/
 *   `ArgumentsRequired` → BAD_REQUEST; `NotSupported` → NOT_SUPPORTED; any other ccxt error → EXCHANGE.
 * Errors already in the hierarchy are returned unchanged. The original error is kept as `cause`.
 */
export function toExchangeSourceError(e: unknown): ExchangeSourceError {
  if (e instanceof ExchangeSourceError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const cause = { cause: e };
  const temp = (code: TemporaryExchangeError['code']) => new TemporaryExchangeError(code, message, cause);
  const perm = (code: PermanentExchangeError['code']) => new PermanentExchangeError(code, message, cause);
  if (e instanceof ccxt.RequestTimeout) return temp('TIMEOUT');
  if (e instanceof ccxt.DDoSProtection || e instanceof ccxt.RateLimitExceeded) return temp('RATE_LIMITED');
  if (e instanceof ccxt.ExchangeNotAvailable) return temp('UNAVAILABLE');
  if (e instanceof ccxt.NetworkError) return temp('NETWORK');
  if (e instanceof ccxt.BadResponse) return temp('BAD_RESPONSE');
  if (e instanceof ccxt.OperationFailed) return temp('UNAVAILABLE');
  if (e instanceof ccxt.BadSymbol) return perm('BAD_SYMBOL');
  if (e instanceof ccxt.AuthenticationError) return perm('AUTH');
  if (e instanceof ccxt.BadRequest || e instanceof ccxt.ArgumentsRequired) return perm('BAD_REQUEST');
  if (e instanceof ccxt.NotSupported) return perm('NOT_SUPPORTED');
  if (e instanceof ccxt.BaseError) return perm('EXCHANGE');
  return temp('BAD_RESPONSE');
}

/**
 * Maps one ccxt OHLCV row `[ts, open, high, low, close, volume]` to a {@link Candle}.
 * @throws TemporaryExchangeError(BAD_RESPONSE) when a field is missing or not finite
 */
export function ohlcvToCandle(row: OHLCV): Candle {
  const [ts, open, high, low, close, volume] = row;
  const nums = [ts, open, high, low, close, volume];
  if (!nums.every((n): n is number => typeof n === 'number' && Number.isFinite(n))) {
    throw new TemporaryExchangeError('BAD_RESPONSE', `malformed OHLCV row ${JSON.stringify(row)}`);
  }
  return { ts: ts as number, open: open as number, high: high as number, low: low as number, close: close as number, volume: volume as number };
}

/**
 * {@link OhlcvSource} over a ccxt exchange instance (see {@link createCcxtExchange}). Markets are loaded on
 * first use; a failed load is retried with a forced reload on the next call (ccxt otherwise caches the
 * rejected `loadMarkets` promise forever). All errors come out as Temporary/PermanentExchangeError.
 */
export class CcxtOhlcvSource implements OhlcvSource {
  private marketsLoaded = false;
  private marketsFailed = false;

  /** @param exchange a ccxt exchange instance; it is not closed by this class */
  constructor(readonly exchange: Exchange) {}

  /** ccxt exchange id, e.g. `binance`. */
  get id(): string {
    return this.exchange.id;
  }

  /** {@inheritDoc OhlcvSource.fetchOHLCV} */
  async fetchOHLCV(symbol: string, timeframe: CandleTimeframe, since: number | undefined, limit: number): Promise<Candle[]> {
    try {
      await this.loadMarkets();
      const rows = await this.exchange.fetchOHLCV(symbol, timeframe, since, limit);
      return rows.map(ohlcvToCandle);
    } catch (e) {
      throw toExchangeSourceError(e);
    }
  }

  private async loadMarkets(): Promise<void> {
    if (this.marketsLoaded) return;
    try {
      await this.exchange.loadMarkets(this.marketsFailed);
      this.marketsLoaded = true;
    } catch (e) {
      this.marketsFailed = true;
      throw e;
    }
  }
}
