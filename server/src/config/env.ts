import { z } from 'zod';
import { DETAIL_TIMEFRAMES, FEED_KINDS, TIMEFRAMES, symbolSchema, exchangeIdSchema, type DetailTimeframe, type Timeframe } from '@osprey/shared';
import { parseSecretKey } from '../adapters/crypto/secret-box.js';

/** Thrown when the environment is invalid; the message names every offending variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const csvSymbols = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
  .pipe(z.array(symbolSchema).min(1));

const isoOrMs = z.string().transform((s, ctx) => {
  const t = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
  if (!Number.isFinite(t)) {
    ctx.addIssue({ code: 'custom', message: 'must be an ISO date (2024-08-01T00:00:00Z) or Unix ms' });
    return z.NEVER;
  }
  return t;
});

const backfillDays = z.coerce.number().int().min(1).max(5000);

/** A comma-separated list of detail timeframes (`1m,5m`), duplicates dropped; empty = none. */
const csvDetailTimeframes = z
  .string()
  .transform((s) => [...new Set(s.split(',').map((x) => x.trim()).filter(Boolean))])
  .pipe(z.array(z.enum(DETAIL_TIMEFRAMES, { error: 'must list 1m and/or 5m, comma-separated' })));

/** Schema of every environment variable Osprey reads (names as in the README). */
export const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  OSPREY_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
  ADMIN_EMAIL: z.string().trim().toLowerCase().email().optional(),
  ADMIN_PASSWORD: z.string().min(10, 'must be at least 10 characters').optional(),
  OSPREY_FEED: z.enum(FEED_KINDS).default('replay'),
  OSPREY_EXCHANGE: exchangeIdSchema.default('binance'),
  OSPREY_SYMBOLS: csvSymbols.default(['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'XRP/USDT']),
  /** Simulated ms per real ms; 60 → a 15m candle every 15 s. */
  OSPREY_REPLAY_SPEED: z.coerce.number().positive().max(1_000_000).default(60),
  /** Where replay starts (ISO or Unix ms); history before it is visible at start. */
  OSPREY_REPLAY_START: isoOrMs.default(Date.parse('2024-08-01T00:00:00Z')),
  /** Real ms between replay ticks. */
  OSPREY_REPLAY_TICK_MS: z.coerce.number().int().min(10).max(60_000).default(250),
  /** Seed the database with the shipped real candles at first start. */
  OSPREY_DEMO_DATA: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  OSPREY_LIVE_POLL_MS: z.coerce.number().int().min(1000).default(10_000),
  /** Order/fill/position sync interval of live and sandbox trading accounts, ms. */
  OSPREY_SYNC_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  OSPREY_BACKFILL_15M_DAYS: backfillDays.default(30),
  OSPREY_BACKFILL_4H_DAYS: backfillDays.default(180),
  OSPREY_BACKFILL_1D_DAYS: backfillDays.default(600),
  /** Live feed: detail timeframes (1m, 5m) synced into the candles table for backtests (not charted). */
  OSPREY_DETAIL_TIMEFRAMES: csvDetailTimeframes.default([]),
  /** Live backfill window of the detail timeframes, days. */
  OSPREY_BACKFILL_DETAIL_DAYS: backfillDays.default(30),
  /** Overrides the exchange REST base URL (local fakes in tests). */
  OSPREY_EXCHANGE_API_BASE: z.string().url().optional(),
  /** Secure flag on the session cookie; set true behind HTTPS. */
  OSPREY_COOKIE_SECURE: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  OSPREY_SESSION_DAYS: z.coerce.number().int().min(1).max(365).default(14),
  /**
   * 32-byte key (base64 or hex) encrypting stored exchange secrets; unset → `<OSPREY_DATA_DIR>/secret.key`,
   * created at first start with mode 0600.
   */
  OSPREY_SECRET_KEY: z
    .string()
    .refine((s) => {
      try {
        parseSecretKey(s);
        return true;
      } catch {
        return false;
      }
    }, 'must be 32 bytes written as base64 (44 chars) or hex (64 chars); generate one with `openssl rand -base64 32`')
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** Parsed, typed configuration. */
export type Env = z.infer<typeof envSchema>;

/** Backfill window per timeframe in days, derived from {@link Env}. */
export function backfillDaysOf(env: Env): Record<Timeframe, number> {
  return { '15m': env.OSPREY_BACKFILL_15M_DAYS, '1h': env.OSPREY_BACKFILL_4H_DAYS, '4h': env.OSPREY_BACKFILL_4H_DAYS, '1d': env.OSPREY_BACKFILL_1D_DAYS };
}

/** Backfill window of each configured detail timeframe in days (`OSPREY_BACKFILL_DETAIL_DAYS`). */
export function detailBackfillDaysOf(env: Env): Partial<Record<DetailTimeframe, number>> {
  return Object.fromEntries(env.OSPREY_DETAIL_TIMEFRAMES.map((tf) => [tf, env.OSPREY_BACKFILL_DETAIL_DAYS]));
}

/**
 * Parses the environment once. Empty strings count as unset.
 * @throws ConfigError whose message lists each bad variable and why, e.g. `PORT: must be at most 65535`
 */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return parsed.data;
}

/** Every timeframe the server keeps for each symbol. */
export const SERVER_TIMEFRAMES: readonly Timeframe[] = TIMEFRAMES;
