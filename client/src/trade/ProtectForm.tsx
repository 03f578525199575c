import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { TradeView } from '@osprey/shared';
import { useTRPC } from '../lib/trpc.js';
import { useI18n } from '../lib/i18n.js';
import { errorMessage, fieldErrors } from '../lib/errors.js';
import { parseServerFieldErrors, type FieldErrors } from '../lib/form.js';
import { showToast } from '../lib/toast.js';
import { formatPrice } from '../lib/format.js';
import { FieldError } from '../components/FieldError.js';
import { TargetsEditor } from './TargetsEditor.js';
import { fractionToPercent } from './ticket.js';
import { protectChanges, protectFormFor, protectToInput, type ProtectFormState } from './protect.js';

const PROTECT_FIELDS = new Set(['stopLoss', 'takeProfits']);

/**
 * Edits the stop-loss and the open take-profits of one trade (`trade-protect-sl`, `trade-protect-tp-*`,
 * `trade-protect-save`) through `trading.protect`; only what changed is sent, a blank stop removes it.
 * Executed targets are listed read-only. Mount with `key={trade.id}` so it resets per trade; server-side plan changes update an unedited form.
 */
export function ProtectForm({ trade }: { trade: TradeView }) {
  const { t, tx } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<ProtectFormState>(() => protectFormFor(trade));
  const [errors, setErrors] = useState<FieldErrors>({});
  // Follow server-side changes of the plan (e.g. the stop moved to breakeven after TP1) unless the
  // trader is editing: re-render on every tick must not remount or reset the form.
  const baseline = JSON.stringify(protectFormFor(trade));
  const lastBaseline = useRef(baseline);
  useEffect(() => {
    if (baseline === lastBaseline.current) return;
    setForm((cur) => (JSON.stringify(cur) === lastBaseline.current ? (JSON.parse(baseline) as ProtectFormState) : cur));
    lastBaseline.current = baseline;
  }, [baseline]);

  const protect = useMutation(
    trpc.trading.protect.mutationOptions({
      onSuccess: (updated) => {
        showToast('success', 'protect.saved', { symbol: updated.symbol });
        setForm(protectFormFor(updated));
        void queryClient.invalidateQueries({ queryKey: trpc.trading.trades.queryKey({ accountId: updated.accountId }) });
        void queryClient.invalidateQueries({ queryKey: trpc.trading.orders.queryKey({ accountId: updated.accountId }) });
      },
      onError: (err) => {
        const zod = fieldErrors(err);
        setErrors(Object.keys(zod).length ? zod : parseServerFieldErrors(errorMessage(err), PROTECT_FIELDS));
      },
    }),
  );

  const r = protectToInput(trade, form);
  const changed = r.ok && protectChanges(r.input);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!r.ok) {
      setErrors(r.errors);
      return;
    }
    setErrors({});
    if (protectChanges(r.input)) protect.mutate(r.input);
  };

  const done = trade.takeProfits.filter((tp) => tp.done);
  return (
    <form className="form protect-form" onSubmit={submit} noValidate data-testid="trade-protect" data-trade-id={trade.id}>
      <label className="field">
        <span>{t('ticket.stopLoss')}</span>
        <input
          className={`input num ${errors.stopLoss ? 'invalid' : ''}`}
          inputMode="decimal"
          data-testid="trade-protect-sl"
          placeholder={t('protect.noStop')}
          value={form.stopLoss}
          onChange={(e) => {
            setErrors({});
            setForm({ ...form, stopLoss: e.target.value });
          }}
        />
        <FieldError errors={errors} field="stopLoss" />
      </label>
      <div className="field">
        <span>{t('ticket.takeProfits')}</span>
        {done.length > 0 && (
          <div className="muted small">
            {t('protect.executed')}: {done.map((tp) => `${formatPrice(Number(tp.price))} (${fractionToPercent(tp.share)}%)`).join(', ')}
          </div>
        )}
        <TargetsEditor
          rows={form.takeProfits}
          onChange={(takeProfits) => {
            setErrors({});
            setForm({ ...form, takeProfits });
          }}
          prefix="trade-protect-tp"
          errors={errors}
        />
      </div>
      {errors.form && (
        <div className="form-error" role="alert">
          {tx(errors.form)}
        </div>
      )}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" data-testid="trade-protect-save" disabled={protect.isPending || (r.ok && !changed)}>
          {protect.isPending ? t('protect.saving') : t('protect.save')}
        </button>
        <button type="button" className="btn btn-ghost" data-testid="trade-protect-reset" disabled={protect.isPending} onClick={() => setForm(protectFormFor(trade))}>
          {t('protect.reset')}
        </button>
      </div>
    </form>
  );
}
