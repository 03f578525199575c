import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { backtestFileSchema, botSymbols, EXPORT_KINDS, exportInputSchema, type ExportKind, exchangeIdSchema, roleSchema, symbolSchema, timeframeSchema, emailSchema, type BacktestSettings, type BotConfig, type Candle, type Timeframe } from '@osprey/shared';
import { z } from 'zod';
import { ConfigError, loadEnv } from '../config/env.js';
import { openDatabase } from '../adapters/db/client.js';
import { upsertCandles, listCandles } from '../adapters/db/repos/candles-repo.js';
import { insertSignals } from '../adapters/db/repos/signals-repo.js';
import { systemClock } from '../adapters/clock.js';
import { indicatorsCsv, parseCandlesCsv, computeIndicators } from '../domain/indicators/index.js';
import { detectHistory } from '../domain/detector/index.js';
import { TIMEFRAME_MS, candleTimeframeSchema, type BacktestAssumptions, type RunMetricsView } from '@osprey/shared';
import { AuthService } from '../services/auth-service.js';
import { demoCsvPath, ensureDemoData } from '../services/demo-data.js';
import { BacktestInputError, dbCandleReader, executeBacktestJob, loadBacktestJobFrom, type BacktestJob, type BacktestOutcome, type CandleReader } from '../services/backtest-job.js';
import { resolveDataDir } from '../services/container.js';
import { AppError } from '../services/errors.js';
import { ExportService } from '../services/export-service.js';
import { COMMANDS, commandHelp, findCommand, overviewHelp, parseOptions, type CliCommand } from './usage.js';

/** A usage error: printed with the help text of `command` (the command list when absent), exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose usage is printed with the error. */
    readonly command?: CliCommand,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** `args` before a `--` ask for help (`--help` or `-h`). */
const asksHelp = (args: string[]) => {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
};

/**
 * Parses a command's arguments with its own option table (strict: an option it does not list is an error).
 * `--help`/`-h` anywhere before `--` wins over any other problem with the arguments.
 * @returns the option values and positionals, `help: true` when help was asked for
 * @throws UsageError naming the offending option or argument, carrying `cmd` so its usage is printed
 */
function parseCommandArgs(cmd: CliCommand, args: string[]): { values: Record<string, string | boolean | undefined>; positionals: string[]; help: boolean } {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args, options: parseOptions(cmd), allowPositionals: (cmd.positionals?.length ?? 0) > 0, strict: true });
  } catch (e) {
    if (asksHelp(args)) return { values: {}, positionals: [], help: true };
    const message = e instanceof Error ? e.message : String(e);
    const code = (e as { code?: string }).code;
    const name = /'(-[^' ]+)/.exec(message)?.[1] ?? '';
    const opt = cmd.options.find((o) => `--${o.name}` === name);
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`${cmd.name}: unknown option ${name}`, cmd);
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw new UsageError(`${cmd.name}: unexpected argument ${/'([^']*)'/.exec(message)?.[1] ?? ''}`.trimEnd(), cmd);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      if (/does not take an argument/.test(message)) throw new UsageError(`${name}: is a flag and takes no value`, cmd);
      if (/ambiguous/.test(message)) throw new UsageError(`${name}: the value starts with "-"; write it as ${name}=VALUE`, cmd);
      throw new UsageError(`${name}: needs a value (${name} ${opt?.value ?? 'VALUE'})`, cmd);
    }
    throw new UsageError(`${cmd.name}: ${message}`, cmd);
  }
  const { help, ...values } = parsed.values as Record<string, string | boolean | undefined>;
  const extra = parsed.positionals.slice(cmd.positionals?.length ?? 0);
  if (!help && extra.length > 0) throw new UsageError(`${cmd.name}: unexpected argument ${extra[0]}`, cmd);
  return { values, positionals: parsed.positionals, help: help === true };
}

/** Resolves a user-given path against the directory the command was run from (pnpm changes cwd). */
const userPath = (p: string) => path.resolve(process.env.INIT_CWD ?? process.cwd(), p);

const iso = (field: string) =>
  z.string({ error: `--${field} is required` }).transform((s, ctx) => {
    const t = Date.parse(s);
    if (!Number.isFinite(t)) {
      ctx.addIssue({ code: 'custom', message: `--${field}: not an ISO date: ${s}` });
      return z.NEVER;
    }
    return t;
  });

/**
 * Reads and validates the `backtest --config` file with the shared `backtestFileSchema` (the bot form's JSON
 * plus optional `backtest` settings).
 * @throws UsageError naming the file or each offending field (`--config grid.levels: …`)
 */
function readBacktestFile(file: string): { config: BotConfig; settings: BacktestSettings } {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(userPath(file), 'utf8'));
  } catch (e) {
    throw new UsageError(`--config: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const r = backtestFileSchema.safeParse(raw);
  if (!r.success) throw new UsageError(r.error.issues.map((i) => `--config ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n'));
  const { backtest, ...config } = r.data;
  return { config: config as BotConfig, settings: backtest };
}

/**
 * Candles for a CLI backtest: the shipped CSV of a series when there is one (parsed once), else the database
 * (opened on first need, closed by `close`).
 */
function cliCandleReader(): { read: CandleReader; close: () => Promise<void> } {
  const csv = new Map<string, Candle[]>();
  let database: Awaited<ReturnType<typeof openDatabase>> | null = null;
  const read: CandleReader = async (key, range) => {
    const file = key.exchange === 'binance' ? demoCsvPath(key.symbol, key.timeframe) : null;
    if (file && existsSync(file)) {
      let all = csv.get(file);
      if (!all) csv.set(file, (all = parseCandlesCsv(readFileSync(file, 'utf8'), key.timeframe)));
      const inRange = all.filter((c) => (range.from === undefined || c.ts >= range.from) && (range.to === undefined || c.ts <= range.to));
      if (range.limit === undefined) return inRange;
      return range.from === undefined ? inRange.slice(-range.limit) : inRange.slice(0, range.limit);
    }
    if (!database) {
      const env = loadEnv();
      database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: resolveDataDir(env.OSPREY_DATA_DIR) });
    }
    return dbCandleReader(database.db)(key, range);
  };
  return { read, close: async () => void (await database?.close()) };
}

const pct = (x: number | null, digits = 2) => (x === null ? 'n/a' : `${x.toFixed(digits)} %`);

/**
 * The text lines of a CLI backtest's fill assumptions: the fill model, the detail coverage and the round trips
 * completed inside one candle (README *Fills of bots and backtests*).
 */
function assumptionLines(a: BacktestAssumptions | undefined, m: RunMetricsView): string[] {
  if (!a) return [];
  const model = a.fillModel === 'conservative' ? 'conservative (an exit never fills on its entry candle)' : "path (fills along each candle's path; a round trip may complete inside one candle)";
  const detail =
    a.detail === null
      ? "none (each candle's own open → low/high → close path)"
      : `${a.detail}: ${a.detailCandles} of ${a.candles} candles walked along their ${a.detail} candles (${a.detailMissing} missing, ${a.detailInconsistent} inconsistent: own path)`;
  const same = m.sameCandleRoundTrips ?? 0;
  return [`fill model       ${model}`, `detail           ${detail}`, `same-candle      ${same} of ${m.roundTrips} round trips completed inside one candle${m.roundTrips ? ` (${pct((same / m.roundTrips) * 100)})` : ''}`];
}
const num = (x: number | null, digits = 2) => (x === null ? 'n/a' : x.toFixed(digits));

function parseOpts<T extends z.ZodType>(schema: T, values: Record<string, unknown>): z.infer<T> {
  const r = schema.safeParse(values);
  if (!r.success) throw new UsageError(r.error.issues.map((i) => (i.message.startsWith('--') ? i.message : `--${i.path.join('.')}: ${i.message}`)).join('\n'));
  return r.data;
}

async function withDb<T>(fn: (db: Awaited<ReturnType<typeof openDatabase>>['db']) => Promise<T>): Promise<T> {
  const env = loadEnv();
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: resolveDataDir(env.OSPREY_DATA_DIR) });
  try {
    return await fn(database.db);
  } finally {
    await database.close();
  }
}

/**
 * Runs one CLI command: `argv` is the arguments after `pnpm osprey` (`['backtest', '--config', 'g.json', …]`).
 * `--help`/`-h` on any command, `help [COMMAND]`, or no command at all print usage to `out` and return 0.
 * Notes that are not the command's output (an export cut off at the row cap) go to `err` (default stderr).
 * @returns process exit code (0 on success)
 * @throws UsageError for an unknown command or option, or a missing or invalid option value (exit 2 in `main`);
 *   AppError, ConfigError or a CSV error for a failure while running the command (exit 1)
 */
export async function run(argv: string[], out: (s: string) => void, err: (s: string) => void = (s) => void process.stderr.write(s)): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    out(`${overviewHelp()}\n`);
    return 0;
  }
  const command = findCommand(name);
  if (!command) throw new UsageError(`unknown command: ${name} (commands: ${COMMANDS.map((c) => c.name).join(', ')})`);
  const { values, positionals, help } = parseCommandArgs(command, rest);
  if (help) {
    out(`${commandHelp(command)}\n`);
    return 0;
  }
  try {
    return await runCommand(command, values, positionals, out, err);
  } catch (e) {
    throw e instanceof UsageError && !e.command ? new UsageError(e.message, command) : e;
  }
}

/** The CLI option of each export input field, for messages (`accountId: no such account` → `--account: …`). */
const EXPORT_OPTION: Record<string, string> = { what: 'WHAT', accountId: '--account', botId: '--bot', runId: '--run', from: '--from', to: '--to', timeZone: '--tz' };

/**
 * The export kind a CLI argument names (`round-trips`, `roundtrips` or `roundTrips` for round trips).
 * @throws UsageError when it is missing or unknown, listing the kinds
 */
function exportKindOf(arg: string | undefined): ExportKind {
  const kinds = 'trades, orders, fills, equity or round-trips';
  if (arg === undefined) throw new UsageError(`export: say what to export: ${kinds}`);
  const k = arg.replace(/-/g, '').toLowerCase();
  const found = EXPORT_KINDS.find((x) => x.toLowerCase() === k);
  if (!found) throw new UsageError(`export: unknown table ${arg}; one of ${kinds}`);
  return found;
}

/** Runs a parsed command (see `run`). */
async function runCommand(
  command: CliCommand,
  values: Record<string, string | boolean | undefined>,
  positionals: string[],
  out: (s: string) => void,
  err: (s: string) => void,
): Promise<number> {
  const cmd = command.name;
  switch (cmd) {
    case 'indicators': {
      const o = parseOpts(z.object({ csv: z.string({ error: '--csv is required' }), timeframe: timeframeSchema.default('15m') }), values);
      const candles = parseCandlesCsv(readFileSync(userPath(o.csv), 'utf8'), o.timeframe);
      out(indicatorsCsv(candles, o.timeframe));
      return 0;
    }
    case 'import': {
      const o = parseOpts(
        z.object({ csv: z.string({ error: '--csv is required' }), exchange: exchangeIdSchema, symbol: symbolSchema, timeframe: candleTimeframeSchema }),
        values,
      );
      const candles = parseCandlesCsv(readFileSync(userPath(o.csv), 'utf8'), o.timeframe);
      const n = await withDb((db) => upsertCandles(db, { exchange: o.exchange, symbol: o.symbol, timeframe: o.timeframe }, candles));
      out(`imported ${n} candles into ${o.exchange} ${o.symbol} ${o.timeframe}\n`);
      return 0;
    }
    case 'detect': {
      const o = parseOpts(z.object({ exchange: exchangeIdSchema, symbol: symbolSchema, from: iso('from'), to: iso('to') }), values);
      if (o.to < o.from) throw new UsageError('--to: must not be before --from');
      const signals = await withDb(async (db) => {
        await ensureDemoData(db, [o.symbol], systemClock);
        const load = async (tf: Timeframe, lookback: number) => {
          const rows = await listCandles(db, { exchange: o.exchange, symbol: o.symbol, timeframe: tf }, { from: o.from - lookback * TIMEFRAME_MS[tf], to: o.to });
          const ind = computeIndicators(rows, tf);
          return rows.map((c, i) => ({ ...c, ind: ind[i]! }));
        };
        const s15 = await load('15m', 500);
        if (s15.length === 0) throw new AppError('NOT_FOUND', `no stored 15m candles for ${o.exchange} ${o.symbol}; import some first`);
        const found = detectHistory(o.exchange, o.symbol, s15, await load('4h', 460), o.from, o.to);
        await insertSignals(db, found);
        return found;
      });
      for (const s of signals) out(`${JSON.stringify(s)}\n`);
      return 0;
    }
    case 'users': {
      if (positionals[0] !== 'add') throw new UsageError(positionals[0] ? `users: unknown subcommand ${positionals[0]}; the only one is \`users add\`` : 'users: the subcommand is missing: `users add --email E --role R`', command);
      const o = parseOpts(z.object({ email: emailSchema, role: roleSchema, password: z.string().min(10, 'must be at least 10 characters').optional() }), {
        ...values,
        password: values.password ?? process.env.OSPREY_NEW_PASSWORD,
      });
      const generated = o.password ? undefined : (await import('node:crypto')).randomBytes(12).toString('base64url');
      const user = await withDb((db) => new AuthService(db, systemClock, { sessionDays: 14 }).addUser(o.email, o.password ?? generated!, o.role));
      out(`added ${user.role} ${user.email}${generated ? ` with password ${generated}` : ''}\n`);
      return 0;
    }
    case 'backtest': {
      const o = parseOpts(
        z.object({
          config: z.string({ error: '--config is required' }),
          from: iso('from'),
          to: iso('to'),
          exchange: exchangeIdSchema.default('binance'),
          json: z.boolean().default(false),
          trades: z.boolean().default(false),
        }),
        values,
      );
      if (o.to < o.from) throw new UsageError('--to: must not be before --from');
      const { config, settings } = readBacktestFile(o.config);
      const reader = cliCandleReader();
      let r: BacktestOutcome;
      let job: BacktestJob;
      try {
        job = await loadBacktestJobFrom(reader.read, { botId: 'backtest', config, settings, exchange: o.exchange, from: o.from, to: o.to }).catch((e: unknown) => {
          throw e instanceof BacktestInputError ? new UsageError(`--config ${e.field === 'config' ? 'symbol' : e.field}: ${e.reason}`) : e;
        });
        r = executeBacktestJob(job);
      } finally {
        await reader.close();
      }
      const m = r.metrics;
      const symbols = botSymbols(config);
      const candles = r.candleSteps;
      const series = Object.values(job.candles);
      if (o.json) out(`${JSON.stringify({ ...m, candles, fills: r.fills.length, rejections: r.rejections.length, signals: r.signals, finalBalances: r.finalBalances, assumptions: r.assumptions })}\n`);
      else {
        const first = Math.min(...series.map((c) => c[0]!.ts));
        const last = Math.max(...series.map((c) => c[c.length - 1]!.ts));
        const span = `${new Date(first).toISOString()} → ${new Date(last).toISOString()}`;
        out(
          [
            `backtest ${config.type} ${symbols.join(' ')} ${config.marketType} ${settings.timeframe}: ${candles} candles ${span}`,
            `equity           ${m.startEquity} → ${m.endEquity} (net ${m.netPnl})`,
            `total return     ${pct(m.totalReturnPct)}`,
            `max drawdown     ${pct(m.maxDrawdownPct)}`,
            `sharpe (daily)   ${num(m.sharpe)}`,
            `sortino (daily)  ${num(m.sortino)}`,
            `round trips      ${m.roundTrips}`,
            `win rate         ${pct(m.winRatePct)}`,
            `profit factor    ${num(m.profitFactor)}`,
            `avg holding      ${m.avgHoldingMs === null ? 'n/a' : `${(m.avgHoldingMs / 3_600_000).toFixed(2)} h`}`,
            `exposure         ${pct(m.exposurePct)}`,
            `fees paid        ${m.feesPaid}`,
            `fills            ${r.fills.length}${r.rejections.length ? ` (${r.rejections.length} orders rejected)` : ''}`,
            ...assumptionLines(r.assumptions, m),
          ].join('\n') + '\n',
        );
      }
      if (o.trades) for (const t of r.trades) out(`${JSON.stringify(t)}\n`);
      return 0;
    }
    case 'export': {
      const what = exportKindOf(positionals[0]);
      const o = parseOpts(
        z.object({
          account: z.string().optional(),
          bot: z.string().optional(),
          run: z.string().optional(),
          from: iso('from').optional(),
          to: iso('to').optional(),
          tz: z.string().default('UTC'),
          out: z.string().min(1, 'needs a file name').optional(),
        }),
        values,
      );
      const parsed = exportInputSchema.safeParse({ what, accountId: o.account, botId: o.bot, runId: o.run, from: o.from, to: o.to, timeZone: o.tz });
      if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `${EXPORT_OPTION[String(i.path[0])] ?? String(i.path[0])}: ${i.message}`).join('\n'));
      const r = await withDb((db) => new ExportService({ db }).csv(null, parsed.data)).catch((e: unknown) => {
        throw e instanceof AppError ? new AppError(e.code, e.message.replace(/^(\w+):/, (_m, f: string) => `${EXPORT_OPTION[f] ?? f}:`)) : e;
      });
      if (o.out) {
        writeFileSync(userPath(o.out), r.csv);
        out(`wrote ${r.rows} ${r.rows === 1 ? 'row' : 'rows'} to ${o.out}\n`);
      } else out(r.csv);
      if (r.truncated) err(`note: only the oldest ${r.maxRows} rows were written; export the rest with a later --from\n`);
      return 0;
    }
    case 'help': {
      if (positionals.length === 0) {
        out(`${overviewHelp()}\n`);
        return 0;
      }
      const of = findCommand(positionals[0]);
      if (!of) throw new UsageError(`help: unknown command ${positionals[0]} (commands: ${COMMANDS.map((c) => c.name).join(', ')})`, command);
      out(`${commandHelp(of)}\n`);
      return 0;
    }
    default:
      throw new UsageError(`unknown command: ${cmd}`);
  }
}

const isMain = process.argv[1] && import.meta.url === `file://${path.resolve(process.argv[1])}`;
if (isMain) {
  run(process.argv.slice(2), (s) => process.stdout.write(s)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      if (err instanceof UsageError) process.stderr.write(`error: ${err.message}\n\n${err.command ? commandHelp(err.command) : overviewHelp()}\n`);
      else if (err instanceof ConfigError || err instanceof AppError || (err instanceof Error && /Candle|Csv/.test(err.name))) process.stderr.write(`error: ${err.message}\n`);
      else process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(err instanceof UsageError ? 2 : 1);
    },
  );
}
