import { useRef } from 'react';
import { skipToken, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import type { Timeframe } from '@osprey/shared';
import { AUTH_ME_KEY, useTRPC } from '../lib/trpc.js';
import { errorMessage, isUnauthorized } from '../lib/errors.js';
import { showToast } from '../lib/toast.js';
import { applyCandleUpdate, candlesInput } from './live.js';

/**
 * Candles of one symbol/timeframe kept live: `market.candles` loads the history into the query cache and
 * `market.onCandle` patches that cache entry in place (see `applyCandleUpdate`). After a WebSocket
 * reconnect the history is refetched to cover any gap. `symbol` null disables both.
 */
export function useLiveCandles(symbol: string | null, timeframe: Timeframe) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const input = symbol ? candlesInput(symbol, timeframe) : null;
  const query = useQuery({ ...trpc.market.candles.queryOptions(input ?? skipToken), staleTime: 0 });
  const started = useRef<string | null>(null);
  const streamKey = `${symbol}|${timeframe}`;

  const sub = useSubscription(
    trpc.market.onCandle.subscriptionOptions(symbol ? { symbol, timeframe } : skipToken, {
      onStarted: () => {
        // A second start on the same stream means the socket reconnected: refetch to fill the gap.
        if (started.current === streamKey && input) void queryClient.invalidateQueries({ queryKey: trpc.market.candles.queryKey(input) });
        started.current = streamKey;
      },
      onData: (update) => {
        if (!input || update.symbol !== input.symbol || update.timeframe !== input.timeframe) return;
        queryClient.setQueryData(trpc.market.candles.queryKey(input), (old) => (old ? applyCandleUpdate(old, update) : old));
      },
      onError: (err) => {
        if (isUnauthorized(err)) void queryClient.invalidateQueries({ queryKey: AUTH_ME_KEY });
        else showToast('error', 'toast.liveFailed', { message: errorMessage(err) });
      },
    }),
  );
  return { query, status: sub.status };
}
