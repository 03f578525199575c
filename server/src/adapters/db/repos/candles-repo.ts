import { and, asc, desc, eq, gte, lte, sql, count } from 'drizzle-orm';
import type { Candle, CandleTimeframe } from '@osprey/shared';
import type { Db } from '../client.js';
import { candles } from '../schema/index.js';

/** Identifies one candle series (any stored timeframe, detail `1m` / `5m` included). */
export interface SeriesKey {
  exchange: string;
  symbol: string;
  timeframe: CandleTimeframe;
}

/** Rows per statement; each statement sends 6 array parameters, so this bounds memory, not bind slots. */
const UPSERT_BATCH = 20_000;

const toCandle = (r: { ts: number; open: number; high: number; low: number; close: number; volume: number }): Candle => ({
  ts: r.ts,
  open: r.open,
  high: r.high,
  low: r.low,
  close: r.close,
  volume: r.volume,
});

/**
 * Bulk upsert of candles of one series (insert, or overwrite OHLCV on the same open time).
 * Sends one column array per field and expands them server-side with `unnest`, which is several times
 * faster than a multi-row VALUES list on both PGlite and Postgres (see `pnpm bench`).
 * Candles must already be validated (`validateCandles`).
 * @returns number of rows written
 */
export async function upsertCandles(db: Db, key: SeriesKey, rows: readonly Candle[]): Promise<number> {
  for (let i = 0; i < rows.length; i += UPSERT_BATCH) {
    const chunk = rows.slice(i, i + UPSERT_BATCH);
    const col = (f: keyof Candle) => sql.param(chunk.map((c) => c[f]));
    await db.execute(sql`
      insert into ${candles} (exchange, symbol, timeframe, ts, open, high, low, close, volume)
      select ${key.exchange}, ${key.symbol}, ${key.timeframe}::timeframe, u.*
      from unnest(${col('ts')}::bigint[], ${col('open')}::float8[], ${col('high')}::float8[], ${col('low')}::float8[],
                  ${col('close')}::float8[], ${col('volume')}::float8[]) as u(ts, open, high, low, close, volume)
      on conflict (exchange, symbol, timeframe, ts) do update set
        open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close, volume = excluded.volume`);
  }
  return rows.length;
}

/**
 * Candles of a series, ascending by open time.
 * @param range `from`/`to` inclusive open-time bounds (Unix ms); with `limit` and no `from`, the most recent `limit` rows
 */
export async function listCandles(
  db: Db,
  key: SeriesKey,
  range: { from?: number | undefined; to?: number | undefined; limit?: number | undefined } = {},
): Promise<Candle[]> {
  const where = and(
    eq(candles.exchange, key.exchange),
    eq(candles.symbol, key.symbol),
    eq(candles.timeframe, key.timeframe),
    range.from !== undefined ? gte(candles.ts, range.from) : undefined,
    range.to !== undefined ? lte(candles.ts, range.to) : undefined,
  );
  const cols = { ts: candles.ts, open: candles.open, high: candles.high, low: candles.low, close: candles.close, volume: candles.volume };
  if (range.from === undefined && range.limit !== undefined) {
    const rows = await db.select(cols).from(candles).where(where).orderBy(desc(candles.ts)).limit(range.limit);
    return rows.reverse().map(toCandle);
  }
  const q = db.select(cols).from(candles).where(where).orderBy(asc(candles.ts));
  const rows = range.limit !== undefined ? await q.limit(range.limit) : await q;
  return rows.map(toCandle);
}

/** Open time of the newest stored candle of a series, or null when empty. */
export async function latestCandleTs(db: Db, key: SeriesKey): Promise<number | null> {
  const [row] = await db
    .select({ ts: sql<string | null>`max(${candles.ts})` })
    .from(candles)
    .where(and(eq(candles.exchange, key.exchange), eq(candles.symbol, key.symbol), eq(candles.timeframe, key.timeframe)));
  return row?.ts == null ? null : Number(row.ts);
}

/** Open times stored for a series within [from, to], ascending (gap detection). */
export async function listCandleTs(db: Db, key: SeriesKey, from: number, to: number): Promise<number[]> {
  const rows = await db
    .select({ ts: candles.ts })
    .from(candles)
    .where(
      and(
        eq(candles.exchange, key.exchange),
        eq(candles.symbol, key.symbol),
        eq(candles.timeframe, key.timeframe),
        gte(candles.ts, from),
        lte(candles.ts, to),
      ),
    )
    .orderBy(asc(candles.ts));
  return rows.map((r) => r.ts);
}

/** Number of stored candles of a series. */
export async function countCandles(db: Db, key: SeriesKey): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(candles)
    .where(and(eq(candles.exchange, key.exchange), eq(candles.symbol, key.symbol), eq(candles.timeframe, key.timeframe)));
  return Number(row?.n ?? 0);
}

/** Distinct symbols stored for an exchange. */
export async function listStoredSymbols(db: Db, exchange: string): Promise<string[]> {
  const rows = await db.selectDistinct({ symbol: candles.symbol }).from(candles).where(eq(candles.exchange, exchange));
  return rows.map((r) => r.symbol).sort();
}

/** First and last open time and count of a stored series (nulls when empty). */
export async function candleCoverage(db: Db, key: SeriesKey): Promise<{ from: number | null; to: number | null; count: number }> {
  const [row] = await db
    .select({ from: sql<string | null>`min(${candles.ts})`, to: sql<string | null>`max(${candles.ts})`, n: count() })
    .from(candles)
    .where(and(eq(candles.exchange, key.exchange), eq(candles.symbol, key.symbol), eq(candles.timeframe, key.timeframe)));
  return { from: row?.from == null ? null : Number(row.from), to: row?.to == null ? null : Number(row.to), count: Number(row?.n ?? 0) };
}
