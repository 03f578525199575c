import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { openDatabase, type Database } from '../src/adapters/db/client.js';
import { countCandles, latestCandleTs, listCandleTs, listCandles, upsertCandles } from '../src/adapters/db/repos/candles-repo.js';
import { insertSignals, listSignals } from '../src/adapters/db/repos/signals-repo.js';
import { ensureDemoData } from '../src/services/demo-data.js';
import { ManualClock } from '../src/domain/ports.js';
import type { MarketSignal } from '@osprey/shared';
import { TEST_PG_URL } from './helpers/app.js';

/** Drops everything in the test database so migrations run from scratch. */
async function resetPostgres(): Promise<void> {
  const c = new pg.Client({ connectionString: TEST_PG_URL });
  await c.connect();
  await c.query('drop schema if exists public cascade; create schema public; drop schema if exists drizzle cascade;');
  await c.end();
}

const engines: { name: string; open: () => Promise<Database> }[] = [
  { name: 'PGlite', open: () => openDatabase({ dataDir: 'memory://' }) },
  {
    name: 'Postgres',
    open: async () => {
      await resetPostgres();
      return openDatabase({ databaseUrl: TEST_PG_URL, dataDir: 'unused' });
    },
  },
];

const key = { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '15m' as const };
const M15 = 15 * 60_000;
const candle = (i: number, close = 100 + i) => ({ ts: 1_704_067_200_000 + i * M15, open: 100, high: Math.max(101, close), low: 99, close, volume: 1.5 });

describe.each(engines)('$name', ({ name, open }) => {
  let database: Database;
  beforeAll(async () => {
    database = await open();
  });
  afterAll(async () => {
    await database?.close();
  });

  it('applies the drizzle migrations and answers a ping', async () => {
    expect(database.kind).toBe(name === 'PGlite' ? 'pglite' : 'postgres');
    expect(await database.ping()).toBe(true);
  });

  it('upserts candles idempotently, overwriting OHLCV on the same open time', async () => {
    const rows = Array.from({ length: 10 }, (_, i) => candle(i));
    await upsertCandles(database.db, key, rows);
    await upsertCandles(database.db, key, rows);
    expect(await countCandles(database.db, key)).toBe(10);
    await upsertCandles(database.db, key, [candle(3, 250)]);
    const [c3] = await listCandles(database.db, key, { from: candle(3).ts, to: candle(3).ts });
    expect(c3).toEqual(candle(3, 250));
    expect(await latestCandleTs(database.db, key)).toBe(candle(9).ts);
    expect(await latestCandleTs(database.db, { ...key, symbol: 'ETH/USDT' })).toBeNull();
  });

  it('lists by range ascending and the most recent N with a limit', async () => {
    const recent = await listCandles(database.db, key, { limit: 3 });
    expect(recent.map((c) => c.ts)).toEqual([candle(7).ts, candle(8).ts, candle(9).ts]);
    const ranged = await listCandles(database.db, key, { from: candle(2).ts, to: candle(4).ts });
    expect(ranged.map((c) => c.ts)).toEqual([candle(2).ts, candle(3).ts, candle(4).ts]);
    expect(await listCandleTs(database.db, key, candle(8).ts, candle(20).ts)).toEqual([candle(8).ts, candle(9).ts]);
  });

  it('keeps signals idempotent by id and filters by symbol and time', async () => {
    const s: MarketSignal = {
      id: 'det:binance:BTC/USDT:1', exchange: 'binance', symbol: 'BTC/USDT', type: 'LONG', score: 18, sizeMultiplier: 2,
      candleTs: 1000, createdAt: 1000 + M15, expiresAt: 1000 + M15 + 4 * 3_600_000, details: { filter: { mode: 'BULL' } },
    };
    expect(await insertSignals(database.db, [s])).toHaveLength(1);
    expect(await insertSignals(database.db, [{ ...s, score: 30 }])).toHaveLength(0);
    const list = await listSignals(database.db, { symbol: 'BTC/USDT', limit: 10 });
    expect(list).toEqual([s]);
    expect(await listSignals(database.db, { symbol: 'BTC/USDT', from: 2000, limit: 10 })).toEqual([]);
  });

  it('imports the shipped demo candles once (all four timeframes of a symbol)', async () => {
    const clock = new ManualClock(0);
    const first = await ensureDemoData(database.db, ['XRP/USDT'], clock);
    expect(first).toBe(23904 + 5976 + 1494 + 249);
    expect(await ensureDemoData(database.db, ['XRP/USDT'], clock)).toBe(0);
    const k = { exchange: 'binance', symbol: 'XRP/USDT' };
    expect(await countCandles(database.db, { ...k, timeframe: '15m' })).toBe(23904);
    expect(await countCandles(database.db, { ...k, timeframe: '1d' })).toBe(249);
    const [first15] = await listCandles(database.db, { ...k, timeframe: '15m' }, { limit: 1, from: 0 });
    expect(first15?.ts).toBe(Date.UTC(2024, 0, 1));
  });
});

describe('the whole app on Postgres (DATABASE_URL)', () => {
  it('migrates, seeds, logs in and serves candles with indicators', async () => {
    await resetPostgres();
    const { startTestApp, HttpCaller, ADMIN } = await import('./helpers/app.js');
    const app = await startTestApp({ DATABASE_URL: TEST_PG_URL });
    try {
      const health = (await (await fetch(`${app.base}/health`)).json()) as any;
      expect(health.db).toEqual({ kind: 'postgres', ok: true });
      const c = new HttpCaller(app.base);
      await c.login(ADMIN.email, ADMIN.password);
      const r = await c.call('market.candles', { symbol: 'BTC/USDT', timeframe: '4h', limit: 100 }, 'query');
      expect(r.body.result.data.candles).toHaveLength(100);
      expect(r.body.result.data.candles.at(-1).ind.rsi_14).toBeTypeOf('number');
    } finally {
      await app.close();
    }
  });
});

describe('PGlite data folder lock', () => {
  it('keeps a second opener out while the first is open, and frees the folder on close', async () => {
    const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const { DatabaseInUseError } = await import('../src/adapters/db/client.js');
    const dir = mkdtempSync(path.join(tmpdir(), 'osprey-lock-'));
    try {
      const first = await openDatabase({ dataDir: dir });
      await expect(openDatabase({ dataDir: dir })).rejects.toThrow(DatabaseInUseError);
      await expect(openDatabase({ dataDir: dir })).rejects.toThrow(new RegExp(`in use by process ${process.pid}`));
      await first.close();
      const second = await openDatabase({ dataDir: dir });
      await second.close();
      // A lock left behind by a dead process is taken over.
      writeFileSync(path.join(dir, 'osprey.lock'), '999999999');
      const third = await openDatabase({ dataDir: dir });
      expect(await third.ping()).toBe(true);
      await third.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
