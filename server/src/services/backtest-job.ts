/**
 * A backtest as a job: {@link loadBacktestJob} reads everything a run needs from the database and the shipped
 * assets into plain data (main thread, I/O), {@link executeBacktestJob} runs it (pure compute: worker thread,
 * CLI or tests) and returns a serialisable outcome. The same two functions serve `osprey backtest` and the
 * Backtests page, so both give the same numbers.
 *
 * Candles: the feed stores spot candles (`BTC/USDT`); a perpetual `BTC/USDT:USDT` is priced from them, as the
 * paper exchange does. `WARMUP_CANDLES` closed candles before `from` go to the strategy's `start` event.
 * Signal bots get the market detector's signals over the range, computed from the same stored candles
 * (15m + 4h with indicator warm-up) with the detector's default configuration. With `settings.detail` the
 * stored candles of that finer timeframe over the range are read too (the path inside each stepped candle);
 * a symbol with none of them at all is refused (`settings.detail`), a partial set is used where it covers.
 */
import {
  TIMEFRAME_MS,
  botSymbols,
  type BacktestAssumptions,
  type BacktestSettings,
  type BotConfig,
  type Candle,
  type CandleTimeframe,
  type CandleWithIndicators,
  type DecimalString,
  type MarketSignal,
  type RoundTripView,
  type RunMetricsView,
  type SeriesPoint,
  type Timeframe,
} from '@osprey/shared';
import type { Db } from '../adapters/db/client.js';
import { listCandles } from '../adapters/db/repos/candles-repo.js';
import { paperMarkets } from '../adapters/exchange/paper-markets.js';
import { feedSymbol } from '../adapters/exchange/paper-exchange.js';
import { runBacktest } from '../domain/bots/backtest.js';
import { createBotStrategy } from '../domain/bots/factory.js';
import { detectHistory } from '../domain/detector/index.js';
import { computeIndicators } from '../domain/indicators/index.js';
import { CsvFundingSource } from './market-sources.js';

/** Closed candles before `from` handed to the strategy as warm-up. */
export const WARMUP_CANDLES = 200;
/** Indicator warm-up of the detector inputs (as the market service). */
const DETECT_WARMUP_15M = 500;
const DETECT_WARMUP_4H = 460;

/** Everything a run needs, as plain (structured-clonable) data. */
export interface BacktestJob {
  /** Order ids derive from it (the run id). */
  botId: string;
  config: BotConfig;
  settings: BacktestSettings;
  exchange: string;
  from: number;
  to: number;
  /** By bot symbol: candles with `from ≤ ts < to`. */
  candles: Record<string, Candle[]>;
  /** By bot symbol: closed candles before `from`. */
  warmup: Record<string, Candle[]>;
  /** By bot symbol (perpetuals): funding settlements in the range. */
  funding: Record<string, Array<{ ts: number; rate: DecimalString }>>;
  /** Signal bots: detector inputs by feed symbol. */
  detector?: Record<string, { s15: Candle[]; s4h: Candle[] }>;
  /** With `settings.detail`: by bot symbol, the detail candles with `from ≤ ts < to`. */
  detail?: Record<string, Candle[]>;
}

/** Thrown when a run cannot start: `field` names the input at fault. */
export class BacktestInputError extends Error {
  override readonly name = 'BacktestInputError';
  /** @param field input path, e.g. `from` @param reason what is wrong */
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/**
 * Reads candles of a series (`listCandles` semantics: `from`/`to` inclusive open times, ascending; with `limit`
 * and no `from`, the last `limit` candles up to `to`).
 */
export type CandleReader = (key: { exchange: string; symbol: string; timeframe: CandleTimeframe }, range: { from?: number; to?: number; limit?: number }) => Promise<Candle[]>;

/** A {@link CandleReader} over the database's stored candles. */
export function dbCandleReader(db: Db): CandleReader {
  return (key, range) => listCandles(db, key, range);
}

/** What {@link loadBacktestJob} is asked for. */
export interface BacktestQuery {
  /** Id the order ids derive from. */
  botId: string;
  config: BotConfig;
  settings: BacktestSettings;
  exchange: string;
  /** Range of candle open times, Unix ms: `from` inclusive, `to` exclusive. */
  from: number;
  to: number;
}

/**
 * Reads a run's inputs from the database (the Backtests page).
 * @throws BacktestInputError `config` when a symbol has no stored candles in the range
 */
export function loadBacktestJob(db: Db, q: BacktestQuery): Promise<BacktestJob> {
  return loadBacktestJobFrom(dbCandleReader(db), q);
}

/**
 * Reads a run's inputs through any candle reader (the database, or the shipped CSV files for the CLI).
 * @throws BacktestInputError `config` when a symbol is no paper market or has no candles in the range;
 *   `settings.detail` when a symbol has no candles of the detail timeframe in the range
 */
export async function loadBacktestJobFrom(read: CandleReader, q: BacktestQuery): Promise<BacktestJob> {
  const tf = q.settings.timeframe;
  const tfMs = TIMEFRAME_MS[tf];
  const markets = paperMarkets(q.config.marketType);
  const candles: Record<string, Candle[]> = {};
  const warmup: Record<string, Candle[]> = {};
  const funding: BacktestJob['funding'] = {};
  const fundingSource = new CsvFundingSource();
  for (const s of botSymbols(q.config)) {
    const m = markets[s];
    if (!m) throw new BacktestInputError('config', `${s} is not a ${q.config.marketType} market of the paper exchange (${Object.keys(markets).join(', ')})`);
    const fs = feedSymbol(m);
    const key = { exchange: q.exchange, symbol: fs, timeframe: tf };
    const rows = await read(key, { from: q.from, to: q.to - 1 });
    if (rows.length === 0) throw new BacktestInputError('config', `no stored ${tf} candles of ${fs} on ${q.exchange} between ${new Date(q.from).toISOString()} and ${new Date(q.to).toISOString()}`);
    candles[s] = rows;
    warmup[s] = await read(key, { to: q.from - tfMs, limit: WARMUP_CANDLES });
    if (m.type === 'swap') funding[s] = fundingSource.between(s, q.from - 1, q.to + tfMs);
  }
  const job: BacktestJob = { botId: q.botId, config: q.config, settings: q.settings, exchange: q.exchange, from: q.from, to: q.to, candles, warmup, funding };
  const detailTf = q.settings.detail;
  if (detailTf !== undefined) {
    job.detail = {};
    for (const s of botSymbols(q.config)) {
      const fs = feedSymbol(markets[s]!);
      const rows = await read({ exchange: q.exchange, symbol: fs, timeframe: detailTf }, { from: q.from, to: q.to - 1 });
      if (rows.length === 0) {
        throw new BacktestInputError(
          'settings.detail',
          `no stored ${detailTf} candles of ${fs} on ${q.exchange} between ${new Date(q.from).toISOString()} and ${new Date(q.to).toISOString()}; import them (osprey import --timeframe ${detailTf}) or sync them (OSPREY_DETAIL_TIMEFRAMES), or run without detail`,
        );
      }
      job.detail[s] = rows;
    }
  }
  if (q.config.type === 'signal') {
    job.detector = {};
    for (const s of botSymbols(q.config)) {
      const fs = feedSymbol(markets[s]!);
      if (job.detector[fs]) continue;
      const s15 = await read({ exchange: q.exchange, symbol: fs, timeframe: '15m' }, { from: q.from - DETECT_WARMUP_15M * TIMEFRAME_MS['15m'], to: q.to - TIMEFRAME_MS['15m'] });
      const s4h = await read({ exchange: q.exchange, symbol: fs, timeframe: '4h' }, { from: q.from - DETECT_WARMUP_4H * TIMEFRAME_MS['4h'], to: q.to - TIMEFRAME_MS['4h'] });
      job.detector[fs] = { s15, s4h };
    }
  }
  return job;
}

/** A fill of a run (plain JSON). */
export interface OutcomeFill {
  ts: number;
  symbol: string;
  side: 'buy' | 'sell';
  price: DecimalString;
  amount: DecimalString;
  fee: DecimalString;
  feeCurrency: string;
  clientOrderId: string | null;
}

/** What a run produced (plain JSON). */
export interface BacktestOutcome {
  metrics: RunMetricsView;
  equity: Array<{ ts: number; equity: string; exposed: boolean }>;
  trades: RoundTripView[];
  fills: OutcomeFill[];
  events: Array<{ ts: number; kind: 'risk' | 'info'; code: string; message: string; detail: Record<string, unknown> }>;
  series: SeriesPoint[];
  rejections: Array<{ ts: number; clientOrderId: string; code: string; message: string }>;
  finalBalances: Record<string, DecimalString>;
  signals: number;
  candleSteps: number;
  /** The fill assumptions of the run (absent in results stored before they were recorded). */
  assumptions?: BacktestAssumptions;
}

/**
 * The detector's signals for a signal bot's symbols over `[from, to)`, in time order.
 * @param inputs by feed symbol: 15m and 4h candles including indicator warm-up
 */
export function backtestSignals(exchange: string, inputs: Record<string, { s15: Candle[]; s4h: Candle[] }>, from: number, to: number): MarketSignal[] {
  const out: MarketSignal[] = [];
  for (const [symbol, { s15, s4h }] of Object.entries(inputs)) {
    const i15 = computeIndicators(s15, '15m');
    const i4h = computeIndicators(s4h, '4h');
    const a: CandleWithIndicators[] = s15.map((c, i) => ({ ...c, ind: i15[i]! }));
    const b: CandleWithIndicators[] = s4h.map((c, i) => ({ ...c, ind: i4h[i]! }));
    out.push(...detectHistory(exchange, symbol, a, b, from, to - TIMEFRAME_MS['15m']));
  }
  return out.sort((x, y) => x.createdAt - y.createdAt || x.symbol.localeCompare(y.symbol));
}

/**
 * Runs a job (pure compute).
 * @param onProgress called with 0–1 now and then
 * @throws RangeError / Error from the backtester (see `runBacktest`)
 */
export function executeBacktestJob(job: BacktestJob, onProgress?: (fraction: number) => void): BacktestOutcome {
  const s = job.settings;
  const markets = paperMarkets(job.config.marketType, s.fees ? { maker: s.fees.maker, taker: s.fees.taker } : {});
  const strategy = createBotStrategy(job.botId, job.config);
  const signals = job.detector ? backtestSignals(job.exchange, job.detector, job.from, job.to) : [];
  const timeframe: Timeframe = s.timeframe;
  const r = runBacktest({
    strategy,
    candles: job.candles,
    timeframe,
    marketType: job.config.marketType,
    markets,
    balances: s.balances,
    slippageBps: s.slippageBps,
    leverage: job.config.leverage,
    funding: job.funding,
    signals,
    warmup: job.warmup,
    ...(s.detail !== undefined ? { detail: { timeframe: s.detail, candles: job.detail ?? {} } } : {}),
    ...(s.fillModel !== undefined ? { fillModel: s.fillModel } : {}),
    ...(onProgress ? { onProgress } : {}),
  });
  const m = r.metrics;
  return {
    metrics: { ...m },
    equity: r.equity.map((p) => ({ ts: p.ts, equity: p.equity, exposed: p.exposed })),
    trades: r.trades.map((t) => ({ ...t })),
    fills: r.fills.map((f) => ({ ts: f.ts, symbol: f.symbol, side: f.side, price: f.price, amount: f.amount, fee: f.fee, feeCurrency: f.feeCurrency, clientOrderId: f.clientOrderId })),
    events: r.notes.map((n) => ({ ts: n.ts, kind: n.kind, code: n.code, message: n.message, detail: n.detail })),
    series: r.points,
    rejections: r.rejections,
    finalBalances: r.finalBalances,
    signals: signals.length,
    candleSteps: Object.values(job.candles).reduce((n, c) => n + c.length, 0),
    assumptions: r.assumptions,
  };
}
