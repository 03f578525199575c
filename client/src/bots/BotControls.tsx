import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { BotView } from '@osprey/shared';
import { useTRPC } from '../lib/trpc.js';
import { useI18n } from '../lib/i18n.js';
import { showToast } from '../lib/toast.js';

/**
 * Status badge of a bot (`data-testid="bot-status"`, `data-status` running|stopped|error); an errored bot's
 * last error is its tooltip (and `data-error`).
 */
export function BotStatusBadge({ bot }: { bot: Pick<BotView, 'status' | 'lastError'> }) {
  const { t, tx } = useI18n();
  return (
    <span
      className={`badge badge-bot-${bot.status}`}
      data-testid="bot-status"
      data-status={bot.status}
      data-error={bot.lastError ?? ''}
      title={bot.lastError ? tx(bot.lastError) : undefined}
    >
      {t(`bots.status.${bot.status}`)}
      {bot.lastError && bot.status === 'error' ? ' ⚠' : ''}
    </span>
  );
}

/**
 * Start / Stop of a bot. Start (`bot-start`) starts it at once; Stop (`bot-stop`) first asks whether to
 * cancel the bot's open orders (checkbox `bot-stop-cancel-orders`, ticked by default), then stops on
 * `bot-stop-confirm` (`bot-stop-abort` backs out). Bot queries are refetched after either.
 */
export function BotRunControls({ bot, size = 'sm' }: { bot: Pick<BotView, 'id' | 'name' | 'status'>; size?: 'sm' | 'md' }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [asking, setAsking] = useState(false);
  const [cancelOrders, setCancelOrders] = useState(true);
  const refresh = () => void queryClient.invalidateQueries(trpc.bots.pathFilter());
  const start = useMutation(
    trpc.bots.start.mutationOptions({
      onSuccess: (b) => {
        showToast('success', 'bots.started', { name: b.name });
        refresh();
      },
    }),
  );
  const stop = useMutation(
    trpc.bots.stop.mutationOptions({
      onSuccess: (b, vars) => {
        showToast('success', vars.cancelOrders ? 'bots.stoppedCancelled' : 'bots.stopped', { name: b.name });
        setAsking(false);
        refresh();
      },
    }),
  );
  const btn = size === 'sm' ? 'btn btn-sm' : 'btn';

  if (bot.status !== 'running') {
    return (
      <button type="button" className={`${btn} btn-start`} data-testid="bot-start" disabled={start.isPending} onClick={() => start.mutate({ id: bot.id })}>
        ▶ {start.isPending ? t('bots.starting') : t('bots.start')}
      </button>
    );
  }
  if (!asking) {
    return (
      <button
        type="button"
        className={`${btn} btn-danger`}
        data-testid="bot-stop"
        onClick={() => {
          setCancelOrders(true);
          setAsking(true);
        }}
      >
        ■ {t('bots.stop')}
      </button>
    );
  }
  return (
    <span className="stop-prompt" data-testid="bot-stop-prompt" role="group" aria-label={t('bots.stopTitle', { name: bot.name })}>
      <label className="check">
        <input type="checkbox" data-testid="bot-stop-cancel-orders" checked={cancelOrders} onChange={(e) => setCancelOrders(e.target.checked)} />
        {t('bots.cancelOrders')}
      </label>
      <button type="button" className={`${btn} btn-danger`} data-testid="bot-stop-confirm" disabled={stop.isPending} onClick={() => stop.mutate({ id: bot.id, cancelOrders })}>
        {stop.isPending ? t('bots.stopping') : t('bots.stop')}
      </button>
      <button type="button" className={`${btn} btn-ghost`} data-testid="bot-stop-abort" onClick={() => setAsking(false)}>
        {t('accounts.cancel')}
      </button>
    </span>
  );
}
