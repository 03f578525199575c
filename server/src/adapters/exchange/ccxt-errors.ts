/**
 * Translation of ccxt errors into the port's error hierarchy (domain/exchange/errors.ts), done once, here,
 * at the exchange boundary; plus plain-language descriptions for the UI. Messages are scrubbed of
 * credentials and request signatures before they leave this module.
 *
 * Order of checks: a few venue error codes first (they are precise, and ccxt's per-market-type tables for
 * Binance only apply on binance.com URLs — e.g. `-2019 Margin is insufficient` comes out as a bare
 * ExchangeError against a proxy or local fake), then ccxt's classes, most specific first.
 */
import ccxt from 'ccxt';
import {
  AmbiguousOrderError,
  AuthExchangeError,
  ExchangeError,
  RejectedOrderError,
  TemporaryExchangeError,
  type ExchangeErrorCode,
} from '../../domain/exchange/errors.js';

/** Context of a translation. */
export interface TranslateContext {
  /**
   * Set when the failed call was an order creation: errors after which the order may have reached the
   * venue (timeout, 5xx, connection lost, unparseable answer) become {@link AmbiguousOrderError}s.
   */
  createClientOrderId?: string;
  /** Strings to scrub from messages (API key, secret, passphrase). */
  secrets?: readonly (string | undefined)[];
  /** ccxt exchange id; default: the first word of the ccxt message (ccxt prefixes messages with it). */
  exchangeId?: string;
}

type Kind = 'temporary' | 'rejected' | 'auth';

/**
 * Venue error codes that decide the class on their own, per venue family, keyed by the code as it appears
 * in the body (`"code":-2019` on Binance, `"sCode":"51008"` / `"code":"50110"` on OKX).
 * Sources: Binance spot/futures error code lists (developers.binance.com … /errors), OKX v5 error codes.
 */
const BINANCE_CODES: Record<string, [Kind, ExchangeErrorCode, string]> = {
  '-2015': ['auth', 'AUTH', 'the exchange rejected the API key, this IP address, or the key\u2019s permissions (Binance -2015 "Invalid API-key, IP, or permissions for action")'],
  '-2014': ['auth', 'AUTH', 'the API key format is invalid (Binance -2014)'],
  '-1022': ['auth', 'AUTH', 'the request signature is invalid: the API secret is probably wrong (Binance -1022)'],
  '-1002': ['auth', 'AUTH', 'the request is not authorized (Binance -1002)'],
  '-1005': ['auth', 'IP_NOT_ALLOWED', 'this IP address is not whitelisted for the API key (Binance -1005)'],
  '-1011': ['auth', 'IP_NOT_ALLOWED', 'this IP address cannot access this endpoint (Binance -1011)'],
  '-2017': ['auth', 'PERMISSION', 'the API keys are locked on this account (Binance -2017)'],
  '-2018': ['rejected', 'INSUFFICIENT_FUNDS', 'balance is insufficient (Binance -2018)'],
  '-2019': ['rejected', 'INSUFFICIENT_FUNDS', 'margin is insufficient (Binance -2019)'],
  '-2011': ['rejected', 'ORDER_NOT_FOUND', 'unknown order (Binance -2011)'],
  '-2013': ['rejected', 'ORDER_NOT_FOUND', 'order does not exist (Binance -2013)'],
  '-4164': ['rejected', 'MIN_NOTIONAL', 'order notional is below the minimum (Binance -4164)'],
  '-1121': ['rejected', 'BAD_SYMBOL', 'invalid symbol (Binance -1121)'],
};
const OKX_CODES: Record<string, [Kind, ExchangeErrorCode, string]> = {
  '50110': ['auth', 'IP_NOT_ALLOWED', 'this IP address is not whitelisted for the API key (OKX 50110)'],
  '50111': ['auth', 'AUTH', 'invalid OK-ACCESS-KEY (OKX 50111)'],
  '50113': ['auth', 'AUTH', 'invalid signature: the API secret is probably wrong (OKX 50113)'],
  '50105': ['auth', 'AUTH', 'wrong passphrase (OKX 50105)'],
  '50120': ['auth', 'PERMISSION', 'the API key lacks the permission for this action (OKX 50120)'],
  '51008': ['rejected', 'INSUFFICIENT_FUNDS', 'insufficient balance or margin (OKX 51008)'],
  '51400': ['rejected', 'ORDER_NOT_FOUND', 'order does not exist (OKX 51400)'],
  '51603': ['rejected', 'ORDER_NOT_FOUND', 'order does not exist (OKX 51603)'],
  '51020': ['rejected', 'MIN_AMOUNT', 'order amount is below the minimum (OKX 51020)'],
  '51001': ['rejected', 'BAD_SYMBOL', 'instrument does not exist (OKX 51001)'],
};

/** The code table of a ccxt exchange id's family (binance, binanceusdm, binancecoinm, … / okx, myokx, okxus). */
function venueCodes(exchangeId: string | undefined): Record<string, [Kind, ExchangeErrorCode, string]> {
  if (exchangeId?.startsWith('binance')) return BINANCE_CODES;
  if (exchangeId === 'okx' || exchangeId === 'myokx' || exchangeId === 'okxus') return OKX_CODES;
  return {};
}

/** Error-code patterns in venue bodies: Binance `"code":-2019`, OKX `"sCode":"51008"` and `"code":"50110"`. */
const CODE_PATTERNS = [/"sCode"\s*:\s*"(\d+)"/g, /"code"\s*:\s*"?(-?\d+)"?/g];

/** Venue error codes found in a ccxt message (which embeds the response body), most specific first. */
export function venueErrorCodes(message: string): string[] {
  const out: string[] = [];
  for (const re of CODE_PATTERNS) for (const m of message.matchAll(re)) if (m[1] !== undefined && m[1] !== '0' && m[1] !== '1') out.push(m[1]);
  return out;
}

/**
 * Removes secrets from a message: the given strings (API key, secret, passphrase; ≥ 4 characters) and any
 * `signature=` query value are replaced by `***`.
 */
export function redactSecrets(message: string, secrets: readonly (string | undefined)[] = []): string {
  let out = message.replace(/(signature=)[^&\s"']+/gi, '$1***');
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('***');
  return out;
}

/** True when the error says a clientOrderId is already in use (Binance -2010 "Duplicate order sent." / -4116, OKX 51016, ccxt DuplicateOrderId). */
export function isDuplicateClientOrderId(e: unknown): boolean {
  const cause = e instanceof ExchangeError ? e.cause : e;
  if (cause instanceof ccxt.DuplicateOrderId) return true;
  const msg = cause instanceof Error ? cause.message : String(cause);
  return /Duplicate order sent|ClientOrderId is duplicated|"-4116"|-4116\b|"51016"|Duplicated cl(ient )?Ord(er)?Id/i.test(msg);
}

/**
 * Translates any error thrown by a ccxt call into the port's hierarchy:
 * - Binance/OKX venue codes found in the message decide first (e.g. Binance -2015 → AuthExchangeError AUTH with a
 *   message naming key, IP and permissions — ccxt itself turns a -2015 seen after a successful private call
 *   into DDoSProtection, which would be retried; Osprey stops and alerts instead);
 * - `RequestTimeout` → TIMEOUT; `DDoSProtection`/`RateLimitExceeded` → RATE_LIMITED; `ExchangeNotAvailable`/
 *   `OnMaintenance` → UNAVAILABLE; `InvalidNonce` and other `NetworkError`s → NETWORK; `BadResponse`,
 *   `OperationFailed` (venue internal errors, "execution status unknown") and non-ccxt errors → UNAVAILABLE;
 * - `PermissionDenied`/`AccountNotEnabled`/`AccountSuspended` → AuthExchangeError PERMISSION;
 *   `AuthenticationError` → AUTH;
 * - `InsufficientFunds` → RejectedOrderError INSUFFICIENT_FUNDS; `OrderNotFound`/`OrderNotCached` →
 *   ORDER_NOT_FOUND; `BadSymbol` → BAD_SYMBOL; `InvalidOrder` family (incl. `OrderNotFillable`,
 *   `DuplicateOrderId`) → INVALID_ORDER, or MIN_NOTIONAL when the body names a NOTIONAL filter;
 *   `BadRequest`/`ArgumentsRequired`/`OperationRejected`/other `ExchangeError` → BAD_REQUEST (INVALID_ORDER
 *   for Binance filter failures); `NotSupported` → NOT_SUPPORTED.
 * With `ctx.createClientOrderId`, a temporary error other than rate limiting / nonce (which the venue
 * refuses before processing) becomes {@link AmbiguousOrderError}: the order may exist.
 * Errors already in the hierarchy are returned unchanged. The ccxt error is kept as `cause`.
 */
export function translateCcxtError(e: unknown, ctx: TranslateContext = {}): ExchangeError {
  if (e instanceof ExchangeError) return e;
  const raw = e instanceof Error ? e.message : String(e);
  const message = redactSecrets(raw, ctx.secrets);
  const cause = { cause: e };
  const make = (kind: Kind, code: ExchangeErrorCode, text = message): ExchangeError => {
    if (kind === 'auth') return new AuthExchangeError(code, text, cause);
    if (kind === 'rejected') return new RejectedOrderError(code, text, cause);
    if (ctx.createClientOrderId !== undefined && code !== 'RATE_LIMITED' && !(e instanceof ccxt.InvalidNonce)) {
      return new AmbiguousOrderError(ctx.createClientOrderId, `order ${ctx.createClientOrderId}: outcome unknown (${code.toLowerCase()}): ${text}`, cause);
    }
    return new TemporaryExchangeError(code, text, cause);
  };

  const table = venueCodes(ctx.exchangeId ?? /^([a-z0-9]+)\s/.exec(raw)?.[1]);
  for (const code of venueErrorCodes(raw)) {
    const hit = table[code];
    if (hit) return make(hit[0], hit[1], `${hit[2]}: ${message}`);
  }
  if (!(e instanceof ccxt.BaseError)) return make('temporary', 'UNAVAILABLE');
  if (e instanceof ccxt.RequestTimeout) return make('temporary', 'TIMEOUT');
  if (e instanceof ccxt.DDoSProtection || e instanceof ccxt.RateLimitExceeded) return make('temporary', 'RATE_LIMITED');
  if (e instanceof ccxt.ExchangeNotAvailable) return make('temporary', 'UNAVAILABLE');
  if (e instanceof ccxt.NetworkError) return make('temporary', 'NETWORK');
  if (e instanceof ccxt.OperationFailed) return make('temporary', 'UNAVAILABLE');
  if (e instanceof ccxt.PermissionDenied || e instanceof ccxt.AccountSuspended) return make('auth', 'PERMISSION');
  if (e instanceof ccxt.AuthenticationError) return make('auth', 'AUTH');
  // Binance spot reports insufficient balance as -2010 NEW_ORDER_REJECTED, which ccxt maps to InvalidOrder
  if (e instanceof ccxt.InsufficientFunds || (e instanceof ccxt.ExchangeError && /insufficient (balance|margin|funds)/i.test(raw))) {
    return make('rejected', 'INSUFFICIENT_FUNDS');
  }
  if (e instanceof ccxt.OrderNotFound || e instanceof ccxt.OrderNotCached) return make('rejected', 'ORDER_NOT_FOUND');
  if (e instanceof ccxt.BadSymbol) return make('rejected', 'BAD_SYMBOL');
  if (/Filter failure: (MIN_)?NOTIONAL/i.test(raw)) return make('rejected', 'MIN_NOTIONAL');
  if (e instanceof ccxt.InvalidOrder || /Filter failure/i.test(raw)) return make('rejected', 'INVALID_ORDER');
  if (e instanceof ccxt.NotSupported) return make('rejected', 'NOT_SUPPORTED');
  return make('rejected', 'BAD_REQUEST');
}

/**
 * A plain-language sentence for the UI about an exchange error: what happened and what to do. Rejections
 * append the (secret-free) detail, e.g. which field and limit an order missed.
 */
export function describeExchangeError(err: unknown): string {
  if (!(err instanceof ExchangeError)) return `Something unexpected went wrong talking to the exchange: ${err instanceof Error ? err.message : String(err)}`;
  const detail = `(${err.message})`;
  switch (err.code) {
    case 'AUTH':
      return 'The exchange rejected the API key: check the key, secret and passphrase, that this server\u2019s IP address is whitelisted for the key, and that the key has the permissions needed (reading, trading, futures). ' + detail;
    case 'IP_NOT_ALLOWED':
      return 'Your IP is not whitelisted for this API key: add this server\u2019s IP address to the key\u2019s IP whitelist on the exchange.';
    case 'PERMISSION':
      return 'The API key does not have permission for this action (for example trading or futures are not enabled on the key), or the account is restricted. ' + detail;
    case 'NETWORK':
    case 'UNAVAILABLE':
      return 'The exchange could not be reached or is temporarily unavailable; Osprey retries automatically.';
    case 'TIMEOUT':
      return 'The exchange did not answer in time; Osprey retries automatically.';
    case 'RATE_LIMITED':
      return 'The exchange is limiting how fast Osprey may send requests; Osprey slows down and retries.';
    case 'AMBIGUOUS':
      return 'The exchange did not confirm the order in time; Osprey checks whether it was placed before trying again.';
    case 'INSUFFICIENT_FUNDS':
      return 'Not enough balance or margin on the exchange for this order. ' + detail;
    case 'MIN_AMOUNT':
      return 'The order amount is below the exchange\u2019s minimum for this market. ' + detail;
    case 'MIN_NOTIONAL':
      return 'The order value (amount \u00d7 price) is below the exchange\u2019s minimum for this market. ' + detail;
    case 'INVALID_ORDER':
      return 'The exchange rejected the order as invalid. ' + detail;
    case 'ORDER_NOT_FOUND':
      return 'The exchange does not know this order (it may already be filled or canceled, or was never placed).';
    case 'BAD_SYMBOL':
      return 'The exchange does not list this market. ' + detail;
    case 'NOT_SUPPORTED':
      return 'The exchange does not support this operation. ' + detail;
    case 'BAD_REQUEST':
      return 'The exchange refused the request. ' + detail;
  }
}
