/**
 * PaperExchange over real BTC/USDT 15m candles (2024-08-05, the crash day), replayed as the replay feed
 * does (forming candles walking open → low/high → close, a ManualClock advanced one minute at a time).
 * Expected fills are derived independently from the CSV candles with the documented rules.
 */
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import Decimal from 'decimal.js';
import { TIMEFRAME_MS, type Candle, type Timeframe } from '@osprey/shared';
import { ManualClock } from '../src/domain/ports.js';
import { SymbolReplay } from '../src/domain/replay.js';
import { RejectedOrderError } from '../src/domain/exchange/errors.js';
import { candlePath } from '../src/domain/trading/fill-rules.js';
import { PaperEngine, type PaperFill } from '../src/domain/trading/paper-engine.js';
import { PaperExchange, type FundingSource, type PaperExchangeSnapshot, type PriceSource } from '../src/adapters/exchange/paper-exchange.js';
import { paperMarkets } from '../src/adapters/exchange/paper-markets.js';
import { readCandlesCsv } from './fakes/fake-binance.js';

const M15 = TIMEFRAME_MS['15m'];
const START = Date.UTC(2024, 7, 5, 0, 0);
const at = (h: number, m = 0) => START + h * 3_600_000 + m * 60_000;
const BTC = readCandlesCsv('BTC', '15m');
const candleAt = (ts: number) => BTC.find((c) => c.ts === ts)!;

/** The replay feed's 15m stream of one symbol, as a {@link PriceSource}. */
class ReplaySource implements PriceSource {
  private readonly replay: SymbolReplay;
  private lastCandle: Candle | null = null;
  private readonly listeners = new Set<(symbol: string, candle: Candle, closed: boolean) => void>();
  constructor(
    private readonly symbol: string,
    private readonly base: Candle[],
    start: number,
  ) {
    this.replay = new SymbolReplay(symbol, base, [], start);
  }
  advance(now: number): void {
    for (const ev of this.replay.step(now)) {
      if (ev.timeframe !== '15m') continue;
      this.lastCandle = ev.candle;
      for (const l of [...this.listeners]) l(ev.symbol, ev.candle, ev.closed);
    }
  }
  last(symbol: string): Candle | null {
    return symbol === this.symbol ? this.lastCandle : null;
  }
  subscribe(listener: (symbol: string, candle: Candle, closed: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  async history(symbol: string, _tf: Timeframe, since = 0, limit = 500): Promise<Candle[]> {
    if (symbol !== this.symbol || !this.lastCandle) return [];
    return this.base.filter((c) => c.ts >= since && c.ts < this.lastCandle!.ts).slice(-limit);
  }
  get listenerCount(): number {
    return this.listeners.size;
  }
}

/** Funding events of BTC/USDT:USDT from the shipped CSV. */
function fundingFromCsv(): FundingSource {
  const rows = readFileSync(new URL('../assets/funding/BINANCE_BTCUSDT_funding.csv', import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => {
      const [ts, rate] = l.split(',');
      return { ts: Number(ts), rate: rate! };
    });
  return { between: (symbol, from, to) => (symbol === 'BTC/USDT:USDT' ? rows.filter((r) => r.ts > from && r.ts <= to) : []) };
}

let clock: ManualClock;
let src: ReplaySource;
function runUntil(t: number): void {
  while (clock.now() < t) {
    clock.advance(60_000);
    src.advance(clock.now());
  }
}

beforeEach(() => {
  clock = new ManualClock(START);
  src = new ReplaySource('BTC/USDT', BTC, START);
  src.advance(START);
});

const Dec40 = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
const D = (v: Decimal.Value) => new Dec40(v);
const ceilTo = (v: Decimal, step: string) => v.div(step).ceil().mul(step);
const floorTo = (v: Decimal, step: string) => v.div(step).floor().mul(step);
/** First candle at or after `from` whose low (high) reaches `level`. */
function firstTouch(from: number, level: number, dir: 'down' | 'up'): Candle {
  const c = BTC.find((x) => x.ts >= from && (dir === 'down' ? x.low <= level : x.high >= level));
  if (!c) throw new Error('level never reached');
  return c;
}
const inCandle = (ts: number, c: Candle) => ts >= c.ts && ts <= c.ts + M15;

function rejection(p: Promise<unknown>): Promise<RejectedOrderError> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => {
      if (e instanceof RejectedOrderError) return e;
      throw e;
    },
  );
}

describe('PaperExchange spot over real BTC candles', () => {
  it('market, limit and reduce-only stop orders fill per the rules; balances add up; requests are rounded at the boundary', async () => {
    const ex = new PaperExchange({ id: 'binance', marketType: 'spot', balances: { USDT: '10000' }, clock, prices: src });
    expect(ex.id).toBe('binance');
    const markets = await ex.loadMarkets();
    expect(markets['BTC/USDT']).toMatchObject({ amountStep: '0.00001', priceStep: '0.01', minNotional: '5', makerFee: '0.001', takerFee: '0.001' });
    expect(await ex.fetchTicker('BTC/USDT')).toMatchObject({ last: '58161', mark: null, ts: START });

    // rounding: amount down to 0.00001, prices to the nearest 0.01
    const buy = await ex.createOrder({ clientOrderId: 'buy-1', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: '0.0123456' });
    expect(buy).toMatchObject({ status: 'closed', amount: '0.01234', filled: '0.01234', average: '58190.09' }); // 58161 × 1.0005 = 58190.0805 ↑
    const sl = await ex.createOrder({ clientOrderId: 'sl-1', symbol: 'BTC/USDT', side: 'sell', type: 'market', amount: '0.01234', kind: 'stop_loss', triggerPrice: '55555.555', reduceOnly: true });
    expect(sl).toMatchObject({ status: 'open', triggerPrice: '55555.56' });
    const lim = await ex.createOrder({ clientOrderId: 'lim-1', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: '0.01', price: '56800.123' });
    expect(lim).toMatchObject({ status: 'open', price: '56800.12' });
    expect((await ex.fetchOpenOrders('BTC/USDT')).map((o) => o.clientOrderId)).toEqual(['sl-1', 'lim-1']);

    // boundary errors name the field
    let err = await rejection(ex.createOrder({ clientOrderId: 'tiny', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: '0.000004' }));
    expect([err.code, err.message]).toEqual(['MIN_AMOUNT', 'amount: 0.000004 BTC rounds down to 0 at the amount step 0.00001']);
    err = await rejection(ex.createOrder({ clientOrderId: 'exp', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: '0.001', price: '1e5' }));
    expect(err.message).toMatch(/^price: must be a positive decimal string/);
    err = await rejection(ex.createOrder({ clientOrderId: 'perp', symbol: 'BTC/USDT:USDT', side: 'buy', type: 'market', amount: '0.001' }));
    expect(err.code).toBe('BAD_SYMBOL');
    err = await rejection(ex.createOrder({ clientOrderId: 'poor', symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: '1' }));
    expect(err.code).toBe('INSUFFICIENT_FUNDS');

    runUntil(at(2));

    // expectations from the CSV: the limit buy fills on the first candle reaching 56800.12 at min(P, open);
    // the stop on the first reaching 55555.56, at min(S, open) − 5 bps, rounded down to the cent
    const limCandle = firstTouch(START, 56800.12, 'down');
    const slCandle = firstTouch(START, 55555.56, 'down');
    expect(limCandle.ts).toBe(at(0, 30));
    expect(slCandle.ts).toBe(at(1));
    const fills = await ex.fetchMyTrades('BTC/USDT');
    expect(fills.map((f) => f.clientOrderId)).toEqual(['buy-1', 'lim-1', 'sl-1']);
    const [fBuy, fLim, fSl] = fills as PaperFill[];
    expect(fLim).toMatchObject({ price: String(Math.min(56800.12, limCandle.open)), amount: '0.01', liquidity: 'maker' });
    expect(inCandle(fLim!.ts, limCandle)).toBe(true);
    const slPrice = floorTo(D(Math.min(55555.56, slCandle.open)).mul('0.9995'), '0.01');
    expect(fSl).toMatchObject({ price: slPrice.toFixed(), amount: '0.01234', liquidity: 'taker' });
    expect(fSl!.price).toBe('55527.78');
    expect(inCandle(fSl!.ts, slCandle)).toBe(true);
    // realized PnL of the stop against the average cost of both buys
    const avg = D('0.01234').mul('58190.09').plus(D('0.01').mul(fLim!.price)).div('0.02234');
    expect(D(fSl!.realizedPnl).minus(D(fSl!.price).minus(avg).mul('0.01234')).abs().lt('1e-20')).toBe(true);

    // balances: 10000 − buys − fees + sale
    let usdt = D(10000);
    for (const f of fills) usdt = f.side === 'buy' ? usdt.minus(D(f.price).mul(f.amount)).minus(f.fee) : usdt.plus(D(f.price).mul(f.amount)).minus(f.fee);
    expect(fBuy!.fee).toBe(D('0.01234').mul('58190.09').mul('0.001').toFixed());
    const balances = await ex.fetchBalance();
    expect(balances).toEqual([
      { currency: 'BTC', free: '0.01', used: '0', total: '0.01' },
      { currency: 'USDT', free: usdt.toFixed(), used: '0', total: usdt.toFixed() },
    ]);
    expect(await ex.fetchPositions()).toEqual([]);
    expect(ex.holdings()).toEqual([{ currency: 'BTC', amount: '0.01', averageCost: avg.toFixed() }]);
    expect(await ex.fetchOrderByClientId('sl-1', 'BTC/USDT')).toMatchObject({ status: 'closed' });
    expect(await ex.fetchOrderByClientId('nope', 'BTC/USDT')).toBeNull();
    expect((await ex.fetchOHLCV('BTC/USDT', '15m', at(1), 2)).map((c) => c.ts)).toEqual([at(1, 30), at(1, 45)]);
    await ex.close();
    expect(src.listenerCount).toBe(0);
  });
});

describe('PaperExchange perpetual over real BTC candles', () => {
  const SYM = 'BTC/USDT:USDT';

  it('long with SL/TP, then a short across a funding time; backtest parity; restart from a snapshot', async () => {
    const opts = { id: 'binance', marketType: 'swap' as const, balances: { USDT: '10000' }, clock, prices: src, funding: fundingFromCsv() };
    const ex = new PaperExchange(opts);
    const events: string[] = [];
    ex.onEvent((e) => events.push(e.type));
    // the same orders in a backtest engine fed with the path legs of the same candles
    const bt = new PaperEngine({ marketType: 'swap', markets: paperMarkets('swap') }, { USDT: '10000' });
    let btCursor = START;
    const backtestUntil = (t: number) => {
      for (const c of BTC.filter((x) => x.ts >= btCursor && x.ts < t)) for (const leg of candlePath(c, SYM)) bt.applyStep(leg);
      btCursor = t;
    };
    const place = async (r: Parameters<PaperExchange['createOrder']>[0]) => {
      const o = await ex.createOrder(r);
      const px = (await ex.fetchTicker(SYM)).last;
      bt.placeOrder({ ...r, amount: o.amount, ...(o.price !== null && { price: o.price }), ...(o.triggerPrice !== null && { triggerPrice: o.triggerPrice }) }, { now: clock.now(), price: px });
      return o;
    };

    await ex.setLeverage(SYM, 10);
    bt.setLeverage(SYM, 10);
    const open = await place({ clientOrderId: 'long', symbol: SYM, side: 'buy', type: 'market', amount: '0.0157' });
    expect(open).toMatchObject({ amount: '0.015', average: '58190.1' }); // 58161 × 1.0005 → up to the 0.1 tick
    expect(events).toEqual(['order', 'fill', 'position']);
    const [pos] = await ex.fetchPositions();
    // margin 0.015 × 58190.1 / 10; LP = (notional − margin) / (0.015 × 0.996) rounded up to 0.1
    const margin = D('0.015').mul('58190.1').div(10);
    const lp = ceilTo(D('0.015').mul('58190.1').minus(margin).div(D('0.015').mul('0.996')), '0.1');
    expect(pos).toMatchObject({ symbol: SYM, side: 'long', amount: '0.015', entryPrice: '58190.1', leverage: 10, margin: margin.toFixed(), liquidationPrice: lp.toFixed(), marginMode: 'isolated' });
    expect(lp.toFixed()).toBe('52581.5'); // 58190.1 × 0.9 / 0.996 = 52581.41…
    await place({ clientOrderId: 'long-sl', symbol: SYM, side: 'sell', type: 'market', amount: '0.015', kind: 'stop_loss', triggerPrice: '56400.37', reduceOnly: true });
    await place({ clientOrderId: 'long-tp', symbol: SYM, side: 'sell', type: 'market', amount: '0.015', kind: 'take_profit', triggerPrice: '61000', reduceOnly: true });
    expect((await ex.fetchOrderByClientId('long-sl', SYM))!.triggerPrice).toBe('56400.4');

    runUntil(at(1, 15));
    backtestUntil(at(1, 15));
    // the stop: first candle with low ≤ 56400.4 (00:45, open above it) → 56400.4 × 0.9995 rounded down to 0.1
    expect(firstTouch(START, 56400.4, 'down').ts).toBe(at(0, 45));
    let fills = (await ex.fetchMyTrades(SYM)) as PaperFill[];
    expect(fills.map((f) => [f.clientOrderId, f.price])).toEqual([['long', '58190.1'], ['long-sl', '56372.1']]);
    expect(fills[1]!.realizedPnl).toBe('-27.27'); // (56372.1 − 58190.1) × 0.015
    expect(await ex.fetchPositions()).toEqual([]);
    expect((await ex.fetchOrderByClientId('long-tp', SYM))!.status).toBe('canceled');

    // a short: limit sell above the market at 01:15, its stop and a far take-profit
    // The last price is quoted on the perpetual's 0.1 tick; the mark keeps the feed's close.
    expect(await ex.fetchTicker(SYM)).toMatchObject({ last: '53928', mark: '53927.99' });
    await place({ clientOrderId: 'short', symbol: SYM, side: 'sell', type: 'limit', amount: '0.02', price: '54500.04' });
    await place({ clientOrderId: 'short-sl', symbol: SYM, side: 'buy', type: 'market', amount: '0.02', kind: 'stop_loss', triggerPrice: '56000', reduceOnly: true });
    await place({ clientOrderId: 'short-tp', symbol: SYM, side: 'buy', type: 'market', amount: '0.02', kind: 'take_profit', triggerPrice: '48000', reduceOnly: true });

    runUntil(at(4));
    backtestUntil(at(4));
    expect(firstTouch(at(1, 15), 54500, 'up').ts).toBe(at(1, 15));
    expect((await ex.fetchPositions())[0]).toMatchObject({ side: 'short', amount: '0.02', entryPrice: '54500' });

    // restart: a second exchange continues from the snapshot (through JSON) next to the original
    const snap = JSON.parse(JSON.stringify(ex.snapshot())) as PaperExchangeSnapshot;
    const ex2 = new PaperExchange({ ...opts, balances: {}, snapshot: snap });
    expect(ex2.snapshot()).toEqual(ex.snapshot());

    runUntil(at(9));
    backtestUntil(at(9));
    // funding at 08:00 (rate 0.00004429 in the CSV): the short receives 0.02 × mark × rate
    const [pay] = ex.fundingPayments();
    expect(pay).toMatchObject({ symbol: SYM, ts: at(8), rate: '0.00004429', side: 'short', amount: '0.02' });
    expect(pay!.payment).toBe(D('0.02').mul(pay!.markPrice).mul('0.00004429').toFixed());
    const c745 = candleAt(at(7, 45));
    expect(Number(pay!.markPrice)).toBeGreaterThanOrEqual(c745.low);
    expect(Number(pay!.markPrice)).toBeLessThanOrEqual(c745.high);
    expect(ex2.fundingPayments()).toEqual(ex.fundingPayments());

    // close the short at market on both
    const closeReq = { clientOrderId: 'short-close', symbol: SYM, side: 'buy' as const, type: 'market' as const, amount: '0.02', reduceOnly: true };
    const closed = await place(closeReq);
    const closed2 = await ex2.createOrder(closeReq);
    expect(closed2).toEqual(closed);
    expect(closed.average).toBe(ceilTo(D(candleAt(at(9)).open).mul('1.0005'), '0.1').toFixed());
    expect(await ex.fetchPositions()).toEqual([]);
    expect((await ex.fetchOpenOrders()).length).toBe(0);

    fills = (await ex.fetchMyTrades(SYM)) as PaperFill[];
    expect(fills.map((f) => f.clientOrderId)).toEqual(['long', 'long-sl', 'short', 'short-close']);
    expect(await ex2.fetchMyTrades(SYM)).toEqual(fills);
    expect(await ex2.fetchBalance()).toEqual(await ex.fetchBalance());

    // wallet: 10000 + realized − fees + funding, nothing left in margin
    const t = ex.totals();
    const expected = D(10000).plus(t.realizedPnl).minus(t.fees).plus(t.funding);
    expect(await ex.fetchBalance()).toEqual([{ currency: 'USDT', free: expected.toFixed(), used: '0', total: expected.toFixed() }]);
    const shortPnl = D('54500').minus(closed.average!).mul('0.02');
    expect(t.realizedPnl).toBe(shortPnl.minus('27.27').toFixed());

    // backtest over the path legs of the same candles: identical fills
    const brief = (fs: PaperFill[]) => fs.map((f) => `${f.clientOrderId} ${f.side} ${f.amount}@${f.price} ${f.fee}`);
    expect(brief(bt.fills(SYM))).toEqual(brief(fills));

    await ex.close();
    await ex2.close();
  });

  it('rejects a perpetual order under the min notional and a market order before the first price', async () => {
    const ex = new PaperExchange({ id: 'binance', marketType: 'swap', balances: { USDT: '1000' }, clock, prices: src });
    const err = await rejection(ex.createOrder({ clientOrderId: 'small', symbol: SYM, side: 'buy', type: 'market', amount: '0.001' }));
    expect([err.code, err.message]).toEqual(['MIN_NOTIONAL', 'amount: notional 58.161 USDT (amount × price) is below the minimum 100 USDT']);
    const empty: PriceSource = { last: () => null, subscribe: () => () => {}, history: async () => [] };
    const cold = new PaperExchange({ id: 'binance', marketType: 'swap', balances: { USDT: '1000' }, clock, prices: empty });
    await expect(cold.createOrder({ clientOrderId: 'x', symbol: SYM, side: 'buy', type: 'market', amount: '0.01' })).rejects.toMatchObject({ name: 'TemporaryExchangeError', code: 'UNAVAILABLE' });
    await expect(cold.fetchOrder('1', SYM)).rejects.toMatchObject({ code: 'ORDER_NOT_FOUND' });
    await ex.close();
    await cold.close();
  });
});
