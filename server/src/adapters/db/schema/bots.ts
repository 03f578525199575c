import { doublePrecision, index, integer, jsonb, numeric, pgEnum, pgTable, primaryKey, serial, text } from 'drizzle-orm/pg-core';
import { BACKTEST_STATUSES, BOT_EVENT_KINDS, BOT_STATUSES, BOT_TYPES, type BacktestSettings, type BotConfig, type RiskRules, type RunMetricsView } from '@osprey/shared';
import { unixMs } from './columns.js';
import { exchangeAccounts } from './trading.js';
import { users } from './users.js';

/*
 * Bots and backtests. Money is exact `numeric` read as strings; times are Unix ms UTC (`bigint`).
 */

/** pg enum of {@link BOT_TYPES}. */
export const botTypeEnum = pgEnum('bot_type', BOT_TYPES);
/** pg enum of {@link BOT_STATUSES}. */
export const botStatusEnum = pgEnum('bot_status', BOT_STATUSES);
/** pg enum of {@link BOT_EVENT_KINDS}. */
export const botEventKindEnum = pgEnum('bot_event_kind', BOT_EVENT_KINDS);
/** pg enum of {@link BACKTEST_STATUSES}. */
export const backtestStatusEnum = pgEnum('backtest_status', BACKTEST_STATUSES);

/**
 * A bot: its config, lifecycle status and the runner's persisted state. `runtime` holds the strategy state,
 * the outbox (intents decided but not yet confirmed executed) and the orders in flight, written before any
 * side effect so a restarted runner resumes without doubling an order. `lease_owner`/`lease_until` make sure
 * exactly one runner (process) drives a running bot: the owner renews the lease with a heartbeat; another
 * process may take it over only once it expired.
 */
export const bots = pgTable(
  'bots',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    accountId: text('account_id')
      .notNull()
      .references(() => exchangeAccounts.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    type: botTypeEnum('type').notNull(),
    config: jsonb('config').$type<BotConfig>().notNull(),
    status: botStatusEnum('status').notNull().default('stopped'),
    lastError: text('last_error'),
    runtime: jsonb('runtime').$type<Record<string, unknown>>(),
    realizedPnl: numeric('realized_pnl', { mode: 'string' }).notNull().default('0'),
    roundTrips: integer('round_trips').notNull().default(0),
    /** Positions held plus entries pending, as of the runner's last step (what account risk rules count). */
    openPositions: integer('open_positions').notNull().default(0),
    startedAt: unixMs('started_at'),
    leaseOwner: text('lease_owner'),
    leaseUntil: unixMs('lease_until'),
    createdAt: unixMs('created_at').notNull(),
    updatedAt: unixMs('updated_at').notNull(),
  },
  (t) => [index('bots_user_idx').on(t.userId, t.createdAt), index('bots_status_idx').on(t.status)],
);

/**
 * Risk rules of an exchange account (the bots' `riskRulesSchema`), applying across all bots trading on it:
 * open positions, daily loss and loss streak are counted over every bot of the account. No row = no rules.
 */
export const accountRiskRules = pgTable('account_risk_rules', {
  accountId: text('account_id')
    .primaryKey()
    .references(() => exchangeAccounts.id, { onDelete: 'cascade' }),
  rules: jsonb('rules').$type<RiskRules>().notNull(),
  updatedAt: unixMs('updated_at').notNull(),
});

/** What a bot reported: risk blocks and forced exits (rule + numbers), skipped signals, lifecycle, errors. */
export const botEvents = pgTable(
  'bot_events',
  {
    id: serial('id').primaryKey(),
    botId: text('bot_id')
      .notNull()
      .references(() => bots.id, { onDelete: 'cascade' }),
    ts: unixMs('ts').notNull(),
    kind: botEventKindEnum('kind').notNull(),
    code: text('code').notNull(),
    message: text('message').notNull(),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('bot_events_bot_idx').on(t.botId, t.id)],
);

/** Round trips a bot closed (net PnL after both fees, quote). */
export const botTrades = pgTable(
  'bot_trades',
  {
    id: serial('id').primaryKey(),
    botId: text('bot_id')
      .notNull()
      .references(() => bots.id, { onDelete: 'cascade' }),
    symbol: text('symbol').notNull(),
    side: text('side').$type<'long' | 'short'>().notNull(),
    entryClientOrderId: text('entry_client_order_id').notNull(),
    exitClientOrderId: text('exit_client_order_id').notNull(),
    amount: numeric('amount', { mode: 'string' }).notNull(),
    entryPrice: numeric('entry_price', { mode: 'string' }).notNull(),
    exitPrice: numeric('exit_price', { mode: 'string' }).notNull(),
    entryFee: numeric('entry_fee', { mode: 'string' }).notNull(),
    exitFee: numeric('exit_fee', { mode: 'string' }).notNull(),
    pnl: numeric('pnl', { mode: 'string' }).notNull(),
    openedAt: unixMs('opened_at').notNull(),
    closedAt: unixMs('closed_at').notNull(),
    /** Position unit (both legs of a spread cycle share `C<cycle>`); null = a unit of its own. */
    unit: text('unit'),
  },
  (t) => [index('bot_trades_bot_idx').on(t.botId, t.closedAt)],
);

/** Strategy series of a bot (the spread of a spread bot, percentage points) by time. */
export const botSeries = pgTable(
  'bot_series',
  {
    botId: text('bot_id')
      .notNull()
      .references(() => bots.id, { onDelete: 'cascade' }),
    series: text('series').notNull(),
    ts: unixMs('ts').notNull(),
    value: doublePrecision('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.botId, t.series, t.ts] })],
);

/**
 * A backtest run: inputs, status/progress, metrics and (when done) the full result (equity, trades, fills,
 * events, series) as JSON. Candles are not copied: the result view re-reads them from `candles`.
 */
export const backtestRuns = pgTable(
  'backtest_runs',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    type: botTypeEnum('type').notNull(),
    config: jsonb('config').$type<BotConfig>().notNull(),
    settings: jsonb('settings').$type<BacktestSettings>().notNull(),
    exchange: text('exchange').notNull(),
    fromTs: unixMs('from_ts').notNull(),
    toTs: unixMs('to_ts').notNull(),
    status: backtestStatusEnum('status').notNull().default('queued'),
    progress: doublePrecision('progress').notNull().default(0),
    error: text('error'),
    metrics: jsonb('metrics').$type<RunMetricsView>(),
    result: jsonb('result').$type<Record<string, unknown>>(),
    createdAt: unixMs('created_at').notNull(),
    finishedAt: unixMs('finished_at'),
  },
  (t) => [index('backtest_runs_user_idx').on(t.userId, t.createdAt)],
);
