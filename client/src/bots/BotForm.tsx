import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { BotView, PublicAccount } from '@osprey/shared';
import { useTRPC } from '../lib/trpc.js';
import { useI18n } from '../lib/i18n.js';
import { showToast } from '../lib/toast.js';
import type { FieldErrors } from '../lib/form.js';
import { FieldError } from '../components/FieldError.js';
import { BotConfigEditor } from './BotConfigEditor.js';
import { botFieldKeys, botToForm, defaultConfigForm, symbolSuggestions, validateBotForm, validateConfigForm, withMarketType, type BotFormState } from './bot-form.js';
import { backtestPrefillHash } from './backtest-form.js';
import { serverFieldErrors } from './server-errors.js';

/** The initial state of the bot form: the edited bot, or defaults on the first account. */
function initialForm(editing: BotView | null, accounts: readonly PublicAccount[], feedSymbols: readonly string[]): BotFormState {
  if (editing) {
    const mt = accounts.find((a) => a.id === editing.accountId)?.marketType ?? editing.config.marketType;
    return botToForm(editing, symbolSuggestions(feedSymbols, mt));
  }
  const account = accounts[0];
  const mt = account?.marketType ?? 'spot';
  return { name: '', accountId: account?.id ?? '', config: defaultConfigForm(mt, symbolSuggestions(feedSymbols, mt)) };
}

/**
 * Create/edit form of a bot (`data-testid="bot-form"`, `data-mode` create|edit): name (`bot-name`), account
 * (`bot-account`; the config's market type follows it), the shared config editor, Save (`bot-save`), Cancel
 * (`bot-cancel`) and "Backtest this config" (`bot-backtest-this`: opens the backtests page with the run form
 * prefilled). Validated with `botCreateInputSchema` before sending; every issue shows under its field, server
 * errors too. Mount with a `key` per edited bot so the state resets.
 */
export function BotForm({ editing, accounts, feedSymbols, onDone }: { editing: BotView | null; accounts: readonly PublicAccount[]; feedSymbols: readonly string[]; onDone: (bot: BotView | null) => void }) {
  const { t, tx } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<BotFormState>(() => initialForm(editing, accounts, feedSymbols));
  const [errors, setErrors] = useState<FieldErrors>({});

  const onSaved = (bot: BotView) => {
    showToast('success', editing ? 'bots.updated' : 'bots.created', { name: bot.name });
    void queryClient.invalidateQueries(trpc.bots.pathFilter());
    onDone(bot);
  };
  const onError = (err: unknown) => setErrors(serverFieldErrors(err, botFieldKeys(form.config.type)));
  const create = useMutation(trpc.bots.create.mutationOptions({ meta: { silent: true }, onSuccess: onSaved, onError }));
  const update = useMutation(trpc.bots.update.mutationOptions({ meta: { silent: true }, onSuccess: onSaved, onError }));
  const saving = create.isPending || update.isPending;

  const onAccount = (accountId: string) => {
    const account = accounts.find((a) => a.id === accountId);
    setForm((f) => ({ ...f, accountId, config: account ? withMarketType(f.config, account.marketType) : f.config }));
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const r = validateBotForm(form);
    if (!r.ok) {
      setErrors(r.errors);
      return;
    }
    setErrors({});
    if (editing) update.mutate({ id: editing.id, ...r.input });
    else create.mutate(r.input);
  };

  const backtestThis = () => {
    const r = validateConfigForm(form.config);
    if (!r.ok) {
      setErrors(r.errors);
      return;
    }
    location.hash = backtestPrefillHash(r.config, form.name.trim() || undefined);
  };

  return (
    <form className="form bot-form" onSubmit={submit} noValidate data-testid="bot-form" data-mode={editing ? 'edit' : 'create'}>
      <div className="form-row">
        <label className="field">
          <span>{t('bots.name')}</span>
          <input
            className={`input ${errors.name ? 'invalid' : ''}`}
            data-testid="bot-name"
            autoComplete="off"
            maxLength={60}
            placeholder={t('bots.namePlaceholder')}
            value={form.name}
            onChange={(e) => setForm((f) => ({ ...f, name: e.target.value }))}
          />
          <FieldError errors={errors} field="name" />
        </label>
        <label className="field">
          <span>{t('trade.account')}</span>
          <select className={`select ${errors.accountId ? 'invalid' : ''}`} data-testid="bot-account" value={form.accountId} onChange={(e) => onAccount(e.target.value)}>
            {!accounts.some((a) => a.id === form.accountId) && <option value={form.accountId}>—</option>}
            {accounts.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name} · {a.exchange} {t(`accounts.marketType.${a.marketType}`)} · {t(`accounts.mode.${a.mode}`)}
              </option>
            ))}
          </select>
          <FieldError errors={errors} field="accountId" />
        </label>
      </div>

      <BotConfigEditor value={form.config} onChange={(config) => setForm((f) => ({ ...f, config }))} errors={errors} feedSymbols={feedSymbols} marketTypeSource="account" />

      {errors.form && (
        <div className="form-error" role="alert" data-testid="bot-form-error">
          {tx(errors.form)}
        </div>
      )}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" data-testid="bot-save" disabled={saving}>
          {saving ? t('accounts.saving') : editing ? t('accounts.saveChanges') : t('bots.create')}
        </button>
        <button type="button" className="btn" data-testid="bot-backtest-this" onClick={backtestThis} title={t('bots.backtestThisHint')}>
          ↺ {t('bots.backtestThis')}
        </button>
        <button type="button" className="btn btn-ghost" data-testid="bot-cancel" onClick={() => onDone(null)}>
          {t('accounts.cancel')}
        </button>
      </div>
    </form>
  );
}
