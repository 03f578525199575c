import { useEffect, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import type { BacktestProgress, BotChange } from '@osprey/shared';
import { AUTH_ME_KEY, useTRPC } from '../lib/trpc.js';
import { errorMessage, isUnauthorized } from '../lib/errors.js';
import { showToast } from '../lib/toast.js';
import { applyProgress } from './metrics.js';

/** The wall clock (Unix ms), re-read every `ms` while `enabled` (uptime counters). */
export function useNow(ms: number, enabled = true): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!enabled) return;
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms, enabled]);
  return now;
}

/** `location.hash`, updating on `hashchange`. */
export function useHash(): string {
  const [hash, setHash] = useState(() => location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return hash;
}

/** Invalidations are batched: a burst of bot changes (fills of one order) refetches once. */
const INVALIDATE_DELAY_MS = 150;

function onStreamError(err: unknown, invalidateAuth: () => void) {
  if (isUnauthorized(err)) invalidateAuth();
  else showToast('error', 'toast.liveFailed', { message: errorMessage(err) });
}

/**
 * Keeps every cached `bots.*` query (list, get, orders) live: each `bots.onChange` push (and a reconnect)
 * refetches them, batched. `onChange` also receives each change (e.g. to leave the detail of a deleted bot).
 * Returns the subscription status.
 */
export function useBotsStream(onChange?: (c: BotChange) => void) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const started = useRef(false);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );

  const invalidate = () => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      void queryClient.invalidateQueries(trpc.bots.pathFilter());
    }, INVALIDATE_DELAY_MS);
  };

  const sub = useSubscription(
    trpc.bots.onChange.subscriptionOptions(undefined, {
      onStarted: () => {
        if (started.current) invalidate();
        started.current = true;
      },
      onData: (c) => {
        invalidate();
        onChangeRef.current?.(c);
      },
      onError: (err) => onStreamError(err, () => void queryClient.invalidateQueries({ queryKey: AUTH_ME_KEY })),
    }),
  );
  return sub.status;
}

/**
 * Keeps the backtest runs live from `backtests.onProgress`: the cached list is patched in place (status,
 * progress, error) and, when a run finishes or fails, the list and that run's result are refetched.
 * `onFinished` receives finished runs. Returns the subscription status.
 */
export function useBacktestProgress(onFinished?: (p: BacktestProgress) => void) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const started = useRef(false);
  const onFinishedRef = useRef(onFinished);
  onFinishedRef.current = onFinished;

  const sub = useSubscription(
    trpc.backtests.onProgress.subscriptionOptions(undefined, {
      onStarted: () => {
        if (started.current) void queryClient.invalidateQueries(trpc.backtests.pathFilter());
        started.current = true;
      },
      onData: (p) => {
        queryClient.setQueryData(trpc.backtests.list.queryKey(), (old) => applyProgress(old, p));
        if (p.status === 'done' || p.status === 'failed') {
          void queryClient.invalidateQueries({ queryKey: trpc.backtests.list.queryKey() });
          void queryClient.invalidateQueries({ queryKey: trpc.backtests.get.queryKey({ id: p.id }) });
          onFinishedRef.current?.(p);
        }
      },
      onError: (err) => onStreamError(err, () => void queryClient.invalidateQueries({ queryKey: AUTH_ME_KEY })),
    }),
  );
  return sub.status;
}
