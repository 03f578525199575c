import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import type { FeedState, MarketSignal } from '@osprey/shared';
import { AUTH_ME_KEY, useTRPC } from '../lib/trpc.js';
import { errorMessage, isUnauthorized } from '../lib/errors.js';
import { showToast } from '../lib/toast.js';
import { prependSignal, signalsInput } from './live.js';
import { createSignalBatcher, signalToast } from './signal-toasts.js';

/** Live feed state shared by the header clock and the market page. */
export interface FeedInfo {
  /** Latest feed state (from `market.onFeed`, else `market.overview`), null until known. */
  feed: FeedState | null;
  /** WebSocket subscription status of the feed stream. */
  status: 'idle' | 'connecting' | 'pending' | 'error';
}

const FeedContext = createContext<FeedInfo>({ feed: null, status: 'idle' });

/**
 * Subscribes once for the whole signed-in app to `market.onFeed` (feed clock, ~1/s) and
 * `market.onSignal` (all symbols: each new signal is prepended to the cached `market.signals` list of its
 * symbol; a burst of signals — one 15m close gives one per symbol — raises one grouped toast, see
 * `signalToast`), and provides the feed state to {@link useFeed}. When the feed stream comes back after a
 * drop (the server restarted: the WebSocket reconnects by itself with backoff), every query that failed
 * meanwhile is fetched again, so the pages recover without a reload.
 */
export function FeedProvider({ children }: { children: ReactNode }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const overview = useQuery(trpc.market.overview.queryOptions());

  const onStreamError = (err: unknown) => {
    if (isUnauthorized(err)) void queryClient.invalidateQueries({ queryKey: AUTH_ME_KEY });
    else showToast('error', 'toast.liveFailed', { message: errorMessage(err) });
  };

  const wasLive = useRef(false);
  const feedSub = useSubscription(
    trpc.market.onFeed.subscriptionOptions(undefined, {
      onError: onStreamError,
      onStarted: () => {
        // A second start is a reconnect: what failed while the server was away is asked again.
        if (wasLive.current) void queryClient.refetchQueries({ predicate: (q) => q.state.status === 'error' });
        wasLive.current = true;
      },
    }),
  );

  const [batcher] = useState(() =>
    createSignalBatcher((burst) => {
      const toast = signalToast(burst);
      if (toast) showToast(toast.kind, toast.key, toast.params);
    }),
  );
  useEffect(() => () => batcher.dispose(), [batcher]);
  useSubscription(
    trpc.market.onSignal.subscriptionOptions(undefined, {
      onData: (signal: MarketSignal) => {
        queryClient.setQueryData(trpc.market.signals.queryKey(signalsInput(signal.symbol)), (old) =>
          old ? prependSignal(old, signal) : old,
        );
        batcher.add(signal);
      },
      onError: onStreamError,
    }),
  );

  const value: FeedInfo = { feed: feedSub.data ?? overview.data?.feed ?? null, status: feedSub.status };
  return <FeedContext.Provider value={value}>{children}</FeedContext.Provider>;
}

/** The live feed state (see {@link FeedProvider}). */
export function useFeed(): FeedInfo {
  return useContext(FeedContext);
}
