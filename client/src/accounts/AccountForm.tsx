import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ACCOUNT_MODES, MARKET_TYPES, type AccountMode, type MarketType, type PublicAccount } from '@osprey/shared';
import { useTRPC } from '../lib/trpc.js';
import { useI18n } from '../lib/i18n.js';
import { errorMessage, fieldErrors } from '../lib/errors.js';
import { parseServerFieldErrors, type FieldErrors } from '../lib/form.js';
import { showToast } from '../lib/toast.js';
import { FieldError } from '../components/FieldError.js';
import { ExchangePicker } from './ExchangePicker.js';
import { ACCOUNT_FIELDS, accountToForm, emptyAccountForm, keyHint, usesCredentials, validateAccountForm, type AccountFormState } from './account-form.js';

const KNOWN_FIELDS = new Set<string>(ACCOUNT_FIELDS);

/**
 * Add/edit form of an exchange account, validated with the shared `accountInputSchema` (errors inline per
 * field, `field-error-<field>`; server field errors land on the same fields). Live/sandbox show the API
 * key, secret and passphrase as password inputs — on edit, blank ones keep the stored secret; paper shows
 * the starting-balance rows. Mount with a `key` per edited account so the state resets.
 */
export function AccountForm({ editing, exchanges, onDone }: { editing: PublicAccount | null; exchanges: readonly string[]; onDone: () => void }) {
  const { t, tx } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<AccountFormState>(() => (editing ? accountToForm(editing) : emptyAccountForm()));
  const [errors, setErrors] = useState<FieldErrors>({});

  const onSaved = (a: PublicAccount) => {
    showToast('success', editing ? 'accounts.updated' : 'accounts.created', { name: a.name });
    void queryClient.invalidateQueries({ queryKey: trpc.accounts.list.queryKey() });
    onDone();
  };
  const onError = (err: unknown) => {
    const zod = fieldErrors(err);
    const parsed = Object.keys(zod).length ? zod : parseServerFieldErrors(errorMessage(err), KNOWN_FIELDS);
    const next: FieldErrors = {};
    for (const [k, v] of Object.entries(parsed)) next[KNOWN_FIELDS.has(k.split('.')[0]!) ? k.split('.')[0]! : 'form'] ??= v;
    setErrors(next);
  };
  const create = useMutation(trpc.accounts.create.mutationOptions({ meta: { silent: true }, onSuccess: onSaved, onError }));
  const update = useMutation(trpc.accounts.update.mutationOptions({ meta: { silent: true }, onSuccess: onSaved, onError }));
  const saving = create.isPending || update.isPending;

  const set = <K extends keyof AccountFormState>(key: K, value: AccountFormState[K]) => setForm((f) => ({ ...f, [key]: value }));
  const setBalance = (i: number, patch: Partial<AccountFormState['balances'][number]>) =>
    setForm((f) => ({ ...f, balances: f.balances.map((b, j) => (j === i ? { ...b, ...patch } : b)) }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const r = validateAccountForm(form, exchanges);
    if (!r.ok) {
      setErrors(r.errors);
      return;
    }
    setErrors({});
    if (editing) update.mutate({ id: editing.id, ...r.input });
    else create.mutate(r.input);
  };

  const creds = usesCredentials(form.mode);
  const keepHint = (stored: boolean) => (editing && stored ? t('accounts.keepSecret') : undefined);

  return (
    <form className="form" onSubmit={submit} noValidate data-testid="account-form" data-mode={editing ? 'edit' : 'create'}>
      <label className="field">
        <span>{t('accounts.name')}</span>
        <input
          className={`input ${errors.name ? 'invalid' : ''}`}
          data-testid="account-name"
          autoComplete="off"
          maxLength={60}
          value={form.name}
          onChange={(e) => set('name', e.target.value)}
        />
        <FieldError errors={errors} field="name" />
      </label>
      <div className="field">
        <span>{t('accounts.exchange')}</span>
        <ExchangePicker value={form.exchange} onChange={(v) => set('exchange', v)} exchanges={exchanges} invalid={!!errors.exchange} />
        <FieldError errors={errors} field="exchange" />
      </div>
      <div className="form-row">
        <label className="field">
          <span>{t('accounts.marketType')}</span>
          <select className="select" data-testid="account-market-type" value={form.marketType} onChange={(e) => set('marketType', e.target.value as MarketType)}>
            {MARKET_TYPES.map((m) => (
              <option key={m} value={m}>
                {t(`accounts.marketType.${m}`)}
              </option>
            ))}
          </select>
          <FieldError errors={errors} field="marketType" />
        </label>
        <label className="field">
          <span>{t('accounts.mode')}</span>
          <select className="select" data-testid="account-mode" value={form.mode} onChange={(e) => set('mode', e.target.value as AccountMode)}>
            {ACCOUNT_MODES.map((m) => (
              <option key={m} value={m}>
                {t(`accounts.mode.${m}`)}
              </option>
            ))}
          </select>
          <FieldError errors={errors} field="mode" />
        </label>
      </div>

      {creds ? (
        <fieldset className="fieldset">
          <legend>{t('accounts.credentials')}</legend>
          {editing && <p className="hint" data-testid="account-keep-hint">{t('accounts.keepHint')}</p>}
          <label className="field">
            <span>{t('accounts.apiKey')}</span>
            <input
              className={`input ${errors.apiKey ? 'invalid' : ''}`}
              type="password"
              autoComplete="off"
              data-testid="account-api-key"
              placeholder={editing?.apiKeyHint ? `${t('accounts.keepSecret')} (${keyHint(editing)})` : undefined}
              value={form.apiKey}
              onChange={(e) => set('apiKey', e.target.value)}
            />
            <FieldError errors={errors} field="apiKey" />
          </label>
          <label className="field">
            <span>{t('accounts.secret')}</span>
            <input
              className={`input ${errors.secret ? 'invalid' : ''}`}
              type="password"
              autoComplete="new-password"
              data-testid="account-secret"
              placeholder={keepHint(!!editing?.hasSecret)}
              value={form.secret}
              onChange={(e) => set('secret', e.target.value)}
            />
            <FieldError errors={errors} field="secret" />
          </label>
          <label className="field">
            <span>{t('accounts.passphrase')}</span>
            <input
              className={`input ${errors.passphrase ? 'invalid' : ''}`}
              type="password"
              autoComplete="new-password"
              data-testid="account-passphrase"
              placeholder={keepHint(!!editing?.hasPassphrase) ?? t('accounts.passphraseHint')}
              value={form.passphrase}
              onChange={(e) => set('passphrase', e.target.value)}
            />
            <FieldError errors={errors} field="passphrase" />
          </label>
        </fieldset>
      ) : (
        <fieldset className="fieldset">
          <legend>{t('accounts.paperBalances')}</legend>
          {form.balances.map((b, i) => (
            <div className="balance-row" key={i}>
              <input
                className="input input-currency"
                data-testid="paper-balance-currency"
                aria-label={t('accounts.currency')}
                placeholder="USDT"
                value={b.currency}
                onChange={(e) => setBalance(i, { currency: e.target.value.toUpperCase() })}
              />
              <input
                className="input num"
                data-testid="paper-balance-amount"
                aria-label={t('accounts.amount')}
                inputMode="decimal"
                placeholder="10000"
                value={b.amount}
                onChange={(e) => setBalance(i, { amount: e.target.value })}
              />
              <button
                type="button"
                className="btn btn-ghost btn-icon"
                data-testid="paper-balance-remove"
                aria-label={t('accounts.removeBalance')}
                title={t('accounts.removeBalance')}
                onClick={() => set('balances', form.balances.filter((_, j) => j !== i))}
              >
                ×
              </button>
            </div>
          ))}
          <button type="button" className="btn btn-ghost btn-sm" data-testid="paper-balance-add" onClick={() => set('balances', [...form.balances, { currency: '', amount: '' }])}>
            + {t('accounts.addBalance')}
          </button>
          <FieldError errors={errors} field="paperBalances" />
        </fieldset>
      )}

      {errors.form && (
        <div className="form-error" role="alert" data-testid="account-form-error">
          {tx(errors.form)}
        </div>
      )}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" data-testid="account-save" disabled={saving}>
          {saving ? t('accounts.saving') : editing ? t('accounts.saveChanges') : t('accounts.create')}
        </button>
        {editing && (
          <button type="button" className="btn btn-ghost" data-testid="account-cancel" onClick={onDone}>
            {t('accounts.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}
