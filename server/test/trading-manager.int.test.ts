/**
 * The TradingManager on a real app (PGlite, HTTP, tRPC) with paper perpetual accounts. Prices are hand-written
 * 15m candles pushed through the market service (the same path the replay feed takes: MarketService → bus →
 * MarketPriceSource → PaperExchange), on a manual market clock, so every fill, fee and PnL below is computed
 * by hand from the documented paper rules: market orders fill at once at the last price ± 5 bps slippage
 * rounded to the 0.1 tick against the trader; take-profits fill at their price (maker, 0.02 %); market fills pay
 * the taker fee (0.05 %).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Decimal from 'decimal.js';
import type { Candle, PublicAccount, TradeView } from '@osprey/shared';
import { ManualClock } from '../src/domain/ports.js';
import { clientOrderId } from '../src/domain/trade/client-order-id.js';
import { stepTrade } from '../src/domain/trade/trade-machine.js';
import { findOrderByClientId, findTrade, updateTrade, upsertOrder } from '../src/adapters/db/repos/trading-repo.js';
import type { PaperExchange } from '../src/adapters/exchange/paper-exchange.js';
import type { OrderRequest } from '../src/domain/exchange/port.js';
import { ExchangeHub } from '../src/services/exchange-factory.js';
import { TradingService, type StoredTrade } from '../src/services/trading-service.js';
import WebSocket from 'ws';
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import { appRouter, type AppRouter } from '../src/trpc/root.js';
import { HttpCaller, startTestApp, type TestApp } from './helpers/app.js';

const START = Date.UTC(2024, 7, 5, 0, 0);
const M15 = 15 * 60_000;
const SYMBOL = 'BTC/USDT:USDT';

let app: TestApp;
let clock: ManualClock;
let alice: HttpCaller;
let bob: HttpCaller;

/** Pushes a 15m BTC/USDT update through the market service (as the feed does) and lets trading settle. */
async function price(c: Omit<Candle, 'volume'> & { volume?: number }, closed = false): Promise<void> {
  app.services.market.onFeedCandle({ symbol: 'BTC/USDT', timeframe: '15m', candle: { volume: 10, ...c }, closed });
  await app.services.trading.idle();
}

const ok = (r: { status: number; body: any }) => {
  if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${JSON.stringify(r.body?.error?.message ?? r.body)}`);
  return r.body.result.data;
};

async function paperAccount(c: HttpCaller, name: string, usdt = '10000'): Promise<PublicAccount> {
  return ok(await c.call('accounts.create', { name, exchange: 'binance', marketType: 'swap', mode: 'paper', paperBalances: { USDT: usdt } }, 'mutation'));
}

const paperOf = async (accountId: string) => (await app.services.exchanges.get(accountId)).paper as PaperExchange;

beforeAll(async () => {
  clock = new ManualClock(START + 60_000);
  app = await startTestApp({ OSPREY_REPLAY_START: new Date(START).toISOString() }, { marketClock: clock });
  await app.services.trading.start();
  await app.services.pending.start();
  await app.services.auth.addUser('alice@test.local', 'alice-password-1', 'trader');
  await app.services.auth.addUser('bob@test.local', 'bob-password-12', 'trader');
  alice = new HttpCaller(app.base);
  await alice.login('alice@test.local', 'alice-password-1');
  bob = new HttpCaller(app.base);
  await bob.login('bob@test.local', 'bob-password-12');
  // The first 15m candle after the replay start: flat at 60000 so far.
  await price({ ts: START, open: 60000, high: 60000, low: 60000, close: 60000 });
});
afterAll(async () => {
  await app?.close();
});

describe('open → add → TP1 → stop to breakeven → close (paper BTC/USDT:USDT long, 10×)', () => {
  let account: PublicAccount;
  let trade: TradeView;

  it('opens at market: entry at 60000 + 5 bps = 60030.0, fee 0.30015; stop and both targets placed', async () => {
    account = await paperAccount(alice, 'Paper perp');
    trade = ok(
      await alice.call(
        'trading.open',
        {
          accountId: account.id,
          symbol: SYMBOL,
          side: 'long',
          sizing: { mode: 'base', value: '0.01' },
          leverage: 10,
          stopLoss: '59000',
          takeProfits: [
            { price: '61000', share: '0.5' },
            { price: '62000', share: '0.5' },
          ],
          breakevenAfterTp1: true,
        },
        'mutation',
      ),
    );
    expect(trade).toMatchObject({ status: 'open', amount: '0.01', entryPrice: '60030', fees: '0.30015', leverage: 10, stopLoss: '59000', source: 'manual' });
    const open = ok(await alice.call('trading.orders', { accountId: account.id, status: 'open' }, 'query'));
    expect(open.map((o: any) => [o.kind, o.side, o.amount, o.triggerPrice]).sort()).toEqual([
      ['stop_loss', 'sell', '0.01', '59000'],
      ['take_profit', 'sell', '0.005', '61000'],
      ['take_profit', 'sell', '0.005', '62000'],
    ]);
    for (const o of open) expect(o.tradeId).toBe(trade.id);
    expect(open.every((o: any) => /^o[0-9a-f]{24}[st][0-9a-z]+$/.test(o.clientOrderId))).toBe(true);
  });

  it('adds 0.01 at 60500 + 5 bps = 60530.3: average entry 60280.15, protection re-placed for 0.02', async () => {
    await price({ ts: START, open: 60000, high: 60500, low: 60000, close: 60500 });
    clock.set(START + 5 * 60_000);
    trade = ok(await alice.call('trading.add', { tradeId: trade.id, amount: '0.01' }, 'mutation'));
    expect(trade).toMatchObject({ status: 'open', amount: '0.02', entryPrice: '60280.15', fees: '0.6028015' });
    const open = ok(await alice.call('trading.orders', { accountId: account.id, status: 'open' }, 'query'));
    expect(open.map((o: any) => [o.kind, o.amount, o.triggerPrice]).sort()).toEqual([
      ['stop_loss', '0.02', '59000'],
      ['take_profit', '0.01', '61000'],
      ['take_profit', '0.01', '62000'],
    ]);
  });

  it('TP1 fills at 61000 (maker fee 0.122) when a candle reaches 61200; the stop moves to the entry (breakeven)', async () => {
    await price({ ts: START, open: 60000, high: 60500, low: 60000, close: 60500 }, true);
    clock.set(START + M15 + 60_000);
    await price({ ts: START + M15, open: 60500, high: 61200, low: 60400, close: 61100 });
    trade = ok(await alice.call('trading.trades', { accountId: account.id, status: 'active' }, 'query'))[0];
    // realized so far: (61000 − 60280.15) × 0.01 = 7.1985 gross, minus fees 0.30015 + 0.3026515 + 0.122
    expect(trade).toMatchObject({ status: 'open', amount: '0.01', stopLoss: '60280.15', fees: '0.7248015', realizedPnl: '6.4736985' });
    expect(trade.takeProfits).toEqual([
      { price: '61000', share: '0.5', done: true },
      { price: '62000', share: '0.5', done: false },
    ]);
    // unrealized at the last price 61100: (61100 − 60280.15) × 0.01
    expect(trade.unrealizedPnl).toBe('8.1985');
    const open = ok(await alice.call('trading.orders', { accountId: account.id, status: 'open' }, 'query'));
    expect(open.map((o: any) => [o.kind, o.amount, o.triggerPrice]).sort()).toEqual([
      ['stop_loss', '0.01', '60280.2'], // the venue's tick (0.1), nearest
      ['take_profit', '0.01', '62000'],
    ]);
  });

  it('closes the rest at 61100 − 5 bps = 61069.4: PnL 14.0608515 net, 11.6628 % of margin; orders cancelled; balance matches', async () => {
    clock.set(START + M15 + 2 * 60_000);
    trade = ok(await alice.call('trading.close', { tradeId: trade.id, reason: 'done for the day' }, 'mutation'));
    // gross (61000 − 60280.15) × 0.01 + (61069.4 − 60280.15) × 0.01 = 7.1985 + 7.8925 = 15.091
    // fees 0.30015 + 0.3026515 + 0.122 + 0.305347 = 1.0301485 → net 14.0608515
    // margin of what closed: 60280.15 × 0.02 / 10 = 120.5603 → 14.0608515 / 120.5603 × 100 = 11.66289… %
    expect(trade).toMatchObject({
      status: 'closed',
      amount: '0',
      closeReason: 'done for the day',
      realizedPnl: '14.0608515',
      realizedPnlPct: '11.6629',
      fees: '1.0301485',
      unrealizedPnl: null,
    });
    expect(trade.closedAt).toBe(START + M15 + 2 * 60_000);
    expect(ok(await alice.call('trading.orders', { accountId: account.id, status: 'open' }, 'query'))).toEqual([]);
    const balances = ok(await alice.call('trading.balances', { accountId: account.id }, 'query'));
    expect(balances).toEqual([{ currency: 'USDT', free: '10014.0608515', used: '0', total: '10014.0608515' }]);
    const fills = ok(await alice.call('trading.fills', { accountId: account.id }, 'query'));
    expect(fills.map((f: any) => [f.side, f.price, f.amount, f.fee, f.feeCurrency, f.liquidity])).toEqual([
      ['sell', '61069.4', '0.01', '0.305347', 'USDT', 'taker'],
      ['sell', '61000', '0.01', '0.122', 'USDT', 'maker'],
      ['buy', '60530.3', '0.01', '0.3026515', 'USDT', 'taker'],
      ['buy', '60030', '0.01', '0.30015', 'USDT', 'taker'],
    ]);
    const history = ok(await alice.call('trading.orders', { accountId: account.id, status: 'history' }, 'query'));
    expect(history.filter((o: any) => o.status === 'canceled').map((o: any) => o.kind).sort()).toEqual(['stop_loss', 'stop_loss', 'stop_loss', 'take_profit', 'take_profit', 'take_profit']);
    expect(new Set(history.map((o: any) => o.clientOrderId)).size).toBe(history.length);
  });

  it('stores equity after each fill and at the 15m close', async () => {
    const eq = ok(await alice.call('trading.equity', { accountId: account.id }, 'query'));
    expect(eq.at(-1)).toEqual({ ts: START + M15 + 2 * 60_000, equity: '10014.0608515' });
    expect(eq.some((e: any) => e.ts === START + M15)).toBe(true); // the close of the first candle
  });
});

describe('sizing and pre-checks', () => {
  let account: PublicAccount;
  const base = { symbol: SYMBOL, side: 'long', leverage: 5 } as const;

  it('sizes by risk: 1 % of 10000 equity over a 600 stop distance = 0.16666… floored to 0.166; estimate and open agree', async () => {
    account = await paperAccount(alice, 'Risk sizing');
    await price({ ts: START + M15, open: 60500, high: 61200, low: 59900, close: 60000 });
    const input = { ...base, accountId: account.id, sizing: { mode: 'risk', value: '1' }, stopLoss: '59400' };
    const est = ok(await alice.call('trading.estimate', input, 'query'));
    // notional 0.166 × 60000 = 9960; taker fee 4.98; margin 9960 / 5 = 1992
    // liquidation (Binance, isolated, MMR 0.4 %): (9960 − 1992) / (0.166 × 0.996) = 48192.77… → tick up 48192.8
    expect(est).toEqual({ amount: '0.166', price: '60000', notional: '9960', fee: '4.98', margin: '1992', liquidationPrice: '48192.8', warnings: [] });
    const trade = ok(await alice.call('trading.open', input, 'mutation'));
    expect(trade).toMatchObject({ status: 'open', amount: '0.166', entryPrice: '60030', stopLoss: '59400' });
  });

  it('allows one active trade per (account, symbol): a second open is CONFLICT naming symbol', async () => {
    const r = await alice.call('trading.open', { ...base, accountId: account.id, sizing: { mode: 'base', value: '0.01' } }, 'mutation');
    expect(r.status).toBe(409);
    expect(r.body.error.message).toMatch(/^symbol: this account already has an active trade on BTC\/USDT:USDT/);
  });

  it('refuses an order below the minimum notional (100 USDT) before sending it, naming the field', async () => {
    const other = await paperAccount(alice, 'Small');
    const venue = await paperOf(other.id);
    const before = venue.engine.orders().length;
    const r = await alice.call('trading.open', { ...base, accountId: other.id, sizing: { mode: 'base', value: '0.001' } }, 'mutation');
    expect(r.status).toBe(400);
    expect(r.body.error.message).toBe('sizing.value: notional 60 USDT is below the minimum notional 100 USDT of BTC/USDT:USDT');
    expect(venue.engine.orders().length).toBe(before);
    expect(ok(await alice.call('trading.trades', { accountId: other.id }, 'query'))).toEqual([]);
    expect(ok(await alice.call('trading.orders', { accountId: other.id, status: 'history' }, 'query'))).toEqual([]);
    const est = ok(await alice.call('trading.estimate', { ...base, accountId: other.id, sizing: { mode: 'base', value: '0.001' } }, 'query'));
    expect(est.warnings).toContain('sizing.value: notional 60 USDT is below the minimum notional 100 USDT of BTC/USDT:USDT');
  });

  it('an entry the paper engine refuses (oversized for the balance) leaves no trade, no order and no event: the ticket gets the reason', async () => {
    const poor = await paperAccount(alice, 'Poor', '50');
    const seen: string[] = [];
    const off = app.services.bus.on('account', (e) => {
      if (e.accountId === poor.id && (e.type === 'trade' || e.type === 'order' || e.type === 'fill')) seen.push(e.type);
    });
    const r = await alice.call('trading.open', { ...base, accountId: poor.id, leverage: 1, sizing: { mode: 'base', value: '0.01' } }, 'mutation');
    off();
    expect(r.status).toBe(400);
    // 0.01 × (60000 + 5 bps slippage) = 600.3 margin at 1× plus the 0.05 % taker fee; named on the ticket's size field
    expect(r.body.error.message).toMatch(/^sizing\.value: needs [\d.]+ USDT \(margin \+ fee\), free 50 USDT$/);
    expect(ok(await alice.call('trading.trades', { accountId: poor.id }, 'query'))).toEqual([]);
    expect(ok(await alice.call('trading.orders', { accountId: poor.id, status: 'open' }, 'query'))).toEqual([]);
    expect(ok(await alice.call('trading.orders', { accountId: poor.id, status: 'history' }, 'query'))).toEqual([]);
    expect(ok(await alice.call('trading.fills', { accountId: poor.id }, 'query'))).toEqual([]);
    expect(seen).toEqual([]);
    expect((await paperOf(poor.id)).engine.orders()).toEqual([]);
    // the account is still usable: a trade it can afford opens
    const small = ok(await alice.call('trading.open', { ...base, accountId: poor.id, leverage: 5, sizing: { mode: 'quote', value: '120' } }, 'mutation'));
    expect(small).toMatchObject({ status: 'open', amount: '0.002' });
  });
});

describe('external close', () => {
  it('a position closed directly on the venue closes the trade at that fill, with PnL, and its stop/target are cancelled', async () => {
    const account = await paperAccount(alice, 'External');
    const trade: TradeView = ok(
      await alice.call(
        'trading.open',
        { accountId: account.id, symbol: SYMBOL, side: 'short', sizing: { mode: 'base', value: '0.01' }, leverage: 2, stopLoss: '61000', takeProfits: [{ price: '58000', share: '1' }] },
        'mutation',
      ),
    );
    // short entry: 60000 − 5 bps = 59970 (tick down), fee 0.29985
    expect(trade).toMatchObject({ status: 'open', entryPrice: '59970', fees: '0.29985' });
    await price({ ts: START + M15, open: 60500, high: 61200, low: 59400, close: 59500 });
    const venue = await paperOf(account.id);
    // buy back 0.01 at 59500 + 5 bps = 59529.75 → tick up 59529.8, fee 0.297649
    await venue.createOrder({ clientOrderId: 'by-hand-1', symbol: SYMBOL, side: 'buy', type: 'market', amount: '0.01', reduceOnly: true });
    await app.services.trading.idle();
    const [t] = ok(await alice.call('trading.trades', { accountId: account.id }, 'query'));
    // (59970 − 59529.8) × 0.01 = 4.402 gross; fees: only the entry is the trade's → 4.10215
    expect(t).toMatchObject({ status: 'closed', closeReason: 'external', amount: '0', realizedPnl: '4.10215' });
    expect(venue.engine.openOrders()).toEqual([]);
    const hist = ok(await alice.call('trading.orders', { accountId: account.id, status: 'history' }, 'query'));
    expect(hist.filter((o: any) => o.tradeId === trade.id && o.kind !== 'regular').map((o: any) => o.status)).toEqual(['canceled', 'canceled']);
    expect(hist.find((o: any) => o.clientOrderId === 'by-hand-1')).toMatchObject({ tradeId: null, status: 'closed' });
  });
});

describe('liquidation', () => {
  it('a paper position liquidated by a crash closes its trade as liquidation at the liquidation price', async () => {
    const account = await paperAccount(alice, 'Leveraged');
    // entry 59500 + 5 bps = 59529.8; margin at 20×: 29.7649; liquidation (595.298 − 29.7649) / (0.01 × 0.996) = 56780.43… → 56780.5
    const trade: TradeView = ok(await alice.call('trading.open', { accountId: account.id, symbol: SYMBOL, side: 'long', sizing: { mode: 'base', value: '0.01' }, leverage: 20 }, 'mutation'));
    expect(trade).toMatchObject({ entryPrice: '59529.8', fees: '0.297649' });
    expect(ok(await alice.call('trading.positions', { accountId: account.id }, 'query'))).toMatchObject([{ symbol: SYMBOL, side: 'long', amount: '0.01', leverage: 20, liquidationPrice: '56780.5' }]);
    await price({ ts: START + M15, open: 60500, high: 61200, low: 56000, close: 59500 });
    const [t] = ok(await alice.call('trading.trades', { accountId: account.id }, 'query'));
    // (56780.5 − 59529.8) × 0.01 − 0.297649
    expect(t).toMatchObject({ status: 'closed', closeReason: 'liquidation', realizedPnl: '-27.790649' });
    expect(ok(await alice.call('trading.positions', { accountId: account.id }, 'query'))).toEqual([]);
  });
});

describe('spot', () => {
  it('buys and sells BTC/USDT on a paper spot account: fees 0.1 %, holdings valued in the equity, shorts refused', async () => {
    const account: PublicAccount = ok(await alice.call('accounts.create', { name: 'Paper spot', exchange: 'binance', marketType: 'spot', mode: 'paper', paperBalances: { USDT: '10000' } }, 'mutation'));
    const short = await alice.call('trading.open', { accountId: account.id, symbol: 'BTC/USDT', side: 'short', sizing: { mode: 'base', value: '0.01' } }, 'mutation');
    expect(short.status).toBe(400);
    expect(short.body.error.message).toMatch(/^side: /);
    // buy 0.01 at 59500 + 5 bps = 59529.75 (tick 0.01), fee 0.5952975
    const t: TradeView = ok(await alice.call('trading.open', { accountId: account.id, symbol: 'BTC/USDT', side: 'long', sizing: { mode: 'quote', value: '600' }, takeProfits: [{ price: '65000', share: '1' }] }, 'mutation'));
    expect(t).toMatchObject({ status: 'open', amount: '0.01008', entryPrice: '59529.75' });
    expect(ok(await alice.call('trading.orders', { accountId: account.id }, 'query')).map((o: any) => [o.kind, o.amount])).toEqual([['take_profit', '0.01008']]);
    const eq = await app.services.trading.snapshotEquity(account.id, clock.now());
    // USDT 10000 − 0.01008 × 59529.75 × 1.001 = 9399.3347… ; BTC 0.01008 × 59500 = 599.76
    const usdt = new Decimal(10000).minus(new Decimal('0.01008').mul('59529.75').mul('1.001'));
    expect(eq.equity).toBe(usdt.plus('599.76').toFixed());
    const closed = ok(await alice.call('trading.close', { tradeId: t.id }, 'mutation'));
    // sell at 59500 − 5 bps = 59470.25; gross (59470.25 − 59529.75) × 0.01008 = −0.59976; fees 0.01008 × (59529.75 + 59470.25) × 0.001 = 1.19952
    expect(closed).toMatchObject({ status: 'closed', amount: '0', realizedPnl: '-1.79928' });
    expect(ok(await alice.call('trading.balances', { accountId: account.id }, 'query'))).toEqual([
      { currency: 'BTC', free: '0', used: '0', total: '0' },
      { currency: 'USDT', free: '9998.20072', used: '0', total: '9998.20072' },
    ]);
  });
});

describe('cancelOrder', () => {
  it("cancels a trade's stop on request; the trade says it is unprotected until protected again", async () => {
    const account = await paperAccount(alice, 'Cancel stop');
    const t: TradeView = ok(await alice.call('trading.open', { accountId: account.id, symbol: SYMBOL, side: 'long', sizing: { mode: 'base', value: '0.01' }, stopLoss: '58000' }, 'mutation'));
    const [stop] = ok(await alice.call('trading.orders', { accountId: account.id }, 'query'));
    const cancelled = ok(await alice.call('trading.cancelOrder', { accountId: account.id, orderId: stop.id }, 'mutation'));
    expect(cancelled).toMatchObject({ id: stop.id, status: 'canceled', tradeId: t.id, kind: 'stop_loss' });
    const [after] = ok(await alice.call('trading.trades', { accountId: account.id, status: 'active' }, 'query'));
    expect(after.lastError).toBe(`stop-loss order ${stop.clientOrderId} is canceled on the exchange; set the protection again`);
    const missing = await alice.call('trading.cancelOrder', { accountId: account.id, orderId: 'no-such-order' }, 'mutation');
    expect(missing.status).toBe(404);
    const again = ok(await alice.call('trading.protect', { tradeId: t.id, stopLoss: '57500' }, 'mutation'));
    expect(again).toMatchObject({ stopLoss: '57500', lastError: null });
    expect(ok(await alice.call('trading.orders', { accountId: account.id }, 'query')).map((o: any) => [o.kind, o.triggerPrice])).toEqual([['stop_loss', '57500']]);
  });
});

describe('users are isolated', () => {
  it("user B gets NOT_FOUND for every trading procedure called with user A's ids, and changes nothing", async () => {
    const account = await paperAccount(alice, 'Alice only');
    // (a pending order on a symbol with an active trade is refused: created first)
    const pending = ok(
      await alice.call(
        'trading.pendingCreate',
        { accountId: account.id, symbol: SYMBOL, side: 'long', sizing: { mode: 'base', value: '0.01' }, triggerPrice: '65000', direction: 'above' },
        'mutation',
      ),
    );
    const trade: TradeView = ok(
      await alice.call('trading.open', { accountId: account.id, symbol: SYMBOL, side: 'long', sizing: { mode: 'base', value: '0.01' }, stopLoss: '58000' }, 'mutation'),
    );
    const [order] = ok(await alice.call('trading.orders', { accountId: account.id, status: 'open' }, 'query'));
    const acc = { accountId: account.id };
    const ticket = { ...acc, symbol: SYMBOL, side: 'long', sizing: { mode: 'base', value: '0.01' } };
    const inputs: Record<string, unknown> = {
      'trading.markets': acc,
      'trading.ticker': { ...acc, symbol: SYMBOL },
      'trading.estimate': ticket,
      'trading.open': ticket,
      'trading.add': { tradeId: trade.id, amount: '0.01' },
      'trading.close': { tradeId: trade.id },
      'trading.protect': { tradeId: trade.id, stopLoss: '57000' },
      'trading.cancelEntry': { tradeId: trade.id },
      'trading.trades': acc,
      'trading.orders': acc,
      'trading.fills': acc,
      'trading.positions': acc,
      'trading.balances': acc,
      'trading.equity': acc,
      'trading.cancelOrder': { ...acc, orderId: order.id },
      'trading.pendingCreate': { ...ticket, triggerPrice: '65000', direction: 'above' },
      'trading.pendingCancel': { id: pending.id },
      'trading.pendingList': acc,
    };
    const procs = Object.entries(appRouter._def.procedures).filter(([path]) => path.startsWith('trading.'));
    for (const [path, p] of procs) {
      const type = (p as any)._def.type as string;
      if (type === 'subscription') continue;
      expect(inputs, `no input for ${path}`).toHaveProperty([path]);
      const r = await bob.call(path, inputs[path], type as 'query' | 'mutation');
      expect({ path, status: r.status }).toEqual({ path, status: 404 });
    }
    // the subscription refuses too
    const ws = createWSClient({ url: `ws://127.0.0.1:${app.http.port}/trpc`, WebSocket: cookieSocket(bob.cookie) });
    try {
      const client = createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] });
      const err = await new Promise<any>((resolve) => {
        const sub = client.trading.onAccount.subscribe(acc, {
          onData: () => resolve(new Error('received data')),
          onError: (e) => {
            sub.unsubscribe();
            resolve(e);
          },
        });
      });
      expect(err?.data?.code).toBe('NOT_FOUND');
    } finally {
      ws.close();
    }
    // nothing changed for Alice
    expect(ok(await alice.call('trading.trades', { ...acc, status: 'active' }, 'query'))).toMatchObject([{ id: trade.id, status: 'open', amount: '0.01', stopLoss: '58000' }]);
    expect(ok(await alice.call('trading.orders', acc, 'query'))).toHaveLength(1);
    expect(ok(await alice.call('trading.pendingList', acc, 'query'))).toMatchObject([{ id: pending.id, status: 'PENDING' }]);
    expect(ok(await bob.call('accounts.list', undefined, 'query'))).toEqual([]);
  });
});

describe('live events', () => {
  it("streams the owner's account events (trade, order, fill, balances, equity) over the WebSocket subscription", async () => {
    const account = await paperAccount(alice, 'Streamed');
    const ws = createWSClient({ url: `ws://127.0.0.1:${app.http.port}/trpc`, WebSocket: cookieSocket(alice.cookie) });
    const got: any[] = [];
    try {
      const client = createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] });
      const sub = client.trading.onAccount.subscribe({ accountId: account.id }, { onData: (e) => got.push(e) });
      await new Promise((r) => setTimeout(r, 200)); // subscription established
      const trade: TradeView = ok(await alice.call('trading.open', { accountId: account.id, symbol: SYMBOL, side: 'long', sizing: { mode: 'base', value: '0.01' } }, 'mutation'));
      for (let i = 0; i < 50 && !got.some((e) => e.type === 'equity'); i++) await new Promise((r) => setTimeout(r, 20));
      sub.unsubscribe();
      expect(got.every((e) => e.accountId === account.id)).toBe(true);
      const types = new Set(got.map((e) => e.type));
      for (const t of ['trade', 'order', 'fill', 'balances', 'positions', 'equity']) expect(types, t).toContain(t);
      expect(got.filter((e) => e.type === 'trade').at(-1).trade).toMatchObject({ id: trade.id, status: 'open' });
    } finally {
      ws.close();
    }
  });
});

describe('adapters per account', () => {
  it('re-opens a paper account after an update with its state (balances, positions) and drops it when deleted', async () => {
    const account = await paperAccount(alice, 'Renamed later');
    ok(await alice.call('trading.open', { accountId: account.id, symbol: SYMBOL, side: 'long', sizing: { mode: 'base', value: '0.01' } }, 'mutation'));
    const before = await app.services.exchanges.get(account.id);
    const balances = await before.adapter.fetchBalance();
    ok(await alice.call('accounts.update', { id: account.id, name: 'Renamed', exchange: 'binance', marketType: 'swap', mode: 'paper', paperBalances: { USDT: '10000' } }, 'mutation'));
    const after = await app.services.exchanges.get(account.id);
    expect(after.adapter).not.toBe(before.adapter);
    expect(after.account.name).toBe('Renamed');
    expect(await after.adapter.fetchBalance()).toEqual(balances);
    expect(ok(await alice.call('trading.positions', { accountId: account.id }, 'query'))).toMatchObject([{ symbol: SYMBOL, amount: '0.01' }]);
    // It still holds a position: deleting it stops and cancels first (the position goes with the paper account).
    ok(await alice.call('accounts.remove', { id: account.id, stopAndCancel: true }, 'mutation'));
    await expect(app.services.exchanges.get(account.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(app.services.exchanges.peek(account.id)).toBeUndefined();
  });
});

describe('restart safety', () => {
  it('a restart between placing an order and saving the state does not place it again', async () => {
    const account = await paperAccount(alice, 'Restart');
    const trade: TradeView = ok(
      await alice.call('trading.open', { accountId: account.id, symbol: SYMBOL, side: 'long', sizing: { mode: 'base', value: '0.01' }, leverage: 3, stopLoss: '58000' }, 'mutation'),
    );
    const db = app.services.database.db;
    await app.services.trading.stop();
    // The crash: the add was decided and persisted (state + outbox), its order row written and the venue accepted
    // the order — then the process died before the outbox was updated.
    const row = (await findTrade(db, trade.id))!;
    const s = structuredClone(row.state) as unknown as StoredTrade;
    const step = stepTrade(s.machine, { type: 'add', amount: '0.01' }, s.ctx);
    const place = step.intents[0] as { kind: 'place'; order: OrderRequest };
    expect(place.order.clientOrderId).toBe(clientOrderId(trade.id, 'add', s.machine.seq));
    await updateTrade(db, trade.id, { state: { ...s, machine: step.state, outbox: step.intents } as unknown as Record<string, unknown> });
    await upsertOrder(db, {
      id: crypto.randomUUID(),
      accountId: account.id,
      clientOrderId: place.order.clientOrderId,
      symbol: SYMBOL,
      side: 'buy',
      type: 'market',
      status: 'open',
      amount: '0.01',
      tradeId: trade.id,
      createdAt: clock.now(),
      updatedAt: 0,
    });
    const venue = await paperOf(account.id);
    await venue.createOrder(place.order);
    await app.services.exchanges.closeAll(); // saves the paper state, as a shutdown would

    // A new process: a new hub and TradingManager over the same database.
    const hub = new ExchangeHub({ db, accounts: app.services.accounts, clock, log: app.services.log });
    const sent: string[] = [];
    const reopened = await hub.get(account.id);
    const create = reopened.adapter.createOrder.bind(reopened.adapter);
    reopened.adapter.createOrder = (req) => {
      sent.push(req.clientOrderId);
      return create(req);
    };
    const svc = new TradingService({ db, bus: app.services.bus, clock, hub, log: app.services.log });
    await svc.start();
    await svc.idle();
    expect(sent).not.toContain(place.order.clientOrderId);
    const paper = reopened.paper!;
    const cids = paper.engine.orders().map((o) => o.clientOrderId);
    expect(cids.filter((c) => c === place.order.clientOrderId)).toHaveLength(1);
    expect(new Set(cids).size).toBe(cids.length);
    const after = await svc.trade(await userIdOf('alice@test.local'), trade.id);
    // entry and add both at 59500 + 5 bps = 59529.8; the stop re-placed once for 0.02
    expect(after).toMatchObject({ status: 'open', amount: '0.02', entryPrice: '59529.8' });
    expect(paper.engine.openOrders().map((o) => [o.kind, o.amount])).toEqual([['stop_loss', '0.02']]);
    expect((await findOrderByClientId(db, account.id, place.order.clientOrderId))?.status).toBe('closed');
    await svc.stop();
    await hub.closeAll();
  });
});

/** A WebSocket class that sends the session cookie (as a browser would). */
function cookieSocket(cookie: string): any {
  return class extends WebSocket {
    constructor(url: string) {
      super(url, { headers: { cookie, origin: app.base } });
    }
  };
}

async function userIdOf(email: string): Promise<string> {
  const users = await app.services.auth.listUsers();
  return users.find((u) => u.email === email)!.id;
}
