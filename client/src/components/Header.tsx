import type { PublicUser } from '@osprey/shared';
import { LANGS, LANG_NAMES, useI18n, type Lang } from '../lib/i18n.js';
import { formatDateTime, formatUtc, localTimeZone } from '../lib/time.js';
import { useFeed } from '../market/feed.js';

/**
 * `YYYY-MM-DD HH:mm:ss` split into a date part (`clock-date`, hidden on narrow screens) and the time, so a
 * phone-width header shows just the time.
 */
function ClockText({ text }: { text: string }) {
  const i = text.indexOf(' ');
  if (i < 0) return <>{text}</>;
  return (
    <>
      <span className="clock-date">{text.slice(0, i + 1)}</span>
      {text.slice(i + 1)}
    </>
  );
}

/** Feed clock: the feed's current time in the user's zone and in UTC, plus feed kind and speed. */
export function FeedClock() {
  const { t } = useI18n();
  const { feed, status } = useFeed();
  const tz = localTimeZone();
  const replay = feed?.kind === 'replay';
  return (
    <div className="clock" data-feed-kind={feed?.kind ?? ''} data-feed-now={feed?.now ?? ''}>
      <div className="clock-meta">
        <span className={`badge ${replay ? 'badge-replay' : 'badge-live'} ${status === 'error' ? 'badge-off' : ''}`} data-testid="feed-kind">
          {feed ? t(replay ? 'header.replay' : 'header.live') : '—'}
          {feed && replay ? ` ${t('header.speed', { speed: feed.speed })}` : ''}
          {feed && !feed.running ? ` · ${t('header.paused')}` : ''}
        </span>
        <span className="clock-label">{t(replay ? 'header.feedTime' : 'header.time')}</span>
      </div>
      <div className="clock-times">
        <div className="clock-row" title={tz}>
          <span className="clock-value" data-testid="clock-local">
            {feed ? <ClockText text={formatDateTime(feed.now, tz)} /> : '—'}
          </span>
          <span className="clock-zone">{tz}</span>
        </div>
        <div className="clock-row clock-row-utc">
          <span className="clock-value" data-testid="clock-utc">
            {feed ? <ClockText text={formatUtc(feed.now)} /> : '—'}
          </span>
          <span className="clock-zone">{t('header.utc')}</span>
        </div>
      </div>
    </div>
  );
}

/** Language picker (`<select>` with values `en` / `zh`); the choice is saved in localStorage. */
export function LangSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <select
      className="select select-sm lang-switch"
      data-testid="lang-switch"
      aria-label={t('header.language')}
      value={lang}
      onChange={(e) => setLang(e.target.value as Lang)}
    >
      {LANGS.map((l) => (
        <option key={l} value={l}>
          {LANG_NAMES[l]}
        </option>
      ))}
    </select>
  );
}

/**
 * Top bar: page title, feed clock, language switch, signed-in user and logout. On phone widths it folds
 * into two lines (title, user, logout / the feed clock's time, language) and never overflows sideways.
 */
export function Header({ title, user, onLogout, loggingOut }: { title: string; user: PublicUser; onLogout: () => void; loggingOut: boolean }) {
  const { t } = useI18n();
  return (
    <header className="topbar">
      <h1 className="page-title">{title}</h1>
      <div className="topbar-right">
        <FeedClock />
        <LangSwitch />
        <div className="user">
          <span className="user-email" data-testid="user-email" title={user.email}>
            {user.email}
          </span>
          <span className="user-role">{t(user.role === 'admin' ? 'header.admin' : 'header.trader')}</span>
        </div>
        <button type="button" className="btn btn-ghost logout-btn" data-testid="logout" onClick={onLogout} disabled={loggingOut}>
          {t('header.logout')}
        </button>
      </div>
    </header>
  );
}
