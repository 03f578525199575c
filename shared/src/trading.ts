import { z } from 'zod';
import { exchangeIdSchema, symbolSchema, unixMsSchema } from './market.js';

/** Market types an account trades: spot, or USDT-margined perpetual swaps. */
export const MARKET_TYPES = ['spot', 'swap'] as const;
/** One of {@link MARKET_TYPES}. */
export type MarketType = (typeof MARKET_TYPES)[number];

/** Account modes: real money, the venue's sandbox/testnet, or Osprey's paper exchange. */
export const ACCOUNT_MODES = ['live', 'sandbox', 'paper'] as const;
/** One of {@link ACCOUNT_MODES}. */
export type AccountMode = (typeof ACCOUNT_MODES)[number];

/** Order sides (ccxt). */
export const ORDER_SIDES = ['buy', 'sell'] as const;
/** One of {@link ORDER_SIDES}. */
export type OrderSide = (typeof ORDER_SIDES)[number];

/** Order types placed through the port. Stop-loss/take-profit are `market` or `limit` orders with a trigger. */
export const ORDER_TYPES = ['market', 'limit'] as const;
/** One of {@link ORDER_TYPES}. */
export type OrderType = (typeof ORDER_TYPES)[number];

/** What an order is for: a plain order, or a conditional stop-loss / take-profit (trigger) order. */
export const ORDER_KINDS = ['regular', 'stop_loss', 'take_profit'] as const;
/** One of {@link ORDER_KINDS}. */
export type OrderKind = (typeof ORDER_KINDS)[number];

/** Order lifecycle states (ccxt unified). `open` includes untriggered conditional orders. */
export const ORDER_STATUSES = ['open', 'closed', 'canceled', 'rejected', 'expired'] as const;
/** One of {@link ORDER_STATUSES}. */
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Position direction. */
export const POSITION_SIDES = ['long', 'short'] as const;
/** One of {@link POSITION_SIDES}. */
export type PositionSide = (typeof POSITION_SIDES)[number];

/**
 * A decimal number as a string (money on the wire is never a float): optional minus, digits, optional
 * fraction, no exponent. E.g. `"0.001"`, `"65000.5"`, `"-12.25"`.
 */
export const decimalStringSchema = z
  .string()
  .max(40)
  .regex(/^-?\d+(\.\d+)?$/, 'must be a decimal number like 12.5 (no exponent)')
  .regex(/^-?\d{1,20}(\.\d{1,18})?$/, 'must have at most 20 digits before the point and 18 after');
/** A strictly positive decimal string. */
export const positiveDecimalSchema = decimalStringSchema.refine((s) => !s.startsWith('-') && /[1-9]/.test(s), 'must be greater than 0');
/** A decimal string. */
export type DecimalString = string;

/** Starting balances of a paper account, e.g. `{ USDT: "10000" }`. */
export const paperBalancesSchema = z.record(z.string().regex(/^[A-Z0-9]{1,20}$/, 'currency must be upper-case, e.g. USDT'), positiveDecimalSchema);

/** Input of `accounts.create` / `accounts.update` (secrets optional on update: absent = keep). */
export const accountInputSchema = z
  .object({
    name: z.string().trim().min(1, 'name is required').max(60),
    exchange: exchangeIdSchema,
    marketType: z.enum(MARKET_TYPES),
    mode: z.enum(ACCOUNT_MODES),
    apiKey: z.string().trim().max(512).optional(),
    secret: z.string().trim().max(1024).optional(),
    passphrase: z.string().trim().max(256).optional(),
    paperBalances: paperBalancesSchema.optional(),
  })
  .superRefine((a, ctx) => {
    if (a.mode === 'paper' && !a.paperBalances) {
      ctx.addIssue({ code: 'custom', path: ['paperBalances'], message: 'paper accounts need starting balances, e.g. { "USDT": "10000" }' });
    }
  });
/** Parsed {@link accountInputSchema}. */
export type AccountInput = z.infer<typeof accountInputSchema>;

/** An account as returned to clients: secrets are never returned, only their last 4 characters. */
export interface PublicAccount {
  id: string;
  name: string;
  exchange: string;
  marketType: MarketType;
  mode: AccountMode;
  /** e.g. `"…a1b2"`; null when no key is stored. */
  apiKeyHint: string | null;
  hasSecret: boolean;
  hasPassphrase: boolean;
  paperBalances: Record<string, string> | null;
  createdAt: number;
}

/** Input of an order placed through the port (amount in base currency; price in quote). */
export const orderRequestSchema = z.object({
  clientOrderId: z.string().min(1).max(36),
  symbol: symbolSchema,
  side: z.enum(ORDER_SIDES),
  type: z.enum(ORDER_TYPES),
  amount: positiveDecimalSchema,
  price: positiveDecimalSchema.optional(),
  reduceOnly: z.boolean().default(false),
  kind: z.enum(ORDER_KINDS).default('regular'),
  /** Trigger price of a stop-loss / take-profit order. */
  triggerPrice: positiveDecimalSchema.optional(),
});

/**
 * Lifecycle of a trade (one position managed by the TradingManager), as in the domain trade machine: `opening`
 * until the entry fills, `open` while a position is held, `closed` when flat again, `cancelled` when the entry was
 * abandoned unfilled.
 */
export const TRADE_STATUSES = ['opening', 'open', 'closed', 'cancelled'] as const;
/** One of {@link TRADE_STATUSES}. */
export type TradeStatus = (typeof TRADE_STATUSES)[number];

/** What opened a trade: the user, a detector/Discord signal, a triggered pending order, or a bot. */
export const TRADE_SOURCES = ['manual', 'signal', 'pending', 'bot'] as const;
/** One of {@link TRADE_SOURCES}. */
export type TradeSource = (typeof TRADE_SOURCES)[number];

/** Which way the price must cross a pending order's trigger: up through it (`above`) or down through it (`below`). */
export const PENDING_DIRECTIONS = ['above', 'below'] as const;
/** One of {@link PENDING_DIRECTIONS}. */
export type PendingDirection = (typeof PENDING_DIRECTIONS)[number];

/**
 * States of a pending (price-triggered) order: `PENDING` (watching the price), `TRIGGERED` (fired and opened its
 * trade), `FAILED` (fired but no trade opened; `error` says why), `CANCELLED` (by the trader), `EXPIRED`.
 */
export const PENDING_ORDER_STATUSES = ['PENDING', 'TRIGGERED', 'FAILED', 'CANCELLED', 'EXPIRED'] as const;
/** One of {@link PENDING_ORDER_STATUSES}. */
export type PendingOrderStatus = (typeof PENDING_ORDER_STATUSES)[number];

/** Whether a fill added liquidity (maker) or took it (taker). */
export const FILL_LIQUIDITIES = ['maker', 'taker'] as const;
/** One of {@link FILL_LIQUIDITIES}. */
export type FillLiquidity = (typeof FILL_LIQUIDITIES)[number];

/**
 * One take-profit leg of a trade plan: close `share` (fraction of the trade amount, decimal string in (0, 1],
 * e.g. `"0.5"`) at `price` (quote). `orderId` / `clientOrderId` identify the placed TP order; `filled` once executed.
 */
export interface TakeProfitLeg {
  price: DecimalString;
  share: DecimalString;
  orderId?: string | null;
  clientOrderId?: string | null;
  filled?: boolean;
}

/** The stop-loss of a trade plan: `price` (quote), the placed stop order's ids, and whether it fired. */
export interface StopLossPlan {
  price: DecimalString;
  orderId?: string | null;
  clientOrderId?: string | null;
  triggered?: boolean;
}

/** An account id (UUID) as an input. */
export const accountIdSchema = z.uuid('id must be an account id');

/**
 * Input of `accounts.update`: the account id plus the full {@link accountInputSchema} fields. Secrets: absent =
 * keep the stored one, empty string = remove it.
 */
export const accountUpdateInputSchema = z.intersection(z.object({ id: accountIdSchema }), accountInputSchema);
/** Parsed {@link accountUpdateInputSchema}. */
export type AccountUpdateInput = z.infer<typeof accountUpdateInputSchema>;

/**
 * Result of `accounts.testConnection`: the balances read with the stored credentials (currencies with a zero
 * total left out), or a machine code and a sentence telling the user what to fix.
 */
export type ConnectionTestResult =
  | { ok: true; balances: { currency: string; free: DecimalString; used: DecimalString; total: DecimalString }[] }
  | { ok: false; code: string; message: string };

/** Position sizing of the order ticket: base amount, quote notional, or % of equity risked to the stop. */
export const sizingSchema = z.object({
  mode: z.enum(['base', 'quote', 'risk']),
  value: positiveDecimalSchema,
});

/** A take-profit target in a ticket: `share` of the position (fraction in (0, 1]) at `price`. */
export const targetInputSchema = z.object({ price: positiveDecimalSchema, share: positiveDecimalSchema });

/** Input of `trading.open` (and `trading.estimate`): open a managed position. */
export const openTradeInputSchema = z
  .object({
    accountId: accountIdSchema,
    symbol: symbolSchema,
    side: z.enum(POSITION_SIDES),
    sizing: sizingSchema,
    leverage: z.number().int().min(1).max(125).default(1),
    entryType: z.enum(ORDER_TYPES).default('market'),
    entryPrice: positiveDecimalSchema.optional(),
    stopLoss: positiveDecimalSchema.optional(),
    takeProfits: z.array(targetInputSchema).max(10).default([]),
    breakevenAfterTp1: z.boolean().default(false),
    /** Detector signal id when opened from a signal ("trade this"). */
    sourceSignalId: z.string().max(200).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.entryType === 'limit' && !v.entryPrice) ctx.addIssue({ code: 'custom', path: ['entryPrice'], message: 'a limit entry needs a price' });
    if (v.sizing.mode === 'risk' && !v.stopLoss) ctx.addIssue({ code: 'custom', path: ['stopLoss'], message: 'sizing by risk needs a stop-loss' });
    const shares = v.takeProfits.reduce((a, t) => a + Number(t.share), 0);
    if (shares > 1 + 1e-12) ctx.addIssue({ code: 'custom', path: ['takeProfits'], message: 'target shares add up to more than 100 %' });
  });
/** Parsed {@link openTradeInputSchema}. */
export type OpenTradeInput = z.infer<typeof openTradeInputSchema>;

/** A trade id (UUID) as an input. */
export const tradeIdSchema = z.uuid('tradeId must be a trade id');

/** Input of `trading.add`: add `amount` (base) at market. */
export const addToTradeInputSchema = z.object({ tradeId: tradeIdSchema, amount: positiveDecimalSchema });
/** Input of `trading.close`: close all, or `amount` (base) only (reduce), at market. */
export const closeTradeInputSchema = z.object({ tradeId: tradeIdSchema, amount: positiveDecimalSchema.optional(), reason: z.string().trim().max(200).default('manual') });
/** Input of `trading.protect`: replace the stop-loss (null removes it) and/or the targets. */
export const protectTradeInputSchema = z.object({
  tradeId: tradeIdSchema,
  stopLoss: positiveDecimalSchema.nullable().optional(),
  takeProfits: z.array(targetInputSchema).max(10).optional(),
});

/** Input of `pending.create`: a price-triggered entry that opens a trade exactly once, or expires. */
export const createPendingInputSchema = z.object({
  accountId: accountIdSchema,
  symbol: symbolSchema,
  side: z.enum(POSITION_SIDES),
  sizing: sizingSchema,
  triggerPrice: positiveDecimalSchema,
  /**
   * The trader's choice of crossing: `above` fires when the price rises to `triggerPrice`, `below` when it falls
   * to it. The trigger must lie on that side of the current price (else it would fire at once: refused).
   */
  direction: z.enum(PENDING_DIRECTIONS, 'must be "above" (fires when the price rises to the trigger) or "below" (fires when it falls to it)'),
  leverage: z.number().int().min(1).max(125).default(1),
  stopLoss: positiveDecimalSchema.optional(),
  takeProfits: z.array(targetInputSchema).max(10).default([]),
  /** Lifetime in ms (default 1 h, max 30 days). */
  expiresInMs: z.number().int().min(60_000).max(30 * 86_400_000).default(3_600_000),
  sourceSignalId: z.string().max(200).optional(),
});
/** Parsed {@link createPendingInputSchema}. */
export type CreatePendingInput = z.infer<typeof createPendingInputSchema>;

/** A trade as shown in tables and on the chart. */
export interface TradeView {
  id: string;
  accountId: string;
  symbol: string;
  side: PositionSide;
  status: TradeStatus;
  leverage: number;
  /** Held amount (base). */
  amount: DecimalString;
  entryPrice: DecimalString | null;
  stopLoss: DecimalString | null;
  /**
   * Take-profit targets. `held`: on spot with a stop-loss, armed locally by Osprey rather than resting at the
   * venue (the stop is the one resting sell; Osprey sells this share at market when the price reaches it).
   */
  takeProfits: { price: DecimalString; share: DecimalString; done: boolean; held?: boolean }[];
  realizedPnl: DecimalString;
  realizedPnlPct: DecimalString;
  /** From the last/mark price; null when flat or no price. */
  unrealizedPnl: DecimalString | null;
  fees: DecimalString;
  source: TradeSource;
  sourceRef: string | null;
  closeReason: string | null;
  openedAt: number;
  closedAt: number | null;
  /** The last order problem of an active trade (e.g. a stop the venue refused or cancelled), null when none. */
  lastError?: string | null;
}

/** Live events of one account, streamed by `trading.onAccount`. */
export type AccountEvent =
  | { type: 'order'; accountId: string; order: Record<string, unknown> }
  | { type: 'fill'; accountId: string; fill: Record<string, unknown> }
  | { type: 'trade'; accountId: string; trade: TradeView }
  | { type: 'positions'; accountId: string; positions: Record<string, unknown>[] }
  | { type: 'balances'; accountId: string; balances: { currency: string; free: DecimalString; used: DecimalString; total: DecimalString }[] }
  | { type: 'equity'; accountId: string; ts: number; equity: DecimalString }
  | { type: 'pending'; accountId: string; pending: Record<string, unknown> };

// ---- trading router inputs and outputs (appended with the trading service) ----

/** Input of the per-account `trading.*` reads (`markets`, `positions`, `balances`, `onAccount`). */
export const tradingAccountInputSchema = z.object({ accountId: accountIdSchema });

/** Input of `trading.ticker`. */
export const tickerInputSchema = z.object({ accountId: accountIdSchema, symbol: symbolSchema });

/** Which trades `trading.trades` lists: `active` = opening or open, `closed` = closed or cancelled. */
export const TRADE_LIST_STATUSES = ['active', 'closed', 'all'] as const;
/** Input of `trading.trades` (default `all`). */
export const tradesListInputSchema = z.object({ accountId: accountIdSchema, status: z.enum(TRADE_LIST_STATUSES).default('all') });

/** Input of `trading.orders`: `open` orders, or the `history` (everything not open); default `open`. */
export const ordersListInputSchema = z.object({ accountId: accountIdSchema, status: z.enum(['open', 'history']).default('open') });

/** Input of `trading.fills` (newest first; default 200, at most 5000). */
export const fillsListInputSchema = z.object({ accountId: accountIdSchema, limit: z.number().int().min(1).max(5000).default(200) });

/** Input of `trading.equity`: snapshots at or after `from` (Unix ms). */
export const equityInputSchema = z.object({ accountId: accountIdSchema, from: unixMsSchema.optional() });

/** Input of `trading.cancelOrder`: `orderId` is the `id` that `trading.orders` returned. */
export const cancelOrderInputSchema = z.object({ accountId: accountIdSchema, orderId: z.string().trim().min(1, 'orderId is required').max(100) });

/** Input of `trading.cancelEntry`. */
export const cancelEntryInputSchema = z.object({ tradeId: tradeIdSchema });

/** Input of `trading.pendingCancel`. */
export const pendingIdInputSchema = z.object({ id: z.uuid('id must be a pending order id') });

/** Input of `trading.pendingList` (all statuses when `status` is absent). */
export const pendingListInputSchema = z.object({ accountId: accountIdSchema, status: z.enum(PENDING_ORDER_STATUSES).optional() });

/** Parsed {@link sizingSchema}. */
export type SizingInput = z.infer<typeof sizingSchema>;

/** Result of `trading.estimate`: what the ticket would place, before submitting. Decimal strings in quote unless noted. */
export interface TradeEstimate {
  /** Base amount, floored to the amount step. */
  amount: DecimalString;
  /** Expected entry price: the limit price, else the last price. */
  price: DecimalString;
  /** amount × price. */
  notional: DecimalString;
  /** Entry fee at the taker (market) or maker (limit) rate. */
  fee: DecimalString;
  /** Initial margin (notional / leverage) on perpetuals; the notional on spot. */
  margin: DecimalString;
  /** Isolated-margin liquidation price (perpetuals), null on spot. */
  liquidationPrice: DecimalString | null;
  /** Problems that would make `open` fail or that the trader should know (minimums, funds, stop beyond liquidation…). */
  warnings: string[];
}

/** An order as `trading.orders` lists it: the port's order fields plus the trade it belongs to. */
export interface OrderView {
  /** The venue's order id (use it with `trading.cancelOrder`); Osprey's row id while the venue has not acknowledged it. */
  id: string;
  clientOrderId: string | null;
  symbol: string;
  side: OrderSide;
  type: OrderType;
  kind: OrderKind;
  status: OrderStatus;
  amount: DecimalString;
  filled: DecimalString;
  price: DecimalString | null;
  average: DecimalString | null;
  triggerPrice: DecimalString | null;
  reduceOnly: boolean;
  fee: DecimalString;
  feeCurrency: string | null;
  createdAt: number;
  updatedAt: number;
  tradeId: string | null;
}

/** A fill as `trading.fills` lists it. */
export interface FillView {
  /** The venue's fill id. */
  id: string;
  /** The venue's order id. */
  orderId: string;
  clientOrderId: string | null;
  symbol: string;
  side: OrderSide;
  price: DecimalString;
  amount: DecimalString;
  fee: DecimalString;
  feeCurrency: string;
  liquidity: FillLiquidity;
  ts: number;
}

/** A pending (price-triggered) order as `trading.pendingList` / `pendingCreate` return it. */
export interface PendingOrderView {
  id: string;
  accountId: string;
  symbol: string;
  side: PositionSide;
  /** Base amount estimated at creation (at the trigger price); the trade is sized again from `sizing` when it fires. */
  amount: DecimalString;
  sizing: SizingInput | null;
  triggerPrice: DecimalString;
  direction: PendingDirection;
  stopLoss: DecimalString | null;
  takeProfits: { price: DecimalString; share: DecimalString }[];
  leverage: number;
  sourceSignalId: string | null;
  status: PendingOrderStatus;
  expiresAt: number;
  /** When the trigger fired (Unix ms, market clock), also for a FAILED order; null before. */
  triggeredAt: number | null;
  tradeId: string | null;
  /** Why no trade opened after the trigger fired (status FAILED), in words naming the field; else null. */
  error: string | null;
  createdAt: number;
}
