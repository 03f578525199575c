import { z } from 'zod';
import {
  candleStreamInputSchema,
  candlesInputSchema,
  detectHistoryInputSchema,
  signalsInputSchema,
  symbolSchema,
  type CandleUpdate,
  type FeedState,
  type MarketSignal,
} from '@osprey/shared';
import { authedProcedure, router } from '../init.js';

/** `market.*`: candles with indicators, detector signals, and live streams. */
export const marketRouter = router({
  overview: authedProcedure.query(({ ctx }) => ctx.services.market.overview()),
  candles: authedProcedure.input(candlesInputSchema).query(({ ctx, input }) => ctx.services.market.candles(input)),
  signals: authedProcedure.input(signalsInputSchema).query(({ ctx, input }) => ctx.services.market.signals(input)),
  detectNow: authedProcedure
    .input(z.object({ symbol: symbolSchema }))
    .mutation(({ ctx, input }) => ctx.services.market.runDetector(input.symbol)),
  detectHistory: authedProcedure
    .input(detectHistoryInputSchema)
    .mutation(({ ctx, input }) => ctx.services.market.detectHistory(input.symbol, input.from, input.to)),
  onCandle: authedProcedure.input(candleStreamInputSchema).subscription(async function* ({ ctx, input, signal }): AsyncGenerator<CandleUpdate> {
    for await (const u of ctx.services.bus.stream('candle', signal)) {
      if (u.symbol === input.symbol && u.timeframe === input.timeframe) yield u;
    }
  }),
  onSignal: authedProcedure
    .input(z.object({ symbol: symbolSchema.optional() }).optional())
    .subscription(async function* ({ ctx, input, signal }): AsyncGenerator<MarketSignal> {
      for await (const s of ctx.services.bus.stream('signal', signal)) {
        if (!input?.symbol || s.symbol === input.symbol) yield s;
      }
    }),
  onFeed: authedProcedure.subscription(async function* ({ ctx, signal }): AsyncGenerator<FeedState> {
    yield ctx.services.feed.state();
    for await (const f of ctx.services.bus.stream('feed', signal)) yield f;
  }),
});
