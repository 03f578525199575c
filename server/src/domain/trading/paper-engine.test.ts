import { describe, expect, it } from 'vitest';
import { RejectedOrderError } from '../exchange/errors.js';
import type { MarketInfo, OrderRequest } from '../exchange/port.js';
import type { PriceStep } from './fill-rules.js';
import { PaperEngine, type PaperEngineConfig } from './paper-engine.js';

const SPOT: MarketInfo = {
  symbol: 'BTC/USDT',
  base: 'BTC',
  quote: 'USDT',
  type: 'spot',
  amountStep: '0.00001',
  priceStep: '0.01',
  minAmount: '0.00001',
  minNotional: '5',
  makerFee: '0.001',
  takerFee: '0.001',
  maxLeverage: 1,
};
const PERP: MarketInfo = {
  symbol: 'BTC/USDT:USDT',
  base: 'BTC',
  quote: 'USDT',
  type: 'swap',
  amountStep: '0.001',
  priceStep: '0.1',
  minAmount: '0.001',
  minNotional: '100',
  makerFee: '0.0002',
  takerFee: '0.0005',
  maxLeverage: 125,
};
const P = PERP.symbol;

function spotEngine(balances: Record<string, string> = { USDT: '10000' }, cfg: Partial<PaperEngineConfig> = {}) {
  return new PaperEngine({ marketType: 'spot', markets: { [SPOT.symbol]: SPOT }, ...cfg }, balances);
}
function perpEngine(balances: Record<string, string> = { USDT: '1000' }, cfg: Partial<PaperEngineConfig> = {}) {
  // no slippage: the hand-computed figures below stay round
  return new PaperEngine({ marketType: 'swap', markets: { [P]: PERP }, slippageBps: 0, ...cfg }, balances);
}
const st = (symbol: string, open: number, high: number, low: number, close: number, ts = 1): PriceStep => ({ symbol, ts, open, high, low, close });
const req = (r: Partial<OrderRequest> & Pick<OrderRequest, 'clientOrderId' | 'side' | 'type' | 'amount'>, symbol = P): OrderRequest => ({ symbol, ...r });

function rejection(fn: () => unknown): RejectedOrderError {
  try {
    fn();
  } catch (e) {
    if (e instanceof RejectedOrderError) return e;
    throw e;
  }
  throw new Error('expected a RejectedOrderError');
}
const bal = (e: PaperEngine, c: string) => {
  const b = e.balance(c);
  return [b.free, b.used];
};

describe('spot', () => {
  it('round trip: market buy with slippage and taker fee, limit sell with maker fee, PnL vs average cost', () => {
    const e = spotEngine();
    const buy = e.placeOrder(req({ clientOrderId: 'b', side: 'buy', type: 'market', amount: '0.1' }, 'BTC/USDT'), { now: 1, price: '60000' });
    // 60000 × 1.0005 = 60030; cost 6003, fee 6.003
    expect(buy).toMatchObject({ status: 'closed', filled: '0.1', average: '60030', fee: '6.003', feeCurrency: 'USDT' });
    expect(bal(e, 'USDT')).toEqual(['3990.997', '0']);
    expect(bal(e, 'BTC')).toEqual(['0.1', '0']);
    expect(e.holdings()).toEqual([{ currency: 'BTC', amount: '0.1', averageCost: '60030' }]);

    e.placeOrder(req({ clientOrderId: 's', side: 'sell', type: 'limit', amount: '0.1', price: '63000' }, 'BTC/USDT'), { now: 2, price: '60100' });
    expect(bal(e, 'BTC')).toEqual(['0', '0.1']); // locked by the open sell
    expect(e.applyStep(st('BTC/USDT', 62000, 62900, 61900, 62800))).toEqual([]);
    const [fill] = e.applyStep(st('BTC/USDT', 62800, 63500, 62500, 63200, 3));
    // maker fee 6300 × 0.001 = 6.3; PnL (63000 − 60030) × 0.1 = 297
    expect(fill).toMatchObject({ clientOrderId: 's', price: '63000', amount: '0.1', fee: '6.3', liquidity: 'maker', realizedPnl: '297', ts: 3 });
    expect(bal(e, 'USDT')).toEqual(['10284.697', '0']);
    expect(bal(e, 'BTC')).toEqual(['0', '0']);
    expect(e.totals()).toEqual({ realizedPnl: '297', fees: '12.303', funding: '0' });
    expect(e.holdings()).toEqual([]);
  });

  it('locks quote for an open limit buy (cost + taker fee) and releases it on cancel', () => {
    const e = spotEngine();
    const o = e.placeOrder(req({ clientOrderId: 'b', side: 'buy', type: 'limit', amount: '0.1', price: '50000' }, 'BTC/USDT'), { now: 1, price: '60000' });
    expect(bal(e, 'USDT')).toEqual(['4995', '5005']);
    expect(e.cancelOrder(o.id, 2)).toMatchObject({ status: 'canceled', updatedAt: 2 });
    expect(bal(e, 'USDT')).toEqual(['10000', '0']);
    expect(e.cancelOrder(o.id, 3).status).toBe('canceled'); // idempotent
  });

  it('a marketable limit fills at once as taker, capped at its limit', () => {
    const e = spotEngine();
    const o = e.placeOrder(req({ clientOrderId: 'b', side: 'buy', type: 'limit', amount: '0.1', price: '60010' }, 'BTC/USDT'), { now: 1, price: '60000' });
    // 60000 + 5 bps = 60030 > limit → 60010
    expect(o).toMatchObject({ status: 'closed', average: '60010', fee: '6.001' });
  });

  it('rejects insufficient funds, min notional, min amount and bad precision, naming the field', () => {
    const e = spotEngine();
    const ctx = { now: 1, price: '60000' };
    let err = rejection(() => e.placeOrder(req({ clientOrderId: 'a', side: 'buy', type: 'market', amount: '1' }, 'BTC/USDT'), ctx));
    expect([err.code, err.message]).toEqual(['INSUFFICIENT_FUNDS', 'amount: needs 60090.03 USDT (cost + fee), free 10000 USDT']);
    err = rejection(() => e.placeOrder(req({ clientOrderId: 'a', side: 'sell', type: 'limit', amount: '0.1', price: '70000' }, 'BTC/USDT'), ctx));
    expect([err.code, err.message]).toEqual(['INSUFFICIENT_FUNDS', 'amount: needs 0.1 BTC, free 0 BTC']);
    err = rejection(() => e.placeOrder(req({ clientOrderId: 'a', side: 'buy', type: 'limit', amount: '0.00005', price: '60000' }, 'BTC/USDT'), ctx));
    expect([err.code, err.message]).toEqual(['MIN_NOTIONAL', 'amount: notional 3 USDT (amount × price) is below the minimum 5 USDT']);
    err = rejection(() => e.placeOrder(req({ clientOrderId: 'a', side: 'buy', type: 'limit', amount: '0.000015', price: '60000' }, 'BTC/USDT'), ctx));
    expect([err.code, err.message]).toEqual(['INVALID_ORDER', 'amount: 0.000015 is not a multiple of the amount step 0.00001 BTC']);
    err = rejection(() => e.placeOrder(req({ clientOrderId: 'a', side: 'buy', type: 'limit', amount: '0.001', price: '60000.005' }, 'BTC/USDT'), ctx));
    expect([err.code, err.message]).toEqual(['INVALID_ORDER', 'price: 60000.005 is not a multiple of the price step 0.01 USDT']);
    err = rejection(() => e.placeOrder(req({ clientOrderId: 'a', side: 'buy', type: 'limit', amount: '0.001' }, 'BTC/USDT'), ctx));
    expect([err.code, err.message]).toEqual(['INVALID_ORDER', 'price: required for limit orders']);
    err = rejection(() => e.placeOrder(req({ clientOrderId: 'a', side: 'buy', type: 'market', amount: '0.001' }, 'ETH/USDT'), ctx));
    expect([err.code, err.message]).toEqual(['BAD_SYMBOL', 'symbol: unknown market ETH/USDT']);
    err = rejection(() => e.placeOrder(req({ clientOrderId: 'has space', side: 'buy', type: 'market', amount: '0.001' }, 'BTC/USDT'), ctx));
    expect(err.message).toMatch(/^clientOrderId: /);
    err = rejection(() => e.placeOrder(req({ clientOrderId: 'a', side: 'buy', type: 'market', amount: '-1' }, 'BTC/USDT'), ctx));
    expect(err.message).toMatch(/^amount: /);
    // the rejections changed nothing
    expect(e.orders()).toEqual([]);
    expect(e.balances()).toEqual([{ currency: 'USDT', free: '10000', used: '0', total: '10000' }]);
  });

  it('rejects an amount under the market minimum with MIN_AMOUNT', () => {
    const e = new PaperEngine({ marketType: 'spot', markets: { [SPOT.symbol]: { ...SPOT, minAmount: '0.001' } } }, { USDT: '10000' });
    const err = rejection(() => e.placeOrder(req({ clientOrderId: 'a', side: 'buy', type: 'limit', amount: '0.0005', price: '60000' }, 'BTC/USDT'), { now: 1 }));
    expect([err.code, err.message]).toEqual(['MIN_AMOUNT', 'amount: 0.0005 BTC is below the minimum 0.001 BTC']);
  });

  it('a resting sell reserves its base, reduce-only too (spot has none): a second full-size sell is refused with the numbers', () => {
    const e = spotEngine({ USDT: '10000', BTC: '0.5' });
    const sl = e.placeOrder(req({ clientOrderId: 'sl', side: 'sell', type: 'market', amount: '0.5', kind: 'stop_loss', triggerPrice: '57000', reduceOnly: true }, 'BTC/USDT'), { now: 1, price: '60000' });
    expect(sl).toMatchObject({ status: 'open', reduceOnly: false }); // as a spot venue reports it
    expect(e.balance('BTC')).toEqual({ currency: 'BTC', free: '0', used: '0.5', total: '0.5' }); // "in use"
    const err = rejection(() => e.placeOrder(req({ clientOrderId: 'tp', side: 'sell', type: 'limit', amount: '0.5', price: '65000', kind: 'take_profit', triggerPrice: '65000', reduceOnly: true }, 'BTC/USDT'), { now: 1, price: '60000' }));
    expect([err.code, err.message]).toEqual(['INSUFFICIENT_FUNDS', 'amount: needs 0.5 BTC, free 0 BTC']);
    expect(e.getOrderByClientId('tp')).toBeNull();
    const fills = e.applyStep(st('BTC/USDT', 60000, 60500, 56000, 56500, 5));
    // 57000 − 5 bps = 56971.5; starting BTC took the first price seen (60000) as its cost
    expect(fills.map((f) => [f.clientOrderId, f.price, f.amount, f.realizedPnl])).toEqual([['sl', '56971.5', '0.5', '-1514.25']]);
    expect(bal(e, 'BTC')).toEqual(['0', '0']);
  });

  it('sells sized within the holding rest together: a stop for part, a take-profit for the rest', () => {
    const e = spotEngine({ USDT: '0', BTC: '0.5' });
    const sl = e.placeOrder(req({ clientOrderId: 'sl', side: 'sell', type: 'market', amount: '0.3', kind: 'stop_loss', triggerPrice: '57000', reduceOnly: true }, 'BTC/USDT'), { now: 1, price: '60000' });
    e.placeOrder(req({ clientOrderId: 'tp', side: 'sell', type: 'limit', amount: '0.2', price: '65000', reduceOnly: true }, 'BTC/USDT'), { now: 1, price: '60000' });
    expect(bal(e, 'BTC')).toEqual(['0', '0.5']);
    const [f] = e.applyStep(st('BTC/USDT', 60000, 65500, 59900, 65200, 2));
    // maker fee 0.2 × 65000 × 0.1 % = 13
    expect(f).toMatchObject({ clientOrderId: 'tp', price: '65000', amount: '0.2', fee: '13', liquidity: 'maker' });
    expect(bal(e, 'BTC')).toEqual(['0', '0.3']); // the stop still reserves its 0.3
    expect(bal(e, 'USDT')).toEqual(['12987', '0']);
    e.cancelOrder(sl.id, 3);
    expect(bal(e, 'BTC')).toEqual(['0.3', '0']);
  });

  it('a market sell needing coins a resting sell reserves is refused; after the cancel it fills', () => {
    const e = spotEngine({ USDT: '0', BTC: '0.5' });
    const sl = e.placeOrder(req({ clientOrderId: 'sl', side: 'sell', type: 'market', amount: '0.5', kind: 'stop_loss', triggerPrice: '57000' }, 'BTC/USDT'), { now: 1, price: '60000' });
    const err = rejection(() => e.placeOrder(req({ clientOrderId: 'close', side: 'sell', type: 'market', amount: '0.5', reduceOnly: true }, 'BTC/USDT'), { now: 2, price: '60000' }));
    expect([err.code, err.message]).toEqual(['INSUFFICIENT_FUNDS', 'amount: needs 0.5 BTC, free 0 BTC']);
    e.cancelOrder(sl.id, 2);
    // 60000 − 5 bps = 59970; fee 29.985
    expect(e.placeOrder(req({ clientOrderId: 'close', side: 'sell', type: 'market', amount: '0.5', reduceOnly: true }, 'BTC/USDT'), { now: 2, price: '60000' })).toMatchObject({ status: 'closed', average: '59970', fee: '29.985' });
    expect(e.balances()).toEqual([
      { currency: 'BTC', free: '0', used: '0', total: '0' },
      { currency: 'USDT', free: '29955.015', used: '0', total: '29955.015' },
    ]);
  });

  it('a resting buy reserves price × amount plus the taker fee of the quote (a stop buy at its trigger plus slippage); more than is free is refused', () => {
    const e = spotEngine({ USDT: '6000' });
    e.placeOrder(req({ clientOrderId: 'b1', side: 'buy', type: 'limit', amount: '0.1', price: '50000' }, 'BTC/USDT'), { now: 1, price: '60000' });
    // 0.1 × 50000 × 1.001 = 5005
    expect(e.balance('USDT')).toEqual({ currency: 'USDT', free: '995', used: '5005', total: '6000' });
    const err = rejection(() => e.placeOrder(req({ clientOrderId: 'b2', side: 'buy', type: 'limit', amount: '0.02', price: '50000' }, 'BTC/USDT'), { now: 1, price: '60000' }));
    expect([err.code, err.message]).toEqual(['INSUFFICIENT_FUNDS', 'amount: needs 1001 USDT (cost + fee), free 995 USDT']);
    // a stop buy at 62000: 62000 + 5 bps = 62031; 0.01 × 62031 × 1.001 = 620.93031
    e.placeOrder(req({ clientOrderId: 'b3', side: 'buy', type: 'market', amount: '0.01', kind: 'stop_loss', triggerPrice: '62000' }, 'BTC/USDT'), { now: 1, price: '60000' });
    expect(bal(e, 'USDT')).toEqual(['374.06969', '5625.93031']);
  });

  it('a non-reduce-only sell cannot lock base another sell already locked', () => {
    const e = spotEngine({ USDT: '0', BTC: '0.5' });
    e.placeOrder(req({ clientOrderId: 'a', side: 'sell', type: 'limit', amount: '0.5', price: '70000' }, 'BTC/USDT'), { now: 1 });
    const err = rejection(() => e.placeOrder(req({ clientOrderId: 'b', side: 'sell', type: 'limit', amount: '0.1', price: '71000' }, 'BTC/USDT'), { now: 1 }));
    expect(err.code).toBe('INSUFFICIENT_FUNDS');
  });

  it('a stop buy that gaps above what its lock covers expires at the fill instead of overdrawing', () => {
    const e = spotEngine({ USDT: '1000' }, { slippageBps: 0 });
    e.placeOrder(req({ clientOrderId: 'brk', side: 'buy', type: 'market', amount: '0.016', kind: 'stop_loss', triggerPrice: '62000' }, 'BTC/USDT'), { now: 1, price: '60000' });
    // locked 0.016 × 62000 × 1.001 = 992.992
    expect(bal(e, 'USDT')).toEqual(['7.008', '992.992']);
    expect(e.applyStep(st('BTC/USDT', 64000, 64500, 63900, 64200, 2))).toEqual([]); // needs 1025.024
    expect(e.getOrderByClientId('brk')).toMatchObject({ status: 'expired', updatedAt: 2 });
    expect(bal(e, 'USDT')).toEqual(['1000', '0']);
  });

  it('rejects reduce-only buys on spot and a stop that would trigger at once', () => {
    const e = spotEngine({ USDT: '10000', BTC: '1' });
    expect(rejection(() => e.placeOrder(req({ clientOrderId: 'a', side: 'buy', type: 'market', amount: '0.1', reduceOnly: true }, 'BTC/USDT'), { now: 1, price: '60000' })).message).toBe(
      'reduceOnly: only sell orders can be reduce-only on spot',
    );
    const err = rejection(() => e.placeOrder(req({ clientOrderId: 'a', side: 'sell', type: 'market', amount: '0.1', kind: 'stop_loss', triggerPrice: '61000' }, 'BTC/USDT'), { now: 1, price: '60000' }));
    expect([err.code, err.message]).toEqual(['INVALID_ORDER', 'triggerPrice: 61000 would trigger immediately (current price 60000)']);
  });
});

describe('perpetual', () => {
  it('long 10×: margin, fee, liquidation price by the formula, close at a profit', () => {
    const e = perpEngine();
    e.setLeverage(P, 10);
    const o = e.placeOrder(req({ clientOrderId: 'open', side: 'buy', type: 'market', amount: '0.1' }), { now: 1, price: '50000' });
    expect(o).toMatchObject({ status: 'closed', average: '50000', fee: '2.5' });
    // margin 5000 / 10 = 500, taker fee 2.5
    expect(bal(e, 'USDT')).toEqual(['497.5', '500']);
    // LP = (0.1 × 50000 − 500) / (0.1 × (1 − 0.004)) = 45180.7228… → up to the tick 0.1
    expect(e.position(P, '51000')).toEqual({
      symbol: P,
      side: 'long',
      amount: '0.1',
      entryPrice: '50000',
      markPrice: '51000',
      leverage: 10,
      marginMode: 'isolated',
      margin: '500',
      liquidationPrice: '45180.8',
      unrealizedPnl: '100',
      updatedAt: 1,
    });
    e.placeOrder(req({ clientOrderId: 'close', side: 'sell', type: 'limit', amount: '0.1', price: '52000', reduceOnly: true }), { now: 2, price: '50500' });
    const [f] = e.applyStep(st(P, 51000, 52100, 50900, 52050, 3));
    // PnL (52000 − 50000) × 0.1 = 200; maker fee 5200 × 0.0002 = 1.04
    expect(f).toMatchObject({ price: '52000', realizedPnl: '200', fee: '1.04', liquidity: 'maker' });
    expect(e.positions()).toEqual([]);
    expect(bal(e, 'USDT')).toEqual(['1196.46', '0']);
    expect(e.totals()).toEqual({ realizedPnl: '200', fees: '3.54', funding: '0' });
  });

  it('short 5×: PnL sign and liquidation price above entry', () => {
    const e = perpEngine({ USDT: '10000' });
    e.setLeverage(P, 5);
    e.placeOrder(req({ clientOrderId: 'open', side: 'sell', type: 'market', amount: '0.2' }), { now: 1, price: '50000' });
    // margin 10000 / 5 = 2000, fee 5; LP = (10000 + 2000) / (0.2 × 1.004) = 59760.956… → down to 59760.9
    expect(e.position(P)).toMatchObject({ side: 'short', margin: '2000', liquidationPrice: '59760.9', unrealizedPnl: '0' });
    expect(bal(e, 'USDT')).toEqual(['7995', '2000']);
    const c = e.placeOrder(req({ clientOrderId: 'close', side: 'buy', type: 'market', amount: '0.2', reduceOnly: true }), { now: 2, price: '48000' });
    // PnL (50000 − 48000) × 0.2 = 400, fee 9600 × 0.0005 = 4.8
    expect(e.fills().at(-1)).toMatchObject({ orderId: c.id, realizedPnl: '400', fee: '4.8' });
    expect(bal(e, 'USDT')).toEqual(['10390.2', '0']);
  });

  it('adding to a position averages the entry; a partial close releases margin pro rata', () => {
    const e = perpEngine({ USDT: '5000' });
    e.setLeverage(P, 10);
    e.placeOrder(req({ clientOrderId: 'a', side: 'buy', type: 'market', amount: '0.1' }), { now: 1, price: '50000' });
    e.placeOrder(req({ clientOrderId: 'b', side: 'buy', type: 'market', amount: '0.1' }), { now: 2, price: '52000' });
    // entry (5000 + 5200) / 0.2 = 51000; margin 500 + 520; LP = (10200 − 1020) / (0.2 × 0.996) = 46084.337… → 46084.4
    expect(e.position(P)).toMatchObject({ amount: '0.2', entryPrice: '51000', margin: '1020', liquidationPrice: '46084.4' });
    e.placeOrder(req({ clientOrderId: 'c', side: 'sell', type: 'market', amount: '0.05', reduceOnly: true }), { now: 3, price: '53000' });
    // PnL (53000 − 51000) × 0.05 = 100; released 1020 × 0.25 = 255
    expect(e.fills().at(-1)).toMatchObject({ realizedPnl: '100', fee: '1.325' });
    expect(e.position(P)).toMatchObject({ amount: '0.15', entryPrice: '51000', margin: '765', liquidationPrice: '46084.4' });
    // fees 2.5 + 2.6 + 1.325; free 5000 − 1020 − 5.1 + 255 + 100 − 1.325
    expect(bal(e, 'USDT')).toEqual(['4328.575', '765']);
  });

  it('a non-reduce-only order larger than the position flips it', () => {
    const e = perpEngine({ USDT: '5000' });
    e.setLeverage(P, 10);
    e.placeOrder(req({ clientOrderId: 'a', side: 'buy', type: 'market', amount: '0.1' }), { now: 1, price: '50000' });
    e.placeOrder(req({ clientOrderId: 'b', side: 'sell', type: 'market', amount: '0.3' }), { now: 2, price: '51000' });
    expect(e.position(P)).toMatchObject({ side: 'short', amount: '0.2', entryPrice: '51000', margin: '1020' });
    expect(e.fills().at(-1)).toMatchObject({ amount: '0.3', realizedPnl: '100' });
  });

  it('liquidates at the formula price when a step reaches it: the whole margin is lost', () => {
    const e = perpEngine();
    e.setLeverage(P, 10);
    e.placeOrder(req({ clientOrderId: 'open', side: 'buy', type: 'market', amount: '0.1' }), { now: 1, price: '50000' });
    expect(e.applyStep(st(P, 50000, 50100, 45180.9, 46000, 2))).toEqual([]); // one tick above: survives
    const [liq] = e.applyStep(st(P, 46000, 46100, 45180.8, 45500, 3));
    // PnL (45180.8 − 50000) × 0.1 = −481.92; the rest of the 500 margin (18.08) is the clearance fee
    expect(liq).toMatchObject({ side: 'sell', price: '45180.8', amount: '0.1', realizedPnl: '-481.92', fee: '18.08', liquidation: true, ts: 3 });
    expect(e.positions()).toEqual([]);
    expect(bal(e, 'USDT')).toEqual(['497.5', '0']);
    expect(e.getOrder(liq!.orderId)).toMatchObject({ status: 'closed', reduceOnly: true, clientOrderId: null });
  });

  it('a stop-loss above the liquidation price closes first; one below it comes too late', () => {
    const run = (stop: string) => {
      const e = perpEngine();
      e.setLeverage(P, 10);
      e.placeOrder(req({ clientOrderId: 'open', side: 'buy', type: 'market', amount: '0.1' }), { now: 1, price: '50000' });
      e.placeOrder(req({ clientOrderId: 'sl', side: 'sell', type: 'market', amount: '0.1', kind: 'stop_loss', triggerPrice: stop, reduceOnly: true }), { now: 1, price: '50000' });
      return e.applyStep(st(P, 50000, 50000, 44000, 44500, 2)).map((f) => [f.clientOrderId, f.price, f.liquidation]);
    };
    expect(run('46000')).toEqual([['sl', '46000', false]]);
    expect(run('45000')).toEqual([[null, '45180.8', true]]);
  });

  it('funding: longs pay and shorts receive when the rate is positive, and the reverse', () => {
    const long = perpEngine({ USDT: '10000' });
    long.placeOrder(req({ clientOrderId: 'a', side: 'buy', type: 'market', amount: '0.1' }), { now: 1, price: '50000' });
    expect(long.applyFunding(P, '0.0001', '60000', 28_800_000)).toMatchObject({ side: 'long', payment: '-0.6', amount: '0.1' });
    expect(long.applyFunding(P, '-0.0002', '50000', 57_600_000)!.payment).toBe('1');
    expect(long.totals().funding).toBe('0.4');
    expect(long.positionState(P)!.funding).toBe('0.4');
    const short = perpEngine({ USDT: '10000' });
    short.placeOrder(req({ clientOrderId: 'a', side: 'sell', type: 'market', amount: '0.1' }), { now: 1, price: '50000' });
    const before = short.balance('USDT').free;
    expect(short.applyFunding(P, '0.0001', '60000', 28_800_000)!.payment).toBe('0.6');
    expect(Number(short.balance('USDT').free) - Number(before)).toBeCloseTo(0.6, 10);
    expect(perpEngine().applyFunding(P, '0.0001', '60000', 1)).toBeNull();
  });

  it('rejects insufficient margin and a position below the min notional, naming the field', () => {
    const e = perpEngine({ USDT: '100' });
    e.setLeverage(P, 2);
    let err = rejection(() => e.placeOrder(req({ clientOrderId: 'a', side: 'buy', type: 'market', amount: '0.01' }), { now: 1, price: '50000' }));
    expect([err.code, err.message]).toEqual(['INSUFFICIENT_FUNDS', 'amount: needs 250.25 USDT (margin + fee), free 100 USDT']);
    err = rejection(() => e.placeOrder(req({ clientOrderId: 'a', side: 'buy', type: 'limit', amount: '0.001', price: '50000' }), { now: 1 }));
    expect([err.code, err.message]).toEqual(['MIN_NOTIONAL', 'amount: notional 50 USDT (amount × price) is below the minimum 100 USDT']);
    err = rejection(() => e.placeOrder(req({ clientOrderId: 'a', side: 'sell', type: 'market', amount: '0.001', reduceOnly: true }), { now: 1, price: '50000' }));
    expect([err.code, err.message]).toEqual(['INVALID_ORDER', `reduceOnly: no long position on ${P} to reduce`]);
    err = rejection(() => e.setLeverage(P, 126));
    expect(err.message).toBe('leverage: must be an integer from 1 to 125, got 126');
  });

  it('refuses to change leverage with an open position', () => {
    const e = perpEngine({ USDT: '10000' });
    e.placeOrder(req({ clientOrderId: 'a', side: 'buy', type: 'market', amount: '0.01' }), { now: 1, price: '50000' });
    expect(rejection(() => e.setLeverage(P, 20)).message).toMatch(/^leverage: cannot change/);
    e.setLeverage(P, 1); // unchanged: fine
  });
});

describe('idempotency, snapshots, determinism', () => {
  it('a repeated clientOrderId returns the existing order and changes nothing', () => {
    const e = spotEngine();
    const first = e.placeOrder(req({ clientOrderId: 'same', side: 'buy', type: 'limit', amount: '0.01', price: '50000' }, 'BTC/USDT'), { now: 1 });
    const balances = e.balances();
    const again = e.placeOrder(req({ clientOrderId: 'same', side: 'buy', type: 'limit', amount: '0.05', price: '40000' }, 'BTC/USDT'), { now: 2 });
    expect(again).toEqual(first);
    expect(e.balances()).toEqual(balances);
    expect(e.orders()).toHaveLength(1);
  });

  const script = (e: PaperEngine) => {
    e.setLeverage(P, 20);
    e.placeOrder(req({ clientOrderId: 'a', side: 'buy', type: 'market', amount: '0.05' }), { now: 1, price: '50000' });
    e.placeOrder(req({ clientOrderId: 'sl', side: 'sell', type: 'market', amount: '0.05', kind: 'stop_loss', triggerPrice: '48000', reduceOnly: true }), { now: 1, price: '50000' });
    e.placeOrder(req({ clientOrderId: 'tp', side: 'sell', type: 'limit', amount: '0.05', price: '53000', kind: 'take_profit', triggerPrice: '52900', reduceOnly: true }), { now: 1, price: '50000' });
    e.placeOrder(req({ clientOrderId: 'add', side: 'buy', type: 'limit', amount: '0.02', price: '49000' }), { now: 1, price: '50000' });
  };
  const steps: PriceStep[] = [
    st(P, 50000, 50500, 49800, 50200, 10),
    st(P, 50200, 50300, 48900, 49100, 20),
    st(P, 49100, 51000, 49000, 50900, 30),
    st(P, 50900, 53100, 50800, 52950, 40),
    st(P, 52950, 53050, 52000, 52100, 50),
  ];

  it('same steps twice → identical fills and state', () => {
    const a = perpEngine({ USDT: '10000' }, { slippageBps: 5 });
    const b = perpEngine({ USDT: '10000' }, { slippageBps: 5 });
    script(a);
    script(b);
    const fa = steps.flatMap((s) => a.applyStep(s));
    const fb = steps.flatMap((s) => b.applyStep(s));
    expect(fa.length).toBeGreaterThanOrEqual(2);
    expect(fb).toEqual(fa);
    expect(b.toJSON()).toEqual(a.toJSON());
  });

  it('toJSON → JSON text → fromJSON round-trips and continues identically', () => {
    const a = perpEngine({ USDT: '10000' }, { slippageBps: 5 });
    script(a);
    a.applyStep(steps[0]!);
    a.applyStep(steps[1]!);
    a.applyFunding(P, '0.0001', '49100', 28_800_000);
    const snap = JSON.parse(JSON.stringify(a.toJSON()));
    const b = PaperEngine.fromJSON(snap);
    expect(b.toJSON()).toEqual(a.toJSON());
    expect(b.getOrderByClientId('tp')).toEqual(a.getOrderByClientId('tp'));
    const rest = steps.slice(2);
    expect(rest.flatMap((s) => b.applyStep(s))).toEqual(rest.flatMap((s) => a.applyStep(s)));
    expect(b.toJSON()).toEqual(a.toJSON());
    // and the idempotent create survives the round trip
    expect(b.placeOrder(req({ clientOrderId: 'a', side: 'buy', type: 'market', amount: '1' }), { now: 99, price: '1' }).id).toBe(a.getOrderByClientId('a')!.id);
    expect(() => PaperEngine.fromJSON({ ...snap, version: 2 })).toThrow(/snapshot/);
  });

  it('emits order, fill and position events', () => {
    const e = perpEngine({ USDT: '10000' });
    e.placeOrder(req({ clientOrderId: 'a', side: 'buy', type: 'market', amount: '0.01' }), { now: 1, price: '50000' });
    expect(e.takeEvents().map((x) => x.type)).toEqual(['order', 'fill', 'position']);
    expect(e.takeEvents()).toEqual([]);
  });
});
