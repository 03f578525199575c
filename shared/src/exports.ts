import { z } from 'zod';
import { unixMsSchema } from './market.js';

/**
 * CSV exports (`exports.csv` and `pnpm osprey export`): which tables can be exported from where, the input,
 * and the answer. The server builds the file; times are written in the chosen time zone (named in the header)
 * and as Unix ms, money as the stored decimal strings.
 */

/** What can be exported: trades, orders, fills, equity snapshots, round trips (bots and backtests). */
export const EXPORT_KINDS = ['trades', 'orders', 'fills', 'equity', 'roundTrips'] as const;
/** One of {@link EXPORT_KINDS}. */
export type ExportKind = (typeof EXPORT_KINDS)[number];

/** Where an export reads from: an exchange account, a bot, or a backtest run. */
export const EXPORT_SOURCES = ['account', 'bot', 'run'] as const;
/** One of {@link EXPORT_SOURCES}. */
export type ExportSource = (typeof EXPORT_SOURCES)[number];

/** The kinds each source has (an account has no round trips, a bot no equity of its own, a run no orders). */
export const EXPORT_KINDS_OF: Record<ExportSource, readonly ExportKind[]> = {
  account: ['trades', 'orders', 'fills', 'equity'],
  bot: ['fills', 'roundTrips', 'orders'],
  run: ['roundTrips', 'fills', 'equity'],
};

/** Most data rows one export holds; the oldest rows in the range come first, so narrow `from` to get the rest. */
export const EXPORT_MAX_ROWS = 100_000;

/**
 * True when `Intl` knows `name` as a time zone (`UTC`, `Asia/Shanghai`, `America/New_York`, `Etc/GMT+5`).
 * Pure; never throws.
 */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * An IANA time zone name as an input: at most 64 characters of letters, digits and `_ + - /`, known to `Intl`.
 * The value is replaced by the zone's canonical spelling (`asia/shanghai` → `Asia/Shanghai`).
 */
export const timeZoneSchema = z
  .string()
  .trim()
  .min(1, 'is required, e.g. UTC or Asia/Shanghai')
  .max(64)
  .regex(/^[A-Za-z0-9_+\-/]+$/, 'must be a time zone name like UTC or Asia/Shanghai')
  .refine(isTimeZone, 'is not a time zone this server knows (use an IANA name like Europe/Berlin, or UTC)')
  .transform((tz) => new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone);

/**
 * Input of `exports.csv`: the table (`what`), exactly one source (`accountId`, `botId` or `runId`, of the caller),
 * an optional range of Unix ms `[from, to)` on each row's main time (fills and equity: their time; trades: opened;
 * orders: created; round trips: closed), and the time zone the times are written in (default UTC).
 */
export const exportInputSchema = z
  .object({
    what: z.enum(EXPORT_KINDS),
    accountId: z.uuid('accountId must be an account id').optional(),
    botId: z.uuid('botId must be a bot id').optional(),
    runId: z.uuid('runId must be a backtest id').optional(),
    from: unixMsSchema.optional(),
    to: unixMsSchema.optional(),
    timeZone: timeZoneSchema.default('UTC'),
  })
  .superRefine((i, ctx) => {
    const given = (['accountId', 'botId', 'runId'] as const).filter((k) => i[k] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({ code: 'custom', path: [given[1] ?? 'accountId'], message: 'give exactly one of accountId, botId or runId' });
      return;
    }
    const source = exportSourceOf(i);
    if (!EXPORT_KINDS_OF[source].includes(i.what)) {
      ctx.addIssue({ code: 'custom', path: ['what'], message: `${{ account: 'an account', bot: 'a bot', run: 'a backtest run' }[source]} exports ${EXPORT_KINDS_OF[source].join(', ')}, not ${i.what}` });
    }
    if (i.from !== undefined && i.to !== undefined && i.to <= i.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
  });
/** Input of {@link exportInputSchema} (before defaults). */
export type ExportInput = z.input<typeof exportInputSchema>;
/** Parsed {@link exportInputSchema}. */
export type ExportRequest = z.output<typeof exportInputSchema>;

/** The source an export input names (the one of `accountId`, `botId`, `runId` that is set; `account` when none). */
export function exportSourceOf(i: { accountId?: string | undefined; botId?: string | undefined; runId?: string | undefined }): ExportSource {
  return i.botId !== undefined ? 'bot' : i.runId !== undefined ? 'run' : 'account';
}

/** Answer of `exports.csv`: the file's suggested name and its text (RFC 4180, CRLF line ends, header first). */
export interface ExportResult {
  /** e.g. `osprey-account-paper-spot-fills.csv` (letters, digits, `-` and `.` only). */
  filename: string;
  csv: string;
  /** Data rows in `csv` (without the header). */
  rows: number;
  /** True when the range held more than `maxRows` rows and only the oldest `maxRows` were written. */
  truncated: boolean;
  /** The row cap ({@link EXPORT_MAX_ROWS}). */
  maxRows: number;
}
