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
  /** When an admin disabled the user (Unix ms); null while enabled. A disabled user cannot log in and has no sessions. */
  disabledAt: unixMs('disabled_at'),
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
    /** Last request seen on this session (Unix ms), refreshed at most once a minute. */
    lastSeenAt: unixMs('last_seen_at'),
    /** Client address and User-Agent at login (shown in the sessions list; at most 300 characters). */
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);
