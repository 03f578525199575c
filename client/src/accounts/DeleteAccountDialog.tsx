import { useMutation, useQuery } from '@tanstack/react-query';
import type { AccountRemoveResult, PublicAccount } from '@osprey/shared';
import { useTRPC } from '../lib/trpc.js';
import { useI18n } from '../lib/i18n.js';
import { errorMessage } from '../lib/errors.js';
import { Spinner } from '../components/Feedback.js';

/**
 * The delete dialog of an account (`account-delete-dialog`). It first asks the server what is still open on
 * the account (`accounts.deletionCheck`: running bots by name, open orders, positions, active trades, armed
 * pending orders) and says what happens to what stays: on a live or sandbox account positions and balances
 * stay on the exchange (Osprey does not close them), on a paper account everything goes with it.
 * - Nothing open: "Delete" (`account-delete-confirm`) deletes the account and its history.
 * - Something open: the plain delete is not offered; "Stop the bots and cancel their orders, then delete"
 *   (`account-delete-stop-confirm`) calls `accounts.remove` with `stopAndCancel`.
 * A refusal or failure is shown in the dialog (`account-delete-error`) and the check is read again.
 * @param onDeleted called with the server's answer once the account is gone
 */
export function DeleteAccountDialog({ account, onClose, onDeleted }: { account: PublicAccount; onClose: () => void; onDeleted: (result: AccountRemoveResult) => void }) {
  const { t, tx } = useI18n();
  const trpc = useTRPC();
  const check = useQuery(trpc.accounts.deletionCheck.queryOptions({ id: account.id }, { staleTime: 0, gcTime: 0, refetchOnWindowFocus: false, retry: false, meta: { silent: true } }));
  const remove = useMutation(
    trpc.accounts.remove.mutationOptions({
      meta: { silent: true },
      onSuccess: (result) => onDeleted(result),
      onError: () => void check.refetch(),
    }),
  );
  const c = check.data;
  const live = account.mode !== 'paper';
  return (
    <section className="panel delete-account" role="dialog" aria-labelledby="delete-account-title" data-testid="account-delete-dialog" data-account-id={account.id}>
      <div className="panel-head">
        <h2 className="panel-title" id="delete-account-title">
          {t('accounts.deleteTitle')} <span className="muted">{account.name}</span>
        </h2>
        <button type="button" className="btn btn-ghost btn-sm" onClick={onClose} aria-label={t('toast.dismiss')}>
          ×
        </button>
      </div>
      <div className="delete-body">
        {check.isPending ? (
          <Spinner label={t('accounts.deleteChecking')} />
        ) : check.error ? (
          <div className="form-error" data-testid="account-delete-error">
            {tx(errorMessage(check.error))}
          </div>
        ) : c!.canDelete ? (
          <>
            <p className="delete-lead" data-testid="account-delete-nothing-open">
              {t('accounts.confirmDelete')}
            </p>
            <p className="muted">{t('accounts.deleteNothingOpen')}</p>
          </>
        ) : (
          <>
            <p className="delete-lead" data-testid="account-delete-blocked">
              {t('accounts.deleteBlocked')}
            </p>
            <ul className="delete-open" data-testid="account-delete-open">
              {c!.runningBots.length > 0 && (
                <li data-testid="account-delete-bots">
                  {t('accounts.deleteRunningBots', { count: c!.runningBots.length })}
                  <ul>
                    {c!.runningBots.map((b) => (
                      <li key={b.id} className="strong" data-testid="account-delete-bot" data-bot-id={b.id}>
                        {b.name}
                      </li>
                    ))}
                  </ul>
                </li>
              )}
              {c!.openOrders > 0 && <li data-testid="account-delete-orders">{t('accounts.deleteOpenOrders', { count: c!.openOrders })}</li>}
              {c!.positions > 0 && <li data-testid="account-delete-positions">{t('accounts.deletePositions', { count: c!.positions })}</li>}
              {c!.activeTrades > 0 && <li data-testid="account-delete-trades">{t('accounts.deleteActiveTrades', { count: c!.activeTrades })}</li>}
            </ul>
            <p className="muted">{t('accounts.deleteStopExplains')}</p>
          </>
        )}
        {c && c.pendingOrders > 0 && <p className="muted" data-testid="account-delete-pending">{t('accounts.deletePendingOrders', { count: c.pendingOrders })}</p>}
        {c?.venueError && (
          <p className="muted" data-testid="account-delete-venue-error">
            {t('accounts.deleteVenueUnknown')} {tx(c.venueError)}
          </p>
        )}
        {c && (
          <p className={live ? 'delete-stays' : 'muted'} data-testid="account-delete-stays" data-mode={account.mode}>
            {live ? t('accounts.deleteStaysOnVenue') : t('accounts.deletePaperGoes')}
          </p>
        )}
        {remove.error && (
          <div className="form-error" data-testid="account-delete-error" role="alert">
            {tx(errorMessage(remove.error))}
          </div>
        )}
        <div className="delete-actions">
          {c?.canDelete && (
            <button type="button" className="btn btn-sm btn-danger" data-testid="account-delete-confirm" disabled={remove.isPending} onClick={() => remove.mutate({ id: account.id })}>
              {remove.isPending ? t('accounts.deleting') : t('accounts.delete')}
            </button>
          )}
          {c && !c.canDelete && (
            <button
              type="button"
              className="btn btn-sm btn-danger"
              data-testid="account-delete-stop-confirm"
              disabled={remove.isPending || check.isFetching}
              onClick={() => remove.mutate({ id: account.id, stopAndCancel: true })}
            >
              {remove.isPending ? t('accounts.deleting') : t('accounts.stopAndDelete')}
            </button>
          )}
          <button type="button" className="btn btn-sm btn-ghost" data-testid="account-delete-cancel" onClick={onClose}>
            {t('accounts.cancel')}
          </button>
        </div>
      </div>
    </section>
  );
}
