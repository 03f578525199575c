import type { MarketSignal } from '@osprey/shared';
import { useI18n } from '../lib/i18n.js';
import { formatDateTimeShort, formatMonthDayTime } from '../lib/time.js';
import { Placeholder, Spinner } from '../components/Feedback.js';
import { isSignalActive } from './live.js';

/** Rows rendered at most (the list is newest first). */
const MAX_ROWS = 300;

/**
 * Detector signals of one symbol, newest first: time (creation, user's zone), direction, score, size
 * multiplier, expiry and ACTIVE/EXPIRED relative to the feed time `now`. Clicking a row calls `onSelect`.
 */
export function SignalsList({
  signals,
  now,
  loading,
  onSelect,
}: {
  signals: readonly MarketSignal[];
  now: number | null;
  loading: boolean;
  onSelect: (signal: MarketSignal) => void;
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
              <th>{t('signals.time')}</th>
              <th>{t('signals.type')}</th>
              <th className="num">{t('signals.score')}</th>
              <th className="num">{t('signals.mult')}</th>
              <th>{t('signals.expiry')}</th>
              <th>{t('signals.status')}</th>
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
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
