/**
 * The behaviour every {@link ExchangeAdapter} must show (hummingbot-style shared connector suite). Call
 * {@link describeExchangeAdapterContract} from an `*.int.test.ts` with a factory that builds a fresh venue per
 * test: `CcxtExchange` on the local Binance/OKX fakes, `PaperExchange` on the replay feed, …
 *
 * Defined behaviour (what callers may rely on):
 * - markets carry an amount step, a price step and at least one minimum (amount or notional);
 * - orders are rounded before they are sent: the amount DOWN to the step, the price to the tick;
 * - an order below the minimum amount / notional is rejected with RejectedOrderError `MIN_AMOUNT` /
 *   `MIN_NOTIONAL` (message naming the field and the limit) BEFORE any request reaches the venue;
 * - a market order fills at once (status `closed`, filled = amount) and moves the balance (spot) or opens a
 *   position (swap); a far limit order rests (`open`), is listed by fetchOpenOrders, found by id and by
 *   clientOrderId, and cancel makes it `canceled` and unlisted; an unknown clientOrderId gives `null`; a
 *   near limit order fills as a maker at its price (or better) once the market reaches it;
 * - **duplicate clientOrderId: a create reusing the clientOrderId of an order that is still open returns
 *   that existing order (same id) and places nothing new** — so retrying a create after an ambiguous
 *   timeout is safe. (Venues only enforce uniqueness among open orders: reusing the id of a finished order
 *   is the caller's mistake; Osprey's clientOrderIds are unique per intent.)
 * - a stop-loss is an `open` conditional order (kind `stop_loss`, its triggerPrice) until the market
 *   touches the trigger, then it executes (`closed`, filled = amount); a take-profit likewise, and cancels;
 * - `fetchOrderFills(id)` lists every fill of that order (a triggered conditional order: of what it executed)
 *   whatever their time, and none of another order.
 * clientOrderIds used here are letters and digits only (≤ 32 chars: OKX's rule, the strictest venue).
 */
import { describe, expect, it, beforeEach, afterEach } from 'vitest';
import Decimal from 'decimal.js';
import type { ExchangeAdapter, MarketInfo, Order } from '../../src/domain/exchange/port.js';
import { RejectedOrderError } from '../../src/domain/exchange/errors.js';

/** What a contract run needs from the implementation under test. */
export interface ContractSetup {
  adapter: ExchangeAdapter;
  /** Moves the market (the venue's clock) forward by `ms`. */
  advance(ms: number): Promise<void>;
  /** A liquid symbol of the adapter's market type, e.g. `BTC/USDT` or `BTC/USDT:USDT`. */
  symbol: string;
  /** Requests the venue has received so far; enables the "before any request" assertions when given. */
  requestCount?(): number;
  teardown(): Promise<void>;
}

const M15 = 15 * 60_000;

/** Registers the contract tests for one adapter implementation. */
export function describeExchangeAdapterContract(name: string, setup: () => Promise<ContractSetup>): void {
  describe(`ExchangeAdapter contract: ${name}`, () => {
    let env: ContractSetup;
    let a: ExchangeAdapter;
    let sym: string;
    let info: MarketInfo;
    let seq = 0;
    const cid = (tag: string) => `ct${tag}${++seq}`;

    beforeEach(async () => {
      env = await setup();
      a = env.adapter;
      sym = env.symbol;
      const markets = await a.loadMarkets();
      const m = markets[sym];
      if (!m) throw new Error(`contract setup: ${sym} is not among the markets`);
      info = m;
    });

    afterEach(async () => {
      await a.close();
      await env.teardown();
    });

    /** Current last price. */
    const last = async () => new Decimal((await a.fetchTicker(sym)).last);
    /** A comfortable order size: 3 × the larger of the minimum amount and the minimum notional at `price`, rounded up to the step. */
    const size = (price: Decimal, factor = 3) => {
      const step = new Decimal(info.amountStep);
      const byAmount = new Decimal(info.minAmount ?? info.amountStep);
      const byNotional = info.minNotional ? new Decimal(info.minNotional).div(price) : new Decimal(0);
      return Decimal.max(byAmount, byNotional, step).times(factor).div(step).ceil().times(step);
    };
    const tickDown = (p: Decimal) => p.div(info.priceStep).floor().times(info.priceStep);
    const tickUp = (p: Decimal) => p.div(info.priceStep).ceil().times(info.priceStep);
    const quoteBalance = async () => (await a.fetchBalance()).find((b) => b.currency === info.quote);
    const baseTotal = async () => new Decimal((await a.fetchBalance()).find((b) => b.currency === info.base)?.total ?? '0');
    const sameDec = (x: string | null, y: Decimal.Value) => expect(x !== null && new Decimal(x).eq(y), `${x} = ${new Decimal(y).toFixed()}`).toBe(true);

    /** Opens exposure to protect: spot buys base, swap opens a long. Returns the amount available to sell. */
    const acquire = async (amount: Decimal): Promise<Decimal> => {
      const buy = await a.createOrder({ clientOrderId: cid('acq'), symbol: sym, side: 'buy', type: 'market', amount: amount.toFixed() });
      expect(buy.status).toBe('closed');
      if (a.marketType === 'swap') return new Decimal(buy.filled);
      return new Decimal(buy.filled).minus(buy.feeCurrency === info.base ? buy.fee : 0).div(info.amountStep).floor().times(info.amountStep);
    };

    it('lists the market with steps, a minimum and fees', async () => {
      expect(info).toMatchObject({ symbol: sym, type: a.marketType });
      for (const k of ['amountStep', 'priceStep', 'makerFee', 'takerFee'] as const) expect(info[k]).toMatch(/^\d+(\.\d+)?$/);
      expect(new Decimal(info.amountStep).gt(0)).toBe(true);
      expect(new Decimal(info.priceStep).gt(0)).toBe(true);
      expect(info.minAmount !== null || info.minNotional !== null).toBe(true);
      expect(info.maxLeverage).toBeGreaterThanOrEqual(1);
      if (a.marketType === 'spot') expect(info.maxLeverage).toBe(1);
    });

    it('fetches a ticker and candles up to now', async () => {
      const t = await a.fetchTicker(sym);
      expect(t.symbol).toBe(sym);
      expect(new Decimal(t.last).gt(0)).toBe(true);
      if (t.bid !== null && t.ask !== null) expect(new Decimal(t.bid).lte(t.ask)).toBe(true);
      if (a.marketType === 'swap') expect(t.mark).not.toBeNull();
      const candles = await a.fetchOHLCV(sym, '15m', undefined, 5);
      expect(candles.length).toBeGreaterThan(0);
      for (let i = 1; i < candles.length; i++) expect(candles[i]!.ts).toBeGreaterThan(candles[i - 1]!.ts);
      for (const c of candles) expect(c.high).toBeGreaterThanOrEqual(c.low);
    });

    it('reports balances with total = free + used', async () => {
      const balances = await a.fetchBalance();
      expect(balances.length).toBeGreaterThan(0);
      for (const b of balances) expect(new Decimal(b.free).plus(b.used).eq(b.total)).toBe(true);
      const q = await quoteBalance();
      expect(q && new Decimal(q.total).gt(0)).toBe(true);
      expect(await a.fetchPositions()).toEqual([]);
    });

    it('fills a market buy at once and moves the balance (spot) or opens a position (swap)', async () => {
      const before = await quoteBalance();
      const baseBefore = await baseTotal();
      const amount = size(await last());
      const id = cid('mkt');
      const o = await a.createOrder({ clientOrderId: id, symbol: sym, side: 'buy', type: 'market', amount: amount.toFixed() });
      expect(o).toMatchObject({ clientOrderId: id, symbol: sym, side: 'buy', type: 'market', kind: 'regular', status: 'closed' });
      sameDec(o.amount, amount);
      sameDec(o.filled, amount);
      expect(o.average !== null && new Decimal(o.average).gt(0)).toBe(true);
      expect((await a.fetchOrder(o.id, sym)).status).toBe('closed');

      const after = await quoteBalance();
      expect(new Decimal(after!.free).lt(before!.free)).toBe(true);
      if (a.marketType === 'spot') {
        const gained = (await baseTotal()).minus(baseBefore);
        expect(gained.gt(0) && gained.lte(amount)).toBe(true);
      } else {
        const [p, ...rest] = await a.fetchPositions([sym]);
        expect(rest).toEqual([]);
        expect(p).toMatchObject({ symbol: sym, side: 'long' });
        sameDec(p!.amount, amount);
        expect(new Decimal(p!.entryPrice).gt(0)).toBe(true);
      }
      const fills = (await a.fetchMyTrades(sym)).filter((f) => f.orderId === o.id);
      expect(fills.length).toBeGreaterThan(0);
      sameDec(fills.reduce((s, f) => s.plus(f.amount), new Decimal(0)).toFixed(), amount);
      expect(fills.every((f) => f.side === 'buy' && new Decimal(f.price).gt(0))).toBe(true);
      // The same fills asked for by the order, and nothing of another order.
      expect((await a.fetchOrderFills(o.id, sym)).map((f) => f.id)).toEqual(fills.map((f) => f.id));
    });

    it('lists every fill of an order by its id, whatever its time, and nothing of other orders', async () => {
      const first = await a.createOrder({ clientOrderId: cid('of'), symbol: sym, side: 'buy', type: 'market', amount: size(await last()).toFixed() });
      // Hours later, with another order's fills since, the first order's fills are still found by its id.
      for (let i = 0; i < 8; i++) await env.advance(M15);
      const second = await a.createOrder({ clientOrderId: cid('of'), symbol: sym, side: 'buy', type: 'market', amount: size(await last()).toFixed() });
      const byFirst = await a.fetchOrderFills(first.id, sym);
      expect(byFirst.length).toBeGreaterThan(0);
      expect(byFirst.every((f) => f.orderId === first.id)).toBe(true);
      sameDec(byFirst.reduce((s, f) => s.plus(f.amount), new Decimal(0)).toFixed(), first.filled);
      const bySecond = await a.fetchOrderFills(second.id, sym);
      expect(bySecond.length).toBeGreaterThan(0);
      expect(bySecond.every((f) => f.orderId === second.id)).toBe(true);
      expect(bySecond.some((f) => byFirst.some((g) => g.id === f.id))).toBe(false);
      // An order that did not fill has none.
      const rest = await a.createOrder({ clientOrderId: cid('of'), symbol: sym, side: 'buy', type: 'limit', amount: size(tickDown((await last()).times(0.8))).toFixed(), price: tickDown((await last()).times(0.8)).toFixed() });
      expect(await a.fetchOrderFills(rest.id, sym)).toEqual([]);
      await a.cancelOrder(rest.id, sym);
    });

    it('rests a far limit order, lists it, finds it by id and clientOrderId, and cancels it', async () => {
      const price = tickDown((await last()).times(0.8));
      const amount = size(price);
      const id = cid('lim');
      const o = await a.createOrder({ clientOrderId: id, symbol: sym, side: 'buy', type: 'limit', amount: amount.toFixed(), price: price.toFixed() });
      expect(o).toMatchObject({ clientOrderId: id, type: 'limit', kind: 'regular', status: 'open' });
      sameDec(o.price, price);
      sameDec(o.filled, 0);

      expect((await a.fetchOpenOrders(sym)).map((x) => x.id)).toContain(o.id);
      expect((await a.fetchOpenOrders()).map((x) => x.id)).toContain(o.id);
      expect(await a.fetchOrder(o.id, sym)).toMatchObject({ id: o.id, status: 'open', clientOrderId: id });
      expect(await a.fetchOrderByClientId(id, sym)).toMatchObject({ id: o.id, status: 'open' });
      expect(await a.fetchOrderByClientId(cid('unknown'), sym)).toBeNull();

      await env.advance(M15); // far from the market: still resting
      expect((await a.fetchOrder(o.id, sym)).status).toBe('open');

      const canceled = await a.cancelOrder(o.id, sym);
      expect(canceled).toMatchObject({ id: o.id, status: 'canceled', clientOrderId: id });
      expect((await a.fetchOpenOrders(sym)).map((x) => x.id)).not.toContain(o.id);
      expect(await a.fetchOrderByClientId(id, sym)).toMatchObject({ id: o.id, status: 'canceled' });
    });

    it('fills a resting limit order as a maker once the market comes down to its price', async () => {
      const price = tickDown((await last()).times(0.999));
      const amount = size(price);
      const o = await a.createOrder({ clientOrderId: cid('mk'), symbol: sym, side: 'buy', type: 'limit', amount: amount.toFixed(), price: price.toFixed() });
      expect(o.status).toBe('open');
      let now: Order = o;
      for (let i = 0; i < 96 && now.status === 'open'; i++) {
        await env.advance(M15);
        now = await a.fetchOrder(o.id, sym);
      }
      expect(now).toMatchObject({ id: o.id, status: 'closed' });
      sameDec(now.filled, amount);
      expect(new Decimal(now.average!).lte(price)).toBe(true);
      const fills = (await a.fetchMyTrades(sym)).filter((f) => f.orderId === o.id);
      expect(fills.length).toBeGreaterThan(0);
      expect(fills.every((f) => f.liquidity === 'maker')).toBe(true);
      expect((await a.fetchOrderFills(o.id, sym)).map((f) => f.id)).toEqual(fills.map((f) => f.id));
    });

    it('returns the existing open order for a duplicate clientOrderId instead of placing a second one', async () => {
      const price = tickDown((await last()).times(0.8));
      const amount = size(price);
      const id = cid('dup');
      const req = { clientOrderId: id, symbol: sym, side: 'buy' as const, type: 'limit' as const, amount: amount.toFixed(), price: price.toFixed() };
      const first = await a.createOrder(req);
      const again = await a.createOrder(req);
      expect(again.id).toBe(first.id);
      expect(again.status).toBe('open');
      expect((await a.fetchOpenOrders(sym)).filter((x) => x.clientOrderId === id)).toHaveLength(1);
      await a.cancelOrder(first.id, sym);
    });

    it('rejects an amount below the minimum before any request, naming the field and the limit', async () => {
      const tiny = new Decimal(info.minAmount ?? info.amountStep).div(10);
      const price = tickDown((await last()).times(0.8));
      const n = env.requestCount?.();
      const err = await a
        .createOrder({ clientOrderId: cid('min'), symbol: sym, side: 'buy', type: 'limit', amount: tiny.toFixed(), price: price.toFixed() })
        .then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(RejectedOrderError);
      expect(err).toMatchObject({ code: 'MIN_AMOUNT' });
      expect((err as Error).message).toMatch(/amount/);
      expect((err as Error).message).toContain(info.base);
      if (n !== undefined) expect(env.requestCount!()).toBe(n);
    });

    it('rejects a notional below the minimum before any request, naming the field and the limit', async (ctx) => {
      if (info.minNotional === null) return ctx.skip();
      const minNotional = new Decimal(info.minNotional);
      const amount = new Decimal(info.minAmount ?? info.amountStep).div(info.amountStep).ceil().times(info.amountStep);
      const price = tickDown(minNotional.div(amount).div(2)); // notional = minNotional / 2
      expect(price.gt(0)).toBe(true);
      const n = env.requestCount?.();
      const err = await a
        .createOrder({ clientOrderId: cid('mnn'), symbol: sym, side: 'buy', type: 'limit', amount: amount.toFixed(), price: price.toFixed() })
        .then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(RejectedOrderError);
      expect(err).toMatchObject({ code: 'MIN_NOTIONAL' });
      expect((err as Error).message).toMatch(/notional/);
      expect((err as Error).message).toContain(minNotional.toFixed());
      if (n !== undefined) expect(env.requestCount!()).toBe(n);
    });

    it('rounds the amount down to the step and the price to the tick', async () => {
      const step = new Decimal(info.amountStep);
      const tick = new Decimal(info.priceStep);
      const price = tickDown((await last()).times(0.8));
      const amount = size(price);
      const o = await a.createOrder({
        clientOrderId: cid('rnd'),
        symbol: sym,
        side: 'buy',
        type: 'limit',
        amount: amount.plus(step.times(0.7)).toFixed(), // 0.7 of a step extra: rounds DOWN to `amount`
        price: price.plus(tick.times(0.3)).toFixed(),
      });
      sameDec(o.amount, amount);
      const p = new Decimal(o.price!);
      expect(p.mod(tick).isZero()).toBe(true);
      expect(p.minus(price).abs().lt(tick)).toBe(true);
      await a.cancelOrder(o.id, sym);
    });

    it('keeps a stop-loss open until the market touches its trigger, then executes it', async () => {
      const held = await acquire(size(await last()));
      const trigger = tickDown((await last()).times(0.998));
      const id = cid('sl');
      const sl = await a.createOrder({
        clientOrderId: id,
        symbol: sym,
        side: 'sell',
        type: 'market',
        amount: held.toFixed(),
        kind: 'stop_loss',
        triggerPrice: trigger.toFixed(),
        reduceOnly: a.marketType === 'swap',
      });
      expect(sl).toMatchObject({ clientOrderId: id, kind: 'stop_loss', side: 'sell', status: 'open' });
      sameDec(sl.triggerPrice, trigger);
      sameDec(sl.amount, held);
      expect((await a.fetchOpenOrders(sym)).find((x) => x.id === sl.id)).toMatchObject({ kind: 'stop_loss', status: 'open' });
      expect(await a.fetchOrderByClientId(id, sym)).toMatchObject({ id: sl.id, kind: 'stop_loss' });

      let now: Order = sl;
      for (let i = 0; i < 96 && now.status === 'open'; i++) {
        await env.advance(M15);
        now = await a.fetchOrder(sl.id, sym);
      }
      expect(now).toMatchObject({ id: sl.id, kind: 'stop_loss', status: 'closed' });
      sameDec(now.filled, held);
      // Its fills are found by its id (on a separate conditional book: the fills of the order it spawned).
      const slFills = await a.fetchOrderFills(sl.id, sym);
      expect(slFills.length).toBeGreaterThan(0);
      expect(slFills.every((f) => f.side === 'sell')).toBe(true);
      sameDec(slFills.reduce((s, f) => s.plus(f.amount), new Decimal(0)).toFixed(), held);
      expect((await a.fetchOpenOrders(sym)).map((x) => x.id)).not.toContain(sl.id);
      if (a.marketType === 'spot') expect((await baseTotal()).lt(held)).toBe(true);
      else expect(await a.fetchPositions([sym])).toEqual([]);
    });

    it('keeps a take-profit open while the market stays below it, and cancels it', async () => {
      const held = await acquire(size(await last()));
      const trigger = tickUp((await last()).times(1.5));
      const tp = await a.createOrder({
        clientOrderId: cid('tp'),
        symbol: sym,
        side: 'sell',
        type: 'market',
        amount: held.toFixed(),
        kind: 'take_profit',
        triggerPrice: trigger.toFixed(),
        reduceOnly: a.marketType === 'swap',
      });
      expect(tp).toMatchObject({ kind: 'take_profit', status: 'open' });
      sameDec(tp.triggerPrice, trigger);
      await env.advance(4 * M15);
      expect(await a.fetchOrder(tp.id, sym)).toMatchObject({ status: 'open', kind: 'take_profit' });
      expect(await a.cancelOrder(tp.id, sym)).toMatchObject({ id: tp.id, status: 'canceled' });
      expect((await a.fetchOpenOrders(sym)).map((x) => x.id)).not.toContain(tp.id);
    });
  });
}
