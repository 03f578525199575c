import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { PublicAccount } from '@osprey/shared';
import { useTRPC } from '../lib/trpc.js';
import { useI18n } from '../lib/i18n.js';
import { showToast } from '../lib/toast.js';
import type { FieldErrors } from '../lib/form.js';
import { formatDateTime } from '../lib/time.js';
import { FieldError } from '../components/FieldError.js';
import { formatSigned, pnlClass } from '../trade/trades.js';
import { RiskFields } from './BotConfigEditor.js';
import { riskToForm, validateRiskForm, type RiskFormState } from './bot-form.js';
import { serverFieldErrors } from './server-errors.js';


/**
 * Account risk rules (`data-testid="account-risk"`): pick an account (`account-risk-account`), see what its
 * rules count now across all of its bots (open positions, today's realized PnL in UTC, losing streak, pause),
 * and edit the rules (`acct-risk-<field>`, Save `account-risk-save`). A bot's entry must pass both its own
 * rules and its account's; the account's price and time stops apply where a bot sets none.
 */
export function AccountRiskPanel({ accounts }: { accounts: readonly PublicAccount[] }) {
  const { t } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [accountId, setAccountId] = useState(accounts[0]?.id ?? '');
  const view = useQuery(trpc.bots.accountRisk.queryOptions({ accountId }, { enabled: !!accountId, refetchInterval: 5000 }));
  const [form, setForm] = useState<RiskFormState | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  // Load the stored rules into the form when the account changes (not on every refetch: keep what is typed).
  const loadedFor = view.data?.accountId;
  useEffect(() => {
    if (loadedFor) {
      setForm(riskToForm(view.data!.rules));
      setErrors({});
    }
  }, [loadedFor]);
  const save = useMutation(
    trpc.bots.setAccountRisk.mutationOptions({
      meta: { silent: true },
      onSuccess: (v) => {
        showToast('success', 'bots.accountRiskSaved', { name: accounts.find((a) => a.id === v.accountId)?.name ?? '' });
        setForm(riskToForm(v.rules));
        void queryClient.invalidateQueries(trpc.bots.accountRisk.pathFilter());
      },
      onError: (err) => {
        // The server names `rules.<path>`; the fields here are keyed `config.risk.<path>` (as in the bot editor).
        const raw = serverFieldErrors(err, ['rules']);
        setErrors(Object.fromEntries(Object.entries(raw).map(([k, v]) => [k.startsWith('rules.') ? `config.risk.${k.slice(6)}` : k, v])));
      },
    }),
  );

  if (accounts.length === 0) return null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!form) return;
    const r = validateRiskForm(form);
    if (!r.ok) {
      setErrors(r.errors);
      return;
    }
    setErrors({});
    save.mutate({ accountId, rules: r.rules });
  };
  const v = view.data;
  const dayPnl = Number(v?.dayPnl ?? 0);

  return (
    <section className="panel account-risk" data-testid="account-risk">
      <div className="panel-head">
        <h2 className="panel-title">{t('bots.accountRisk')}</h2>
        <select className="select select-sm" data-testid="account-risk-account" value={accountId} onChange={(e) => setAccountId(e.target.value)}>
          {accounts.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </select>
      </div>
      <form className="form" onSubmit={submit} noValidate>
        <p className="hint">{t('bots.accountRiskHelp')}</p>
        {v && (
          <dl className="stat-row" data-testid="account-risk-now" data-open={v.openPositions}>
            <div className="stat">
              <dt>{t('bots.openPositions')}</dt>
              <dd className="num" data-testid="account-risk-open">
                {v.openPositions}
                {v.rules.maxOpenPositions !== undefined && <span className="muted"> / {v.rules.maxOpenPositions}</span>}
              </dd>
            </div>
            <div className="stat">
              <dt>{t('bots.dayPnl')}</dt>
              <dd className={`num pnl-${pnlClass(dayPnl)}`} title={v.dayPnl}>
                {formatSigned(dayPnl)}
                {v.rules.dailyLossLimit !== undefined && <span className="muted"> / −{v.rules.dailyLossLimit}</span>}
              </dd>
            </div>
            <div className="stat">
              <dt>{t('bots.lossStreak')}</dt>
              <dd className="num">{v.lossStreak}</dd>
            </div>
            <div className="stat">
              <dt>{t('bots.pausedUntil')}</dt>
              <dd className="num">{v.pausedUntil ? formatDateTime(v.pausedUntil) : '—'}</dd>
            </div>
          </dl>
        )}
        {form && <RiskFields value={form} onChange={setForm} errors={errors} testPrefix="acct-risk" />}
        <FieldError errors={errors} field="form" />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" data-testid="account-risk-save" disabled={!form || save.isPending}>
            {t('bots.accountRiskSave')}
          </button>
        </div>
      </form>
    </section>
  );
}
