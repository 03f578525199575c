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
