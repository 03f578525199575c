import { pino, type Logger } from 'pino';

/** Keys whose values are never written to logs. */
export const REDACT_PATHS = ['password', '*.password', 'passwordHash', '*.passwordHash', 'apiKey', '*.apiKey', 'secret', '*.secret', 'passphrase', '*.passphrase', 'req.headers.cookie', 'headers.cookie', 'cookie', 'token', '*.token'];

/**
 * Creates the process logger (pino, JSON lines on stdout).
 * @param level pino level; `silent` in tests
 * @param destination optional stream (tests capture logs to assert on them)
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const opts = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { app: 'osprey' } };
  return destination ? pino(opts, destination as pino.DestinationStream) : pino(opts);
}

export type { Logger };
