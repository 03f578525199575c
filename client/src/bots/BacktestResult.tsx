import { useMemo } from 'react';
import { skipToken, useQuery } from '@tanstack/react-query';
import type { BacktestAssumptions, BacktestRunView, RunMetricsView } from '@osprey/shared';
import { useTRPC } from '../lib/trpc.js';
import { useI18n } from '../lib/i18n.js';
import { errorMessage } from '../lib/errors.js';
import { formatDateTimeShort } from '../lib/time.js';
import { Placeholder, Spinner } from '../components/Feedback.js';
import { chartSymbolFor } from '../trade/trades.js';
import type { FillLike } from '../charts/trade-overlay.js';
import { EquityDrawdownChart, RunCandleChart, SpreadChart } from './BotCharts.js';
import { EventsTable, FillsTable, RoundTripsTable } from './BotTables.js';
import { ExportButton } from '../components/ExportButton.js';
import { RunProgress, RunStatus } from './RunsTable.js';
import { METRICS, formatMetric, metricValue } from './metrics.js';
import { botChartSymbol } from './bot-view.js';
import { backtestPrefillHash } from './backtest-form.js';

/** Metric cards of a run (`bt-metrics`; each `bt-metric-<key>` with `data-value`). */
export function MetricCards({ metrics }: { metrics: RunMetricsView }) {
  const { t } = useI18n();
  return (
    <div className="metric-cards" data-testid="bt-metrics">
      {METRICS.map((d) => {
        const v = metricValue(metrics, d.key);
        const tone = d.key === 'totalReturnPct' && v !== null ? (v > 0 ? 'pos' : v < 0 ? 'neg' : 'flat') : d.key === 'maxDrawdownPct' && v ? 'neg' : '';
        return (
          <div key={d.key} className="metric-card" data-testid={`bt-metric-${d.key}`} data-value={v ?? ''} title={d.hint ? t(d.hint) : undefined}>
            <div className="metric-label">
              {t(d.label)}
              {d.hint && <span className="metric-info" aria-hidden="true"> ⓘ</span>}
            </div>
            <div className={`metric-value num pnl-${tone || 'none'}`}>{formatMetric(d.key, v)}</div>
          </div>
        );
      })}
    </div>
  );
}

/**
 * The fill assumptions of a finished run (`bt-assumptions`, with `data-fill-model`, `data-detail` and
 * `data-same-candle`): the fill model, the detail timeframe and how many candles it covered, and how many
 * round trips completed inside one candle. Runs stored before assumptions were recorded say so.
 */
export function AssumptionsLine({ assumptions: a, metrics }: { assumptions: BacktestAssumptions | null; metrics: RunMetricsView | null }) {
  const { t } = useI18n();
  const same = metrics?.sameCandleRoundTrips;
  const parts: string[] = [];
  if (a === null) parts.push(t('bt.assume.unknown'));
  else {
    parts.push(t(a.fillModel === 'conservative' ? 'bt.assume.conservative' : 'bt.assume.path'));
    if (a.detail === null) parts.push(t('bt.assume.noDetail'));
    else {
      parts.push(t('bt.assume.detail', { tf: a.detail, n: a.detailCandles, total: a.candles }));
      if (a.detailMissing + a.detailInconsistent > 0) parts.push(t('bt.assume.fallback', { missing: a.detailMissing, inconsistent: a.detailInconsistent }));
    }
  }
  if (same !== undefined && metrics) parts.push(t('bt.assume.sameCandle', { n: same, total: metrics.roundTrips }));
  return (
    <p className="muted small bt-assumptions" data-testid="bt-assumptions" data-fill-model={a?.fillModel ?? 'path'} data-detail={a?.detail ?? ''} data-same-candle={same ?? ''}>
      {t('bt.assumptions')}: {parts.join(' · ')}
    </p>
  );
}

/**
 * The result of one run (`bt-result`, `data-run-id`, `data-status`): header (name, range, settings,
 * "edit as new run"), progress while it runs or the failure, then metric cards, equity with drawdown, the
 * candle chart of its first symbol with the fills, the spread chart (spread bots), round trips, fills and
 * events.
 */
export function BacktestResult({ run, onEditConfig }: { run: BacktestRunView; onEditConfig: (hash: string) => void }) {
  const { t, tx } = useI18n();
  const trpc = useTRPC();
  const done = run.status === 'done';
  const result = useQuery(trpc.backtests.get.queryOptions(done ? { id: run.id } : skipToken, { staleTime: Infinity }));
  const data = result.data;
  const symbol = botChartSymbol(run.config);
  const chartSymbol = chartSymbolFor(symbol);
  const candles = useMemo(() => (data ? (data.candles[symbol] ?? data.candles[chartSymbol] ?? Object.values(data.candles)[0] ?? []) : []), [data, symbol, chartSymbol]);
  const fills: FillLike[] = useMemo(() => (data ? data.fills.map((f, i) => ({ ...f, id: `${f.ts}-${i}` })) : []), [data]);
  const s = run.settings;

  return (
    <section className="panel bt-result" data-testid="bt-result" data-run-id={run.id} data-status={run.status}>
      <div className="panel-head">
        <h2 className="panel-title">
          {t('bt.result')} <span className="muted">{run.name}</span>
        </h2>
        <div className="row-actions">
          {run.status === 'done' && <ExportButton target={{ runId: run.id }} kinds={['roundTrips', 'fills', 'equity']} testId="export-run" />}
          <button type="button" className="btn btn-sm" data-testid="bt-edit-config" onClick={() => onEditConfig(backtestPrefillHash(run.config, run.name))}>
            ✎ {t('bt.editAsNew')}
          </button>
        </div>
      </div>
      <div className="bt-result-body">
        <p className="muted small bt-run-meta">
          {t(`bots.type.${run.type}`)} · {run.symbols.join(', ')} · {t(`accounts.marketType.${run.config.marketType}`)} · {formatDateTimeShort(run.from)} → {formatDateTimeShort(run.to)} · {s.timeframe} ·{' '}
          {Object.entries(s.balances)
            .map(([c, v]) => `${v} ${c}`)
            .join(', ')}{' '}
          · {t('bt.slippage')} {s.slippageBps} bps{s.fees ? ` · ${t('bt.feeMaker')} ${s.fees.maker} / ${t('bt.feeTaker')} ${s.fees.taker}` : ''}
        </p>
        {run.status === 'queued' || run.status === 'running' ? (
          <Placeholder testId="bt-result-running">
            <div className="stack">
              <RunProgress run={run} />
              <span className="muted">{t('bt.runningHint')}</span>
            </div>
          </Placeholder>
        ) : run.status === 'failed' ? (
          <div className="form-error" role="alert" data-testid="bt-result-error">
            <RunStatus run={run} /> {run.error ? tx(run.error) : ''}
          </div>
        ) : result.isPending ? (
          <Placeholder>
            <Spinner label={t('app.loading')} />
          </Placeholder>
        ) : result.error || !data ? (
          <Placeholder>{tx(errorMessage(result.error))}</Placeholder>
        ) : (
          <>
            {run.metrics && <MetricCards metrics={run.metrics} />}
            <AssumptionsLine assumptions={data.assumptions ?? null} metrics={run.metrics} />
            <h3 className="sub-title">
              {t('bt.equityTitle')} <span className="muted">{t('bt.equityHint')}</span>
            </h3>
            <EquityDrawdownChart points={data.equity} />
            <h3 className="sub-title">
              {t('bt.candlesTitle')} <span className="muted">{chartSymbol} · {data.timeframe}</span>
            </h3>
            <RunCandleChart candles={candles} timeframe={data.timeframe} fills={fills} chartSymbol={chartSymbol} />
            {run.config.type === 'spread' && (
              <>
                <h3 className="sub-title">
                  {t('bots.spreadTitle')}{' '}
                  <span className="muted">
                    {run.config.spread.symbolA} − {run.config.spread.symbolB}
                  </span>
                </h3>
                <SpreadChart series={data.series} entryPct={run.config.spread.entryPct} testId="bt-spread-chart" />
              </>
            )}
            <div className="bt-tables">
              <div>
                <h3 className="sub-title">
                  {t('bots.trips')} <span className="muted">{data.trades.length}</span>
                </h3>
                <RoundTripsTable trips={data.trades} testId="bt-trades-table" rowTestId="bt-trade-row" />
              </div>
              <div>
                <h3 className="sub-title">
                  {t('bots.fills')} <span className="muted">{data.fills.length}</span>
                </h3>
                <FillsTable fills={data.fills} testId="bt-fills-table" rowTestId="bt-fill-row" />
              </div>
            </div>
            <h3 className="sub-title">
              {t('bots.eventsTitle')} <span className="muted">{data.events.length}</span>
            </h3>
            <EventsTable events={data.events} testId="bt-events-table" rowTestId="bt-event-row" />
          </>
        )}
      </div>
    </section>
  );
}
