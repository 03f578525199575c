import { describe, expect, it } from 'vitest';
import ccxt from 'ccxt';
import { AmbiguousOrderError, AuthExchangeError, RejectedOrderError, TemporaryExchangeError, type ExchangeErrorCode } from '../../domain/exchange/errors.js';
import { describeExchangeError, isDuplicateClientOrderId, redactSecrets, translateCcxtError, venueErrorCodes } from './ccxt-errors.js';

const t = (e: unknown, create?: string) => {
  const x = translateCcxtError(e, create ? { createClientOrderId: create } : {});
  return [x.name, x.code];
};

describe('translateCcxtError', () => {
  it('maps the ccxt hierarchy, most specific class first', () => {
    const cases: Array<[Error, string, ExchangeErrorCode]> = [
      [new ccxt.RequestTimeout('x'), 'TemporaryExchangeError', 'TIMEOUT'],
      [new ccxt.DDoSProtection('x'), 'TemporaryExchangeError', 'RATE_LIMITED'],
      [new ccxt.RateLimitExceeded('x'), 'TemporaryExchangeError', 'RATE_LIMITED'],
      [new ccxt.OnMaintenance('x'), 'TemporaryExchangeError', 'UNAVAILABLE'],
      [new ccxt.ExchangeNotAvailable('x'), 'TemporaryExchangeError', 'UNAVAILABLE'],
      [new ccxt.InvalidNonce('x'), 'TemporaryExchangeError', 'NETWORK'],
      [new ccxt.NetworkError('x'), 'TemporaryExchangeError', 'NETWORK'],
      [new ccxt.BadResponse('x'), 'TemporaryExchangeError', 'UNAVAILABLE'],
      [new ccxt.OperationFailed('x'), 'TemporaryExchangeError', 'UNAVAILABLE'],
      [new ccxt.AccountSuspended('x'), 'AuthExchangeError', 'PERMISSION'],
      [new ccxt.PermissionDenied('x'), 'AuthExchangeError', 'PERMISSION'],
      [new ccxt.AuthenticationError('x'), 'AuthExchangeError', 'AUTH'],
      [new ccxt.InsufficientFunds('x'), 'RejectedOrderError', 'INSUFFICIENT_FUNDS'],
      [new ccxt.OrderNotFound('x'), 'RejectedOrderError', 'ORDER_NOT_FOUND'],
      [new ccxt.BadSymbol('x'), 'RejectedOrderError', 'BAD_SYMBOL'],
      [new ccxt.InvalidOrder('x'), 'RejectedOrderError', 'INVALID_ORDER'],
      [new ccxt.OrderNotFillable('x'), 'RejectedOrderError', 'INVALID_ORDER'],
      [new ccxt.DuplicateOrderId('x'), 'RejectedOrderError', 'INVALID_ORDER'],
      [new ccxt.BadRequest('x'), 'RejectedOrderError', 'BAD_REQUEST'],
      [new ccxt.ArgumentsRequired('x'), 'RejectedOrderError', 'BAD_REQUEST'],
      [new ccxt.NotSupported('x'), 'RejectedOrderError', 'NOT_SUPPORTED'],
      [new ccxt.ExchangeError('x'), 'RejectedOrderError', 'BAD_REQUEST'],
      [new TypeError('cannot read properties of undefined'), 'TemporaryExchangeError', 'UNAVAILABLE'],
    ];
    for (const [e, name, code] of cases) expect(t(e), e.constructor.name).toEqual([name, code]);
  });

  it('reads Binance and OKX codes from the body, per venue family', () => {
    expect(t(new ccxt.ExchangeError('binanceusdm {"code":-2019,"msg":"Margin is insufficient."}'))).toEqual(['RejectedOrderError', 'INSUFFICIENT_FUNDS']);
    expect(t(new ccxt.InvalidOrder('binance {"code":-2010,"msg":"Account has insufficient balance for requested action."}'))).toEqual(['RejectedOrderError', 'INSUFFICIENT_FUNDS']);
    expect(t(new ccxt.BadRequest('binance {"code":-1013,"msg":"Filter failure: NOTIONAL"}'))).toEqual(['RejectedOrderError', 'MIN_NOTIONAL']);
    expect(t(new ccxt.InvalidOrder('binance order amount should be evenly divisible by lot size {"code":-1013,"msg":"Filter failure: LOT_SIZE"}'))).toEqual(['RejectedOrderError', 'INVALID_ORDER']);
    expect(t(new ccxt.DDoSProtection('binance {"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}'))).toEqual(['AuthExchangeError', 'AUTH']);
    expect(t(new ccxt.PermissionDenied('binanceusdm {"code":-1005,"msg":"No such IP has been white listed"}'))).toEqual(['AuthExchangeError', 'IP_NOT_ALLOWED']);
    expect(t(new ccxt.ExchangeError('okx {"code":"1","data":[{"sCode":"51008","sMsg":"Insufficient balance"}],"msg":""}'))).toEqual(['RejectedOrderError', 'INSUFFICIENT_FUNDS']);
    expect(t(new ccxt.PermissionDenied('okx {"code":"50110","msg":"Invalid IP","data":[]}'))).toEqual(['AuthExchangeError', 'IP_NOT_ALLOWED']);
    // another venue's "50110" is not OKX's: the class decides
    expect(t(new ccxt.ExchangeError('kraken {"code":"50110"}'))).toEqual(['RejectedOrderError', 'BAD_REQUEST']);
    expect(venueErrorCodes('okx {"code":"1","data":[{"sCode":"51016"}]}')).toEqual(['51016']);
  });

  it('turns creates that may have reached the venue into AmbiguousOrderError, but not rate limits or nonce errors', () => {
    for (const e of [new ccxt.RequestTimeout('x'), new ccxt.ExchangeNotAvailable('x'), new ccxt.NetworkError('x'), new ccxt.BadResponse('x'), new Error('?')]) {
      const x = translateCcxtError(e, { createClientOrderId: 'osp1' });
      expect(x).toBeInstanceOf(AmbiguousOrderError);
      expect(x).toMatchObject({ clientOrderId: 'osp1', code: 'AMBIGUOUS' });
    }
    expect(t(new ccxt.RateLimitExceeded('x'), 'osp1')).toEqual(['TemporaryExchangeError', 'RATE_LIMITED']);
    expect(t(new ccxt.InvalidNonce('x'), 'osp1')).toEqual(['TemporaryExchangeError', 'NETWORK']);
    expect(t(new ccxt.InsufficientFunds('x'), 'osp1')).toEqual(['RejectedOrderError', 'INSUFFICIENT_FUNDS']);
  });

  it('keeps errors already translated and the ccxt error as cause', () => {
    const mine = new RejectedOrderError('MIN_AMOUNT', 'x');
    expect(translateCcxtError(mine)).toBe(mine);
    const c = new ccxt.AuthenticationError('binance x');
    const x = translateCcxtError(c);
    expect(x).toBeInstanceOf(AuthExchangeError);
    expect(x.cause).toBe(c);
  });

  it('scrubs credentials and signatures from messages', () => {
    const e = new ccxt.RequestTimeout('binance GET http://h/api/v3/account?timestamp=1&signature=abc123def request timed out (KEY1234 / SECRET987)');
    const x = translateCcxtError(e, { secrets: ['KEY1234', 'SECRET987', undefined, 'ab'] });
    expect(x.message).toBe('binance GET http://h/api/v3/account?timestamp=1&signature=*** request timed out (*** / ***)');
    expect(redactSecrets('ab signature=ff', ['ab'])).toBe('ab signature=***'); // secrets shorter than 4 chars are ignored
  });

  it('recognises duplicate clientOrderId rejections of every venue', () => {
    expect(isDuplicateClientOrderId(translateCcxtError(new ccxt.InvalidOrder('binance {"code":-2010,"msg":"Duplicate order sent."}')))).toBe(true);
    expect(isDuplicateClientOrderId(new ccxt.ExchangeError('binanceusdm {"code":-4116,"msg":"ClientOrderId is duplicated."}'))).toBe(true);
    expect(isDuplicateClientOrderId(new ccxt.InvalidOrder('okx {"code":"1","data":[{"sCode":"51016","sMsg":"Duplicated clOrdId"}]}'))).toBe(true);
    expect(isDuplicateClientOrderId(new ccxt.DuplicateOrderId('x'))).toBe(true);
    expect(isDuplicateClientOrderId(new ccxt.InvalidOrder('binance {"code":-2010,"msg":"Account has insufficient balance"}'))).toBe(false);
  });
});

describe('describeExchangeError', () => {
  it('says in plain words what happened and what to do', () => {
    expect(describeExchangeError(new AuthExchangeError('AUTH', 'bad'))).toMatch(/^The exchange rejected the API key: check the key, secret and passphrase, that this server.s IP address is whitelisted/);
    expect(describeExchangeError(new AuthExchangeError('IP_NOT_ALLOWED', 'x'))).toMatch(/^Your IP is not whitelisted/);
    expect(describeExchangeError(new AuthExchangeError('PERMISSION', 'x'))).toMatch(/does not have permission/);
    expect(describeExchangeError(new TemporaryExchangeError('NETWORK', 'x'))).toMatch(/^The exchange could not be reached/);
    expect(describeExchangeError(new TemporaryExchangeError('RATE_LIMITED', 'x'))).toMatch(/limiting/);
    expect(describeExchangeError(new AmbiguousOrderError('c', 'x'))).toMatch(/checks whether it was placed/);
    expect(describeExchangeError(new RejectedOrderError('MIN_NOTIONAL', 'notional 1 USDT is below the minimum notional 5 USDT'))).toBe(
      'The order value (amount × price) is below the exchange\u2019s minimum for this market. (notional 1 USDT is below the minimum notional 5 USDT)',
    );
    expect(describeExchangeError(new Error('boom'))).toMatch(/unexpected.*boom/);
    const codes: ExchangeErrorCode[] = ['NETWORK', 'TIMEOUT', 'RATE_LIMITED', 'UNAVAILABLE', 'INSUFFICIENT_FUNDS', 'INVALID_ORDER', 'MIN_AMOUNT', 'MIN_NOTIONAL', 'BAD_SYMBOL', 'BAD_REQUEST', 'ORDER_NOT_FOUND', 'NOT_SUPPORTED', 'AUTH', 'IP_NOT_ALLOWED', 'PERMISSION'];
    for (const c of codes) expect(describeExchangeError(new RejectedOrderError(c, 'd')).length, c).toBeGreaterThan(20);
  });
});
