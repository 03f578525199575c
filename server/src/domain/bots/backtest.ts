/**
 * The backtester: runs a {@link Strategy} over historical candles of its symbols against a {@link PaperEngine},
 * so that a backtest fills exactly like a paper run ({@link PaperExchange} in `adapters/exchange`) over the
 * replay feed ({@link SymbolReplay} in `domain/replay.ts`) stepped at 0, ⅓ and ⅔ of every candle and at its
 * close.
 *
 * Time points: the union over the symbols of every candle's open `ts`, `ts + L/3`, `ts + 2L/3` and close
 * `ts + L` (L = the timeframe in ms), plus the `createdAt` of the signals within the run. At each time point
 * T, for each symbol in `strategy.symbols` order:
 * 1. at `ts + L/3` and `ts + 2L/3`: the forming candle's update ({@link formingCandle} at that fraction, as the
 *    replay emits it) becomes a price step ({@link stepFromCandleUpdate} from the previous update, stamped T,
 *    as `PaperExchange.onUpdate` applies it): the candle's path legs open → low → high → close (rising) or
 *    open → high → low → close (falling) one by one;
 * 2. when a candle closes at T: the last leg (step from the ⅔ update to the closed candle), then the strategy
 *    gets the closed candle (`ctx.now` = T), then the signals created at T for this symbol (a signal of the
 *    spot feed `BTC/USDT` belongs to `BTC/USDT` and to `BTC/USDT:USDT`) in input order, and only then the
 *    fills / dead orders of what those steps placed or cancelled — the order in which the live runner gets
 *    them (the detector runs on the close and its signal reaches the runner while the runner is still
 *    executing the close's decisions, before the next candle's first update);
 * 3. when a candle opens at T: its "open point" (the forming candle at fraction 0: open = high = low = close =
 *    the candle's open), a step of its own since the previous update belongs to another candle (a gap between
 *    the previous close and this open is jumped, as in paper mode).
 * Before each step of a perpetual symbol the funding due since its previous step is settled
 * ({@link settleFundingDue}, as the paper exchange does; checkpoints start at the run's first time point).
 * After each step, and after each strategy step, the engine's fills and dead orders (cancelled / expired)
 * are delivered to the strategy until none are left ("pump"). After every symbol at T: the other signals
 * created at T (input order), then — when a candle closed at T — one equity point.
 *
 * Intents: `place` → `PaperEngine.placeOrder` with the current price = the close of the last step applied
 * to the order's symbol (null before its first step: market orders then wait for the next step's open); a
 * {@link RejectedOrderError} becomes an `orderDead` event with reason `rejected` and a {@link BacktestRejection}.
 * `cancel` → `PaperEngine.cancelOrder` when the order is still open. Roles are not checked here (no risk gate).
 *
 * Detail candles (`input.detail`, a timeframe shorter than the run's and dividing it): when a stepped candle's
 * detail candles are all there (contiguous, opening at its open) and agree with it (first open, last close,
 * highest high and lowest low equal its own), its path is theirs: the time points and steps above are taken
 * for each detail candle in turn (its open point, ⅓, ⅔, close, at its own times), the strategy still gets the
 * stepped candle at its close (step 2 happens after the last detail candle's last leg). Otherwise the candle
 * keeps its own path; `assumptions` counts both (`detailCandles`, `detailMissing`, `detailInconsistent`).
 *
 * Fill models (`input.fillModel`): `path` (default) as above — an order placed in reaction to a fill inside a
 * candle can fill on the rest of that candle's path. `conservative`: intents executed while the events of a
 * price step are pumped (reactions to a step's fills) are placed *held* (`PlaceContext.hold` of the engine): they lock
 * funds but fill neither at once nor on any step until their symbol's next stepped candle opens (its open
 * point, before it is applied, releases them), and on that first step a limit / take-profit gets its own price
 * at best. Intents of the strategy's candle, signal and start steps are placed as usual. So no exit fills on
 * the candle of its entry. Source of the rule: Freqtrade and Hummingbot never fill an exit on its entry's
 * candle; issue 9 point 18 measured 14.6 % of a tight 15m grid's round trips completing inside one candle.
 *
 * Same-candle round trips (`metrics.sameCandleRoundTrips`): round trips whose entry order and exit order
 * filled on the same stepped candle of their symbol — a fill belongs to the candle of the last step applied to
 * its symbol (a fill at placement on a close belongs to the candle that closed).
 *
 * Equity at a candle close T (after everything at T): quote balance (free + used) + Σ spot base holdings ×
 * the close of their symbol's last closed candle, or + Σ unrealized PnL of the perpetual positions at those
 * closes. Exposed = a base holding (spot) or a position (perpetual) on any strategy symbol. All strategy
 * markets must share one quote currency; other balances are not valued. The strategy context's balances and
 * positions (marked at the current prices) are read from the engine when the strategy first reads them.
 */
import { TIMEFRAME_MS, type BacktestAssumptions, type Candle, type CandleTimeframe, type DecimalString, type FillModel, type MarketSignal, type MarketType, type SeriesPoint, type Timeframe } from '@osprey/shared';
import { RejectedOrderError } from '../exchange/errors.js';
import type { Balance, MarketInfo, Order, Position } from '../exchange/port.js';
import type { PriceStep } from '../trading/fill-rules.js';
import { settleFundingDue, type FundingRateEvent } from '../trading/funding-settle.js';
import { PaperEngine, type PaperFill, type PaperTotals } from '../trading/paper-engine.js';
import { Dec, str } from '../trading/precision.js';
import { formatSmall } from '../trading/small-decimal.js';
import { computeMetrics, type EquityPoint, type RunMetrics } from './metrics.js';
import type { Intent, RoundTrip, Strategy, StrategyContext, StrategyEvent, StrategyNote } from './strategy.js';

/** Input of {@link runBacktest}. */
export interface BacktestInput<S> {
  strategy: Strategy<S>;
  /**
   * Candles per symbol, one entry for each of `strategy.symbols`: strictly ascending, non-overlapping (each
   * opens at or after the previous one's close), all of `timeframe`. Perpetuals are priced from their own
   * entry (e.g. the spot feed's candles under the key `BTC/USDT:USDT`).
   */
  candles: Record<string, readonly Candle[]>;
  timeframe: Timeframe;
  marketType: MarketType;
  /** Market rules (fees come from `makerFee` / `takerFee`). Must contain every strategy symbol. */
  markets: Record<string, MarketInfo>;
  /** Starting balances, e.g. `{ USDT: "10000" }`. */
  balances: Record<string, DecimalString>;
  /** Slippage of market/stop fills, basis points (engine default 5). */
  slippageBps?: number;
  /** Leverage of every perpetual strategy symbol (default 1; ignored on spot). */
  leverage?: number;
  /** Funding settlements per perpetual symbol (any order; sorted by `ts` here). */
  funding?: Record<string, readonly FundingRateEvent[]>;
  /** Signals delivered once each at their `createdAt` (only those within the run's time span). */
  signals?: readonly MarketSignal[];
  /** Closed candles before the run per symbol (ascending), handed to the `start` event as `history`. */
  warmup?: Record<string, Candle[]>;
  /** Progress callback, fraction 0–1 of the run's time span; called at most 101 times. */
  onProgress?: (fraction: number) => void;
  /**
   * Finer candles walked inside each stepped candle (see *Detail candles* in the module doc): `timeframe`
   * shorter than the run's and dividing it; `candles` per symbol, ascending (any range: those inside each
   * stepped candle are used). Symbols without an entry keep every candle's own path.
   */
  detail?: { timeframe: CandleTimeframe; candles: Record<string, readonly Candle[]> };
  /** Same-candle fills: `path` (default) or `conservative` (see the module doc). */
  fillModel?: FillModel;
}

/** An order the engine refused. */
export interface BacktestRejection {
  ts: number;
  clientOrderId: string;
  code: string;
  message: string;
}

/** A strategy note with the time (`ctx.now`, Unix ms) of the step that produced it. */
export interface BacktestNote extends StrategyNote {
  ts: number;
}

/** Output of {@link runBacktest}. */
export interface BacktestResult<S> {
  fills: PaperFill[];
  trades: RoundTrip[];
  /** One point per time point at which a candle closed. */
  equity: EquityPoint[];
  rejections: BacktestRejection[];
  /** Orders still open at the end, by creation sequence. */
  openOrders: Order[];
  totals: PaperTotals;
  metrics: RunMetrics;
  finalState: S;
  /** Balances at the end (currency → total). */
  finalBalances: Record<string, DecimalString>;
  /** Series points of the strategy's step results, in order. */
  points: SeriesPoint[];
  /** Notes of the strategy's step results, in order. */
  notes: BacktestNote[];
  /** The fill assumptions the run used (fill model, detail timeframe and how many candles it covered). */
  assumptions: BacktestAssumptions;
}

/** Safety cap of strategy steps per pump (a strategy that answers every event with a new event would loop). */
const MAX_STEPS_PER_PUMP = 100_000;

/** Per-symbol cursor of the run. */
interface Track {
  symbol: string;
  market: MarketInfo;
  candles: readonly Candle[];
  /** Index of the current candle. */
  idx: number;
  /**
   * The current candle's sub-candles, whose paths are walked: `subs[subFirst … subFirst + subCount − 1]` —
   * the candle itself (`subs` = `candles`), or its detail candles (`subs` = `detail`).
   */
  subs: readonly Candle[];
  subFirst: number;
  subCount: number;
  /** Index of the current sub-candle within the current candle (0 … subCount − 1). */
  sub: number;
  /** Length of the current sub-candles (ms) and a third of it. */
  subL: number;
  subThird: number;
  /** Next event of the current sub-candle: 0 open point, 1 ⅓ update, 2 ⅔ update, 3 close. */
  phase: 0 | 1 | 2 | 3;
  /** Detail candles of the symbol (ascending), null without; `dIdx` = the first not yet passed. */
  detail: readonly Candle[] | null;
  dIdx: number;
  /** Index of the candle the last step applied belongs to (-1 before the first): the candle of its fills. */
  stepCandle: number;
  /** Orders placed held on this symbol since its last release (conservative fill model). */
  held: number;
  /** Time of the track's next event (see `setNext`), Infinity after its last candle. */
  next: number;
  /**
   * The previous update applied (start of the next step), as `PaperExchange` keeps it: the forming candle's
   * high, low and close so far (its open time is the current sub-candle's: the step is never fresh but at an
   * open point, which starts a candle of its own).
   */
  pHigh: number;
  pLow: number;
  pClose: number;
  /**
   * Close of the last step applied (the current price), NaN before the first step (NaN, not null: a field
   * only ever holding numbers keeps them unboxed — no allocation per step).
   */
  last: number;
  /** Close of the last closed candle (equity valuation), NaN before the first close. */
  lastClose: number;
  /** The price step object, rewritten for every step of the symbol (the engine keeps no reference to it). */
  step: PriceStep;
  /** The closed-candle event of the symbol, its `candle` rewritten for every close. */
  closeEvent: { type: 'candle'; symbol: string; candle: Candle; closed: true };
  /** Funding events (ascending) and the settlement checkpoint; null when funding is not simulated. */
  funding: readonly FundingRateEvent[] | null;
  fundingCheckedAt: number | undefined;
}

/**
 * Runs a backtest (see the module doc).
 * @throws RangeError naming the input: `markets.<symbol>` (unknown market, or a different quote currency),
 *   `candles.<symbol>` (missing, empty, not ascending, overlapping), `strategy.symbols` (none);
 *   RejectedOrderError `INVALID_ORDER` for a leverage out of the market's range; Error when a strategy loops
 *   (more than 100 000 steps in one pump)
 */
export function runBacktest<S>(input: BacktestInput<S>): BacktestResult<S> {
  const { strategy } = input;
  const L = TIMEFRAME_MS[input.timeframe];
  const third = L / 3;
  if (strategy.symbols.length === 0) throw new RangeError('strategy.symbols: the strategy trades no symbol');
  const fillModel: FillModel = input.fillModel ?? 'path';
  if (fillModel !== 'path' && fillModel !== 'conservative') throw new RangeError(`fillModel: must be path or conservative, got ${String(fillModel)}`);
  const conservative = fillModel === 'conservative';
  const detailTf = input.detail?.timeframe ?? null;
  const Ld = detailTf === null ? 0 : TIMEFRAME_MS[detailTf];
  if (detailTf !== null && !(Ld > 0 && Ld < L && L % Ld === 0)) throw new RangeError(`detail.timeframe: ${detailTf} must be shorter than ${input.timeframe} and divide it`);
  const assumptions: BacktestAssumptions = { fillModel, detail: detailTf, candles: 0, detailCandles: 0, detailMissing: 0, detailInconsistent: 0 };
  const tracks: Track[] = [];
  const bySymbol = new Map<string, Track>();
  let quote: string | null = null;
  for (const symbol of strategy.symbols) {
    const market = input.markets[symbol];
    if (!market) throw new RangeError(`markets.${symbol}: unknown market`);
    if (quote !== null && market.quote !== quote) throw new RangeError(`markets.${symbol}: quote ${market.quote} differs from ${quote} (one quote currency per run)`);
    quote = market.quote;
    const candles = input.candles[symbol];
    if (!candles || candles.length === 0) throw new RangeError(`candles.${symbol}: none in the range`);
    let prevTs = candles[0]!.ts;
    for (let i = 1; i < candles.length; i++) {
      const ts = candles[i]!.ts;
      if (!(ts > prevTs)) throw new RangeError(`candles.${symbol}: not ascending at index ${i}`);
      if (ts < prevTs + L) throw new RangeError(`candles.${symbol}: candle ${i} opens before candle ${i - 1} closes (timeframe ${input.timeframe})`);
      prevTs = ts;
    }
    const fundingEvents = input.funding && market.type === 'swap' ? [...(input.funding[symbol] ?? [])].sort((a, b) => a.ts - b.ts) : null;
    const detail = detailTf !== null ? (input.detail!.candles[symbol] ?? null) : null;
    if (detail) for (let i = 1; i < detail.length; i++) if (!(detail[i]!.ts > detail[i - 1]!.ts)) throw new RangeError(`detail.candles.${symbol}: not ascending at index ${i}`);
    assumptions.candles += candles.length;
    const tr: Track = {
      symbol,
      market,
      candles,
      idx: 0,
      subs: candles,
      subFirst: 0,
      subCount: 1,
      sub: 0,
      subL: L,
      subThird: third,
      phase: 0,
      detail,
      dIdx: 0,
      stepCandle: -1,
      held: 0,
      next: Infinity,
      pHigh: 0,
      pLow: 0,
      pClose: 0,
      last: NaN,
      lastClose: NaN,
      step: { symbol, ts: 0, open: 0, high: 0, low: 0, close: 0 },
      closeEvent: { type: 'candle', symbol, candle: candles[0]!, closed: true },
      funding: fundingEvents,
      fundingCheckedAt: undefined,
    };
    tracks.push(tr);
    bySymbol.set(symbol, tr);
  }
  const quoteCurrency = quote!;

  const engine = new PaperEngine(
    { marketType: input.marketType, markets: input.markets, ...(input.slippageBps !== undefined ? { slippageBps: input.slippageBps } : {}) },
    input.balances,
  );
  if (input.leverage !== undefined) for (const tr of tracks) engine.setLeverage(tr.symbol, input.leverage);

  let tStart = Infinity;
  let tEnd = -Infinity;
  for (const tr of tracks) {
    tStart = Math.min(tStart, tr.candles[0]!.ts);
    tEnd = Math.max(tEnd, tr.candles[tr.candles.length - 1]!.ts + L);
  }
  for (const tr of tracks) tr.fundingCheckedAt = tStart;
  const signals = (input.signals ?? []).filter((s) => s.createdAt >= tStart && s.createdAt <= tEnd).sort((a, b) => a.createdAt - b.createdAt);
  // The track whose feed a signal belongs to (`BTC/USDT` signals go to `BTC/USDT` or `BTC/USDT:USDT`), if any.
  const signalTrack = signals.map((sg) => tracks.find((tr) => tr.symbol === sg.symbol || `${tr.market.base}/${tr.market.quote}` === sg.symbol) ?? null);
  const signalDone = new Uint8Array(signals.length);

  let state = strategy.initialState();
  const trades: RoundTrip[] = [];
  const rejections: BacktestRejection[] = [];
  const points: SeriesPoint[] = [];
  const notes: BacktestNote[] = [];
  const queue: StrategyEvent[] = [];
  let qHead = 0;
  /** True when fills, funding or positions changed since the last equity point. */
  let dirty = true;
  /** True while the events of a price step are pumped (conservative: the orders placed then are held). */
  let inPath = false;
  /** Where each order filled: track index × 2^32 + the candle index of the step (`stepCandle`), by clientOrderId. */
  const fillCandle = new Map<string, number>();

  const positionsNow = (): Position[] => {
    if (input.marketType !== 'swap') return [];
    const marks: Record<string, number> = {};
    for (const tr of tracks) if (tr.last === tr.last) marks[tr.symbol] = tr.last;
    return engine.positions(marks);
  };

  // The strategy context: one object for the run (its getters are defined once), re-stamped before every
  // step; balances and positions are read from the engine on first access within a step only.
  let ctxBalances: Balance[] | undefined;
  let ctxPositions: Position[] | undefined;
  const ctx: StrategyContext = {
    now: tStart,
    markets: input.markets,
    get balances() {
      return (ctxBalances ??= engine.balances());
    },
    get positions() {
      return (ctxPositions ??= positionsNow());
    },
  };
  const context = (now: number): StrategyContext => {
    ctx.now = now;
    ctxBalances = undefined;
    ctxPositions = undefined;
    return ctx;
  };

  const collect = () => {
    if (!engine.hasEvents()) return;
    const events = engine.takeEvents();
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      if (e.type === 'fill') {
        dirty = true;
        if (e.fill.clientOrderId !== null) {
          const tr = bySymbol.get(e.fill.symbol);
          if (tr !== undefined) fillCandle.set(e.fill.clientOrderId, tracks.indexOf(tr) * 2 ** 32 + tr.stepCandle);
          queue.push({ type: 'fill', fill: e.fill });
        }
      } else if (e.type === 'order') {
        if (e.order.clientOrderId !== null && (e.order.status === 'canceled' || e.order.status === 'expired')) {
          queue.push({ type: 'orderDead', clientOrderId: e.order.clientOrderId, symbol: e.order.symbol, reason: e.order.status });
        }
      } else dirty = true;
    }
  };

  const execute = (intents: Intent[], now: number) => {
    for (const it of intents) {
      if (it.type === 'place') {
        const tr = bySymbol.get(it.order.symbol);
        try {
          if (conservative && inPath && tr !== undefined) {
            engine.placeOrder(it.order, { now, price: tr.last === tr.last ? tr.last : null, hold: true });
            tr.held++;
          } else engine.placeOrder(it.order, { now, price: tr !== undefined && tr.last === tr.last ? tr.last : null });
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

  /**
   * The time of the strategy steps and pumps to come (a register: a float argument of a call that is not inlined
   * gets boxed, two per candle here); set before every {@link step} and {@link pump}.
   */
  const NOW = new Float64Array(1);
  /** One strategy step at `NOW[0]`: its state, round trips, points and notes kept, its intents executed. */
  const step = (event: StrategyEvent) => {
    const now = NOW[0]!;
    const r = strategy.step(state, event, context(now));
    state = r.state;
    if (r.closed) for (const t of r.closed) trades.push(t);
    if (r.points) for (const p of r.points) points.push(p);
    if (r.notes) for (const n of r.notes) notes.push({ ...n, ts: now });
    if (r.intents.length > 0) execute(r.intents, now);
  };

  /** Delivers the engine's events to the strategy at `NOW[0]` until none are left. */
  const pump = () => {
    collect();
    if (queue.length === 0) return;
    let n = 0;
    while (qHead < queue.length) {
      if (++n > MAX_STEPS_PER_PUMP) throw new Error(`strategy ${strategy.type}: more than ${MAX_STEPS_PER_PUMP} steps without progress`);
      step(queue[qHead++]!);
    }
    queue.length = 0;
    qHead = 0;
  };

  /**
   * Applies at `U[0]` (funding first) the step from the track's previous update to the current sub-candle's
   * update with cumulative high `U[1]`, low `U[2]` and close `U[3]` — {@link stepFromCandleUpdate} without its objects: `fresh`
   * (an open point, a candle of its own) steps the update itself, else open = the previous close and the range
   * spans both closes plus any new high or low — then pumps the events.
   */
  /**
   * The update registers: time, high, low and close of the next {@link applyUpdate} (a Float64Array: floats
   * passed as arguments to a call that is not inlined would each be boxed, four per step).
   */
  const U = new Float64Array(4);
  const applyUpdate = (tr: Track, fresh: boolean) => {
    const now = U[0]!;
    const high = U[1]!;
    const low = U[2]!;
    const close = U[3]!;
    if (tr.funding !== null) {
      const events = tr.funding;
      tr.fundingCheckedAt = settleFundingDue(engine, tr.symbol, tr.fundingCheckedAt, now, (from, to) => eventsBetween(events, from, to)).checkedAt;
    }
    const s = tr.step;
    s.ts = now;
    if (fresh) {
      s.open = close;
      s.high = high;
      s.low = low;
    } else {
      const pc = tr.pClose;
      let hi = Math.max(pc, close);
      let lo = Math.min(pc, close);
      if (high > tr.pHigh) hi = Math.max(hi, high);
      if (low < tr.pLow) lo = Math.min(lo, low);
      s.open = pc;
      s.high = hi;
      s.low = lo;
    }
    s.close = close;
    tr.pHigh = high;
    tr.pLow = low;
    tr.pClose = close;
    engine.applyStep(s);
    tr.last = close;
    if (!engine.hasEvents() && queue.length === 0) return;
    inPath = true;
    try {
      NOW[0] = now;
      pump();
    } finally {
      inPath = false;
    }
  };

  /**
   * Makes `tr.candles[tr.idx]` the current candle: its sub-candles are its detail candles when they cover it
   * completely and agree with it, else the candle itself (counted in {@link assumptions}).
   */
  const enter = (tr: Track) => {
    tr.sub = 0;
    tr.phase = 0;
    tr.subs = tr.candles;
    tr.subFirst = tr.idx;
    tr.subCount = 1;
    tr.subL = L;
    tr.subThird = third;
    const c = tr.candles[tr.idx];
    if (!c || detailTf === null) return;
    const d = tr.detail;
    if (d === null) {
      assumptions.detailMissing++;
      return;
    }
    while (tr.dIdx < d.length && d[tr.dIdx]!.ts < c.ts) tr.dIdx++;
    const k = L / Ld;
    let n = 0;
    let high = -Infinity;
    let low = Infinity;
    while (n < k && tr.dIdx + n < d.length && d[tr.dIdx + n]!.ts === c.ts + n * Ld) {
      const x = d[tr.dIdx + n]!;
      if (x.high > high) high = x.high;
      if (x.low < low) low = x.low;
      n++;
    }
    if (n < k) {
      assumptions.detailMissing++;
      return;
    }
    if (d[tr.dIdx]!.open !== c.open || d[tr.dIdx + k - 1]!.close !== c.close || high !== c.high || low !== c.low) {
      assumptions.detailInconsistent++;
      return;
    }
    assumptions.detailCandles++;
    tr.subs = d;
    tr.subFirst = tr.dIdx;
    tr.subCount = k;
    tr.subL = Ld;
    tr.subThird = Ld / 3;
  };

  /** Sets `tr.next`, the time of the track's next event. */
  const setNext = (tr: Track) => {
    if (tr.idx >= tr.candles.length) {
      tr.next = Infinity;
      return;
    }
    const c = tr.subs[tr.subFirst + tr.sub]!;
    tr.next = tr.phase === 0 ? c.ts : tr.phase === 3 ? c.ts + tr.subL : c.ts + tr.subThird * tr.phase;
  };

  /** Price a symbol is valued at: its last candle close, else its current price (0 before any). */
  const valuation = (tr: Track): number => (tr.lastClose === tr.lastClose ? tr.lastClose : tr.last === tr.last ? tr.last : 0);
  // Equity: totals cached, re-read only after fills / funding / position changes.
  let quoteTotal = '0';
  let quoteScaled: Scaled | null = null;
  /** `Number(quoteTotal)`. */
  /**
   * Float registers of the equity (a Float64Array: numbers written there are never boxed): quote total, last
   * valuation price, last value, the value of the point being appended.
   */
  const eqR = new Float64Array(4);
  const baseTotals: Array<{ base: string; track: Track; total: string; scaled: Scaled | null }> = [];
  // The equity curve as columns (performance: the points are built at the end, in one go): time, the decimal
  // string, exposure and `Number(equity)` (computed alongside, exactly: see addProductScaled).
  const capacity = tracks.reduce((n, tr) => n + tr.candles.length, 0);
  const eqTs = new Float64Array(capacity);
  const eqF = new Float64Array(capacity);
  const eqX = new Uint8Array(capacity);
  const eqS: string[] = new Array<string>(capacity);
  let eqN = 0;
  /** Appends the point at time `EQT[0]` of value `eqR[3]` (registers: floats passed as arguments get boxed). */
  const point = (equity: string, exposed: boolean) => {
    eqTs[eqN] = EQT[0]!;
    eqF[eqN] = eqR[3]!;
    eqX[eqN] = exposed ? 1 : 0;
    eqS[eqN] = equity;
    eqN++;
  };
  /** The last spot valuation: price → equity string and value (a close repeating the last one reuses them). */
  eqR[1] = NaN;
  let lastValue = '';
  /** The time of the next {@link equityAt} (a register: see {@link U}). */
  const EQT = new Float64Array(1);
  /** Appends the equity point of the candle close at `EQT[0]`. */
  const equityAt = (): void => {
    if (dirty) {
      quoteTotal = engine.balance(quoteCurrency).total;
      quoteScaled = scaled(quoteTotal);
      eqR[0] = quoteScaled !== null && quoteScaled.f === quoteScaled.f && quoteScaled.scale <= 22 ? quoteScaled.f / POW10F[quoteScaled.scale]! : Number(quoteTotal);
      if (input.marketType === 'spot') {
        baseTotals.length = 0;
        for (const tr of tracks) {
          if (baseTotals.some((b) => b.base === tr.market.base)) continue;
          const total = engine.balance(tr.market.base).total;
          if (total !== '0') baseTotals.push({ base: tr.market.base, track: tr, total, scaled: scaled(total) });
        }
      }
      eqR[1] = NaN;
      dirty = false;
    }
    if (input.marketType === 'spot') {
      if (baseTotals.length === 0) {
        eqR[3] = eqR[0]!;
        return point(quoteTotal, false);
      }
      if (baseTotals.length === 1) {
        // one base currency (the usual case): the value at a close equal to the last one is the last value
        const b = baseTotals[0]!;
        const t = b.track;
        PR[0] = t.lastClose === t.lastClose ? t.lastClose : t.last === t.last ? t.last : 0;
        if (PR[0] !== eqR[1]) {
          lastValue = addProductAt(quoteTotal, quoteScaled, b.total, b.scaled, floatOut);
          eqR[2] = floatOut.value === floatOut.value ? floatOut.value : Number(lastValue);
          eqR[1] = PR[0]!;
        }
        eqR[3] = eqR[2]!;
        return point(lastValue, b.total[0] !== '-');
      }
      let value: string = quoteTotal;
      let valueScaled = quoteScaled;
      let exposed = false;
      for (const b of baseTotals) {
        value = addProductScaled(value, valueScaled, b.total, b.scaled, valuation(b.track));
        valueScaled = null;
        exposed = exposed || b.total[0] !== '-';
      }
      eqR[3] = Number(value);
      return point(value, exposed);
    }
    let value = new Dec(quoteTotal);
    let exposed = false;
    for (const tr of tracks) {
      if (engine.positionState(tr.symbol) === null) continue;
      exposed = true;
      const mark = valuation(tr);
      value = value.plus(engine.position(tr.symbol, mark === 0 ? undefined : mark)!.unrealizedPnl);
    }
    const out = str(value);
    eqR[3] = Number(out);
    point(out, exposed);
  };
  /** Float result of the last {@link addProductScaled} on its float path (NaN otherwise). */
  const floatOut = { value: NaN };

  const span = tEnd - tStart;
  let progressPct = -1;
  /** Earliest time at which the next whole percent is reached (Infinity without a callback). */
  // the earliest time of the next whole percent, in a Float64Array (no boxing: it is read at every time point)
  const progressAt = new Float64Array(1);
  progressAt[0] = input.onProgress ? -Infinity : Infinity;
  const progress = (t: number) => {
    if (!input.onProgress) return;
    const pct = span > 0 ? Math.floor(((t - tStart) / span) * 100) : 100;
    if (pct > progressPct) {
      progressPct = pct;
      input.onProgress(pct / 100);
    }
    // the next percent: computed like pct, so no call is skipped or added (a time a hair before the exact
    // boundary is re-checked at the next time point)
    progressAt[0] = span > 0 && pct < 100 ? tStart + ((pct + 1) / 100) * span * (1 - 1e-12) : Infinity;
  };

  for (const tr of tracks) enter(tr);
  NOW[0] = tStart;
  step({ type: 'start', ...(input.warmup ? { history: input.warmup } : {}) });
  pump();
  /**
   * Steps the signals `sig..end-1` not delivered yet whose track is `tr` (any when `tr` is undefined), each
   * followed by a pump unless `pumpEach` is false.
   */
  const deliverSignals = (sig: number, end: number, T: number, tr: Track | undefined, pumpEach: boolean) => {
    for (let k = sig; k < end; k++) {
      if (signalDone[k] || (tr !== undefined && signalTrack[k] !== tr)) continue;
      signalDone[k] = 1;
      NOW[0] = T;
      step({ type: 'signal', signal: signals[k]! });
      if (pumpEach) pump();
    }
  };

  let sig = 0;
  const nTracks = tracks.length;
  const only = nTracks === 1 ? tracks[0]! : null;
  /** The forming candle's high, low and close at a fraction (see {@link formingInto}), rewritten per update. */
  const fc = { high: 0, low: 0, close: 0 };
  for (const tr of tracks) setNext(tr);
  if (only !== null && signals.length === 0 && detailTf === null) {
    // One symbol, no signals, no detail candles (the usual backtest): the events of the general loop below in
    // the same order at the same times, without its scheduling — each time point follows from the candle (the
    // open point, ⅓, ⅔, the close and, when the next candle opens then, its open point), one equity point per
    // close after everything at its time, the progress after each time point.
    const tr = only;
    const cs = tr.candles;
    const n = cs.length;
    const ev = tr.closeEvent;
    /** The open point of candle `i` at the time already in `U[0]`. */
    const openPoint = (c: Candle, i: number) => {
      tr.stepCandle = i;
      if (tr.held > 0) {
        engine.release(tr.symbol);
        tr.held = 0;
      }
      U[1] = c.open;
      U[2] = c.open;
      U[3] = c.open;
      applyUpdate(tr, true);
    };
    U[0] = cs[0]!.ts;
    openPoint(cs[0]!, 0);
    if (cs[0]!.ts >= progressAt[0]!) progress(cs[0]!.ts);
    // formingCandle's leg and weight at the fractions ⅓ and ⅔ (the same for every candle of the run: T − c.ts
    // is exactly third × k), for its arithmetic inline below (no call: floats passed to a call get boxed)
    const f1 = third / L;
    const f2 = (third * 2) / L;
    const leg1 = Math.min(2, Math.floor(Math.min(1, Math.max(0, f1)) * 3));
    const w1 = Math.min(1, Math.max(0, f1)) * 3 - leg1;
    const leg2 = Math.min(2, Math.floor(Math.min(1, Math.max(0, f2)) * 3));
    const w2 = Math.min(1, Math.max(0, f2)) * 3 - leg2;
    const FW = new Float64Array([leg1, w1, leg2, w2]);
    /** Writes the forming candle of `c` at the k-th fraction (0: ⅓, 1: ⅔) into U[1..3], as formingInto computes it. */
    const formingU = (c: Candle, k: number) => {
      const leg = FW[2 * k]!;
      const w = FW[2 * k + 1]!;
      const o = c.open;
      const rising = c.close >= o;
      const p1 = rising ? c.low : c.high;
      const p2 = rising ? c.high : c.low;
      const from = leg === 0 ? o : leg === 1 ? p1 : p2;
      const to = leg === 0 ? p1 : leg === 1 ? p2 : c.close;
      const price = from + (to - from) * w;
      let high = Math.max(o, price);
      let low = Math.min(o, price);
      if (leg >= 1) {
        high = Math.max(high, p1);
        low = Math.min(low, p1);
      }
      if (leg >= 2) {
        high = Math.max(high, p2);
        low = Math.min(low, p2);
      }
      U[1] = high;
      U[2] = low;
      U[3] = price;
    };
    for (let i = 0; i < n; i++) {
      const c = cs[i]!;
      const T1 = c.ts + third * 1;
      if ((T1 - c.ts) / L === f1 && f1 < 1) formingU(c, 0);
      else {
        formingInto(c, (T1 - c.ts) / L, fc);
        U[1] = fc.high;
        U[2] = fc.low;
        U[3] = fc.close;
      }
      U[0] = T1;
      applyUpdate(tr, false);
      if (T1 >= progressAt[0]!) progress(T1);
      const T2 = c.ts + third * 2;
      if ((T2 - c.ts) / L === f2 && f2 < 1) formingU(c, 1);
      else {
        formingInto(c, (T2 - c.ts) / L, fc);
        U[1] = fc.high;
        U[2] = fc.low;
        U[3] = fc.close;
      }
      U[0] = T2;
      applyUpdate(tr, false);
      if (T2 >= progressAt[0]!) progress(T2);
      const T = c.ts + L;
      tr.lastClose = c.close;
      U[0] = T;
      U[1] = c.high;
      U[2] = c.low;
      U[3] = c.close;
      applyUpdate(tr, false);
      ev.candle = c;
      NOW[0] = T;
      step(ev);
      pump();
      tr.idx = i + 1;
      const next = i + 1 < n ? cs[i + 1]! : null;
      if (next !== null && next.ts === T) {
        U[0] = T;
        openPoint(next, i + 1);
      }
      EQT[0] = T;
      equityAt();
      if (T >= progressAt[0]!) progress(T);
      if (next !== null && next.ts !== T) {
        U[0] = next.ts;
        openPoint(next, i + 1);
        if (next.ts >= progressAt[0]!) progress(next.ts);
      }
    }
  } else {
    for (;;) {
      let T = sig < signals.length ? signals[sig]!.createdAt : Infinity;
      if (only !== null) {
        if (only.next < T) T = only.next;
      } else for (let k = 0; k < nTracks; k++) T = Math.min(T, tracks[k]!.next);
      if (T === Infinity) break;
      let sigEnd = sig;
      while (sigEnd < signals.length && signals[sigEnd]!.createdAt === T) sigEnd++;
      let closed = false;
      for (let k = 0; k < nTracks; k++) {
        const tr = tracks[k]!;
        while (tr.next === T) {
          const sc = tr.subs[tr.subFirst + tr.sub]!;
          if (tr.phase === 0) {
            if (tr.sub === 0) {
              // a stepped candle opens: its steps' fills belong to it; held orders rest from its open on
              tr.stepCandle = tr.idx;
              if (tr.held > 0) {
                engine.release(tr.symbol);
                tr.held = 0;
              }
            }
            // the open point: the forming candle at fraction 0 (open = high = low = close), a candle of its own
            U[0] = T;
            U[1] = sc.open;
            U[2] = sc.open;
            U[3] = sc.open;
            applyUpdate(tr, true);
            tr.phase = 1;
          } else if (tr.phase !== 3) {
            formingInto(sc, (T - sc.ts) / tr.subL, fc);
            U[0] = T;
            U[1] = fc.high;
            U[2] = fc.low;
            U[3] = fc.close;
            applyUpdate(tr, false);
            tr.phase = (tr.phase + 1) as 2 | 3;
          } else if (tr.sub + 1 < tr.subCount) {
            // a detail candle closes inside the stepped candle: its last leg, then the next one's open point
            U[0] = T;
            U[1] = sc.high;
            U[2] = sc.low;
            U[3] = sc.close;
            applyUpdate(tr, false);
            tr.sub++;
            tr.phase = 0;
          } else {
            const c = tr.candles[tr.idx]!;
            tr.lastClose = c.close;
            U[0] = T;
            U[1] = sc.high;
            U[2] = sc.low;
            U[3] = sc.close;
            applyUpdate(tr, false);
            // one event object per track, rewritten for every close (performance: strategies keep no reference to it)
            const ev = tr.closeEvent;
            ev.candle = c;
            NOW[0] = T;
            step(ev);
            // The detector's signals of this close, as the live runner gets them: right after the closed candle,
            // before the fills / dead orders of the orders that candle's step placed or cancelled.
            if (sigEnd > sig) deliverSignals(sig, sigEnd, T, tr, false);
            NOW[0] = T;
            pump();
            tr.idx++;
            enter(tr);
            closed = true;
          }
          setNext(tr);
        }
      }
      if (sigEnd > sig) deliverSignals(sig, sigEnd, T, undefined, true);
      sig = sigEnd;
      if (closed) {
        EQT[0] = T;
        equityAt();
      }
      if (T >= progressAt[0]!) progress(T);
    }
  }
  progress(tEnd);

  const equity: EquityPoint[] = new Array<EquityPoint>(eqN);
  let eqExposed = 0;
  for (let i = 0; i < eqN; i++) {
    equity[i] = { ts: eqTs[i]!, equity: eqS[i]!, exposed: eqX[i] === 1 };
    eqExposed += eqX[i]!;
  }
  const totals = engine.totals();
  const finalBalances: Record<string, DecimalString> = {};
  for (const b of engine.balances()) finalBalances[b.currency] = b.total;
  let sameCandle = 0;
  for (const t of trades) {
    const a = fillCandle.get(t.entryClientOrderId);
    if (a !== undefined && a === fillCandle.get(t.exitClientOrderId)) sameCandle++;
  }
  return {
    fills: engine.fills(),
    trades,
    equity,
    rejections,
    openOrders: engine.openOrders(),
    totals,
    metrics: computeMetrics(equity, trades, totals.fees, { sameCandleRoundTrips: sameCandle, equityValues: eqF.subarray(0, eqN), exposedPoints: eqExposed }),
    finalState: state,
    finalBalances,
    points,
    notes,
    assumptions,
  };
}

/**
 * The high, low and close of `formingCandle(c, fraction)` (`domain/replay.ts`: the replay feed's forming candle
 * along open → low → high → close, or open → high → low → close when it fell), written into `out` without
 * allocating: the same float operations in the same order, so the values are identical (tested).
 */
export function formingInto(c: Candle, fraction: number, out: { high: number; low: number; close: number }): void {
  const f = Math.min(1, Math.max(0, fraction));
  if (f >= 1) {
    out.high = c.high;
    out.low = c.low;
    out.close = c.close;
    return;
  }
  const rising = c.close >= c.open;
  const p1 = rising ? c.low : c.high;
  const p2 = rising ? c.high : c.low;
  const pos = f * 3;
  const leg = Math.min(2, Math.floor(pos));
  const from = leg === 0 ? c.open : leg === 1 ? p1 : p2;
  const to = leg === 0 ? p1 : leg === 1 ? p2 : c.close;
  const price = from + (to - from) * (pos - leg);
  let high = Math.max(c.open, price);
  let low = Math.min(c.open, price);
  if (leg >= 1) {
    high = Math.max(high, p1);
    low = Math.min(low, p1);
  }
  if (leg >= 2) {
    high = Math.max(high, p2);
    low = Math.min(low, p2);
  }
  out.high = high;
  out.low = low;
  out.close = price;
}

/** The events of an ascending list with `from < ts ≤ to` (binary search for the first). */
function eventsBetween(events: readonly FundingRateEvent[], from: number, to: number): FundingRateEvent[] {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid]!.ts <= from) lo = mid + 1;
    else hi = mid;
  }
  const out: FundingRateEvent[] = [];
  for (let i = lo; i < events.length && events[i]!.ts <= to; i++) out.push(events[i]!);
  return out;
}

/** Significant digits of {@link Dec}: results longer than this are rounded by decimal.js. */
const DEC_PRECISION = 40;
const POW10: bigint[] = [1n];
const pow10 = (k: number): bigint => {
  while (POW10.length <= k) POW10.push(POW10[POW10.length - 1]! * 10n);
  return POW10[k]!;
};
/** 10^k as floats, k = 0..22 (all exact: 5^22 < 2^53). */
const POW10F: number[] = [1];
for (let k = 1; k <= 22; k++) POW10F.push(POW10F[k - 1]! * 10);
/** Largest integer mantissa taken for a float price (at most one integer then lies in a float's rounding interval). */
const MANTISSA_MAX = 2 ** 50;

/**
 * A decimal as an integer and a scale: value = int / 10^scale; `digits` = the integer's digit count;
 * `f` = `int` as a float when exact (≤ 15 digits, or 16 forming a safe integer), else NaN.
 */
interface Scaled {
  int: bigint;
  scale: number;
  digits: number;
  f: number;
}

/** A plain decimal string (`-12.340`) as a {@link Scaled}; null when not plain. */
function scaled(s: string): Scaled | null {
  if (!/^-?\d+(\.\d+)?$/.test(s)) return null;
  const dot = s.indexOf('.');
  const digits = dot < 0 ? s : s.slice(0, dot) + s.slice(dot + 1);
  const n = digits[0] === '-' ? digits.length - 1 : digits.length;
  // a float is exact for up to 15 digits, and for 16 when it is a safe integer (Number rounds correctly)
  const f = n <= 16 ? Number(digits) : NaN;
  return { int: BigInt(digits), scale: dot < 0 ? 0 : s.length - dot - 1, digits: n, f: n <= 15 || Number.isSafeInteger(f) ? f : NaN };
}

/**
 * The decimal of a non-negative float (its shortest representation, as `String(x)` and decimal.js read it) as
 * an integer mantissa and a scale, without building the string: the first k with round(x·10^k)/10^k = x.
 * With mantissas ≤ 2^50 a float's rounding interval holds one integer at most, so this is the shortest
 * representation's mantissa, left in the registers {@link FS} (no allocation; the last float asked is
 * remembered). False when out of that range (the caller then parses `String(x)`).
 */
function floatScaled(x: number): boolean {
  if (!(x >= 0) || x === Infinity) return false;
  if (x === FS[0]) return FS[1] === 1;
  FS[0] = x;
  for (let k = 0; k <= 15; k++) {
    const d = Math.round(x * POW10F[k]!);
    if (d > MANTISSA_MAX) break;
    if (d / POW10F[k]! === x) {
      FS[2] = d;
      FS[3] = k;
      FS[1] = 1;
      return true;
    }
  }
  FS[1] = 0;
  return false;
}
/**
 * Registers of {@link floatScaled} (a Float64Array: no boxed numbers): the last float asked, whether it was
 * taken (1), its mantissa and its scale.
 */
const FS = new Float64Array([NaN, 0, 0, 0]);

/** Significant digits of an integer without its trailing zeros (0 for 0). */
function significant(int: bigint): number {
  const d = (int < 0n ? -int : int).toString();
  let end = d.length;
  while (end > 1 && d[end - 1] === '0') end--;
  return d === '0' ? 0 : end;
}

/** `digits` (an integer's decimal digits, maybe with `-`) / 10^scale in the wire form of {@link str}. */
function formatScaled(digits: string, scale: number): string {
  if (digits === '0' || digits === '-0') return '0';
  const neg = digits[0] === '-';
  let d = neg ? digits.slice(1) : digits;
  if (scale > 0) {
    if (d.length <= scale) d = '0'.repeat(scale - d.length + 1) + d;
    let end = d.length;
    while (end > d.length - scale && d[end - 1] === '0') end--;
    const whole = d.slice(0, d.length - scale);
    const frac = d.slice(d.length - scale, end);
    d = frac ? [whole, '.', frac].join('') : whole;
  }
  return neg ? ['-', d].join('') : d;
}

/**
 * `str(Dec(a).plus(Dec(b).mul(price)))` — the equity of a holding — computed exactly with integers: with
 * floats while every integer stays below 2^53 (exact; an overflow cannot go unnoticed since rounding is
 * monotonic), else with BigInt when the product and the sum fit {@link Dec}'s 40 significant digits (then
 * decimal.js computes them exactly as well, so the strings are equal); otherwise with {@link Dec}.
 * @param a, b plain decimal strings; `price` a float (taken as its shortest representation)
 */
export function addProduct(a: string, b: string, price: number): string {
  return addProductScaled(a, null, b, null, price);
}

/**
 * {@link addProduct} with `a` / `b` already scaled when known (null: parse them). With `float`, its `value` is set
 * to `Number(result)` when the float path computed it (sum / 10^scale of an exact integer sum: the correctly
 * rounded value, as `Number` of the string), else NaN.
 */
function addProductScaled(a: string, ax: Scaled | null, b: string, by: Scaled | null, price: number, float?: { value: number }): string {
  PR[0] = price;
  return addProductAt(a, ax, b, by, float);
}

/** The price register of {@link addProductAt} (a float argument of a call that is not inlined gets boxed). */
const PR = new Float64Array(1);

/** {@link addProductScaled} at the price in `PR[0]`. */
function addProductAt(a: string, ax: Scaled | null, b: string, by: Scaled | null, float?: { value: number }): string {
  const price = PR[0]!;
  if (float) float.value = NaN;
  const x = ax ?? scaled(a);
  const y = by ?? scaled(b);
  if (x && y) {
    let p: Scaled | null;
    if (floatScaled(price)) {
      const pf = FS[2]!;
      const ps = FS[3]!;
      if (x.f === x.f && y.f === y.f) {
        const prod = y.f * pf;
        const prodScale = y.scale + ps;
        const scale = Math.max(x.scale, prodScale);
        if (scale <= 22) {
          const l = x.f * POW10F[scale - x.scale]!;
          const r = prod * POW10F[scale - prodScale]!;
          const sum = l + r;
          if (Number.isSafeInteger(prod) && Number.isSafeInteger(l) && Number.isSafeInteger(r) && Number.isSafeInteger(sum)) {
            if (float) float.value = sum / POW10F[scale]!;
            return formatSmall(sum, scale);
          }
        }
      }
      p = { int: BigInt(pf), scale: ps, digits: 16, f: pf };
    } else p = scaled(String(price));
    if (p) {
      const prod = y.int * p.int;
      const prodScale = y.scale + p.scale;
      const scale = Math.max(x.scale, prodScale);
      const sum = x.int * pow10(scale - x.scale) + prod * pow10(scale - prodScale);
      // digit counts bound the significant digits: within 40 → decimal.js is exact too
      const bound = Math.max(x.digits + scale - x.scale, y.digits + p.digits + scale - prodScale) + 1;
      if (bound <= DEC_PRECISION || (significant(prod) <= DEC_PRECISION && significant(sum) <= DEC_PRECISION)) return formatScaled(sum.toString(), scale);
    }
  }
  return str(new Dec(a).plus(new Dec(b).mul(price)));
}
