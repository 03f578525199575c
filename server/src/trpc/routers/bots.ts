import { z } from 'zod';
import { accountRiskInputSchema, botCreateInputSchema, botHoldingsInputSchema, botIdSchema, botStopInputSchema, botUpdateInputSchema, type BotChange } from '@osprey/shared';
import { authedProcedure, router } from '../init.js';

const byId = z.object({ id: botIdSchema });

/** `bots.*`: the caller's bots (another user's bot is NOT_FOUND). Thin: validate, call the BotService. */
export const botsRouter = router({
  list: authedProcedure.query(({ ctx }) => ctx.services.bots.list(ctx.user.id)),
  get: authedProcedure.input(byId).query(({ ctx, input }) => ctx.services.bots.detail(ctx.user.id, input.id)),
  create: authedProcedure.input(botCreateInputSchema).mutation(({ ctx, input }) => ctx.services.bots.create(ctx.user.id, input)),
  update: authedProcedure.input(botUpdateInputSchema).mutation(({ ctx, input }) => ctx.services.bots.update(ctx.user.id, input)),
  start: authedProcedure.input(byId).mutation(({ ctx, input }) => ctx.services.bots.start(ctx.user.id, input.id)),
  stop: authedProcedure
    .input(botStopInputSchema)
    .mutation(async ({ ctx, input }) =>
      input.mode === 'close' ? (await ctx.services.bots.closePositions(ctx.user.id, input.id)).bot : ctx.services.bots.stop(ctx.user.id, input.id, input.mode ? input.mode === 'cancel' : input.cancelOrders),
    ),
  closePositions: authedProcedure.input(byId).mutation(({ ctx, input }) => ctx.services.bots.closePositions(ctx.user.id, input.id)),
  holdings: authedProcedure.input(botHoldingsInputSchema).query(({ ctx, input }) => ctx.services.bots.holdings(ctx.user.id, input.accountId)),
  remove: authedProcedure.input(byId).mutation(({ ctx, input }) => ctx.services.bots.remove(ctx.user.id, input.id)),
  /** The bot's open orders and recent fills on its account (matched by the bot's clientOrderId prefix). */
  orders: authedProcedure.input(byId).query(({ ctx, input }) => ctx.services.bots.orders(ctx.user.id, input.id)),
  /** An account's risk rules (shared by all its bots) and what they count now. */
  accountRisk: authedProcedure.input(z.object({ accountId: z.uuid('accountId must be an account id') })).query(({ ctx, input }) => ctx.services.bots.accountRisk(ctx.user.id, input.accountId)),
  /** Replaces an account's risk rules (`{}` clears them); running bots use them from their next event. */
  setAccountRisk: authedProcedure.input(accountRiskInputSchema).mutation(({ ctx, input }) => ctx.services.bots.setAccountRisk(ctx.user.id, input.accountId, input.rules)),
  /** Every change of the caller's bots (status, state, events, trades); the client refetches what it shows. */
  onChange: authedProcedure.subscription(async function* ({ ctx, signal }): AsyncGenerator<BotChange> {
    for await (const c of ctx.services.bus.stream('bot', signal)) if (c.userId === ctx.user.id) yield c;
  }),
});
