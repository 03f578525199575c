import { z } from 'zod';
import { accountIdSchema, accountInputSchema, accountUpdateInputSchema } from '@osprey/shared';
import { authedProcedure, router } from '../init.js';

const byId = z.object({ id: accountIdSchema });

/** `accounts.*`: the caller's exchange accounts (secrets write-only; another user's account is NOT_FOUND). */
export const accountsRouter = router({
  list: authedProcedure.query(({ ctx }) => ctx.services.accounts.list(ctx.user.id)),
  get: authedProcedure.input(byId).query(({ ctx, input }) => ctx.services.accounts.get(ctx.user.id, input.id)),
  create: authedProcedure.input(accountInputSchema).mutation(({ ctx, input }) => ctx.services.accounts.create(ctx.user.id, input)),
  update: authedProcedure.input(accountUpdateInputSchema).mutation(({ ctx, input }) => {
    const { id, ...account } = input;
    return ctx.services.accounts.update(ctx.user.id, id, account);
  }),
  remove: authedProcedure.input(byId).mutation(({ ctx, input }) => ctx.services.accounts.remove(ctx.user.id, input.id)),
  testConnection: authedProcedure.input(byId).mutation(({ ctx, input }) => ctx.services.accounts.testConnection(ctx.user.id, input.id)),
  /** ccxt exchange ids for the account form's picker. */
  exchanges: authedProcedure.query(({ ctx }) => ctx.services.accounts.exchanges()),
});
