import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { openDatabase, type Database } from '../src/adapters/db/client.js';
import { insertAccount, deleteAccountOfUser } from '../src/adapters/db/repos/accounts-repo.js';
import { insertUser } from '../src/adapters/db/repos/users-repo.js';
import {
  findOrderByClientId,
  findOrderByExchangeId,
  findTrade,
  insertFills,
  insertPendingOrder,
  insertPositionSnapshots,
  insertTrade,
  listEquitySnapshots,
  listFills,
  listOrders,
  listPendingOrders,
  listPositionSnapshots,
  listTrades,
  loadPaperState,
  savePaperState,
  transitionPendingOrder,
  updateTrade,
  upsertEquitySnapshot,
  upsertOrder,
  type NewOrderRow,
} from '../src/adapters/db/repos/trading-repo.js';
import { TEST_PG_URL } from './helpers/app.js';

/** A Postgres database of its own, so this file never races db.int.test.ts's schema reset. */
const PG_DB = 'osprey_trading_repo_test';

async function freshPostgres(): Promise<string> {
  const c = new pg.Client({ connectionString: TEST_PG_URL });
  await c.connect();
  await c.query(`drop database if exists ${PG_DB} with (force)`);
  await c.query(`create database ${PG_DB}`);
  await c.end();
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${PG_DB}`;
  return url.toString();
}

const engines: { name: string; open: () => Promise<Database> }[] = [
  { name: 'PGlite', open: () => openDatabase({ dataDir: 'memory://' }) },
  { name: 'Postgres', open: async () => openDatabase({ databaseUrl: await freshPostgres(), dataDir: 'unused' }) },
];

const T0 = 1_722_470_400_000; // 2024-08-01T00:00:00Z

describe.each(engines)('trading repo on $name', ({ open }) => {
  let database: Database;
  const acc = 'acc-1';
  beforeAll(async () => {
    database = await open();
    await insertUser(database.db, { id: 'u1', email: 'u1@test.local', passwordHash: 'x', role: 'trader', createdAt: T0 });
    await insertAccount(database.db, { id: acc, userId: 'u1', name: 'Paper', exchange: 'binance', marketType: 'swap', mode: 'paper', paperBalances: { USDT: '1000' }, createdAt: T0, updatedAt: T0 });
  });
  afterAll(async () => {
    await database?.close();
  });

  const order = (over: Partial<NewOrderRow> = {}): NewOrderRow => ({
    id: 'o1',
    accountId: acc,
    clientOrderId: 'osp-1',
    symbol: 'BTC/USDT:USDT',
    side: 'buy',
    type: 'limit',
    status: 'open',
    amount: '0.010',
    price: '65000.5',
    createdAt: T0,
    updatedAt: T0,
    ...over,
  });

  it('upserts an order by clientOrderId, keeps exact decimals, and never moves it backwards in time', async () => {
    const first = await upsertOrder(database.db, order());
    expect(first).toMatchObject({ amount: '0.010', filled: '0', price: '65000.5', exchangeOrderId: null, kind: 'regular', reduceOnly: false });
    const acked = await upsertOrder(database.db, order({ id: 'ignored', exchangeOrderId: 'X1', filled: '0.004', updatedAt: T0 + 1000 }));
    expect(acked).toMatchObject({ id: 'o1', exchangeOrderId: 'X1', filled: '0.004', updatedAt: T0 + 1000 });
    // A stale update (older updatedAt) changes nothing; an update without the exchange id keeps it.
    const stale = await upsertOrder(database.db, order({ status: 'canceled', updatedAt: T0 + 500 }));
    expect(stale).toMatchObject({ status: 'open', filled: '0.004', exchangeOrderId: 'X1' });
    const done = await upsertOrder(database.db, order({ status: 'closed', filled: '0.010', average: '64999.9', fee: '0.0325', feeCurrency: 'USDT', updatedAt: T0 + 2000 }));
    expect(done).toMatchObject({ status: 'closed', filled: '0.010', average: '64999.9', fee: '0.0325', exchangeOrderId: 'X1' });
    expect((await findOrderByExchangeId(database.db, acc, 'X1'))?.id).toBe('o1');
    expect((await findOrderByClientId(database.db, acc, 'osp-1'))?.status).toBe('closed');
    await upsertOrder(database.db, order({ id: 'o2', clientOrderId: 'osp-2', createdAt: T0 + 10, updatedAt: T0 + 10 }));
    expect((await listOrders(database.db, { accountId: acc })).map((o) => o.id)).toEqual(['o2', 'o1']);
    expect((await listOrders(database.db, { accountId: acc, status: 'open' })).map((o) => o.id)).toEqual(['o2']);
  });

  it('stores fills once per venue fill id', async () => {
    const fill = { id: 'f1', accountId: acc, orderId: 'X1', clientOrderId: 'osp-1', exchangeFillId: 'T1', symbol: 'BTC/USDT:USDT', side: 'buy' as const, price: '65000', amount: '0.004', fee: '0.013', feeCurrency: 'USDT', liquidity: 'maker' as const, ts: T0 + 100 };
    expect(await insertFills(database.db, [fill])).toHaveLength(1);
    const again = await insertFills(database.db, [{ ...fill, id: 'f1-dup' }, { ...fill, id: 'f2', exchangeFillId: 'T2', amount: '0.006', ts: T0 + 200 }]);
    expect(again.map((f) => f.id)).toEqual(['f2']);
    expect((await listFills(database.db, { accountId: acc, orderId: 'X1' })).map((f) => [f.id, f.amount])).toEqual([
      ['f1', '0.004'],
      ['f2', '0.006'],
    ]);
    expect(await listFills(database.db, { accountId: acc, since: T0 + 150 })).toHaveLength(1);
  });

  it('keeps trades with their exit plan, and links orders and pending orders to them', async () => {
    const t = await insertTrade(database.db, {
      id: 't1',
      accountId: acc,
      symbol: 'BTC/USDT:USDT',
      side: 'long',
      leverage: 5,
      amount: '0.010',
      stopLoss: { price: '63000' },
      takeProfits: [
        { price: '67000', share: '0.5' },
        { price: '69000', share: '0.5' },
      ],
      breakevenAfterTp1: true,
      source: 'signal',
      sourceRef: 'sig-1',
      state: { seq: 1, working: { 'osp-t1-e1': 'entry' } },
      openedAt: T0,
    });
    expect(t).toMatchObject({ status: 'opening', state: { seq: 1, working: { 'osp-t1-e1': 'entry' } }, closedAmount: '0', realizedPnl: '0', entryPrice: null, takeProfits: [{ price: '67000', share: '0.5' }, { price: '69000', share: '0.5' }] });
    await upsertOrder(database.db, order({ id: 'o3', clientOrderId: 'osp-3', tradeId: 't1', updatedAt: T0 + 3000 }));
    expect((await listOrders(database.db, { accountId: acc, tradeId: 't1' })).map((o) => o.id)).toEqual(['o3']);
    expect((await listTrades(database.db, { accountId: acc, status: 'opening' })).map((x) => x.id)).toEqual(['t1']);
    const closed = await updateTrade(database.db, 't1', { status: 'closed', closedAmount: '0.010', realizedPnl: '-12.5', closeReason: 'stop_loss', closedAt: T0 + 9000 });
    expect(closed).toMatchObject({ status: 'closed', realizedPnl: '-12.5', closeReason: 'stop_loss' });
    expect((await listTrades(database.db, { accountId: acc, status: 'open' })).length).toBe(0);
    expect((await findTrade(database.db, 't1'))?.stopLoss).toEqual({ price: '63000' });

    await insertPendingOrder(database.db, { id: 'p1', accountId: acc, symbol: 'ETH/USDT:USDT', side: 'short', amount: '0.5', triggerPrice: '3000', direction: 'below', stopLoss: '3100', createdAt: T0 });
    expect((await listPendingOrders(database.db, { status: 'PENDING' })).map((p) => p.id)).toEqual(['p1']);
    const trig = await transitionPendingOrder(database.db, 'p1', { status: 'TRIGGERED', triggeredAt: T0 + 1, tradeId: 't1' });
    expect(trig).toMatchObject({ status: 'TRIGGERED', tradeId: 't1', takeProfits: [] });
    // Compare-and-set: a second watcher cannot trigger or cancel it again.
    expect(await transitionPendingOrder(database.db, 'p1', { status: 'CANCELLED' })).toBeUndefined();
  });

  it('de-duplicates position snapshots by (position, update time) and upserts equity', async () => {
    const snap = { accountId: acc, symbol: 'BTC/USDT:USDT', side: 'long' as const, amount: '0.01', entryPrice: '65000', markPrice: '65100', unrealizedPnl: '1', updatedAt: T0 };
    expect(await insertPositionSnapshots(database.db, [snap, { ...snap, side: 'short' }])).toBe(2);
    expect(await insertPositionSnapshots(database.db, [snap, { ...snap, updatedAt: T0 + 60_000, unrealizedPnl: '2' }])).toBe(1);
    expect(await listPositionSnapshots(database.db, { accountId: acc, from: T0 + 1 })).toHaveLength(1);

    await upsertEquitySnapshot(database.db, { accountId: acc, ts: T0, equity: '1001', balance: '1000', unrealizedPnl: '1' });
    await upsertEquitySnapshot(database.db, { accountId: acc, ts: T0, equity: '1002', balance: '1000', unrealizedPnl: '2' });
    await upsertEquitySnapshot(database.db, { accountId: acc, ts: T0 + 60_000, equity: '999.5', balance: '1000', unrealizedPnl: '-0.5' });
    expect((await listEquitySnapshots(database.db, { accountId: acc })).map((e) => [e.ts, e.equity])).toEqual([
      [T0, '1002'],
      [T0 + 60_000, '999.5'],
    ]);
  });

  it('saves and replaces the paper state, and cascades everything on account delete', async () => {
    expect(await loadPaperState(database.db, acc)).toBeNull();
    await savePaperState(database.db, acc, { balances: { USDT: '1000' } }, T0);
    await savePaperState(database.db, acc, { balances: { USDT: '990' } }, T0 + 1);
    expect(await loadPaperState(database.db, acc)).toEqual({ state: { balances: { USDT: '990' } }, updatedAt: T0 + 1 });

    expect(await deleteAccountOfUser(database.db, 'someone-else', acc)).toBe(false);
    expect(await deleteAccountOfUser(database.db, 'u1', acc)).toBe(true);
    expect(await listOrders(database.db, { accountId: acc })).toEqual([]);
    expect(await listFills(database.db, { accountId: acc })).toEqual([]);
    expect(await listTrades(database.db, { accountId: acc })).toEqual([]);
    expect(await listPendingOrders(database.db, { accountId: acc })).toEqual([]);
    expect(await listEquitySnapshots(database.db, { accountId: acc })).toEqual([]);
    expect(await loadPaperState(database.db, acc)).toBeNull();
  });
});
