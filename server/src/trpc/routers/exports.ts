import { exportInputSchema } from '@osprey/shared';
import { authedProcedure, router } from '../init.js';

/**
 * `exports.*`: CSV files of the caller's tables (an account's trades, orders, fills and equity; a bot's fills,
 * round trips and orders; a backtest run's round trips, fills and equity). Another user's account, bot or run is
 * NOT_FOUND. The answer is `{ filename, csv, rows, truncated, maxRows }` for the client to save as a file.
 */
export const exportsRouter = router({
  csv: authedProcedure.input(exportInputSchema).query(({ ctx, input }) => ctx.services.exports.csv(ctx.user.id, input)),
});
