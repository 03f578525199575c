/**
 * The bot strategy contract. A strategy is a pure state machine: `step(state, event, ctx) → { state, intents }`.
 * The same code drives live, paper and backtest runs — the runner (live worker or {@link runBacktest}) turns
 * the venue's happenings into {@link StrategyEvent}s, hands the strategy a {@link StrategyContext} snapshot,
 * and executes the returned {@link Intent}s. There is no backtest-only code path in a strategy.
 *
 * Determinism: a strategy never reads the clock (time is `ctx.now`) nor random sources, and names its
 * orders with {@link botOrderId}, so re-running it over the same events gives the same orders and ids
 * (a restarted runner recognises orders it already placed).
 */
import Decimal from 'decimal.js';
import type { Balance, Fill, MarketInfo, OrderRequest, Position } from '../exchange/port.js';
import type { Candle, DecimalString, MarketSignal, RoundTripView, SeriesPoint } from '@osprey/shared';
import type { AccountRiskContext } from './risk.js';

/** Something that happened, delivered to {@link Strategy.step}. */
export type StrategyEvent =
  /**
   * The bot starts (once, before anything else). `history` holds recent closed candles per symbol
   * (ascending, the timeframe the bot steps on) for warm-up, e.g. the signal bot's ATR.
   */
  | { type: 'start'; history?: Record<string, Candle[]> }
  /** A trading signal (market detector, later chat signals) for the strategy to consider. */
  | { type: 'signal'; signal: MarketSignal }
  /**
   * The risk gate demands that the held lot `key` (see {@link HeldLot}) be closed now (`rule`: `priceStop`
   * or `timeStop`). The strategy cancels the lot's exit orders and closes it at market.
   */
  | { type: 'forceExit'; key: string; rule: string }
  /** A candle update of `symbol`; `closed` = the candle is final (backtests deliver closed candles only). */
  | { type: 'candle'; symbol: string; candle: Candle; closed: boolean }
  /** One execution of an order the bot placed (amount in base, price in quote, fee in `fill.feeCurrency`). */
  | { type: 'fill'; fill: Fill }
  /**
   * An order of the bot will never fill (more): cancelled (by the bot or the venue), expired, or rejected
   * at placement (`message` says why, naming the field).
   */
  | { type: 'orderDead'; clientOrderId: string; symbol: string; reason: 'canceled' | 'expired' | 'rejected'; message?: string };

/** What a strategy may look at besides its own state: a snapshot taken by the runner before the step. */
export interface StrategyContext {
  /** Current (simulated or wall-clock) time, Unix ms UTC. */
  now: number;
  /** Market rules (price/amount steps, minimums, fees) by symbol. */
  markets: Record<string, MarketInfo>;
  /** Account balances at `now`. */
  balances: Balance[];
  /** Open perpetual positions at `now` (empty on spot). */
  positions: Position[];
  /**
   * The account's risk rules and what they see across the account's other bots (live and paper runs;
   * absent in backtests). Only the risk gate reads it.
   */
  account?: AccountRiskContext;
}

/** An action the runner performs for the strategy. */
export type Intent =
  /**
   * Place an order (its `clientOrderId` comes from {@link botOrderId}; prices/amounts already on the market's
   * steps). `role`: `entry` opens a new position, `add` adds to one the strategy already holds (a DCA add) —
   * the risk gate may refuse either (the strategy then gets an `orderDead` event with reason `rejected`), but
   * an `add` does not count as a new position against `maxOpenPositions`; `exit` reduces or closes one
   * (never blocked). `unit` names the position unit the order builds (see {@link HeldLot.unit}): an entry of a
   * unit already held or pending (a spread's second leg) does not count as another position either.
   */
  | { type: 'place'; order: OrderRequest; role: 'entry' | 'add' | 'exit'; unit?: string }
  /** Cancel the bot's order with this clientOrderId (no-op when it is no longer open). */
  | { type: 'cancel'; clientOrderId: string; symbol: string };

/**
 * A completed round trip (entry then exit of the same amount) as the strategy accounts it: the shared
 * `RoundTripView`. `pnl` is net: `(exit − entry) × amount` (long; reversed for short) `− entryFee − exitFee`,
 * in quote; `openedAt` / `closedAt` are the entry and exit fill times, Unix ms.
 */
export type RoundTrip = RoundTripView;

/**
 * A position lot the strategy holds (a filled grid level, a spread leg, a signal position), as the risk
 * gate sees it. `key` is stable while the lot is held and is what a `forceExit` event names.
 */
export interface HeldLot {
  key: string;
  symbol: string;
  side: 'long' | 'short';
  /** Base amount, positive decimal string. */
  amount: DecimalString;
  /** Average entry price (quote). */
  entryPrice: DecimalString;
  /** Entry fill time, Unix ms. */
  openedAt: number;
  /**
   * The position unit of the lot when several lots make one position (both legs of a spread cycle: `C<cycle>`);
   * max open positions counts units, and a forced exit of one lot closes the unit. Absent: a unit of its own.
   */
  unit?: string;
}

/** Round trips of one position unit, folded: what metrics and risk rules count as one result. */
export interface RoundTripUnit {
  /** The unit name, or the round trip's entry clientOrderId when it has none. */
  unit: string;
  /** Σ net pnl of its round trips (quote, exact). */
  pnl: DecimalString;
  /** First entry / last exit fill time, Unix ms. */
  openedAt: number;
  closedAt: number;
  /** Symbols of its legs, in order, e.g. `ETH/USDT:USDT + BTC/USDT:USDT`. */
  symbols: string;
  /** Its round trips (legs), in order. */
  legs: RoundTrip[];
}

/**
 * Folds round trips into position units (see {@link RoundTrip} `unit`): round trips sharing a `unit` become one,
 * in order of first appearance, pnl summed exactly; others stay one each.
 */
export function roundTripUnits(trips: readonly RoundTrip[]): RoundTripUnit[] {
  const out: RoundTripUnit[] = [];
  const byUnit = new Map<string, RoundTripUnit>();
  for (const t of trips) {
    const key = t.unit;
    const u = key !== undefined ? byUnit.get(key) : undefined;
    if (u) {
      u.pnl = new Decimal(u.pnl).plus(t.pnl).toFixed();
      u.openedAt = Math.min(u.openedAt, t.openedAt);
      u.closedAt = Math.max(u.closedAt, t.closedAt);
      if (!u.symbols.split(' + ').includes(t.symbol)) u.symbols += ` + ${t.symbol}`;
      u.legs.push(t);
      continue;
    }
    const fresh: RoundTripUnit = { unit: key ?? t.entryClientOrderId, pnl: new Decimal(t.pnl).toFixed(), openedAt: t.openedAt, closedAt: t.closedAt, symbols: t.symbol, legs: [t] };
    if (key !== undefined) byUnit.set(key, fresh);
    out.push(fresh);
  }
  return out;
}

/** Something worth telling the trader (a skipped signal, a risk block); shown as a bot event. */
export interface StrategyNote {
  kind: 'risk' | 'info';
  /** Machine code, e.g. `signal.belowMinScore`, `risk.cooldown`. */
  code: string;
  /** One sentence with the numbers. */
  message: string;
  detail: Record<string, number | string>;
}

/** Outcome of one {@link Strategy.step}. */
export interface StepResult<S> {
  state: S;
  intents: Intent[];
  /** Round trips completed by this event (for trade lists and metrics). */
  closed?: RoundTrip[];
  /** Series points produced by this event (e.g. `spread`, percentage points), stamped `ctx.now`. */
  points?: SeriesPoint[];
  /** Notes for the trader. */
  notes?: StrategyNote[];
}

/** A bot strategy (see the module doc). `S` must be plain JSON so runners can persist it. */
export interface Strategy<S> {
  /** Strategy type, e.g. `grid`. */
  readonly type: string;
  /** The bot id its order ids derive from. */
  readonly botId: string;
  /** Symbols whose candles the strategy wants. */
  readonly symbols: readonly string[];
  /** The state before the `start` event. */
  initialState(): S;
  /** Pure transition: must not mutate `state` nor read anything but its arguments. */
  step(state: S, event: StrategyEvent, ctx: StrategyContext): StepResult<S>;
  /** The lots held in `state` (for the risk gate, the UI and exposure). */
  held(state: S): HeldLot[];
  /** Net realized PnL (quote) and round trips closed so far, for the bots list. */
  summary(state: S): { realizedPnl: DecimalString; roundTrips: number };
}

/**
 * Deterministic clientOrderId of a bot order: `b` + bot id (letters/digits only, first 12) + `x` + cycle
 * (decimal) + leg (lowercase letters) + sequence (decimal). Because the leg is letters-only and the numbers
 * are decimal digits, the mapping (cycle, leg, seq) → id is injective for a given bot. At most 32
 * characters of [A-Za-z0-9] (OKX `clOrdId` takes 1–32 alphanumerics, Binance ≤ 36).
 * @param botId bot id; non-alphanumerics are dropped
 * @param cycle the bot's cycle (e.g. a grid level's round-trip count), integer ≥ 0
 * @param leg what the order does in the cycle, 1–4 lowercase letters (e.g. `b` buy, `s` sell)
 * @param seq per-bot sequence number, integer ≥ 0
 * @throws RangeError naming the argument when it is invalid, or when the id would exceed 32 characters
 */
export function botOrderId(botId: string, cycle: number, leg: string, seq: number): string {
  const owner = botId.replace(/[^A-Za-z0-9]/g, '').slice(0, 12);
  if (!owner) throw new RangeError('botId: must contain letters or digits');
  if (!Number.isSafeInteger(cycle) || cycle < 0) throw new RangeError('cycle: must be an integer ≥ 0');
  if (!/^[a-z]{1,4}$/.test(leg)) throw new RangeError('leg: must be 1-4 lowercase letters');
  if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError('seq: must be an integer ≥ 0');
  const id = `b${owner}x${cycle}${leg}${seq}`;
  if (id.length > 32) throw new RangeError(`seq: order id ${id} exceeds 32 characters`);
  return id;
}
