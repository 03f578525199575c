/**
 * A local OKX v5 REST fake for offline tests (spot): a node:http server on 127.0.0.1 answering what ccxt's
 * real `okx` class calls, with prices from the shared candle CSVs (the Binance files; good enough for a fake)
 * and the shared matching engine ({@link FakeVenueEngine}).
 *
 * Public: `GET /api/v5/public/{time,instruments}`, `GET /api/v5/market/{ticker,candles,history-candles}`.
 * Private (headers `OK-ACCESS-KEY`, `OK-ACCESS-SIGN` = base64 HMAC-SHA256 of timestamp + method + path(+query)
 * + body with the account's secret, `OK-ACCESS-TIMESTAMP`, `OK-ACCESS-PASSPHRASE`, all verified):
 * `GET /api/v5/account/balance`, `GET /api/v5/account/positions` (always empty: spot only),
 * `POST /api/v5/trade/order` (market/limit/post_only), `GET /api/v5/trade/order` (`ordId` | `clOrdId`),
 * `POST /api/v5/trade/cancel-order`, `GET /api/v5/trade/orders-pending`, `GET /api/v5/trade/fills-history` (optionally of one `ordId`)
 * (and `/fills`), and conditional (stop-loss / take-profit) algo orders: `POST /api/v5/trade/order-algo`
 * (`ordType: conditional`, `slTriggerPx`/`tpTriggerPx`, `algoClOrdId` — ccxt sends the client id as
 * `clOrdId`, taken as the algo's client id), `GET /api/v5/trade/order-algo`,
 * `GET /api/v5/trade/orders-algo-pending`, `POST /api/v5/trade/cancel-algos`.
 * Errors use OKX's envelope `{"code":"51008","msg":…,"data":[]}`; order placement failures come as
 * `{"code":"1","data":[{"sCode":"51008","sMsg":…}]}` like the real venue.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import Decimal from 'decimal.js';
import type { Clock } from '../../src/domain/ports.js';
import { MARKET_DATA_DIR, readBody, readCandlesCsv } from './fake-binance.js';
import { CandlePrices, FakeVenueEngine, type EngineError, type EngineOrder } from './fake-venue-engine.js';
import type { Timeframe } from '@osprey/shared';

/** The API key the fake accepts by default. */
export const FAKE_OKX_KEY = 'a1b2c3d4-0000-4000-8000-fake0okx0key';
/** The secret the fake verifies signatures with by default. */
export const FAKE_OKX_SECRET = 'FAKEOKXSECRET0123456789ABCDEF01';
/** The passphrase the fake expects by default. */
export const FAKE_OKX_PASSPHRASE = 'fake-passphrase-1';

/** A failure the fake can return instead of a normal answer. */
export type OkxFailure =
  /** HTTP status with an HTML body, e.g. 502/503. */
  | { kind: 'status'; status: number }
  /** HTTP 429 `{"code":"50011","msg":"Too Many Requests"}`. */
  | { kind: 'rate-limit' }
  /** Never answers. */
  | { kind: 'hang' }
  /** Processes the request but never answers (ambiguous create). */
  | { kind: 'drop-response' }
  /** `51008` insufficient balance (in `data[].sCode` on order endpoints, top-level elsewhere). */
  | { kind: 'insufficient-balance' }
  /** HTTP 401 `50111` invalid OK-ACCESS-KEY. */
  | { kind: 'auth' }
  /** HTTP 401 `50110` IP not whitelisted. */
  | { kind: 'ip' };

/** One logged request; `query` merges URL query and a JSON object body. */
export interface OkxRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
}

/** Options of {@link FakeOkx.start}. */
export interface FakeOkxOptions {
  clock: Clock;
  dataDir?: string;
  apiKey?: string;
  secret?: string;
  passphrase?: string;
  /** Starting balances of the trading account; default `{ USDT: "10000" }`. */
  balances?: Record<string, string>;
}

/** Instrument rules per base (close to OKX's real spot ones). */
const INSTRUMENTS: Record<string, { tickSz: string; lotSz: string; minSz: string }> = {
  BTC: { tickSz: '0.1', lotSz: '0.00000001', minSz: '0.00001' },
  ETH: { tickSz: '0.01', lotSz: '0.000001', minSz: '0.0001' },
  SOL: { tickSz: '0.01', lotSz: '0.000001', minSz: '0.001' },
  XRP: { tickSz: '0.0001', lotSz: '0.000001', minSz: '0.1' },
};
const DEFAULT_INSTRUMENT = { tickSz: '0.0001', lotSz: '0.00000001', minSz: '0.00001' };
const BARS: Record<string, Timeframe> = { '15m': '15m', '1H': '1h', '4H': '4h', '1Dutc': '1d', '1D': '1d' };
const TF_MS: Record<Timeframe, number> = { '15m': 900_000, '1h': 3_600_000, '4h': 14_400_000, '1d': 86_400_000 };

class OkxError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    msg: string,
    readonly data: unknown[] = [],
  ) {
    super(msg);
  }
}

/** A per-order failure: `{"code":"1","msg":"All operations failed","data":[{"sCode":…}]}` (HTTP 200, as OKX does). */
const orderFail = (sCode: string, sMsg: string, extra: Record<string, string> = {}) =>
  new OkxError(200, '1', 'All operations failed', [{ ...extra, sCode, sMsg, ts: '' }]);

/** Local fake of OKX's v5 REST API (spot); see the file header. */
export class FakeOkx {
  /** Every request received, in arrival order. */
  readonly requests: OkxRequest[] = [];
  /** The spot account and matching engine (instruments `BTC-USDT`, …). */
  readonly engine: FakeVenueEngine;
  private rules: Array<{ remaining: number; failure: OkxFailure; match: (r: OkxRequest) => boolean }> = [];
  private readonly bases: string[];
  private readonly candleCache = new Map<string, ReturnType<typeof readCandlesCsv>>();
  private readonly apiKey: string;
  private readonly secret: string;
  private readonly passphrase: string;

  private constructor(
    private readonly server: Server,
    private readonly clock: Clock,
    private readonly dataDir: string,
    opts: FakeOkxOptions,
  ) {
    this.bases = readdirSync(dataDir)
      .map((f) => /^BINANCE_([A-Z0-9]+)-USDT_15m\.csv$/.exec(f)?.[1])
      .filter((b): b is string => b !== undefined)
      .sort();
    this.apiKey = opts.apiKey ?? FAKE_OKX_KEY;
    this.secret = opts.secret ?? FAKE_OKX_SECRET;
    this.passphrase = opts.passphrase ?? FAKE_OKX_PASSPHRASE;
    this.engine = new FakeVenueEngine({
      market: 'spot',
      clock,
      prices: new CandlePrices(dataDir),
      symbols: this.bases.map((base) => ({ id: `${base}-USDT`, base, quote: 'USDT' })),
      balances: opts.balances ?? { USDT: '10000' },
      fees: { maker: '0.0008', taker: '0.001' },
      firstOrderId: 600_000_000_001,
      firstAlgoId: 800_000_001,
      firstTradeId: 50_001,
    });
  }

  /** Starts the server on 127.0.0.1 at a free port. */
  static async start(opts: FakeOkxOptions): Promise<FakeOkx> {
    const server = createServer();
    const fake = new FakeOkx(server, opts.clock, opts.dataDir ?? MARKET_DATA_DIR, opts);
    server.on('request', (req, res) => void fake.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** Base URL, e.g. `http://127.0.0.1:40123` (pass as `apiBase`). */
  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Makes the next `n` requests satisfying `match` (default: all) fail with `failure`. */
  failNext(n: number, failure: OkxFailure, match: (r: OkxRequest) => boolean = () => true): void {
    this.rules.push({ remaining: n, failure, match });
  }

  /** Logged order-placing requests. */
  orderPosts(): OkxRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && /\/trade\/order(-algo)?$/.test(r.path));
  }

  /** Stops the server, dropping open connections. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const body = await readBody(req);
    let json: unknown;
    try {
      json = body ? JSON.parse(body) : undefined;
    } catch {
      json = undefined;
    }
    const flat = json && !Array.isArray(json) && typeof json === 'object' ? (json as Record<string, unknown>) : {};
    const query = { ...Object.fromEntries(url.searchParams), ...Object.fromEntries(Object.entries(flat).map(([k, v]) => [k, String(v)])) };
    const entry: OkxRequest = { method: req.method ?? 'GET', path: url.pathname, query, status: 0 };
    this.requests.push(entry);
    let respond = true;
    const send = (status: number, payload: unknown, contentType = 'application/json') => {
      if (!respond) return;
      entry.status = status;
      res.writeHead(status, { 'content-type': contentType });
      res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
    };
    const isOrderPath = /\/trade\/order(-algo)?$/.test(url.pathname) && req.method === 'POST';

    const rule = this.rules.find((r) => r.remaining > 0 && r.match(entry));
    if (rule) {
      rule.remaining--;
      const f = rule.failure;
      if (f.kind === 'hang') return;
      if (f.kind === 'drop-response') respond = false;
      else if (f.kind === 'status') return send(f.status, `<html><body><h1>${f.status}</h1></body></html>`, 'text/html');
      else if (f.kind === 'rate-limit') return send(429, { code: '50011', msg: 'Too Many Requests', data: [] });
      else if (f.kind === 'auth') return send(401, { code: '50111', msg: 'Invalid OK-ACCESS-KEY', data: [] });
      else if (f.kind === 'ip') return send(401, { code: '50110', msg: 'Your IP 127.0.0.1 is not included in your API key\'s IP whitelist.', data: [] });
      else if (f.kind === 'insufficient-balance') {
        const e = isOrderPath ? orderFail('51008', 'Order failed. Insufficient USDT balance in account.', { ordId: '', clOrdId: query.clOrdId ?? '' }) : new OkxError(200, '51008', 'Insufficient balance', []);
        return send(e.status, { code: e.code, msg: e.message, data: e.data });
      }
    }

    try {
      const data = this.route(req.method ?? 'GET', url.pathname, query, json, req, `${url.pathname}${url.search}`, body);
      if (data === undefined) return send(404, { code: '50030', msg: 'Illegal request', data: [] });
      send(200, { code: '0', msg: '', data });
    } catch (e) {
      if (e instanceof OkxError) return send(e.status, { code: e.code, msg: e.message, data: e.data });
      send(500, { code: '50026', msg: `System error: ${e instanceof Error ? e.message : String(e)}`, data: [] });
    }
  }

  private route(method: string, path: string, q: Record<string, string>, json: unknown, req: IncomingMessage, requestPath: string, body: string): unknown[] | undefined {
    const key = `${method} ${path.replace(/^\/api\/v5\//, '')}`;
    switch (key) {
      case 'GET public/time':
        return [{ ts: String(this.clock.now()) }];
      case 'GET public/instruments':
        if (q.instType !== 'SPOT') return [];
        return this.bases.map((base) => {
          const r = INSTRUMENTS[base] ?? DEFAULT_INSTRUMENT;
          return {
            instType: 'SPOT', instId: `${base}-USDT`, uly: '', instFamily: '', baseCcy: base, quoteCcy: 'USDT', settleCcy: '',
            ctVal: '', ctMult: '', ctValCcy: '', optType: '', stk: '', listTime: '1611907686000', expTime: '', lever: '10',
            tickSz: r.tickSz, lotSz: r.lotSz, minSz: r.minSz, ctType: '', alias: '', state: 'live', ruleType: 'normal',
            maxLmtSz: '9999999999', maxMktSz: '1000000', maxLmtAmt: '20000000', maxMktAmt: '1000000', maxTwapSz: '9999999999',
            maxIcebergSz: '9999999999', maxTriggerSz: '9999999999', maxStopSz: '1000000',
          };
        });
      case 'GET market/ticker':
        return [this.ticker(this.inst(q))];
      case 'GET market/candles':
      case 'GET market/history-candles':
        return this.candles(q);
    }
    const priv: Record<string, () => unknown[]> = {
      'GET account/balance': () => this.balance(),
      'GET account/positions': () => [],
      'POST trade/order': () => [this.placeResult(this.place(q, false))],
      'POST trade/order-algo': () => [this.placeResult(this.place(q, true))],
      'GET trade/order': () => [this.orderFormat(this.find(q, false))],
      'GET trade/order-algo': () => [this.algoFormat(this.find(q, true))],
      'POST trade/cancel-order': () => [this.cancel(q)],
      'POST trade/cancel-algos': () => this.cancelAlgos(json),
      'GET trade/orders-pending': () => this.engine.openOrders(this.optInst(q)).map((o) => this.orderFormat(o)),
      'GET trade/orders-algo-pending': () => {
        if (!q.ordType) throw new OkxError(400, '51000', 'Parameter ordType error');
        return this.engine.openOrders(this.optInst(q), true).map((o) => this.algoFormat(o));
      },
      'GET trade/fills-history': () => this.fills(q),
      'GET trade/fills': () => this.fills(q),
    };
    const handler = priv[key];
    if (!handler) return undefined;
    this.authenticate(req, method, requestPath, body);
    return handler();
  }

  private authenticate(req: IncomingMessage, method: string, requestPath: string, body: string): void {
    const h = (n: string) => {
      const v = req.headers[n];
      return typeof v === 'string' ? v : undefined;
    };
    const key = h('ok-access-key');
    if (!key) throw new OkxError(401, '50103', 'Request header OK-ACCESS-KEY cannot be empty.');
    if (key !== this.apiKey) throw new OkxError(401, '50111', 'Invalid OK-ACCESS-KEY.');
    const ts = h('ok-access-timestamp');
    if (!ts) throw new OkxError(401, '50107', 'Request header OK-ACCESS-TIMESTAMP cannot be empty.');
    const pass = h('ok-access-passphrase');
    if (pass !== this.passphrase) throw new OkxError(401, '50105', 'Request header OK-ACCESS-PASSPHRASE incorrect.');
    const expected = createHmac('sha256', this.secret).update(ts + method + requestPath + body).digest('base64');
    if (h('ok-access-sign') !== expected) throw new OkxError(401, '50113', 'Invalid Sign.');
  }

  private inst(q: Record<string, string>): string {
    if (!q.instId) throw new OkxError(400, '51000', 'Parameter instId error');
    if (!this.engine.symbol(q.instId)) throw new OkxError(400, '51001', "Instrument ID, Instrument ID code, or Spread ID doesn't exist.");
    return q.instId;
  }

  private optInst(q: Record<string, string>): string | undefined {
    return q.instId ? this.inst(q) : undefined;
  }

  private rules_(instId: string) {
    return INSTRUMENTS[instId.replace(/-USDT$/, '')] ?? DEFAULT_INSTRUMENT;
  }

  private dec(q: Record<string, string>, name: string, orderCtx: Record<string, string>): Decimal {
    const v = q[name];
    if (v === undefined || v === '' || !/^\d+(\.\d+)?$/.test(v)) throw orderFail('51000', `Parameter ${name} error`, orderCtx);
    return new Decimal(v);
  }

  /** POST trade/order and trade/order-algo. */
  private place(q: Record<string, string>, algo: boolean): EngineOrder {
    const instId = this.inst(q);
    const ctx: Record<string, string> = algo ? { algoId: '', algoClOrdId: q.algoClOrdId ?? q.clOrdId ?? '', clOrdId: '' } : { ordId: '', clOrdId: q.clOrdId ?? '' };
    const side = q.side === 'buy' || q.side === 'sell' ? q.side : undefined;
    if (!side) throw orderFail('51000', 'Parameter side error', ctx);
    if (q.tgtCcy === 'quote_ccy') throw orderFail('51000', 'Parameter tgtCcy error (this fake supports base_ccy only)', ctx);
    const r = this.rules_(instId);
    const sz = this.dec(q, 'sz', ctx);
    if (sz.lt(r.minSz)) throw orderFail('51020', `Your order should meet or exceed the minimum order amount.`, ctx);
    if (!sz.mod(r.lotSz).isZero()) throw orderFail('51121', 'Order quantity must be a multiple of the lot size.', ctx);
    const onTick = (p: Decimal, name: string) => {
      if (!p.mod(r.tickSz).isZero()) throw orderFail('51000', `Parameter ${name} error`, ctx);
      return p;
    };
    let type: 'market' | 'limit';
    let kind: 'regular' | 'stop_loss' | 'take_profit' = 'regular';
    let price: Decimal | null = null;
    let stopPrice: Decimal | null = null;
    if (!algo) {
      if (q.ordType === 'market') type = 'market';
      else if (q.ordType === 'limit' || q.ordType === 'post_only') {
        type = 'limit';
        price = onTick(this.dec(q, 'px', ctx), 'px');
      } else throw orderFail('51000', 'Parameter ordType error', ctx);
      if (!['cash', 'cross', 'isolated'].includes(q.tdMode ?? '')) throw orderFail('51000', 'Parameter tdMode error', ctx);
    } else {
      if (q.ordType !== 'conditional') throw orderFail('51000', 'Parameter ordType error (this fake supports conditional)', ctx);
      const sl = q.slTriggerPx;
      const tp = q.tpTriggerPx;
      if ((sl && tp) || (!sl && !tp)) throw orderFail('51000', 'Parameter slTriggerPx/tpTriggerPx error', ctx);
      kind = sl ? 'stop_loss' : 'take_profit';
      stopPrice = onTick(this.dec(q, sl ? 'slTriggerPx' : 'tpTriggerPx', ctx), sl ? 'slTriggerPx' : 'tpTriggerPx');
      const ordPx = sl ? q.slOrdPx : q.tpOrdPx;
      if (ordPx === undefined || ordPx === '-1') type = 'market';
      else {
        type = 'limit';
        price = onTick(this.dec(q, sl ? 'slOrdPx' : 'tpOrdPx', ctx), 'ordPx');
      }
    }
    const clientOrderId = algo ? (q.algoClOrdId ?? q.clOrdId ?? '') : (q.clOrdId ?? '');
    if (clientOrderId && !/^[A-Za-z0-9]{1,32}$/.test(clientOrderId)) throw orderFail('51000', `Parameter ${algo ? 'algoClOrdId' : 'clOrdId'} error`, ctx);
    const res = this.engine.place({ symbol: instId, side, type, kind, qty: sz, price, stopPrice, clientOrderId, algo, venueType: algo ? 'conditional' : q.ordType!, extra: { tdMode: q.tdMode ?? 'cash' } });
    if (!res.ok) throw this.engineError(res.error, ctx);
    if (q.ordType === 'post_only' && res.order.status === 'FILLED') throw orderFail('51019', 'Post only order would take liquidity', ctx);
    return res.order;
  }

  private engineError(e: EngineError, ctx: Record<string, string>): OkxError {
    switch (e) {
      case 'INSUFFICIENT_BALANCE':
        return orderFail('51008', 'Order failed. Insufficient USDT balance in account.', ctx);
      case 'DUPLICATE_CLIENT_ID':
        return orderFail('51016', 'Duplicated clOrdId', ctx);
      case 'WOULD_TRIGGER_IMMEDIATELY':
        return orderFail('51280', 'SL trigger price must be less than the last price', ctx);
      case 'REDUCE_ONLY_REJECTED':
        return orderFail('51169', "Order failed because you don't have any positions in this direction for this contract to reduce or close.", ctx);
      case 'UNKNOWN_SYMBOL':
        return orderFail('51001', "Instrument ID doesn't exist.", ctx);
    }
  }

  private placeResult(o: EngineOrder): unknown {
    return o.algo
      ? { algoId: String(o.orderId), clOrdId: '', algoClOrdId: o.clientOrderId, sCode: '0', sMsg: '', tag: '' }
      : { ordId: String(o.orderId), clOrdId: o.clientOrderId, tag: '', ts: String(o.time), sCode: '0', sMsg: 'Order placed' };
  }

  private find(q: Record<string, string>, algo: boolean): EngineOrder {
    const instId = algo ? q.instId : this.inst(q);
    let by: { orderId?: number; clientOrderId?: string } | undefined;
    if (algo) by = q.algoId ? { orderId: Number(q.algoId) } : q.algoClOrdId ? { clientOrderId: q.algoClOrdId } : undefined;
    else by = q.ordId ? { orderId: Number(q.ordId) } : q.clOrdId ? { clientOrderId: q.clOrdId } : undefined;
    if (!by) throw new OkxError(400, '51000', `Parameter ${algo ? 'algoId' : 'ordId'} error`);
    const o = this.engine.find(instId || undefined, by, algo);
    if (!o) throw new OkxError(200, '51603', 'Order does not exist');
    return o;
  }

  private cancel(q: Record<string, string>): unknown {
    const instId = this.inst(q);
    const by = q.ordId ? { orderId: Number(q.ordId) } : q.clOrdId ? { clientOrderId: q.clOrdId } : undefined;
    const ctx = { ordId: q.ordId ?? '', clOrdId: q.clOrdId ?? '' };
    if (!by) throw orderFail('51000', 'Parameter ordId error', ctx);
    const o = this.engine.cancel(instId, by);
    if (!o) throw orderFail('51400', 'Order cancellation failed as the order has been filled, canceled or does not exist.', ctx);
    return { ordId: String(o.orderId), clOrdId: o.clientOrderId, sCode: '0', sMsg: '', ts: String(this.clock.now()) };
  }

  private cancelAlgos(json: unknown): unknown[] {
    if (!Array.isArray(json) || json.length === 0) throw new OkxError(400, '51000', 'Parameter algoId error');
    const out = json.map((x: Record<string, string>) => {
      const by = x.algoId ? { orderId: Number(x.algoId) } : x.algoClOrdId ? { clientOrderId: x.algoClOrdId } : undefined;
      const o = by ? this.engine.cancel(x.instId, by, true) : undefined;
      return o
        ? { algoId: String(o.orderId), algoClOrdId: o.clientOrderId, clOrdId: '', sCode: '0', sMsg: '', tag: '' }
        : { algoId: x.algoId ?? '', algoClOrdId: x.algoClOrdId ?? '', clOrdId: '', sCode: '51400', sMsg: 'Cancellation failed as the order does not exist.', tag: '' };
    });
    if (out.every((r) => r.sCode !== '0')) throw new OkxError(200, '1', 'All operations failed', out);
    return out;
  }

  private orderFormat(o: EngineOrder): unknown {
    const state = o.status === 'NEW' ? 'live' : o.status === 'FILLED' ? 'filled' : o.status === 'CANCELED' ? 'canceled' : 'canceled';
    const last = this.engine.trades.filter((t) => t.orderId === o.orderId).at(-1);
    return {
      instType: 'SPOT', instId: o.symbol, tgtCcy: o.type === 'market' ? 'base_ccy' : '', ccy: '', ordId: String(o.orderId), clOrdId: o.clientOrderId, tag: '',
      px: o.price ? o.price.toFixed() : '', pxUsd: '', pxVol: '', pxType: '', sz: o.qty.toFixed(), pnl: '0', ordType: o.venueType, side: o.side, posSide: 'net',
      tdMode: o.extra.tdMode ?? 'cash', accFillSz: o.executedQty.toFixed(), fillPx: last ? last.price.toFixed() : '', tradeId: last ? String(last.id) : '',
      fillSz: last ? last.qty.toFixed() : '0', fillTime: last ? String(last.time) : '', avgPx: o.avgPrice ? o.avgPrice.toFixed() : '', state, lever: '',
      attachAlgoClOrdId: '', tpTriggerPx: '', tpTriggerPxType: '', tpOrdPx: '', slTriggerPx: '', slTriggerPxType: '', slOrdPx: '', stpId: '', stpMode: 'cancel_maker',
      feeCcy: o.commissionAsset, fee: o.commission.neg().toFixed(), rebateCcy: o.quote, source: '', rebate: '0', category: 'normal', reduceOnly: 'false',
      isTpLimit: 'false', cancelSource: '', quickMgnType: '', algoClOrdId: '', algoId: o.extra.fromAlgoId ?? '', uTime: String(o.updateTime), cTime: String(o.time),
    };
  }

  private algoFormat(o: EngineOrder): unknown {
    const state = o.status === 'NEW' ? 'live' : o.status === 'TRIGGERED' ? 'effective' : o.status === 'REJECTED' ? 'order_failed' : 'canceled';
    const sl = o.kind === 'stop_loss';
    const trig = o.stopPrice!.toFixed();
    const ordPx = o.type === 'market' ? '-1' : o.price!.toFixed();
    return {
      instType: 'SPOT', instId: o.symbol, ordId: o.spawnedOrderId === null ? '' : String(o.spawnedOrderId), ordIdList: o.spawnedOrderId === null ? [] : [String(o.spawnedOrderId)],
      ccy: '', clOrdId: '', algoId: String(o.orderId), attachAlgoOrds: [], sz: o.qty.toFixed(), closeFraction: '', ordType: 'conditional', side: o.side,
      posSide: 'net', tdMode: o.extra.tdMode ?? 'cash', tgtCcy: '', state, lever: '',
      tpTriggerPx: sl ? '' : trig, tpTriggerPxType: sl ? '' : 'last', tpOrdPx: sl ? '' : ordPx,
      slTriggerPx: sl ? trig : '', slTriggerPxType: sl ? 'last' : '', slOrdPx: sl ? ordPx : '',
      triggerPx: '', triggerPxType: '', ordPx: '', actualSz: o.spawnedOrderId === null ? '' : o.qty.toFixed(), actualPx: o.avgPrice ? o.avgPrice.toFixed() : '',
      actualSide: o.spawnedOrderId === null ? '' : sl ? 'sl' : 'tp', notionalUsd: '', pxVar: '', pxSpread: '', szLimit: '', pxLimit: '', tag: '',
      timeInterval: '', callbackRatio: '', callbackSpread: '', activePx: '', moveTriggerPx: '', reduceOnly: 'false', quickMgnType: '',
      last: this.engine.price(o.symbol).toFixed(), failCode: o.status === 'REJECTED' ? '51008' : '', algoClOrdId: o.clientOrderId, amendPxOnTriggerType: '0',
      triggerTime: o.triggerTime === null ? '' : String(o.triggerTime), cTime: String(o.time), uTime: String(o.updateTime),
    };
  }

  private balance(): unknown[] {
    this.engine.settle();
    const details = [...this.engine.balances.entries()]
      .filter(([, b]) => !b.free.plus(b.locked).isZero())
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([ccy, b]) => {
        const eq = b.free.plus(b.locked).toFixed();
        return {
          ccy, eq, cashBal: eq, availBal: b.free.toFixed(), availEq: b.free.toFixed(), frozenBal: b.locked.toFixed(), ordFrozen: b.locked.toFixed(),
          upl: '0', uplLiab: '', crossLiab: '', isoEq: '0', isoLiab: '', liab: '', interest: '', mgnRatio: '', notionalLever: '0', twap: '0',
          disEq: eq, eqUsd: eq, stgyEq: '0', spotInUseAmt: '', uTime: String(this.engine.updateTime),
        };
      });
    return [{ adjEq: '', borrowFroz: '', details, imr: '', isoEq: '0', mgnRatio: '', mmr: '', notionalUsd: '', ordFroz: '', totalEq: '', uTime: String(this.engine.updateTime), upl: '' }];
  }

  private fills(q: Record<string, string>): unknown[] {
    const instId = this.optInst(q);
    const from = q.begin ? Number(q.begin) : -Infinity;
    const to = q.end ? Number(q.end) : Infinity;
    const limit = q.limit ? Number(q.limit) : 100;
    return this.engine
      .tradesOf(instId, from, to)
      .filter((t) => !q.ordId || t.orderId === Number(q.ordId)) // `ordId`: the fills of one order
      .reverse() // newest first, like OKX
      .slice(0, limit)
      .map((t) => ({
        instType: 'SPOT', instId: t.symbol, tradeId: String(t.id), ordId: String(t.orderId), clOrdId: t.clientOrderId, billId: String(t.id * 7), subType: '1',
        tag: '', fillPx: t.price.toFixed(), fillSz: t.qty.toFixed(), fillIdxPx: '', fillPnl: '0', fillPxVol: '', fillPxUsd: '', fillMarkVol: '', fillFwdPx: '',
        fillMarkPx: '', side: t.side, posSide: 'net', execType: t.maker ? 'M' : 'T', feeCcy: t.commissionAsset, fee: t.commission.neg().toFixed(),
        ts: String(t.time), fillTime: String(t.time),
      }));
  }

  private ticker(instId: string): unknown {
    const c = this.engine.candle(instId);
    const tick = new Decimal(this.rules_(instId).tickSz);
    return {
      instType: 'SPOT', instId, last: c.close.toFixed(), lastSz: '0.01', askPx: c.close.plus(tick).toFixed(), askSz: '1', bidPx: c.close.minus(tick).toFixed(),
      bidSz: '1', open24h: c.open.toFixed(), high24h: c.high.toFixed(), low24h: c.low.toFixed(), volCcy24h: '0', vol24h: '0', ts: String(this.clock.now()),
      sodUtc0: c.open.toFixed(), sodUtc8: c.open.toFixed(),
    };
  }

  /** OKX candles: newest first; `after` = older than (exclusive), `before` = newer than (exclusive); only opened candles. */
  private candles(q: Record<string, string>): unknown[] {
    const instId = this.inst(q);
    const tf = BARS[q.bar ?? '1m'];
    if (!tf) throw new OkxError(400, '51000', 'Parameter bar error');
    const base = instId.replace(/-USDT$/, '');
    const key = `${base}_${tf}`;
    let rows = this.candleCache.get(key);
    if (!rows) {
      rows = readCandlesCsv(base, tf, this.dataDir);
      this.candleCache.set(key, rows);
    }
    const now = this.clock.now();
    const after = q.after ? Number(q.after) : Infinity;
    const before = q.before ? Number(q.before) : -Infinity;
    const limit = Math.min(q.limit ? Number(q.limit) : 100, 300);
    const visible = rows.filter((r) => r.ts <= now && r.ts < after && r.ts > before);
    const page = q.before && !q.after ? visible.slice(0, limit) : visible.slice(-limit);
    return page
      .reverse()
      .map((r) => [String(r.ts), String(r.open), String(r.high), String(r.low), String(r.close), String(r.volume), String(r.volume * r.close), String(r.volume * r.close), r.ts + TF_MS[tf] <= now ? '1' : '0']);
  }
}
