/**
 * Shapes the trade page reads from `trading.*` that have no shared contract (they are the ExchangeAdapter
 * port's, server-side): markets, positions, balances. Kept structural and minimal: the router's outputs are
 * checked against them where they are passed to components. Trades, orders, fills, pending orders and the
 * estimate use the shared `TradeView`, `OrderView`, `FillView`, `PendingOrderView` and `TradeEstimate`.
 */
import type { DecimalString, MarketType, PositionSide } from '@osprey/shared';

/** `trading.markets` item: what placing an order on a symbol needs. */
export interface MarketRow {
  symbol: string;
  base: string;
  quote: string;
  type: MarketType;
  amountStep: DecimalString;
  priceStep: DecimalString;
  minAmount: DecimalString | null;
  minNotional: DecimalString | null;
  makerFee: DecimalString;
  takerFee: DecimalString;
  maxLeverage: number;
}

/** `trading.positions` item (perpetuals). */
export interface PositionRow {
  symbol: string;
  side: PositionSide;
  amount: DecimalString;
  entryPrice: DecimalString;
  markPrice: DecimalString | null;
  leverage: number;
  liquidationPrice: DecimalString | null;
  unrealizedPnl: DecimalString;
}

/** `trading.balances` item. */
export interface BalanceRow {
  currency: string;
  free: DecimalString;
  used: DecimalString;
  total: DecimalString;
}
