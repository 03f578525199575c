import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ROLES, addUserInputSchema, type PublicUser, type Role } from '@osprey/shared';
import { useTRPC } from '../lib/trpc.js';
import { useI18n } from '../lib/i18n.js';
import { errorMessage, fieldErrors } from '../lib/errors.js';
import { showToast } from '../lib/toast.js';
import { formatDateTimeShort } from '../lib/time.js';
import { Placeholder, Spinner } from '../components/Feedback.js';
import { SessionsTable } from './SettingsPage.js';

type Field = 'email' | 'password' | 'role';

/**
 * Admin user management: the user list (`users.list`) with per-user actions (role, disable/enable, reset the
 * password, sessions, delete behind an inline confirm) and an add-user form validated with the shared
 * `addUserInputSchema` (zod messages per field; server field errors and conflicts shown inline).
 */
export function UsersPage() {
  const { t, tx } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const users = useQuery(trpc.users.list.queryOptions());
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('trader');
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);

  const add = useMutation(
    trpc.users.add.mutationOptions({
      meta: { silent: true },
      onSuccess: (user) => {
        showToast('success', 'users.created.toast', { email: user.email });
        setEmail('');
        setPassword('');
        setRole('trader');
        void queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() });
      },
      onError: (err) => {
        const fields = fieldErrors(err);
        if (Object.keys(fields).length) setErrors({ email: fields.email, password: fields.password, role: fields.role });
        else setFormError(tx(errorMessage(err)));
      },
    }),
  );

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setFormError(null);
    const parsed = addUserInputSchema.safeParse({ email, password, role });
    if (!parsed.success) {
      const next: Partial<Record<Field, string>> = {};
      for (const issue of parsed.error.issues) {
        const field = issue.path[0];
        if ((field === 'email' || field === 'password' || field === 'role') && !next[field]) next[field] = issue.message;
      }
      setErrors(next);
      return;
    }
    setErrors({});
    add.mutate(parsed.data);
  };

  return (
    <div className="page users-page">
      <section className="panel">
        <h2 className="panel-title">{t('users.title')}</h2>
        {users.isPending ? (
          <Placeholder>
            <Spinner label={t('app.loading')} />
          </Placeholder>
        ) : users.error ? (
          <Placeholder>{tx(errorMessage(users.error))}</Placeholder>
        ) : users.data.length === 0 ? (
          <Placeholder>{t('users.empty')}</Placeholder>
        ) : (
          <table className="table" data-testid="users-table">
            <thead>
              <tr>
                <th>{t('users.email')}</th>
                <th>{t('users.role')}</th>
                <th>{t('users.status')}</th>
                <th>{t('users.created')}</th>
                <th>{t('users.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {users.data.map((u) => (
                <UserRowView key={u.id} user={u} />
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section className="panel users-form-panel">
        <h2 className="panel-title">{t('users.add')}</h2>
        <form className="form" onSubmit={submit} noValidate>
          <label className="field">
            <span>{t('users.email')}</span>
            <input
              className={`input ${errors.email ? 'invalid' : ''}`}
              type="email"
              autoComplete="off"
              data-testid="add-user-email"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
            {errors.email && (
              <span className="field-error" data-testid="add-user-email-error">
                {tx(errors.email)}
              </span>
            )}
          </label>
          <label className="field">
            <span>{t('users.password')}</span>
            <input
              className={`input ${errors.password ? 'invalid' : ''}`}
              type="password"
              autoComplete="new-password"
              data-testid="add-user-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
            {errors.password && (
              <span className="field-error" data-testid="add-user-password-error">
                {tx(errors.password)}
              </span>
            )}
          </label>
          <label className="field">
            <span>{t('users.role')}</span>
            <select className="select" data-testid="add-user-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {t(r === 'admin' ? 'header.admin' : 'header.trader')}
                </option>
              ))}
            </select>
            {errors.role && <span className="field-error">{tx(errors.role)}</span>}
          </label>
          {formError && (
            <div className="form-error" role="alert" data-testid="add-user-error">
              {formError}
            </div>
          )}
          <button type="submit" className="btn btn-primary" data-testid="add-user-submit" disabled={add.isPending}>
            {add.isPending ? t('users.submitting') : t('users.submit')}
          </button>
        </form>
      </section>
    </div>
  );
}

/** One user with the admin's actions; errors (last admin, running bots) show in the row. */
function UserRowView({ user }: { user: PublicUser }) {
  const { t, tx } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [showSessions, setShowSessions] = useState(false);
  const [generated, setGenerated] = useState<string | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() });
  const opts = { meta: { silent: true }, onError: (err: unknown) => setError(tx(errorMessage(err))), onSuccess: () => (setError(null), refresh()) };
  const setRole = useMutation(trpc.users.setRole.mutationOptions(opts));
  const setDisabled = useMutation(trpc.users.setDisabled.mutationOptions(opts));
  const remove = useMutation(
    trpc.users.remove.mutationOptions({
      ...opts,
      onSuccess: () => {
        showToast('success', 'users.deleted', { email: user.email });
        refresh();
      },
    }),
  );
  const reset = useMutation(
    trpc.users.resetPassword.mutationOptions({
      ...opts,
      onSuccess: (r) => {
        setError(null);
        setGenerated(r.generatedPassword);
      },
    }),
  );
  const disabled = user.disabledAt !== null;
  return (
    <>
      <tr data-testid="user-row" data-email={user.email}>
        <td>{user.email}</td>
        <td>
          <select
            className="select select-sm"
            aria-label={t('users.role')}
            data-testid="user-role"
            value={user.role}
            disabled={setRole.isPending}
            onChange={(e) => setRole.mutate({ userId: user.id, role: e.target.value as Role })}
          >
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(r === 'admin' ? 'header.admin' : 'header.trader')}
              </option>
            ))}
          </select>
        </td>
        <td>
          <span className={`badge ${disabled ? 'badge-off' : 'badge-live'}`} data-testid="user-status">
            {t(disabled ? 'users.disabled' : 'users.active')}
          </span>
        </td>
        <td className="num">{formatDateTimeShort(user.createdAt)}</td>
        <td className="row-actions">
          <button type="button" className="btn btn-sm btn-ghost" data-testid="user-toggle" disabled={setDisabled.isPending} onClick={() => setDisabled.mutate({ userId: user.id, disabled: !disabled })}>
            {t(disabled ? 'users.enable' : 'users.disable')}
          </button>
          <button type="button" className="btn btn-sm btn-ghost" data-testid="user-reset" disabled={reset.isPending} onClick={() => reset.mutate({ userId: user.id })}>
            {t('users.resetPassword')}
          </button>
          <button type="button" className="btn btn-sm btn-ghost" data-testid="user-sessions" onClick={() => setShowSessions((v) => !v)}>
            {t('settings.sessions')}
          </button>
          {confirmDelete ? (
            <>
              <button type="button" className="btn btn-sm btn-danger" data-testid="user-delete-confirm" disabled={remove.isPending} onClick={() => remove.mutate({ userId: user.id })}>
                {t('users.deleteConfirm')}
              </button>
              <button type="button" className="btn btn-sm btn-ghost" onClick={() => setConfirmDelete(false)}>
                {t('accounts.cancel')}
              </button>
            </>
          ) : (
            <button type="button" className="btn btn-sm btn-ghost btn-danger-text" data-testid="user-delete" onClick={() => setConfirmDelete(true)}>
              {t('users.delete')}
            </button>
          )}
        </td>
      </tr>
      {(error || generated || confirmDelete) && (
        <tr className="row-note">
          <td colSpan={5}>
            {confirmDelete && !error && <span className="muted">{t('users.deleteWarning', { email: user.email })}</span>}
            {error && (
              <span className="form-error" role="alert" data-testid="user-error">
                {error}
              </span>
            )}
            {generated && (
              <span data-testid="user-generated-password">
                {t('users.generatedPassword', { email: user.email })} <code>{generated}</code>
              </span>
            )}
          </td>
        </tr>
      )}
      {showSessions && (
        <tr className="row-note">
          <td colSpan={5}>
            <SessionsTable userId={user.id} />
          </td>
        </tr>
      )}
    </>
  );
}
