import { useState } from 'react';
import type { BacktestRunView } from '@osprey/shared';
import { useI18n } from '../lib/i18n.js';
import { formatDateTimeShort } from '../lib/time.js';
import { Placeholder } from '../components/Feedback.js';
import { pnlClass } from '../trade/trades.js';
import { MAX_COMPARE, formatMetric, isActiveRun, progressPct } from './metrics.js';

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

/** `MM-DD` of a range end in the user's zone (the year is in the cell's title). */
function shortDate(ms: number): string {
  return formatDateTimeShort(ms).slice(5, 10);
}

/**
 * History of backtest runs (`bt-runs-table`, rows `bt-run-row` with `data-run-id`, `data-status`), sized to
 * fit its panel: a compare checkbox (`bt-run-select`, up to {@link MAX_COMPARE}), name (truncated, click
 * opens the result), type over symbols, range (`MM-DD → MM-DD`, full times in the title), status with a
 * progress bar while queued/running, total return, max drawdown, Sharpe, trades, and Delete
 * (`bt-run-delete`, confirmed by `bt-run-delete-confirm`) once finished.
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
  const full = compare.length >= MAX_COMPARE;
  return (
    <div className="table-scroll bt-runs-scroll">
      <table className="table table-compact table-hover bt-runs-table" data-testid="bt-runs-table">
        <thead>
          <tr>
            <th className="col-check" title={t('bt.compareHint', { max: MAX_COMPARE })}>⇆</th>
            <th className="col-name">{t('bots.name')}</th>
            <th>
              {t('bots.type')} / {t('bots.symbols')}
            </th>
            <th>{t('bt.range')}</th>
            <th>{t('orders.status')}</th>
            <th className="num" title={t('bt.metric.totalReturn')}>
              {t('bt.col.return')}
            </th>
            <th className="num" title={t('bt.metric.maxDrawdown')}>
              {t('bt.col.drawdown')}
            </th>
            <th className="num">{t('bt.metric.sharpe')}</th>
            <th className="num">{t('bt.metric.trades')}</th>
            <th className="col-actions" />
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
                <td className="run-kind small" title={`${t(`bots.type.${r.type}`)} · ${r.symbols.join(', ')}`}>
                  <span className="muted">{t(`bots.type.${r.type}`)}</span>
                  <span className="run-symbols">{r.symbols.join(', ')}</span>
                </td>
                <td className="num nowrap small" data-testid="bt-run-range" title={`${formatDateTimeShort(r.from)} → ${formatDateTimeShort(r.to)}`}>
                  {shortDate(r.from)} → {shortDate(r.to)}
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
