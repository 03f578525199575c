import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { BotChange, BotView } from '@osprey/shared';
import { useTRPC } from '../lib/trpc.js';
import { useI18n } from '../lib/i18n.js';
import { errorMessage } from '../lib/errors.js';
import { showToast } from '../lib/toast.js';
import { Placeholder, Spinner } from '../components/Feedback.js';
import { formatSigned, pnlClass } from '../trade/trades.js';
import { BotForm } from '../bots/BotForm.js';
import { AccountRiskPanel } from '../bots/AccountRiskPanel.js';
import { BotRunControls, BotStatusBadge } from '../bots/BotControls.js';
import { botDetailHash, botIdFromHash, formatUptime } from '../bots/bot-view.js';
import { useBotsStream, useHash, useNow } from '../bots/hooks.js';
import { BotDetailPage } from './BotDetailPage.js';

/** Fallback refresh of the bot queries when a push is missed (ms). */
export const BOTS_REFETCH_MS = 5000;

/**
 * Bots: the list of the user's bots with Start/Stop, Edit/Delete (when stopped) and "New bot", the bot form
 * (create/edit) beside it, and — on `#/bots?id=<id>` — the bot's detail page. Everything stays live through
 * `bots.onChange` (each push refetches the bot queries), with a 5 s refetch as fallback.
 */
export function BotsPage() {
  const hash = useHash();
  const detailId = botIdFromHash(hash);
  const onChange = (c: BotChange) => {
    if (c.what === 'deleted' && c.botId === detailId) location.hash = '#/bots';
  };
  const streamStatus = useBotsStream(onChange);
  if (detailId) return <BotDetailPage key={detailId} id={detailId} streamStatus={streamStatus} />;
  return <BotsList streamStatus={streamStatus} />;
}

/** The list + form view of the bots page. */
function BotsList({ streamStatus }: { streamStatus: string }) {
  const { t, tx } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const bots = useQuery(trpc.bots.list.queryOptions(undefined, { refetchInterval: BOTS_REFETCH_MS }));
  const accounts = useQuery(trpc.accounts.list.queryOptions());
  const overview = useQuery(trpc.market.overview.queryOptions(undefined, { meta: { silent: true } }));
  const [editing, setEditing] = useState<BotView | 'new' | null>(null);
  const [formKey, setFormKey] = useState(0);
  const [confirmDelete, setConfirmDelete] = useState<string | null>(null);
  const anyRunning = !!bots.data?.some((b) => b.status === 'running');
  const now = useNow(1000, anyRunning);

  const open = (target: BotView | 'new') => {
    setEditing(target);
    setFormKey((k) => k + 1);
  };
  const remove = useMutation(
    trpc.bots.remove.mutationOptions({
      onSuccess: (_r, vars) => {
        showToast('success', 'bots.deleted', { name: bots.data?.find((b) => b.id === vars.id)?.name ?? '' });
        setConfirmDelete(null);
        if (editing !== 'new' && editing?.id === vars.id) setEditing(null);
        void queryClient.invalidateQueries(trpc.bots.pathFilter());
      },
    }),
  );

  const feedSymbols = overview.data?.symbols ?? [];
  const formReady = !!accounts.data && (overview.isSuccess || overview.isError);
  const noAccounts = accounts.data?.length === 0;

  return (
    <div className={`page bots-page ${editing ? 'with-form' : ''}`}>
      <section className="panel bots-main">
        <div className="panel-head">
          <h2 className="panel-title">
            {t('bots.title')} <span className="muted">{bots.data?.length ?? ''}</span>
          </h2>
          <div className="panel-actions">
            <span className={`live-dot live-${streamStatus}`} data-testid="bots-stream-status" data-status={streamStatus}>
              {t(streamStatus === 'pending' ? 'market.live' : streamStatus === 'error' ? 'market.offline' : 'market.connecting')}
            </span>
            <button type="button" className="btn btn-sm btn-primary" data-testid="bot-new" disabled={noAccounts || !accounts.data} onClick={() => open('new')}>
              + {t('bots.new')}
            </button>
          </div>
        </div>
        {bots.isPending ? (
          <Placeholder>
            <Spinner label={t('app.loading')} />
          </Placeholder>
        ) : bots.error ? (
          <Placeholder>{tx(errorMessage(bots.error))}</Placeholder>
        ) : bots.data.length === 0 ? (
          <Placeholder testId="bots-empty">
            <div className="stack">
              <p>{noAccounts ? t('bots.needAccount') : t('bots.empty')}</p>
              {noAccounts && (
                <a className="btn btn-primary" href="#/accounts">
                  {t('trade.addAccount')}
                </a>
              )}
            </div>
          </Placeholder>
        ) : (
          <div className="table-scroll table-scroll-tall">
            <table className="table table-hover" data-testid="bots-table">
              <thead>
                <tr>
                  <th>{t('bots.name')}</th>
                  <th>{t('bots.type')}</th>
                  <th>{t('bots.symbols')}</th>
                  <th>{t('trade.account')}</th>
                  <th>{t('orders.status')}</th>
                  <th className="num">{t('bots.realizedPnl')}</th>
                  <th className="num">{t('bots.roundTrips')}</th>
                  <th className="num">{t('bots.uptime')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {bots.data.map((b) => {
                  const pnl = Number(b.realizedPnl);
                  const stopped = b.status !== 'running';
                  return (
                    <tr
                      key={b.id}
                      data-testid="bot-row"
                      data-bot-id={b.id}
                      data-name={b.name}
                      data-status={b.status}
                      className={`clickable ${editing !== 'new' && editing?.id === b.id ? 'selected' : ''}`}
                      onClick={(e) => {
                        // Controls in the row act on their own; a click anywhere else opens the bot.
                        if (!(e.target as HTMLElement).closest('a, button, input, label')) location.hash = botDetailHash(b.id);
                      }}
                    >
                      <td className="strong">
                        <a className="link" href={botDetailHash(b.id)} data-testid="bot-open">
                          {b.name}
                        </a>
                      </td>
                      <td>{t(`bots.type.${b.type}`)}</td>
                      <td className="nowrap small">{b.symbols.join(', ')}</td>
                      <td className="nowrap">{b.accountName}</td>
                      <td>
                        <BotStatusBadge bot={b} />
                      </td>
                      <td className={`num pnl-${pnlClass(pnl)}`} data-testid="bot-realized" title={b.realizedPnl}>
                        {formatSigned(pnl)}
                      </td>
                      <td className="num" data-testid="bot-round-trips">
                        {b.roundTrips}
                      </td>
                      <td className="num nowrap" data-testid="bot-uptime">
                        {formatUptime(b.startedAt, now)}
                      </td>
                      <td className="actions">
                        {confirmDelete === b.id ? (
                          <>
                            <span className="muted">{t('bots.confirmDelete')}</span>
                            <button type="button" className="btn btn-sm btn-danger" data-testid="bot-delete-confirm" disabled={remove.isPending} onClick={() => remove.mutate({ id: b.id })}>
                              {t('accounts.delete')}
                            </button>
                            <button type="button" className="btn btn-sm btn-ghost" data-testid="bot-delete-cancel" onClick={() => setConfirmDelete(null)}>
                              {t('accounts.cancel')}
                            </button>
                          </>
                        ) : (
                          <>
                            <BotRunControls bot={b} />
                            {stopped && (
                              <>
                                <button type="button" className="btn btn-sm" data-testid="bot-edit" onClick={() => open(b)}>
                                  {t('accounts.edit')}
                                </button>
                                <button type="button" className="btn btn-sm btn-ghost btn-danger-text" data-testid="bot-delete" onClick={() => setConfirmDelete(b.id)}>
                                  {t('accounts.delete')}
                                </button>
                              </>
                            )}
                          </>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {accounts.data && accounts.data.length > 0 && <AccountRiskPanel accounts={accounts.data} />}

      {editing && (
        <section className="panel bots-form-panel">
          <h2 className="panel-title">
            {editing === 'new' ? t('bots.newTitle') : t('bots.editTitle')}
            {editing !== 'new' && <span className="muted">{editing.name}</span>}
          </h2>
          {!formReady ? (
            <Placeholder>
              <Spinner label={t('app.loading')} />
            </Placeholder>
          ) : (
            <BotForm
              key={`${editing === 'new' ? 'new' : editing.id}-${formKey}`}
              editing={editing === 'new' ? null : editing}
              accounts={accounts.data ?? []}
              feedSymbols={feedSymbols}
              onDone={(saved) => {
                setEditing(null);
                if (saved && editing === 'new') location.hash = botDetailHash(saved.id);
              }}
            />
          )}
        </section>
      )}
    </div>
  );
}
