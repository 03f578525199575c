/**
 * The PendingOrderManager on a real app (PGlite, HTTP) with a paper perpetual account: hand-written 15m updates
 * pushed through the market service (as the feed does) on a manual market clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountEvent, Candle, PublicAccount } from '@osprey/shared';
import { ManualClock } from '../src/domain/ports.js';
import { PendingService } from '../src/services/pending-service.js';
import { HttpCaller, startTestApp, type TestApp } from './helpers/app.js';

const START = Date.UTC(2024, 7, 5, 0, 0);
const M15 = 15 * 60_000;
const SYMBOL = 'BTC/USDT:USDT';

let app: TestApp;
let clock: ManualClock;
let alice: HttpCaller;
let account: PublicAccount;
const events: AccountEvent[] = [];

const ok = (r: { status: number; body: any }) => {
  if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${JSON.stringify(r.body?.error?.message ?? r.body)}`);
  return r.body.result.data;
};

const candle = (ts: number, o: number, h: number, l: number, c: number): Candle => ({ ts, open: o, high: h, low: l, close: c, volume: 1 });

/** Pushes a 15m BTC/USDT update through the market service and waits for pending orders and trading to settle. */
async function price(c: Candle, closed = false): Promise<void> {
  app.services.market.onFeedCandle({ symbol: 'BTC/USDT', timeframe: '15m', candle: c, closed });
  await app.services.pending.idle();
  await app.services.trading.idle();
}

const ticket = (over: Record<string, unknown> = {}) => ({ accountId: account.id, symbol: SYMBOL, side: 'long', sizing: { mode: 'base', value: '0.01' }, ...over });

beforeAll(async () => {
  clock = new ManualClock(START + 60_000);
  app = await startTestApp({ OSPREY_REPLAY_START: new Date(START).toISOString() }, { marketClock: clock });
  await app.services.trading.start();
  await app.services.pending.start();
  app.services.bus.on('account', (e) => events.push(e));
  await app.services.auth.addUser('alice@test.local', 'alice-password-1', 'trader');
  alice = new HttpCaller(app.base);
  await alice.login('alice@test.local', 'alice-password-1');
  account = ok(await alice.call('accounts.create', { name: 'Paper', exchange: 'binance', marketType: 'swap', mode: 'paper', paperBalances: { USDT: '10000' } }, 'mutation'));
  await price(candle(START, 60000, 60000, 60000, 60000));
});
afterAll(async () => {
  await app?.close();
});

describe('pending orders', () => {
  it('creates with the direction from the current price, a 1 h default expiry, and the amount estimated at the trigger', async () => {
    const above = ok(await alice.call('trading.pendingCreate', ticket({ triggerPrice: '61000', stopLoss: '60000', takeProfits: [{ price: '63000', share: '1' }] }), 'mutation'));
    expect(above).toMatchObject({ status: 'PENDING', direction: 'above', triggerPrice: '61000', amount: '0.01', sizing: { mode: 'base', value: '0.01' }, expiresAt: START + 60_000 + 3_600_000, tradeId: null });
    const below = ok(await alice.call('trading.pendingCreate', ticket({ triggerPrice: '59000', sizing: { mode: 'quote', value: '1180' } }), 'mutation'));
    expect(below).toMatchObject({ direction: 'below', amount: '0.02' }); // 1180 / 59000
    expect(events.filter((e) => e.type === 'pending').map((e: any) => e.pending.id)).toEqual([above.id, below.id]);
    const r = await alice.call('trading.pendingCreate', ticket({ triggerPrice: '60000' }), 'mutation');
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/^triggerPrice: equals the current price/);
    const small = await alice.call('trading.pendingCreate', ticket({ triggerPrice: '61000', sizing: { mode: 'base', value: '0.001' } }), 'mutation');
    expect(small.status).toBe(400);
    expect(small.body.error.message).toMatch(/^sizing\.value: notional 61 USDT is below the minimum notional 100 USDT/);
    // cancel the below one; a second cancel is a CONFLICT
    expect(ok(await alice.call('trading.pendingCancel', { id: below.id }, 'mutation'))).toMatchObject({ status: 'CANCELLED' });
    const again = await alice.call('trading.pendingCancel', { id: below.id }, 'mutation');
    expect(again.status).toBe(409);
    expect(again.body.error.message).toBe('id: the pending order is already CANCELLED');
  });

  it('fires exactly once when two updates cross the trigger, even evaluated concurrently', async () => {
    const [p] = ok(await alice.call('trading.pendingList', { accountId: account.id, status: 'PENDING' }, 'query'));
    clock.set(START + 5 * 60_000);
    const cross1 = candle(START, 60000, 61100, 60000, 61050);
    const cross2 = candle(START, 60000, 61300, 60000, 61200);
    // the bus delivers cross1 to the pending service while two more evaluations run at the same time
    app.services.market.onFeedCandle({ symbol: 'BTC/USDT', timeframe: '15m', candle: cross1, closed: false });
    await Promise.all([app.services.pending.onPrice('BTC/USDT', cross2), app.services.pending.onPrice('BTC/USDT', cross2)]);
    await app.services.pending.idle();
    await app.services.trading.idle();
    // a later update crossing again changes nothing
    await price(cross2);
    await price(candle(START + M15, 61200, 61400, 61100, 61300));
    const trades = ok(await alice.call('trading.trades', { accountId: account.id }, 'query'));
    expect(trades).toHaveLength(1);
    // market entry at the last price 61050 + 5 bps = 61080.525 → tick up 61080.6
    expect(trades[0]).toMatchObject({ status: 'open', source: 'pending', sourceRef: p.id, amount: '0.01', entryPrice: '61080.6', stopLoss: '60000' });
    const [after] = ok(await alice.call('trading.pendingList', { accountId: account.id, status: 'TRIGGERED' }, 'query'));
    expect(after).toMatchObject({ id: p.id, status: 'TRIGGERED', triggeredAt: START + 5 * 60_000, tradeId: trades[0].id, error: null });
    expect(events.filter((e) => e.type === 'pending' && (e.pending as any).id === p.id && (e.pending as any).status === 'TRIGGERED').length).toBeGreaterThanOrEqual(1);
    expect(events.some((e) => e.type === 'trade' && e.trade.id === trades[0].id && e.trade.status === 'open')).toBe(true);
  });

  it('expires by the market clock: on the sweep without prices, and on a price step before it can fire', async () => {
    clock.set(START + M15 + 60_000);
    const a = ok(await alice.call('trading.pendingCreate', ticket({ symbol: SYMBOL, triggerPrice: '62000', expiresInMs: 60_000 }), 'mutation'));
    const b = ok(await alice.call('trading.pendingCreate', ticket({ symbol: SYMBOL, triggerPrice: '62500', expiresInMs: 120_000 }), 'mutation'));
    clock.set(START + M15 + 60_000 + 59_999);
    await app.services.pending.sweep();
    expect(ok(await alice.call('trading.pendingList', { accountId: account.id, status: 'PENDING' }, 'query')).map((x: any) => x.id).sort()).toEqual([a.id, b.id].sort());
    clock.set(START + M15 + 2 * 60_000);
    await app.services.pending.sweep();
    expect(ok(await alice.call('trading.pendingList', { accountId: account.id, status: 'EXPIRED' }, 'query')).map((x: any) => x.id)).toEqual([a.id]);
    // b expires at +3 min; a step at +3 min crossing its trigger expires it instead of firing it
    clock.set(START + M15 + 3 * 60_000);
    await price(candle(START + M15, 61200, 62600, 61100, 62550));
    expect(ok(await alice.call('trading.pendingList', { accountId: account.id, status: 'EXPIRED' }, 'query')).map((x: any) => x.id).sort()).toEqual([a.id, b.id].sort());
    expect(ok(await alice.call('trading.trades', { accountId: account.id }, 'query'))).toHaveLength(1);
  });

  it('records why a triggered order did not open a trade (the account already trades the symbol)', async () => {
    const p = ok(await alice.call('trading.pendingCreate', ticket({ triggerPrice: '62000', side: 'long' }), 'mutation'));
    await price(candle(START + M15, 61200, 62600, 61100, 61900));
    await price(candle(START + M15, 61200, 62600, 61100, 62100));
    const [row] = ok(await alice.call('trading.pendingList', { accountId: account.id, status: 'TRIGGERED' }, 'query')).filter((x: any) => x.id === p.id);
    expect(row).toMatchObject({ status: 'TRIGGERED', tradeId: null });
    expect(row.error).toMatch(/^symbol: this account already has an active trade on BTC\/USDT:USDT/);
  });

  it('resumes PENDING orders after a restart and fires them once', async () => {
    // close the open trade so a new one may open
    const [t] = ok(await alice.call('trading.trades', { accountId: account.id, status: 'active' }, 'query'));
    ok(await alice.call('trading.close', { tradeId: t.id }, 'mutation'));
    const p = ok(await alice.call('trading.pendingCreate', ticket({ triggerPrice: '61500', side: 'short' }), 'mutation'));
    expect(p.direction).toBe('below');
    await app.services.pending.stop();
    const again = new PendingService({ db: app.services.database.db, bus: app.services.bus, clock, trading: app.services.trading, log: app.services.log });
    await again.start();
    await again.onPrice('BTC/USDT', candle(START + M15, 61200, 62600, 61400, 61450));
    await again.idle();
    await app.services.trading.idle();
    const [row] = ok(await alice.call('trading.pendingList', { accountId: account.id, status: 'TRIGGERED' }, 'query')).filter((x: any) => x.id === p.id);
    expect(row.tradeId).toBeTruthy();
    const active = ok(await alice.call('trading.trades', { accountId: account.id, status: 'active' }, 'query'));
    expect(active).toMatchObject([{ id: row.tradeId, side: 'short', source: 'pending', sourceRef: p.id }]);
    await again.stop();
  });
});
