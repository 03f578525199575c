import { useQuery } from '@tanstack/react-query';
import type { BotHoldingView } from '@osprey/shared';
import { useTRPC } from '../lib/trpc.js';
import { useI18n } from '../lib/i18n.js';
import { formatAmount, formatPrice } from '../lib/format.js';
import { formatMonthDayTime } from '../lib/time.js';
import { BotStatusBadge, CloseLeftoversButton } from './BotControls.js';
import { botDetailHash } from './bot-view.js';

/**
 * What the bots of an account hold (`bot-holdings`, rows `bot-holding-row` with `data-bot-id`), grouped by
 * bot, with "Close positions" for a bot that is not running. Renders nothing when no bot holds anything.
 */
export function BotHoldingsPanel({ accountId }: { accountId: string }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const q = useQuery(trpc.bots.holdings.queryOptions({ accountId }, { refetchInterval: 10_000, meta: { silent: true } }));
  const rows: BotHoldingView[] = q.data ?? [];
  if (rows.length === 0) return null;
  const firstOfBot = new Set<number>();
  rows.forEach((r, i) => {
    if (i === 0 || rows[i - 1]!.botId !== r.botId) firstOfBot.add(i);
  });
  return (
    <section className="panel" data-testid="bot-holdings">
      <h2 className="panel-title">
        {t('bots.holdingsTitle')} <span className="muted">{rows.length}</span>
      </h2>
      <p className="muted small panel-hint">{t('bots.holdingsHint')}</p>
      <div className="table-scroll">
        <table className="table table-compact">
          <thead>
            <tr>
              <th>{t('nav.bots')}</th>
              <th>{t('trades.symbol')}</th>
              <th>{t('trades.side')}</th>
              <th className="num">{t('trades.amount')}</th>
              <th className="num">{t('trades.entry')}</th>
              <th>{t('orders.time')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((h, i) => (
              <tr key={`${h.botId}-${i}`} data-testid="bot-holding-row" data-bot-id={h.botId} data-status={h.status}>
                <td className="nowrap">
                  {firstOfBot.has(i) && (
                    <>
                      <a href={botDetailHash(h.botId)}>{h.botName}</a> <BotStatusBadge bot={{ status: h.status, lastError: null }} />
                    </>
                  )}
                </td>
                <td className="nowrap">{h.symbol}</td>
                <td>
                  <span className={`dir dir-${h.side}`}>
                    {h.side === 'long' ? '▲' : '▼'} {t(`side.${h.side}`)}
                  </span>
                </td>
                <td className="num" title={h.amount}>
                  {formatAmount(h.amount)}
                </td>
                <td className="num" title={h.entryPrice}>
                  {formatPrice(Number(h.entryPrice))}
                </td>
                <td className="num nowrap">{formatMonthDayTime(h.openedAt)}</td>
                <td>{firstOfBot.has(i) && h.status !== 'running' && <CloseLeftoversButton bot={{ id: h.botId, name: h.botName, status: h.status }} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
