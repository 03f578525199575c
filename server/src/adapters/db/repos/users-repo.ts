import { and, count, desc, eq, gt, isNull, lt, lte, ne, or, sql } from 'drizzle-orm';
import type { PublicUser, Role } from '@osprey/shared';
import type { Db } from '../client.js';
import { bots, exchangeAccounts, sessions, trades, users } from '../schema/index.js';

/** A user row including the password hash (server-side only). */
export type UserRow = typeof users.$inferSelect;

/** Public projection of a user (no hash). */
export const toPublicUser = (u: UserRow): PublicUser => ({ id: u.id, email: u.email, role: u.role, createdAt: u.createdAt, disabledAt: u.disabledAt ?? null });

/** A session row (id = SHA-256 hex of the token). */
export type SessionRow = typeof sessions.$inferSelect;

/** Finds a user by (already normalised) email. */
export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  const [u] = await db.select().from(users).where(eq(users.email, email)).limit(1);
  return u;
}

/** Inserts a user. @throws the driver's unique-violation error (code 23505) on a duplicate email */
export async function insertUser(db: Db, u: { id: string; email: string; passwordHash: string; role: Role; createdAt: number }): Promise<UserRow> {
  const [row] = await db.insert(users).values(u).returning();
  if (!row) throw new Error('insert returned no row');
  return row;
}

/** All users, oldest first. */
export async function listUsers(db: Db): Promise<UserRow[]> {
  return db.select().from(users).orderBy(users.createdAt);
}

/** Number of users. */
export async function countUsers(db: Db): Promise<number> {
  const [r] = await db.select({ n: count() }).from(users);
  return Number(r?.n ?? 0);
}

/** Stores a session (id = SHA-256 hex of the cookie token); `ip`/`userAgent` are cut to 300 characters. */
export async function insertSession(
  db: Db,
  s: { id: string; userId: string; createdAt: number; expiresAt: number; ip?: string | null; userAgent?: string | null },
): Promise<void> {
  await db.insert(sessions).values({ ...s, lastSeenAt: s.createdAt, ip: s.ip?.slice(0, 300) ?? null, userAgent: s.userAgent?.slice(0, 300) ?? null });
}

/**
 * The enabled user of a non-expired session, or undefined; refreshes the session's `last_seen_at` when it is
 * more than `touchMs` old (one conditional UPDATE, so at most one write a minute per session).
 * @param now Unix ms
 */
export async function findSessionUser(db: Db, sessionId: string, now: number, touchMs = 60_000): Promise<UserRow | undefined> {
  const [row] = await db
    .select({ user: users, lastSeenAt: sessions.lastSeenAt })
    .from(sessions)
    .innerJoin(users, eq(sessions.userId, users.id))
    .where(and(eq(sessions.id, sessionId), gt(sessions.expiresAt, now), isNull(users.disabledAt)))
    .limit(1);
  if (row && (row.lastSeenAt === null || now - row.lastSeenAt >= touchMs)) {
    await db.update(sessions).set({ lastSeenAt: now }).where(and(eq(sessions.id, sessionId), or(isNull(sessions.lastSeenAt), lt(sessions.lastSeenAt, now - touchMs))));
  }
  return row?.user;
}

/** A user by id (with hash), or undefined. */
export async function findUserById(db: Db, id: string): Promise<UserRow | undefined> {
  const [u] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  return u;
}

/** Changes some of a user's fields. @returns the updated row, or undefined when there is no such user */
export async function updateUser(db: Db, id: string, patch: Partial<Pick<UserRow, 'role' | 'disabledAt' | 'passwordHash'>>): Promise<UserRow | undefined> {
  const [row] = await db.update(users).set(patch).where(eq(users.id, id)).returning();
  return row;
}

/** Deletes a user; their sessions, accounts (with orders, fills, trades) and bots go with them (FK cascade). */
export async function deleteUser(db: Db, id: string): Promise<void> {
  await db.delete(users).where(eq(users.id, id));
}

/** Number of enabled admins other than `exceptId`. */
export async function countOtherEnabledAdmins(db: Db, exceptId: string): Promise<number> {
  const [r] = await db
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.role, 'admin'), isNull(users.disabledAt), ne(users.id, exceptId)));
  return Number(r?.n ?? 0);
}

/** What a user still has running: bots with status `running` and trades `opening`/`open`, across their accounts. */
export async function userActivity(db: Db, userId: string): Promise<{ runningBots: string[]; openTrades: number }> {
  const running = await db.select({ name: bots.name }).from(bots).where(and(eq(bots.userId, userId), eq(bots.status, 'running')));
  const [t] = await db
    .select({ n: count() })
    .from(trades)
    .innerJoin(exchangeAccounts, eq(trades.accountId, exchangeAccounts.id))
    .where(and(eq(exchangeAccounts.userId, userId), sql`${trades.status} in ('opening', 'open')`));
  return { runningBots: running.map((r) => r.name), openTrades: Number(t?.n ?? 0) };
}

/** A user's sessions not expired at `now`, most recently used first. */
export async function listSessions(db: Db, userId: string, now: number): Promise<SessionRow[]> {
  return db
    .select()
    .from(sessions)
    .where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, now)))
    .orderBy(desc(sessions.lastSeenAt), desc(sessions.createdAt));
}

/** Deletes one session of a user. @returns whether it existed */
export async function deleteUserSession(db: Db, userId: string, sessionId: string): Promise<boolean> {
  const rows = await db.delete(sessions).where(and(eq(sessions.userId, userId), eq(sessions.id, sessionId))).returning({ id: sessions.id });
  return rows.length > 0;
}

/** Deletes every session of a user, except `keepId` when given. */
export async function deleteUserSessions(db: Db, userId: string, keepId?: string): Promise<void> {
  await db.delete(sessions).where(keepId ? and(eq(sessions.userId, userId), ne(sessions.id, keepId)) : eq(sessions.userId, userId));
}

/** Deletes one session (logout). */
export async function deleteSession(db: Db, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
}

/** Deletes sessions expired at `now` (Unix ms). */
export async function deleteExpiredSessions(db: Db, now: number): Promise<void> {
  await db.delete(sessions).where(lte(sessions.expiresAt, now));
}
