import { useMemo } from 'react';
import { useQueries } from '@tanstack/react-query';
import type { BacktestRunView } from '@osprey/shared';
import { useTRPC } from '../lib/trpc.js';
import { useI18n } from '../lib/i18n.js';
import { formatDateTimeShort } from '../lib/time.js';
import { Placeholder, Spinner } from '../components/Feedback.js';
import { COMPARE_COLORS } from '../charts/backtest-option.js';
import { CompareChart } from './BotCharts.js';
import { METRICS, bestRuns, formatMetric, metricValue } from './metrics.js';

/**
 * Two or more runs side by side (`bt-compare`, `data-runs` = their ids): their metrics in one column per
 * run with the best value of each ranked metric highlighted (`bt-compare-row` with `data-metric` and
 * `data-best` = the ids of the best runs; cells `bt-compare-cell` with `data-run-id` and `data-best`), and
 * every equity curve normalised to % return, overlaid on one chart (`bt-compare-chart`).
 */
export function BacktestCompare({ runs, onClose }: { runs: readonly BacktestRunView[]; onClose: () => void }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const results = useQueries({ queries: runs.map((r) => trpc.backtests.get.queryOptions({ id: r.id }, { staleTime: Infinity })) });
  const loadedKey = results.map((q) => q.dataUpdatedAt).join(',');
  const runsKey = runs.map((r) => `${r.id}:${r.name}`).join('|');
  const ready = results.every((q) => q.data);
  const curves = useMemo(
    () => (ready ? runs.map((r, i) => ({ name: r.name, points: results[i]!.data!.equity })) : null),
    // `results` and `runs` change identity on every render; their content only with these keys.
    [ready, loadedKey, runsKey],
  );
  const metrics = runs.map((r) => r.metrics);

  return (
    <section className="panel bt-compare" data-testid="bt-compare" data-runs={runs.map((r) => r.id).join(',')}>
      <div className="panel-head">
        <h2 className="panel-title">
          {t('bt.compare')} <span className="muted">{runs.length}</span>
        </h2>
        <button type="button" className="btn btn-sm btn-ghost" data-testid="bt-compare-close" onClick={onClose}>
          {t('bt.compareClear')}
        </button>
      </div>
      <div className="bt-compare-body">
        <div className="table-scroll">
          <table className="table table-compact bt-compare-table" data-testid="bt-compare-table">
            <thead>
              <tr>
                <th>{t('bt.metric')}</th>
                {runs.map((r, i) => (
                  <th key={r.id} className="num bt-compare-run" title={`${r.name} · ${formatDateTimeShort(r.from)} → ${formatDateTimeShort(r.to)}`}>
                    <span className="run-swatch" style={{ background: COMPARE_COLORS[i % COMPARE_COLORS.length] }} /> {r.name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {METRICS.map((d) => {
                const best = bestRuns(d.key, metrics);
                return (
                  <tr key={d.key} data-testid="bt-compare-row" data-metric={d.key} data-best={best.map((i) => runs[i]!.id).join(',')}>
                    <td title={d.hint ? t(d.hint) : undefined}>
                      {t(d.label)}
                      {d.hint && <span className="metric-info muted"> ⓘ</span>}
                    </td>
                    {runs.map((r, i) => {
                      const isBest = best.includes(i);
                      return (
                        <td key={r.id} className={`num ${isBest ? 'better' : ''}`} data-testid="bt-compare-cell" data-run-id={r.id} data-best={isBest ? 'true' : 'false'}>
                          {r.metrics ? formatMetric(d.key, metricValue(r.metrics, d.key)) : '—'}
                          {isBest && <span className="better-mark" aria-label={t('bt.better')}> ★</span>}
                        </td>
                      );
                    })}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
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
