import { useEffect, useRef } from 'react';
import { skipToken, useQueryClient, type QueryKey } from '@tanstack/react-query';
import { useSubscription, type inferOutput } from '@trpc/tanstack-react-query';
import type { AccountEvent } from '@osprey/shared';
import { AUTH_ME_KEY, useTRPC } from '../lib/trpc.js';
import { errorMessage, humanizeFieldPaths, isUnauthorized } from '../lib/errors.js';
import { useI18n } from '../lib/i18n.js';
import { showToast } from '../lib/toast.js';
import { appendEquityPoint, upsertTrade, type TradeListStatus } from './trades.js';

/** Fills loaded per account (table and chart markers). */
export const FILLS_LIMIT = 500;

/** Inputs of the trade page's `trading.*` queries (one shape each, so cache keys match everywhere). */
export const tradeQueries = {
  trades: (accountId: string, status: TradeListStatus) => ({ accountId, status }),
  orders: (accountId: string, status: 'open' | 'history') => ({ accountId, status }),
  fills: (accountId: string) => ({ accountId, limit: FILLS_LIMIT }),
  account: (accountId: string) => ({ accountId }),
};

/** Invalidations are batched: a burst of events (fills of one order) refetches each list once. */
const INVALIDATE_DELAY_MS = 150;

/**
 * The toast parameters of a live `pending` event that reports a FAILED order (fired, but no trade opened), or
 * null for any other pending change. The event carries the order as a loose record (`PendingOrderView`).
 */
export function pendingFailure(pending: Record<string, unknown>): { symbol: string; reason: string } | null {
  if (pending.status !== 'FAILED') return null;
  return { symbol: typeof pending.symbol === 'string' ? pending.symbol : '', reason: typeof pending.error === 'string' ? pending.error : '' };
}

/**
 * Keeps one account's cached `trading.*` queries live from `trading.onAccount`: `trade` events patch the
 * trade lists in place (moving closed trades from active to history), `positions` / `balances` replace those
 * lists, `equity` appends to the equity history, and `order` / `fill` / `pending` refetch the affected lists
 * (batched); a pending order that fired but opened no trade (FAILED) also shows an error toast with the reason.
 * A reconnect refetches everything of the account. Returns the subscription status.
 */
export function useAccountStream(accountId: string | null) {
  const trpc = useTRPC();
  const { tx } = useI18n();
  const queryClient = useQueryClient();
  const pending = useRef(new Map<string, QueryKey>());
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const started = useRef<string | null>(null);

  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );

  const invalidate = (keys: QueryKey[]) => {
    for (const k of keys) pending.current.set(JSON.stringify(k), k);
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      const list = [...pending.current.values()];
      pending.current.clear();
      for (const queryKey of list) void queryClient.invalidateQueries({ queryKey });
    }, INVALIDATE_DELAY_MS);
  };

  const allKeys = (id: string): QueryKey[] => [
    trpc.trading.trades.queryKey({ accountId: id }),
    trpc.trading.orders.queryKey({ accountId: id }),
    trpc.trading.fills.queryKey({ accountId: id }),
    trpc.trading.positions.queryKey({ accountId: id }),
    trpc.trading.balances.queryKey({ accountId: id }),
    trpc.trading.equity.queryKey({ accountId: id }),
    trpc.trading.pendingList.queryKey({ accountId: id }),
  ];

  const onEvent = (ev: AccountEvent) => {
    const id = ev.accountId;
    if (id !== accountId) return;
    switch (ev.type) {
      case 'trade':
        for (const status of ['active', 'closed', 'all'] as const) {
          queryClient.setQueryData(trpc.trading.trades.queryKey(tradeQueries.trades(id, status)), (old) => upsertTrade(old, ev.trade, status));
        }
        invalidate([trpc.trading.positions.queryKey({ accountId: id })]);
        break;
      case 'order':
        invalidate([trpc.trading.orders.queryKey({ accountId: id })]);
        break;
      case 'fill':
        invalidate([trpc.trading.fills.queryKey({ accountId: id }), trpc.trading.orders.queryKey({ accountId: id })]);
        break;
      case 'positions':
        // The event carries the venue's positions as loose records: the same objects `trading.positions` returns.
        queryClient.setQueryData(trpc.trading.positions.queryKey(tradeQueries.account(id)), ev.positions as unknown as inferOutput<typeof trpc.trading.positions>);
        break;
      case 'balances':
        queryClient.setQueryData(trpc.trading.balances.queryKey(tradeQueries.account(id)), ev.balances);
        break;
      case 'equity':
        queryClient.setQueryData(trpc.trading.equity.queryKey(tradeQueries.account(id)), (old) => appendEquityPoint(old, { ts: ev.ts, equity: ev.equity }));
        break;
      case 'pending': {
        invalidate([trpc.trading.pendingList.queryKey({ accountId: id }), trpc.trading.trades.queryKey({ accountId: id })]);
        const failed = pendingFailure(ev.pending);
        if (failed) showToast('error', 'pending.failedToast', { symbol: failed.symbol, reason: humanizeFieldPaths(tx(failed.reason)) });
        break;
      }
    }
  };

  const sub = useSubscription(
    trpc.trading.onAccount.subscriptionOptions(accountId ? { accountId } : skipToken, {
      onStarted: () => {
        // A second start on the same account means the socket reconnected: refetch what we may have missed.
        if (accountId && started.current === accountId) invalidate(allKeys(accountId));
        started.current = accountId;
      },
      onData: onEvent,
      onError: (err) => {
        if (isUnauthorized(err)) void queryClient.invalidateQueries({ queryKey: AUTH_ME_KEY });
        else showToast('error', 'toast.liveFailed', { message: errorMessage(err) });
      },
    }),
  );
  return sub.status;
}
