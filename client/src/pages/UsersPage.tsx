import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ROLES, addUserInputSchema, type Role } from '@osprey/shared';
import { useTRPC } from '../lib/trpc.js';
import { useI18n } from '../lib/i18n.js';
import { errorMessage, fieldErrors } from '../lib/errors.js';
import { showToast } from '../lib/toast.js';
import { formatDateTimeShort } from '../lib/time.js';
import { Placeholder, Spinner } from '../components/Feedback.js';

type Field = 'email' | 'password' | 'role';

/**
 * Admin user management: the user list (`users.list`) and an add-user form validated with the shared
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
                <th>{t('users.created')}</th>
              </tr>
            </thead>
            <tbody>
              {users.data.map((u) => (
                <tr key={u.id} data-testid="user-row">
                  <td>{u.email}</td>
                  <td>
                    <span className={`badge badge-role-${u.role}`}>{t(u.role === 'admin' ? 'header.admin' : 'header.trader')}</span>
                  </td>
                  <td className="num">{formatDateTimeShort(u.createdAt)}</td>
                </tr>
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
