import { useEffect, useRef } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import type { AccountEvent } from '@osprey/shared';
import { AUTH_ME_KEY, useTRPC } from '../lib/trpc.js';
import { isUnauthorized } from '../lib/errors.js';

/** Dashboard refetches are coalesced: at most one per this many ms (a fill burst refetches once). */
export const DASHBOARD_REFRESH_MS = 1000;

/** Which dashboard queries an event makes stale: the summary always, the equity curve on equity changes. */
type Stale = { summary: boolean; curve: boolean };

/** A throttled invalidator of the dashboard queries (trailing edge: the last event always lands). */
function useDashboardInvalidator(): (what: Stale) => void {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const wanted = useRef<Stale>({ summary: false, curve: false });
  const last = useRef(0);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  return (what) => {
    wanted.current = { summary: wanted.current.summary || what.summary, curve: wanted.current.curve || what.curve };
    if (timer.current) return;
    const wait = Math.max(0, last.current + DASHBOARD_REFRESH_MS - performance.now());
    timer.current = setTimeout(() => {
      timer.current = null;
      last.current = performance.now();
      const w = wanted.current;
      wanted.current = { summary: false, curve: false };
      if (w.summary) void queryClient.invalidateQueries({ queryKey: trpc.dashboard.summary.pathKey() });
      if (w.curve) void queryClient.invalidateQueries({ queryKey: trpc.dashboard.equity.pathKey() });
    }, wait);
  };
}

/** One account's `trading.onAccount` stream, feeding the invalidator (renders nothing). */
function AccountSub({ accountId, onEvent }: { accountId: string; onEvent: (e: AccountEvent) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  useSubscription(
    trpc.trading.onAccount.subscriptionOptions(
      { accountId },
      {
        onData: onEvent,
        onError: (err) => {
          if (isUnauthorized(err)) void queryClient.invalidateQueries({ queryKey: AUTH_ME_KEY });
        },
      },
    ),
  );
  return null;
}

/**
 * Keeps the dashboard live without a reload: the existing subscriptions — every account's `trading.onAccount`
 * (orders, fills, trades, positions, balances, equity, pending orders), `bots.onChange` and `market.onSignal` —
 * invalidate `dashboard.summary` (and `dashboard.equity` on equity and fill events), at most once a second.
 * Renders nothing.
 */
export function DashboardLive({ accountIds }: { accountIds: readonly string[] }) {
  const trpc = useTRPC();
  const invalidate = useDashboardInvalidator();
  const onAccount = (e: AccountEvent) => invalidate({ summary: true, curve: e.type === 'equity' || e.type === 'fill' });
  useSubscription(trpc.bots.onChange.subscriptionOptions(undefined, { onData: () => invalidate({ summary: true, curve: false }), onError: () => undefined }));
  useSubscription(trpc.market.onSignal.subscriptionOptions(undefined, { onData: () => invalidate({ summary: true, curve: false }), onError: () => undefined }));
  return (
    <>
      {accountIds.map((id) => (
        <AccountSub key={id} accountId={id} onEvent={onAccount} />
      ))}
    </>
  );
}
