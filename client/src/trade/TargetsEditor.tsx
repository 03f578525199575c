import { useI18n } from '../lib/i18n.js';
import type { FieldErrors } from '../lib/form.js';
import { FieldError } from '../components/FieldError.js';
import { addTargetRow, remainingSharePct, removeTargetRow, type TargetRow } from './ticket.js';

/**
 * Take-profit rows (price + share of the position in %), with add/remove. Test ids are `<prefix>-add`,
 * `<prefix>-price-<i>`, `<prefix>-share-<i>`, `<prefix>-remove-<i>`; errors are read from `errors` under
 * `<errorPath>.<i>.price` / `.share` and `<errorPath>` itself (e.g. the shares' sum).
 */
export function TargetsEditor({
  rows,
  onChange,
  prefix,
  errors,
  errorPath = 'takeProfits',
  disabled = false,
}: {
  rows: readonly TargetRow[];
  onChange: (rows: TargetRow[]) => void;
  prefix: string;
  errors: FieldErrors;
  errorPath?: string;
  disabled?: boolean;
}) {
  const { t } = useI18n();
  const set = (i: number, patch: Partial<TargetRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <div className="targets" data-testid={`${prefix}s`} data-count={rows.length}>
      {rows.map((r, i) => (
        <div key={i} className="target-row">
          <span className="target-label">TP{i + 1}</span>
          <input
            className={`input num ${errors[`${errorPath}.${i}.price`] ? 'invalid' : ''}`}
            inputMode="decimal"
            data-testid={`${prefix}-price-${i}`}
            aria-label={t('ticket.tpPrice', { n: i + 1 })}
            placeholder={t('ticket.price')}
            value={r.price}
            disabled={disabled}
            onChange={(e) => set(i, { price: e.target.value })}
          />
          <div className="input-suffix">
            <input
              className={`input num ${errors[`${errorPath}.${i}.share`] ? 'invalid' : ''}`}
              inputMode="decimal"
              data-testid={`${prefix}-share-${i}`}
              aria-label={t('ticket.tpShare', { n: i + 1 })}
              value={r.sharePct}
              disabled={disabled}
              onChange={(e) => set(i, { sharePct: e.target.value })}
            />
            <span>%</span>
          </div>
          <button
            type="button"
            className="btn btn-ghost btn-icon"
            data-testid={`${prefix}-remove-${i}`}
            aria-label={t('ticket.tpRemove', { n: i + 1 })}
            title={t('ticket.tpRemove', { n: i + 1 })}
            disabled={disabled}
            onClick={() => onChange(removeTargetRow(rows, i))}
          >
            ×
          </button>
          <FieldError errors={errors} field={`${errorPath}.${i}.price`} />
          <FieldError errors={errors} field={`${errorPath}.${i}.share`} />
        </div>
      ))}
      <div className="targets-foot">
        <button type="button" className="btn btn-ghost btn-sm" data-testid={`${prefix}-add`} disabled={disabled || rows.length >= 10} onClick={() => onChange(addTargetRow(rows))}>
          + {t('ticket.tpAdd')}
        </button>
        {rows.length > 0 && <span className="muted small">{t('ticket.tpRemaining', { pct: remainingSharePct(rows) })}</span>}
      </div>
      <FieldError errors={errors} field={errorPath} />
    </div>
  );
}
