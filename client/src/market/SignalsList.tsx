import type { KeyboardEvent, MouseEvent } from 'react';
import type { MarketSignal } from '@osprey/shared';
import { useI18n } from '../lib/i18n.js';
import { formatDateTimeShort, formatMonthDayTime } from '../lib/time.js';
import { Placeholder, Spinner } from '../components/Feedback.js';
import { isSignalActive } from './live.js';
import type { PrefillTarget } from '../trade/prefill.js';

/** Keeps a click/keypress on a row's action button from also selecting the row. */
const stop = (e: MouseEvent | KeyboardEvent) => e.stopPropagation();

/** Rows rendered at most (the list is newest first). */
const MAX_ROWS = 300;

/**
 * Detector signals of one symbol, newest first: time (the close of the signal's 15m candle, user's zone —
 * the time the chart tooltip gives it too), direction, score, size
 * multiplier, expiry and ACTIVE/EXPIRED relative to the feed time `now`. Clicking a row calls `onSelect`.
 * With `onTrade`, active signals get "Trade" (`signal-trade`, prefills the order ticket) and "Pending"
 * (`signal-pending`, prefills a pending order at the signal's trigger price) actions.
 */
export function SignalsList({
  signals,
  now,
  loading,
  onSelect,
  onTrade,
}: {
  signals: readonly MarketSignal[];
  now: number | null;
  loading: boolean;
  onSelect: (signal: MarketSignal) => void;
  onTrade?: (signal: MarketSignal, target: PrefillTarget) => void;
}) {
  const { t } = useI18n();
  return (
    <div className="signals" data-testid="signals-list" data-count={signals.length}>
      {loading ? (
        <Placeholder>
          <Spinner label={t('app.loading')} />
        </Placeholder>
      ) : signals.length === 0 ? (
        <Placeholder testId="signals-empty">{t('signals.empty')}</Placeholder>
      ) : (
        <table className="table table-compact table-hover">
          <thead>
            <tr>
              <th title={t('signals.timeHint')}>{t('signals.time')}</th>
              <th>{t('signals.type')}</th>
              <th className="num">{t('signals.score')}</th>
              <th className="num">{t('signals.mult')}</th>
              <th>{t('signals.expiry')}</th>
              <th>{t('signals.status')}</th>
              {onTrade && <th />}
            </tr>
          </thead>
          <tbody>
            {signals.slice(0, MAX_ROWS).map((s) => {
              const active = now !== null && isSignalActive(s, now);
              return (
                <tr
                  key={s.id}
                  className="clickable"
                  data-testid="signal-row"
                  data-signal-id={s.id}
                  data-type={s.type}
                  data-status={active ? 'ACTIVE' : 'EXPIRED'}
                  tabIndex={0}
                  onClick={() => onSelect(s)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter' || e.key === ' ') {
                      e.preventDefault();
                      onSelect(s);
                    }
                  }}
                >
                  <td className="num nowrap" title={formatDateTimeShort(s.createdAt)}>{formatMonthDayTime(s.createdAt)}</td>
                  <td>
                    <span className={`dir dir-${s.type.toLowerCase()}`}>
                      {s.type === 'LONG' ? '▲' : '▼'} {t(`signals.${s.type}`)}
                    </span>
                  </td>
                  <td className="num">{s.score}</td>
                  <td className="num">×{s.sizeMultiplier}</td>
                  <td className="num nowrap" title={formatDateTimeShort(s.expiresAt)}>{formatMonthDayTime(s.expiresAt)}</td>
                  <td>
                    <span className={`badge ${active ? 'badge-active' : 'badge-expired'}`}>{t(active ? 'signals.active' : 'signals.expired')}</span>
                  </td>
                  {onTrade && (
                    <td className="signal-actions nowrap">
                      {active && (
                        <>
                          <button
                            type="button"
                            className="btn btn-xs"
                            data-testid="signal-trade"
                            title={t('signals.tradeHint')}
                            onClick={(e) => {
                              stop(e);
                              onTrade(s, 'ticket');
                            }}
                            onKeyDown={stop}
                          >
                            {t('signals.trade')}
                          </button>
                          <button
                            type="button"
                            className="btn btn-xs btn-ghost"
                            data-testid="signal-pending"
                            title={t('signals.pendingHint')}
                            onClick={(e) => {
                              stop(e);
                              onTrade(s, 'pending');
                            }}
                            onKeyDown={stop}
                          >
                            {t('signals.pending')}
                          </button>
                        </>
                      )}
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
