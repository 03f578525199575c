/**
 * Backtest runs: persisted, executed off the request thread (one worker thread per run, at most
 * `maxConcurrent` at once, the rest queued), progress streamed on the bus (`backtest`), results stored as
 * JSON on the run row. A run left queued/running by a previous process is marked failed at start.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import {
  backtestStartInputSchema,
  botSymbols,
  type BacktestResultView,
  type BacktestRunView,
  type BacktestStartInput,
  type Candle,
  type CandleCoverage,
} from '@osprey/shared';
import { systemClock } from '../adapters/clock.js';
import type { Db } from '../adapters/db/client.js';
import {
  deleteBacktestRun,
  failInterruptedRuns,
  findBacktestRun,
  insertBacktestRun,
  listBacktestRuns,
  updateBacktestRun,
  type BacktestRunRow,
} from '../adapters/db/repos/bots-repo.js';
import { candleCoverage, listCandles } from '../adapters/db/repos/candles-repo.js';
import { feedSymbol } from '../adapters/exchange/paper-exchange.js';
import { paperMarkets } from '../adapters/exchange/paper-markets.js';
import type { Logger } from '../adapters/log.js';
import type { Clock } from '../domain/ports.js';
import { BacktestInputError, executeBacktestJob, loadBacktestJob, type BacktestJob, type BacktestOutcome } from './backtest-job.js';
import { AppError } from './errors.js';
import type { EventBus } from './event-bus.js';

/** Options of {@link BacktestService}. */
export interface BacktestServiceOptions {
  db: Db;
  bus: EventBus;
  log: Logger;
  /** Exchange whose stored candles runs use by default (the feed's). */
  exchange: string;
  /** Runs executing at once (default 2). */
  maxConcurrent?: number;
  /** Run in worker threads (default true; false runs inline on the main thread, for the CLI). */
  useWorkers?: boolean;
  clock?: Clock;
}

/** Most equity points returned by a result view (evenly thinned, keeping the last). */
const MAX_EQUITY_POINTS = 5000;

/** The backtests service (see the module doc). */
export class BacktestService {
  private readonly queue: Array<() => Promise<void>> = [];
  private running = 0;
  private readonly workers = new Set<Worker>();
  private readonly inflight = new Set<Promise<void>>();
  private closed = false;
  private readonly clock: Clock;

  constructor(private readonly o: BacktestServiceOptions) {
    this.clock = o.clock ?? systemClock;
  }

  /** Marks runs interrupted by a previous process as failed. */
  async init(): Promise<void> {
    const n = await failInterruptedRuns(this.o.db, this.clock.now());
    if (n > 0) this.o.log.warn({ runs: n }, 'backtests interrupted by the last shutdown were marked failed');
  }

  /**
   * Queues a run and returns it at once (status `queued`); progress and completion arrive on the bus.
   * @throws AppError VALIDATION naming the field (bad input, unknown symbol, no candles in the range)
   */
  async start(userId: string, input: BacktestStartInput): Promise<BacktestRunView> {
    const i = backtestStartInputSchema.parse(input);
    const exchange = i.exchange ?? this.o.exchange;
    const markets = paperMarkets(i.config.marketType);
    for (const s of botSymbols(i.config)) if (!markets[s]) throw new AppError('VALIDATION', `config: ${s} is not a ${i.config.marketType} market (${Object.keys(markets).join(', ')})`);
    const id = randomUUID();
    let job: BacktestJob;
    try {
      job = await loadBacktestJob(this.o.db, { botId: id, config: i.config, settings: i.settings, exchange, from: i.from, to: i.to });
    } catch (err) {
      if (err instanceof BacktestInputError) throw new AppError('VALIDATION', err.message);
      throw err;
    }
    const now = this.clock.now();
    const symbols = botSymbols(i.config);
    const name = i.name?.trim() || `${i.config.type} ${symbols.join('/')} ${new Date(i.from).toISOString().slice(0, 10)}→${new Date(i.to).toISOString().slice(0, 10)}`;
    const row = await insertBacktestRun(this.o.db, { id, userId, name, type: i.config.type, config: i.config, settings: i.settings, exchange, fromTs: i.from, toTs: i.to, status: 'queued', progress: 0, createdAt: now });
    this.enqueue(() => this.execute(row, job));
    return view(row);
  }

  /** The caller's runs, newest first (without results). */
  async list(userId: string): Promise<BacktestRunView[]> {
    return (await listBacktestRuns(this.o.db, userId)).map((r) => view({ ...r, result: null }));
  }

  /**
   * A run with its result and the candles of its symbols over the range.
   * @throws AppError NOT_FOUND
   */
  async result(userId: string, id: string): Promise<BacktestResultView> {
    const row = await findBacktestRun(this.o.db, userId, id);
    if (!row) throw new AppError('NOT_FOUND', 'id: no such backtest');
    const out = row.result as unknown as BacktestOutcome | null;
    const candles: Record<string, Candle[]> = {};
    const markets = paperMarkets(row.config.marketType);
    for (const s of botSymbols(row.config)) {
      const m = markets[s];
      if (!m) continue;
      candles[s] = await listCandles(this.o.db, { exchange: row.exchange, symbol: feedSymbol(m), timeframe: row.settings.timeframe }, { from: row.fromTs, to: row.toTs - 1 });
    }
    return {
      run: view(row),
      equity: out ? equityView(out.equity) : [],
      trades: out?.trades ?? [],
      fills: out?.fills.map((f) => ({ ts: f.ts, symbol: f.symbol, side: f.side, price: f.price, amount: f.amount, fee: f.fee, clientOrderId: f.clientOrderId })) ?? [],
      events: out?.events ?? [],
      series: out?.series ?? [],
      candles,
      timeframe: row.settings.timeframe,
      assumptions: out?.assumptions ?? null,
    };
  }

  /**
   * Deletes a finished run.
   * @throws AppError NOT_FOUND, CONFLICT while it runs
   */
  async remove(userId: string, id: string): Promise<{ ok: true }> {
    const row = await findBacktestRun(this.o.db, userId, id);
    if (!row) throw new AppError('NOT_FOUND', 'id: no such backtest');
    if (row.status === 'queued' || row.status === 'running') throw new AppError('CONFLICT', 'status: wait until the run finishes');
    await deleteBacktestRun(this.o.db, id);
    return { ok: true };
  }

  /** Stored candle coverage of symbols (perpetuals report their feed symbol's candles), 15m. */
  async coverage(symbols: string[]): Promise<CandleCoverage[]> {
    const out: CandleCoverage[] = [];
    for (const s of symbols) {
      const feed = s.includes(':') ? s.slice(0, s.indexOf(':')) : s;
      const c = await candleCoverage(this.o.db, { exchange: this.o.exchange, symbol: feed, timeframe: '15m' });
      out.push({ symbol: s, ...c });
    }
    return out;
  }

  /** Waits for every queued and running run (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0 || this.queue.length > 0) await Promise.allSettled([...this.inflight]);
  }

  /** Stops accepting runs and terminates running workers (their runs are marked failed at next start). */
  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    await Promise.all([...this.workers].map((w) => w.terminate()));
  }

  // ─── execution ───────────────────────────────────────────────────────────────────────────────────────

  private enqueue(job: () => Promise<void>): void {
    this.queue.push(job);
    this.pump();
  }

  private pump(): void {
    while (!this.closed && this.running < (this.o.maxConcurrent ?? 2) && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.running++;
      const p = job()
        .catch((err) => this.o.log.error({ err }, 'backtest run failed'))
        .finally(() => {
          this.running--;
          this.inflight.delete(p);
          this.pump();
        });
      this.inflight.add(p);
    }
  }

  private async execute(row: BacktestRunRow, job: BacktestJob): Promise<void> {
    const emit = (status: BacktestRunRow['status'], progress: number, error: string | null) =>
      this.o.bus.emit('backtest', { userId: row.userId, id: row.id, status, progress, error });
    await updateBacktestRun(this.o.db, row.id, { status: 'running' });
    emit('running', 0, null);
    let lastSaved = 0;
    const onProgress = (f: number) => {
      emit('running', f, null);
      if (f - lastSaved >= 0.1) {
        lastSaved = f;
        void updateBacktestRun(this.o.db, row.id, { progress: f }).catch(() => undefined);
      }
    };
    try {
      const outcome = this.o.useWorkers === false ? executeBacktestJob(job, onProgress) : await this.inWorker(job, onProgress);
      await updateBacktestRun(this.o.db, row.id, { status: 'done', progress: 1, metrics: outcome.metrics, result: outcome as unknown as Record<string, unknown>, finishedAt: this.clock.now() });
      emit('done', 1, null);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await updateBacktestRun(this.o.db, row.id, { status: 'failed', error: message, finishedAt: this.clock.now() });
      emit('failed', 0, message);
    }
  }

  private inWorker(job: BacktestJob, onProgress: (f: number) => void): Promise<BacktestOutcome> {
    return new Promise((resolve, reject) => {
      const w = new Worker(new URL('./backtest-worker.mjs', import.meta.url), { workerData: job });
      this.workers.add(w);
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        this.workers.delete(w);
        fn();
        void w.terminate();
      };
      w.on('message', (m: { type: 'progress'; fraction: number } | { type: 'done'; outcome: BacktestOutcome } | { type: 'failed'; message: string }) => {
        if (m.type === 'progress') onProgress(m.fraction);
        else if (m.type === 'done') finish(() => resolve(m.outcome));
        else finish(() => reject(new Error(m.message)));
      });
      w.on('error', (err) => finish(() => reject(err)));
      w.on('exit', (code) => finish(() => reject(new Error(`backtest worker exited (code ${code})`))));
    });
  }
}

function view(r: BacktestRunRow): BacktestRunView {
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    symbols: botSymbols(r.config),
    config: r.config,
    settings: r.settings,
    exchange: r.exchange,
    from: r.fromTs,
    to: r.toTs,
    status: r.status,
    progress: r.progress,
    error: r.error,
    metrics: r.metrics,
    createdAt: r.createdAt,
    finishedAt: r.finishedAt,
  };
}

/** Equity curve (numbers) with drawdown % below the running peak, thinned to {@link MAX_EQUITY_POINTS}. */
export function equityView(points: ReadonlyArray<{ ts: number; equity: string }>): BacktestResultView['equity'] {
  const out: BacktestResultView['equity'] = [];
  let peak = -Infinity;
  const every = Math.max(1, Math.ceil(points.length / MAX_EQUITY_POINTS));
  points.forEach((p, i) => {
    const e = Number(p.equity);
    peak = Math.max(peak, e);
    if (i % every === 0 || i === points.length - 1) out.push({ ts: p.ts, equity: e, drawdownPct: peak > 0 ? ((peak - e) / peak) * 100 : 0 });
  });
  return out;
}
