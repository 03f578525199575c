/**
 * The market clock never resumes behind persisted state: the replay position only moves forward, is
 * checkpointed in the same transaction as every paper-state save, and a new feed resumes from it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_TIMEFRAMES } from '../src/config/env.js';
import { advanceClockPosition, getState, type ClockPosition } from '../src/adapters/db/repos/app-state-repo.js';
import { loadPaperState } from '../src/adapters/db/repos/trading-repo.js';
import type { PaperExchangeSnapshot } from '../src/adapters/exchange/paper-exchange.js';
import { ReplayFeed } from '../src/services/replay-feed.js';
import { startTestApp, type TestApp } from './helpers/app.js';

const START = Date.UTC(2024, 7, 5, 0, 0);
const KEY = 'replay:position';

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ OSPREY_REPLAY_START: new Date(START).toISOString() });
});
afterAll(async () => {
  await app?.close();
});

const position = () => getState<ClockPosition>(app.services.database.db, KEY);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('replay position', () => {
  it('only moves forward for the same start, and is replaced when the start setting changes', async () => {
    const db = app.services.database.db;
    await advanceClockPosition(db, 'test:clock', { startAt: 1, now: 100 }, 1);
    await advanceClockPosition(db, 'test:clock', { startAt: 1, now: 50 }, 2);
    expect(await getState(db, 'test:clock')).toEqual({ startAt: 1, now: 100 });
    await advanceClockPosition(db, 'test:clock', { startAt: 1, now: 150 }, 3);
    expect(await getState(db, 'test:clock')).toEqual({ startAt: 1, now: 150 });
    await advanceClockPosition(db, 'test:clock', { startAt: 2, now: 20 }, 4);
    expect(await getState(db, 'test:clock')).toEqual({ startAt: 2, now: 20 });
  });

  it('a feed checkpoint survives a crash (no stop) and a later feed resumes from it; a save from behind does not move it back', async () => {
    const db = app.services.database.db;
    // Another start than the app's own feed (which shares the key), so the two do not mix.
    const S2 = START + 86_400_000;
    const opts = { db, exchange: 'binance', symbols: ['BTC/USDT'], timeframes: SERVER_TIMEFRAMES, speed: 600, startAt: S2, tickMs: 60_000, log: app.services.log };
    const a = new ReplayFeed(opts);
    await a.init();
    a.start(() => undefined);
    await sleep(300);
    await a.checkpoint(db);
    const saved = (await position())!;
    expect(saved.startAt).toBe(S2);
    expect(saved.now).toBeGreaterThan(S2 + 60_000);
    // The process dies here: no stop(), so only the checkpoint (and the first step's save) were written.
    await advanceClockPosition(db, KEY, { startAt: S2, now: S2 + 1 }, Date.now());
    expect((await position())!.now).toBe(saved.now);
    const b = new ReplayFeed(opts);
    await b.init();
    expect(b.state().now).toBe(saved.now);
    // Stop the first feed's timer (its final save cannot move the position back either).
    await a.stop();
    expect((await position())!.now).toBeGreaterThanOrEqual(saved.now);
  });
});

describe('paper state saves', () => {
  it('checkpoint the market position in the same transaction: it is never behind the saved venue; an unchanged venue is not written again', async () => {
    const userId = (await app.services.auth.addUser('paula@test.local', 'paula-password-1', 'trader')).id;
    const acct = await app.services.accounts.create(userId, { name: 'P', exchange: 'binance', marketType: 'spot', mode: 'paper', paperBalances: { USDT: '10000' } });
    const hub = app.services.exchanges;
    const feed = app.services.feed;
    feed.start(() => undefined);
    try {
      const paper = (await hub.get(acct.id)).paper!;
      await sleep(100);
      const o = await paper.createOrder({ clientOrderId: 'ckpt1', symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: '0.01', price: '1000' });
      await hub.savePaper(acct.id);
      const saved = (await loadPaperState(app.services.database.db, acct.id))!;
      const orders = (saved.state as unknown as PaperExchangeSnapshot).engine.state.orders;
      expect(orders.map((x) => x.clientOrderId)).toEqual(['ckpt1']);
      const pos = (await position())!;
      expect(pos.now).toBeGreaterThanOrEqual(o.createdAt);
      expect(pos.now).toBeGreaterThanOrEqual(saved.updatedAt);
      // Nothing changed at the venue: nothing is written again.
      await sleep(100);
      await hub.savePaper(acct.id);
      expect((await loadPaperState(app.services.database.db, acct.id))!.updatedAt).toBe(saved.updatedAt);
      // Saves asked for at once share one write and all see the venue as it was when they asked.
      await paper.cancelOrder(o.id, 'BTC/USDT');
      await Promise.all([hub.savePaper(acct.id), hub.savePaper(acct.id), hub.savePaper(acct.id)]);
      const after = (await loadPaperState(app.services.database.db, acct.id))!.state as unknown as PaperExchangeSnapshot;
      expect(after.engine.state.orders.map((x) => x.status)).toEqual(['canceled']);
    } finally {
      await feed.stop();
    }
  });
});
