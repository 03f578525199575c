import { useState } from 'react';
import type { BacktestRunView } from '@osprey/shared';
import { useI18n } from '../lib/i18n.js';
import { formatDateTimeShort } from '../lib/time.js';
import { Placeholder } from '../components/Feedback.js';
import { pnlClass } from '../trade/trades.js';
import { formatMetric, isActiveRun, progressPct } from './metrics.js';

/** A run's progress bar (`bt-progress`, `role=progressbar`, `data-progress` in percent). */
export function RunProgress({ run }: { run: Pick<BacktestRunView, 'id' | 'status' | 'progress'> }) {
  const { t } = useI18n();
  const pct = progressPct(run.progress);
  return (
    <span
      className="progress"
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
      aria-label={t('bt.progress')}
      data-testid="bt-progress"
      data-run-id={run.id}
      data-progress={pct}
      data-status={run.status}
    >
      <span className="progress-bar" style={{ width: `${pct}%` }} />
      <span className="progress-text">{run.status === 'queued' ? t('bt.status.queued') : `${pct}%`}</span>
    </span>
  );
}

/** Status badge of a run (`bt-run-status`, `data-status`); a failure's message is its tooltip. */
export function RunStatus({ run }: { run: Pick<BacktestRunView, 'status' | 'error'> }) {
  const { t, tx } = useI18n();
  return (
    <span className={`badge badge-run-${run.status}`} data-testid="bt-run-status" data-status={run.status} title={run.error ? tx(run.error) : undefined}>
      {t(`bt.status.${run.status}`)}
      {run.error ? ' ⚠' : ''}
    </span>
  );
}

/**
 * History of backtest runs (`bt-runs-table`, rows `bt-run-row` with `data-run-id`, `data-status`): a compare
 * checkbox (`bt-run-select`, at most two), name (click opens the result), type, symbols, range, status with a
 * progress bar while queued/running, total return, max drawdown, Sharpe, trades, and Delete (`bt-run-delete`,
 * confirmed by `bt-run-delete-confirm`) once finished.
 */
export function RunsTable({
  runs,
  selectedId,
  compare,
  onSelect,
  onToggleCompare,
  onDelete,
  deleting,
}: {
  runs: readonly BacktestRunView[];
  selectedId: string | null;
  compare: readonly string[];
  onSelect: (id: string) => void;
  onToggleCompare: (id: string) => void;
  onDelete: (id: string) => void;
  deleting: boolean;
}) {
  const { t } = useI18n();
  const [confirm, setConfirm] = useState<string | null>(null);
  if (runs.length === 0) return <Placeholder testId="bt-runs-empty">{t('bt.noRuns')}</Placeholder>;
  const full = compare.length >= 2;
  return (
    <div className="table-scroll table-scroll-tall">
      <table className="table table-compact table-hover" data-testid="bt-runs-table">
        <thead>
          <tr>
            <th title={t('bt.compareHint')}>⇆</th>
            <th>{t('bots.name')}</th>
            <th>{t('bots.type')}</th>
            <th>{t('bots.symbols')}</th>
            <th>{t('bt.range')}</th>
            <th>{t('orders.status')}</th>
            <th className="num">{t('bt.metric.totalReturn')}</th>
            <th className="num">{t('bt.metric.maxDrawdown')}</th>
            <th className="num">{t('bt.metric.sharpe')}</th>
            <th className="num">{t('bt.metric.trades')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => {
            const m = r.metrics;
            const checked = compare.includes(r.id);
            return (
              <tr
                key={r.id}
                className={`clickable ${selectedId === r.id ? 'selected' : ''}`}
                data-testid="bt-run-row"
                data-run-id={r.id}
                data-status={r.status}
                data-name={r.name}
                tabIndex={0}
                onClick={() => onSelect(r.id)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') onSelect(r.id);
                }}
              >
                <td onClick={(e) => e.stopPropagation()}>
                  <input
                    type="checkbox"
                    data-testid="bt-run-select"
                    aria-label={t('bt.compareSelect', { name: r.name })}
                    checked={checked}
                    disabled={(!checked && full) || r.status !== 'done'}
                    onChange={() => onToggleCompare(r.id)}
                  />
                </td>
                <td className="strong run-name" title={r.name}>
                  {r.name}
                </td>
                <td>{t(`bots.type.${r.type}`)}</td>
                <td className="nowrap small">{r.symbols.join(', ')}</td>
                <td className="num nowrap small" title={`${formatDateTimeShort(r.from)} → ${formatDateTimeShort(r.to)}`}>
                  {formatDateTimeShort(r.from).slice(0, 10)} → {formatDateTimeShort(r.to).slice(0, 10)}
                </td>
                <td className="nowrap">{isActiveRun(r) ? <RunProgress run={r} /> : <RunStatus run={r} />}</td>
                <td className={`num pnl-${pnlClass(m?.totalReturnPct)}`} data-testid="bt-run-return">
                  {m ? formatMetric('totalReturnPct', m.totalReturnPct) : '—'}
                </td>
                <td className="num">{m ? formatMetric('maxDrawdownPct', m.maxDrawdownPct) : '—'}</td>
                <td className="num">{m ? formatMetric('sharpe', m.sharpe) : '—'}</td>
                <td className="num">{m ? m.roundTrips : '—'}</td>
                <td className="actions" onClick={(e) => e.stopPropagation()}>
                  {!isActiveRun(r) &&
                    (confirm === r.id ? (
                      <>
                        <button type="button" className="btn btn-xs btn-danger" data-testid="bt-run-delete-confirm" disabled={deleting} onClick={() => onDelete(r.id)}>
                          {t('accounts.delete')}
                        </button>
                        <button type="button" className="btn btn-xs btn-ghost" onClick={() => setConfirm(null)}>
                          {t('accounts.cancel')}
                        </button>
                      </>
                    ) : (
                      <button type="button" className="btn btn-xs btn-ghost btn-danger-text" data-testid="bt-run-delete" aria-label={t('accounts.delete')} title={t('accounts.delete')} onClick={() => setConfirm(r.id)}>
                        ×
                      </button>
                    ))}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
