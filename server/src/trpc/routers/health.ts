import { publicProcedure, router } from '../init.js';

/** `health.get`: liveness with db and feed state (public). */
export const healthRouter = router({
  get: publicProcedure.query(({ ctx }) => ctx.services.health()),
});
