import { z } from 'zod';

/**
 * Candle timeframes Osprey charts, computes indicators on, replays and backtests by default, shortest first
 * (the market view, the replay feed and the detector use exactly these).
 */
export const TIMEFRAMES = ['15m', '1h', '4h', '1d'] as const;
/** One of {@link TIMEFRAMES}. */
export type Timeframe = (typeof TIMEFRAMES)[number];
/** Zod schema for a {@link Timeframe}. */
export const timeframeSchema = z.enum(TIMEFRAMES);

/**
 * Timeframes finer than {@link TIMEFRAMES} that are only stored: imported (`osprey import --timeframe 5m`) or
 * synced by the live feed (`OSPREY_DETAIL_TIMEFRAMES`), and read by backtests as the path inside a coarser
 * candle (`backtest.detail`). Never charted. Osprey ships none of them.
 */
export const DETAIL_TIMEFRAMES = ['1m', '5m'] as const;
/** One of {@link DETAIL_TIMEFRAMES}. */
export type DetailTimeframe = (typeof DETAIL_TIMEFRAMES)[number];
/** Zod schema for a {@link DetailTimeframe}. */
export const detailTimeframeSchema = z.enum(DETAIL_TIMEFRAMES);

/** Every timeframe the candles table stores, shortest first: {@link DETAIL_TIMEFRAMES} then {@link TIMEFRAMES}. */
export const CANDLE_TIMEFRAMES = [...DETAIL_TIMEFRAMES, ...TIMEFRAMES] as const;
/** One of {@link CANDLE_TIMEFRAMES}: any stored candle series. */
export type CandleTimeframe = (typeof CANDLE_TIMEFRAMES)[number];
/** Zod schema for a {@link CandleTimeframe} (imports, stored series). */
export const candleTimeframeSchema = z.enum(CANDLE_TIMEFRAMES);

/** Latest time any API input may name: 2100-01-01T00:00:00Z, Unix ms. */
export const MAX_UNIX_MS = 4_102_444_800_000;
/** A point in time as Unix ms UTC, between 1970 and 2100. */
export const unixMsSchema = z.number().int('must be a whole number of ms').min(0, 'must be a time after 1970 (Unix ms)').max(MAX_UNIX_MS, 'must be a time before 2100 (Unix ms)');

/** Length of each timeframe in milliseconds (every {@link CandleTimeframe}). */
export const TIMEFRAME_MS: Record<CandleTimeframe, number> = {
  '1m': 60_000,
  '5m': 5 * 60_000,
  '15m': 15 * 60_000,
  '1h': 60 * 60_000,
  '4h': 4 * 60 * 60_000,
  '1d': 24 * 60 * 60_000,
};

/** A symbol in ccxt unified form, e.g. `BTC/USDT` (spot) or `BTC/USDT:USDT` (USDT-margined perpetual). */
export const symbolSchema = z
  .string()
  .regex(/^[A-Z0-9]{1,20}\/[A-Z0-9]{1,20}(:[A-Z0-9]{1,20})?$/, 'symbol must be in ccxt unified form, e.g. BTC/USDT');

/** ccxt exchange id, e.g. `binance`. */
export const exchangeIdSchema = z.string().regex(/^[a-z0-9]{2,30}$/, 'exchange must be a ccxt exchange id, e.g. binance');

/**
 * One OHLCV candle. `ts` is the candle **open** time in Unix milliseconds UTC; prices are in the quote
 * asset, volume in the base asset. Floats: candles feed indicators and charts, never ledgers.
 */
export interface Candle {
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** Zod schema for a {@link Candle} on the wire. */
export const candleSchema = z.object({
  ts: z.number().int(),
  open: z.number(),
  high: z.number(),
  low: z.number(),
  close: z.number(),
  volume: z.number(),
});

/** Indicator columns on 15m candles, in CSV/output order (names from the quant seed). */
export const INDICATOR_COLUMNS_15M = [
  'ema_9', 'ema_21', 'ema_55', 'rsi_7', 'macd_line', 'signal_line', 'histogram',
  'bb_upper', 'bb_middle', 'bb_lower', 'bb_width', 'atr_14', 'obv', 'obv_ema_9', 'adx_14',
] as const;
/** Indicator columns on 4h candles, in output order. */
export const INDICATOR_COLUMNS_4H = [
  'ema_9', 'ema_21', 'rsi_14', 'macd_line', 'signal_line', 'histogram', 'bb_upper', 'bb_middle', 'bb_lower', 'bb_width',
] as const;
/** Indicator columns on 1d candles, in output order. */
export const INDICATOR_COLUMNS_1D = ['ema_9', 'ema_21', 'rsi_14', 'macd_line', 'signal_line', 'histogram'] as const;

/** Every indicator column name used on any timeframe. */
export type IndicatorColumn =
  | (typeof INDICATOR_COLUMNS_15M)[number]
  | (typeof INDICATOR_COLUMNS_4H)[number]
  | (typeof INDICATOR_COLUMNS_1D)[number];

/** Indicator columns computed for each timeframe (1h uses the 4h set). */
export const INDICATOR_COLUMNS: Record<Timeframe, readonly IndicatorColumn[]> = {
  '15m': INDICATOR_COLUMNS_15M,
  '1h': INDICATOR_COLUMNS_4H,
  '4h': INDICATOR_COLUMNS_4H,
  '1d': INDICATOR_COLUMNS_1D,
};

/** Indicator values of one candle; `null` before warm-up. */
export type IndicatorValues = Partial<Record<IndicatorColumn, number | null>>;

/** A candle with its indicator values, as served to charts. */
export interface CandleWithIndicators extends Candle {
  ind: IndicatorValues;
}

/** Detector signal direction. */
export const SIGNAL_TYPES = ['LONG', 'SHORT'] as const;
/** One of {@link SIGNAL_TYPES}. */
export type SignalType = (typeof SIGNAL_TYPES)[number];

/** A market-detector signal as stored and served. Times are Unix ms UTC. */
export interface MarketSignal {
  id: string;
  exchange: string;
  symbol: string;
  type: SignalType;
  /** 0–30, see the detector's scoring table. */
  score: number;
  /** 1 or 2. */
  sizeMultiplier: number;
  /** Open time of the 15m candle whose close produced the signal. */
  candleTs: number;
  /** When the signal was created (candle close time). */
  createdAt: number;
  /** createdAt + 4 h by default. */
  expiresAt: number;
  /** Layer-by-layer reasoning and numbers (filter, trigger, confirm, config). */
  details: Record<string, unknown>;
  /**
   * Stop-loss and take-profit price levels (quote) the signal itself gives — a chat call's "SL 61 000 / TP
   * 68 000"; the market detector leaves them out. A signal bot uses them instead of its ATR multiples.
   */
  stopLoss?: string | null;
  takeProfit?: string | null;
}

/** Input of `market.candles`. */
export const candlesInputSchema = z.object({
  exchange: exchangeIdSchema.optional(),
  symbol: symbolSchema,
  timeframe: timeframeSchema,
  /** Inclusive open-time bounds, Unix ms. */
  from: unixMsSchema.optional(),
  to: unixMsSchema.optional(),
  /** Most recent N candles when `from` is absent. */
  limit: z.number().int().min(1).max(50_000).default(2000),
});

/** Input of `market.signals`. */
export const signalsInputSchema = z.object({
  exchange: exchangeIdSchema.optional(),
  symbol: symbolSchema.optional(),
  from: unixMsSchema.optional(),
  to: unixMsSchema.optional(),
  limit: z.number().int().min(1).max(5000).default(500),
});

/** Input of `market.detectHistory`: walk a date range and return (and store) signals. */
export const detectHistoryInputSchema = z.object({
  exchange: exchangeIdSchema.optional(),
  symbol: symbolSchema,
  from: unixMsSchema,
  to: unixMsSchema,
});

/** Input of `market.onCandle` subscription. */
export const candleStreamInputSchema = z.object({
  exchange: exchangeIdSchema.optional(),
  symbol: symbolSchema,
  timeframe: timeframeSchema,
});

/** A live candle update from the feed: `closed` is false while the candle is forming. */
export interface CandleUpdate {
  exchange: string;
  symbol: string;
  timeframe: Timeframe;
  candle: CandleWithIndicators;
  closed: boolean;
}

/** Feed kinds: replay of stored history, or live exchange sync. */
export const FEED_KINDS = ['replay', 'live'] as const;
/** One of {@link FEED_KINDS}. */
export type FeedKind = (typeof FEED_KINDS)[number];

/** State of the market feed, shown in the header and `/health`. */
export interface FeedState {
  kind: FeedKind;
  running: boolean;
  /** Current feed time (simulated in replay), Unix ms. */
  now: number;
  /** Replay speed multiplier (simulated ms per real ms); 1 for live. */
  speed: number;
  exchange: string;
  symbols: string[];
}
