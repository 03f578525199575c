import { and, eq, gt, lte, count } from 'drizzle-orm';
import type { PublicUser, Role } from '@osprey/shared';
import type { Db } from '../client.js';
import { sessions, users } from '../schema/index.js';

/** A user row including the password hash (server-side only). */
export type UserRow = typeof users.$inferSelect;

/** Public projection of a user (no hash). */
export const toPublicUser = (u: UserRow): PublicUser => ({ id: u.id, email: u.email, role: u.role, createdAt: u.createdAt });

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

/** Stores a session (id = SHA-256 hex of the cookie token). */
export async function insertSession(db: Db, s: { id: string; userId: string; createdAt: number; expiresAt: number }): Promise<void> {
  await db.insert(sessions).values(s);
}

/** The user of a non-expired session, or undefined. @param now Unix ms */
export async function findSessionUser(db: Db, sessionId: string, now: number): Promise<UserRow | undefined> {
  const [row] = await db
    .select({ user: users })
    .from(sessions)
    .innerJoin(users, eq(sessions.userId, users.id))
    .where(and(eq(sessions.id, sessionId), gt(sessions.expiresAt, now)))
    .limit(1);
  return row?.user;
}

/** Deletes one session (logout). */
export async function deleteSession(db: Db, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
}

/** Deletes sessions expired at `now` (Unix ms). */
export async function deleteExpiredSessions(db: Db, now: number): Promise<void> {
  await db.delete(sessions).where(lte(sessions.expiresAt, now));
}
