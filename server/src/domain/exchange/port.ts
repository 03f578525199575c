/**
 * The ExchangeAdapter port: everything Osprey asks of a venue, implemented by `CcxtExchange` (any ccxt id,
 * live or sandbox) and `PaperExchange` (fills against the market feed with the domain fill rules).
 * Money crosses this boundary as decimal strings; amounts are in the base currency (contracts are
 * converted by the adapter), prices in the quote currency. Times are Unix ms UTC.
 */
import type { Candle, DecimalString, MarketType, OrderKind, OrderSide, OrderStatus, OrderType, PositionSide, Timeframe } from '@osprey/shared';

/** Market metadata needed to place valid orders. */
export interface MarketInfo {
  /** ccxt unified symbol, e.g. `BTC/USDT` or `BTC/USDT:USDT`. */
  symbol: string;
  base: string;
  quote: string;
  type: MarketType;
  /** Smallest amount step (base), e.g. `"0.00001"`. */
  amountStep: DecimalString;
  /** Smallest price step (quote), e.g. `"0.01"`. */
  priceStep: DecimalString;
  /** Minimum order amount (base), if the venue has one. */
  minAmount: DecimalString | null;
  /** Minimum order notional (quote), if the venue has one. */
  minNotional: DecimalString | null;
  /** Fee rates as fractions, e.g. `"0.001"`. */
  makerFee: DecimalString;
  takerFee: DecimalString;
  /** Highest leverage allowed (1 on spot). */
  maxLeverage: number;
}

/** Last trade / mark price of a symbol. */
export interface Ticker {
  symbol: string;
  last: DecimalString;
  bid: DecimalString | null;
  ask: DecimalString | null;
  /** Mark price on perpetuals (drives unrealized PnL and liquidation); null on spot. */
  mark: DecimalString | null;
  ts: number;
}

/** Balance of one currency. `total = free + used`. */
export interface Balance {
  currency: string;
  free: DecimalString;
  used: DecimalString;
  total: DecimalString;
}

/** An open position (perpetuals; spot holdings are balances). */
export interface Position {
  symbol: string;
  side: PositionSide;
  /** Size in base currency, positive. */
  amount: DecimalString;
  entryPrice: DecimalString;
  markPrice: DecimalString | null;
  leverage: number;
  marginMode: 'isolated' | 'cross';
  /** Margin locked for an isolated position (quote). */
  margin: DecimalString | null;
  liquidationPrice: DecimalString | null;
  unrealizedPnl: DecimalString;
  updatedAt: number;
}

/** A request to place an order. Prices/amounts are rounded to the market's steps by the adapter. */
export interface OrderRequest {
  /** Deterministic id chosen by Osprey (≤ 36 chars, `[A-Za-z0-9_-]`), used to find the order after a timeout. */
  clientOrderId: string;
  symbol: string;
  side: OrderSide;
  type: OrderType;
  /** Base amount. */
  amount: DecimalString;
  /** Limit price (type `limit`). */
  price?: DecimalString;
  /** Never increases a position. */
  reduceOnly?: boolean;
  /** `stop_loss` / `take_profit` make this a conditional order that triggers at `triggerPrice`. */
  kind?: OrderKind;
  triggerPrice?: DecimalString;
}

/** One execution of an order. */
export interface Fill {
  id: string;
  orderId: string;
  clientOrderId: string | null;
  symbol: string;
  side: OrderSide;
  price: DecimalString;
  amount: DecimalString;
  fee: DecimalString;
  feeCurrency: string;
  liquidity: 'maker' | 'taker';
  ts: number;
}

/** An order as the venue reports it. */
export interface Order {
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
  /** Average fill price. */
  average: DecimalString | null;
  triggerPrice: DecimalString | null;
  reduceOnly: boolean;
  fee: DecimalString;
  feeCurrency: string | null;
  createdAt: number;
  updatedAt: number;
}

/** A venue, live or simulated. Every method may throw an {@link ExchangeError} subclass (see errors.ts). */
export interface ExchangeAdapter {
  /** ccxt exchange id (`paper` venues report the id they simulate). */
  readonly id: string;
  readonly marketType: MarketType;
  /** Market metadata by symbol (cached after the first call). */
  loadMarkets(): Promise<Record<string, MarketInfo>>;
  fetchTicker(symbol: string): Promise<Ticker>;
  fetchOHLCV(symbol: string, timeframe: Timeframe, since?: number, limit?: number): Promise<Candle[]>;
  fetchBalance(): Promise<Balance[]>;
  /** Open positions (empty on spot). */
  fetchPositions(symbols?: string[]): Promise<Position[]>;
  /** Sets leverage for a perpetual symbol (no-op on spot). */
  setLeverage(symbol: string, leverage: number): Promise<void>;
  createOrder(req: OrderRequest): Promise<Order>;
  cancelOrder(id: string, symbol: string): Promise<Order>;
  fetchOrder(id: string, symbol: string): Promise<Order>;
  /** Looks an order up by its clientOrderId (after an ambiguous create); null when the venue never got it. */
  fetchOrderByClientId(clientOrderId: string, symbol: string): Promise<Order | null>;
  fetchOpenOrders(symbol?: string): Promise<Order[]>;
  /** Own fills, oldest first. */
  fetchMyTrades(symbol: string, since?: number): Promise<Fill[]>;
  /**
   * Every fill of one order, oldest first, whatever their time: looked up by the order, never by a time
   * window (a fill may carry a time before the order's creation, e.g. when a replay's market clock resumed
   * behind the venue). For a triggered conditional order of a separate book (`algo:` ids) these are the fills
   * of the order it spawned (their `orderId` is that order's). Empty when the order has no fill yet or the
   * venue does not know it.
   * @param id the venue's order id (as in {@link Order.id})
   * @param symbol the order's market
   */
  fetchOrderFills(id: string, symbol: string): Promise<Fill[]>;
  /**
   * Live order stream, offered only by venues that push order changes (ccxt.pro `watchOrders`). Calls
   * `onUpdate` (no arguments: the caller re-reads what it needs) whenever the venue pushes an order change;
   * reconnects on its own and never throws. Stopped by the returned function or by {@link close}.
   * @returns a stop function (idempotent)
   */
  watchOrders?(onUpdate: () => void): () => void;
  /** Releases connections and timers. */
  close(): Promise<void>;
}
