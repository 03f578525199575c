/**
 * Persistence of bots (config, status, runner state, lease), their events, round trips and series, and of
 * backtest runs. Every function takes the db (or a transaction) first so callers compose them in
 * `db.transaction(tx => …)`. Money columns are decimal strings in and out; times Unix ms UTC.
 */
import { and, asc, desc, eq, gt, gte, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import type { RiskRules } from '@osprey/shared';
import { accountRiskRules, backtestRuns, botEvents, botSeries, botTrades, bots, exchangeAccounts } from '../schema/index.js';

/** A `bots` row. */
export type BotRow = typeof bots.$inferSelect;
/** Values to insert into `bots`. */
export type NewBotRow = typeof bots.$inferInsert;
/** A `bot_events` row. */
export type BotEventRow = typeof botEvents.$inferSelect;
/** A `bot_trades` row. */
export type BotTradeRow = typeof botTrades.$inferSelect;
/** A `backtest_runs` row. */
export type BacktestRunRow = typeof backtestRuns.$inferSelect;

/** Inserts a bot. */
export async function insertBot(db: Db, row: NewBotRow): Promise<BotRow> {
  const [r] = await db.insert(bots).values(row).returning();
  if (!r) throw new Error('insert returned no row');
  return r;
}

/** Updates columns of a bot; returns the new row (undefined when it is gone). */
export async function updateBot(db: Db, id: string, patch: Partial<Omit<NewBotRow, 'id' | 'userId' | 'createdAt'>>): Promise<BotRow | undefined> {
  const [r] = await db.update(bots).set(patch).where(eq(bots.id, id)).returning();
  return r;
}

/** A bot of a user (undefined when missing or someone else's). */
export async function findBotOfUser(db: Db, userId: string, id: string): Promise<BotRow | undefined> {
  const [r] = await db
    .select()
    .from(bots)
    .where(and(eq(bots.id, id), eq(bots.userId, userId)))
    .limit(1);
  return r;
}

/** A bot by id (server-internal). */
export async function findBotById(db: Db, id: string): Promise<BotRow | undefined> {
  const [r] = await db.select().from(bots).where(eq(bots.id, id)).limit(1);
  return r;
}

/** The user's bots with their account's name, oldest first. */
export async function listBotsByUser(db: Db, userId: string): Promise<Array<BotRow & { accountName: string }>> {
  const rows = await db
    .select({ bot: bots, accountName: exchangeAccounts.name })
    .from(bots)
    .innerJoin(exchangeAccounts, eq(exchangeAccounts.id, bots.accountId))
    .where(eq(bots.userId, userId))
    .orderBy(asc(bots.createdAt));
  return rows.map((r) => ({ ...r.bot, accountName: r.accountName }));
}

/** Bots whose status is `running` (to resume at start). */
export async function listRunningBots(db: Db): Promise<BotRow[]> {
  return db.select().from(bots).where(eq(bots.status, 'running')).orderBy(asc(bots.createdAt));
}

/** Every bot trading on an account (any status), oldest first. */
export async function listBotsOfAccount(db: Db, accountId: string): Promise<BotRow[]> {
  return db.select().from(bots).where(eq(bots.accountId, accountId)).orderBy(asc(bots.createdAt));
}

/** The account's risk rules; `{}` when none are set. */
export async function findAccountRiskRules(db: Db, accountId: string): Promise<RiskRules> {
  const [r] = await db.select({ rules: accountRiskRules.rules }).from(accountRiskRules).where(eq(accountRiskRules.accountId, accountId)).limit(1);
  return r?.rules ?? {};
}

/** Sets (replaces) the account's risk rules. */
export async function upsertAccountRiskRules(db: Db, accountId: string, rules: RiskRules, now: number): Promise<void> {
  await db
    .insert(accountRiskRules)
    .values({ accountId, rules, updatedAt: now })
    .onConflictDoUpdate({ target: accountRiskRules.accountId, set: { rules, updatedAt: now } });
}

/**
 * Id, PnL (quote, decimal string) and close time of the round trips of the account's bots: all of them in
 * close order, or (with `afterId`) those recorded after that id, in the order they were recorded.
 */
export async function listAccountRoundTrips(db: Db, accountId: string, afterId?: number): Promise<Array<{ id: number; botId: string; unit: string | null; pnl: string; closedAt: number }>> {
  const q = db
    .select({ id: botTrades.id, botId: botTrades.botId, unit: botTrades.unit, pnl: botTrades.pnl, closedAt: botTrades.closedAt })
    .from(botTrades)
    .innerJoin(bots, eq(bots.id, botTrades.botId))
    .where(afterId === undefined ? eq(bots.accountId, accountId) : and(eq(bots.accountId, accountId), gt(botTrades.id, afterId)));
  return afterId === undefined ? q.orderBy(asc(botTrades.closedAt), asc(botTrades.id)) : q.orderBy(asc(botTrades.id));
}

/** Open positions (held + pending entries, as of each runner's last step) of every bot on an account. */
export async function listAccountOpenPositions(db: Db, accountId: string): Promise<Array<{ id: string; openPositions: number }>> {
  return db.select({ id: bots.id, openPositions: bots.openPositions }).from(bots).where(eq(bots.accountId, accountId));
}

/** Deletes a bot (cascades to its events, trades and series). */
export async function deleteBot(db: Db, id: string): Promise<void> {
  await db.delete(bots).where(eq(bots.id, id));
}

/**
 * Takes or renews the lease of a bot for `owner` until `now + ttlMs`: succeeds when the lease is free,
 * already `owner`'s, or expired (`lease_until < now`). Atomic (one conditional UPDATE).
 * @returns true when `owner` holds the lease afterwards
 */
export async function acquireLease(db: Db, id: string, owner: string, now: number, ttlMs: number): Promise<boolean> {
  const r = await db
    .update(bots)
    .set({ leaseOwner: owner, leaseUntil: now + ttlMs })
    .where(and(eq(bots.id, id), or(isNull(bots.leaseOwner), eq(bots.leaseOwner, owner), lt(bots.leaseUntil, now))))
    .returning({ id: bots.id });
  return r.length === 1;
}

/**
 * Takes over the lease of a bot from `from` — a holder known to be gone — for `owner` until `now + ttlMs`,
 * whatever its expiry. Atomic compare-and-set (one conditional UPDATE on `lease_owner = from`): when several
 * processes try at once, or the holder renewed or released it meanwhile, at most one succeeds.
 * @returns true when `owner` holds the lease afterwards
 */
export async function takeOverLease(db: Db, id: string, from: string, owner: string, now: number, ttlMs: number): Promise<boolean> {
  const r = await db
    .update(bots)
    .set({ leaseOwner: owner, leaseUntil: now + ttlMs })
    .where(and(eq(bots.id, id), eq(bots.leaseOwner, from)))
    .returning({ id: bots.id });
  return r.length === 1;
}

/** Releases `owner`'s lease (no-op when someone else holds it). */
export async function releaseLease(db: Db, id: string, owner: string): Promise<void> {
  await db
    .update(bots)
    .set({ leaseOwner: null, leaseUntil: null })
    .where(and(eq(bots.id, id), eq(bots.leaseOwner, owner)));
}

/** Appends bot events. */
export async function insertBotEvents(db: Db, rows: Array<typeof botEvents.$inferInsert>): Promise<void> {
  if (rows.length > 0) await db.insert(botEvents).values(rows);
}

/** A bot's events, newest first. */
export async function listBotEvents(db: Db, botId: string, limit = 200): Promise<BotEventRow[]> {
  return db.select().from(botEvents).where(eq(botEvents.botId, botId)).orderBy(desc(botEvents.id)).limit(limit);
}

/** Appends closed round trips. */
export async function insertBotTrades(db: Db, rows: Array<typeof botTrades.$inferInsert>): Promise<void> {
  if (rows.length > 0) await db.insert(botTrades).values(rows);
}

/** A bot's round trips, oldest first (the last `limit`). */
export async function listBotTrades(db: Db, botId: string, limit = 500): Promise<BotTradeRow[]> {
  const rows = await db.select().from(botTrades).where(eq(botTrades.botId, botId)).orderBy(desc(botTrades.id)).limit(limit);
  return rows.reverse();
}

/** Stores series points (a point already stored at the same time is replaced). */
export async function upsertBotSeries(db: Db, rows: Array<typeof botSeries.$inferInsert>): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insert(botSeries)
    .values(rows)
    .onConflictDoUpdate({ target: [botSeries.botId, botSeries.series, botSeries.ts], set: { value: sql`excluded.value` } });
}

/** The last `limit` points of a bot's series, oldest first. */
export async function listBotSeries(db: Db, botId: string, limit = 2000): Promise<Array<{ series: string; ts: number; value: number }>> {
  const rows = await db
    .select({ series: botSeries.series, ts: botSeries.ts, value: botSeries.value })
    .from(botSeries)
    .where(eq(botSeries.botId, botId))
    .orderBy(desc(botSeries.ts))
    .limit(limit);
  return rows.reverse();
}

/** Inserts a backtest run. */
export async function insertBacktestRun(db: Db, row: typeof backtestRuns.$inferInsert): Promise<BacktestRunRow> {
  const [r] = await db.insert(backtestRuns).values(row).returning();
  if (!r) throw new Error('insert returned no row');
  return r;
}

/** Updates a backtest run. */
export async function updateBacktestRun(db: Db, id: string, patch: Partial<typeof backtestRuns.$inferInsert>): Promise<void> {
  await db.update(backtestRuns).set(patch).where(eq(backtestRuns.id, id));
}

/** The user's runs without their result payload, newest first. */
export async function listBacktestRuns(db: Db, userId: string, limit = 200): Promise<Array<Omit<BacktestRunRow, 'result'>>> {
  const { result: _omit, ...cols } = getColumns();
  return db.select(cols).from(backtestRuns).where(eq(backtestRuns.userId, userId)).orderBy(desc(backtestRuns.createdAt)).limit(limit);
}

function getColumns() {
  return {
    id: backtestRuns.id,
    userId: backtestRuns.userId,
    name: backtestRuns.name,
    type: backtestRuns.type,
    config: backtestRuns.config,
    settings: backtestRuns.settings,
    exchange: backtestRuns.exchange,
    fromTs: backtestRuns.fromTs,
    toTs: backtestRuns.toTs,
    status: backtestRuns.status,
    progress: backtestRuns.progress,
    error: backtestRuns.error,
    metrics: backtestRuns.metrics,
    result: backtestRuns.result,
    createdAt: backtestRuns.createdAt,
    finishedAt: backtestRuns.finishedAt,
  };
}

/** A run of a user with its result (undefined when missing or someone else's). */
export async function findBacktestRun(db: Db, userId: string, id: string): Promise<BacktestRunRow | undefined> {
  const [r] = await db
    .select()
    .from(backtestRuns)
    .where(and(eq(backtestRuns.id, id), eq(backtestRuns.userId, userId)))
    .limit(1);
  return r;
}

/** Deletes a run. */
export async function deleteBacktestRun(db: Db, id: string): Promise<void> {
  await db.delete(backtestRuns).where(eq(backtestRuns.id, id));
}

/** Marks runs left `queued`/`running` by a previous process as failed (they cannot resume). */
export async function failInterruptedRuns(db: Db, now: number): Promise<number> {
  const r = await db
    .update(backtestRuns)
    .set({ status: 'failed', error: 'interrupted by a server restart; run it again', finishedAt: now })
    .where(or(eq(backtestRuns.status, 'queued'), eq(backtestRuns.status, 'running')))
    .returning({ id: backtestRuns.id });
  return r.length;
}

// ---- dashboard reads ----

/**
 * Bot id, net PnL (quote, decimal string) and close time of every round trip of the user's bots closed at or
 * after `since` (Unix ms), oldest close first.
 */
export async function listUserRoundTripsSince(db: Db, userId: string, since: number): Promise<Array<{ botId: string; pnl: string; closedAt: number }>> {
  return db
    .select({ botId: botTrades.botId, pnl: botTrades.pnl, closedAt: botTrades.closedAt })
    .from(botTrades)
    .innerJoin(bots, eq(bots.id, botTrades.botId))
    .where(and(eq(bots.userId, userId), gte(botTrades.closedAt, since)))
    .orderBy(asc(botTrades.closedAt), asc(botTrades.id));
}

/** Events of one kind (e.g. `error`) of the user's bots at or after `since` (Unix ms), newest first, at most `limit`. */
export async function listUserBotEvents(db: Db, userId: string, q: { kind: BotEventRow['kind']; since: number; limit: number }): Promise<BotEventRow[]> {
  const rows = await db
    .select({ event: botEvents })
    .from(botEvents)
    .innerJoin(bots, eq(bots.id, botEvents.botId))
    .where(and(eq(bots.userId, userId), eq(botEvents.kind, q.kind), gte(botEvents.ts, q.since)))
    .orderBy(desc(botEvents.ts), desc(botEvents.id))
    .limit(q.limit);
  return rows.map((r) => r.event);
}
