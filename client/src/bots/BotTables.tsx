import { useState } from 'react';
import type { BotEventView, BotOrdersView, BotType, FillView, OrderView, RoundTripView } from '@osprey/shared';
import { useI18n } from '../lib/i18n.js';
import { formatAmount, formatMoney, formatPrice } from '../lib/format.js';
import { formatDateTime, formatDateTimeShort, formatDuration, formatMonthDayTime } from '../lib/time.js';
import { Placeholder } from '../components/Feedback.js';
import { formatSigned, pnlClass } from '../trade/trades.js';
import { addDecimal } from '../lib/decimal.js';
import { botOrderRole, countEvents, eventNumbers, filterEvents, roundLongDecimals, type EventFilter } from './bot-view.js';

/**
 * Open orders of a bot, read-only (`bot-orders-table`, rows `bot-order-row` with `data-side`, `data-price`,
 * `data-role`), with a Kind column (entry, add, exit, stop-loss, take-profit; see `botOrderRole`).
 */
export function BotOrdersTable({ orders, botType }: { orders: readonly OrderView[]; botType: BotType }) {
  const { t } = useI18n();
  if (orders.length === 0) return <Placeholder testId="bot-orders-empty">{t('orders.none')}</Placeholder>;
  return (
    <div className="table-scroll">
      <table className="table table-compact" data-testid="bot-orders-table">
        <thead>
          <tr>
            <th>{t('orders.time')}</th>
            <th>{t('trades.symbol')}</th>
            <th>{t('trades.side')}</th>
            <th>{t('bots.orderKind')}</th>
            <th className="num">{t('orders.price')}</th>
            <th className="num">{t('trades.amount')}</th>
            <th className="num">{t('orders.filled')}</th>
          </tr>
        </thead>
        <tbody>
          {orders.map((o) => {
            const role = botOrderRole(botType, o);
            return (
            <tr key={o.id} data-testid="bot-order-row" data-order-id={o.id} data-side={o.side} data-role={role} data-price={o.price ?? o.triggerPrice ?? ''}>
              <td className="num nowrap" title={formatDateTimeShort(o.createdAt)}>
                {formatMonthDayTime(o.createdAt)}
              </td>
              <td className="nowrap">{o.symbol}</td>
              <td className={`dir dir-${o.side === 'buy' ? 'long' : 'short'}`}>{t(`orders.side.${o.side}`)}</td>
              <td>
                <span className={`badge badge-role-${role}`}>{t(`bots.role.${role}`)}</span>
              </td>
              <td className="num">{o.price ? formatPrice(Number(o.price)) : o.triggerPrice ? formatPrice(Number(o.triggerPrice)) : t('ticket.entry.market')}</td>
              <td className="num" title={o.amount}>
                {formatAmount(o.amount)}
              </td>
              <td className="num" title={o.filled}>
                {formatAmount(o.filled)}
              </td>
            </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** A fill row as the fills table needs it (account fills and backtest fills alike). */
export type FillRowLike = Pick<FillView, 'symbol' | 'side' | 'price' | 'amount' | 'fee' | 'ts'> & { id?: string; feeCurrency?: string };

/** Fills, newest first (`<testId>`, rows `<rowTestId>` with `data-side`). */
export function FillsTable({ fills, testId = 'bot-fills-table', rowTestId = 'bot-fill-row' }: { fills: readonly FillRowLike[]; testId?: string; rowTestId?: string }) {
  const { t } = useI18n();
  if (fills.length === 0) return <Placeholder testId={`${testId}-empty`}>{t('bots.noFills')}</Placeholder>;
  const rows = [...fills].sort((a, b) => b.ts - a.ts);
  return (
    <div className="table-scroll">
      <table className="table table-compact" data-testid={testId}>
        <thead>
          <tr>
            <th>{t('orders.time')}</th>
            <th>{t('trades.symbol')}</th>
            <th>{t('trades.side')}</th>
            <th className="num">{t('ticket.price')}</th>
            <th className="num">{t('trades.amount')}</th>
            <th className="num">{t('orders.fee')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((f, i) => (
            <tr key={f.id ?? `${f.ts}-${i}`} data-testid={rowTestId} data-side={f.side}>
              <td className="num nowrap" title={formatDateTime(f.ts)}>
                {formatMonthDayTime(f.ts)}
              </td>
              <td className="nowrap">{f.symbol}</td>
              <td className={`dir dir-${f.side === 'buy' ? 'long' : 'short'}`}>
                {f.side === 'buy' ? '▲' : '▼'} {t(`orders.side.${f.side}`)}
              </td>
              <td className="num">{formatPrice(Number(f.price))}</td>
              <td className="num" title={f.amount}>
                {formatAmount(f.amount)}
              </td>
              <td className="num" title={f.feeCurrency ? `${f.fee} ${f.feeCurrency}` : f.fee}>
                {formatAmount(f.fee)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Positions the bot holds (`bot-positions-table`, rows `bot-position-row`). */
export function BotPositionsTable({ positions }: { positions: BotOrdersView['positions'] }) {
  const { t } = useI18n();
  if (positions.length === 0) return <Placeholder testId="bot-positions-empty">{t('bots.noPositions')}</Placeholder>;
  return (
    <div className="table-scroll">
      <table className="table table-compact" data-testid="bot-positions-table">
        <thead>
          <tr>
            <th>{t('trades.symbol')}</th>
            <th>{t('trades.side')}</th>
            <th className="num">{t('trades.amount')}</th>
            <th className="num">{t('trades.entry')}</th>
            <th className="num">{t('trades.unrealized', { quote: 'USDT' })}</th>
          </tr>
        </thead>
        <tbody>
          {positions.map((p, i) => {
            const upnl = p.unrealizedPnl === null ? null : Number(p.unrealizedPnl);
            return (
              <tr key={`${p.symbol}-${p.side}-${i}`} data-testid="bot-position-row" data-symbol={p.symbol} data-side={p.side}>
                <td className="nowrap">{p.symbol}</td>
                <td>
                  <span className={`dir dir-${p.side}`}>
                    {p.side === 'long' ? '▲' : '▼'} {t(`side.${p.side}`)}
                  </span>
                </td>
                <td className="num" title={p.amount}>
                  {formatAmount(p.amount)}
                </td>
                <td className="num">{formatPrice(Number(p.entryPrice))}</td>
                <td className={`num pnl-${pnlClass(upnl)}`}>{upnl === null ? '—' : formatSigned(upnl)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/**
 * Closed round trips, newest first (`<testId>`, rows `<testId>`-row… see props): entry and exit time and
 * price, amount, fees, holding time and net PnL.
 */
export function RoundTripsTable({ trips, testId = 'bot-trips-table', rowTestId = 'bot-trip-row' }: { trips: readonly RoundTripView[]; testId?: string; rowTestId?: string }) {
  const { t } = useI18n();
  if (trips.length === 0) return <Placeholder testId={`${testId}-empty`}>{t('bots.noTrips')}</Placeholder>;
  const rows = [...trips].sort((a, b) => b.closedAt - a.closedAt);
  const units = rows.some((r) => r.unit !== undefined);
  const unitPnl = new Map<string, string>();
  for (const r of rows) if (r.unit !== undefined) unitPnl.set(r.unit, addDecimal(unitPnl.get(r.unit) ?? '0', r.pnl));
  return (
    <div className="table-scroll">
      <table className="table table-compact" data-testid={testId}>
        <thead>
          <tr>
            {units && <th>{t('bots.cycle')}</th>}
            <th>{t('trades.symbol')}</th>
            <th>{t('trades.side')}</th>
            <th>{t('bots.entryTime')}</th>
            <th className="num">{t('bots.entryPrice')}</th>
            <th>{t('bots.exitTime')}</th>
            <th className="num">{t('bots.exitPrice')}</th>
            <th className="num">{t('trades.amount')}</th>
            <th className="num">{t('history.fees')}</th>
            <th className="num">{t('bots.holding')}</th>
            <th className="num">{t('history.pnl')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => {
            const pnl = Number(r.pnl);
            const fees = Number(r.entryFee) + Number(r.exitFee);
            return (
              <tr key={`${r.exitClientOrderId}-${i}`} data-testid={rowTestId} data-pnl={r.pnl} data-side={r.side} data-unit={r.unit ?? ''}>
                {units && (
                  <td className="nowrap" title={r.unit ? t('bots.cyclePnl', { pnl: unitPnl.get(r.unit) ?? '' }) : undefined}>
                    {r.unit && (i === 0 || rows[i - 1]!.unit !== r.unit) ? (
                      <>
                        {r.unit} <span className={`pnl-${pnlClass(Number(unitPnl.get(r.unit)))}`}>{formatSigned(Number(unitPnl.get(r.unit)))}</span>
                      </>
                    ) : null}
                  </td>
                )}
                <td className="nowrap">{r.symbol}</td>
                <td>
                  <span className={`dir dir-${r.side}`}>
                    {r.side === 'long' ? '▲' : '▼'} {t(`side.${r.side}`)}
                  </span>
                </td>
                <td className="num nowrap" title={formatDateTime(r.openedAt)}>
                  {formatMonthDayTime(r.openedAt)}
                </td>
                <td className="num">{formatPrice(Number(r.entryPrice))}</td>
                <td className="num nowrap" title={formatDateTime(r.closedAt)}>
                  {formatMonthDayTime(r.closedAt)}
                </td>
                <td className="num">{formatPrice(Number(r.exitPrice))}</td>
                <td className="num" title={r.amount}>
                  {formatAmount(r.amount)}
                </td>
                <td className="num" title={`${r.entryFee} + ${r.exitFee}`}>
                  {formatMoney(fees)}
                </td>
                <td className="num nowrap">{formatDuration(r.closedAt - r.openedAt)}</td>
                <td className={`num pnl-${pnlClass(pnl)}`} title={r.pnl}>
                  {formatSigned(pnl)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** An event row (bot events and backtest events alike). */
export type EventLike = Omit<BotEventView, 'id' | 'botId'> & { id?: number };

/**
 * Events, newest first, with a kind filter (`<testId>-filter`: all / risk / info / error, counts shown): time,
 * kind badge, code, message and the detail's numbers (`<testId>`, rows `<rowTestId>` with `data-kind`,
 * `data-code`).
 */
export function EventsTable({ events, testId = 'bot-events-table', rowTestId = 'bot-event-row', limit = 500 }: { events: readonly EventLike[]; testId?: string; rowTestId?: string; limit?: number }) {
  const { t, tx } = useI18n();
  const [filter, setFilter] = useState<EventFilter>('all');
  const counts = countEvents(events);
  const rows = filterEvents([...events].sort((a, b) => b.ts - a.ts), filter).slice(0, limit);
  return (
    <div className="events">
      <div className="events-filter" role="group" aria-label={t('bots.eventFilter')} data-testid={`${testId}-filter`}>
        {(['all', 'risk', 'info', 'error'] as const).map((f) => (
          <button key={f} type="button" className={`btn btn-xs ${filter === f ? 'active' : 'btn-ghost'}`} aria-pressed={filter === f} data-filter={f} onClick={() => setFilter(f)}>
            {t(`bots.events.${f}`)} <span className="muted">{f === 'all' ? events.length : counts[f]}</span>
          </button>
        ))}
      </div>
      {rows.length === 0 ? (
        <Placeholder testId={`${testId}-empty`}>{t('bots.noEvents')}</Placeholder>
      ) : (
        <div className="table-scroll">
          <table className="table table-compact" data-testid={testId}>
            <thead>
              <tr>
                <th>{t('orders.time')}</th>
                <th>{t('bots.eventKind')}</th>
                <th>{t('bots.eventCode')}</th>
                <th>{t('bots.eventMessage')}</th>
                <th>{t('bots.eventDetail')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((e, i) => (
                <tr key={e.id ?? `${e.ts}-${i}`} data-testid={rowTestId} data-kind={e.kind} data-code={e.code}>
                  <td className="num nowrap" title={formatDateTime(e.ts)}>
                    {formatMonthDayTime(e.ts)}
                  </td>
                  <td>
                    <span className={`badge badge-event-${e.kind}`}>{t(`bots.events.${e.kind}`)}</span>
                  </td>
                  <td className="nowrap mono small">{e.code}</td>
                  <td>{roundLongDecimals(tx(e.message))}</td>
                  <td className="event-detail">
                    {eventNumbers(e.detail).map(([k, v]) => (
                      <span key={k} className="kv-chip">
                        {k} <b>{v}</b>
                      </span>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
