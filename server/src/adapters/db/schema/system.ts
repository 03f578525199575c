import { jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { unixMs } from './columns.js';

/** Small key/value store for process state (demo import marker, replay position). */
export const appState = pgTable('app_state', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: unixMs('updated_at').notNull(),
});
