import { and, desc, eq, gte, lte } from 'drizzle-orm';
import type { MarketSignal } from '@osprey/shared';
import type { Db } from '../client.js';
import { marketSignals } from '../schema/index.js';

/** Stores signals; an existing id (same exchange/symbol/candle) is left as it is. @returns rows newly inserted */
export async function insertSignals(db: Db, signals: readonly MarketSignal[]): Promise<MarketSignal[]> {
  if (signals.length === 0) return [];
  const rows = await db.insert(marketSignals).values(signals.map((s) => ({ ...s }))).onConflictDoNothing().returning();
  return rows.map(toSignal);
}

/**
 * Signals newest first.
 * @param q optional exchange/symbol filter and inclusive `candleTs` bounds (Unix ms), `limit` rows
 */
export async function listSignals(
  db: Db,
  q: { exchange?: string | undefined; symbol?: string | undefined; from?: number | undefined; to?: number | undefined; limit: number },
): Promise<MarketSignal[]> {
  const rows = await db
    .select()
    .from(marketSignals)
    .where(
      and(
        q.exchange ? eq(marketSignals.exchange, q.exchange) : undefined,
        q.symbol ? eq(marketSignals.symbol, q.symbol) : undefined,
        q.from !== undefined ? gte(marketSignals.candleTs, q.from) : undefined,
        q.to !== undefined ? lte(marketSignals.candleTs, q.to) : undefined,
      ),
    )
    .orderBy(desc(marketSignals.candleTs))
    .limit(q.limit);
  return rows.map(toSignal);
}

function toSignal(r: typeof marketSignals.$inferSelect): MarketSignal {
  return {
    id: r.id,
    exchange: r.exchange,
    symbol: r.symbol,
    type: r.type,
    score: r.score,
    sizeMultiplier: r.sizeMultiplier,
    candleTs: r.candleTs,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    details: r.details,
  };
}
