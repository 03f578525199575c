import { stringifySetCookie } from 'cookie';
import { loginInputSchema } from '@osprey/shared';
import { SESSION_COOKIE } from '../../services/auth-service.js';
import { authedProcedure, publicProcedure, router } from '../init.js';

/** `auth.*`: login (public), logout, me. */
export const authRouter = router({
  login: publicProcedure.input(loginInputSchema).mutation(async ({ ctx, input }) => {
    const { user, token, expiresAt } = await ctx.services.auth.login(input.email, input.password, ctx.ip);
    ctx.setCookie?.(
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
