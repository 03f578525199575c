import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { BacktestRunView } from '@osprey/shared';
import { useTRPC } from '../lib/trpc.js';
import { useI18n } from '../lib/i18n.js';
import { formatDateTimeShort } from '../lib/time.js';
import { Placeholder, Spinner } from '../components/Feedback.js';
import { COMPARE_COLORS } from '../charts/backtest-option.js';
import { CompareChart } from './BotCharts.js';
import { METRICS, betterRun, formatMetric, metricValue } from './metrics.js';

/**
 * Two runs side by side (`bt-compare`): their metrics in two columns with the better value of each ranked
 * metric highlighted (`bt-compare-row` with `data-metric` and `data-better` a|b|''), and both equity curves
 * normalised to % return on one chart (`bt-compare-chart`).
 */
export function BacktestCompare({ a, b, onClose }: { a: BacktestRunView; b: BacktestRunView; onClose: () => void }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const ra = useQuery(trpc.backtests.get.queryOptions({ id: a.id }, { staleTime: Infinity }));
  const rb = useQuery(trpc.backtests.get.queryOptions({ id: b.id }, { staleTime: Infinity }));
  const curves = useMemo(
    () => (ra.data && rb.data ? [{ name: a.name, points: ra.data.equity }, { name: b.name, points: rb.data.equity }] : null),
    [ra.data, rb.data, a.name, b.name],
  );

  return (
    <section className="panel bt-compare" data-testid="bt-compare" data-runs={`${a.id},${b.id}`}>
      <div className="panel-head">
        <h2 className="panel-title">{t('bt.compare')}</h2>
        <button type="button" className="btn btn-sm btn-ghost" data-testid="bt-compare-close" onClick={onClose}>
          {t('bt.compareClear')}
        </button>
      </div>
      <div className="bt-compare-body">
        <table className="table table-compact bt-compare-table" data-testid="bt-compare-table">
          <thead>
            <tr>
              <th>{t('bt.metric')}</th>
              {[a, b].map((r, i) => (
                <th key={r.id} className="num" title={`${formatDateTimeShort(r.from)} → ${formatDateTimeShort(r.to)}`}>
                  <span className="run-swatch" style={{ background: COMPARE_COLORS[i] }} /> {r.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {METRICS.map((d) => {
              const better = betterRun(d.key, a.metrics, b.metrics);
              return (
                <tr key={d.key} data-testid="bt-compare-row" data-metric={d.key} data-better={better ?? ''}>
                  <td title={d.hint ? t(d.hint) : undefined}>
                    {t(d.label)}
                    {d.hint && <span className="metric-info muted"> ⓘ</span>}
                  </td>
                  {([['a', a], ['b', b]] as const).map(([side, r]) => (
                    <td key={side} className={`num ${better === side ? 'better' : ''}`}>
                      {r.metrics ? formatMetric(d.key, metricValue(r.metrics, d.key)) : '—'}
                      {better === side && <span className="better-mark" aria-label={t('bt.better')}> ★</span>}
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
        <div className="bt-compare-chart-wrap">
          {curves ? (
            <CompareChart curves={curves} />
          ) : (
            <Placeholder>
              <Spinner label={t('app.loading')} />
            </Placeholder>
          )}
        </div>
      </div>
    </section>
  );
}
