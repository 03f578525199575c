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

/** A user as returned to clients (never the hash). Times are Unix ms. */
export interface PublicUser {
  id: string;
  email: string;
  role: Role;
  createdAt: number;
  /** When an admin disabled the user, or null. */
  disabledAt: number | null;
}

/** A user id (UUID) as the API takes it. */
export const userIdSchema = z.string().uuid('userId must be a user id');

/** Input of `users.setRole`. */
export const setRoleInputSchema = z.object({ userId: userIdSchema, role: roleSchema });
/** Input of `users.setDisabled`: disabling ends the user's sessions at once. */
export const setDisabledInputSchema = z.object({ userId: userIdSchema, disabled: z.boolean() });
/** Input of `users.remove`. */
export const removeUserInputSchema = z.object({ userId: userIdSchema });
/** Input of `users.resetPassword`: without `password` a random one is generated and returned once. */
export const resetPasswordInputSchema = z.object({
  userId: userIdSchema,
  password: z.string().min(10, 'password must be at least 10 characters').max(512).optional(),
});
/** Input of `auth.changePassword` (your own). */
export const changePasswordInputSchema = z
  .object({
    currentPassword: z.string().min(1, 'currentPassword is required').max(512),
    newPassword: z.string().min(10, 'newPassword must be at least 10 characters').max(512),
  })
  .refine((i) => i.newPassword !== i.currentPassword, { path: ['newPassword'], message: 'must differ from the current password' });
/** Input of `auth.revokeSession` and `users.revokeSession`. */
export const revokeSessionInputSchema = z.object({ sessionId: z.string().regex(/^[0-9a-f]{64}$/, 'sessionId must be a session id') });
/** Input of `users.revokeSession` (admin: end another user's session). */
export const adminRevokeSessionInputSchema = revokeSessionInputSchema.extend({ userId: userIdSchema });
/** Input of `users.sessions` (admin: another user's sessions). */
export const userSessionsInputSchema = z.object({ userId: userIdSchema });

/** A login session as listed to its owner or an admin (never the token). Times are Unix ms. */
export interface SessionView {
  /** SHA-256 hex of the session token (the handle to revoke it; useless as a cookie). */
  id: string;
  createdAt: number;
  expiresAt: number;
  lastSeenAt: number | null;
  ip: string | null;
  userAgent: string | null;
  /** True for the session making this request. */
  current: boolean;
}
