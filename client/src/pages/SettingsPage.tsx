import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { changePasswordInputSchema, type SessionView } from '@osprey/shared';
import { useTRPC } from '../lib/trpc.js';
import { useI18n } from '../lib/i18n.js';
import { errorMessage, fieldErrors } from '../lib/errors.js';
import { parseServerFieldErrors } from '../lib/form.js';
import { showToast } from '../lib/toast.js';
import { formatDateTimeShort } from '../lib/time.js';
import { Placeholder, Spinner } from '../components/Feedback.js';

type PwField = 'currentPassword' | 'newPassword';
const PW_FIELDS: ReadonlySet<string> = new Set<PwField>(['currentPassword', 'newPassword']);

/**
 * Your own account: change your password (`auth.changePassword`, which ends your other sessions) and the
 * list of your sessions with revoke (`auth.sessions` / `auth.revokeSession`).
 */
export function SettingsPage() {
  const { t, tx } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [errors, setErrors] = useState<Partial<Record<PwField, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const change = useMutation(
    trpc.auth.changePassword.mutationOptions({
      meta: { silent: true },
      onSuccess: () => {
        showToast('success', 'settings.passwordChanged', {});
        setCurrent('');
        setNext('');
        void queryClient.invalidateQueries({ queryKey: trpc.auth.sessions.queryKey() });
      },
      onError: (err) => {
        const zod = fieldErrors(err);
        const fields = Object.keys(zod).length ? zod : parseServerFieldErrors(errorMessage(err), PW_FIELDS);
        if (fields.currentPassword || fields.newPassword) setErrors({ currentPassword: fields.currentPassword, newPassword: fields.newPassword });
        else setFormError(tx(fields.form ?? errorMessage(err)));
      },
    }),
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setFormError(null);
    const parsed = changePasswordInputSchema.safeParse({ currentPassword: current, newPassword: next });
    if (!parsed.success) {
      const out: Partial<Record<PwField, string>> = {};
      for (const issue of parsed.error.issues) {
        const f = issue.path[0];
        if ((f === 'currentPassword' || f === 'newPassword') && !out[f]) out[f] = issue.message;
      }
      setErrors(out);
      return;
    }
    setErrors({});
    change.mutate(parsed.data);
  };
  return (
    <div className="page settings-page">
      <section className="panel">
        <h2 className="panel-title">{t('settings.password')}</h2>
        <form className="form" onSubmit={submit} noValidate>
          {(['currentPassword', 'newPassword'] as const).map((f) => (
            <label className="field" key={f}>
              <span>{t(f === 'currentPassword' ? 'settings.currentPassword' : 'settings.newPassword')}</span>
              <input
                className={`input ${errors[f] ? 'invalid' : ''}`}
                type="password"
                autoComplete={f === 'currentPassword' ? 'current-password' : 'new-password'}
                data-testid={`settings-${f}`}
                value={f === 'currentPassword' ? current : next}
                onChange={(e) => (f === 'currentPassword' ? setCurrent(e.target.value) : setNext(e.target.value))}
              />
              {errors[f] && (
                <span className="field-error" data-testid={`settings-${f}-error`}>
                  {tx(errors[f])}
                </span>
              )}
            </label>
          ))}
          {formError && (
            <div className="form-error" role="alert">
              {formError}
            </div>
          )}
          <button type="submit" className="btn btn-primary" data-testid="settings-change-password" disabled={change.isPending}>
            {t('settings.changePassword')}
          </button>
        </form>
      </section>
      <section className="panel">
        <h2 className="panel-title">{t('settings.sessions')}</h2>
        <p className="muted">{t('settings.sessionsHint')}</p>
        <SessionsTable />
      </section>
    </div>
  );
}

/**
 * Sessions with a revoke button: your own (no `userId`), or, for an admin, another user's (`users.sessions`).
 */
export function SessionsTable({ userId }: { userId?: string }) {
  const { t, tx } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const own = useQuery(trpc.auth.sessions.queryOptions(undefined, { enabled: !userId }));
  const other = useQuery(trpc.users.sessions.queryOptions({ userId: userId ?? '' }, { enabled: !!userId }));
  const q = userId ? other : own;
  const refresh = () => void queryClient.invalidateQueries({ queryKey: userId ? trpc.users.sessions.queryKey() : trpc.auth.sessions.queryKey() });
  const revokeOwn = useMutation(trpc.auth.revokeSession.mutationOptions({ onSuccess: refresh }));
  const revokeOther = useMutation(trpc.users.revokeSession.mutationOptions({ onSuccess: refresh }));
  if (q.isPending) return <Spinner label={t('app.loading')} />;
  if (q.error) return <Placeholder>{tx(errorMessage(q.error))}</Placeholder>;
  const list: SessionView[] = q.data;
  if (!list.length) return <Placeholder>{t('settings.session.none')}</Placeholder>;
  return (
    <div className="table-wrap">
      <table className="table" data-testid="sessions-table">
        <thead>
          <tr>
            <th>{t('settings.session.started')}</th>
            <th>{t('settings.session.lastSeen')}</th>
            <th>{t('settings.session.expires')}</th>
            <th>{t('settings.session.address')}</th>
            <th>{t('settings.session.browser')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {list.map((s) => (
            <tr key={s.id} data-testid="session-row" data-current={s.current ? 'true' : 'false'}>
              <td className="num">{formatDateTimeShort(s.createdAt)}</td>
              <td className="num">{s.lastSeenAt ? formatDateTimeShort(s.lastSeenAt) : '—'}</td>
              <td className="num">{formatDateTimeShort(s.expiresAt)}</td>
              <td>{s.ip ?? '—'}</td>
              <td className="ellipsis" title={s.userAgent ?? ''}>
                {browserName(s.userAgent)}
              </td>
              <td>
                {s.current ? (
                  <span className="badge">{t('settings.session.current')}</span>
                ) : (
                  <button
                    type="button"
                    className="btn btn-sm btn-ghost btn-danger-text"
                    data-testid="session-revoke"
                    onClick={() => (userId ? revokeOther.mutate({ userId, sessionId: s.id }) : revokeOwn.mutate({ sessionId: s.id }))}
                  >
                    {t('settings.session.revoke')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A short browser name from a User-Agent ("Chrome 131 on Linux"), or the raw string cut to 40 characters. */
export function browserName(ua: string | null): string {
  if (!ua) return '—';
  const os = /Windows/.test(ua) ? 'Windows' : /Mac OS X/.test(ua) ? 'macOS' : /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Linux/.test(ua) ? 'Linux' : '';
  const m = /(Edg|Firefox|Chrome|Chromium|Safari)\/(\d+)/.exec(ua);
  const name = m ? `${m[1] === 'Edg' ? 'Edge' : m[1]} ${m[2]}` : ua.slice(0, 40);
  return os ? `${name} · ${os}` : name;
}
