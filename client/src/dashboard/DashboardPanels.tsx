/**
 * The dashboard's panels, each a pure view of its slice of `dashboard.summary` / `dashboard.equity`: money is
 * decimal strings (display rounding only), prices and amounts at their market's precision, times in the
 * trader's time zone. Each panel tells a new trader what to do when it is empty.
 */
import { useMemo, type ReactNode } from 'react';
import type { DashboardAlert, DashboardBot, DashboardEquityPoint, DashboardFill, DashboardPosition, DashboardSummary, MarketSignal } from '@osprey/shared';
import { useI18n } from '../lib/i18n.js';
import { formatAmount, formatMoney, formatPrice } from '../lib/format.js';
import { formatMonthDayTime, localTimeZone } from '../lib/time.js';
import { EChart } from '../components/EChart.js';
import { buildEquityOption } from '../charts/equity-option.js';
import { formatSigned, pnlClass } from '../trade/trades.js';
import { prefillFromSignal, prefillToHash } from '../trade/prefill.js';
import { alertHref, formatAtStep } from './dashboard-view.js';

const priceFallback = (v: string) => formatPrice(Number(v));

/** A signed money value, coloured, with the exact decimal string as its title. */
function Pnl({ value, testId }: { value: string | null; testId?: string }) {
  const n = value === null ? null : Number(value);
  return (
    <span className={`num pnl-${pnlClass(n)}`} title={value ?? undefined} data-testid={testId} data-value={value ?? ''}>
      {formatSigned(n)}
    </span>
  );
}

/** A panel with a title (and optional count and actions). */
function Panel({ title, count, actions, className, testId, children }: { title: string; count?: number; actions?: ReactNode; className?: string; testId?: string; children: ReactNode }) {
  return (
    <section className={`panel dash-panel ${className ?? ''}`} data-testid={testId}>
      <div className="panel-head">
        <h2 className="panel-title">
          {title}
          {count !== undefined && <span className="muted">{count}</span>}
        </h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

/** An empty panel's guidance, with an optional link to where to act. */
function Empty({ text, href, action, testId }: { text: string; href?: string; action?: string; testId?: string }) {
  return (
    <div className="dash-empty" data-testid={testId}>
      <p>{text}</p>
      {href && action && (
        <a className="btn btn-sm" href={href}>
          {action}
        </a>
      )}
    </div>
  );
}

/**
 * Total equity (`dash-equity`, `data-equity`) and each account's (`dash-account`), a stale mark on accounts
 * whose venue did not answer.
 */
export function EquityCard({ summary }: { summary: DashboardSummary }) {
  const { t, tx } = useI18n();
  return (
    <section className="panel dash-equity-card" data-testid="dash-equity" data-equity={summary.equity}>
      <div className="metric-label">{t('dash.equity')}</div>
      <div className="dash-equity-value num" title={summary.equity}>
        {formatMoney(summary.equity)} <span className="muted dash-quote">{summary.quote}</span>
      </div>
      <div className="muted small">{t('dash.equityHint', { quote: summary.quote })}</div>
      <ul className="dash-accounts">
        {summary.accounts.map((a) => (
          <li key={a.id} data-testid="dash-account" data-account-id={a.id} data-equity={a.equity ?? ''}>
            <span className={`badge badge-mode-${a.mode}`}>{a.mode}</span>
            <span className="dash-account-name">{a.name}</span>
            <span className="num" title={a.equity ?? undefined}>
              {a.equity === null ? '—' : formatMoney(a.equity)}
            </span>
            {a.stale && (
              <span className="warn-mark small" title={t('dash.staleTitle', { error: tx(a.error ?? '') })}>
                {t('dash.stale')}
              </span>
            )}
            {!a.stale && a.error && (
              <span className="warn-mark small" title={tx(a.error)}>
                !
              </span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Realized PnL today / 7 days / 30 days (`dash-pnl-today` …) and unrealized now (`dash-pnl-unrealized`). */
export function PnlCards({ summary }: { summary: DashboardSummary }) {
  const { t } = useI18n();
  const windows = [
    ['today', t('dash.today'), summary.pnl.today],
    ['week', t('dash.week'), summary.pnl.week],
    ['month', t('dash.month'), summary.pnl.month],
  ] as const;
  return (
    <div className="dash-pnl-cards">
      {windows.map(([id, label, w]) => (
        <div key={id} className="metric-card" data-testid={`dash-pnl-${id}`} title={t('dash.realizedDetail', { trades: formatMoney(w.trades), bots: formatMoney(w.bots), count: w.count })}>
          <div className="metric-label">
            {label} <span className="metric-info">{t('dash.realized')}</span>
          </div>
          <div className="metric-value">
            <Pnl value={w.realized} />
          </div>
          <div className="muted small">{t('dash.realizedDetail', { trades: formatSigned(Number(w.trades)), bots: formatSigned(Number(w.bots)), count: w.count })}</div>
        </div>
      ))}
      <div className="metric-card" data-testid="dash-pnl-unrealized">
        <div className="metric-label">{t('dash.unrealized')}</div>
        <div className="metric-value">
          <Pnl value={summary.unrealizedPnl} />
        </div>
        <div className="muted small">{t('dash.unrealizedDetail', { count: summary.positions.length })}</div>
      </div>
    </div>
  );
}

/** The summed equity curve (`dash-equity-chart`, `data-points`), the live total as its last point. */
export function EquityCurvePanel({ points }: { points: readonly DashboardEquityPoint[] }) {
  const { t } = useI18n();
  const timeZone = localTimeZone();
  const option = useMemo(() => buildEquityOption(points, timeZone), [points, timeZone]);
  return (
    <Panel title={t('dash.curve')} className="dash-curve" testId="dash-curve">
      {points.length === 0 ? (
        <Empty text={t('dash.curveEmpty')} testId="dash-curve-empty" />
      ) : (
        <EChart className="dash-equity-chart" option={option} data-testid="dash-equity-chart" data-points={points.length} data-last={points[points.length - 1]?.equity} />
      )}
    </Panel>
  );
}

/** Open positions across accounts (`dash-position-row`, `data-symbol`, `data-unrealized`). */
export function PositionsPanel({ positions }: { positions: readonly DashboardPosition[] }) {
  const { t } = useI18n();
  return (
    <Panel title={t('dash.positions')} count={positions.length} className="dash-positions" testId="dash-positions">
      {positions.length === 0 ? (
        <Empty text={t('dash.positionsEmpty')} href="#/trade" action={t('dash.goTrade')} testId="dash-positions-empty" />
      ) : (
        <div className="table-scroll">
          <table className="table table-compact">
            <thead>
              <tr>
                <th>{t('dash.col.symbol')}</th>
                <th>{t('dash.col.side')}</th>
                <th className="num">{t('dash.col.amount')}</th>
                <th className="num">{t('dash.col.entry')}</th>
                <th className="num">{t('dash.col.mark')}</th>
                <th className="num">{t('dash.col.upnl')}</th>
                <th className="num">{t('dash.col.liq')}</th>
                <th className="num">{t('dash.col.margin')}</th>
                <th>{t('dash.col.account')}</th>
                <th>{t('dash.col.source')}</th>
              </tr>
            </thead>
            <tbody>
              {positions.map((p) => (
                <tr key={`${p.accountId} ${p.symbol} ${p.side} ${p.botId ?? ''}`} data-testid="dash-position-row" data-symbol={p.symbol} data-amount={p.amount} data-unrealized={p.unrealizedPnl ?? ''}>
                  <td className="strong nowrap">
                    {p.symbol}
                    {p.leverage !== null && <span className="muted small"> {p.leverage}×</span>}
                  </td>
                  <td>
                    <span className={`dir dir-${p.side}`}>{t(`side.${p.side}`)}</span>
                  </td>
                  <td className="num" title={p.amount}>
                    {formatAtStep(p.amount, p.amountStep, (v) => formatAmount(v))}
                  </td>
                  <td className="num" title={p.entryPrice}>
                    {formatAtStep(p.entryPrice, p.priceStep, priceFallback)}
                  </td>
                  <td className="num" title={p.markPrice ?? undefined}>
                    {formatAtStep(p.markPrice, p.priceStep, priceFallback)}
                  </td>
                  <td className="num">
                    <Pnl value={p.unrealizedPnl} />
                  </td>
                  <td className="num" title={p.liquidationPrice ?? undefined}>
                    {formatAtStep(p.liquidationPrice, p.priceStep, priceFallback)}
                  </td>
                  <td className="num" title={p.margin ?? undefined}>
                    {p.margin === null ? '-' : formatMoney(p.margin)}
                  </td>
                  <td className="nowrap">{p.accountName}</td>
                  <td className="nowrap">
                    {p.botId ? (
                      <a className="link" href={`#/bots?id=${encodeURIComponent(p.botId)}`}>
                        {p.botName}
                      </a>
                    ) : (
                      <a className="link muted" href="#/trade">
                        {t('dash.manual')}
                      </a>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}

/** Running (and errored) bots with their PnL, each linking to its page (`dash-bot-row`). */
export function BotsPanel({ bots }: { bots: readonly DashboardBot[] }) {
  const { t } = useI18n();
  return (
    <Panel title={t('dash.bots')} count={bots.length} className="dash-bots" testId="dash-bots">
      {bots.length === 0 ? (
        <Empty text={t('dash.botsEmpty')} href="#/bots" action={t('dash.goBots')} testId="dash-bots-empty" />
      ) : (
        <div className="table-scroll">
          <table className="table table-compact">
            <thead>
              <tr>
                <th>{t('dash.col.bot')}</th>
                <th>{t('dash.col.status')}</th>
                <th className="num">{t('dash.col.total')}</th>
                <th className="num">{t('dash.col.realized')}</th>
                <th className="num">{t('dash.col.upnl')}</th>
                <th className="num">{t('dash.col.roundTrips')}</th>
                <th>{t('dash.col.account')}</th>
              </tr>
            </thead>
            <tbody>
              {bots.map((b) => (
                <tr key={b.id} data-testid="dash-bot-row" data-bot-id={b.id} data-status={b.status} data-total={b.totalPnl}>
                  <td className="nowrap">
                    <a className="link strong" href={`#/bots?id=${encodeURIComponent(b.id)}`}>
                      {b.name}
                    </a>
                    <div className="muted small">
                      {t(`bots.type.${b.type}`)} · {b.symbols.join(', ')}
                    </div>
                  </td>
                  <td>
                    <span className={`badge badge-bot-${b.status}`} title={b.lastError ?? undefined}>
                      {t(`bots.status.${b.status}`)}
                    </span>
                  </td>
                  <td className="num strong">
                    <Pnl value={b.totalPnl} />
                  </td>
                  <td className="num">
                    <Pnl value={b.realizedPnl} />
                  </td>
                  <td className="num">
                    <Pnl value={b.unrealizedPnl} />
                  </td>
                  <td className="num">{b.roundTrips}</td>
                  <td className="nowrap">{b.accountName}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}

/** Alerts, newest first (`dash-alert-row`, `data-kind`), each linking to where to fix it. */
export function AlertsPanel({ alerts }: { alerts: readonly DashboardAlert[] }) {
  const { t, tx } = useI18n();
  const timeZone = localTimeZone();
  return (
    <Panel title={t('dash.alerts')} count={alerts.length} className="dash-alerts" testId="dash-alerts">
      {alerts.length === 0 ? (
        <Empty text={t('dash.alertsEmpty')} testId="dash-alerts-empty" />
      ) : (
        <ul className="dash-alert-list">
          {alerts.map((a) => {
            const href = alertHref(a);
            return (
              <li key={a.id} className={`dash-alert dash-alert-${a.kind}`} data-testid="dash-alert-row" data-kind={a.kind}>
                <div className="dash-alert-head">
                  <span className="dash-alert-kind">{t(`dash.alert.${a.kind}`)}</span>
                  <span className="muted small nowrap">{formatMonthDayTime(a.ts, timeZone)}</span>
                </div>
                <div className="dash-alert-what">
                  {[a.botName, a.symbol, a.accountName].filter(Boolean).join(' · ')}
                  {href && (
                    <a className="link small dash-alert-open" href={href}>
                      {t('dash.alertOpen')}
                    </a>
                  )}
                </div>
                <div className="dash-alert-message">{tx(a.message)}</div>
              </li>
            );
          })}
        </ul>
      )}
    </Panel>
  );
}

/** The latest fills across accounts (`dash-fill-row`). */
export function FillsPanel({ fills }: { fills: readonly DashboardFill[] }) {
  const { t } = useI18n();
  const timeZone = localTimeZone();
  return (
    <Panel title={t('dash.fills')} count={fills.length} className="dash-fills" testId="dash-fills">
      {fills.length === 0 ? (
        <Empty text={t('dash.fillsEmpty')} testId="dash-fills-empty" />
      ) : (
        <div className="table-scroll">
          <table className="table table-compact">
            <thead>
              <tr>
                <th>{t('dash.col.time')}</th>
                <th>{t('dash.col.symbol')}</th>
                <th>{t('dash.col.side')}</th>
                <th className="num">{t('dash.col.price')}</th>
                <th className="num">{t('dash.col.amount')}</th>
                <th className="num">{t('dash.col.fee')}</th>
                <th>{t('dash.col.account')}</th>
              </tr>
            </thead>
            <tbody>
              {fills.map((f) => (
                <tr key={`${f.accountId} ${f.id}`} data-testid="dash-fill-row" data-symbol={f.symbol} data-side={f.side}>
                  <td className="nowrap muted">{formatMonthDayTime(f.ts, timeZone)}</td>
                  <td className="nowrap strong">{f.symbol}</td>
                  <td>
                    <span className={`dir dir-${f.side === 'buy' ? 'long' : 'short'}`}>{f.side}</span>
                  </td>
                  <td className="num" title={f.price}>
                    {formatAtStep(f.price, f.priceStep, priceFallback)}
                  </td>
                  <td className="num" title={f.amount}>
                    {formatAtStep(f.amount, f.amountStep, (v) => formatAmount(v))}
                  </td>
                  <td className="num" title={`${f.fee} ${f.feeCurrency}`}>
                    {formatMoney(f.fee)} <span className="muted small">{f.feeCurrency}</span>
                  </td>
                  <td className="nowrap">
                    {f.accountName}
                    {f.botId && (
                      <>
                        {' · '}
                        <a className="link" href={`#/bots?id=${encodeURIComponent(f.botId)}`}>
                          {f.botName}
                        </a>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}

/** Detector signals active now (`dash-signal-row`), with a "Trade" hand-off to the ticket. */
export function SignalsPanel({ signals }: { signals: readonly MarketSignal[] }) {
  const { t } = useI18n();
  const timeZone = localTimeZone();
  return (
    <Panel title={t('dash.signals')} count={signals.length} className="dash-signals" testId="dash-signals">
      {signals.length === 0 ? (
        <Empty text={t('dash.signalsEmpty')} testId="dash-signals-empty" />
      ) : (
        <div className="table-scroll">
          <table className="table table-compact">
            <thead>
              <tr>
                <th>{t('dash.col.time')}</th>
                <th>{t('dash.col.symbol')}</th>
                <th>{t('dash.col.side')}</th>
                <th className="num">{t('dash.col.score')}</th>
                <th>{t('dash.col.expires')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {signals.map((s) => (
                <tr key={s.id} data-testid="dash-signal-row" data-signal-id={s.id}>
                  <td className="nowrap muted">{formatMonthDayTime(s.createdAt, timeZone)}</td>
                  <td className="nowrap strong">{s.symbol}</td>
                  <td>
                    <span className={`dir dir-${s.type === 'LONG' ? 'long' : 'short'}`}>
                      {s.type}
                      {s.sizeMultiplier > 1 && <span className="muted small"> ×{s.sizeMultiplier}</span>}
                    </span>
                  </td>
                  <td className="num">{s.score}</td>
                  <td className="nowrap muted">{formatMonthDayTime(s.expiresAt, timeZone)}</td>
                  <td className="actions">
                    <a className="btn btn-xs" href={prefillToHash(prefillFromSignal(s, 'ticket'))}>
                      {t('dash.signalTrade')}
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
