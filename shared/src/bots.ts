/**
 * Contracts of bots and backtests shared by the server, the CLI and the client forms.
 *
 * A **bot config** ({@link botConfigSchema}) is the JSON the bot form produces and the file `osprey backtest
 * --config` reads: the bot type, its market type, its parameters and its risk rules. A **bot** is a config
 * plus a name and the account it trades on. A **backtest** runs a bot config over stored candles with
 * {@link backtestSettingsSchema} (balances, fees, slippage, range).
 *
 * Percentages are plain numbers in percent (`1` = 1 %); money is a decimal string; times are Unix ms UTC.
 */
import { z } from 'zod';
import { TIMEFRAME_MS, candleTimeframeSchema, symbolSchema, timeframeSchema, unixMsSchema, type Candle, type CandleTimeframe, type Timeframe } from './market.js';
import { MARKET_TYPES, type DecimalString, type MarketType } from './trading.js';

/** Bot types. */
export const BOT_TYPES = ['grid', 'spread', 'signal'] as const;
/** One of {@link BOT_TYPES}. */
export type BotType = (typeof BOT_TYPES)[number];

/** A decimal string > 0 without exponent, e.g. `"100"`, `"0.01"`. */
const positiveDecimal = z
  .string()
  .max(40)
  .regex(/^\d+(\.\d+)?$/, 'must be a decimal number like 100 or 0.01')
  .regex(/^\d{1,20}(\.\d{1,18})?$/, 'must have at most 20 digits before the point and 18 after')
  .refine((s) => /[1-9]/.test(s), 'must be greater than 0');
const percentDecimal = positiveDecimal.refine((s) => Number(s) <= 100, 'must be at most 100 (%)');

/** Grid bot parameters (see `server/src/domain/bots/grid.ts` for the cycle). */
export const gridParamsSchema = z
  .strictObject({
    /** Market symbol, e.g. `BTC/USDT` (spot) or `BTC/USDT:USDT` (perpetual). */
    symbol: symbolSchema,
    /** Number of buy levels below the anchor. */
    levels: z.number().int('must be an integer').min(1).max(100).default(5),
    /** Distance between consecutive levels (and from the anchor to level 0), percent of the anchor. */
    spacingPct: z.number().positive().max(50).default(1),
    /** Sell price above each filled buy, percent of the buy price. */
    sellOffsetPct: z.number().positive().max(100).default(1),
    /** Size of each buy: a base amount, or a quote notional (divided by the level price). */
    orderSize: z.strictObject({ mode: z.enum(['base', 'quote']), value: positiveDecimal }).default({ mode: 'quote', value: '100' }),
    /** Re-anchor when a candle closes more than this % away from the anchor; 0 = never. */
    repricePct: z.number().min(0).max(100).default(5),
    /** Most filled-but-unsold levels (open buys count against it); default = `levels`. */
    maxOpenPositions: z.number().int('must be an integer').min(1).max(100).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.levels * c.spacingPct >= 100) ctx.addIssue({ code: 'custom', path: ['spacingPct'], message: `levels × spacingPct must be < 100 (got ${c.levels} × ${c.spacingPct})` });
  });
/** Grid parameters after defaults. */
export type GridParams = z.output<typeof gridParamsSchema>;

/** DCA spread bot parameters (see `server/src/domain/bots/spread.ts`). */
export const spreadParamsSchema = z
  .strictObject({
    /** Market A, e.g. `ETH/USDT:USDT`. */
    symbolA: symbolSchema,
    /** Market B, e.g. `BTC/USDT:USDT`. */
    symbolB: symbolSchema,
    /** |spread| (percentage points) that opens a cycle. */
    entryPct: z.number().positive().max(100).default(5),
    /** Further widening (points) between DCA adds. */
    stepPct: z.number().positive().max(100).default(3),
    /** Notional of add k is `orderQuote × sizeMultiplier^k`. */
    sizeMultiplier: z.number().positive().max(10).default(1),
    /** Most DCA adds per cycle. */
    maxAdds: z.number().int('must be an integer').min(0).max(50).default(6),
    /** Quote notional per leg of the opening order. */
    orderQuote: positiveDecimal.default('100'),
    /** Take profit when the spread came back this many points from the spread at the open. */
    takeProfitRevertPct: z.number().positive().max(100).default(3),
    /** Take profit when the cycle's PnL ≥ this % of the cycle's cost. */
    takeProfitPct: z.number().positive().max(1000).default(2),
    /** Stop loss when the cycle's PnL ≤ −this % of the cycle's cost. */
    stopLossPct: z.number().positive().max(100).default(10),
  })
  .superRefine((c, ctx) => {
    if (c.symbolA === c.symbolB) ctx.addIssue({ code: 'custom', path: ['symbolB'], message: 'must differ from symbolA' });
  });
/** Spread parameters after defaults. */
export type SpreadParams = z.output<typeof spreadParamsSchema>;

/** Position sizing of the signal bot. */
export const signalSizingSchema = z.discriminatedUnion('mode', [
  /** Fixed quote notional. */
  z.strictObject({ mode: z.literal('quote'), value: positiveDecimal }),
  /** Percent of equity as notional. */
  z.strictObject({ mode: z.literal('equityPct'), value: percentDecimal }),
  /** Percent of equity at risk to the stop (fixed-fractional). */
  z.strictObject({ mode: z.literal('risk'), value: percentDecimal }),
]);

/** Signal-following bot parameters (see `server/src/domain/bots/signal-bot.ts`). */
export const signalParamsSchema = z.strictObject({
  /** Symbols whose signals the bot follows (detector signals are per spot symbol; on perpetuals `BTC/USDT:USDT` follows `BTC/USDT`'s signals). */
  symbols: z.array(symbolSchema).min(1, 'must list at least one symbol').max(20),
  /** Lowest signal score taken (detector scores are 0–30). */
  minScore: z.number().min(0).max(30).default(15),
  /** Size before the signal's size multiplier. */
  sizing: signalSizingSchema.default({ mode: 'quote', value: '100' }),
  /** Stop distance in ATRs (ATR(`atrPeriod`) of 15m candles, Wilder). */
  stopAtrMult: z.number().positive().max(50).default(1.5),
  /** Take-profit distance in ATRs. */
  takeProfitAtrMult: z.number().positive().max(100).default(3),
  /** ATR period (candles). */
  atrPeriod: z.number().int('must be an integer').min(2).max(200).default(14),
});
/** Signal-bot parameters after defaults. */
export type SignalParams = z.output<typeof signalParamsSchema>;

/** Risk rules of a bot (every rule optional; an absent rule never blocks). See `server/src/domain/bots/risk.ts`. */
export const riskRulesSchema = z.strictObject({
  /** Most positions open at once. */
  maxOpenPositions: z.number().int('must be an integer').min(1).max(1000).optional(),
  /** Price stop: adverse move from entry, percent (0, 100]. */
  stopLossPct: z.number().positive().max(100).optional(),
  /** Time stop: longest holding time, ms. */
  maxHoldingMs: z.number().int('must be an integer').positive().max(365 * 86_400_000, 'must be at most 365 days').optional(),
  /** Realized loss per UTC day (quote) after which entries stop until the next UTC day. */
  dailyLossLimit: positiveDecimal.optional(),
  /** Pause entries `pauseMinutes` (at most 30 days) after `afterLosses` (1–100) consecutive losses. */
  cooldown: z
    .strictObject({ afterLosses: z.number().int('must be an integer').min(1).max(100), pauseMinutes: z.number().positive().max(43_200, 'must be at most 43200 (30 days)') })
    .optional(),
});
/** Validated risk rules. */
export type RiskRules = z.output<typeof riskRulesSchema>;

const common = {
  /** `spot` or `swap` (USDT-margined perpetuals); must match the account's market type. */
  marketType: z.enum(MARKET_TYPES).default('spot'),
  /** Leverage set on every perpetual symbol at start (ignored on spot). */
  leverage: z.number().int('must be an integer').min(1).max(125).default(1),
  risk: riskRulesSchema.default({}),
};

/** A bot's configuration: what the bot form produces and `osprey backtest --config` reads (plus `backtest`). */
export const botConfigSchema = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('grid'), ...common, grid: gridParamsSchema }),
    z.strictObject({ type: z.literal('spread'), ...common, spread: spreadParamsSchema }),
    z.strictObject({ type: z.literal('signal'), ...common, signal: signalParamsSchema }),
  ])
  .superRefine((c, ctx) => {
    const swap = c.marketType === 'swap';
    const check = (sym: string, path: (string | number)[]) => {
      if (swap !== sym.includes(':')) {
        ctx.addIssue({ code: 'custom', path, message: swap ? `must be a perpetual symbol like BTC/USDT:USDT for marketType swap` : `must be a spot symbol like BTC/USDT for marketType spot` });
      }
    };
    if (c.type === 'grid') check(c.grid.symbol, ['grid', 'symbol']);
    if (c.type === 'spread') {
      check(c.spread.symbolA, ['spread', 'symbolA']);
      check(c.spread.symbolB, ['spread', 'symbolB']);
    }
    if (c.type === 'signal') c.signal.symbols.forEach((s, i) => check(s, ['signal', 'symbols', i]));
  });
/** A validated bot config (defaults applied). */
export type BotConfig = z.output<typeof botConfigSchema>;
/** Input form of a bot config. */
export type BotConfigInput = z.input<typeof botConfigSchema>;

/** Symbols a bot config trades, in a fixed order (grid: 1, spread: A then B, signal: its list). */
export function botSymbols(c: BotConfig): string[] {
  if (c.type === 'grid') return [c.grid.symbol];
  if (c.type === 'spread') return [c.spread.symbolA, c.spread.symbolB];
  return [...c.signal.symbols];
}

/** A fee rate as a fraction in [0, 0.1] (`0.001` = 0.1 %), at most 10 decimals. */
const feeFraction = z
  .string()
  .max(20)
  .regex(/^0(\.\d{1,10})?$|^0?\.\d{1,10}$/, 'must be a fraction like 0.001 (at most 10 decimals)')
  .refine((s) => Number(s) <= 0.1, 'must be at most 0.1 (10 %)');

/**
 * How a backtest fills orders inside a candle (see `server/src/domain/bots/backtest.ts`):
 * - `path`: along the candle's assumed path (open → low → high → close when it rose, open → high → low → close
 *   when it fell, or the detail candles' paths): an exit placed after its entry filled may fill on the rest of
 *   that same candle's path — a round trip can complete inside one candle;
 * - `conservative`: an order placed in reaction to a fill inside a candle waits for the next candle's open, so
 *   an exit never fills on the candle of its entry (what Freqtrade and Hummingbot credit).
 */
export const FILL_MODELS = ['path', 'conservative'] as const;
/** One of {@link FILL_MODELS}. */
export type FillModel = (typeof FILL_MODELS)[number];

/** Simulation settings of a backtest. */
export const backtestSettingsSchema = z
  .strictObject({
    /** Candle timeframe stepped through (bots run on 15m live). */
    timeframe: timeframeSchema.default('15m'),
    /**
     * Finer stored candles whose paths are walked inside each stepped candle (e.g. `5m` under `15m`); shorter
     * than `timeframe`. A stepped candle whose detail candles are missing or disagree with it keeps its own path.
     */
    detail: candleTimeframeSchema.optional(),
    /** Same-candle fills: one of {@link FILL_MODELS}; absent = `path` (runs stored before it existed lack it). */
    fillModel: z.enum(FILL_MODELS).optional(),
    /** Starting balances, e.g. `{ "USDT": "10000" }`. */
    balances: z.record(z.string().regex(/^[A-Z0-9]{1,20}$/, 'currency must be upper-case, e.g. USDT'), positiveDecimal).default({ USDT: '10000' }),
    /** Fee rates as fractions replacing the paper defaults (spot 0.001/0.001, perpetual 0.0002/0.0005). */
    fees: z.strictObject({ maker: feeFraction, taker: feeFraction }).optional(),
    /** Slippage of market and stop fills, basis points (default 5). */
    slippageBps: z.number().min(0).max(1000).default(5),
  })
  .refine((s) => s.detail === undefined || (TIMEFRAME_MS[s.detail] < TIMEFRAME_MS[s.timeframe] && TIMEFRAME_MS[s.timeframe] % TIMEFRAME_MS[s.detail] === 0), {
    path: ['detail'],
    message: 'must be a timeframe shorter than the stepped timeframe (1m, 5m, 15m, 1h or 4h)',
  });
/** Backtest settings after defaults. */
export type BacktestSettings = z.output<typeof backtestSettingsSchema>;

/** The settings of a backtest that gives none: 15m, 10 000 USDT, paper fees, 5 bps, path fills, no detail. */
export const DEFAULT_BACKTEST_SETTINGS: BacktestSettings = { timeframe: '15m', balances: { USDT: '10000' }, slippageBps: 5 };

/** The `osprey backtest --config` file: a bot config plus optional `backtest` settings. */
export const backtestFileSchema = z.intersection(botConfigSchema, z.strictObject({ backtest: backtestSettingsSchema.default(DEFAULT_BACKTEST_SETTINGS) }));

/**
 * Which fill assumptions a finished backtest ran under (stored with its result, shown with it and printed by
 * the CLI). Candle counts are over every symbol's stepped candles.
 */
export interface BacktestAssumptions {
  fillModel: FillModel;
  /** Detail timeframe asked for (`settings.detail`), null without. */
  detail: CandleTimeframe | null;
  /** Stepped candles in the run (all symbols). */
  candles: number;
  /** Of them, walked along their detail candles' paths. */
  detailCandles: number;
  /** Of them, on their own path because some or all of their detail candles were not stored. */
  detailMissing: number;
  /** Of them, on their own path because their detail candles disagree with them (open, high, low or close). */
  detailInconsistent: number;
}

// ─── bots (API) ─────────────────────────────────────────────────────────────────────────────────────────

/** Bot lifecycle states: `running` (a runner holds its lease), `stopped`, `error` (stopped by a failure; `lastError` says why). */
export const BOT_STATUSES = ['running', 'stopped', 'error'] as const;
/** One of {@link BOT_STATUSES}. */
export type BotStatus = (typeof BOT_STATUSES)[number];

/** A bot id (uuid). */
export const botIdSchema = z.uuid('id must be a bot id');

/** Input of `bots.create`. */
export const botCreateInputSchema = z.object({
  name: z.string().trim().min(1, 'name is required').max(60),
  accountId: z.uuid('accountId must be an account id'),
  config: botConfigSchema,
});
/** Input of {@link botCreateInputSchema}. */
export type BotCreateInput = z.input<typeof botCreateInputSchema>;

/** Input of `bots.update` (only while stopped). */
export const botUpdateInputSchema = botCreateInputSchema.extend({ id: botIdSchema });
/** Input of {@link botUpdateInputSchema}. */
export type BotUpdateInput = z.input<typeof botUpdateInputSchema>;

/** Input of `bots.stop`. */
export const botStopInputSchema = z.object({
  id: botIdSchema,
  cancelOrders: z.boolean().default(true),
  /**
   * What happens to what the bot leaves (overrides `cancelOrders` when given): `keep` its orders and positions,
   * `cancel` its open orders (positions stay), or `close`: cancel its orders and close its positions at market
   * through the strategy's exit path, then stop.
   */
  mode: z.enum(['keep', 'cancel', 'close']).optional(),
});
/** Input of `bots.holdings`: what the bots of an account hold. */
export const botHoldingsInputSchema = z.object({ accountId: z.uuid('accountId must be an account id') });

/** One lot a bot holds on its account (a grid level, a spread leg, a signal position). */
export interface BotHoldingView {
  botId: string;
  botName: string;
  status: BotStatus;
  symbol: string;
  side: 'long' | 'short';
  /** Base amount. */
  amount: DecimalString;
  entryPrice: DecimalString;
  /** Entry fill time, Unix ms (market clock). */
  openedAt: number;
}

/** Result of closing a bot's positions: lots closed and any still held when the wait ended (with why). */
export interface BotCloseResult {
  bot: BotView;
  closed: number;
  remaining: number;
  /** Why something is left (an exit the venue refused, or still filling), else null. */
  note: string | null;
}

/** A bot as listed. */
export interface BotView {
  id: string;
  name: string;
  accountId: string;
  accountName: string;
  type: BotType;
  symbols: string[];
  config: BotConfig;
  status: BotStatus;
  lastError: string | null;
  /** Net realized PnL of closed round trips (quote). */
  realizedPnl: DecimalString;
  /** Round trips closed. */
  roundTrips: number;
  /** When the current run started (null when not running). */
  startedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** Kinds of bot events: risk blocks and forced exits, informational notes, and failures. */
export const BOT_EVENT_KINDS = ['risk', 'info', 'error'] as const;
/** One of {@link BOT_EVENT_KINDS}. */
export type BotEventKind = (typeof BOT_EVENT_KINDS)[number];

/** Something a bot reports (risk blocks with the rule and numbers, skipped signals, lifecycle, errors). */
export interface BotEventView {
  id: number;
  botId: string;
  ts: number;
  kind: BotEventKind;
  /** Machine code, e.g. `risk.dailyLossLimit`, `signal.belowMinScore`, `started`. */
  code: string;
  message: string;
  detail: Record<string, unknown>;
}

/** A closed round trip (entry then exit of the same amount); `pnl` net of both fees (quote). */
export interface RoundTripView {
  symbol: string;
  side: 'long' | 'short';
  entryClientOrderId: string;
  exitClientOrderId: string;
  amount: DecimalString;
  entryPrice: DecimalString;
  exitPrice: DecimalString;
  entryFee: DecimalString;
  exitFee: DecimalString;
  pnl: DecimalString;
  openedAt: number;
  closedAt: number;
  /**
   * The position unit the round trip belongs to, when a strategy holds one position as several lots: both legs
   * of a spread cycle share `C<cycle>`. Round trips of one unit count once, with their summed pnl, in metrics
   * and risk rules; absent = a unit of its own.
   */
  unit?: string;
}

/** A point of a strategy series (e.g. the spread of a spread bot, percentage points). */
export interface SeriesPoint {
  series: string;
  ts: number;
  value: number;
}

/** Everything the bot detail page shows. */
export interface BotDetail {
  bot: BotView;
  state: unknown;
  events: BotEventView[];
  trades: RoundTripView[];
  /** Spread points (spread bots), oldest first. */
  series: SeriesPoint[];
}

/** Input of `bots.setAccountRisk`: the account's risk rules (replacing what was set; `{}` clears them). */
export const accountRiskInputSchema = z.object({
  accountId: z.uuid('accountId must be an account id'),
  rules: riskRulesSchema,
});
/** Input of {@link accountRiskInputSchema}. */
export type AccountRiskInput = z.input<typeof accountRiskInputSchema>;

/**
 * An account's risk rules and what they see now across all of its bots (`bots.accountRisk`): realized PnL
 * of the current UTC day (quote), the losing streak, the pause end of a cooldown, and the positions held or
 * pending by its bots.
 */
export interface AccountRiskView {
  accountId: string;
  rules: RiskRules;
  /** Net realized PnL of the account's bots today (UTC), quote. */
  dayPnl: DecimalString;
  lossStreak: number;
  /** Entries paused until (Unix ms), or null. */
  pausedUntil: number | null;
  openPositions: number;
}

// ─── backtests (API) ────────────────────────────────────────────────────────────────────────────────────

/** Input of `backtests.start`. */
export const backtestStartInputSchema = z
  .object({
    name: z.string().trim().max(80).optional(),
    config: botConfigSchema,
    settings: backtestSettingsSchema.default(DEFAULT_BACKTEST_SETTINGS),
    /** Range start and end (candle open times, Unix ms, inclusive / exclusive). */
    from: unixMsSchema,
    to: unixMsSchema,
    /** Exchange whose stored candles are used (default the server's). */
    exchange: z.string().regex(/^[a-z0-9]{2,30}$/).optional(),
  })
  .refine((i) => i.to > i.from, { path: ['to'], message: 'must be after from' });
/** Input of {@link backtestStartInputSchema}. */
export type BacktestStartInput = z.input<typeof backtestStartInputSchema>;

/** Backtest run states. */
export const BACKTEST_STATUSES = ['queued', 'running', 'done', 'failed'] as const;
/** One of {@link BACKTEST_STATUSES}. */
export type BacktestStatus = (typeof BACKTEST_STATUSES)[number];

/** Metrics of a run (see `server/src/domain/bots/metrics.ts` for definitions). */
export interface RunMetricsView {
  startEquity: DecimalString;
  endEquity: DecimalString;
  netPnl: DecimalString;
  totalReturnPct: number;
  maxDrawdownPct: number;
  /** Daily returns, annualised ×√365, risk-free 0. */
  sharpe: number | null;
  sortino: number | null;
  winRatePct: number | null;
  profitFactor: number | null;
  roundTrips: number;
  avgHoldingMs: number | null;
  exposurePct: number;
  feesPaid: DecimalString;
  /**
   * Round trips whose entry and exit filled on the same stepped candle (the entry's symbol); absent on runs
   * stored before it was counted.
   */
  sameCandleRoundTrips?: number;
}

/** A backtest run as listed. */
export interface BacktestRunView {
  id: string;
  name: string;
  type: BotType;
  symbols: string[];
  config: BotConfig;
  settings: BacktestSettings;
  exchange: string;
  from: number;
  to: number;
  status: BacktestStatus;
  /** 0–1. */
  progress: number;
  error: string | null;
  metrics: RunMetricsView | null;
  createdAt: number;
  finishedAt: number | null;
}

/** A fill of a backtest (for markers and the fills table). */
export interface BacktestFillView {
  ts: number;
  symbol: string;
  side: 'buy' | 'sell';
  price: DecimalString;
  amount: DecimalString;
  fee: DecimalString;
  clientOrderId: string | null;
}

/** A finished run's full result. */
export interface BacktestResultView {
  run: BacktestRunView;
  /** Equity (quote) at each candle close; drawdown in percent below the running peak. */
  equity: Array<{ ts: number; equity: number; drawdownPct: number }>;
  trades: RoundTripView[];
  fills: BacktestFillView[];
  events: Array<Omit<BotEventView, 'id' | 'botId'>>;
  series: SeriesPoint[];
  /** The candles of each symbol over the range (timeframe of the run), for the chart. */
  candles: Record<string, Candle[]>;
  timeframe: Timeframe;
  /** The fill assumptions of the run; null for runs stored before they were recorded (path fills, no detail). */
  assumptions: BacktestAssumptions | null;
}

/** A bot changed (pushed by `bots.onChange`); `userId` is the owner. */
export interface BotChange {
  userId: string;
  botId: string;
  status: BotStatus;
  /** What changed: `status`, `state` (orders/fills/state), `event`, `deleted`. */
  what: 'status' | 'state' | 'event' | 'deleted';
}

/** Progress of a backtest (pushed by `backtests.onProgress`). */
export interface BacktestProgress {
  userId: string;
  id: string;
  status: BacktestStatus;
  /** 0–1. */
  progress: number;
  error: string | null;
}

/** Stored candle coverage of a symbol (open times, Unix ms), null when nothing is stored. */
export interface CandleCoverage {
  symbol: string;
  from: number | null;
  to: number | null;
  count: number;
}

/** The bot's orders and fills on its account, for the detail page. */
export interface BotOrdersView {
  open: import('./trading.js').OrderView[];
  fills: import('./trading.js').FillView[];
  positions: Array<{ symbol: string; side: 'long' | 'short'; amount: DecimalString; entryPrice: DecimalString; unrealizedPnl: DecimalString | null }>;
}

/** Re-exported for form code. */
export type { MarketType };
