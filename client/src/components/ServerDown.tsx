import { useEffect, useState } from 'react';
import { useI18n } from '../lib/i18n.js';
import { backoffDelay, secondsUntil } from '../lib/retry.js';

/**
 * "Cannot reach the server" screen (`server-down`, `data-attempts`) shown while the first request keeps
 * failing: it says that it retries by itself, counts down to the next attempt (`server-down-next`, the
 * caller retries with {@link backoffDelay}), and offers "Retry now" (`server-down-retry`). `failures` is
 * the number of failed attempts so far.
 */
export function ServerDown({ failures, onRetry }: { failures: number; onRetry: () => void }) {
  const { t } = useI18n();
  const [nextAt, setNextAt] = useState(() => Date.now() + backoffDelay(failures));
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    setNextAt(Date.now() + backoffDelay(failures));
  }, [failures]);
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(id);
  }, []);
  const left = secondsUntil(nextAt, now);
  return (
    <div className="splash" data-testid="server-down" data-attempts={failures}>
      <p>{t('app.serverDown')}</p>
      <p className="muted small" data-testid="server-down-next">
        {left > 0 ? t('app.retryIn', { seconds: left, attempts: failures }) : t('app.retrying')}
      </p>
      <button type="button" className="btn" data-testid="server-down-retry" onClick={onRetry}>
        {t('app.retryNow')}
      </button>
    </div>
  );
}
