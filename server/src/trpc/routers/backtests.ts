import { z } from 'zod';
import { backtestStartInputSchema, symbolSchema, type BacktestProgress } from '@osprey/shared';
import { authedProcedure, router } from '../init.js';

const byId = z.object({ id: z.uuid('id must be a backtest id') });

/** `backtests.*`: the caller's backtest runs. Runs execute off the request thread; progress streams over `onProgress`. */
export const backtestsRouter = router({
  start: authedProcedure.input(backtestStartInputSchema).mutation(({ ctx, input }) => ctx.services.backtests.start(ctx.user.id, input)),
  list: authedProcedure.query(({ ctx }) => ctx.services.backtests.list(ctx.user.id)),
  get: authedProcedure.input(byId).query(({ ctx, input }) => ctx.services.backtests.result(ctx.user.id, input.id)),
  remove: authedProcedure.input(byId).mutation(({ ctx, input }) => ctx.services.backtests.remove(ctx.user.id, input.id)),
  /** Stored candle coverage (first/last open time) per symbol, for the run form's date range. */
  coverage: authedProcedure.input(z.object({ symbols: z.array(symbolSchema).min(1).max(20) })).query(({ ctx, input }) => ctx.services.backtests.coverage(input.symbols)),
  onProgress: authedProcedure.subscription(async function* ({ ctx, signal }): AsyncGenerator<BacktestProgress> {
    for await (const p of ctx.services.bus.stream('backtest', signal)) if (p.userId === ctx.user.id) yield p;
  }),
});
