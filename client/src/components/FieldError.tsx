import { useI18n } from '../lib/i18n.js';
import { errorUnder, type FieldErrors } from '../lib/form.js';

/**
 * The inline error of one form field (`data-testid="field-error-<field>"`), or nothing. With `nested`, an
 * error on any path under the field counts too (`takeProfits` shows `takeProfits.0.share`).
 */
export function FieldError({ errors, field, nested = false }: { errors: FieldErrors; field: string; nested?: boolean }) {
  const { tx } = useI18n();
  const message = nested ? errorUnder(errors, field) : errors[field];
  if (!message) return null;
  return (
    <span className="field-error" role="alert" data-testid={`field-error-${field}`}>
      {tx(message)}
    </span>
  );
}
