import { eq, sql } from 'drizzle-orm';
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

/** A saved position of a simulated clock: the setting it started from and how far it got (Unix ms). */
export interface ClockPosition {
  startAt: number;
  now: number;
}

/**
 * Writes a clock position under `key`, never moving it back: the stored value is replaced only when it started
 * from another `startAt` (the start setting changed) or got less far (`now` smaller). Atomic (one upsert), so
 * writers racing from different moments (a periodic save, checkpoints inside other transactions) keep the
 * furthest position.
 * @param updatedAt Unix ms (wall clock)
 */
export async function advanceClockPosition(db: Db, key: string, position: ClockPosition, updatedAt: number): Promise<void> {
  const value = { startAt: position.startAt, now: position.now };
  await db
    .insert(appState)
    .values({ key, value, updatedAt })
    .onConflictDoUpdate({
      target: appState.key,
      set: { value, updatedAt },
      setWhere: sql`(${appState.value}->>'startAt')::float8 is distinct from ${position.startAt}::float8 or coalesce((${appState.value}->>'now')::float8, 0) < ${position.now}::float8`,
    });
}
