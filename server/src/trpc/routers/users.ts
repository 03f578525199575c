import {
  addUserInputSchema,
  adminRevokeSessionInputSchema,
  removeUserInputSchema,
  resetPasswordInputSchema,
  setDisabledInputSchema,
  setRoleInputSchema,
  userSessionsInputSchema,
} from '@osprey/shared';
import { adminProcedure, router } from '../init.js';

/** `users.*` (admin only): list, add, role, disable/enable, delete, reset a password, sessions. */
export const usersRouter = router({
  list: adminProcedure.query(({ ctx }) => ctx.services.auth.listUsers()),
  add: adminProcedure.input(addUserInputSchema).mutation(({ ctx, input }) => ctx.services.auth.addUser(input.email, input.password, input.role)),
  setRole: adminProcedure.input(setRoleInputSchema).mutation(({ ctx, input }) => ctx.services.auth.setRole(input.userId, input.role)),
  setDisabled: adminProcedure.input(setDisabledInputSchema).mutation(({ ctx, input }) => ctx.services.auth.setDisabled(ctx.user.id, input.userId, input.disabled)),
  remove: adminProcedure.input(removeUserInputSchema).mutation(async ({ ctx, input }) => {
    await ctx.services.auth.removeUser(ctx.user.id, input.userId);
    return { ok: true as const };
  }),
  resetPassword: adminProcedure.input(resetPasswordInputSchema).mutation(({ ctx, input }) => ctx.services.auth.resetPassword(input.userId, input.password)),
  sessions: adminProcedure.input(userSessionsInputSchema).query(({ ctx, input }) => ctx.services.auth.sessions(input.userId, undefined)),
  revokeSession: adminProcedure.input(adminRevokeSessionInputSchema).mutation(async ({ ctx, input }) => {
    await ctx.services.auth.revokeSession(input.userId, input.sessionId);
    return { ok: true as const };
  }),
});
