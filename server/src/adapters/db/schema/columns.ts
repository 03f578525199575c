import { bigint } from 'drizzle-orm/pg-core';

/** Unix-ms UTC timestamp column (bigint, read as JS number). */
export const unixMs = (name: string) => bigint(name, { mode: 'number' });
