import { errorMessage, fieldErrors } from '../lib/errors.js';
import { parseServerFieldErrors, type FieldErrors } from '../lib/form.js';
import { placeErrors } from './bot-form.js';

/**
 * Field errors of a failed `bots.*` / `backtests.*` mutation: the zod issues the server attaches
 * (`data.fieldErrors`, keyed by input path) or its `field: message` text, placed on the form's fields
 * (`known`), anything else under `form`.
 */
export function serverFieldErrors(err: unknown, known: readonly string[]): FieldErrors {
  const zod = fieldErrors(err);
  const parsed = Object.keys(zod).length ? zod : parseServerFieldErrors(errorMessage(err));
  return placeErrors(parsed, known);
}
