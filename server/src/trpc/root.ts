import { router } from './init.js';
import { accountsRouter } from './routers/accounts.js';
import { authRouter } from './routers/auth.js';
import { backtestsRouter } from './routers/backtests.js';
import { botsRouter } from './routers/bots.js';
import { dashboardRouter } from './routers/dashboard.js';
import { exportsRouter } from './routers/exports.js';
import { healthRouter } from './routers/health.js';
import { marketRouter } from './routers/market.js';
import { tradingRouter } from './routers/trading.js';
import { usersRouter } from './routers/users.js';

/** The whole API. The client imports only this type. */
export const appRouter = router({
  health: healthRouter,
  auth: authRouter,
  users: usersRouter,
  market: marketRouter,
  accounts: accountsRouter,
  trading: tradingRouter,
  bots: botsRouter,
  backtests: backtestsRouter,
  dashboard: dashboardRouter,
  exports: exportsRouter,
});

/** Type of {@link appRouter}, for the tRPC client. */
export type AppRouter = typeof appRouter;
