import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { PublicUser } from '@osprey/shared';
import { AUTH_ME_KEY, closeRealtime, useTRPC } from './lib/trpc.js';
import { useI18n } from './lib/i18n.js';
import { isUnauthorized } from './lib/errors.js';
import { useHashRoute } from './lib/hooks.js';
import { Header } from './components/Header.js';
import { NAV_ITEMS, Nav } from './components/Nav.js';
import { Spinner } from './components/Feedback.js';
import { ServerDown } from './components/ServerDown.js';
import { backoffDelay } from './lib/retry.js';
import { FeedProvider } from './market/feed.js';
import { LoginPage } from './pages/LoginPage.js';
import { MarketPage } from './pages/MarketPage.js';
import { DashboardPage } from './pages/DashboardPage.js';
import { UsersPage } from './pages/UsersPage.js';
import { AccountsPage } from './pages/AccountsPage.js';
import { TradePage } from './pages/TradePage.js';
import { BotsPage } from './pages/BotsPage.js';
import { BacktestsPage } from './pages/BacktestsPage.js';
import { SettingsPage } from './pages/SettingsPage.js';

/**
 * Root: `auth.me` decides between the login page (UNAUTHORIZED), the signed-in shell, a splash while
 * checking, and a "server unreachable" screen while it cannot get an answer. Any failure but
 * UNAUTHORIZED is retried without end with backoff (1 s doubling to 10 s, see `backoffDelay`), so a page
 * opened while the server is down recovers by itself once it is back — no reload needed.
 */
export function App() {
  const { t } = useI18n();
  const trpc = useTRPC();
  const me = useQuery(
    trpc.auth.me.queryOptions(undefined, {
      meta: { silent: true },
      staleTime: Infinity,
      retry: (_count, err) => !isUnauthorized(err),
      // TanStack passes the failures before this one (0 first): the n-th retry waits backoffDelay(n).
      retryDelay: (previous) => backoffDelay(previous + 1),
    }),
  );

  if (me.error && isUnauthorized(me.error)) return <LoginPage />;
  if (me.data) return <Shell user={me.data} />;
  if (me.failureCount > 0 || me.isError) return <ServerDown failures={me.failureCount} onRetry={() => void me.refetch()} />;
  return (
    <div className="splash">
      <Spinner label={t('app.loading')} />
    </div>
  );
}

/** Signed-in layout: sidebar navigation, header (feed clock, language, user, logout) and the routed page. */
function Shell({ user }: { user: PublicUser }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [route, navigate] = useHashRoute('dashboard');
  const logout = useMutation(
    trpc.auth.logout.mutationOptions({
      meta: { silent: true },
      onSettled: async () => {
        closeRealtime();
        // Back to "unknown session" first (unmounts the shell), then drop everything the user had loaded.
        await queryClient.resetQueries({ queryKey: AUTH_ME_KEY });
        queryClient.removeQueries({ predicate: (q) => JSON.stringify(q.queryKey[0]) !== JSON.stringify(AUTH_ME_KEY[0]) });
      },
    }),
  );

  const item = NAV_ITEMS.find((i) => i.id === route && i.ready && (!i.roles || i.roles.includes(user.role)));
  const page = item?.id ?? 'dashboard';
  return (
    <FeedProvider>
      <div className="shell">
        <Nav current={page} role={user.role} onNavigate={navigate} />
        <div className="main">
          <Header title={t(item?.label ?? 'nav.dashboard')} user={user} onLogout={() => logout.mutate()} loggingOut={logout.isPending} />
          <main className="content">
            {page === 'users' ? (
              <UsersPage />
            ) : page === 'accounts' ? (
              <AccountsPage />
            ) : page === 'trade' ? (
              <TradePage />
            ) : page === 'bots' ? (
              <BotsPage />
            ) : page === 'backtests' ? (
              <BacktestsPage />
            ) : page === 'settings' ? (
              <SettingsPage />
            ) : page === 'market' ? (
              <MarketPage />
            ) : (
              <DashboardPage />
            )}
          </main>
        </div>
      </div>
    </FeedProvider>
  );
}
