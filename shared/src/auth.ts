import { z } from 'zod';

/** User roles: admins manage users; traders trade. */
export const ROLES = ['admin', 'trader'] as const;
/** One of {@link ROLES}. */
export type Role = (typeof ROLES)[number];
/** Zod schema for a {@link Role}. */
export const roleSchema = z.enum(ROLES);

/** Email field schema (trimmed, lower-cased). */
export const emailSchema = z.string().trim().toLowerCase().email('email must be a valid address');

/** Input of `auth.login`. */
export const loginInputSchema = z.object({
  email: emailSchema,
  password: z.string().min(1, 'password is required').max(512),
});

/** Input of `users.add` (admin only). Passwords need 10+ characters. */
export const addUserInputSchema = z.object({
  email: emailSchema,
  password: z.string().min(10, 'password must be at least 10 characters').max(512),
  role: roleSchema.default('trader'),
});

/** A user as returned to clients (never the hash). */
export interface PublicUser {
  id: string;
  email: string;
  role: Role;
  createdAt: number;
}
