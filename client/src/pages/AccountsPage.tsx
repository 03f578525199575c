import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AccountRemoveResult, ConnectionTestResult, PublicAccount } from '@osprey/shared';
import { useTRPC } from '../lib/trpc.js';
import { useI18n } from '../lib/i18n.js';
import { errorMessage } from '../lib/errors.js';
import { showToast } from '../lib/toast.js';
import { formatDateTimeShort } from '../lib/time.js';
import { formatAmount } from '../lib/format.js';
import { Placeholder, Spinner } from '../components/Feedback.js';
import { AccountForm } from '../accounts/AccountForm.js';
import { DeleteAccountDialog } from '../accounts/DeleteAccountDialog.js';
import { keyHint } from '../accounts/account-form.js';

/** Outcome of "Test connection" for one account. */
type TestOutcome = { accountId: string; name: string } & ({ kind: 'result'; result: ConnectionTestResult } | { kind: 'error'; message: string });

/**
 * Exchange accounts: the list (`accounts.list`: name, exchange, market type, mode, masked key, created) with
 * edit / test connection / delete per row, and the add/edit form. "Test connection" shows the balances read with
 * the stored credentials, or the server's sentence saying what to fix. "Delete" opens {@link DeleteAccountDialog},
 * which first shows what is still open on the account (running bots, orders, positions) and what stays on the
 * exchange, and offers to stop and cancel it before deleting.
 */
export function AccountsPage() {
  const { t, tx } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const accounts = useQuery(trpc.accounts.list.queryOptions());
  const exchanges = useQuery(trpc.accounts.exchanges.queryOptions(undefined, { staleTime: Infinity }));
  const [editing, setEditing] = useState<PublicAccount | null>(null);
  const [formKey, setFormKey] = useState(0);
  const [deleting, setDeleting] = useState<PublicAccount | null>(null);
  const [test, setTest] = useState<TestOutcome | null>(null);

  const startAdd = () => {
    setEditing(null);
    setFormKey((k) => k + 1);
  };

  const onDeleted = (res: AccountRemoveResult) => {
    const name = deleting?.name ?? '';
    if (res.stoppedBots.length > 0 || res.cancelledOrders > 0) showToast('success', 'accounts.deletedStopped', { name, bots: res.stoppedBots.length, orders: res.cancelledOrders });
    else showToast('success', 'accounts.deleted', { name });
    setDeleting(null);
    if (editing?.id === res.id) startAdd();
    if (test?.accountId === res.id) setTest(null);
    void queryClient.invalidateQueries({ queryKey: trpc.accounts.list.queryKey() });
    // Its bots went with it.
    void queryClient.invalidateQueries({ queryKey: trpc.bots.list.queryKey() });
  };
  const testConn = useMutation(
    trpc.accounts.testConnection.mutationOptions({
      meta: { silent: true },
      onSuccess: (result, vars) => setTest({ accountId: vars.id, name: accounts.data?.find((a) => a.id === vars.id)?.name ?? '', kind: 'result', result }),
      onError: (err, vars) => setTest({ accountId: vars.id, name: accounts.data?.find((a) => a.id === vars.id)?.name ?? '', kind: 'error', message: errorMessage(err) }),
    }),
  );

  return (
    <div className="page accounts-page">
      <div className="accounts-main">
        <section className="panel">
          <div className="panel-head">
            <h2 className="panel-title">{t('accounts.title')}</h2>
            <button type="button" className="btn btn-sm" data-testid="account-add" onClick={startAdd}>
              + {t('accounts.add')}
            </button>
          </div>
          {accounts.isPending ? (
            <Placeholder>
              <Spinner label={t('app.loading')} />
            </Placeholder>
          ) : accounts.error ? (
            <Placeholder>{tx(errorMessage(accounts.error))}</Placeholder>
          ) : accounts.data.length === 0 ? (
            <Placeholder testId="accounts-empty">{t('accounts.empty')}</Placeholder>
          ) : (
            <div className="table-scroll">
              <table className="table" data-testid="accounts-table">
                <thead>
                  <tr>
                    <th>{t('accounts.name')}</th>
                    <th>{t('accounts.exchange')}</th>
                    <th>{t('accounts.marketType')}</th>
                    <th>{t('accounts.mode')}</th>
                    <th>{t('accounts.apiKey')}</th>
                    <th>{t('accounts.createdAt')}</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {accounts.data.map((a) => (
                    <tr
                      key={a.id}
                      data-testid="account-row"
                      data-account-id={a.id}
                      data-name={a.name}
                      data-mode={a.mode}
                      className={editing?.id === a.id ? 'selected' : undefined}
                    >
                      <td className="strong">{a.name}</td>
                      <td>{a.exchange}</td>
                      <td>{t(`accounts.marketType.${a.marketType}`)}</td>
                      <td>
                        <span className={`badge badge-mode-${a.mode}`}>{t(`accounts.mode.${a.mode}`)}</span>
                      </td>
                      <td className="num" data-testid="account-key-hint">
                        {a.mode === 'paper' ? '—' : keyHint(a)}
                      </td>
                      <td className="num nowrap">{formatDateTimeShort(a.createdAt)}</td>
                      <td className="actions">
                        <button
                          type="button"
                          className="btn btn-sm"
                          data-testid="account-edit"
                          onClick={() => {
                            setEditing(a);
                            setFormKey((k) => k + 1);
                          }}
                        >
                          {t('accounts.edit')}
                        </button>
                        <button
                          type="button"
                          className="btn btn-sm"
                          data-testid="account-test"
                          disabled={testConn.isPending && testConn.variables?.id === a.id}
                          onClick={() => testConn.mutate({ id: a.id })}
                        >
                          {testConn.isPending && testConn.variables?.id === a.id ? t('accounts.testing') : t('accounts.test')}
                        </button>
                        <button
                          type="button"
                          className="btn btn-sm btn-ghost btn-danger-text"
                          data-testid="account-delete"
                          aria-pressed={deleting?.id === a.id}
                          onClick={() => setDeleting(a)}
                        >
                          {t('accounts.delete')}
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
        {deleting && <DeleteAccountDialog key={deleting.id} account={deleting} onClose={() => setDeleting(null)} onDeleted={onDeleted} />}
        {test && <TestResult outcome={test} onClose={() => setTest(null)} />}
      </div>

      <section className="panel accounts-form-panel">
        <h2 className="panel-title">
          {editing ? t('accounts.editTitle') : t('accounts.addTitle')}
          {editing && <span className="muted">{editing.name}</span>}
        </h2>
        {exchanges.error && <div className="form-error">{tx(errorMessage(exchanges.error))}</div>}
        <AccountForm key={`${editing?.id ?? 'new'}-${formKey}`} editing={editing} exchanges={exchanges.data ?? []} onDone={startAdd} />
      </section>
    </div>
  );
}

/** Result panel of "Test connection": the balances, or what went wrong in the server's words. */
function TestResult({ outcome, onClose }: { outcome: TestOutcome; onClose: () => void }) {
  const { t, tx } = useI18n();
  const ok = outcome.kind === 'result' && outcome.result.ok;
  return (
    <section
      className={`panel test-result ${ok ? 'test-ok' : 'test-fail'}`}
      data-testid="account-test-result"
      data-account-id={outcome.accountId}
      data-ok={ok ? 'true' : 'false'}
      role="status"
    >
      <div className="panel-head">
        <h2 className="panel-title">
          {t('accounts.testTitle')} <span className="muted">{outcome.name}</span>
        </h2>
        <button type="button" className="btn btn-ghost btn-sm" onClick={onClose} aria-label={t('toast.dismiss')}>
          ×
        </button>
      </div>
      <div className="test-body">
        {outcome.kind === 'error' ? (
          <p className="test-message">{tx(outcome.message)}</p>
        ) : outcome.result.ok ? (
          <>
            <p className="test-message ok">{t('accounts.testOk', { count: outcome.result.balances.length })}</p>
            {outcome.result.balances.length === 0 ? (
              <p className="muted">{t('accounts.noBalances')}</p>
            ) : (
              <table className="table table-compact">
                <thead>
                  <tr>
                    <th>{t('balances.currency')}</th>
                    <th className="num">{t('balances.free')}</th>
                    <th className="num">{t('balances.used')}</th>
                    <th className="num">{t('balances.total')}</th>
                  </tr>
                </thead>
                <tbody>
                  {outcome.result.balances.map((b) => (
                    <tr key={b.currency} data-testid="account-test-balance" data-currency={b.currency}>
                      <td>{b.currency}</td>
                      <td className="num" title={b.free}>
                        {formatAmount(b.free)}
                      </td>
                      <td className="num" title={b.used}>
                        {formatAmount(b.used)}
                      </td>
                      <td className="num" title={b.total}>
                        {formatAmount(b.total)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        ) : (
          <p className="test-message" data-code={outcome.result.code}>
            {tx(outcome.result.message)} <span className="muted">({outcome.result.code})</span>
          </p>
        )}
      </div>
    </section>
  );
}
