/**
 * A local Binance REST fake for offline tests: a node:http server on 127.0.0.1 (random port) answering what
 * ccxt's real `binance` (spot, `/api/v3`) and `binanceusdm` (USDⓈ-M, `/fapi/v1|v2|v3`) classes call, with
 * real candles from `server/assets/market/BINANCE_<BASE>-USDT_<tf>.csv`.
 *
 * Public: `GET /api/v3/{ping,time,exchangeInfo,klines,ticker/24hr}` and
 * `GET /fapi/v1/{ping,time,exchangeInfo,klines,ticker/24hr,premiumIndex}`. Only candles whose open time is
 * ≤ the fake's clock are visible; the newest one is the forming candle (served with its final CSV values).
 *
 * Private (signed: `X-MBX-APIKEY` header + HMAC-SHA256 `signature` of the query/body with the account's
 * secret, verified; a wrong key gets Binance's `-2015`, a wrong signature `-1022`):
 * - spot: `GET /api/v3/account`, `POST|GET|DELETE /api/v3/order` (`newClientOrderId` / `origClientOrderId`;
 *   MARKET, LIMIT, LIMIT_MAKER, STOP_LOSS(_LIMIT), TAKE_PROFIT(_LIMIT)), `GET /api/v3/openOrders`,
 *   `GET /api/v3/myTrades` (optionally of one `orderId`);
 * - USDⓈ-M: `GET /fapi/v3/account` (and v2), `POST|GET|DELETE /fapi/v1/order` (MARKET/LIMIT; conditional
 *   types get `-4120`, as on the real venue since the algo-order migration), `POST|GET|DELETE
 *   /fapi/v1/algoOrder` + `GET /fapi/v1/openAlgoOrders` (STOP_MARKET, TAKE_PROFIT_MARKET, STOP, TAKE_PROFIT),
 *   `GET /fapi/v1/openOrders`, `GET /fapi/v3/positionRisk` (and v2), `GET /fapi/v1/leverageBracket`,
 *   `POST /fapi/v1/leverage`, `GET /fapi/v1/userTrades` (optionally of one `orderId`).
 * User-data streams: `POST|PUT|DELETE /api/v3/userDataStream` (spot) and `/fapi/v1/listenKey` (USDⓈ-M) hand
 * out listenKeys (API key header only, no signature, as on Binance); WebSockets at `/ws/<listenKey>` (spot) and
 * `/private/ws?listenKey=<key>` (USDⓈ-M, the URL ccxt.pro derives from `wss://fstream.binance.com/ws`), and the
 * spot WebSocket API at `/ws-api/v3` with `userDataStream.subscribe.signature` (what ccxt.pro 4.5 uses for spot;
 * HMAC verified like REST, events wrapped as `{subscriptionId, event}`) receive
 * `executionReport` / `ORDER_TRADE_UPDATE` events whenever a regular-book order changes (status or filled
 * amount). While a stream is connected the fake matches every 50 ms on its own (instead of only lazily on the
 * next request), so a resting order fills as soon as the clock moves past a candle that reaches it. Algo-book
 * changes are not pushed; the regular order an algo order spawns is.
 * Exchange filters (LOT_SIZE, PRICE_FILTER, NOTIONAL / MIN_NOTIONAL) are enforced with Binance's `-1013`
 * bodies; balances, matching and positions come from {@link FakeVenueEngine}. Tests can inject failures for
 * the next N matching requests (public or private) and read a request log.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import Decimal from 'decimal.js';
import { TIMEFRAME_MS, type Candle, type Timeframe } from '@osprey/shared';
import type { Clock } from '../../src/domain/ports.js';
import { CandlePrices, FakeVenueEngine, type EngineError, type EngineKind, type EngineOrder } from './fake-venue-engine.js';

/** Directory of the market CSVs. */
export const MARKET_DATA_DIR = fileURLToPath(new URL('../../assets/market/', import.meta.url));

/** The API key the fake accepts by default. */
export const FAKE_BINANCE_KEY = 'fakeBinanceKey0123456789abcdefABCDEF0123456789abcdefABCDEF012345';
/** The secret the fake verifies signatures with by default. */
export const FAKE_BINANCE_SECRET = 'fakeBinanceSecret0123456789abcdefABCDEF0123456789abcdefABCDEF0';

/** A failure the fake can return instead of a normal answer. */
export type FakeFailure =
  /** HTTP status with an HTML gateway body (no Binance JSON error), e.g. 500/502/503/504. */
  | { kind: 'status'; status: number }
  /** HTTP 400 `{"code":-1121,"msg":"Invalid symbol."}`. */
  | { kind: 'invalid-symbol' }
  /** HTTP 429 `{"code":-1003,...}` (request weight exceeded). */
  | { kind: 'rate-limit' }
  /** Never answers (until the server closes): triggers the client's timeout. */
  | { kind: 'hang' }
  /** Processes the request (e.g. places the order) but never answers: an ambiguous outcome for the client. */
  | { kind: 'drop-response' }
  /** HTTP 400 `{"code":-2010,"msg":"Account has insufficient balance for requested action."}`. */
  | { kind: 'insufficient-balance' }
  /** HTTP 400 `{"code":-1013,"msg":"Filter failure: <filter>"}` (default NOTIONAL). */
  | { kind: 'filter-failure'; filter?: string }
  /** HTTP 401 `{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}` (e.g. IP not whitelisted). */
  | { kind: 'auth' };

/** One logged request. `status` is 0 for a request left hanging. `query` merges URL query and form body. */
export interface FakeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
}

/** Options of {@link FakeBinance.start}. */
export interface FakeBinanceOptions {
  /** The fake's notion of "now": only candles with open time ≤ now are served; orders match up to now. */
  clock: Clock;
  /** CSV directory; default {@link MARKET_DATA_DIR}. */
  dataDir?: string;
  /** Accepted API key; default {@link FAKE_BINANCE_KEY}. */
  apiKey?: string;
  /** Secret signatures are verified with; default {@link FAKE_BINANCE_SECRET}. */
  secret?: string;
  /** Starting spot balances; default `{ USDT: "10000" }`. */
  spotBalances?: Record<string, string>;
  /** Starting USDⓈ-M wallet; default `{ USDT: "10000" }`. */
  futuresBalances?: Record<string, string>;
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

/** Per-base exchange filters (close to Binance's real ones), spot and USDⓈ-M. */
interface Filters {
  tick: string;
  step: string;
  minQty: string;
  minNotional: string;
}
const SPOT_FILTERS: Record<string, Filters> = {
  BTC: { tick: '0.01', step: '0.00001', minQty: '0.00001', minNotional: '5' },
  ETH: { tick: '0.01', step: '0.0001', minQty: '0.0001', minNotional: '5' },
  SOL: { tick: '0.01', step: '0.001', minQty: '0.001', minNotional: '5' },
  XRP: { tick: '0.0001', step: '0.1', minQty: '0.1', minNotional: '5' },
};
const FUTURES_FILTERS: Record<string, Filters> = {
  BTC: { tick: '0.10', step: '0.001', minQty: '0.001', minNotional: '100' },
  ETH: { tick: '0.01', step: '0.001', minQty: '0.001', minNotional: '20' },
  SOL: { tick: '0.0100', step: '1', minQty: '1', minNotional: '5' },
  XRP: { tick: '0.0001', step: '0.1', minQty: '0.1', minNotional: '5' },
};
const DEFAULT_FILTERS: Filters = { tick: '0.0001', step: '0.00001', minQty: '0.00001', minNotional: '5' };

const INTERVALS = new Set(['1s', '1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '3d', '1w', '1M']);
const HTML_404 = '<html><body><h1>404 Not Found</h1></body></html>';

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

/** A Binance JSON error answer. */
class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    msg: string,
  ) {
    super(msg);
  }
}

const err = (code: number, msg: string, status = 400) => new ApiError(status, code, msg);
const mandatory = (p: string) => err(-1102, `Mandatory parameter '${p}' was not sent, was empty/null, or malformed.`);

/** Local fake of Binance's REST API; see the file header. */
export class FakeBinance {
  /** Every request received, in arrival order. */
  readonly requests: FakeRequest[] = [];
  /** Spot account and matching engine (symbols `BTCUSDT`, …). */
  readonly spot: FakeVenueEngine;
  /** USDⓈ-M account and matching engine. */
  readonly futures: FakeVenueEngine;
  private readonly rules: Rule[] = [];
  private readonly rows = new Map<string, Row[]>();
  private readonly bases: string[];
  private readonly apiKey: string;
  private readonly secret: string;
  private readonly wss = new WebSocketServer({ noServer: true });
  /** listenKey → which account it streams. */
  private readonly listenKeys = new Map<string, 'spot' | 'futures'>();
  private readonly streams = new Set<{ ws: WebSocket; book: 'spot' | 'futures'; subscriptionId?: number }>();
  /** Last pushed `status|executedQty` per `book:orderId`. */
  private readonly pushed = new Map<string, string>();
  private pumpTimer: NodeJS.Timeout | null = null;
  private nextListenKey = 1;

  private constructor(
    private readonly server: Server,
    private readonly clock: Clock,
    private readonly dataDir: string,
    opts: FakeBinanceOptions,
  ) {
    this.bases = readdirSync(dataDir)
      .map((f) => /^BINANCE_([A-Z0-9]+)-USDT_15m\.csv$/.exec(f)?.[1])
      .filter((b): b is string => b !== undefined)
      .sort();
    this.apiKey = opts.apiKey ?? FAKE_BINANCE_KEY;
    this.secret = opts.secret ?? FAKE_BINANCE_SECRET;
    const prices = new CandlePrices(dataDir);
    const symbols = this.bases.map((base) => ({ id: `${base}USDT`, base, quote: 'USDT' }));
    this.spot = new FakeVenueEngine({ market: 'spot', clock, prices, symbols, balances: opts.spotBalances ?? { USDT: '10000' }, fees: { maker: '0.001', taker: '0.001' } });
    this.futures = new FakeVenueEngine({
      market: 'linear',
      clock,
      prices,
      symbols,
      balances: opts.futuresBalances ?? { USDT: '10000' },
      fees: { maker: '0.0002', taker: '0.0005' },
      firstOrderId: 4_000_000_001,
      firstAlgoId: 7_001,
      firstTradeId: 900_001,
    });
  }

  /** Starts the server on 127.0.0.1 at a free port. */
  static async start(opts: FakeBinanceOptions): Promise<FakeBinance> {
    const server = createServer();
    const fake = new FakeBinance(server, opts.clock, opts.dataDir ?? MARKET_DATA_DIR, opts);
    server.on('request', (req, res) => void fake.handle(req, res));
    server.on('upgrade', (req, socket, head) => fake.upgrade(req, socket, head));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** Base URL, e.g. `http://127.0.0.1:40123` (pass as `apiBase`). */
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

  /** Logged order-placing requests (`POST …/order`, `POST /fapi/v1/algoOrder`). */
  orderPosts(): FakeRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && /\/(order|algoOrder)$/.test(r.path));
  }

  /** Stops the server, dropping open (e.g. hanging) connections. */
  async close(): Promise<void> {
    if (this.pumpTimer) clearInterval(this.pumpTimer);
    this.pumpTimer = null;
    for (const ws of this.wss.clients) ws.terminate();
    this.streams.clear();
    this.wss.close();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** Number of connected user-data streams (tests). */
  get streamCount(): number {
    return this.streams.size;
  }

  /** Accepts a user-data WebSocket whose listenKey is known; anything else gets a 404 and is closed. */
  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const key = url.pathname === '/private/ws' ? (url.searchParams.get('listenKey') ?? '') : (/^\/ws\/([\w-]+)$/.exec(url.pathname)?.[1] ?? '');
    if (url.pathname === '/ws-api/v3') {
      this.requests.push({ method: 'WS', path: url.pathname, query: {}, status: 101 });
      this.wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', (data) => this.wsApi(ws, String(data))));
      return;
    }
    const book = this.listenKeys.get(key);
    this.requests.push({ method: 'WS', path: url.pathname, query: Object.fromEntries(url.searchParams), status: book ? 101 : 404 });
    if (!book || (url.pathname === '/private/ws') !== (book === 'futures')) {
      socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.addStream({ ws, book }));
  }

  private addStream(entry: { ws: WebSocket; book: 'spot' | 'futures'; subscriptionId?: number }): void {
    if (this.streams.size === 0) this.snapshotPushed();
    this.streams.add(entry);
    entry.ws.on('close', () => this.streams.delete(entry));
    entry.ws.on('error', () => this.streams.delete(entry));
    this.pumpTimer ??= setInterval(() => this.pump(), 50);
  }

  /** Spot WebSocket API: only `userDataStream.subscribe.signature` (params signed like a REST query, sorted). */
  private wsApi(ws: WebSocket, text: string): void {
    let msg: { id?: unknown; method?: unknown; params?: Record<string, unknown> };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return;
    }
    const reply = (status: number, body: Record<string, unknown>) => ws.send(JSON.stringify({ id: msg.id, status, ...body }));
    this.requests.push({ method: 'WSAPI', path: String(msg.method), query: {}, status: 0 });
    if (msg.method !== 'userDataStream.subscribe.signature') return reply(400, { error: { code: -1100, msg: 'unknown method' } });
    const params = Object.fromEntries(Object.entries(msg.params ?? {}).map(([k, v]) => [k, String(v)]));
    const { signature, ...rest } = params;
    const payload = Object.keys(rest)
      .sort()
      .map((k) => `${k}=${encodeURIComponent(rest[k]!)}`)
      .join('&');
    if (rest.apiKey !== this.apiKey) return reply(401, { error: { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' } });
    if (signature !== createHmac('sha256', this.secret).update(payload).digest('hex')) return reply(400, { error: { code: -1022, msg: 'Signature for this request is not valid.' } });
    this.addStream({ ws, book: 'spot', subscriptionId: 0 });
    reply(200, { result: { subscriptionId: 0 } });
  }

  /** Hands out a listenKey (`POST`), or acknowledges a keep-alive / close (`PUT` / `DELETE`). */
  private listenKeyRoute(method: string, futures: boolean, req: IncomingMessage, q: Record<string, string>): unknown {
    const key = req.headers['x-mbx-apikey'];
    if (typeof key !== 'string' || key.length === 0) throw err(-2014, 'API-key format invalid.', 401);
    if (key !== this.apiKey) throw err(-2015, 'Invalid API-key, IP, or permissions for action.', 401);
    if (method === 'POST') {
      const listenKey = `lk${futures ? 'F' : 'S'}${String(this.nextListenKey++).padStart(8, '0')}${'x'.repeat(50)}`;
      this.listenKeys.set(listenKey, futures ? 'futures' : 'spot');
      return { listenKey };
    }
    if (method === 'DELETE' && q.listenKey) this.listenKeys.delete(q.listenKey);
    return futures ? { listenKey: q.listenKey ?? '' } : {};
  }

  private snapshotPushed(): void {
    this.pushed.clear();
    for (const [book, engine] of [['spot', this.spot], ['futures', this.futures]] as const) {
      for (const o of engine.orders) if (!o.algo) this.pushed.set(`${book}:${o.orderId}`, `${o.status}|${o.executedQty.toFixed()}`);
    }
  }

  /** Matches both books up to the clock and pushes every regular order whose status or fill changed. */
  private pump(): void {
    if (this.streams.size === 0) {
      if (this.pumpTimer) clearInterval(this.pumpTimer);
      this.pumpTimer = null;
      return;
    }
    for (const [book, engine] of [['spot', this.spot], ['futures', this.futures]] as const) {
      engine.settle();
      for (const o of engine.orders) {
        if (o.algo) continue;
        const k = `${book}:${o.orderId}`;
        const v = `${o.status}|${o.executedQty.toFixed()}`;
        if (this.pushed.get(k) === v) continue;
        this.pushed.set(k, v);
        const event = book === 'spot' ? this.executionReport(o) : this.orderTradeUpdate(o);
        for (const s of this.streams) {
          if (s.book !== book || s.ws.readyState !== s.ws.OPEN) continue;
          s.ws.send(JSON.stringify(s.subscriptionId === undefined ? event : { subscriptionId: s.subscriptionId, event }));
        }
      }
    }
  }

  /** Binance spot `executionReport` of an order's current state. */
  private executionReport(o: EngineOrder): unknown {
    const last = this.spot.trades.filter((t) => t.orderId === o.orderId).at(-1);
    const status = o.status === 'TRIGGERED' ? 'FILLED' : o.status;
    return {
      e: 'executionReport',
      E: this.clock.now(),
      s: o.symbol,
      c: o.clientOrderId,
      S: o.side.toUpperCase(),
      o: o.venueType,
      f: 'GTC',
      q: o.qty.toFixed(8),
      p: (o.price ?? new Decimal(0)).toFixed(8),
      P: (o.stopPrice ?? new Decimal(0)).toFixed(8),
      g: -1,
      C: '',
      x: status === 'FILLED' ? 'TRADE' : status,
      X: status,
      r: 'NONE',
      i: o.orderId,
      l: (last?.qty ?? new Decimal(0)).toFixed(8),
      z: o.executedQty.toFixed(8),
      L: (last?.price ?? new Decimal(0)).toFixed(8),
      n: (last?.commission ?? new Decimal(0)).toFixed(8),
      N: last?.commissionAsset ?? null,
      T: o.updateTime,
      t: last?.id ?? -1,
      w: o.status === 'NEW',
      m: last?.maker ?? false,
      O: o.time,
      Z: o.cumQuote.toFixed(8),
    };
  }

  /** Binance USDⓈ-M `ORDER_TRADE_UPDATE` of an order's current state. */
  private orderTradeUpdate(o: EngineOrder): unknown {
    const last = this.futures.trades.filter((t) => t.orderId === o.orderId).at(-1);
    return {
      e: 'ORDER_TRADE_UPDATE',
      E: this.clock.now(),
      T: o.updateTime,
      o: {
        s: o.symbol,
        c: o.clientOrderId,
        S: o.side.toUpperCase(),
        o: o.venueType,
        f: 'GTC',
        q: o.qty.toFixed(),
        p: (o.price ?? new Decimal(0)).toFixed(),
        ap: (o.avgPrice ?? new Decimal(0)).toFixed(),
        sp: '0',
        x: o.status === 'FILLED' ? 'TRADE' : o.status,
        X: o.status,
        i: o.orderId,
        l: (last?.qty ?? new Decimal(0)).toFixed(),
        z: o.executedQty.toFixed(),
        L: (last?.price ?? new Decimal(0)).toFixed(),
        N: last?.commissionAsset ?? 'USDT',
        n: (last?.commission ?? new Decimal(0)).toFixed(),
        T: o.updateTime,
        t: last?.id ?? 0,
        b: '0',
        a: '0',
        m: last?.maker ?? false,
        R: o.reduceOnly,
        wt: 'CONTRACT_PRICE',
        ot: o.venueType,
        ps: 'BOTH',
        cp: false,
        rp: (last?.realizedPnl ?? new Decimal(0)).toFixed(),
      },
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const body = await readBody(req);
    const form = req.method === 'POST' || req.method === 'PUT' ? Object.fromEntries(new URLSearchParams(body)) : {};
    const query = { ...Object.fromEntries(url.searchParams), ...form };
    const entry: FakeRequest = { method: req.method ?? 'GET', path: url.pathname, query, status: 0 };
    this.requests.push(entry);
    let respond = true;
    const send = (status: number, payload: unknown, contentType = 'application/json') => {
      if (!respond) return;
      entry.status = status;
      res.writeHead(status, { 'content-type': contentType });
      res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
    };

    const rule = this.rules.find((r) => r.remaining > 0 && r.match(entry));
    if (rule) {
      rule.remaining--;
      const f = rule.failure;
      if (f.kind === 'hang') return; // left open until the client aborts or the server closes
      if (f.kind === 'drop-response') respond = false;
      else if (f.kind === 'status') return send(f.status, `<html><body><h1>${f.status}</h1></body></html>`, 'text/html');
      else if (f.kind === 'invalid-symbol') return send(400, { code: -1121, msg: 'Invalid symbol.' });
      else if (f.kind === 'rate-limit') return send(429, { code: -1003, msg: 'Too much request weight used; current limit is 6000 request weight per 1 MINUTE.' });
      else if (f.kind === 'insufficient-balance') return send(400, { code: -2010, msg: 'Account has insufficient balance for requested action.' });
      else if (f.kind === 'filter-failure') return send(400, { code: -1013, msg: `Filter failure: ${f.filter ?? 'NOTIONAL'}` });
      else if (f.kind === 'auth') return send(401, { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' });
    }

    try {
      const result = this.route(req.method ?? 'GET', url.pathname, query, req, url.search.slice(1), body);
      if (result === undefined) return send(404, HTML_404, 'text/html');
      send(200, result);
    } catch (e) {
      if (e instanceof ApiError) return send(e.status, { code: e.code, msg: e.message });
      send(500, { code: -1000, msg: `fake error: ${e instanceof Error ? e.message : String(e)}` });
    }
  }

  private route(method: string, path: string, q: Record<string, string>, req: IncomingMessage, rawQuery: string, body: string): unknown {
    const m = /^\/(api\/v3|fapi\/v[123])\/([\w/]+)$/.exec(path);
    if (!m) return undefined;
    const [, prefix, name] = m;
    const futures = prefix!.startsWith('fapi');
    const key = `${method} ${futures ? prefix : 'spot'}/${name}`;
    // public
    switch (key) {
      case 'GET spot/ping':
      case 'GET fapi/v1/ping':
        return {};
      case 'GET spot/time':
      case 'GET fapi/v1/time':
        return { serverTime: this.clock.now() };
      case 'GET spot/exchangeInfo':
      case 'GET fapi/v1/exchangeInfo':
        return this.exchangeInfo(futures);
      case 'GET spot/klines':
      case 'GET fapi/v1/klines': {
        const r = this.klines(q, futures);
        if (r.status !== 200) throw err((r.body as { code: number }).code, (r.body as { msg: string }).msg, r.status);
        return r.body;
      }
      case 'GET spot/ticker/24hr':
      case 'GET fapi/v1/ticker/24hr':
        return this.ticker(this.symbolParam(q), futures);
      case 'GET fapi/v1/premiumIndex':
        return this.premiumIndex(this.symbolParam(q));
    }
    if (name === 'listenKey' || name === 'userDataStream') return this.listenKeyRoute(method, futures, req, q);
    const priv = this.privateRoutes[key];
    if (!priv) return undefined;
    this.authenticate(req, method === 'GET' || method === 'DELETE' ? rawQuery : body);
    return priv(q);
  }

  private readonly privateRoutes: Record<string, (q: Record<string, string>) => unknown> = {
    'GET spot/account': () => this.spotAccount(),
    'POST spot/order': (q) => this.spotFormat(this.newOrder(q, false), q.newOrderRespType ?? 'FULL'),
    'GET spot/order': (q) => this.spotFormat(this.findOrder(q, this.spot)),
    'DELETE spot/order': (q) => this.cancelSpot(q),
    'GET spot/openOrders': (q) => this.spot.openOrders(this.optSymbol(q)).map((o) => this.spotFormat(o)),
    'GET spot/myTrades': (q) => this.myTrades(q, false),
    'GET fapi/v3/account': () => this.futuresAccount(),
    'GET fapi/v2/account': () => this.futuresAccount(),
    'GET fapi/v2/balance': () => this.futuresAccount().assets,
    'POST fapi/v1/order': (q) => this.futuresFormat(this.newOrder(q, true)),
    'GET fapi/v1/order': (q) => this.futuresFormat(this.findOrder(q, this.futures)),
    'DELETE fapi/v1/order': (q) => this.cancelFutures(q),
    'GET fapi/v1/openOrders': (q) => this.futures.openOrders(this.optSymbol(q)).map((o) => this.futuresFormat(o)),
    'POST fapi/v1/algoOrder': (q) => this.algoFormat(this.newAlgoOrder(q)),
    'GET fapi/v1/algoOrder': (q) => this.algoFormat(this.findAlgo(q)),
    'DELETE fapi/v1/algoOrder': (q) => this.cancelAlgo(q),
    'GET fapi/v1/openAlgoOrders': (q) => this.futures.openOrders(this.optSymbol(q), true).map((o) => this.algoFormat(o)),
    'GET fapi/v3/positionRisk': (q) => this.positionRisk(q, 3),
    'GET fapi/v2/positionRisk': (q) => this.positionRisk(q, 2),
    'GET fapi/v1/leverageBracket': () =>
      this.symbolIds.map((symbol) => ({
        symbol,
        notionalCoef: 1,
        brackets: [{ bracket: 1, initialLeverage: 125, notionalCap: 50_000_000, notionalFloor: 0, maintMarginRatio: 0.004, cum: 0 }],
      })),
    'POST fapi/v1/leverage': (q) => {
      const symbol = this.symbolParam(q);
      const lev = Number(q.leverage);
      if (!Number.isInteger(lev) || lev < 1 || lev > 125) throw err(-4028, `Leverage ${q.leverage} is not valid`);
      this.futures.setLeverage(symbol, lev);
      return { leverage: lev, maxNotionalValue: '50000000', symbol };
    },
    'GET fapi/v1/userTrades': (q) => this.myTrades(q, true),
  };

  /** Verifies the API key header and the HMAC-SHA256 signature of `payload` (query for GET/DELETE, body for POST). */
  private authenticate(req: IncomingMessage, payload: string): void {
    const key = req.headers['x-mbx-apikey'];
    if (typeof key !== 'string' || key.length === 0) throw err(-2014, 'API-key format invalid.', 401);
    if (key !== this.apiKey) throw err(-2015, 'Invalid API-key, IP, or permissions for action.', 401);
    const i = payload.lastIndexOf('&signature=');
    if (i < 0) throw mandatory('signature');
    const signed = payload.slice(0, i);
    const signature = payload.slice(i + '&signature='.length);
    const expected = createHmac('sha256', this.secret).update(signed).digest('hex');
    if (signature !== expected) throw err(-1022, 'Signature for this request is not valid.');
    if (!/(^|&)timestamp=\d+/.test(signed)) throw mandatory('timestamp');
  }

  private engine(futures: boolean): FakeVenueEngine {
    return futures ? this.futures : this.spot;
  }

  private symbolParam(q: Record<string, string>): string {
    if (!q.symbol) throw mandatory('symbol');
    if (!this.symbolIds.includes(q.symbol)) throw err(-1121, 'Invalid symbol.');
    return q.symbol;
  }

  private optSymbol(q: Record<string, string>): string | undefined {
    return q.symbol === undefined ? undefined : this.symbolParam(q);
  }

  private filters(symbol: string, futures: boolean): Filters {
    const base = symbol.replace(/USDT$/, '');
    return (futures ? FUTURES_FILTERS : SPOT_FILTERS)[base] ?? DEFAULT_FILTERS;
  }

  /** Checks LOT_SIZE, PRICE_FILTER and NOTIONAL like Binance (`-1013 Filter failure: …`). */
  private checkFilters(symbol: string, futures: boolean, qty: Decimal, prices: (Decimal | null)[], notionalPrice: Decimal): void {
    const f = this.filters(symbol, futures);
    if (qty.lt(f.minQty) || !qty.mod(f.step).isZero()) throw err(-1013, 'Filter failure: LOT_SIZE');
    for (const p of prices) if (p && (p.lte(0) || !p.mod(f.tick).isZero())) throw err(-1013, 'Filter failure: PRICE_FILTER');
    if (qty.times(notionalPrice).lt(f.minNotional)) {
      if (futures) throw err(-4164, `Order's notional must be no smaller than ${f.minNotional} (unless you choose reduce only).`);
      throw err(-1013, 'Filter failure: NOTIONAL');
    }
  }

  private decParam(q: Record<string, string>, name: string): Decimal {
    const v = q[name];
    if (v === undefined || v === '') throw mandatory(name);
    if (!/^\d+(\.\d+)?$/.test(v)) throw err(-1100, `Illegal characters found in parameter '${name}'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.`);
    return new Decimal(v);
  }

  private engineError(e: EngineError, futures: boolean): ApiError {
    switch (e) {
      case 'INSUFFICIENT_BALANCE':
        return futures ? err(-2019, 'Margin is insufficient.') : err(-2010, 'Account has insufficient balance for requested action.');
      case 'DUPLICATE_CLIENT_ID':
        return futures ? err(-4116, 'ClientOrderId is duplicated.') : err(-2010, 'Duplicate order sent.');
      case 'WOULD_TRIGGER_IMMEDIATELY':
        return futures ? err(-2021, 'Order would immediately trigger.') : err(-2010, 'Stop price would trigger immediately.');
      case 'REDUCE_ONLY_REJECTED':
        return err(-2022, 'ReduceOnly Order is rejected.');
      case 'UNKNOWN_SYMBOL':
        return err(-1121, 'Invalid symbol.');
    }
  }

  /** POST /api/v3/order and /fapi/v1/order. */
  private newOrder(q: Record<string, string>, futures: boolean): EngineOrder {
    const symbol = this.symbolParam(q);
    const side = q.side === 'BUY' ? 'buy' : q.side === 'SELL' ? 'sell' : undefined;
    if (!side) throw q.side ? err(-1117, 'Invalid side.') : mandatory('side');
    const venueType = q.type;
    if (!venueType) throw mandatory('type');
    const spotTypes: Record<string, [EngineKind, 'market' | 'limit']> = {
      MARKET: ['regular', 'market'],
      LIMIT: ['regular', 'limit'],
      LIMIT_MAKER: ['regular', 'limit'],
      STOP_LOSS: ['stop_loss', 'market'],
      STOP_LOSS_LIMIT: ['stop_loss', 'limit'],
      TAKE_PROFIT: ['take_profit', 'market'],
      TAKE_PROFIT_LIMIT: ['take_profit', 'limit'],
    };
    if (futures && ['STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET'].includes(venueType)) {
      throw err(-4120, 'Order type not supported for this endpoint. Please use the Algo Order API endpoints instead.');
    }
    const t = futures ? ({ MARKET: ['regular', 'market'], LIMIT: ['regular', 'limit'] } as Record<string, [EngineKind, 'market' | 'limit']>)[venueType] : spotTypes[venueType];
    if (!t) throw err(-1116, 'Invalid orderType.');
    const [kind, type] = t;
    const qty = this.decParam(q, 'quantity');
    const price = type === 'limit' ? this.decParam(q, 'price') : null;
    const stopPrice = kind === 'regular' ? null : this.decParam(q, 'stopPrice');
    if (type === 'limit' && venueType !== 'LIMIT_MAKER' && !q.timeInForce) throw mandatory('timeInForce');
    const eng = this.engine(futures);
    eng.settle();
    const reduceOnly = futures && q.reduceOnly === 'true';
    if (!reduceOnly) this.checkFilters(symbol, futures, qty, [price, stopPrice], price ?? stopPrice ?? eng.price(symbol));
    if (venueType === 'LIMIT_MAKER' && (side === 'buy' ? eng.price(symbol).lte(price!) : eng.price(symbol).gte(price!))) {
      throw err(-2010, 'Order would immediately match and take.');
    }
    const clientOrderId = q.newClientOrderId ?? `fake${eng.orders.length + 1}`;
    const r = eng.place({ symbol, side, type, kind, qty, price, stopPrice, clientOrderId, reduceOnly, venueType });
    if (!r.ok) throw this.engineError(r.error, futures);
    return r.order;
  }

  /** POST /fapi/v1/algoOrder (algoType CONDITIONAL). */
  private newAlgoOrder(q: Record<string, string>): EngineOrder {
    const symbol = this.symbolParam(q);
    if (q.algoType !== 'CONDITIONAL') throw q.algoType ? err(-1130, 'Data sent for parameter \'algoType\' is not valid.') : mandatory('algoType');
    const side = q.side === 'BUY' ? 'buy' : q.side === 'SELL' ? 'sell' : undefined;
    if (!side) throw mandatory('side');
    const types: Record<string, [EngineKind, 'market' | 'limit']> = {
      STOP_MARKET: ['stop_loss', 'market'],
      STOP: ['stop_loss', 'limit'],
      TAKE_PROFIT_MARKET: ['take_profit', 'market'],
      TAKE_PROFIT: ['take_profit', 'limit'],
    };
    const t = q.type ? types[q.type] : undefined;
    if (!t) throw q.type ? err(-1116, 'Invalid orderType.') : mandatory('type');
    const [kind, type] = t;
    const qty = this.decParam(q, 'quantity');
    const stopPrice = this.decParam(q, 'triggerPrice');
    const price = type === 'limit' ? this.decParam(q, 'price') : null;
    const reduceOnly = q.reduceOnly === 'true';
    this.futures.settle();
    if (!reduceOnly) this.checkFilters(symbol, true, qty, [price, stopPrice], price ?? stopPrice);
    else this.checkFilters(symbol, true, qty, [price, stopPrice], new Decimal(Infinity));
    const clientOrderId = q.clientAlgoId ?? `fakealgo${this.futures.orders.length + 1}`;
    const r = this.futures.place({ symbol, side, type, kind, qty, price, stopPrice, clientOrderId, reduceOnly, algo: true, venueType: q.type! });
    if (!r.ok) throw this.engineError(r.error, true);
    return r.order;
  }

  private findOrder(q: Record<string, string>, eng: FakeVenueEngine): EngineOrder {
    const symbol = this.symbolParam(q);
    if (q.orderId === undefined && q.origClientOrderId === undefined) throw err(-1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!");
    const o = eng.find(symbol, q.orderId !== undefined ? { orderId: Number(q.orderId) } : { clientOrderId: q.origClientOrderId! });
    if (!o) throw err(-2013, 'Order does not exist.');
    return o;
  }

  private findAlgo(q: Record<string, string>): EngineOrder {
    if (q.algoId === undefined && q.clientAlgoId === undefined) throw err(-1102, "Param 'algoId' or 'clientAlgoId' must be sent, but both were empty/null!");
    const o = this.futures.find(q.symbol, q.algoId !== undefined ? { orderId: Number(q.algoId) } : { clientOrderId: q.clientAlgoId! }, true);
    if (!o) throw err(-2013, 'Order does not exist.');
    return o;
  }

  private cancelSpot(q: Record<string, string>): unknown {
    const symbol = this.symbolParam(q);
    const by = q.orderId !== undefined ? { orderId: Number(q.orderId) } : q.origClientOrderId !== undefined ? { clientOrderId: q.origClientOrderId } : undefined;
    if (!by) throw err(-1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!");
    const o = this.spot.cancel(symbol, by);
    if (!o) throw err(-2011, 'Unknown order sent.');
    // like Binance: `clientOrderId` is the cancel request's own id, the order's is `origClientOrderId`
    const { clientOrderId: _c, ...rest } = this.spotFormat(o) as Record<string, unknown>;
    return { ...rest, origClientOrderId: o.clientOrderId, clientOrderId: `cancel${o.orderId}`, transactTime: this.clock.now() };
  }

  private cancelFutures(q: Record<string, string>): unknown {
    const symbol = this.symbolParam(q);
    const by = q.orderId !== undefined ? { orderId: Number(q.orderId) } : q.origClientOrderId !== undefined ? { clientOrderId: q.origClientOrderId } : undefined;
    if (!by) throw err(-1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!");
    const o = this.futures.cancel(symbol, by);
    if (!o) throw err(-2011, 'Unknown order sent.');
    return this.futuresFormat(o);
  }

  private cancelAlgo(q: Record<string, string>): unknown {
    const by = q.algoId !== undefined ? { orderId: Number(q.algoId) } : q.clientAlgoId !== undefined ? { clientOrderId: q.clientAlgoId } : undefined;
    if (!by) throw err(-1102, "Param 'algoId' or 'clientAlgoId' must be sent, but both were empty/null!");
    const o = this.futures.cancel(q.symbol, by, true);
    if (!o) throw err(-2011, 'Unknown order sent.');
    return { algoId: o.orderId, clientAlgoId: o.clientOrderId, code: '200', msg: 'success' };
  }

  private spotFormat(o: EngineOrder, respType = 'RESULT'): unknown {
    const f8 = (d: Decimal | null) => (d ?? new Decimal(0)).toFixed(8);
    const out: Record<string, unknown> = {
      symbol: o.symbol,
      orderId: o.orderId,
      orderListId: -1,
      clientOrderId: o.clientOrderId,
      price: f8(o.price),
      origQty: f8(o.qty),
      executedQty: f8(o.executedQty),
      cummulativeQuoteQty: f8(o.cumQuote),
      status: o.status === 'TRIGGERED' ? 'FILLED' : o.status,
      timeInForce: 'GTC',
      type: o.venueType,
      side: o.side.toUpperCase(),
      stopPrice: f8(o.stopPrice),
      icebergQty: f8(null),
      time: o.time,
      updateTime: o.updateTime,
      isWorking: o.kind === 'regular' || o.triggerTime !== null,
      workingTime: o.kind === 'regular' ? o.time : (o.triggerTime ?? -1),
      origQuoteOrderQty: f8(null),
      selfTradePreventionMode: 'EXPIRE_MAKER',
    };
    if (respType === 'FULL' || respType === 'RESULT') {
      out.transactTime = o.time;
      delete out.time;
    }
    if (respType === 'FULL') {
      out.fills = this.spot.trades
        .filter((t) => t.orderId === o.orderId)
        .map((t) => ({ price: f8(t.price), qty: f8(t.qty), commission: f8(t.commission), commissionAsset: t.commissionAsset, tradeId: t.id }));
    }
    return out;
  }

  private futuresFormat(o: EngineOrder): unknown {
    return {
      orderId: o.orderId,
      symbol: o.symbol,
      status: o.status,
      clientOrderId: o.clientOrderId,
      price: (o.price ?? new Decimal(0)).toFixed(),
      avgPrice: (o.avgPrice ?? new Decimal(0)).toFixed(),
      origQty: o.qty.toFixed(),
      executedQty: o.executedQty.toFixed(),
      cumQty: o.executedQty.toFixed(),
      cumQuote: o.cumQuote.toFixed(),
      timeInForce: 'GTC',
      type: o.venueType,
      reduceOnly: o.reduceOnly,
      closePosition: false,
      side: o.side.toUpperCase(),
      positionSide: 'BOTH',
      stopPrice: '0',
      workingType: 'CONTRACT_PRICE',
      priceProtect: false,
      origType: o.venueType,
      priceMatch: 'NONE',
      selfTradePreventionMode: 'EXPIRE_MAKER',
      goodTillDate: 0,
      time: o.time,
      updateTime: o.updateTime,
    };
  }

  private algoFormat(o: EngineOrder): unknown {
    const status = o.status === 'NEW' ? 'NEW' : o.status === 'TRIGGERED' ? 'FINISHED' : o.status;
    return {
      algoId: o.orderId,
      clientAlgoId: o.clientOrderId,
      algoType: 'CONDITIONAL',
      orderType: o.venueType,
      symbol: o.symbol,
      side: o.side.toUpperCase(),
      positionSide: 'BOTH',
      timeInForce: 'GTC',
      quantity: o.qty.toFixed(),
      algoStatus: status,
      triggerPrice: (o.stopPrice ?? new Decimal(0)).toFixed(),
      price: (o.price ?? new Decimal(0)).toFixed(),
      icebergQuantity: null,
      selfTradePreventionMode: 'EXPIRE_MAKER',
      workingType: 'CONTRACT_PRICE',
      priceMatch: 'NONE',
      closePosition: false,
      priceProtect: false,
      reduceOnly: o.reduceOnly,
      actualOrderId: o.spawnedOrderId === null ? '' : String(o.spawnedOrderId),
      actualPrice: (o.avgPrice ?? new Decimal(0)).toFixed(),
      createTime: o.time,
      updateTime: o.updateTime,
      triggerTime: o.triggerTime ?? 0,
      goodTillDate: 0,
    };
  }

  private spotAccount(): unknown {
    this.spot.settle();
    const balances = [...this.spot.balances.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([asset, b]) => ({ asset, free: b.free.toFixed(8), locked: b.locked.toFixed(8) }));
    return {
      makerCommission: 10,
      takerCommission: 10,
      buyerCommission: 0,
      sellerCommission: 0,
      commissionRates: { maker: '0.00100000', taker: '0.00100000', buyer: '0.00000000', seller: '0.00000000' },
      canTrade: true,
      canWithdraw: true,
      canDeposit: true,
      brokered: false,
      requireSelfTradePrevention: false,
      preventSor: false,
      updateTime: this.spot.updateTime,
      accountType: 'SPOT',
      balances,
      permissions: ['SPOT'],
      uid: 354937868,
    };
  }

  private futuresAccount(): { assets: unknown[] } & Record<string, unknown> {
    const a = this.futures.account();
    const s = (d: Decimal) => d.toFixed(8);
    const marginBalance = a.wallet.plus(a.unrealized);
    const asset = {
      asset: 'USDT',
      walletBalance: s(a.wallet),
      unrealizedProfit: s(a.unrealized),
      marginBalance: s(marginBalance),
      maintMargin: s(a.maintMargin),
      initialMargin: s(a.positionIM.plus(a.openOrderIM)),
      positionInitialMargin: s(a.positionIM),
      openOrderInitialMargin: s(a.openOrderIM),
      crossWalletBalance: s(a.wallet),
      crossUnPnl: s(a.unrealized),
      availableBalance: s(a.available),
      maxWithdrawAmount: s(a.available),
      updateTime: this.futures.updateTime,
    };
    return {
      totalInitialMargin: asset.initialMargin,
      totalMaintMargin: asset.maintMargin,
      totalWalletBalance: asset.walletBalance,
      totalUnrealizedProfit: asset.unrealizedProfit,
      totalMarginBalance: asset.marginBalance,
      totalPositionInitialMargin: asset.positionInitialMargin,
      totalOpenOrderInitialMargin: asset.openOrderInitialMargin,
      totalCrossWalletBalance: asset.crossWalletBalance,
      totalCrossUnPnl: asset.crossUnPnl,
      availableBalance: asset.availableBalance,
      maxWithdrawAmount: asset.maxWithdrawAmount,
      assets: [asset],
      positions: this.positionRisk({}, 3),
    };
  }

  private positionRisk(q: Record<string, string>, version: 2 | 3): unknown[] {
    const symbol = this.optSymbol(q);
    this.futures.settle();
    const out: unknown[] = [];
    for (const p of this.futures.positions.values()) {
      if (p.amt.isZero() || (symbol !== undefined && p.symbol !== symbol)) continue;
      const mark = this.futures.price(p.symbol);
      const notional = p.amt.times(mark);
      const im = notional.abs().div(p.leverage);
      const row: Record<string, unknown> = {
        symbol: p.symbol,
        positionSide: 'BOTH',
        positionAmt: p.amt.toFixed(),
        entryPrice: p.entry.toFixed(),
        breakEvenPrice: p.entry.toFixed(),
        markPrice: mark.toFixed(),
        unRealizedProfit: mark.minus(p.entry).times(p.amt).toFixed(8),
        liquidationPrice: this.futures.liquidationPrice(p).toFixed(8),
        isolatedMargin: '0',
        notional: notional.toFixed(8),
        marginAsset: 'USDT',
        isolatedWallet: '0',
        initialMargin: im.toFixed(8),
        maintMargin: notional.abs().times('0.004').toFixed(8),
        positionInitialMargin: im.toFixed(8),
        openOrderInitialMargin: '0',
        adl: 1,
        bidNotional: '0',
        askNotional: '0',
        updateTime: p.updateTime,
      };
      if (version === 2) Object.assign(row, { leverage: String(p.leverage), marginType: 'cross', isAutoAddMargin: 'false', maxNotionalValue: '50000000' });
      out.push(row);
    }
    return out;
  }

  private myTrades(q: Record<string, string>, futures: boolean): unknown[] {
    const symbol = this.symbolParam(q);
    const from = q.startTime === undefined ? -Infinity : Number(q.startTime);
    const to = q.endTime === undefined ? Infinity : Number(q.endTime);
    const limit = q.limit === undefined ? 500 : Number(q.limit);
    // `orderId`: the trades of one order (Binance: only together with `symbol`)
    const trades = this.engine(futures)
      .tradesOf(symbol, from, to)
      .filter((t) => q.orderId === undefined || t.orderId === Number(q.orderId))
      .slice(0, limit);
    if (futures) {
      return trades.map((t) => ({
        buyer: t.side === 'buy',
        commission: t.commission.toFixed(8),
        commissionAsset: t.commissionAsset,
        id: t.id,
        maker: t.maker,
        orderId: t.orderId,
        price: t.price.toFixed(),
        qty: t.qty.toFixed(),
        quoteQty: t.quoteQty.toFixed(8),
        realizedPnl: t.realizedPnl.toFixed(8),
        side: t.side.toUpperCase(),
        positionSide: 'BOTH',
        symbol: t.symbol,
        time: t.time,
      }));
    }
    return trades.map((t) => ({
      symbol: t.symbol,
      id: t.id,
      orderId: t.orderId,
      orderListId: -1,
      price: t.price.toFixed(8),
      qty: t.qty.toFixed(8),
      quoteQty: t.quoteQty.toFixed(8),
      commission: t.commission.toFixed(8),
      commissionAsset: t.commissionAsset,
      time: t.time,
      isBuyer: t.side === 'buy',
      isMaker: t.maker,
      isBestMatch: true,
    }));
  }

  private ticker(symbol: string, futures: boolean): unknown {
    const eng = this.engine(futures);
    const c = eng.candle(symbol);
    const tick = new Decimal(this.filters(symbol, futures).tick);
    const last = c.close;
    const common = {
      symbol,
      priceChange: last.minus(c.open).toFixed(),
      priceChangePercent: last.minus(c.open).div(c.open).times(100).toFixed(3),
      weightedAvgPrice: last.toFixed(),
      lastPrice: last.toFixed(),
      lastQty: '0.01',
      openPrice: c.open.toFixed(),
      highPrice: c.high.toFixed(),
      lowPrice: c.low.toFixed(),
      volume: '0',
      quoteVolume: '0',
      openTime: c.ts,
      closeTime: this.clock.now(),
      firstId: 1,
      lastId: 2,
      count: 2,
    };
    if (futures) return common;
    return { ...common, prevClosePrice: c.open.toFixed(), bidPrice: last.minus(tick).toFixed(), bidQty: '1', askPrice: last.plus(tick).toFixed(), askQty: '1' };
  }

  private premiumIndex(symbol: string): unknown {
    const mark = this.futures.price(symbol);
    return {
      symbol,
      markPrice: mark.toFixed(),
      indexPrice: mark.toFixed(),
      estimatedSettlePrice: mark.toFixed(),
      lastFundingRate: '0.00010000',
      interestRate: '0.00010000',
      nextFundingTime: Math.ceil(this.clock.now() / 28_800_000) * 28_800_000,
      time: this.clock.now(),
    };
  }

  private exchangeInfo(futures: boolean): unknown {
    const rateLimits = [{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 }];
    const symbols = this.bases.map((base) => {
      const f = (futures ? FUTURES_FILTERS : SPOT_FILTERS)[base] ?? DEFAULT_FILTERS;
      const filters = [
        { filterType: 'PRICE_FILTER', minPrice: f.tick, maxPrice: '1000000.00000000', tickSize: f.tick },
        { filterType: 'LOT_SIZE', minQty: f.minQty, maxQty: '9000.00000000', stepSize: f.step },
        futures ? { filterType: 'MIN_NOTIONAL', notional: f.minNotional } : { filterType: 'NOTIONAL', minNotional: f.minNotional, applyMinToMarket: true, maxNotional: '9000000.00000000' },
      ];
      return futures
        ? {
            symbol: `${base}USDT`, pair: `${base}USDT`, contractType: 'PERPETUAL', deliveryDate: 4133404800000,
            onboardDate: 1569398400000, status: 'TRADING', baseAsset: base, quoteAsset: 'USDT', marginAsset: 'USDT',
            pricePrecision: 2, quantityPrecision: 3, baseAssetPrecision: 8, quotePrecision: 8, underlyingType: 'COIN',
            filters, orderTypes: ['LIMIT', 'MARKET', 'STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET'],
            timeInForce: ['GTC', 'IOC', 'FOK', 'GTX'],
          }
        : {
            symbol: `${base}USDT`, status: 'TRADING', baseAsset: base, baseAssetPrecision: 8, quoteAsset: 'USDT',
            quotePrecision: 8, quoteAssetPrecision: 8,
            orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'],
            icebergAllowed: true, ocoAllowed: true, isSpotTradingAllowed: true, isMarginTradingAllowed: true,
            filters, permissions: [], permissionSets: [['SPOT', 'MARGIN']],
          };
    });
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

/** Reads a request body as text. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
