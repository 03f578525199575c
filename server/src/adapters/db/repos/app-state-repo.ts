import { eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { appState } from '../schema/index.js';

/** Reads a process-state value, or undefined. */
export async function getState<T>(db: Db, key: string): Promise<T | undefined> {
  const [row] = await db.select().from(appState).where(eq(appState.key, key)).limit(1);
  return row?.value as T | undefined;
}

/** Writes a process-state value. @param now Unix ms */
export async function setState(db: Db, key: string, value: unknown, now: number): Promise<void> {
  await db
    .insert(appState)
    .values({ key, value, updatedAt: now })
    .onConflictDoUpdate({ target: appState.key, set: { value, updatedAt: now } });
}
