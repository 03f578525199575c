import { dashboardEquityInputSchema, dashboardSummaryInputSchema } from '@osprey/shared';
import { authedProcedure, router } from '../init.js';

/**
 * `dashboard.*`: the caller's picture across all of their accounts (another user's accounts, bots and orders never
 * appear). Thin: validate with the shared schemas, call the DashboardService. Live updates come from the existing
 * subscriptions (`trading.onAccount`, `bots.onChange`, `market.onSignal`), which the client turns into refetches.
 */
export const dashboardRouter = router({
  /** Equity, PnL per window, positions, bots, recent fills, active signals and alerts (`DashboardSummary`). */
  summary: authedProcedure.input(dashboardSummaryInputSchema).query(({ ctx, input }) => ctx.services.dashboard.summary(ctx.user.id, input.windows)),
  /** The equity of all the caller's accounts summed on a common grid from `from` to now (`DashboardEquityCurve`). */
  equity: authedProcedure.input(dashboardEquityInputSchema).query(({ ctx, input }) => ctx.services.dashboard.equityCurve(ctx.user.id, input.from, input.points)),
});
