import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { exchangeAccounts } from '../schema/index.js';

/** An `exchange_accounts` row, secrets still sealed (server-side only; never returned to clients). */
export type AccountRow = typeof exchangeAccounts.$inferSelect;
/** Values to insert into `exchange_accounts`. */
export type NewAccountRow = typeof exchangeAccounts.$inferInsert;
/** Columns an update may change (never the id, owner or creation time). */
export type AccountPatch = Partial<Omit<NewAccountRow, 'id' | 'userId' | 'createdAt'>>;

/**
 * Inserts an account.
 * @throws the driver's unique-violation error (code 23505) when the user already has an account with that name
 */
export async function insertAccount(db: Db, row: NewAccountRow): Promise<AccountRow> {
  const [r] = await db.insert(exchangeAccounts).values(row).returning();
  if (!r) throw new Error('insert returned no row');
  return r;
}

/** The user's accounts, oldest first. */
export async function listAccountsByUser(db: Db, userId: string): Promise<AccountRow[]> {
  return db.select().from(exchangeAccounts).where(eq(exchangeAccounts.userId, userId)).orderBy(asc(exchangeAccounts.createdAt), asc(exchangeAccounts.name));
}

/** One account of a user; undefined when it does not exist *or belongs to someone else*. */
export async function findAccountOfUser(db: Db, userId: string, id: string): Promise<AccountRow | undefined> {
  const [r] = await db
    .select()
    .from(exchangeAccounts)
    .where(and(eq(exchangeAccounts.id, id), eq(exchangeAccounts.userId, userId)))
    .limit(1);
  return r;
}

/** An account by id regardless of owner (server-internal use: jobs, adapter construction). */
export async function findAccountById(db: Db, id: string): Promise<AccountRow | undefined> {
  const [r] = await db.select().from(exchangeAccounts).where(eq(exchangeAccounts.id, id)).limit(1);
  return r;
}

/** The user's account with this exact name, if any. */
export async function findAccountByName(db: Db, userId: string, name: string): Promise<AccountRow | undefined> {
  const [r] = await db
    .select()
    .from(exchangeAccounts)
    .where(and(eq(exchangeAccounts.userId, userId), eq(exchangeAccounts.name, name)))
    .limit(1);
  return r;
}

/** Every account of every user (jobs that sync all accounts). */
export async function listAllAccounts(db: Db): Promise<AccountRow[]> {
  return db.select().from(exchangeAccounts).orderBy(asc(exchangeAccounts.createdAt));
}

/**
 * Updates a user's account.
 * @returns the updated row, or undefined when the account does not exist or belongs to someone else
 * @throws the driver's unique-violation error (23505) on a name clash
 */
export async function updateAccountOfUser(db: Db, userId: string, id: string, patch: AccountPatch): Promise<AccountRow | undefined> {
  const [r] = await db
    .update(exchangeAccounts)
    .set(patch)
    .where(and(eq(exchangeAccounts.id, id), eq(exchangeAccounts.userId, userId)))
    .returning();
  return r;
}

/** Deletes a user's account (its orders, trades, fills… cascade). @returns false when nothing matched */
export async function deleteAccountOfUser(db: Db, userId: string, id: string): Promise<boolean> {
  const rows = await db
    .delete(exchangeAccounts)
    .where(and(eq(exchangeAccounts.id, id), eq(exchangeAccounts.userId, userId)))
    .returning({ id: exchangeAccounts.id });
  return rows.length > 0;
}

/** True when `err` (or an error in its `cause` chain, as drizzle wraps driver errors) is a Postgres unique violation. */
export function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === '23505') return true;
  }
  return false;
}
