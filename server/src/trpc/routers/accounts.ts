import { z } from 'zod';
import { accountDeletionCheckInputSchema, accountIdSchema, accountInputSchema, accountRemoveInputSchema, accountUpdateInputSchema } from '@osprey/shared';
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
  /** What is still open on an account (running bots, open orders, positions, active trades), before deleting it. */
  deletionCheck: authedProcedure.input(accountDeletionCheckInputSchema).query(({ ctx, input }) => ctx.services.accountDeletion.check(ctx.user.id, input.id)),
  /** Deletes an account; refused (CONFLICT) while anything is open unless `stopAndCancel` stops and cancels it first. */
  remove: authedProcedure.input(accountRemoveInputSchema).mutation(({ ctx, input }) => ctx.services.accountDeletion.remove(ctx.user.id, input)),
  testConnection: authedProcedure.input(byId).mutation(({ ctx, input }) => ctx.services.accounts.testConnection(ctx.user.id, input.id)),
  /** ccxt exchange ids for the account form's picker. */
  exchanges: authedProcedure.query(({ ctx }) => ctx.services.accounts.exchanges()),
});
