import { mkdirSync } from 'node:fs';
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
  const client = new PGlite(dir);
  const raw = drizzlePglite(client, { schema });
  await migratePglite(raw, { migrationsFolder: MIGRATIONS_DIR });
  const db = raw as unknown as Db;
  return {
    db,
    kind: 'pglite',
    ping: () => pingDb(db),
    close: () => client.close(),
  };
}

async function pingDb(db: Db): Promise<boolean> {
  try {
    await db.execute(sql`select 1`);
    return true;
  } catch {
    return false;
  }
}
