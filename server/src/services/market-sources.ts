/**
 * The market data the paper exchange trades against, built over what the market feed already provides:
 * - {@link MarketPriceSource}: the 15m candle stream of the bus (`candle` events from MarketService, replay or
 *   live alike) as a {@link PriceSource}, seeded with the last closed 15m candle of each symbol from the
 *   candles table so prices exist before the first tick;
 * - {@link CsvFundingSource}: the shipped 8-hourly Binance funding rates (`server/assets/funding/*.csv`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TIMEFRAME_MS, type Candle, type CandleUpdate, type DecimalString, type Timeframe } from '@osprey/shared';
import type { Db } from '../adapters/db/client.js';
import { listCandles } from '../adapters/db/repos/candles-repo.js';
import type { FundingSource, PriceSource } from '../adapters/exchange/paper-exchange.js';
import type { Clock } from '../domain/ports.js';
import type { EventBus } from './event-bus.js';

/** The timeframe paper fills are computed on (the finest the feed carries). */
const PRICE_TIMEFRAME: Timeframe = '15m';

/** Options of {@link MarketPriceSource}. */
export interface MarketPriceSourceOptions {
  db: Db;
  bus: EventBus;
  /** ccxt id of the feed's exchange (candles table key). */
  exchange: string;
  /** Feed symbols (spot, e.g. `BTC/USDT`). */
  symbols: readonly string[];
  /** Market clock: only candles closed at its time are visible to {@link MarketPriceSource.history}. */
  clock: Clock;
}

type PriceListener = (symbol: string, candle: Candle, closed: boolean) => void;

/**
 * A {@link PriceSource} over the market feed: `last` is the newest 15m candle seen (forming or closed),
 * `subscribe` relays every 15m bus update of the feed's exchange, `history` reads closed candles from the
 * candles table up to market time.
 */
export class MarketPriceSource implements PriceSource {
  private readonly latest = new Map<string, Candle>();
  private readonly listeners = new Set<PriceListener>();
  private off: (() => void) | null = null;

  constructor(private readonly o: MarketPriceSourceOptions) {}

  /** Seeds `last` with each symbol's newest closed 15m candle at market time and starts relaying bus updates. */
  async init(): Promise<void> {
    const lastOpen = this.o.clock.now() - TIMEFRAME_MS[PRICE_TIMEFRAME];
    for (const symbol of this.o.symbols) {
      const [c] = await listCandles(this.o.db, { exchange: this.o.exchange, symbol, timeframe: PRICE_TIMEFRAME }, { to: lastOpen, limit: 1 });
      const cur = this.latest.get(symbol);
      if (c && (!cur || cur.ts < c.ts)) this.latest.set(symbol, c);
    }
    this.off ??= this.o.bus.on('candle', this.onCandle);
  }

  /** Stops relaying bus updates. */
  close(): void {
    this.off?.();
    this.off = null;
  }

  /** {@inheritDoc PriceSource.last} */
  last(symbol: string): Candle | null {
    return this.latest.get(symbol) ?? null;
  }

  /** {@inheritDoc PriceSource.subscribe} */
  subscribe(listener: PriceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** {@inheritDoc PriceSource.history} Closed candles only (open time ≤ market time − timeframe), ascending. */
  async history(symbol: string, timeframe: Timeframe, since?: number, limit?: number): Promise<Candle[]> {
    const to = this.o.clock.now() - TIMEFRAME_MS[timeframe];
    return listCandles(this.o.db, { exchange: this.o.exchange, symbol, timeframe }, { from: since, to, limit: limit ?? 500 });
  }

  private readonly onCandle = (u: CandleUpdate): void => {
    if (u.timeframe !== PRICE_TIMEFRAME || (u.exchange !== undefined && u.exchange !== this.o.exchange)) return;
    const cur = this.latest.get(u.symbol);
    if (cur && u.candle.ts < cur.ts) return; // stale
    const c: Candle = { ts: u.candle.ts, open: u.candle.open, high: u.candle.high, low: u.candle.low, close: u.candle.close, volume: u.candle.volume };
    this.latest.set(u.symbol, c);
    for (const l of [...this.listeners]) l(u.symbol, c, u.closed);
  };
}

/** Folder of the shipped funding-rate CSVs (`BINANCE_<BASE><QUOTE>_funding.csv`: `ts,rate`). */
export const FUNDING_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../assets/funding');

/**
 * Funding rates of perpetuals from the shipped CSVs (Binance 8-hourly settlements, positive = longs pay shorts),
 * loaded once at construction. Symbols without a file (spot, or a base without data) have no funding.
 */
export class CsvFundingSource implements FundingSource {
  /** By file key (`BTCUSDT`): settlements ascending by time. */
  private readonly rates = new Map<string, { ts: number; rate: DecimalString }[]>();

  /**
   * @param dir folder of the CSVs (default {@link FUNDING_DIR}); a missing folder means no funding at all
   * @throws Error naming the file and line of a malformed row
   */
  constructor(dir: string = FUNDING_DIR) {
    let files: string[] = [];
    try {
      files = readdirSync(dir);
    } catch {
      return;
    }
    for (const f of files) {
      const m = /^BINANCE_([A-Z0-9]+)_funding\.csv$/.exec(f);
      if (!m) continue;
      const lines = readFileSync(path.join(dir, f), 'utf8').trim().split(/\r?\n/);
      const rows: { ts: number; rate: DecimalString }[] = [];
      lines.slice(1).forEach((line, i) => {
        const [ts, rate] = line.split(',');
        if (!ts || !rate || !/^\d+$/.test(ts) || !/^-?\d+(\.\d+)?(e-?\d+)?$/i.test(rate.trim())) throw new Error(`${f} line ${i + 2}: expected "ts,rate", got "${line}"`);
        rows.push({ ts: Number(ts), rate: rate.trim() });
      });
      rows.sort((a, b) => a.ts - b.ts);
      this.rates.set(m[1]!, rows);
    }
  }

  /** {@inheritDoc FundingSource.between} Only perpetual symbols (`BTC/USDT:USDT`) have funding. */
  between(symbol: string, from: number, to: number): Array<{ ts: number; rate: DecimalString }> {
    const m = /^([A-Z0-9]+)\/([A-Z0-9]+):[A-Z0-9]+$/.exec(symbol);
    if (!m || to <= from) return [];
    const rows = this.rates.get(`${m[1]}${m[2]}`);
    if (!rows) return [];
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (rows[mid]!.ts <= from) lo = mid + 1;
      else hi = mid;
    }
    const out: { ts: number; rate: DecimalString }[] = [];
    for (let i = lo; i < rows.length && rows[i]!.ts <= to; i++) out.push(rows[i]!);
    return out;
  }
}
