import type { ParseArgsConfig } from 'node:util';

/** One option of a CLI command: how `parseArgs` reads it and how `--help` describes it. */
export interface CliOption {
  /** Long name without dashes (`csv` → `--csv`). */
  name: string;
  /** `string` takes a value (`--csv FILE`), `boolean` is a flag (`--json`). */
  type: 'string' | 'boolean';
  /** Placeholder for the value in the help text (`FILE`, `ISO`); string options only. */
  value?: string;
  /** Shown as `(required)` in the help text; the command's own validation enforces it. */
  required?: boolean;
  /** The default, as shown in the help text (`(default 15m)`). */
  default?: string;
  /** What the option means, one line. */
  description: string;
}

/** A CLI command: its synopsis, options and examples, the single source of `--help` and of option parsing. */
export interface CliCommand {
  /** The first argument (`backtest`). */
  name: string;
  /** The usage line after `pnpm osprey ` (`backtest --config FILE.json --from ISO …`). */
  synopsis: string;
  /** One line for the command list of `pnpm osprey --help`. */
  summary: string;
  /** More lines of explanation shown by the command's `--help` (optional). */
  details?: string;
  /** The options the command accepts (`--help`/`-h` is added to every command). */
  options: CliOption[];
  /** Positional arguments the command takes (e.g. `users add`); none when absent. */
  positionals?: string[];
  /** Complete example command lines (`pnpm osprey …`). */
  examples: string[];
}

const BACKTEST_CONFIG = `Config file: the JSON the bot form produces (README "Bot config"), plus optional "backtest" settings:
  { "type": "grid",                                  grid | spread | signal
    "marketType": "spot",                            spot | swap (default spot)
    "leverage": 1,                                   perpetuals (default 1)
    "grid": { "symbol": "BTC/USDT", "levels": 5, "spacingPct": 1, "sellOffsetPct": 1,
              "orderSize": { "mode": "quote", "value": "100" }, "repricePct": 5 },
    "risk": { "maxOpenPositions": 5, "stopLossPct": 8, "maxHoldingMs": 86400000,
              "dailyLossLimit": "200", "cooldown": { "afterLosses": 3, "pauseMinutes": 60 } },
    "backtest": { "timeframe": "15m", "balances": { "USDT": "10000" },
                  "fees": { "maker": "0.001", "taker": "0.001" }, "slippageBps": 5,
                  "fillModel": "path" } }        path | conservative; optional "detail": "5m" (finer stored candles)
(a spread bot has "spread": { "symbolA", "symbolB", "entryPct", ... }; a signal bot "signal": {...})`;

/** Every command of `pnpm osprey`, in the order `--help` lists them. */
export const COMMANDS: readonly CliCommand[] = [
  {
    name: 'import',
    synopsis: 'import --csv FILE --exchange ID --symbol SYM --timeframe TF',
    summary: 'Validate and upsert candles from a CSV into the database.',
    details:
      'The CSV has the header ts,open,high,low,close,volume with ts the candle open time in Unix ms UTC.\n' +
      'A malformed row (non-numeric value, high < low, out of order, not aligned to the timeframe) is rejected\n' +
      'with the row and field named; candles already stored for the same open time are replaced. 1m and 5m\n' +
      'candles are stored for backtests only (the path inside a coarser candle: "backtest": { "detail": "5m" }).',
    options: [
      { name: 'csv', type: 'string', value: 'FILE', required: true, description: 'the CSV file, relative to where you run the command' },
      { name: 'exchange', type: 'string', value: 'ID', required: true, description: 'ccxt exchange id the candles belong to, e.g. binance' },
      { name: 'symbol', type: 'string', value: 'SYM', required: true, description: 'ccxt unified symbol, e.g. BTC/USDT' },
      { name: 'timeframe', type: 'string', value: 'TF', required: true, description: '1m, 5m, 15m, 1h, 4h or 1d' },
    ],
    examples: ['pnpm osprey import --csv my.csv --exchange binance --symbol BTC/USDT --timeframe 15m', 'pnpm osprey import --csv btc-5m.csv --exchange binance --symbol BTC/USDT --timeframe 5m'],
  },
  {
    name: 'indicators',
    synopsis: 'indicators --csv FILE [--timeframe 15m|1h|4h|1d]',
    summary: "Print a CSV of candles' indicator columns (header ts,<columns>).",
    details: 'Cells before an indicator has warmed up are empty. Reads the file only (no database).',
    options: [
      { name: 'csv', type: 'string', value: 'FILE', required: true, description: 'candles CSV (header ts,open,high,low,close,volume; ts = open time, Unix ms UTC)' },
      { name: 'timeframe', type: 'string', value: 'TF', default: '15m', description: "the candles' timeframe, which picks the indicator set: 15m, 1h, 4h or 1d" },
    ],
    examples: ['pnpm osprey indicators --csv server/assets/market/BINANCE_BTC-USDT_15m.csv --timeframe 15m > btc-15m-indicators.csv'],
  },
  {
    name: 'detect',
    synopsis: 'detect --exchange ID --symbol SYM --from ISO --to ISO',
    summary: 'Run the market detector over stored candles; JSON lines of signals on stdout.',
    details:
      'Uses the stored 15m and 4h candles in [from, to] (with their warm-up history before from) and stores the\n' +
      'signals found. The shipped Binance candles are imported first when the database has none.',
    options: [
      { name: 'exchange', type: 'string', value: 'ID', required: true, description: 'ccxt exchange id of the stored candles, e.g. binance' },
      { name: 'symbol', type: 'string', value: 'SYM', required: true, description: 'ccxt unified symbol, e.g. BTC/USDT' },
      { name: 'from', type: 'string', value: 'ISO', required: true, description: 'first candle time, ISO date or date-time, e.g. 2024-03-01 or 2024-03-01T00:00:00Z' },
      { name: 'to', type: 'string', value: 'ISO', required: true, description: 'last candle time, ISO; not before --from' },
    ],
    examples: ['pnpm osprey detect --exchange binance --symbol BTC/USDT --from 2024-03-01 --to 2024-03-08'],
  },
  {
    name: 'users',
    synopsis: 'users add --email E --role admin|trader [--password P]',
    summary: 'Add a user who can log in.',
    details:
      'The password is --password, else the environment variable OSPREY_NEW_PASSWORD, else a random one that is\n' +
      'printed once. The only subcommand is `add`.',
    positionals: ['add'],
    options: [
      { name: 'email', type: 'string', value: 'E', required: true, description: "the user's login email" },
      { name: 'role', type: 'string', value: 'ROLE', required: true, description: 'admin (also manages users) or trader' },
      { name: 'password', type: 'string', value: 'P', description: 'at least 10 characters; prefer OSPREY_NEW_PASSWORD (not kept in shell history)' },
    ],
    examples: [
      'pnpm osprey users add --email trader@example.com --role trader   # prints a generated password',
      'OSPREY_NEW_PASSWORD=long-secret-pw pnpm osprey users add --email me@example.com --role admin',
    ],
  },
  {
    name: 'backtest',
    synopsis: 'backtest --config FILE.json --from ISO --to ISO [--json] [--trades] [--exchange ID]',
    summary: 'Backtest a bot config over stored candles and print its metrics.',
    details:
      'Runs a bot (grid, DCA spread or signal, with its risk rules) over candles with open time in [from, to) on a\n' +
      'paper account: the same job the Backtests page runs (same fill rules, funding on perpetuals, warm-up,\n' +
      'detector signals for signal bots). Candles of a series come from the shipped CSV (server/assets/market)\n' +
      'when --exchange is binance and a file exists for the symbol and timeframe (15m, 1h, 4h, 1d; the whole\n' +
      'series then comes from it, even where the range lies outside it), else from the database (detail\n' +
      'candles, 1m / 5m, always from the database). The output names the fill model and detail coverage.\n\n' +
      BACKTEST_CONFIG,
    options: [
      { name: 'config', type: 'string', value: 'FILE.json', required: true, description: 'the bot config file (see below)' },
      { name: 'from', type: 'string', value: 'ISO', required: true, description: 'first candle open time, ISO date or date-time' },
      { name: 'to', type: 'string', value: 'ISO', required: true, description: 'end of the range (exclusive), ISO; not before --from' },
      { name: 'json', type: 'boolean', description: 'print the metrics as one JSON object instead of text' },
      { name: 'trades', type: 'boolean', description: 'also print each round trip as a JSON line' },
      { name: 'exchange', type: 'string', value: 'ID', default: 'binance', description: 'exchange of the stored candles when there is no shipped CSV' },
    ],
    examples: [
      'pnpm osprey backtest --config grid.json --from 2024-03-01 --to 2024-04-01',
      'pnpm osprey backtest --config grid.json --from 2024-03-01 --to 2024-04-01 --json --trades > run.jsonl',
    ],
  },
  {
    name: 'export',
    synopsis: 'export trades|orders|fills|equity|round-trips --account ID | --bot ID | --run ID [--from ISO] [--to ISO] [--tz ZONE] [--out FILE]',
    summary: 'Write a CSV of an account\'s, a bot\'s or a backtest run\'s trades, orders, fills, round trips or equity.',
    details:
      'The same file as the "Export CSV" buttons: an account has trades, orders, fills and equity; a bot fills,\n' +
      'round-trips and orders; a backtest run (--run) round-trips, fills and equity. Rows oldest first, in\n' +
      '[from, to) on each row\'s main time (fills, equity: their time; trades: opened; orders: created; round\n' +
      'trips: closed), at most 100000 (a note on stderr says when more were cut off; narrow --from). Every time is\n' +
      'written twice: in --tz, named in the header (`time (Asia/Shanghai)`, ISO 8601 with the offset), and as\n' +
      '`time_unix_ms`. Money is the stored decimal text. Any user\'s account, bot or run (ids as the UI shows them).',
    positionals: ['WHAT'],
    options: [
      { name: 'account', type: 'string', value: 'ID', description: 'exchange account id: trades, orders, fills, equity' },
      { name: 'bot', type: 'string', value: 'ID', description: 'bot id: fills, round-trips, orders' },
      { name: 'run', type: 'string', value: 'ID', description: 'backtest run id: round-trips, fills, equity' },
      { name: 'from', type: 'string', value: 'ISO', description: 'first time included, ISO date or date-time' },
      { name: 'to', type: 'string', value: 'ISO', description: 'end of the range (exclusive), ISO; after --from' },
      { name: 'tz', type: 'string', value: 'ZONE', default: 'UTC', description: 'IANA time zone of the time columns, e.g. Asia/Shanghai' },
      { name: 'out', type: 'string', value: 'FILE', description: 'write the CSV to FILE instead of stdout' },
    ],
    examples: [
      'pnpm osprey export fills --account "$ACCOUNT_ID" --from 2024-08-01 --to 2024-09-01 --tz Asia/Shanghai > fills.csv',
      'pnpm osprey export round-trips --bot "$BOT_ID" --out grid-round-trips.csv',
    ],
  },
  {
    name: 'help',
    synopsis: 'help [COMMAND]',
    summary: 'Show the command list, or one command\'s usage (same as `pnpm osprey COMMAND --help`).',
    positionals: ['COMMAND'],
    options: [],
    examples: ['pnpm osprey help backtest'],
  },
];

/** The command named `name`, or undefined for an unknown name. */
export function findCommand(name: string | undefined): CliCommand | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** The `parseArgs` option table of a command: its options plus `--help`/`-h`. */
export function parseOptions(cmd: CliCommand): NonNullable<ParseArgsConfig['options']> {
  const options: NonNullable<ParseArgsConfig['options']> = { help: { type: 'boolean', short: 'h' } };
  for (const o of cmd.options) options[o.name] = { type: o.type };
  return options;
}

const HELP_OPTION: CliOption = { name: 'help', type: 'boolean', description: 'show this help and exit (also -h)' };

/**
 * The `--help` text of one command: usage line, explanation, options (value, required/default) and examples.
 * @returns lines joined with `\n`, without a trailing newline
 */
export function commandHelp(cmd: CliCommand): string {
  const opts = [...cmd.options, HELP_OPTION];
  const flag = (o: CliOption) => `--${o.name}${o.value ? ` ${o.value}` : ''}`;
  const width = Math.max(...opts.map((o) => flag(o).length));
  const lines = [`Usage: pnpm osprey ${cmd.synopsis}`, '', cmd.summary];
  if (cmd.details) lines.push('', cmd.details);
  lines.push('', 'Options:');
  for (const o of opts) {
    const notes = [o.required ? 'required' : '', o.default !== undefined ? `default ${o.default}` : ''].filter(Boolean).join(', ');
    lines.push(`  ${flag(o).padEnd(width)}  ${o.description}${notes ? ` (${notes})` : ''}`);
  }
  lines.push('', cmd.examples.length > 1 ? 'Examples:' : 'Example:', ...cmd.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}

/**
 * The `pnpm osprey --help` text: every command's usage line and summary, and how to get one command's help.
 * @returns lines joined with `\n`, without a trailing newline
 */
export function overviewHelp(): string {
  const lines = ['Usage: pnpm osprey <command> [options]', '', 'Commands:'];
  for (const c of COMMANDS) lines.push(`  ${c.synopsis}`, `      ${c.summary}`);
  lines.push(
    '',
    'Run `pnpm osprey <command> --help` (or -h) for a command\'s options and an example.',
    'Paths are relative to where you run the command. The database is the one the server uses',
    '(OSPREY_DATA_DIR or DATABASE_URL); with PGlite, stop the server first.',
    '',
    'Example:',
    '  pnpm osprey backtest --help',
  );
  return lines.join('\n');
}
