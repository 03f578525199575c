import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { backtestFileSchema, botSymbols, exchangeIdSchema, roleSchema, symbolSchema, timeframeSchema, emailSchema, type BacktestSettings, type BotConfig, type Candle, type Timeframe } from '@osprey/shared';
import { z } from 'zod';
import { ConfigError, loadEnv } from '../config/env.js';
import { openDatabase } from '../adapters/db/client.js';
import { upsertCandles, listCandles } from '../adapters/db/repos/candles-repo.js';
import { insertSignals } from '../adapters/db/repos/signals-repo.js';
import { systemClock } from '../adapters/clock.js';
import { indicatorsCsv, parseCandlesCsv, computeIndicators } from '../domain/indicators/index.js';
import { detectHistory } from '../domain/detector/index.js';
import { TIMEFRAME_MS } from '@osprey/shared';
import { AuthService } from '../services/auth-service.js';
import { demoCsvPath, ensureDemoData } from '../services/demo-data.js';
import { BacktestInputError, dbCandleReader, executeBacktestJob, loadBacktestJobFrom, type BacktestJob, type BacktestOutcome, type CandleReader } from '../services/backtest-job.js';
import { resolveDataDir } from '../services/container.js';
import { AppError } from '../services/errors.js';

/** A usage error: printed with the help text, exit code 2. */
class UsageError extends Error {}

const HELP = `Usage: pnpm osprey <command> [options]

Commands:
  import --csv FILE --exchange ID --symbol SYM --timeframe TF
      Validate and upsert candles from a CSV (header ts,open,high,low,close,volume; ts = open time, Unix ms UTC).
  indicators --csv FILE [--timeframe 15m|1h|4h|1d]
      Print the timeframe's indicator columns as CSV (header ts,<columns>; empty cells before warm-up).
  detect --exchange ID --symbol SYM --from ISO --to ISO
      Run the market detector over stored candles in [from, to]; JSON lines of signals on stdout.
  users add --email E --role admin|trader [--password P]
      Add a user (the password is read from OSPREY_NEW_PASSWORD or --password, or generated and printed).
  backtest --config FILE.json --from ISO --to ISO [--json] [--trades] [--exchange ID]
      Backtest a bot (grid, DCA spread or signal, with its risk rules) over candles with open time in
      [from, to) on a paper account: the same job the Backtests page runs (same fill rules, funding on
      perpetuals, warm-up, detector signals for signal bots). Candles come from the shipped CSV
      (assets/market) when there is one for the symbol and timeframe, else from the database (exchange
      --exchange, default binance). Prints the metrics (text, or one JSON object with --json); --trades adds
      the round trips as JSON lines.
      Config file: the JSON the bot form produces (README "Bot config"), plus optional "backtest" settings:
        { "type": "grid",                                  grid | spread | signal
          "marketType": "spot",                            spot | swap (default spot)
          "leverage": 1,                                   perpetuals (default 1)
          "grid": { "symbol": "BTC/USDT", "levels": 5, "spacingPct": 1, "sellOffsetPct": 1,
                    "orderSize": { "mode": "quote", "value": "100" }, "repricePct": 5 },
          "risk": { "maxOpenPositions": 5, "stopLossPct": 8, "maxHoldingMs": 86400000,
                    "dailyLossLimit": "200", "cooldown": { "afterLosses": 3, "pauseMinutes": 60 } },
          "backtest": { "timeframe": "15m", "balances": { "USDT": "10000" },
                        "fees": { "maker": "0.001", "taker": "0.001" }, "slippageBps": 5 } }
      (a spread bot has "spread": { "symbolA", "symbolB", "entryPct", ... }; a signal bot "signal": {...})

The database is the one the server uses (OSPREY_DATA_DIR or DATABASE_URL).`;

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

/** Runs one CLI command. @returns process exit code */
export async function run(argv: string[], out: (s: string) => void): Promise<number> {
  const [cmd, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      csv: { type: 'string' },
      exchange: { type: 'string' },
      symbol: { type: 'string' },
      timeframe: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string' },
      password: { type: 'string' },
      config: { type: 'string' },
      json: { type: 'boolean' },
      trades: { type: 'boolean' },
    },
  });
  switch (cmd) {
    case 'indicators': {
      const o = parseOpts(z.object({ csv: z.string({ error: '--csv is required' }), timeframe: timeframeSchema.default('15m') }), values);
      const candles = parseCandlesCsv(readFileSync(userPath(o.csv), 'utf8'), o.timeframe);
      out(indicatorsCsv(candles, o.timeframe));
      return 0;
    }
    case 'import': {
      const o = parseOpts(
        z.object({ csv: z.string({ error: '--csv is required' }), exchange: exchangeIdSchema, symbol: symbolSchema, timeframe: timeframeSchema }),
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
      if (positionals[0] !== 'add') throw new UsageError('users: the only subcommand is `users add --email E --role R`');
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
      if (o.json) out(`${JSON.stringify({ ...m, candles, fills: r.fills.length, rejections: r.rejections.length, signals: r.signals, finalBalances: r.finalBalances })}\n`);
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
          ].join('\n') + '\n',
        );
      }
      if (o.trades) for (const t of r.trades) out(`${JSON.stringify(t)}\n`);
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
      out(`${HELP}\n`);
      return 0;
    default:
      throw new UsageError(`unknown command: ${cmd}`);
  }
}

const isMain = process.argv[1] && import.meta.url === `file://${path.resolve(process.argv[1])}`;
if (isMain) {
  run(process.argv.slice(2), (s) => process.stdout.write(s)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      if (err instanceof UsageError) process.stderr.write(`error: ${err.message}\n\n${HELP}\n`);
      else if (err instanceof ConfigError || err instanceof AppError || (err instanceof Error && /Candle|Csv/.test(err.name))) process.stderr.write(`error: ${err.message}\n`);
      else process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(err instanceof UsageError ? 2 : 1);
    },
  );
}
