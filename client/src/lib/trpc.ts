import { createElement, useState, type ReactNode } from 'react';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createTRPCClient, createWSClient, httpBatchLink, httpLink, splitLink, wsLink } from '@trpc/client';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import type { AppRouter } from '@osprey/server/router';
import { isUnauthorized, readableError } from './errors.js';
import { showToast } from './toast.js';

declare module '@tanstack/react-query' {
  interface Register {
    /** `silent`: the component shows the error itself, so no global toast. */
    queryMeta: { silent?: boolean };
    mutationMeta: { silent?: boolean };
  }
}

/** tRPC React context: `useTRPC()` gives `queryOptions`/`mutationOptions`/`subscriptionOptions` factories. */
export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

/** tRPC query-key prefix of `auth.me`, used to re-check the session after an UNAUTHORIZED error. */
export const AUTH_ME_KEY = [['auth', 'me']] as const;

/** `ws(s)://<current host>/trpc`: same origin as the page, so the session cookie rides on the upgrade. */
function wsUrl(): string {
  const proto = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${proto}://${location.host}/trpc`;
}

/** The WebSocket client of the app's tRPC client (one per page load). */
let activeWsClient: ReturnType<typeof createWSClient> | null = null;

/**
 * Closes the tRPC WebSocket. The server authenticates a socket once, from the cookie on its upgrade
 * request, so call this when the session changes (login, logout); the next subscription reopens it.
 */
export function closeRealtime(): void {
  void activeWsClient?.close();
}

/**
 * The tRPC client: subscriptions over one lazily opened WebSocket (closed after 1 s without
 * subscriptions), `auth.login` alone over HTTP, everything else batched over HTTP with the session cookie.
 */
export function createClient() {
  const wsClient = createWSClient({
    url: wsUrl,
    lazy: { enabled: true, closeMs: 1000 },
    keepAlive: { enabled: true, intervalMs: 10_000, pongTimeoutMs: 3000 },
    retryDelayMs: (attempt) => Math.min(500 * 2 ** attempt, 10_000),
  });
  activeWsClient = wsClient;
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: wsLink<AppRouter>({ client: wsClient }),
        // auth.login goes alone: the server refuses batches holding it (one password check per request).
        false: splitLink({
          condition: (op) => op.path === 'auth.login',
          true: httpLink<AppRouter>({ url: '/trpc', fetch: (url, init) => fetch(url, { ...init, credentials: 'include' }) }),
          false: httpBatchLink<AppRouter>({
            url: '/trpc',
            maxURLLength: 2000,
            fetch: (url, init) => fetch(url, { ...init, credentials: 'include' }),
          }),
        }),
      }),
    ],
  });
}

/**
 * The query client. Failed queries/mutations raise an error toast unless they are marked
 * `meta: { silent: true }`; an UNAUTHORIZED error anywhere re-checks `auth.me`, which sends the user back
 * to the login page when the session is gone.
 */
export function createQueryClient(): QueryClient {
  const qc: QueryClient = new QueryClient({
    defaultOptions: {
      queries: {
        refetchOnWindowFocus: false,
        retry: (count, err) => !isUnauthorized(err) && count < 2,
        staleTime: 30_000,
      },
    },
    queryCache: new QueryCache({
      onError: (err, query) => {
        if (isUnauthorized(err)) {
          if (!isAuthMe(query.queryKey)) void qc.invalidateQueries({ queryKey: AUTH_ME_KEY });
          return;
        }
        if (!query.meta?.silent) showToast('error', 'toast.requestFailed', { message: readableError(err) });
      },
    }),
    mutationCache: new MutationCache({
      onError: (err, _vars, _ctx, mutation) => {
        if (mutation.meta?.silent) return;
        if (isUnauthorized(err)) {
          void qc.invalidateQueries({ queryKey: AUTH_ME_KEY });
          return;
        }
        showToast('error', 'toast.requestFailed', { message: readableError(err) });
      },
    }),
  });
  return qc;
}

/** True for the tRPC query key of `auth.me` (`[['auth','me'], …]`). */
function isAuthMe(key: readonly unknown[]): boolean {
  const path = key[0];
  return Array.isArray(path) && path[0] === 'auth' && path[1] === 'me';
}

/** Mounts TanStack Query and the tRPC context with one client pair for the app's lifetime. */
export function ApiProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(createQueryClient);
  const [trpcClient] = useState(createClient);
  return createElement(QueryClientProvider, { client: queryClient }, createElement(TRPCProvider, { trpcClient, queryClient, children }));
}
