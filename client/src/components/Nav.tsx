import type { Role } from '@osprey/shared';
import { useI18n, type MessageKey } from '../lib/i18n.js';

/** A navigation entry. Entries without a page yet are shown disabled with a "soon" tag. */
export interface NavItem {
  id: string;
  label: MessageKey;
  icon: string;
  ready: boolean;
  /** Only shown to these roles (all when absent). */
  roles?: readonly Role[];
}

/** The product areas, in sidebar order. */
export const NAV_ITEMS: readonly NavItem[] = [
  { id: 'dashboard', label: 'nav.dashboard', icon: '▦', ready: true },
  { id: 'market', label: 'nav.market', icon: '◔', ready: true },
  { id: 'trade', label: 'nav.trade', icon: '⇄', ready: true },
  { id: 'accounts', label: 'nav.accounts', icon: '▣', ready: true },
  { id: 'bots', label: 'nav.bots', icon: '⚙', ready: true },
  { id: 'backtests', label: 'nav.backtests', icon: '↺', ready: true },
  { id: 'signals', label: 'nav.signals', icon: '✉', ready: false },
  { id: 'arena', label: 'nav.arena', icon: '⚑', ready: false },
  { id: 'settings', label: 'nav.settings', icon: '☰', ready: true },
  { id: 'users', label: 'nav.users', icon: '☺', ready: true, roles: ['admin'] },
];

/** Left sidebar with the product areas; `current` is the active route id. */
export function Nav({ current, role, onNavigate }: { current: string; role: Role; onNavigate: (id: string) => void }) {
  const { t } = useI18n();
  return (
    <aside className="sidebar">
      <div className="brand">
        <svg viewBox="0 0 32 32" width="22" height="22" aria-hidden="true">
          <path d="M4 22 L16 6 L28 22 L16 16 Z" fill="#26a69a" />
        </svg>
        <span>{t('app.name')}</span>
      </div>
      <nav className="nav">
        {NAV_ITEMS.filter((item) => !item.roles || item.roles.includes(role)).map((item) => (
          <button
            key={item.id}
            type="button"
            className={`nav-item ${current === item.id ? 'active' : ''}`}
            data-testid={`nav-${item.id}`}
            aria-current={current === item.id ? 'page' : undefined}
            disabled={!item.ready}
            title={item.ready ? undefined : t('nav.comingSoon')}
            onClick={() => onNavigate(item.id)}
          >
            <span className="nav-icon" aria-hidden="true">
              {item.icon}
            </span>
            <span className="nav-label">{t(item.label)}</span>
            {!item.ready && <span className="nav-soon">{t('nav.soon')}</span>}
          </button>
        ))}
      </nav>
    </aside>
  );
}
