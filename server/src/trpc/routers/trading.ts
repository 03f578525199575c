import {
  addToTradeInputSchema,
  cancelEntryInputSchema,
  cancelOrderInputSchema,
  closeTradeInputSchema,
  createPendingInputSchema,
  equityInputSchema,
  fillsListInputSchema,
  openTradeInputSchema,
  ordersListInputSchema,
  pendingIdInputSchema,
  pendingListInputSchema,
  protectTradeInputSchema,
  tickerInputSchema,
  tradesListInputSchema,
  tradingAccountInputSchema,
  type AccountEvent,
} from '@osprey/shared';
import { authedProcedure, router } from '../init.js';

/**
 * `trading.*`: managed trades, orders, fills, positions, balances, equity and pending orders of the caller's
 * exchange accounts, and their live events. Another user's account, trade, order or pending order is NOT_FOUND.
 */
export const tradingRouter = router({
  markets: authedProcedure.input(tradingAccountInputSchema).query(({ ctx, input }) => ctx.services.trading.markets(ctx.user.id, input.accountId)),
  ticker: authedProcedure.input(tickerInputSchema).query(({ ctx, input }) => ctx.services.trading.ticker(ctx.user.id, input.accountId, input.symbol)),
  estimate: authedProcedure.input(openTradeInputSchema).query(({ ctx, input }) => ctx.services.trading.estimate(ctx.user.id, input)),
  open: authedProcedure.input(openTradeInputSchema).mutation(({ ctx, input }) => ctx.services.trading.open(ctx.user.id, input)),
  add: authedProcedure.input(addToTradeInputSchema).mutation(({ ctx, input }) => ctx.services.trading.add(ctx.user.id, input)),
  close: authedProcedure.input(closeTradeInputSchema).mutation(({ ctx, input }) => ctx.services.trading.close(ctx.user.id, input)),
  protect: authedProcedure.input(protectTradeInputSchema).mutation(({ ctx, input }) => ctx.services.trading.protect(ctx.user.id, input)),
  cancelEntry: authedProcedure.input(cancelEntryInputSchema).mutation(({ ctx, input }) => ctx.services.trading.cancelEntry(ctx.user.id, input.tradeId)),
  trades: authedProcedure.input(tradesListInputSchema).query(({ ctx, input }) => ctx.services.trading.trades(ctx.user.id, input.accountId, input.status)),
  orders: authedProcedure.input(ordersListInputSchema).query(({ ctx, input }) => ctx.services.trading.orders(ctx.user.id, input.accountId, input.status)),
  fills: authedProcedure.input(fillsListInputSchema).query(({ ctx, input }) => ctx.services.trading.fills(ctx.user.id, input.accountId, input.limit)),
  positions: authedProcedure.input(tradingAccountInputSchema).query(({ ctx, input }) => ctx.services.trading.positions(ctx.user.id, input.accountId)),
  balances: authedProcedure.input(tradingAccountInputSchema).query(({ ctx, input }) => ctx.services.trading.balances(ctx.user.id, input.accountId)),
  equity: authedProcedure.input(equityInputSchema).query(({ ctx, input }) => ctx.services.trading.equity(ctx.user.id, input.accountId, input.from)),
  cancelOrder: authedProcedure.input(cancelOrderInputSchema).mutation(({ ctx, input }) => ctx.services.trading.cancelOrder(ctx.user.id, input.accountId, input.orderId)),
  pendingCreate: authedProcedure.input(createPendingInputSchema).mutation(({ ctx, input }) => ctx.services.pending.create(ctx.user.id, input)),
  pendingCancel: authedProcedure.input(pendingIdInputSchema).mutation(({ ctx, input }) => ctx.services.pending.cancel(ctx.user.id, input.id)),
  pendingList: authedProcedure.input(pendingListInputSchema).query(({ ctx, input }) => ctx.services.pending.list(ctx.user.id, input.accountId, input.status)),
  /** Ownership is checked before the stream starts, so another user's account fails with NOT_FOUND. */
  onAccount: authedProcedure
    .input(tradingAccountInputSchema)
    .subscription(({ ctx, input, signal }): Promise<AsyncGenerator<AccountEvent>> => ctx.services.trading.events(ctx.user.id, input.accountId, signal)),
});
