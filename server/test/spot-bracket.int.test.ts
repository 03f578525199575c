/**
 * Spot brackets on a paper spot account (PGlite app, tRPC over HTTP): a manual BTC/USDT long with a stop-loss
 * and two take-profit targets rests only the stop at the venue; the targets are held by Osprey and sold one at a
 * time when the price feed reaches them (stop cancelled first, then a market sell once the cancel is confirmed,
 * then the stop again for the rest). The resting sells never need more BTC than the trade holds, and a restart
 * between the stop's cancel and the sell — before or after the sell reached the venue — sells exactly once.
 *
 * Prices are hand-written 15m candles pushed through the market service (MarketService → bus →
 * MarketPriceSource → PaperExchange and the trading service's watch). Paper spot rules: market orders at the
 * last price ± 5 bps on the 0.01 tick, fees 0.1 % of the notional in USDT.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Decimal from 'decimal.js';
import type { Candle, PublicAccount, TradeView } from '@osprey/shared';
import { ManualClock } from '../src/domain/ports.js';
import { stepTrade, type TradeIntent } from '../src/domain/trade/trade-machine.js';
import { findOrderByClientId, findTrade, updateTrade, upsertOrder } from '../src/adapters/db/repos/trading-repo.js';
import type { PaperExchange } from '../src/adapters/exchange/paper-exchange.js';
import type { OrderRequest } from '../src/domain/exchange/port.js';
import { ExchangeHub } from '../src/services/exchange-factory.js';
import { TradingService, type StoredTrade } from '../src/services/trading-service.js';
import { HttpCaller, startTestApp, type TestApp } from './helpers/app.js';

const START = Date.UTC(2024, 7, 5, 0, 0);
const M15 = 15 * 60_000;
const SYMBOL = 'BTC/USDT';

let app: TestApp;
let clock: ManualClock;
let alice: HttpCaller;

/** Pushes a 15m BTC/USDT update through the market service (as the feed does) and lets trading settle. */
async function price(c: Omit<Candle, 'volume'>, closed = false): Promise<void> {
  app.services.market.onFeedCandle({ symbol: SYMBOL, timeframe: '15m', candle: { volume: 10, ...c }, closed });
  await app.services.trading.idle();
}

const ok = (r: { status: number; body: any }) => {
  if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${JSON.stringify(r.body?.error?.message ?? r.body)}`);
  return r.body.result.data;
};

async function spotAccount(name: string): Promise<PublicAccount> {
  return ok(await alice.call('accounts.create', { name, exchange: 'binance', marketType: 'spot', mode: 'paper', paperBalances: { USDT: '10000' } }, 'mutation'));
}

const paperOf = async (accountId: string) => (await app.services.exchanges.get(accountId)).paper as PaperExchange;

/** The venue's side: open sells and the BTC they lock, against what the trade holds. */
async function reserved(accountId: string, held: string): Promise<{ sells: string[][]; used: string; free: string }> {
  const venue = await paperOf(accountId);
  const sells = venue.engine.openOrders(SYMBOL).filter((o) => o.side === 'sell');
  const total = sells.reduce((a, o) => a.plus(o.amount), new Decimal(0));
  expect(total.lte(held), `open sells ${total.toFixed()} BTC must not exceed the ${held} BTC held`).toBe(true);
  const btc = venue.engine.balance('BTC');
  // the venue reserves exactly what rests: the BTC "in use" is the open sells' total, never more than held
  expect(btc.used).toBe(total.toFixed());
  return { sells: sells.map((o) => [o.kind, o.type, o.amount, o.triggerPrice ?? o.price ?? '']), used: btc.used, free: btc.free };
}

beforeAll(async () => {
  clock = new ManualClock(START + 60_000);
  app = await startTestApp({ OSPREY_REPLAY_START: new Date(START).toISOString() }, { marketClock: clock });
  await app.services.trading.start();
  await app.services.auth.addUser('alice@test.local', 'alice-password-1', 'trader');
  alice = new HttpCaller(app.base);
  await alice.login('alice@test.local', 'alice-password-1');
  await price({ ts: START, open: 60000, high: 60000, low: 60000, close: 60000 });
});
afterAll(async () => {
  await app?.close();
});

describe('a spot long with a stop-loss and two take-profits (paper BTC/USDT)', () => {
  let account: PublicAccount;
  let trade: TradeView;

  it('opens at 60000 + 5 bps = 60030: only the stop rests (0.01 BTC); both targets are held by Osprey', async () => {
    account = await spotAccount('Spot bracket');
    trade = ok(
      await alice.call(
        'trading.open',
        {
          accountId: account.id,
          symbol: SYMBOL,
          side: 'long',
          sizing: { mode: 'base', value: '0.01' },
          stopLoss: '59000',
          takeProfits: [
            { price: '61000', share: '0.5' },
            { price: '62000', share: '0.5' },
          ],
        },
        'mutation',
      ),
    );
    // fee 0.01 × 60030 × 0.1 % = 0.6003
    expect(trade).toMatchObject({ status: 'open', amount: '0.01', entryPrice: '60030', fees: '0.6003', stopLoss: '59000' });
    expect(trade.takeProfits).toEqual([
      { price: '61000', share: '0.5', done: false, held: true },
      { price: '62000', share: '0.5', done: false, held: true },
    ]);
    const open = ok(await alice.call('trading.orders', { accountId: account.id, status: 'open' }, 'query'));
    expect(open.map((o: any) => [o.kind, o.side, o.amount, o.triggerPrice])).toEqual([['stop_loss', 'sell', '0.01', '59000']]);
    const r = await reserved(account.id, '0.01');
    expect(r.sells).toEqual([['stop_loss', 'market', '0.01', '59000']]);
  });

  it('a price below the first target changes nothing', async () => {
    clock.set(START + 5 * 60_000);
    await price({ ts: START, open: 60000, high: 60900, low: 60000, close: 60800 });
    const [t] = ok(await alice.call('trading.trades', { accountId: account.id, status: 'active' }, 'query'));
    expect(t.takeProfits.map((x: any) => x.held)).toEqual([true, true]);
    expect((await reserved(account.id, '0.01')).sells).toEqual([['stop_loss', 'market', '0.01', '59000']]);
  });

  it('the feed reaching 61000 (high 61200): the stop is cancelled, then 0.005 sold at 61100 − 5 bps = 61069.45, then the stop again for 0.005', async () => {
    await price({ ts: START, open: 60000, high: 60900, low: 60000, close: 60800 }, true);
    clock.set(START + M15 + 60_000);
    await price({ ts: START + M15, open: 60800, high: 61200, low: 60700, close: 61100 });
    const [t] = ok(await alice.call('trading.trades', { accountId: account.id, status: 'active' }, 'query'));
    // gross (61069.45 − 60030) × 0.005 = 5.19725; fees 0.6003 + 0.005 × 61069.45 × 0.1 % (0.30534725) = 0.90564725
    expect(t).toMatchObject({ status: 'open', amount: '0.005', realizedPnl: '4.29160275', fees: '0.90564725', lastError: null });
    expect(t.takeProfits).toEqual([
      { price: '61000', share: '0.5', done: true },
      { price: '62000', share: '0.5', done: false, held: true },
    ]);
    expect((await reserved(account.id, '0.005')).sells).toEqual([['stop_loss', 'market', '0.005', '59000']]);
    const history = ok(await alice.call('trading.orders', { accountId: account.id, status: 'history' }, 'query'));
    // the entry, the first stop (cancelled before the sell) and the target's market sell; the new stop is open
    expect(history.map((o: any) => [o.kind, o.type, o.side, o.status, o.amount]).sort()).toEqual([
      ['regular', 'market', 'buy', 'closed', '0.01'],
      ['regular', 'market', 'sell', 'closed', '0.005'],
      ['stop_loss', 'market', 'sell', 'canceled', '0.01'],
    ]);
    const sell = history.find((o: any) => o.side === 'sell' && o.kind === 'regular');
    expect(sell.clientOrderId).toMatch(/^o[0-9a-f]{24}t[0-9a-z]+$/);
    expect(sell.average).toBe('61069.45');
  });

  it('the second target sells the rest: the trade closes as take_profit with nothing left open', async () => {
    clock.set(START + M15 + 5 * 60_000);
    await price({ ts: START + M15, open: 60800, high: 62100, low: 60700, close: 62050 });
    const [t] = ok(await alice.call('trading.trades', { accountId: account.id }, 'query'));
    // second sell 0.005 at 62050 × 0.9995 = 62018.975 → 62018.97 (tick down for a sell); fee 0.31009485
    // gross 5.19725 + (62018.97 − 60030) × 0.005 = 5.19725 + 9.94485 = 15.1421; fees 0.90564725 + 0.31009485 = 1.2157421
    expect(t).toMatchObject({ status: 'closed', closeReason: 'take_profit', amount: '0', realizedPnl: '13.9263579', fees: '1.2157421' });
    expect(ok(await alice.call('trading.orders', { accountId: account.id, status: 'open' }, 'query'))).toEqual([]);
    expect(await reserved(account.id, '0')).toMatchObject({ sells: [], used: '0', free: '0' });
  });
});

describe('a spot stop-loss hit with the take-profits held', () => {
  it('the stop sells everything and the held targets are dropped: no sell is sent for them', async () => {
    const account = await spotAccount('Spot stop');
    const t: TradeView = ok(
      await alice.call(
        'trading.open',
        { accountId: account.id, symbol: SYMBOL, side: 'long', sizing: { mode: 'base', value: '0.01' }, stopLoss: '61500', takeProfits: [{ price: '63000', share: '1' }] },
        'mutation',
      ),
    );
    expect(t.takeProfits).toEqual([{ price: '63000', share: '1', done: false, held: true }]);
    await price({ ts: START + M15, open: 60800, high: 62100, low: 61400, close: 61450 });
    const [closed] = ok(await alice.call('trading.trades', { accountId: account.id }, 'query'));
    expect(closed).toMatchObject({ status: 'closed', closeReason: 'stop_loss', amount: '0' });
    const venue = await paperOf(account.id);
    expect(venue.engine.orders(SYMBOL).map((o) => [o.side, o.kind, o.status])).toEqual([
      ['buy', 'regular', 'closed'],
      ['sell', 'stop_loss', 'closed'],
    ]);
  });
});

describe('restart between the stop cancel and the sell', () => {
  it('resumes a touched target whose cancel the venue confirmed, or whose sell it got, and sells exactly once', async () => {
    // Two accounts, one trade each: crash A after the venue cancelled the stop, crash B after it filled the sell.
    const a = await spotAccount('Crash after cancel');
    const b = await spotAccount('Crash after sell');
    const input = (accountId: string) => ({ accountId, symbol: SYMBOL, side: 'long', sizing: { mode: 'base', value: '0.01' }, stopLoss: '59000', takeProfits: [{ price: '62500', share: '1' }] });
    const ta: TradeView = ok(await alice.call('trading.open', input(a.id), 'mutation'));
    const tb: TradeView = ok(await alice.call('trading.open', input(b.id), 'mutation'));
    const db = app.services.database.db;
    await app.services.trading.stop();

    /** The price reached the target: the machine's step (state and outbox) as the old process persisted it. */
    const touched = async (tradeId: string) => {
      const row = (await findTrade(db, tradeId))!;
      const s = structuredClone(row.state) as unknown as StoredTrade;
      const stopCid = s.machine.stopLoss!.clientOrderId!;
      const r = stepTrade(s.machine, { type: 'price', price: '62500' }, s.ctx);
      expect(r.intents).toEqual([{ kind: 'cancel', clientOrderId: stopCid }]);
      return { s: { ...s, machine: r.state, outbox: r.intents } as StoredTrade, stopCid };
    };
    const venueA = await paperOf(a.id);
    const venueB = await paperOf(b.id);

    // A: persisted the cancel intent; the venue cancelled the stop; the process died before recording it.
    const A = await touched(ta.id);
    await updateTrade(db, ta.id, { state: A.s as unknown as Record<string, unknown> });
    const stopA = (await findOrderByClientId(db, a.id, A.stopCid))!;
    await venueA.cancelOrder(stopA.exchangeOrderId!, SYMBOL);

    // B: the cancel was confirmed and recorded, the sell decided and persisted, its order row written and the
    // venue filled it — then the process died before the outbox was updated.
    const B = await touched(tb.id);
    const stopB = (await findOrderByClientId(db, b.id, B.stopCid))!;
    await venueB.cancelOrder(stopB.exchangeOrderId!, SYMBOL);
    const dead = stepTrade(B.s.machine, { type: 'orderDead', clientOrderId: B.stopCid, reason: 'canceled' }, B.s.ctx);
    const sellB = dead.intents.find((i): i is Extract<TradeIntent, { kind: 'place' }> => i.kind === 'place')!;
    expect(sellB.order).toMatchObject({ side: 'sell', type: 'market', amount: '0.01' });
    await updateTrade(db, tb.id, { state: { ...B.s, machine: dead.state, outbox: dead.intents } as unknown as Record<string, unknown> });
    await upsertOrder(db, { id: crypto.randomUUID(), accountId: b.id, clientOrderId: sellB.order.clientOrderId, symbol: SYMBOL, side: 'sell', type: 'market', status: 'open', amount: '0.01', tradeId: tb.id, createdAt: clock.now(), updatedAt: 0 });
    await venueB.createOrder(sellB.order as OrderRequest);
    await app.services.exchanges.closeAll(); // saves the paper state, as a shutdown would

    // A new process over the same database.
    const hub = new ExchangeHub({ db, accounts: app.services.accounts, clock, log: app.services.log });
    const sent: Record<string, string[]> = { [a.id]: [], [b.id]: [] };
    for (const id of [a.id, b.id]) {
      const reopened = await hub.get(id);
      const create = reopened.adapter.createOrder.bind(reopened.adapter);
      reopened.adapter.createOrder = (req) => {
        sent[id]!.push(`${req.side} ${req.type} ${req.amount}`);
        return create(req);
      };
    }
    const svc = new TradingService({ db, bus: app.services.bus, clock, hub, log: app.services.log, prices: app.services.prices });
    await svc.start();
    await svc.idle();
    const userId = (await app.services.auth.listUsers()).find((u) => u.email === 'alice@test.local')!.id;
    for (const [acc, tradeId] of [
      [a, ta.id],
      [b, tb.id],
    ] as const) {
      const after = await svc.trade(userId, tradeId);
      expect(after).toMatchObject({ status: 'closed', closeReason: 'take_profit', amount: '0' });
      const paper = (await hub.get(acc.id)).paper!;
      const sells = paper.engine.orders(SYMBOL).filter((o) => o.side === 'sell' && o.kind === 'regular');
      expect(sells.map((o) => [o.status, o.filled])).toEqual([['closed', '0.01']]); // one sell, never two
      expect(paper.engine.balance('BTC').total).toBe('0');
      expect(paper.engine.openOrders()).toEqual([]);
    }
    expect(sent[a.id]).toEqual(['sell market 0.01']); // A: the sell goes out after the resumed confirmation
    expect(sent[b.id]).toEqual([]); // B: found by its clientOrderId, never sent again
    await svc.stop();
    await hub.closeAll();
  });
});
