import { boolean, index, integer, jsonb, numeric, pgEnum, pgTable, primaryKey, text, unique, type AnyPgColumn } from 'drizzle-orm/pg-core';
import {
  ACCOUNT_MODES,
  FILL_LIQUIDITIES,
  MARKET_TYPES,
  ORDER_KINDS,
  ORDER_SIDES,
  ORDER_STATUSES,
  ORDER_TYPES,
  PENDING_DIRECTIONS,
  PENDING_ORDER_STATUSES,
  POSITION_SIDES,
  TRADE_SOURCES,
  TRADE_STATUSES,
  type StopLossPlan,
  type TakeProfitLeg,
} from '@osprey/shared';
import { unixMs } from './columns.js';
import { users } from './users.js';

/*
 * Trading persistence. Money and amounts are `numeric` without precision (exact decimals, read and written as
 * strings: never floats); times are Unix ms UTC (`bigint`). Every account-owned table cascades on account delete.
 */

/** Ledger money/amount column: exact `numeric`, read and written as a decimal string. */
const money = (name: string) => numeric(name, { mode: 'string' });

/** pg enum of {@link MARKET_TYPES}. */
export const marketTypeEnum = pgEnum('market_type', MARKET_TYPES);
/** pg enum of {@link ACCOUNT_MODES}. */
export const accountModeEnum = pgEnum('account_mode', ACCOUNT_MODES);
/** pg enum of {@link ORDER_SIDES}. */
export const orderSideEnum = pgEnum('order_side', ORDER_SIDES);
/** pg enum of {@link ORDER_TYPES}. */
export const orderTypeEnum = pgEnum('order_type', ORDER_TYPES);
/** pg enum of {@link ORDER_KINDS}. */
export const orderKindEnum = pgEnum('order_kind', ORDER_KINDS);
/** pg enum of {@link ORDER_STATUSES}. */
export const orderStatusEnum = pgEnum('order_status', ORDER_STATUSES);
/** pg enum of {@link POSITION_SIDES}. */
export const positionSideEnum = pgEnum('position_side', POSITION_SIDES);
/** pg enum of {@link TRADE_STATUSES}. */
export const tradeStatusEnum = pgEnum('trade_status', TRADE_STATUSES);
/** pg enum of {@link TRADE_SOURCES}. */
export const tradeSourceEnum = pgEnum('trade_source', TRADE_SOURCES);
/** pg enum of {@link PENDING_DIRECTIONS}. */
export const pendingDirectionEnum = pgEnum('pending_direction', PENDING_DIRECTIONS);
/** pg enum of {@link PENDING_ORDER_STATUSES}. */
export const pendingOrderStatusEnum = pgEnum('pending_order_status', PENDING_ORDER_STATUSES);
/** pg enum of {@link FILL_LIQUIDITIES}. */
export const fillLiquidityEnum = pgEnum('fill_liquidity', FILL_LIQUIDITIES);

/**
 * A user's exchange account. `*_enc` columns hold SecretBox ciphertexts (`v1:<iv>:<tag>:<ct>`, AES-256-GCM,
 * additional data bound to the account id and field), never plaintext; `api_key_last4` is the only clear part,
 * shown as a hint. Paper accounts store no secrets, only their starting `paper_balances` (`{ USDT: "10000" }`).
 */
export const exchangeAccounts = pgTable(
  'exchange_accounts',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** ccxt exchange id (the venue a paper account simulates). */
    exchange: text('exchange').notNull(),
    marketType: marketTypeEnum('market_type').notNull(),
    mode: accountModeEnum('mode').notNull(),
    apiKeyEnc: text('api_key_enc'),
    secretEnc: text('secret_enc'),
    passphraseEnc: text('passphrase_enc'),
    apiKeyLast4: text('api_key_last4'),
    paperBalances: jsonb('paper_balances').$type<Record<string, string>>(),
    createdAt: unixMs('created_at').notNull(),
    updatedAt: unixMs('updated_at').notNull(),
  },
  (t) => [unique('exchange_accounts_user_name_uq').on(t.userId, t.name)],
);

/**
 * A trade: one position lifecycle managed by the TradingManager, from the entry order to the last exit.
 * `amount` is the base amount held now, `closed_amount` how much has been closed; PnL and fees in quote;
 * `realized_pnl_pct` a percentage (e.g. `"12.5"`). `stop_loss`/`take_profits` are the exit plan with the ids of
 * the orders that implement it. `state` holds the domain trade machine's full state (`TradeState`) so a restart
 * resumes exactly; the flat columns mirror it for queries and the UI.
 */
export const trades = pgTable(
  'trades',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => exchangeAccounts.id, { onDelete: 'cascade' }),
    symbol: text('symbol').notNull(),
    side: positionSideEnum('side').notNull(),
    status: tradeStatusEnum('status').notNull().default('opening'),
    leverage: integer('leverage').notNull().default(1),
    /** Average entry price (quote); null until the entry order fills. */
    entryPrice: money('entry_price'),
    amount: money('amount').notNull(),
    closedAmount: money('closed_amount').notNull().default('0'),
    realizedPnl: money('realized_pnl').notNull().default('0'),
    realizedPnlPct: money('realized_pnl_pct').notNull().default('0'),
    fees: money('fees').notNull().default('0'),
    stopLoss: jsonb('stop_loss').$type<StopLossPlan>(),
    takeProfits: jsonb('take_profits').$type<TakeProfitLeg[]>().notNull().default([]),
    /** Move the stop to the entry price once the first take-profit fills. */
    breakevenAfterTp1: boolean('breakeven_after_tp1').notNull().default(false),
    source: tradeSourceEnum('source').notNull().default('manual'),
    /** Id of what opened it (signal id, pending order id, bot id). */
    sourceRef: text('source_ref'),
    /** Why it closed, e.g. `stop_loss`, `take_profit`, `manual`, `liquidation`. */
    closeReason: text('close_reason'),
    /** The trade machine's persisted state (domain `TradeState`), written with every transition. */
    state: jsonb('state').$type<Record<string, unknown>>(),
    openedAt: unixMs('opened_at').notNull(),
    closedAt: unixMs('closed_at'),
  },
  (t) => [index('trades_account_status_idx').on(t.accountId, t.status, t.openedAt)],
);

/**
 * Orders placed by Osprey (or synced from the venue). `client_order_id` is Osprey's deterministic id, unique per
 * account, so a retried create finds its order; `exchange_order_id` is null until the venue acknowledges it.
 * Amounts in base, prices in quote, `fee` in `fee_currency`.
 */
export const orders = pgTable(
  'orders',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => exchangeAccounts.id, { onDelete: 'cascade' }),
    exchangeOrderId: text('exchange_order_id'),
    clientOrderId: text('client_order_id').notNull(),
    symbol: text('symbol').notNull(),
    side: orderSideEnum('side').notNull(),
    type: orderTypeEnum('type').notNull(),
    kind: orderKindEnum('kind').notNull().default('regular'),
    status: orderStatusEnum('status').notNull(),
    amount: money('amount').notNull(),
    filled: money('filled').notNull().default('0'),
    price: money('price'),
    average: money('average'),
    triggerPrice: money('trigger_price'),
    reduceOnly: boolean('reduce_only').notNull().default(false),
    fee: money('fee').notNull().default('0'),
    feeCurrency: text('fee_currency'),
    tradeId: text('trade_id').references((): AnyPgColumn => trades.id, { onDelete: 'set null' }),
    createdAt: unixMs('created_at').notNull(),
    updatedAt: unixMs('updated_at').notNull(),
  },
  (t) => [
    unique('orders_account_client_uq').on(t.accountId, t.clientOrderId),
    index('orders_account_exchange_idx').on(t.accountId, t.exchangeOrderId),
    index('orders_trade_idx').on(t.tradeId),
  ],
);

/**
 * Executions (own trades) as the venue reports them, de-duplicated by the venue's fill id. `order_id` is the
 * venue's order id (`Fill.orderId`); `client_order_id` Osprey's, when the venue echoes it.
 */
export const fills = pgTable(
  'fills',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => exchangeAccounts.id, { onDelete: 'cascade' }),
    orderId: text('order_id').notNull(),
    clientOrderId: text('client_order_id'),
    exchangeFillId: text('exchange_fill_id').notNull(),
    symbol: text('symbol').notNull(),
    side: orderSideEnum('side').notNull(),
    price: money('price').notNull(),
    amount: money('amount').notNull(),
    fee: money('fee').notNull(),
    feeCurrency: text('fee_currency').notNull(),
    liquidity: fillLiquidityEnum('liquidity').notNull(),
    ts: unixMs('ts').notNull(),
  },
  (t) => [unique('fills_account_exchange_fill_uq').on(t.accountId, t.exchangeFillId), index('fills_account_order_idx').on(t.accountId, t.orderId)],
);

/**
 * Price-triggered orders kept by Osprey (not at the venue): when the price crosses `trigger_price` in
 * `direction`, a trade is opened (`trade_id`) with the given stop-loss price and take-profit plan.
 */
export const pendingOrders = pgTable(
  'pending_orders',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => exchangeAccounts.id, { onDelete: 'cascade' }),
    symbol: text('symbol').notNull(),
    side: positionSideEnum('side').notNull(),
    amount: money('amount').notNull(),
    triggerPrice: money('trigger_price').notNull(),
    direction: pendingDirectionEnum('direction').notNull(),
    stopLoss: money('stop_loss'),
    takeProfits: jsonb('take_profits').$type<TakeProfitLeg[]>().notNull().default([]),
    leverage: integer('leverage').notNull().default(1),
    sourceSignalId: text('source_signal_id'),
    status: pendingOrderStatusEnum('status').notNull().default('PENDING'),
    expiresAt: unixMs('expires_at'),
    triggeredAt: unixMs('triggered_at'),
    tradeId: text('trade_id').references(() => trades.id, { onDelete: 'set null' }),
    /** The ticket's sizing (`{ mode, value }`), re-applied when the trigger fires; `amount` is the estimate at creation. */
    sizing: jsonb('sizing').$type<{ mode: 'base' | 'quote' | 'risk'; value: string }>(),
    /** Why opening the trade failed after the trigger fired (the order stays TRIGGERED without a trade). */
    error: text('error'),
    createdAt: unixMs('created_at').notNull(),
  },
  (t) => [index('pending_orders_status_idx').on(t.status, t.accountId)],
);

/**
 * Position history as reported by the venue, one row per (account, symbol, side, venue update time): a re-sync
 * of an unchanged position inserts nothing. Side is part of the key so hedge-mode long and short positions on
 * one symbol do not collide.
 */
export const positionSnapshots = pgTable(
  'position_snapshots',
  {
    accountId: text('account_id')
      .notNull()
      .references(() => exchangeAccounts.id, { onDelete: 'cascade' }),
    symbol: text('symbol').notNull(),
    side: positionSideEnum('side').notNull(),
    amount: money('amount').notNull(),
    entryPrice: money('entry_price').notNull(),
    markPrice: money('mark_price'),
    unrealizedPnl: money('unrealized_pnl').notNull(),
    updatedAt: unixMs('updated_at').notNull(),
  },
  (t) => [primaryKey({ name: 'position_snapshots_pk', columns: [t.accountId, t.symbol, t.side, t.updatedAt] })],
);

/** Account equity over time (quote currency): `equity = balance + unrealized_pnl`. */
export const equitySnapshots = pgTable(
  'equity_snapshots',
  {
    accountId: text('account_id')
      .notNull()
      .references(() => exchangeAccounts.id, { onDelete: 'cascade' }),
    ts: unixMs('ts').notNull(),
    equity: money('equity').notNull(),
    balance: money('balance').notNull(),
    unrealizedPnl: money('unrealized_pnl').notNull(),
  },
  (t) => [primaryKey({ name: 'equity_snapshots_pk', columns: [t.accountId, t.ts] })],
);

/** The paper exchange's state of one paper account (balances, positions, open orders), saved as a snapshot. */
export const paperState = pgTable('paper_state', {
  accountId: text('account_id')
    .primaryKey()
    .references(() => exchangeAccounts.id, { onDelete: 'cascade' }),
  state: jsonb('state').$type<Record<string, unknown>>().notNull(),
  updatedAt: unixMs('updated_at').notNull(),
});
