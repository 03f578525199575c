import { TRPCError } from '@trpc/server';
import { stringifySetCookie } from 'cookie';
import { changePasswordInputSchema, loginInputSchema, revokeSessionInputSchema } from '@osprey/shared';
import { SESSION_COOKIE, sessionIdOf } from '../../services/auth-service.js';
import { authedProcedure, publicProcedure, router } from '../init.js';

/** `auth.*`: login (public), logout, me, your own password and sessions. */
export const authRouter = router({
  login: publicProcedure.input(loginInputSchema).mutation(async ({ ctx, input }) => {
    // Only a plain HTTP request can receive the cookie; a login over the WebSocket would just be a
    // password oracle. (Batches holding auth.login are refused by the HTTP server before this runs.)
    if (!ctx.setCookie) throw new TRPCError({ code: 'BAD_REQUEST', message: 'auth.login works over HTTP only' });
    const { user, token, expiresAt } = await ctx.services.auth.login(input.email, input.password, ctx.ip, ctx.userAgent);
    ctx.setCookie(
      stringifySetCookie({
        name: SESSION_COOKIE,
        value: token,
        httpOnly: true,
        sameSite: 'strict',
        secure: ctx.services.env.OSPREY_COOKIE_SECURE,
        path: '/',
        expires: new Date(expiresAt),
      }),
    );
    return user;
  }),
  logout: authedProcedure.mutation(async ({ ctx }) => {
    await ctx.services.auth.logout(ctx.sessionToken);
    ctx.setCookie?.(stringifySetCookie({ name: SESSION_COOKIE, value: '', httpOnly: true, sameSite: 'strict', path: '/', maxAge: 0 }));
    return { ok: true as const };
  }),
  me: authedProcedure.query(({ ctx }) => ctx.user),
  changePassword: authedProcedure.input(changePasswordInputSchema).mutation(async ({ ctx, input }) => {
    await ctx.services.auth.changePassword(ctx.user.id, currentSession(ctx.sessionToken), input.currentPassword, input.newPassword, ctx.ip);
    return { ok: true as const };
  }),
  sessions: authedProcedure.query(({ ctx }) => ctx.services.auth.sessions(ctx.user.id, currentSession(ctx.sessionToken))),
  revokeSession: authedProcedure.input(revokeSessionInputSchema).mutation(async ({ ctx, input }) => {
    await ctx.services.auth.revokeSession(ctx.user.id, input.sessionId);
    return { ok: true as const };
  }),
});

/** The session id (SHA-256 hex) of the request's cookie token, if any. */
function currentSession(token: string | undefined): string | undefined {
  return token ? sessionIdOf(token) : undefined;
}
