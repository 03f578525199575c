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

/** What a stop does with what the bot leaves (see `botStopInputSchema`). */
export type StopMode = 'keep' | 'cancel' | 'close';

/**
 * Start / Stop of a bot. Start (`bot-start`) starts it at once; Stop (`bot-stop`) first asks what happens to
 * what the bot leaves (radio `bot-stop-mode-keep|cancel|close`: keep its orders and positions, cancel its
 * orders — the default —, or cancel and close its positions at market), then stops on `bot-stop-confirm`
 * (`bot-stop-abort` backs out). Bot queries are refetched after either.
 */
export function BotRunControls({ bot, size = 'sm' }: { bot: Pick<BotView, 'id' | 'name' | 'status'>; size?: 'sm' | 'md' }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [asking, setAsking] = useState(false);
  const [mode, setMode] = useState<StopMode>('cancel');
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
        showToast('success', vars.mode === 'close' ? 'bots.stoppedClosed' : vars.mode === 'keep' ? 'bots.stopped' : 'bots.stoppedCancelled', { name: b.name });
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
          setMode('cancel');
          setAsking(true);
        }}
      >
        ■ {t('bots.stop')}
      </button>
    );
  }
  return (
    <span className="stop-prompt" data-testid="bot-stop-prompt" role="group" aria-label={t('bots.stopTitle', { name: bot.name })}>
      <span className="stop-modes" role="radiogroup" aria-label={t('bots.stopMode.title')}>
        {(['keep', 'cancel', 'close'] as const).map((m) => (
          <label className="check" key={m}>
            <input type="radio" name={`stop-mode-${bot.id}`} data-testid={`bot-stop-mode-${m}`} checked={mode === m} onChange={() => setMode(m)} />
            {t(`bots.stopMode.${m}`)}
          </label>
        ))}
      </span>
      <button type="button" className={`${btn} btn-danger`} data-testid="bot-stop-confirm" disabled={stop.isPending} onClick={() => stop.mutate({ id: bot.id, mode })}>
        {stop.isPending ? (mode === 'close' ? t('bots.closing') : t('bots.stopping')) : t('bots.stop')}
      </button>
      <button type="button" className={`${btn} btn-ghost`} data-testid="bot-stop-abort" onClick={() => setAsking(false)}>
        {t('accounts.cancel')}
      </button>
    </span>
  );
}

/**
 * "Close positions" of a bot that is not running but still holds something (`bot-close-positions`): closes
 * through the bot (`bots.closePositions`), toasts what was closed and what is left.
 */
export function CloseLeftoversButton({ bot, size = 'sm' }: { bot: Pick<BotView, 'id' | 'name' | 'status'>; size?: 'sm' | 'md' }) {
  const { t, tx } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const close = useMutation(
    trpc.bots.closePositions.mutationOptions({
      onSuccess: (r) => {
        if (r.remaining > 0) showToast('error', 'bots.closedPartly', { name: r.bot.name, closed: r.closed, remaining: r.remaining, note: tx(r.note ?? '') });
        else showToast('success', 'bots.closedResult', { name: r.bot.name, closed: r.closed });
        void queryClient.invalidateQueries(trpc.bots.pathFilter());
      },
    }),
  );
  return (
    <button
      type="button"
      className={`${size === 'sm' ? 'btn btn-sm' : 'btn'} btn-danger`}
      data-testid="bot-close-positions"
      title={t('bots.closePositionsHint')}
      disabled={close.isPending || bot.status === 'running'}
      onClick={() => close.mutate({ id: bot.id })}
    >
      {close.isPending ? t('bots.closing') : t('bots.closePositions')}
    </button>
  );
}
