/**
 * Field-error plumbing shared by the forms: zod issues and server messages become a map from the input path
 * (`"name"`, `"sizing.value"`, `"takeProfits.0.price"`) to one message, which the forms show inline under the
 * field (`data-testid="field-error-<path>"`).
 */

/** Messages by input path, first message per path wins. */
export type FieldErrors = Record<string, string>;

/** The parts of a zod issue the forms read. */
export interface IssueLike {
  path: readonly PropertyKey[];
  message: string;
}

/** Joins an issue path into a field key: `['takeProfits', 0, 'price']` → `"takeProfits.0.price"`. */
export function pathKey(path: readonly PropertyKey[]): string {
  return path.map((p) => String(p)).join('.');
}

/**
 * Field errors from zod issues; `depth` keeps only that many leading path segments (e.g. `1` folds
 * `paperBalances.USDT` into `paperBalances`). Issues without a path land under `"form"`.
 */
export function issuesToFieldErrors(issues: readonly IssueLike[], depth = Infinity): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of issues) {
    const key = pathKey(issue.path.slice(0, depth)) || 'form';
    if (!(key in out)) out[key] = issue.message;
  }
  return out;
}

/**
 * Field errors from a server message in the `field: message; field: message` form the API uses for
 * validation failures (tRPC input errors and service VALIDATION errors alike). Parts whose field is not in
 * `known` (or have no `field:` prefix) are returned under `"form"`, joined with `; `.
 */
export function parseServerFieldErrors(message: string, known: ReadonlySet<string> | null = null): FieldErrors {
  const out: FieldErrors = {};
  const rest: string[] = [];
  for (const part of message.split(/;\s+/)) {
    const m = /^([A-Za-z][\w]*(?:\.[\w]+)*):\s+(.+)$/.exec(part.trim());
    const field = m?.[1];
    if (m && field && (!known || known.has(field) || known.has(field.split('.')[0]!))) {
      if (!(field in out)) out[field] = m[2]!;
    } else if (part.trim()) rest.push(part.trim());
  }
  if (rest.length) out.form = rest.join('; ');
  return out;
}

/** The message for `field` or any nested path under it (`takeProfits` matches `takeProfits.0.share`). */
export function errorUnder(errors: FieldErrors, field: string): string | undefined {
  if (errors[field]) return errors[field];
  const prefix = `${field}.`;
  for (const [k, v] of Object.entries(errors)) if (k.startsWith(prefix)) return v;
  return undefined;
}
