import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import * as schema from './schema/index.js';

/** The Drizzle database type shared by the PGlite and Postgres drivers. Repositories take this (or a transaction). */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

/** Which engine backs a {@link Database}. */
export type DbKind = 'pglite' | 'postgres';

/** An open database: Drizzle handle, engine kind, a liveness probe and close. */
export interface Database {
  db: Db;
  kind: DbKind;
  /** Round-trips `select 1`; false on any error. */
  ping(): Promise<boolean>;
  /** Closes the pool / embedded engine. */
  close(): Promise<void>;
}

/** Folder with the drizzle-kit migrations (repo-level `drizzle/`). */
export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../drizzle');

/**
 * Opens the database and applies pending migrations.
 * @param opts `databaseUrl` → Postgres via node-postgres; otherwise PGlite stored in `dataDir/pglite`
 *   (`dataDir: 'memory://'` gives an in-memory PGlite for tests).
 */
export async function openDatabase(opts: { databaseUrl?: string | undefined; dataDir: string }): Promise<Database> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 10 });
    const db = drizzlePg(pool, { schema }) as unknown as Db;
    await migratePg(drizzlePg(pool), { migrationsFolder: MIGRATIONS_DIR });
    return {
      db,
      kind: 'postgres',
      ping: () => pingDb(db),
      close: () => pool.end(),
    };
  }
  let dir = opts.dataDir;
  if (!dir.startsWith('memory://')) {
    dir = path.resolve(dir, 'pglite');
    mkdirSync(dir, { recursive: true });
  }
  const releaseLock = dir.startsWith('memory://') ? () => undefined : acquireLock(dir);
  let client: PGlite;
  try {
    client = new PGlite(dir);
    await client.waitReady;
  } catch (err) {
    releaseLock();
    throw err;
  }
  const raw = drizzlePglite(client, { schema });
  try {
    await migratePglite(raw, { migrationsFolder: MIGRATIONS_DIR });
  } catch (err) {
    await client.close().catch(() => undefined);
    releaseLock();
    throw err;
  }
  const db = raw as unknown as Db;
  return {
    db,
    kind: 'pglite',
    ping: () => pingDb(db),
    close: async () => {
      await client.close();
      releaseLock();
    },
  };
}

/** Thrown when another live process already has the PGlite data folder open. */
export class DatabaseInUseError extends Error {
  override readonly name = 'DatabaseInUseError';
}

/**
 * PGlite has a single writer: two processes on one folder corrupt it. A lock file holding the owner's pid
 * keeps a second process (e.g. the CLI while the server runs) out; a lock left by a dead process is taken over.
 * @returns a function releasing the lock
 * @throws DatabaseInUseError naming the pid that holds the folder
 */
function acquireLock(dir: string): () => void {
  const file = path.join(dir, '..', 'osprey.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(file, 'utf8'));
      if (pid && isAlive(pid)) {
        throw new DatabaseInUseError(`OSPREY_DATA_DIR ${path.dirname(file)} is in use by process ${pid} (stop it, or use DATABASE_URL with Postgres for several processes)`);
      }
      rmSync(file, { force: true });
    }
  }
  throw new DatabaseInUseError(`could not lock ${file}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function pingDb(db: Db): Promise<boolean> {
  try {
    await db.execute(sql`select 1`);
    return true;
  } catch {
    return false;
  }
}
