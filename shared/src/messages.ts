/**
 * Plain-language messages for zod's built-in checks, shared by the server (API errors, config) and the
 * client forms, so a trader reads "must be at least 1" rather than "Too small: expected number to be >=1".
 * Installed once, globally, when `@osprey/shared` is imported; checks that carry their own message keep it.
 */
import { z } from 'zod';

type RawIssue = z.core.$ZodRawIssue;

/**
 * The message of a zod issue without a message of its own, or undefined to keep zod's.
 * Numbers: `must be at least N` / `must be greater than N` / `must be at most N` / `must be less than N`;
 * strings: `is required` (min 1), `must have at least N characters`, `must have at most N characters`;
 * arrays: `must list at least N` / `must list at most N`; a missing value `is required`; a wrong type
 * `must be a <type>`; a value outside a list `must be one of "a", "b"`.
 */
export function plainIssueMessage(iss: RawIssue): string | undefined {
  switch (iss.code) {
    case 'too_small': {
      const n = String(iss.minimum);
      if (iss.origin === 'number' || iss.origin === 'int' || iss.origin === 'bigint') return iss.inclusive === false ? `must be greater than ${n}` : `must be at least ${n}`;
      if (iss.origin === 'string') return n === '1' ? 'is required' : `must have at least ${n} characters`;
      if (iss.origin === 'array' || iss.origin === 'set') return `must list at least ${n}`;
      return undefined;
    }
    case 'too_big': {
      const n = String(iss.maximum);
      if (iss.origin === 'number' || iss.origin === 'int' || iss.origin === 'bigint') return iss.inclusive === false ? `must be less than ${n}` : `must be at most ${n}`;
      if (iss.origin === 'string') return `must have at most ${n} characters`;
      if (iss.origin === 'array' || iss.origin === 'set') return `must list at most ${n}`;
      return undefined;
    }
    case 'invalid_type':
      if (iss.input === undefined) return 'is required';
      return `must be ${iss.expected === 'int' ? 'an integer' : /^[aeiou]/.test(iss.expected) ? `an ${iss.expected}` : `a ${iss.expected}`}`;
    case 'invalid_value':
      return iss.values.length === 1 ? `must be ${JSON.stringify(iss.values[0])}` : `must be one of ${iss.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return undefined;
  }
}

z.config({ customError: plainIssueMessage });
