import { pgEnum, pgTable, text, index } from 'drizzle-orm/pg-core';
import { ROLES } from '@osprey/shared';
import { unixMs } from './columns.js';

/** pg enum of user roles, from the shared `ROLES` tuple. */
export const roleEnum = pgEnum('user_role', ROLES);

/** Users. `password_hash` is an argon2id PHC string; never leaves the server. */
export const users = pgTable('users', {
  id: text('id').primaryKey(),
  email: text('email').notNull().unique(),
  passwordHash: text('password_hash').notNull(),
  role: roleEnum('role').notNull().default('trader'),
  createdAt: unixMs('created_at').notNull(),
});

/** Login sessions. `id` is the SHA-256 (hex) of the cookie token, so a DB leak yields no usable cookie. */
export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: unixMs('created_at').notNull(),
    expiresAt: unixMs('expires_at').notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);
