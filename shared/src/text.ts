/**
 * Text hygiene shared by the server's API boundary and the client's forms.
 *
 * Control characters (C0 `U+0000–U+001F` except tab, line feed and carriage return; DEL `U+007F`; C1
 * `U+0080–U+009F`) have no place in names, ids, prices or notes: Postgres refuses NUL in `text`, and the
 * others are invisible in every table. The API refuses them before any schema runs, naming the field.
 */

/** Matches one disallowed control character (see the module comment). */
// eslint-disable-next-line no-control-regex
export const CONTROL_CHAR_RE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/** Message given for a field holding a control character. */
export const CONTROL_CHAR_MESSAGE = 'must not contain control characters';

/** One offending value found by {@link findControlChars}: the dotted path (`""` for the root) and its message. */
export interface TextIssue {
  path: string;
  message: string;
}

/**
 * Walks a JSON-like value (objects, arrays, strings; object keys too) and lists every string holding a
 * control character, by dotted path (`config.grid.symbol`, `symbols.0`). Stops after `limit` issues.
 * Pure; never throws (cycles cannot occur in parsed JSON, and depth is capped at 64).
 */
export function findControlChars(value: unknown, limit = 20): TextIssue[] {
  const out: TextIssue[] = [];
  const walk = (v: unknown, path: string[], depth: number): void => {
    if (out.length >= limit || depth > 64) return;
    if (typeof v === 'string') {
      if (CONTROL_CHAR_RE.test(v)) out.push({ path: path.join('.'), message: CONTROL_CHAR_MESSAGE });
      return;
    }
    if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, [...path, String(i)], depth + 1));
      return;
    }
    if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (CONTROL_CHAR_RE.test(k)) out.push({ path: [...path, k.replace(CONTROL_CHAR_RE, '?')].join('.'), message: `key ${CONTROL_CHAR_MESSAGE}` });
        walk(x, [...path, k], depth + 1);
      }
    }
  };
  walk(value, [], 0);
  return out;
}
