import { useMemo } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { OrderView, TradeView } from '@osprey/shared';
import { useTRPC } from '../lib/trpc.js';
import { useI18n, type MessageKey } from '../lib/i18n.js';
import { showToast } from '../lib/toast.js';
import { formatAmount, formatMoney, formatPrice } from '../lib/format.js';
import { formatDateTimeShort, formatMonthDayTime } from '../lib/time.js';
import { Placeholder } from '../components/Feedback.js';
import { formatSigned, newestFirst, pnlClass } from './trades.js';

/** A price cell value: limit price, else trigger price, else average, else `market`. */
function orderPrice(o: OrderView, market: string): string {
  const p = o.price ?? o.triggerPrice;
  return p ? formatPrice(Number(p)) : market;
}

/** Close reasons the trade machine records, with a translation. */
const CLOSE_REASONS = new Set(['manual', 'stop_loss', 'take_profit', 'external', 'liquidation', 'entry_cancelled']);

/** Kind label key of an order (`regular`, `stop_loss`, `take_profit`). */
function kindKey(kind: OrderView['kind']) {
  return `orders.kind.${kind}` as const;
}

/**
 * Open orders of the account (`order-row` with `data-order-id`, `data-kind`), newest first by their time
 * (`createdAt`): time, symbol, side, kind (entry / stop-loss / take-profit), type, price or trigger, amount,
 * filled, and Cancel (`order-cancel`, `trading.cancelOrder`).
 */
export function OpenOrdersTable({ accountId, orders }: { accountId: string; orders: readonly OrderView[] }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const cancel = useMutation(
    trpc.trading.cancelOrder.mutationOptions({
      onSuccess: (o) => {
        showToast('success', 'orders.cancelled', { symbol: o.symbol });
        void queryClient.invalidateQueries({ queryKey: trpc.trading.orders.queryKey({ accountId }) });
        void queryClient.invalidateQueries({ queryKey: trpc.trading.trades.queryKey({ accountId }) });
      },
    }),
  );
  const rows = useMemo(() => newestFirst(orders, (o) => o.createdAt), [orders]);
  if (rows.length === 0) return <Placeholder testId="orders-empty">{t('orders.none')}</Placeholder>;
  return (
    <div className="table-scroll">
      <table className="table table-compact" data-testid="orders-table">
        <thead>
          <tr>
            <th>{t('orders.time')}</th>
            <th>{t('trades.symbol')}</th>
            <th>{t('trades.side')}</th>
            <th>{t('orders.kind')}</th>
            <th className="num">{t('orders.price')}</th>
            <th className="num">{t('trades.amount')}</th>
            <th className="num">{t('orders.filled')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((o) => (
            <tr key={o.id} data-testid="order-row" data-order-id={o.id} data-kind={o.kind} data-status={o.status} data-side={o.side}>
              <td className="num nowrap" title={formatDateTimeShort(o.createdAt)}>
                {formatMonthDayTime(o.createdAt)}
              </td>
              <td className="nowrap">{o.symbol}</td>
              <td className={`dir dir-${o.side === 'buy' ? 'long' : 'short'}`}>{t(`orders.side.${o.side}`)}</td>
              <td>
                <span className={`badge badge-kind-${o.kind}`}>{t(kindKey(o.kind))}</span>
                <span className="muted small"> {t(`ticket.entry.${o.type}`)}</span>
                {o.reduceOnly && <span className="muted small"> · {t('orders.reduceOnly')}</span>}
              </td>
              <td className="num">{orderPrice(o, t('ticket.entry.market'))}</td>
              <td className="num">{o.amount}</td>
              <td className="num">{o.filled}</td>
              <td className="actions">
                <button
                  type="button"
                  className="btn btn-sm"
                  data-testid="order-cancel"
                  disabled={cancel.isPending && cancel.variables?.orderId === o.id}
                  onClick={() => cancel.mutate({ accountId, orderId: o.id })}
                >
                  {t('orders.cancel')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * Order history (closed, cancelled, rejected, expired orders; `order-history-row`), newest first by the time
 * shown (`updatedAt`, when the order was last changed: filled, cancelled…).
 */
export function OrderHistoryTable({ orders }: { orders: readonly OrderView[] }) {
  const { t } = useI18n();
  const rows = useMemo(() => newestFirst(orders, (o) => o.updatedAt), [orders]);
  if (rows.length === 0) return <Placeholder testId="order-history-empty">{t('orders.noHistory')}</Placeholder>;
  return (
    <div className="table-scroll">
      <table className="table table-compact" data-testid="order-history-table">
        <thead>
          <tr>
            <th>{t('orders.time')}</th>
            <th>{t('trades.symbol')}</th>
            <th>{t('trades.side')}</th>
            <th>{t('orders.kind')}</th>
            <th className="num">{t('orders.avgPrice')}</th>
            <th className="num">{t('orders.filled')}</th>
            <th className="num">{t('orders.fee')}</th>
            <th>{t('orders.status')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((o) => (
            <tr key={o.id} data-testid="order-history-row" data-order-id={o.id} data-status={o.status} data-kind={o.kind}>
              <td className="num nowrap" title={formatDateTimeShort(o.updatedAt)}>
                {formatMonthDayTime(o.updatedAt)}
              </td>
              <td className="nowrap">{o.symbol}</td>
              <td className={`dir dir-${o.side === 'buy' ? 'long' : 'short'}`}>{t(`orders.side.${o.side}`)}</td>
              <td>
                <span className={`badge badge-kind-${o.kind}`}>{t(kindKey(o.kind))}</span>
              </td>
              <td className="num">{o.average ? formatPrice(Number(o.average)) : orderPrice(o, '—')}</td>
              <td className="num">
                {o.filled} / {o.amount}
              </td>
              <td className="num" title={o.feeCurrency ? `${o.fee} ${o.feeCurrency}` : o.fee}>
                {formatAmount(o.fee)}
              </td>
              <td>
                <span className={`badge badge-status-${o.status}`}>{t(`orders.status.${o.status}`)}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * Closed trades (`trade-history-row`), newest first by the time shown (`closedAt`, else `openedAt`): symbol,
 * side, entry, realized PnL and %, fees, reason, open/close time.
 */
export function TradeHistoryTable({ trades }: { trades: readonly TradeView[] }) {
  const { t, tx } = useI18n();
  const rows = useMemo(() => newestFirst(trades, (tr) => tr.closedAt ?? tr.openedAt), [trades]);
  if (rows.length === 0) return <Placeholder testId="trade-history-empty">{t('history.none')}</Placeholder>;
  return (
    <div className="table-scroll">
      <table className="table table-compact" data-testid="trade-history-table">
        <thead>
          <tr>
            <th>{t('history.closedAt')}</th>
            <th>{t('trades.symbol')}</th>
            <th>{t('trades.side')}</th>
            <th className="num">{t('trades.entry')}</th>
            <th className="num">{t('history.pnl')}</th>
            <th className="num">{t('history.pnlPct')}</th>
            <th className="num">{t('history.fees')}</th>
            <th>{t('history.reason')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((tr) => {
            const pnl = Number(tr.realizedPnl);
            const pct = Number(tr.realizedPnlPct);
            return (
              <tr key={tr.id} data-testid="trade-history-row" data-trade-id={tr.id} data-status={tr.status} data-realized={tr.realizedPnl}>
                <td className="num nowrap" title={`${formatDateTimeShort(tr.openedAt)} → ${tr.closedAt ? formatDateTimeShort(tr.closedAt) : ''}`}>
                  {tr.closedAt ? formatMonthDayTime(tr.closedAt) : '—'}
                </td>
                <td className="nowrap">{tr.symbol}</td>
                <td>
                  <span className={`dir dir-${tr.side}`}>
                    {tr.side === 'long' ? '▲' : '▼'} {t(`side.${tr.side}`)}
                  </span>
                </td>
                <td className="num">{tr.entryPrice ? formatPrice(Number(tr.entryPrice)) : '—'}</td>
                <td className={`num pnl-${pnlClass(pnl)}`}>{formatSigned(pnl)}</td>
                <td className={`num pnl-${pnlClass(pct)}`}>{formatSigned(pct)}%</td>
                <td className="num" title={tr.fees}>
                  {formatMoney(tr.fees)}
                </td>
                <td className="muted" data-reason={tr.closeReason ?? ''}>
                  {tr.status === 'cancelled'
                    ? t('history.cancelled')
                    : tr.closeReason
                      ? CLOSE_REASONS.has(tr.closeReason)
                        ? t(`closeReason.${tr.closeReason}` as MessageKey)
                        : tx(tr.closeReason)
                      : '—'}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
