import { doublePrecision, integer, jsonb, pgEnum, pgTable, primaryKey, text, index } from 'drizzle-orm/pg-core';
import { CANDLE_TIMEFRAMES, SIGNAL_TYPES } from '@osprey/shared';
import { unixMs } from './columns.js';

/** pg enum of stored candle timeframes, from the shared `CANDLE_TIMEFRAMES` tuple (`1m` … `1d`). */
export const timeframeEnum = pgEnum('timeframe', CANDLE_TIMEFRAMES);
/** pg enum of detector signal directions. */
export const signalTypeEnum = pgEnum('signal_type', SIGNAL_TYPES);

/**
 * OHLCV candles keyed by (exchange, symbol, timeframe, open time). Prices/volume are market data
 * (the exchange's float64 values), not ledger money, so they are stored as double precision.
 */
export const candles = pgTable(
  'candles',
  {
    exchange: text('exchange').notNull(),
    symbol: text('symbol').notNull(),
    timeframe: timeframeEnum('timeframe').notNull(),
    ts: unixMs('ts').notNull(),
    open: doublePrecision('open').notNull(),
    high: doublePrecision('high').notNull(),
    low: doublePrecision('low').notNull(),
    close: doublePrecision('close').notNull(),
    volume: doublePrecision('volume').notNull(),
  },
  (t) => [primaryKey({ columns: [t.exchange, t.symbol, t.timeframe, t.ts] })],
);

/** Market-detector signals; `id` is deterministic per (exchange, symbol, candle) so re-detection is idempotent. */
export const marketSignals = pgTable(
  'market_signals',
  {
    id: text('id').primaryKey(),
    exchange: text('exchange').notNull(),
    symbol: text('symbol').notNull(),
    type: signalTypeEnum('type').notNull(),
    score: integer('score').notNull(),
    sizeMultiplier: integer('size_multiplier').notNull(),
    candleTs: unixMs('candle_ts').notNull(),
    createdAt: unixMs('created_at').notNull(),
    expiresAt: unixMs('expires_at').notNull(),
    details: jsonb('details').$type<Record<string, unknown>>().notNull(),
  },
  (t) => [index('market_signals_symbol_time_idx').on(t.exchange, t.symbol, t.candleTs)],
);
