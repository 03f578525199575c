import {
  TIMEFRAME_MS,
  type CandleWithIndicators,
  type FeedState,
  type MarketSignal,
  type Timeframe,
} from '@osprey/shared';
import type { Db } from '../adapters/db/client.js';
import { listCandles, listStoredSymbols } from '../adapters/db/repos/candles-repo.js';
import { insertSignals, listSignals } from '../adapters/db/repos/signals-repo.js';
import type { Logger } from '../adapters/log.js';
import { computeIndicators, IndicatorEngine } from '../domain/indicators/index.js';
import { detect, detectHistory, type DetectorConfig, DEFAULT_DETECTOR_CONFIG } from '../domain/detector/index.js';
import { AppError } from './errors.js';
import type { EventBus } from './event-bus.js';
import type { FeedCandle, MarketFeed } from './feeds.js';

/** Candles loaded before a requested window so EMA/RSI/ADX have converged (≈ 6× the longest period). */
const WARMUP = 400;
/** Closed candles with indicators kept in memory per series for the detector. */
const WINDOW = 200;
/** Detector input sizes (quant seed). */
const DETECT_15M = 100;
const DETECT_4H = 60;

/** Options of {@link MarketService}. */
export interface MarketServiceOptions {
  db: Db;
  bus: EventBus;
  feed: MarketFeed;
  exchange: string;
  symbols: readonly string[];
  timeframes: readonly Timeframe[];
  log: Logger;
  detector?: DetectorConfig;
}

interface Series {
  engine: IndicatorEngine;
  closed: CandleWithIndicators[];
  forming: CandleWithIndicators | null;
}

/**
 * Market use-cases for every transport: candles with indicators, the forming candle, detector runs on
 * each 15m close, past-signal history, and live events on the bus.
 */
export class MarketService {
  private readonly series = new Map<string, Series>();
  private readonly detecting = new Map<string, Promise<unknown>>();
  private readonly detector: DetectorConfig;

  constructor(private readonly o: MarketServiceOptions) {
    this.detector = o.detector ?? DEFAULT_DETECTOR_CONFIG;
  }

  /** Market time (simulated in replay). */
  now(): number {
    return this.o.feed.clock.now();
  }

  /** Exchange, symbols, timeframes and feed state for pickers and the header. */
  async overview(): Promise<{ exchange: string; symbols: string[]; timeframes: Timeframe[]; feed: FeedState }> {
    const stored = new Set(await listStoredSymbols(this.o.db, this.o.exchange));
    const symbols = this.o.symbols.filter((s) => stored.has(s) || this.o.feed.kind === 'live');
    return { exchange: this.o.exchange, symbols, timeframes: [...this.o.timeframes], feed: this.o.feed.state() };
  }

  /**
   * Loads indicator engines with recent history (closed at market time) and the signals of the last
   * `historyDays`, so charts show markers from the start. Call after the feed's init, before start.
   */
  async init(historyDays = 14): Promise<void> {
    const now = this.now();
    for (const symbol of this.o.symbols) {
      for (const tf of this.o.timeframes) {
        const engine = new IndicatorEngine(tf);
        const rows = await this.closedCandles(symbol, tf, { limit: WARMUP + WINDOW }, now);
        const closed: CandleWithIndicators[] = [];
        for (const c of rows) closed.push({ ...c, ind: engine.update(c) });
        this.series.set(key(symbol, tf), { engine, closed: closed.slice(-WINDOW), forming: null });
      }
      await this.detectHistory(symbol, now - historyDays * 86_400_000, now).catch((err) =>
        this.o.log.warn({ err, symbol }, 'history detection failed'),
      );
    }
  }

  /** Feed handler: attaches indicators, publishes, and runs the detector on each 15m close. */
  onFeedCandle = (e: FeedCandle): void => {
    const s = this.series.get(key(e.symbol, e.timeframe));
    if (!s) return;
    const last = s.closed.at(-1);
    if (last && e.candle.ts <= last.ts) return; // already final (e.g. replayed after a restart)
    const withInd: CandleWithIndicators = { ...e.candle, ind: s.engine.update(e.candle) };
    if (e.closed) {
      s.closed.push(withInd);
      if (s.closed.length > WINDOW * 2) s.closed.splice(0, s.closed.length - WINDOW);
      s.forming = null;
    } else {
      s.forming = withInd;
    }
    this.o.bus.emit('candle', { exchange: this.o.exchange, symbol: e.symbol, timeframe: e.timeframe, candle: withInd, closed: e.closed });
    if (e.closed && e.timeframe === '15m') this.queueDetect(e.symbol);
  };

  private queueDetect(symbol: string): void {
    const prev = this.detecting.get(symbol) ?? Promise.resolve();
    const next = prev
      .then(() => this.runDetector(symbol))
      .catch((err) => this.o.log.error({ err, symbol }, 'detector failed'));
    this.detecting.set(symbol, next);
  }

  /** Waits for queued detector runs (shutdown, tests). */
  async idle(): Promise<void> {
    await Promise.all(this.detecting.values());
  }

  /**
   * Runs the detector on the latest closed candles of `symbol` and stores/publishes a signal if one fires.
   * @returns the signal (null if none) and the layer-by-layer evaluation
   */
  async runDetector(symbol: string): Promise<{ signal: MarketSignal | null; evaluation: Record<string, unknown> }> {
    const s15 = this.series.get(key(symbol, '15m'));
    const s4h = this.series.get(key(symbol, '4h'));
    if (!s15 || !s4h) throw new AppError('NOT_FOUND', `symbol: ${symbol} is not tracked`);
    const { signal, evaluation } = detect(
      { exchange: this.o.exchange, symbol, candles15m: s15.closed.slice(-DETECT_15M), candles4h: s4h.closed.slice(-DETECT_4H) },
      this.detector,
    );
    if (!signal) return { signal: null, evaluation };
    const inserted = await insertSignals(this.o.db, [signal]);
    for (const sig of inserted) this.o.bus.emit('signal', sig);
    return { signal, evaluation };
  }

  /**
   * History mode: walks every 15m close in [from, to] (capped at market time), stores new signals.
   * @returns all signals found in the range, oldest first
   */
  async detectHistory(symbol: string, from: number, to: number): Promise<MarketSignal[]> {
    this.assertSymbol(symbol);
    if (to < from) throw new AppError('VALIDATION', 'to: must not be before from');
    const end = Math.min(to, this.now());
    const s15 = await this.closedCandles(symbol, '15m', { from: from - (WARMUP + DETECT_15M) * TIMEFRAME_MS['15m'], to: end });
    const s4h = await this.closedCandles(symbol, '4h', { from: from - (WARMUP + DETECT_4H) * TIMEFRAME_MS['4h'], to: end });
    const ind15 = computeIndicators(s15, '15m');
    const ind4h = computeIndicators(s4h, '4h');
    const signals = detectHistory(
      this.o.exchange,
      symbol,
      s15.map((c, i) => ({ ...c, ind: ind15[i]! })),
      s4h.map((c, i) => ({ ...c, ind: ind4h[i]! })),
      from,
      end,
      this.detector,
    );
    await insertSignals(this.o.db, signals);
    return signals;
  }

  /**
   * Closed candles with indicators (warm-up candles loaded before the window and dropped), plus the
   * forming candle. Only candles closed at market time are visible.
   */
  async candles(q: { symbol: string; timeframe: Timeframe; from?: number | undefined; to?: number | undefined; limit: number }): Promise<{
    candles: CandleWithIndicators[];
    forming: CandleWithIndicators | null;
  }> {
    this.assertSymbol(q.symbol);
    const tf = TIMEFRAME_MS[q.timeframe];
    const rows =
      q.from !== undefined
        ? await this.closedCandles(q.symbol, q.timeframe, { from: q.from - WARMUP * tf, to: q.to })
        : await this.closedCandles(q.symbol, q.timeframe, { to: q.to, limit: q.limit + WARMUP });
    const ind = computeIndicators(rows, q.timeframe);
    let out = rows.map((c, i) => ({ ...c, ind: ind[i]! }));
    out = q.from !== undefined ? out.filter((c) => c.ts >= q.from!).slice(0, q.limit) : out.slice(-q.limit);
    const forming = this.series.get(key(q.symbol, q.timeframe))?.forming ?? null;
    return { candles: out, forming: q.to === undefined || (forming && forming.ts <= q.to) ? forming : null };
  }

  /** Stored signals visible at market time, newest first. */
  async signals(q: { symbol?: string | undefined; from?: number | undefined; to?: number | undefined; limit: number }): Promise<MarketSignal[]> {
    const visibleTo = this.now() - TIMEFRAME_MS['15m'];
    return listSignals(this.o.db, {
      exchange: this.o.exchange,
      symbol: q.symbol,
      from: q.from,
      to: Math.min(q.to ?? Infinity, visibleTo),
      limit: q.limit,
    });
  }

  private assertSymbol(symbol: string): void {
    if (!this.o.symbols.includes(symbol)) throw new AppError('NOT_FOUND', `symbol: ${symbol} is not tracked (tracked: ${this.o.symbols.join(', ')})`);
  }

  private closedCandles(
    symbol: string,
    timeframe: Timeframe,
    r: { from?: number | undefined; to?: number | undefined; limit?: number | undefined },
    now = this.now(),
  ) {
    const lastOpen = now - TIMEFRAME_MS[timeframe];
    return listCandles(this.o.db, { exchange: this.o.exchange, symbol, timeframe }, { ...r, to: Math.min(r.to ?? Infinity, lastOpen) });
  }
}

const key = (symbol: string, tf: Timeframe) => `${symbol}|${tf}`;
