import { addUserInputSchema } from '@osprey/shared';
import { adminProcedure, router } from '../init.js';

/** `users.*` (admin only). */
export const usersRouter = router({
  list: adminProcedure.query(({ ctx }) => ctx.services.auth.listUsers()),
  add: adminProcedure.input(addUserInputSchema).mutation(({ ctx, input }) => ctx.services.auth.addUser(input.email, input.password, input.role)),
});
