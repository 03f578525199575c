import { TRPCClientError } from '@trpc/client';

/** The tRPC error code of `err` (e.g. `UNAUTHORIZED`, `TOO_MANY_REQUESTS`), or undefined for other errors. */
export function trpcCode(err: unknown): string | undefined {
  if (err instanceof TRPCClientError) {
    const data: unknown = err.data;
    if (data && typeof data === 'object' && 'code' in data && typeof data.code === 'string') return data.code;
  }
  return undefined;
}

/** True when the server rejected the call because there is no valid session. */
export function isUnauthorized(err: unknown): boolean {
  return trpcCode(err) === 'UNAUTHORIZED';
}

/**
 * A short human message for an error. tRPC input-validation failures carry a JSON array of zod issues as
 * their message; those are flattened to `message; message`.
 */
export function errorMessage(err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  if (raw.startsWith('[')) {
    try {
      const issues: unknown = JSON.parse(raw);
      if (Array.isArray(issues)) {
        const msgs = issues
          .map((i: unknown) => (i && typeof i === 'object' && 'message' in i ? String(i.message) : ''))
          .filter(Boolean);
        if (msgs.length) return msgs.join('; ');
      }
    } catch {
      /* not JSON: fall through */
    }
  }
  return raw || 'Unknown error';
}

/**
 * Per-field validation messages the server attaches to BAD_REQUEST errors (`data.fieldErrors`, keyed by
 * the input path, e.g. `{ email: 'email must be a valid address' }`); empty when absent.
 */
export function fieldErrors(err: unknown): Record<string, string> {
  if (!(err instanceof TRPCClientError)) return {};
  const data: unknown = err.data;
  if (!data || typeof data !== 'object' || !('fieldErrors' in data)) return {};
  const fe = data.fieldErrors;
  if (!fe || typeof fe !== 'object') return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fe)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Words of a camelCase identifier, lower case: `stopLoss` → `stop loss`, `pauseMinutes` → `pause minutes`. */
function words(id: string): string {
  return id
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase();
}

const capitalize = (s: string): string => (s ? s[0]!.toUpperCase() + s.slice(1) : s);

/**
 * A server message with its field paths turned into words, for toasts, table rows and banners (forms place
 * field errors under their fields instead): each `; `-separated part `config.risk.stopLossPct: must be at
 * most 100` becomes `Stop loss pct must be at most 100`; `userId: you cannot disable yourself` becomes `You
 * cannot disable yourself` (ids and `input` are dropped); text without a leading path is kept as it is.
 */
export function humanizeFieldPaths(message: string): string {
  return message
    .split('; ')
    .map((part) => {
      const m = /^([A-Za-z_]\w*(?:\.\w+)*): (.+)$/s.exec(part);
      if (!m) return part;
      const segs = m[1]!.split('.').filter((x) => !/^\d+$/.test(x));
      const seg = segs.at(-1) ?? 'input';
      let rest = m[2]!;
      const label = words(seg);
      if (rest.startsWith(`${seg} `)) rest = rest.slice(seg.length + 1);
      const verb = /^(must|is|are|has|have|cannot|can't|should|needs?)\b/.test(rest);
      if (seg === 'input' || seg === 'id' || (/Id$/.test(seg) && !verb)) return capitalize(rest);
      return verb ? `${capitalize(label)} ${rest}` : `${capitalize(label)}: ${rest}`;
    })
    .join('; ');
}

/** {@link errorMessage} made readable with {@link humanizeFieldPaths}: what toasts and banners show. */
export function readableError(err: unknown): string {
  return humanizeFieldPaths(errorMessage(err));
}
