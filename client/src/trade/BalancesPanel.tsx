import { useMemo } from 'react';
import { useI18n } from '../lib/i18n.js';
import { localTimeZone } from '../lib/time.js';
import { formatAmount, formatPrice } from '../lib/format.js';
import { EChart } from '../components/EChart.js';
import { Placeholder } from '../components/Feedback.js';
import { buildEquityOption, equityChange, equitySeries, type EquityPointLike } from '../charts/equity-option.js';
import { formatSigned, pnlClass } from './trades.js';
import type { BalanceRow } from './types.js';

/**
 * Balances of the account (`balance-row`, currencies with a zero total hidden) and the equity mini-chart
 * (`equity-chart`, `data-points`, last value and change since the first point).
 */
export function BalancesPanel({ balances, equity }: { balances: readonly BalanceRow[]; equity: readonly EquityPointLike[] }) {
  const { t } = useI18n();
  const timeZone = localTimeZone();
  const option = useMemo(() => buildEquityOption(equity, timeZone), [equity, timeZone]);
  const shown = balances.filter((b) => Number(b.total) !== 0 || Number(b.used) !== 0);
  const series = equitySeries(equity);
  const last = series.at(-1)?.[1] ?? null;
  const change = equityChange(equity);
  return (
    <div className="balances-panel">
      {shown.length === 0 ? (
        <Placeholder testId="balances-empty">{t('balances.none')}</Placeholder>
      ) : (
        <table className="table table-compact" data-testid="balances-table">
          <thead>
            <tr>
              <th>{t('balances.currency')}</th>
              <th className="num">{t('balances.free')}</th>
              <th className="num">{t('balances.used')}</th>
              <th className="num">{t('balances.total')}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((b) => (
              <tr key={b.currency} data-testid="balance-row" data-currency={b.currency} data-total={b.total}>
                <td className="strong">{b.currency}</td>
                <td className="num" title={b.free}>
                  {formatAmount(b.free)}
                </td>
                <td className="num" title={b.used}>
                  {formatAmount(b.used)}
                </td>
                <td className="num" title={b.total}>
                  {formatAmount(b.total)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="equity-head">
        <span className="muted">{t('balances.equity')}</span>
        <span className="num strong" data-testid="equity-last">
          {last !== null ? formatPrice(last) : '—'}
        </span>
        {series.length > 1 && <span className={`num pnl-${pnlClass(change)}`}>{formatSigned(change)}</span>}
      </div>
      <div className="equity-chart" data-testid="equity-chart" data-points={series.length}>
        {series.length === 0 ? <Placeholder>{t('balances.noEquity')}</Placeholder> : <EChart className="chart" option={option} setOptionOpts={{ notMerge: true }} />}
      </div>
    </div>
  );
}
