/**
 * Candle upsert throughput (rows/s) on PGlite (in-memory) and Postgres (TEST_DATABASE_URL or the local
 * test database), over real BTC 15m candles tiled to `ROWS` rows. Figures are printed, not asserted.
 * Reference in the same run: Drizzle's multi-row `insert().values().onConflictDoUpdate()` (5 000 rows per
 * statement) through the same driver, which `upsertCandles` replaced.
 */
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { candles } from '../src/adapters/db/schema/index.js';
import { TIMEFRAME_MS } from '@osprey/shared';
import { openDatabase, type Database } from '../src/adapters/db/client.js';
import { upsertCandles } from '../src/adapters/db/repos/candles-repo.js';
import { parseCandlesCsv } from '../src/domain/indicators/index.js';
import { demoCsvPath } from '../src/services/demo-data.js';
import { readFileSync } from 'node:fs';

const ROWS = Number(process.env.BENCH_UPSERT_ROWS ?? 200_000);
const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** One printed figure. */
export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
}

function tiledCandles(n: number) {
  const base = parseCandlesCsv(readFileSync(demoCsvPath('BTC/USDT', '15m'), 'utf8'), '15m');
  const span = base.length * TIMEFRAME_MS['15m'];
  return Array.from({ length: n }, (_, i) => {
    const c = base[i % base.length]!;
    return { ...c, ts: c.ts + Math.floor(i / base.length) * span };
  });
}

async function measure(database: Database, label: string, rows: ReturnType<typeof tiledCandles>): Promise<BenchFigure[]> {
  const key = { exchange: 'bench', symbol: 'BTC/USDT', timeframe: '15m' as const };
  await database.db.execute(sql`delete from candles where exchange = 'bench'`);
  let t = performance.now();
  await upsertCandles(database.db, key, rows);
  const insertS = (performance.now() - t) / 1000;
  t = performance.now();
  await upsertCandles(database.db, key, rows); // every row conflicts → update path
  const updateS = (performance.now() - t) / 1000;
  await database.db.execute(sql`delete from candles where exchange = 'bench'`);
  t = performance.now();
  for (let i = 0; i < rows.length; i += 5000) {
    await database.db
      .insert(candles)
      .values(rows.slice(i, i + 5000).map((c) => ({ ...key, ...c })))
      .onConflictDoUpdate({ target: [candles.exchange, candles.symbol, candles.timeframe, candles.ts], set: { close: sql`excluded.close` } });
  }
  const refS = (performance.now() - t) / 1000;
  await database.db.execute(sql`delete from candles where exchange = 'bench'`);
  return [
    { name: `reference: drizzle multi-row VALUES upsert (${label})`, value: Math.round(rows.length / refS), unit: 'rows/s' },
    { name: `ratio new-row upsert / reference (${label})`, value: Number((refS / insertS).toFixed(2)), unit: '×' },
    { name: `candle upsert, new rows (${label})`, value: Math.round(rows.length / insertS), unit: 'rows/s' },
    { name: `candle upsert, all conflicting (${label})`, value: Math.round(rows.length / updateS), unit: 'rows/s' },
  ];
}

/** Runs the upsert benchmark on both engines. Postgres is skipped (with a note) when unreachable. */
export async function runUpsertBench(): Promise<BenchFigure[]> {
  const rows = tiledCandles(ROWS);
  const out: BenchFigure[] = [];
  const lite = await openDatabase({ dataDir: 'memory://' });
  out.push(...(await measure(lite, 'PGlite', rows)));
  await lite.close();
  const probe = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await probe.connect();
    await probe.end();
  } catch {
    console.log(`(Postgres at ${PG_URL} unreachable: skipped)`);
    return out;
  }
  const pgdb = await openDatabase({ databaseUrl: PG_URL, dataDir: 'unused' });
  out.push(...(await measure(pgdb, 'Postgres', rows)));
  await pgdb.close();
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const f of await runUpsertBench()) console.log(`${f.name}: ${f.value.toLocaleString('en-US')} ${f.unit}`);
}
