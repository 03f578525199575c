/**
 * Queries over the trading tables (orders, fills, trades, pending orders, position/equity snapshots, paper
 * state). Money columns are decimal strings in and out. Every function takes the db (or a transaction) first,
 * so callers compose them in `db.transaction(tx => …)`.
 */
import { and, asc, desc, eq, gte, inArray, lte, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { OrderStatus, PendingOrderStatus, TradeStatus } from '@osprey/shared';
import type { Db } from '../client.js';
import { equitySnapshots, fills, orders, paperState, pendingOrders, positionSnapshots, trades } from '../schema/index.js';

/** An `orders` row. */
export type OrderRow = typeof orders.$inferSelect;
/** Values to insert into `orders`. */
export type NewOrderRow = typeof orders.$inferInsert;
/** A `fills` row. */
export type FillRow = typeof fills.$inferSelect;
/** Values to insert into `fills`. */
export type NewFillRow = typeof fills.$inferInsert;
/** A `trades` row. */
export type TradeRow = typeof trades.$inferSelect;
/** Values to insert into `trades`. */
export type NewTradeRow = typeof trades.$inferInsert;
/** Columns of a trade an update may change. */
export type TradePatch = Partial<Omit<NewTradeRow, 'id' | 'accountId' | 'openedAt'>>;
/** A `pending_orders` row. */
export type PendingOrderRow = typeof pendingOrders.$inferSelect;
/** Values to insert into `pending_orders`. */
export type NewPendingOrderRow = typeof pendingOrders.$inferInsert;
/** A `position_snapshots` row. */
export type PositionSnapshotRow = typeof positionSnapshots.$inferSelect;
/** An `equity_snapshots` row. */
export type EquitySnapshotRow = typeof equitySnapshots.$inferSelect;

/** `excluded.<column>` in an ON CONFLICT … DO UPDATE: the value the insert proposed. */
const excluded = (col: PgColumn): SQL => sql.raw(`excluded."${col.name}"`);

// ---- orders ----

/**
 * Inserts an order or, when (account, clientOrderId) exists, refreshes its venue state: exchange id (kept when the
 * update has none), status, filled, average, price, trigger price, fee, trade link (kept when the update has none)
 * and `updatedAt`. An update older than the stored row (`updatedAt` lower) is ignored, so out-of-order syncs never
 * move an order backwards.
 * @returns the stored row after the call
 */
export async function upsertOrder(db: Db, row: NewOrderRow): Promise<OrderRow> {
  const [r] = await db
    .insert(orders)
    .values(row)
    .onConflictDoUpdate({
      target: [orders.accountId, orders.clientOrderId],
      set: {
        exchangeOrderId: sql`coalesce(${excluded(orders.exchangeOrderId)}, ${orders.exchangeOrderId})`,
        status: excluded(orders.status),
        filled: excluded(orders.filled),
        average: excluded(orders.average),
        price: sql`coalesce(${excluded(orders.price)}, ${orders.price})`,
        triggerPrice: sql`coalesce(${excluded(orders.triggerPrice)}, ${orders.triggerPrice})`,
        fee: excluded(orders.fee),
        feeCurrency: sql`coalesce(${excluded(orders.feeCurrency)}, ${orders.feeCurrency})`,
        tradeId: sql`coalesce(${excluded(orders.tradeId)}, ${orders.tradeId})`,
        updatedAt: excluded(orders.updatedAt),
      },
      setWhere: sql`${excluded(orders.updatedAt)} >= ${orders.updatedAt}`,
    })
    .returning();
  if (r) return r;
  const existing = await findOrderByClientId(db, row.accountId, row.clientOrderId);
  if (!existing) throw new Error('upsertOrder: row vanished');
  return existing;
}

/** The order with Osprey's `clientOrderId` on an account. */
export async function findOrderByClientId(db: Db, accountId: string, clientOrderId: string): Promise<OrderRow | undefined> {
  const [r] = await db
    .select()
    .from(orders)
    .where(and(eq(orders.accountId, accountId), eq(orders.clientOrderId, clientOrderId)))
    .limit(1);
  return r;
}

/** The order with the venue's id on an account. */
export async function findOrderByExchangeId(db: Db, accountId: string, exchangeOrderId: string): Promise<OrderRow | undefined> {
  const [r] = await db
    .select()
    .from(orders)
    .where(and(eq(orders.accountId, accountId), eq(orders.exchangeOrderId, exchangeOrderId)))
    .limit(1);
  return r;
}

/**
 * Orders of an account, newest first (`createdAt`).
 * @param q optional symbol / status / trade filters and a row limit (default 500)
 */
export async function listOrders(
  db: Db,
  q: { accountId: string; symbol?: string | undefined; status?: OrderStatus | undefined; tradeId?: string | undefined; limit?: number | undefined },
): Promise<OrderRow[]> {
  return db
    .select()
    .from(orders)
    .where(
      and(
        eq(orders.accountId, q.accountId),
        q.symbol ? eq(orders.symbol, q.symbol) : undefined,
        q.status ? eq(orders.status, q.status) : undefined,
        q.tradeId ? eq(orders.tradeId, q.tradeId) : undefined,
      ),
    )
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(q.limit ?? 500);
}

// ---- fills ----

/** Stores fills; one already stored (same account and venue fill id) is skipped. @returns the rows newly inserted */
export async function insertFills(db: Db, rows: readonly NewFillRow[]): Promise<FillRow[]> {
  if (rows.length === 0) return [];
  return db
    .insert(fills)
    .values([...rows])
    .onConflictDoNothing({ target: [fills.accountId, fills.exchangeFillId] })
    .returning();
}

/**
 * Fills of an account, oldest first.
 * @param q optional venue order id, symbol, inclusive `since` (Unix ms) and a row limit (default 1000)
 */
export async function listFills(
  db: Db,
  q: { accountId: string; orderId?: string | undefined; symbol?: string | undefined; since?: number | undefined; limit?: number | undefined },
): Promise<FillRow[]> {
  return db
    .select()
    .from(fills)
    .where(
      and(
        eq(fills.accountId, q.accountId),
        q.orderId ? eq(fills.orderId, q.orderId) : undefined,
        q.symbol ? eq(fills.symbol, q.symbol) : undefined,
        q.since !== undefined ? gte(fills.ts, q.since) : undefined,
      ),
    )
    .orderBy(asc(fills.ts), asc(fills.id))
    .limit(q.limit ?? 1000);
}

// ---- trades ----

/** Inserts a trade. */
export async function insertTrade(db: Db, row: NewTradeRow): Promise<TradeRow> {
  const [r] = await db.insert(trades).values(row).returning();
  if (!r) throw new Error('insert returned no row');
  return r;
}

/** Updates a trade. @returns the updated row, or undefined when it does not exist */
export async function updateTrade(db: Db, id: string, patch: TradePatch): Promise<TradeRow | undefined> {
  const [r] = await db.update(trades).set(patch).where(eq(trades.id, id)).returning();
  return r;
}

/**
 * Deletes a trade that never reached the venue (its entry was refused before being sent). Orders and pending
 * orders pointing at it keep their rows with `trade_id` set to null (foreign keys).
 * @returns true when a row was deleted
 */
export async function deleteTrade(db: Db, id: string): Promise<boolean> {
  const r = await db.delete(trades).where(eq(trades.id, id)).returning({ id: trades.id });
  return r.length > 0;
}

/**
 * Deletes the placeholder row of an order the venue never got (written before the create, refused before it
 * was sent): only an `open` row without a venue id and with nothing filled is removed.
 * @returns true when a row was deleted
 */
export async function deleteOrderPlaceholder(db: Db, accountId: string, clientOrderId: string): Promise<boolean> {
  const r = await db
    .delete(orders)
    .where(
      and(
        eq(orders.accountId, accountId),
        eq(orders.clientOrderId, clientOrderId),
        sql`${orders.exchangeOrderId} is null`,
        eq(orders.status, 'open'),
        eq(orders.filled, '0'),
      ),
    )
    .returning({ id: orders.id });
  return r.length > 0;
}

/** A trade by id. */
export async function findTrade(db: Db, id: string): Promise<TradeRow | undefined> {
  const [r] = await db.select().from(trades).where(eq(trades.id, id)).limit(1);
  return r;
}

/**
 * Trades newest first (`openedAt`).
 * @param q account (optional: all accounts, for jobs), status, symbol, row limit (default 500)
 */
export async function listTrades(
  db: Db,
  q: { accountId?: string | undefined; status?: TradeStatus | undefined; symbol?: string | undefined; limit?: number | undefined },
): Promise<TradeRow[]> {
  return db
    .select()
    .from(trades)
    .where(
      and(
        q.accountId ? eq(trades.accountId, q.accountId) : undefined,
        q.status ? eq(trades.status, q.status) : undefined,
        q.symbol ? eq(trades.symbol, q.symbol) : undefined,
      ),
    )
    .orderBy(desc(trades.openedAt), desc(trades.id))
    .limit(q.limit ?? 500);
}

// ---- pending orders ----

/** Inserts a pending order. */
export async function insertPendingOrder(db: Db, row: NewPendingOrderRow): Promise<PendingOrderRow> {
  const [r] = await db.insert(pendingOrders).values(row).returning();
  if (!r) throw new Error('insert returned no row');
  return r;
}

/** Pending orders, oldest first, optionally of one account and/or in one status. */
export async function listPendingOrders(
  db: Db,
  q: { accountId?: string | undefined; status?: PendingOrderStatus | undefined } = {},
): Promise<PendingOrderRow[]> {
  return db
    .select()
    .from(pendingOrders)
    .where(and(q.accountId ? eq(pendingOrders.accountId, q.accountId) : undefined, q.status ? eq(pendingOrders.status, q.status) : undefined))
    .orderBy(asc(pendingOrders.createdAt), asc(pendingOrders.id));
}

/**
 * Moves a pending order out of `PENDING` (compare-and-set), so two watchers cannot both trigger it.
 * @param patch the new status and, for TRIGGERED, `triggeredAt`/`tradeId`
 * @returns the updated row, or undefined when it was no longer PENDING (or does not exist)
 */
export async function transitionPendingOrder(
  db: Db,
  id: string,
  patch: { status: Exclude<PendingOrderStatus, 'PENDING'>; triggeredAt?: number | null; tradeId?: string | null },
): Promise<PendingOrderRow | undefined> {
  const [r] = await db
    .update(pendingOrders)
    .set(patch)
    .where(and(eq(pendingOrders.id, id), eq(pendingOrders.status, 'PENDING')))
    .returning();
  return r;
}

// ---- snapshots ----

/**
 * Stores position snapshots; a (account, symbol, side, updatedAt) already stored is skipped, so re-syncing an
 * unchanged position writes nothing. @returns the number of rows newly inserted
 */
export async function insertPositionSnapshots(db: Db, rows: readonly (typeof positionSnapshots.$inferInsert)[]): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await db
    .insert(positionSnapshots)
    .values([...rows])
    .onConflictDoNothing()
    .returning({ symbol: positionSnapshots.symbol });
  return inserted.length;
}

/**
 * Position snapshots of an account, oldest first, with optional symbol and inclusive `updatedAt` bounds (Unix ms).
 */
export async function listPositionSnapshots(
  db: Db,
  q: { accountId: string; symbol?: string | undefined; from?: number | undefined; to?: number | undefined; limit?: number | undefined },
): Promise<PositionSnapshotRow[]> {
  return db
    .select()
    .from(positionSnapshots)
    .where(
      and(
        eq(positionSnapshots.accountId, q.accountId),
        q.symbol ? eq(positionSnapshots.symbol, q.symbol) : undefined,
        q.from !== undefined ? gte(positionSnapshots.updatedAt, q.from) : undefined,
        q.to !== undefined ? lte(positionSnapshots.updatedAt, q.to) : undefined,
      ),
    )
    .orderBy(asc(positionSnapshots.updatedAt), asc(positionSnapshots.symbol))
    .limit(q.limit ?? 5000);
}

/** Stores the equity of an account at `ts` (Unix ms); a second value for the same ts replaces the first. */
export async function upsertEquitySnapshot(db: Db, row: EquitySnapshotRow): Promise<void> {
  await db
    .insert(equitySnapshots)
    .values(row)
    .onConflictDoUpdate({
      target: [equitySnapshots.accountId, equitySnapshots.ts],
      set: { equity: excluded(equitySnapshots.equity), balance: excluded(equitySnapshots.balance), unrealizedPnl: excluded(equitySnapshots.unrealizedPnl) },
    });
}

/** Equity history of an account, oldest first, with inclusive `ts` bounds (Unix ms). */
export async function listEquitySnapshots(
  db: Db,
  q: { accountId: string; from?: number | undefined; to?: number | undefined; limit?: number | undefined },
): Promise<EquitySnapshotRow[]> {
  return db
    .select()
    .from(equitySnapshots)
    .where(
      and(
        eq(equitySnapshots.accountId, q.accountId),
        q.from !== undefined ? gte(equitySnapshots.ts, q.from) : undefined,
        q.to !== undefined ? lte(equitySnapshots.ts, q.to) : undefined,
      ),
    )
    .orderBy(asc(equitySnapshots.ts))
    .limit(q.limit ?? 10_000);
}

// ---- paper state ----

/** The saved paper-exchange state of an account, or null when none was saved yet. */
export async function loadPaperState(db: Db, accountId: string): Promise<{ state: Record<string, unknown>; updatedAt: number } | null> {
  const [r] = await db.select().from(paperState).where(eq(paperState.accountId, accountId)).limit(1);
  return r ? { state: r.state, updatedAt: r.updatedAt } : null;
}

/** Saves (replaces) the paper-exchange state of an account. @param updatedAt Unix ms */
export async function savePaperState(db: Db, accountId: string, state: Record<string, unknown>, updatedAt: number): Promise<void> {
  await db
    .insert(paperState)
    .values({ accountId, state, updatedAt })
    .onConflictDoUpdate({ target: paperState.accountId, set: { state: excluded(paperState.state), updatedAt: excluded(paperState.updatedAt) } });
}

// ---- trading service additions ----

/**
 * Records what a TRIGGERED pending order led to: the trade it opened, or why opening failed — an `error` moves
 * it to FAILED (stored with the reason). Only a TRIGGERED order is changed.
 * @returns the updated row, or undefined when it is not TRIGGERED (or does not exist)
 */
export async function setPendingOrderOutcome(db: Db, id: string, outcome: { tradeId: string | null; error: string | null }): Promise<PendingOrderRow | undefined> {
  const [r] = await db
    .update(pendingOrders)
    .set({ ...outcome, ...(outcome.error !== null ? { status: 'FAILED' as const } : {}) })
    .where(and(eq(pendingOrders.id, id), eq(pendingOrders.status, 'TRIGGERED')))
    .returning();
  return r;
}

/** A pending order by id. */
export async function findPendingOrder(db: Db, id: string): Promise<PendingOrderRow | undefined> {
  const [r] = await db.select().from(pendingOrders).where(eq(pendingOrders.id, id)).limit(1);
  return r;
}

/** The newest `limit` fills of an account, newest first (`ts`, then insertion id). */
export async function listRecentFills(db: Db, accountId: string, limit: number): Promise<FillRow[]> {
  return db.select().from(fills).where(eq(fills.accountId, accountId)).orderBy(desc(fills.ts), desc(fills.id)).limit(limit);
}

/** Ids of accounts with at least one `open` order row. */
export async function accountsWithOpenOrders(db: Db): Promise<string[]> {
  const rows = await db.selectDistinct({ accountId: orders.accountId }).from(orders).where(eq(orders.status, 'open'));
  return rows.map((r) => r.accountId);
}

// ---- dashboard reads ----

/**
 * Closed trades of the given accounts whose `closedAt` is at or after `since` (Unix ms), newest close first:
 * id, account, symbol, source, net realized PnL (quote, decimal string) and close time. Empty for no accounts.
 */
export async function listTradesClosedSince(
  db: Db,
  accountIds: readonly string[],
  since: number,
): Promise<Array<Pick<TradeRow, 'id' | 'accountId' | 'symbol' | 'source' | 'realizedPnl' | 'closedAt'>>> {
  if (accountIds.length === 0) return [];
  return db
    .select({ id: trades.id, accountId: trades.accountId, symbol: trades.symbol, source: trades.source, realizedPnl: trades.realizedPnl, closedAt: trades.closedAt })
    .from(trades)
    .where(and(inArray(trades.accountId, [...accountIds]), eq(trades.status, 'closed'), gte(trades.closedAt, since)))
    .orderBy(desc(trades.closedAt), desc(trades.id));
}

/** The account's latest equity snapshot at or before `ts` (Unix ms), or undefined when there is none. */
export async function lastEquitySnapshotAtOrBefore(db: Db, accountId: string, ts: number): Promise<EquitySnapshotRow | undefined> {
  const [r] = await db
    .select()
    .from(equitySnapshots)
    .where(and(eq(equitySnapshots.accountId, accountId), lte(equitySnapshots.ts, ts)))
    .orderBy(desc(equitySnapshots.ts))
    .limit(1);
  return r;
}

/**
 * Stop-loss and take-profit orders of the given accounts that ended `rejected`, `canceled` or `expired` with their
 * last update at or after `since` (Unix ms), newest first, at most `limit` (default 100). Whether a cancel was the
 * venue's or Osprey's own is not in the row (see the trade's `lastError`).
 */
export async function listDeadProtectiveOrders(db: Db, accountIds: readonly string[], since: number, limit = 100): Promise<OrderRow[]> {
  if (accountIds.length === 0) return [];
  return db
    .select()
    .from(orders)
    .where(
      and(
        inArray(orders.accountId, [...accountIds]),
        inArray(orders.kind, ['stop_loss', 'take_profit']),
        inArray(orders.status, ['rejected', 'canceled', 'expired']),
        gte(orders.updatedAt, since),
      ),
    )
    .orderBy(desc(orders.updatedAt), desc(orders.id))
    .limit(limit);
}
