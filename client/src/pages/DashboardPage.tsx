import { useMemo } from 'react';
import { keepPreviousData, skipToken, useQuery } from '@tanstack/react-query';
import { useTRPC } from '../lib/trpc.js';
import { useI18n } from '../lib/i18n.js';
import { errorMessage } from '../lib/errors.js';
import { localTimeZone } from '../lib/time.js';
import { Placeholder, Spinner } from '../components/Feedback.js';
import { useFeed } from '../market/feed.js';
import { DashboardLive } from '../dashboard/DashboardLive.js';
import { AlertsPanel, BotsPanel, EquityCard, EquityCurvePanel, FillsPanel, PnlCards, PositionsPanel, SignalsPanel } from '../dashboard/DashboardPanels.js';
import { dashboardWindows, withLivePoint } from '../dashboard/dashboard-view.js';
import '../dashboard/dashboard.css';

/** Points of the equity curve asked for (the server picks a 15-minute-multiple grid step to fit). */
const CURVE_POINTS = 500;
/** Safety-net refetches besides the live invalidations, ms. */
const SUMMARY_REFETCH_MS = 15_000;
const CURVE_REFETCH_MS = 60_000;

/**
 * The first page after login: the trader's equity across accounts (with its 30-day curve), realized PnL today /
 * 7 days / 30 days in their time zone on the market clock, unrealized PnL now, open positions, bots, recent
 * fills, active signals and alerts. Live through {@link DashboardLive} plus a modest refetch interval. Without
 * an account it explains how to add a paper account.
 */
export function DashboardPage() {
  const { t, tx } = useI18n();
  const trpc = useTRPC();
  const { feed } = useFeed();
  const timeZone = localTimeZone();
  // Window starts change once a day (in the trader's zone), so the query key is stable in between.
  const windows = feed ? dashboardWindows(feed.now, timeZone) : null;
  const summary = useQuery(
    trpc.dashboard.summary.queryOptions(windows ? { windows } : skipToken, { refetchInterval: SUMMARY_REFETCH_MS, placeholderData: keepPreviousData }),
  );
  const curve = useQuery(
    trpc.dashboard.equity.queryOptions(windows ? { from: windows.month, points: CURVE_POINTS } : skipToken, { refetchInterval: CURVE_REFETCH_MS, placeholderData: keepPreviousData }),
  );
  // The live total ends the curve; memoised so the once-a-second feed clock does not redraw the chart.
  const liveTs = summary.data?.now;
  const liveEquity = summary.data?.equity;
  const curvePoints = useMemo(
    () => (curve.data && curve.data.points.length > 0 ? withLivePoint(curve.data.points, liveTs !== undefined && liveEquity !== undefined ? { ts: liveTs, equity: liveEquity } : null) : []),
    [curve.data, liveTs, liveEquity],
  );

  if (summary.error && !summary.data) {
    return (
      <div className="page dashboard-page" data-testid="dashboard-page">
        <Placeholder>{tx(errorMessage(summary.error))}</Placeholder>
      </div>
    );
  }
  if (!summary.data) {
    return (
      <div className="page dashboard-page" data-testid="dashboard-page">
        <Placeholder>
          <Spinner label={t('app.loading')} />
        </Placeholder>
      </div>
    );
  }
  const s = summary.data;
  return (
    <div className="page dashboard-page" data-testid="dashboard-page">
      <DashboardLive accountIds={s.accounts.map((a) => a.id)} />
      {s.accounts.length === 0 ? (
        <>
          <section className="panel dash-hero" data-testid="dash-no-accounts">
            <h2>{t('dash.noAccounts.title')}</h2>
            <p>{t('dash.noAccounts.body')}</p>
            <a className="btn btn-primary" href="#/accounts" data-testid="dash-add-account">
              {t('dash.noAccounts.action')}
            </a>
          </section>
          <SignalsPanel signals={s.signals} />
        </>
      ) : (
        <>
          <div className="dash-top">
            <EquityCard summary={s} />
            <PnlCards summary={s} />
          </div>
          <EquityCurvePanel points={curvePoints} />
          <PositionsPanel positions={s.positions} />
          <div className="dash-grid">
            <BotsPanel bots={s.bots} />
            <AlertsPanel alerts={s.alerts} />
            <FillsPanel fills={s.fills} />
            <SignalsPanel signals={s.signals} />
          </div>
        </>
      )}
      <p className="muted small dash-foot">{t('dash.timesIn', { zone: timeZone })}</p>
    </div>
  );
}
