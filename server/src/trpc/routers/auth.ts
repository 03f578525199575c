import { TRPCError } from '@trpc/server';
import { stringifySetCookie } from 'cookie';
import { loginInputSchema } from '@osprey/shared';
import { SESSION_COOKIE } from '../../services/auth-service.js';
import { authedProcedure, publicProcedure, router } from '../init.js';

/** `auth.*`: login (public), logout, me. */
export const authRouter = router({
  login: publicProcedure.input(loginInputSchema).mutation(async ({ ctx, input }) => {
    // Only a plain HTTP request can receive the cookie; a login over the WebSocket would just be a
    // password oracle. (Batches holding auth.login are refused by the HTTP server before this runs.)
    if (!ctx.setCookie) throw new TRPCError({ code: 'BAD_REQUEST', message: 'auth.login works over HTTP only' });
    const { user, token, expiresAt } = await ctx.services.auth.login(input.email, input.password, ctx.ip);
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
});
