/**
 * The PendingOrderManager on a real app (PGlite, HTTP) with a paper perpetual account: hand-written 15m updates
 * pushed through the market service (as the feed does) on a manual market clock. The trader picks the trigger
 * direction; a trigger already reached in that direction is refused, so is a pending order on a symbol with an
 * active trade, and a fired order that cannot open its trade becomes FAILED with the reason (stored and streamed).
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

const ticket = (over: Record<string, unknown> = {}) => ({ accountId: account.id, symbol: SYMBOL, side: 'long', sizing: { mode: 'base', value: '0.01' }, direction: 'above', ...over });
const pendingEvents = (id: string) => events.flatMap((e) => (e.type === 'pending' && (e.pending as any).id === id ? [e.pending as any] : []));

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
  it("creates with the trader's direction, a 1 h default expiry, and the amount estimated at the trigger", async () => {
    const above = ok(await alice.call('trading.pendingCreate', ticket({ triggerPrice: '61000', stopLoss: '60000', takeProfits: [{ price: '63000', share: '1' }] }), 'mutation'));
    expect(above).toMatchObject({ status: 'PENDING', direction: 'above', triggerPrice: '61000', amount: '0.01', sizing: { mode: 'base', value: '0.01' }, expiresAt: START + 60_000 + 3_600_000, tradeId: null });
    const below = ok(await alice.call('trading.pendingCreate', ticket({ triggerPrice: '59000', direction: 'below', sizing: { mode: 'quote', value: '1180' } }), 'mutation'));
    expect(below).toMatchObject({ direction: 'below', amount: '0.02' }); // 1180 / 59000
    expect(events.filter((e) => e.type === 'pending').map((e: any) => e.pending.id)).toEqual([above.id, below.id]);
    const r = await alice.call('trading.pendingCreate', ticket({ triggerPrice: '60000' }), 'mutation');
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/^triggerPrice: equals the current price 60000 and would trigger at once/);
    // a trigger already reached in the chosen direction would fire at once: refused, naming the prices
    const upBelow = await alice.call('trading.pendingCreate', ticket({ triggerPrice: '59000', direction: 'above' }), 'mutation');
    expect(upBelow.status).toBe(400);
    expect(upBelow.body.error.message).toBe(
      'triggerPrice: 59000 is below the current price 60000, so "crosses above" would trigger at once: choose a trigger above 60000, or "crosses below"',
    );
    const downAbove = await alice.call('trading.pendingCreate', ticket({ triggerPrice: '61000', direction: 'below' }), 'mutation');
    expect(downAbove.status).toBe(400);
    expect(downAbove.body.error.message).toMatch(/^triggerPrice: 61000 is above the current price 60000, so "crosses below" would trigger at once/);
    const { direction: _omit, ...noDirection } = ticket({ triggerPrice: '61000' });
    const missing = await alice.call('trading.pendingCreate', noDirection, 'mutation');
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/^direction: must be "above"/);
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

  it('refuses a pending order on a symbol with an active trade: CONFLICT naming the symbol and the trade, nothing stored', async () => {
    const [t] = ok(await alice.call('trading.trades', { accountId: account.id, status: 'active' }, 'query'));
    const before = ok(await alice.call('trading.pendingList', { accountId: account.id }, 'query')).length;
    const r = await alice.call('trading.pendingCreate', ticket({ triggerPrice: '63000' }), 'mutation');
    expect(r.status).toBe(409);
    expect(r.body.error.message).toBe(
      `symbol: this account already has an active trade on BTC/USDT:USDT (long 0.01, trade ${t.id}), so a pending order there could not open a second one: close that trade first`,
    );
    expect(ok(await alice.call('trading.pendingList', { accountId: account.id }, 'query'))).toHaveLength(before);
    // close it so the next pending orders may open trades
    ok(await alice.call('trading.close', { tradeId: t.id }, 'mutation'));
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

  it('honours the chosen direction both ways: a rise fires "crosses above" only, a fall fires "crosses below" only', async () => {
    // price now 62550 (last step of the expiry test), no active trade
    clock.set(START + 2 * M15 + 60_000);
    const up = ok(await alice.call('trading.pendingCreate', ticket({ triggerPrice: '63000', direction: 'above' }), 'mutation'));
    const down = ok(await alice.call('trading.pendingCreate', ticket({ triggerPrice: '62000', direction: 'below', side: 'short' }), 'mutation'));
    // a rise to 63100 fires the "above" one; the "below" one (62000) is not reached
    await price(candle(START + 2 * M15, 62550, 63100, 62500, 63050));
    const list = () => alice.call('trading.pendingList', { accountId: account.id }, 'query').then(ok);
    const statusOf = async () => Object.fromEntries((await list()).filter((x: any) => [up.id, down.id].includes(x.id)).map((x: any) => [x.id, x.status]));
    expect(await statusOf()).toEqual({ [up.id]: 'TRIGGERED', [down.id]: 'PENDING' });
    const [longTrade] = ok(await alice.call('trading.trades', { accountId: account.id, status: 'active' }, 'query'));
    expect(longTrade).toMatchObject({ side: 'long', source: 'pending', sourceRef: up.id });
    ok(await alice.call('trading.close', { tradeId: longTrade.id }, 'mutation'));
    // a fall to 61900 fires the "below" one
    await price(candle(START + 2 * M15 + 60_000, 63050, 63050, 61900, 61950));
    const fired = (await list()).find((x: any) => x.id === down.id);
    expect(fired).toMatchObject({ status: 'TRIGGERED', error: null });
    const [shortTrade] = ok(await alice.call('trading.trades', { accountId: account.id, status: 'active' }, 'query'));
    expect(shortTrade).toMatchObject({ id: fired.tradeId, side: 'short', source: 'pending', sourceRef: down.id });
    ok(await alice.call('trading.close', { tradeId: shortTrade.id }, 'mutation'));
  });

  it('a fired order that cannot open its trade becomes FAILED with the reason, stored and streamed (a trade opened since)', async () => {
    // price now 61950, no active trade: the pending order is accepted, then a manual trade opens on the symbol
    const p = ok(await alice.call('trading.pendingCreate', ticket({ triggerPrice: '61500', direction: 'below' }), 'mutation'));
    const manual = ok(await alice.call('trading.open', { accountId: account.id, symbol: SYMBOL, side: 'long', sizing: { mode: 'base', value: '0.01' } }, 'mutation'));
    clock.set(START + 2 * M15 + 2 * 60_000);
    await price(candle(START + 2 * M15 + 2 * 60_000, 61950, 61950, 61400, 61450));
    const row = ok(await alice.call('trading.pendingList', { accountId: account.id, status: 'FAILED' }, 'query')).find((x: any) => x.id === p.id);
    expect(row).toMatchObject({ status: 'FAILED', tradeId: null, triggeredAt: START + 2 * M15 + 2 * 60_000 });
    expect(row.error).toBe(`symbol: this account already has an active trade on BTC/USDT:USDT (trade ${manual.id}): add to it or close it first`);
    // the live stream carried the failure with its reason (the client shows it as a toast)
    expect(pendingEvents(p.id).map((e) => e.status)).toEqual(['PENDING', 'TRIGGERED', 'FAILED']);
    expect(pendingEvents(p.id).at(-1)).toMatchObject({ status: 'FAILED', error: row.error, symbol: SYMBOL });
    expect(ok(await alice.call('trading.trades', { accountId: account.id, status: 'active' }, 'query')).map((x: any) => x.id)).toEqual([manual.id]);
    ok(await alice.call('trading.close', { tradeId: manual.id }, 'mutation'));
  });

  it('a fired order refused for funds at the trigger becomes FAILED with the venue reason', async () => {
    // 1 BTC at 61000 needs 61000+ USDT of margin at 1×; the account has about 10000: accepted (only a warning), refused when it fires
    const p = ok(await alice.call('trading.pendingCreate', ticket({ triggerPrice: '61000', direction: 'below', sizing: { mode: 'base', value: '1' } }), 'mutation'));
    clock.set(START + 2 * M15 + 3 * 60_000);
    await price(candle(START + 2 * M15 + 3 * 60_000, 61450, 61450, 60900, 60950));
    const row = ok(await alice.call('trading.pendingList', { accountId: account.id, status: 'FAILED' }, 'query')).find((x: any) => x.id === p.id);
    expect(row).toMatchObject({ status: 'FAILED', tradeId: null });
    expect(row.error).toMatch(/^sizing\.value: needs [\d.]+ USDT \(margin \+ fee\), free [\d.]+ USDT$/);
    expect(pendingEvents(p.id).at(-1)).toMatchObject({ status: 'FAILED', error: row.error });
    // refused before reaching the venue: no trade (not even a cancelled one) and no order row is left behind
    expect(ok(await alice.call('trading.trades', { accountId: account.id }, 'query')).filter((x: any) => x.sourceRef === p.id)).toEqual([]);
    const amounts = ok(await alice.call('trading.orders', { accountId: account.id, status: 'history' }, 'query')).map((o: any) => o.amount);
    expect(amounts).not.toContain('1');
  });

  it('resumes PENDING orders after a restart and fires them once', async () => {
    // price now 60950
    const p = ok(await alice.call('trading.pendingCreate', ticket({ triggerPrice: '60500', direction: 'below', side: 'short' }), 'mutation'));
    expect(p.direction).toBe('below');
    await app.services.pending.stop();
    const again = new PendingService({ db: app.services.database.db, bus: app.services.bus, clock, trading: app.services.trading, log: app.services.log });
    await again.start();
    await again.onPrice('BTC/USDT', candle(START + 2 * M15 + 4 * 60_000, 60950, 60950, 60400, 60450));
    await again.idle();
    await app.services.trading.idle();
    const [row] = ok(await alice.call('trading.pendingList', { accountId: account.id, status: 'TRIGGERED' }, 'query')).filter((x: any) => x.id === p.id);
    expect(row.tradeId).toBeTruthy();
    const active = ok(await alice.call('trading.trades', { accountId: account.id, status: 'active' }, 'query'));
    expect(active).toMatchObject([{ id: row.tradeId, side: 'short', source: 'pending', sourceRef: p.id }]);
    await again.stop();
  });
});
