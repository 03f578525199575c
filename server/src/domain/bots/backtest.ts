/**
 * The backtester: runs a {@link Strategy} over historical candles of one symbol against a {@link PaperEngine}
 * with a simulated clock, so a backtest fills exactly like a paper run over the replay feed.
 *
 * Per candle (ascending):
 * 1. the candle's {@link candlePath} legs (open → low → high → close when rising, open → high → low → close
 *    when falling) are applied to the engine one by one, stamped with the candle's open time; after each
 *    leg the engine's fills / dead orders are delivered to the strategy and its intents executed at once
 *    (current price = the leg's close, so a marketable limit fills immediately as taker, as in paper mode);
 * 2. at the candle's close time (`ts + timeframe`) the strategy gets the closed candle and its intents are
 *    executed with the close as current price;
 * 3. an equity point is recorded: quote balance + base holdings at the close (spot), or quote balance +
 *    unrealized PnL at the close (perpetuals).
 *
 * Intents: `place` → `PaperEngine.placeOrder` (a {@link RejectedOrderError} becomes an `orderDead` event with
 * reason `rejected`); `cancel` → `PaperEngine.cancelOrder` when the order is still open. Engine order events
 * with status canceled/expired become `orderDead` events. Events are pumped until none are left.
 */
import { TIMEFRAME_MS, type Candle, type DecimalString, type MarketType, type Timeframe } from '@osprey/shared';
import { RejectedOrderError } from '../exchange/errors.js';
import type { MarketInfo, Order } from '../exchange/port.js';
import { candlePath } from '../trading/fill-rules.js';
import { PaperEngine, type PaperFill, type PaperTotals } from '../trading/paper-engine.js';
import { Dec, str } from '../trading/precision.js';
import { computeMetrics, type EquityPoint, type RunMetrics } from './metrics.js';
import type { Intent, RoundTrip, Strategy, StrategyContext, StrategyEvent } from './strategy.js';

/** Input of {@link runBacktest}. */
export interface BacktestInput<S> {
  strategy: Strategy<S>;
  /** Market symbol traded (one per backtest for now). */
  symbol: string;
  /** Candles of `symbol`, strictly ascending by ts, all of `timeframe`. */
  candles: readonly Candle[];
  timeframe: Timeframe;
  marketType: MarketType;
  /** Market rules (fees come from `makerFee` / `takerFee`). Must contain `symbol`. */
  markets: Record<string, MarketInfo>;
  /** Starting balances, e.g. `{ USDT: "10000" }`. */
  balances: Record<string, DecimalString>;
  /** Slippage of market/stop fills, basis points (engine default 5). */
  slippageBps?: number;
  /** Leverage of the perpetual symbol (default 1). */
  leverage?: number;
}

/** An order the engine refused. */
export interface BacktestRejection {
  ts: number;
  clientOrderId: string;
  code: string;
  message: string;
}

/** Output of {@link runBacktest}. */
export interface BacktestResult<S> {
  fills: PaperFill[];
  trades: RoundTrip[];
  equity: EquityPoint[];
  rejections: BacktestRejection[];
  /** Orders still open at the end, by creation sequence. */
  openOrders: Order[];
  totals: PaperTotals;
  metrics: RunMetrics;
  finalState: S;
  /** Balances at the end (currency → total). */
  finalBalances: Record<string, DecimalString>;
}

/** Safety cap of strategy steps per pump (a strategy that answers every event with a new event would loop). */
const MAX_STEPS_PER_PUMP = 100_000;

/**
 * Runs a backtest (see the module doc).
 * @throws RangeError `candles` when empty, not ascending or not on the timeframe grid spacing; `symbol`
 *   when the market is unknown; Error when a strategy loops (more than 100 000 steps in one pump)
 */
export function runBacktest<S>(input: BacktestInput<S>): BacktestResult<S> {
  const { strategy, symbol, candles } = input;
  const market = input.markets[symbol];
  if (!market) throw new RangeError(`symbol: unknown market ${symbol}`);
  if (candles.length === 0) throw new RangeError('candles: none in the range');
  for (let i = 1; i < candles.length; i++) if (!(candles[i]!.ts > candles[i - 1]!.ts)) throw new RangeError(`candles: not ascending at index ${i}`);
  const tfMs = TIMEFRAME_MS[input.timeframe];
  const engine = new PaperEngine(
    { marketType: input.marketType, markets: input.markets, ...(input.slippageBps !== undefined ? { slippageBps: input.slippageBps } : {}) },
    input.balances,
  );
  if (input.leverage !== undefined) engine.setLeverage(symbol, input.leverage);
  let state = strategy.initialState();
  const trades: RoundTrip[] = [];
  const equity: EquityPoint[] = [];
  const rejections: BacktestRejection[] = [];
  const queue: StrategyEvent[] = [];

  const ctx = (now: number): StrategyContext => ({ now, markets: input.markets, balances: engine.balances(), positions: engine.positions() });

  const collect = () => {
    for (const e of engine.takeEvents()) {
      if (e.type === 'fill' && e.fill.clientOrderId !== null) queue.push({ type: 'fill', fill: e.fill });
      else if (e.type === 'order' && e.order.clientOrderId !== null && (e.order.status === 'canceled' || e.order.status === 'expired')) {
        queue.push({ type: 'orderDead', clientOrderId: e.order.clientOrderId, symbol: e.order.symbol, reason: e.order.status });
      }
    }
  };

  const execute = (intents: Intent[], now: number, price: number) => {
    for (const it of intents) {
      if (it.type === 'place') {
        try {
          engine.placeOrder(it.order, { now, price });
        } catch (err) {
          if (!(err instanceof RejectedOrderError)) throw err;
          rejections.push({ ts: now, clientOrderId: it.order.clientOrderId, code: err.code, message: err.message });
          queue.push({ type: 'orderDead', clientOrderId: it.order.clientOrderId, symbol: it.order.symbol, reason: 'rejected', message: err.message });
        }
      } else {
        const o = engine.getOrderByClientId(it.clientOrderId);
        if (o && o.status === 'open') engine.cancelOrder(o.id, now);
      }
      collect();
    }
  };

  const step = (event: StrategyEvent, now: number, price: number) => {
    const r = strategy.step(state, event, ctx(now));
    state = r.state;
    if (r.closed) trades.push(...r.closed);
    execute(r.intents, now, price);
  };

  const pump = (now: number, price: number) => {
    collect();
    let n = 0;
    while (queue.length > 0) {
      if (++n > MAX_STEPS_PER_PUMP) throw new Error(`strategy ${strategy.type}: more than ${MAX_STEPS_PER_PUMP} steps without progress`);
      step(queue.shift()!, now, price);
    }
  };

  step({ type: 'start' }, candles[0]!.ts, candles[0]!.open);
  pump(candles[0]!.ts, candles[0]!.open);
  for (const c of candles) {
    for (const leg of candlePath(c, symbol)) {
      engine.applyStep(leg);
      pump(leg.ts, leg.close);
    }
    const closeTs = c.ts + tfMs;
    step({ type: 'candle', symbol, candle: c, closed: true }, closeTs, c.close);
    pump(closeTs, c.close);
    equity.push(equityAt(engine, market, c.close, closeTs));
  }
  const totals = engine.totals();
  const finalBalances: Record<string, DecimalString> = {};
  for (const b of engine.balances()) finalBalances[b.currency] = b.total;
  return {
    fills: engine.fills(),
    trades,
    equity,
    rejections,
    openOrders: engine.openOrders(),
    totals,
    metrics: computeMetrics(equity, trades, totals.fees),
    finalState: state,
    finalBalances,
  };
}

/** Equity at `price`: quote total + base total × price (spot) or + unrealized PnL (perpetual). */
function equityAt(engine: PaperEngine, m: MarketInfo, price: number, ts: number): EquityPoint {
  const quote = new Dec(engine.balance(m.quote).total);
  if (m.type === 'spot') {
    const base = new Dec(engine.balance(m.base).total);
    return { ts, equity: str(quote.plus(base.mul(price))), exposed: base.gt(0) };
  }
  const pos = engine.position(m.symbol, price);
  return { ts, equity: str(quote.plus(pos ? pos.unrealizedPnl : 0)), exposed: pos !== null };
}
