import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { loginInputSchema } from '@osprey/shared';
import { closeRealtime, useTRPC } from '../lib/trpc.js';
import { useI18n } from '../lib/i18n.js';
import { errorMessage, fieldErrors, trpcCode } from '../lib/errors.js';
import { LangSwitch } from '../components/Header.js';

type Field = 'email' | 'password';

/**
 * Sign-in form. Inputs are validated with the shared `loginInputSchema` (messages inline under each
 * field, testids `login-email-error` / `login-password-error`); server failures (bad credentials, rate
 * limit, network) appear in `login-error`. On success the user is written into the `auth.me` cache,
 * which switches the app to the signed-in shell.
 */
export function LoginPage() {
  const { t, tx } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);

  const login = useMutation(
    trpc.auth.login.mutationOptions({
      meta: { silent: true },
      onSuccess: (user) => {
        closeRealtime();
        queryClient.setQueryData(trpc.auth.me.queryKey(), user);
      },
      onError: (err) => {
        const fields = fieldErrors(err);
        if (fields.email || fields.password) {
          setErrors({ email: fields.email, password: fields.password });
          return;
        }
        const code = trpcCode(err);
        setFormError(code === 'TOO_MANY_REQUESTS' ? t('login.rateLimited') : code ? tx(errorMessage(err)) : t('login.failed', { message: errorMessage(err) }));
      },
    }),
  );

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setFormError(null);
    const parsed = loginInputSchema.safeParse({ email, password });
    if (!parsed.success) {
      const next: Partial<Record<Field, string>> = {};
      for (const issue of parsed.error.issues) {
        const field = issue.path[0];
        if ((field === 'email' || field === 'password') && !next[field]) next[field] = issue.message;
      }
      setErrors(next);
      return;
    }
    setErrors({});
    login.mutate(parsed.data);
  };

  return (
    <div className="login-page">
      <div className="login-lang">
        <LangSwitch />
      </div>
      <form className="login-card" onSubmit={submit} noValidate>
        <div className="brand brand-lg">
          <svg viewBox="0 0 32 32" width="30" height="30" aria-hidden="true">
            <path d="M4 22 L16 6 L28 22 L16 16 Z" fill="#26a69a" />
          </svg>
          <div>
            <div className="brand-name">{t('app.name')}</div>
            <div className="brand-tagline">{t('app.tagline')}</div>
          </div>
        </div>
        <h2>{t('login.title')}</h2>
        <label className="field">
          <span>{t('login.email')}</span>
          <input
            className={`input ${errors.email ? 'invalid' : ''}`}
            type="email"
            autoComplete="username"
            autoFocus
            data-testid="login-email"
            value={email}
            aria-invalid={!!errors.email}
            onChange={(e) => setEmail(e.target.value)}
          />
          {errors.email && (
            <span className="field-error" data-testid="login-email-error">
              {tx(errors.email)}
            </span>
          )}
        </label>
        <label className="field">
          <span>{t('login.password')}</span>
          <input
            className={`input ${errors.password ? 'invalid' : ''}`}
            type="password"
            autoComplete="current-password"
            data-testid="login-password"
            value={password}
            aria-invalid={!!errors.password}
            onChange={(e) => setPassword(e.target.value)}
          />
          {errors.password && (
            <span className="field-error" data-testid="login-password-error">
              {tx(errors.password)}
            </span>
          )}
        </label>
        {formError && (
          <div className="form-error" role="alert" data-testid="login-error">
            {formError}
          </div>
        )}
        <button type="submit" className="btn btn-primary btn-block" data-testid="login-submit" disabled={login.isPending}>
          {login.isPending ? t('login.submitting') : t('login.submit')}
        </button>
      </form>
    </div>
  );
}
