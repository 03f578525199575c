/**
 * A local Binance REST fake for offline tests: a node:http server on 127.0.0.1 (random port) answering the
 * public market-data endpoints ccxt's `binance` (spot, `/api/v3`) and `binanceusdm` (`/fapi/v1`) classes call,
 * with real candles from `server/assets/market/BINANCE_<BASE>-USDT_<tf>.csv`.
 *
 * Served: `GET /api/v3/{ping,time,exchangeInfo,klines}` and `GET /fapi/v1/{ping,time,exchangeInfo,klines}`.
 * Only candles whose open time is ≤ the fake's clock are visible; the newest one is the forming candle
 * (served with its final CSV values). Tests can inject failures for the next N matching requests and read a
 * request log.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { TIMEFRAME_MS, type Candle, type Timeframe } from '@osprey/shared';
import type { Clock } from '../../src/domain/ports.js';

/** Directory of the market CSVs. */
export const MARKET_DATA_DIR = fileURLToPath(new URL('../../assets/market/', import.meta.url));

/** A failure the fake can return instead of a normal answer. */
export type FakeFailure =
  /** HTTP status with an HTML gateway body (no Binance JSON error), e.g. 500/502/503/504. */
  | { kind: 'status'; status: number }
  /** HTTP 400 `{"code":-1121,"msg":"Invalid symbol."}`. */
  | { kind: 'invalid-symbol' }
  /** HTTP 429 `{"code":-1003,...}` (request weight exceeded). */
  | { kind: 'rate-limit' }
  /** Never answers (until the server closes): triggers the client's timeout. */
  | { kind: 'hang' };

/** One logged request. `status` is 0 for a request left hanging. */
export interface FakeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
}

/** Options of {@link FakeBinance.start}. */
export interface FakeBinanceOptions {
  /** The fake's notion of "now": only candles with open time ≤ now are served. */
  clock: Clock;
  /** CSV directory; default {@link MARKET_DATA_DIR}. */
  dataDir?: string;
}

interface Rule {
  remaining: number;
  failure: FakeFailure;
  match: (req: FakeRequest) => boolean;
}

/** Raw CSV row kept as strings so served prices are the file's exact digits. */
interface Row {
  ts: number;
  fields: [open: string, high: string, low: string, close: string, volume: string];
}

const INTERVALS = new Set(['1s', '1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '3d', '1w', '1M']);

/** Parses a market CSV (`ts,open,high,low,close,volume`) into candles. Test helper. */
export function readCandlesCsv(base: string, tf: Timeframe, dataDir: string = MARKET_DATA_DIR): Candle[] {
  return readRows(`${dataDir}/BINANCE_${base}-USDT_${tf}.csv`).map((r) => ({
    ts: r.ts,
    open: Number(r.fields[0]),
    high: Number(r.fields[1]),
    low: Number(r.fields[2]),
    close: Number(r.fields[3]),
    volume: Number(r.fields[4]),
  }));
}

function readRows(file: string): Row[] {
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  return lines.slice(1).map((line) => {
    const [ts, o, h, l, c, v] = line.split(',');
    if (ts === undefined || o === undefined || h === undefined || l === undefined || c === undefined || v === undefined) {
      throw new Error(`bad CSV line in ${file}: ${line}`);
    }
    return { ts: Number(ts), fields: [o, h, l, c, v] };
  });
}

/** Local fake of Binance's public REST API; see the file header. */
export class FakeBinance {
  /** Every request received, in arrival order. */
  readonly requests: FakeRequest[] = [];
  private readonly rules: Rule[] = [];
  private readonly rows = new Map<string, Row[]>();
  private readonly bases: string[];

  private constructor(
    private readonly server: Server,
    private readonly clock: Clock,
    private readonly dataDir: string,
  ) {
    this.bases = readdirSync(dataDir)
      .map((f) => /^BINANCE_([A-Z0-9]+)-USDT_15m\.csv$/.exec(f)?.[1])
      .filter((b): b is string => b !== undefined)
      .sort();
  }

  /** Starts the server on 127.0.0.1 at a free port. */
  static async start(opts: FakeBinanceOptions): Promise<FakeBinance> {
    const server = createServer();
    const fake = new FakeBinance(server, opts.clock, opts.dataDir ?? MARKET_DATA_DIR);
    server.on('request', (req, res) => fake.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** Base URL, e.g. `http://127.0.0.1:40123` (pass as `apiBase` to `createCcxtExchange`). */
  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Binance symbol ids served, e.g. `BTCUSDT`. */
  get symbolIds(): string[] {
    return this.bases.map((b) => `${b}USDT`);
  }

  /**
   * Makes the next `n` requests that satisfy `match` (default: every request) fail with `failure`.
   * Rules are checked in the order they were added; `n` may be `Infinity`.
   */
  failNext(n: number, failure: FakeFailure, match: (req: FakeRequest) => boolean = () => true): void {
    this.rules.push({ remaining: n, failure, match });
  }

  /** Removes all pending failure rules. */
  clearFailures(): void {
    this.rules.length = 0;
  }

  /** Logged klines requests, optionally only for one Binance symbol id (e.g. `BTCUSDT`) and interval. */
  klineRequests(symbolId?: string, interval?: string): FakeRequest[] {
    return this.requests.filter(
      (r) =>
        r.path.endsWith('/klines') &&
        (symbolId === undefined || r.query.symbol === symbolId) &&
        (interval === undefined || r.query.interval === interval),
    );
  }

  /** Stops the server, dropping open (e.g. hanging) connections. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const entry: FakeRequest = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), status: 0 };
    this.requests.push(entry);
    const send = (status: number, body: unknown, contentType = 'application/json') => {
      entry.status = status;
      res.writeHead(status, { 'content-type': contentType });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };

    const rule = this.rules.find((r) => r.remaining > 0 && r.match(entry));
    if (rule) {
      rule.remaining--;
      const f = rule.failure;
      if (f.kind === 'hang') return; // left open until the client aborts or the server closes
      if (f.kind === 'status') return send(f.status, `<html><body><h1>${f.status}</h1></body></html>`, 'text/html');
      if (f.kind === 'invalid-symbol') return send(400, { code: -1121, msg: 'Invalid symbol.' });
      return send(429, { code: -1003, msg: 'Too much request weight used; current limit is 6000 request weight per 1 MINUTE.' });
    }

    const m = /^\/(api\/v3|fapi\/v1)\/(\w+)$/.exec(url.pathname);
    if (req.method !== 'GET' || !m) return send(404, '<html><body><h1>404 Not Found</h1></body></html>', 'text/html');
    const futures = m[1] === 'fapi/v1';
    switch (m[2]) {
      case 'ping':
        return send(200, {});
      case 'time':
        return send(200, { serverTime: this.clock.now() });
      case 'exchangeInfo':
        return send(200, this.exchangeInfo(futures));
      case 'klines': {
        const r = this.klines(entry.query, futures);
        return send(r.status, r.body);
      }
      default:
        return send(404, '<html><body><h1>404 Not Found</h1></body></html>', 'text/html');
    }
  }

  private exchangeInfo(futures: boolean): unknown {
    const rateLimits = [{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 }];
    const filters = [
      { filterType: 'PRICE_FILTER', minPrice: '0.00010000', maxPrice: '1000000.00000000', tickSize: '0.00010000' },
      { filterType: 'LOT_SIZE', minQty: '0.00001000', maxQty: '9000.00000000', stepSize: '0.00001000' },
      { filterType: 'NOTIONAL', minNotional: '5.00000000', maxNotional: '9000000.00000000' },
    ];
    const symbols = this.bases.map((base) =>
      futures
        ? {
            symbol: `${base}USDT`, pair: `${base}USDT`, contractType: 'PERPETUAL', deliveryDate: 4133404800000,
            onboardDate: 1569398400000, status: 'TRADING', baseAsset: base, quoteAsset: 'USDT', marginAsset: 'USDT',
            pricePrecision: 2, quantityPrecision: 3, baseAssetPrecision: 8, quotePrecision: 8, underlyingType: 'COIN',
            filters, orderTypes: ['LIMIT', 'MARKET'], timeInForce: ['GTC', 'IOC', 'FOK', 'GTX'],
          }
        : {
            symbol: `${base}USDT`, status: 'TRADING', baseAsset: base, baseAssetPrecision: 8, quoteAsset: 'USDT',
            quotePrecision: 8, quoteAssetPrecision: 8, orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET'],
            icebergAllowed: true, ocoAllowed: true, isSpotTradingAllowed: true, isMarginTradingAllowed: true,
            filters, permissions: [], permissionSets: [['SPOT', 'MARGIN']],
          },
    );
    return { timezone: 'UTC', serverTime: this.clock.now(), rateLimits, exchangeFilters: [], symbols };
  }

  /** Binance klines semantics: open time in [startTime, endTime]; first `limit` after startTime, else the last `limit`. */
  private klines(q: Record<string, string>, futures: boolean): { status: number; body: unknown } {
    const bad = (code: number, msg: string) => ({ status: 400, body: { code, msg } });
    if (!q.symbol) return bad(-1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
    if (!q.interval || !INTERVALS.has(q.interval)) return bad(-1120, 'Invalid interval.');
    const base = /^([A-Z0-9]+)USDT$/.exec(q.symbol)?.[1];
    if (!base || !this.bases.includes(base)) return bad(-1121, 'Invalid symbol.');
    const maxLimit = futures ? 1500 : 1000;
    const limit = q.limit === undefined ? 500 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) return bad(-1130, 'Invalid data sent for a parameter.');
    const rows = this.rowsFor(base, q.interval);
    const tfMs = TIMEFRAME_MS[q.interval as Timeframe] ?? 0;
    const start = q.startTime === undefined ? -Infinity : Number(q.startTime);
    const end = Math.min(q.endTime === undefined ? Infinity : Number(q.endTime), this.clock.now());
    const visible = rows.filter((r) => r.ts >= start && r.ts <= end);
    const page = q.startTime === undefined ? visible.slice(-limit) : visible.slice(0, limit);
    const body = page.map((r) => {
      const [o, h, l, c, v] = r.fields;
      return [r.ts, o, h, l, c, v, r.ts + tfMs - 1, String(Number(c) * Number(v)), 0, '0', '0', '0'];
    });
    return { status: 200, body };
  }

  private rowsFor(base: string, interval: string): Row[] {
    const key = `${base}_${interval}`;
    let rows = this.rows.get(key);
    if (!rows) {
      const file = `${this.dataDir}/BINANCE_${base}-USDT_${interval}.csv`;
      rows = interval in TIMEFRAME_MS ? readRows(file) : []; // valid Binance interval without local data → []
      this.rows.set(key, rows);
    }
    return rows;
  }
}
