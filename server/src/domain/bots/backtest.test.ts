import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import Decimal from 'decimal.js';
import type { Candle, MarketSignal, Timeframe } from '@osprey/shared';
import { PaperExchange, type FundingSource, type PriceSource } from '../../adapters/exchange/paper-exchange.js';
import { RejectedOrderError } from '../exchange/errors.js';
import type { Fill, MarketInfo } from '../exchange/port.js';
import { ManualClock } from '../ports.js';
import { SymbolReplay } from '../replay.js';
import { parseCandlesCsv } from '../indicators/csv.js';
import type { PaperFill } from '../trading/paper-engine.js';
import { Dec, roundToStep, str } from '../trading/precision.js';
import { addProduct, runBacktest, type BacktestInput } from './backtest.js';
import { createGridStrategy, parseGridConfig, type GridState } from './grid.js';
import { botOrderId, type Intent, type Strategy, type StrategyEvent } from './strategy.js';

const SPOT: MarketInfo = {
  symbol: 'BTC/USDT',
  base: 'BTC',
  quote: 'USDT',
  type: 'spot',
  amountStep: '0.00001',
  priceStep: '0.01',
  minAmount: '0.00001',
  minNotional: '5',
  makerFee: '0.001',
  takerFee: '0.001',
  maxLeverage: 1,
};
const ETH: MarketInfo = { ...SPOT, symbol: 'ETH/USDT', base: 'ETH', amountStep: '0.0001', minAmount: '0.0001' };
const PERP: MarketInfo = { ...SPOT, symbol: 'BTC/USDT:USDT', type: 'swap', amountStep: '0.001', priceStep: '0.1', minAmount: '0.001', minNotional: '5', makerFee: '0.0002', takerFee: '0.0005', maxLeverage: 125 };

const M15 = 900_000;
const T0 = Date.UTC(2024, 0, 1);
/** Time of the k-th third (0–3) of the i-th 15m candle from T0. */
const at = (i: number, k: number) => T0 + i * M15 + k * (M15 / 3);
/** 15m candles from [open, high, low, close] rows, the first opening at `from`. */
const candles = (from: number, ...rows: [number, number, number, number][]): Candle[] => rows.map(([open, high, low, close], i) => ({ ts: from + i * M15, open, high, low, close, volume: 1 }));
const D = (v: Decimal.Value) => new Decimal(v);

const csv = (asset: string) => parseCandlesCsv(readFileSync(new URL(`../../../assets/market/BINANCE_${asset}-USDT_15m.csv`, import.meta.url), 'utf8'), '15m');
const BTC = csv('BTC');
const ETH15 = csv('ETH');
const feb = BTC.filter((c) => c.ts >= Date.UTC(2024, 1, 1) && c.ts < Date.UTC(2024, 2, 1));
const config = parseGridConfig({ symbol: 'BTC/USDT', levels: 6, spacingPct: 0.5, sellOffsetPct: 0.6, orderSize: { mode: 'quote', value: '500' }, repricePct: 3 });
const run = (cs: readonly Candle[]) =>
  runBacktest({ strategy: createGridStrategy('feb', config), candles: { 'BTC/USDT': cs }, timeframe: '15m', marketType: 'spot', markets: { 'BTC/USDT': SPOT }, balances: { USDT: '10000' } });
const brief = (fills: readonly PaperFill[]) => fills.map((f) => ({ id: f.clientOrderId, side: f.side, price: f.price, amount: f.amount, fee: f.fee, ts: f.ts, ...(f.liquidity === 'taker' ? { taker: true } : {}) }));

// ─── a tiny test strategy ─────────────────────────────────────────────────────────────────────────────────

interface ToyState {
  seq: number;
  /** symbol → clientOrderId of its open order. */
  open: Record<string, string>;
  /** symbol → held amount. */
  held: Record<string, string>;
  closes: number;
}

/**
 * On each closed candle of a flat symbol with no open order (unless `buyOnClose` is false), and on a signal
 * with `details.trade` for such a symbol: a market buy of `amounts[symbol]`; on its fill a limit sell 1 %
 * above (tick up); every `holdBars`-th closed candle of a holding symbol: cancel the sell and sell at market.
 * Emits a `close:<symbol>` point per closed candle, a note at start (warm-up lengths) and one per signal
 * (with the symbol's open order and held amount as the strategy sees them then).
 */
function toy(amounts: Record<string, string>, markets: Record<string, MarketInfo>, holdBars = 3, buyOnClose = true): Strategy<ToyState> {
  const symbols = Object.keys(amounts);
  return {
    type: 'toy',
    botId: 'toy',
    symbols,
    initialState: () => ({ seq: 0, open: {}, held: {}, closes: 0 }),
    step(state, event) {
      const s = structuredClone(state);
      const intents: Intent[] = [];
      const id = (leg: string) => botOrderId('toy', 0, leg, s.seq++);
      switch (event.type) {
        case 'start':
          return { state: s, intents, notes: [{ kind: 'info', code: 'toy.start', message: 'warm-up', detail: Object.fromEntries(symbols.map((x) => [x, event.history?.[x]?.length ?? -1])) }] };
        case 'signal': {
          const sym = symbols.find((x) => `${markets[x]!.base}/${markets[x]!.quote}` === event.signal.symbol);
          const detail = { id: event.signal.id, open: sym ? (s.open[sym] ?? '') : '', held: sym ? (s.held[sym] ?? '') : '' };
          if (sym && event.signal.details.trade && s.held[sym] === undefined && s.open[sym] === undefined) {
            const cid = id('b');
            intents.push({ type: 'place', order: { clientOrderId: cid, symbol: sym, side: 'buy', type: 'market', amount: amounts[sym]! }, role: 'entry' });
            s.open[sym] = cid;
          }
          return { state: s, intents, notes: [{ kind: 'info', code: 'toy.signal', message: event.signal.id, detail }] };
        }
        case 'candle': {
          const sym = event.symbol;
          s.closes++;
          const points = [{ series: `close:${sym}`, ts: event.candle.ts, value: event.candle.close }];
          if (buyOnClose && s.held[sym] === undefined && s.open[sym] === undefined) {
            const cid = id('b');
            intents.push({ type: 'place', order: { clientOrderId: cid, symbol: sym, side: 'buy', type: 'market', amount: amounts[sym]! }, role: 'entry' });
            s.open[sym] = cid;
          } else if (s.held[sym] !== undefined && s.closes % holdBars === 0 && s.open[sym]?.includes('s')) {
            intents.push({ type: 'cancel', clientOrderId: s.open[sym]!, symbol: sym });
            const cid = id('x');
            intents.push({ type: 'place', order: { clientOrderId: cid, symbol: sym, side: 'sell', type: 'market', amount: s.held[sym]!, ...(markets[sym]!.type === 'swap' ? { reduceOnly: true } : {}) }, role: 'exit' });
            s.open[sym] = cid;
          }
          return { state: s, intents, points };
        }
        case 'fill': {
          const f = event.fill;
          if (f.side === 'buy') {
            s.held[f.symbol] = f.amount;
            const cid = id('s');
            const price = str(roundToStep(D(f.price).mul('1.01'), markets[f.symbol]!.priceStep, 'up'));
            intents.push({ type: 'place', order: { clientOrderId: cid, symbol: f.symbol, side: 'sell', type: 'limit', amount: f.amount, price, ...(markets[f.symbol]!.type === 'swap' ? { reduceOnly: true } : {}) }, role: 'exit' });
            s.open[f.symbol] = cid;
          } else {
            delete s.held[f.symbol];
            delete s.open[f.symbol];
          }
          return { state: s, intents };
        }
        case 'orderDead':
          if (s.open[event.symbol] === event.clientOrderId) delete s.open[event.symbol];
          return { state: s, intents };
        default:
          return { state: s, intents };
      }
    },
    held: (state) => Object.entries(state.held).map(([symbol, amount]) => ({ key: symbol, symbol, side: 'long', amount, entryPrice: '0', openedAt: 0 })),
    summary: () => ({ realizedPnl: '0', roundTrips: 0 }),
  };
}

const signal = (id: string, createdAt: number, symbol = 'ETH/USDT', details: Record<string, unknown> = {}): MarketSignal => ({ id, exchange: 'binance', symbol, type: 'LONG', score: 20, sizeMultiplier: 1, candleTs: createdAt - M15, createdAt, expiresAt: createdAt + 4 * 3_600_000, details });

// ─── the same run on a real PaperExchange fed by the replay ───────────────────────────────────────────────

/** The replay feed's 15m updates of several symbols, delivered one at a time by the test. */
class TestFeed implements PriceSource {
  private readonly latest = new Map<string, Candle>();
  private readonly listeners = new Set<(symbol: string, candle: Candle, closed: boolean) => void>();
  deliver(symbol: string, candle: Candle, closed: boolean): void {
    this.latest.set(symbol, candle);
    for (const l of [...this.listeners]) l(symbol, candle, closed);
  }
  last(symbol: string): Candle | null {
    return this.latest.get(symbol) ?? null;
  }
  subscribe(listener: (symbol: string, candle: Candle, closed: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  async history(): Promise<Candle[]> {
    return [];
  }
}

/**
 * Runs `strategy` on a PaperExchange (ManualClock) over SymbolReplay feeds stepped at 0, ⅓, ⅔ of every 15m
 * candle and at its close — the way a paper bot runs on the replay feed: each update is applied by the
 * exchange, the bot's fills / dead orders are handed to the strategy at once, closed candles are delivered
 * right after the exchange applied them, intents go through `createOrder` / `cancelOrder`.
 */
async function paperRun<S>(input: BacktestInput<S>, fundingRows?: Record<string, Array<{ ts: number; rate: string }>>) {
  const { strategy } = input;
  const feedOf = (sym: string) => `${input.markets[sym]!.base}/${input.markets[sym]!.quote}`;
  const times = [...new Set(strategy.symbols.flatMap((s) => input.candles[s]!.flatMap((c) => [c.ts, c.ts + M15 / 3, c.ts + (2 * M15) / 3, c.ts + M15])))].sort((a, b) => a - b);
  const tStart = times[0]!;
  const clock = new ManualClock(tStart);
  const feed = new TestFeed();
  const funding: FundingSource | undefined = fundingRows ? { between: (sym, from, to) => (fundingRows[sym] ?? []).filter((r) => r.ts > from && r.ts <= to) } : undefined;
  const ex = new PaperExchange({ id: 'binance', marketType: input.marketType, balances: input.balances, markets: input.markets, clock, prices: feed, ...(funding ? { funding } : {}), ...(input.slippageBps !== undefined ? { slippageBps: input.slippageBps } : {}) });
  if (input.leverage !== undefined) for (const s of strategy.symbols) await ex.setLeverage(s, input.leverage);
  const queue: StrategyEvent[] = [];
  ex.onEvent((e) => {
    if (e.type === 'fill' && e.fill.clientOrderId !== null) queue.push({ type: 'fill', fill: e.fill });
    if (e.type === 'order' && e.order.clientOrderId !== null && (e.order.status === 'canceled' || e.order.status === 'expired')) queue.push({ type: 'orderDead', clientOrderId: e.order.clientOrderId, symbol: e.order.symbol, reason: e.order.status });
  });
  let state = strategy.initialState();
  const step = async (event: StrategyEvent) => {
    const ctx = { now: clock.now(), markets: input.markets, balances: await ex.fetchBalance(), positions: await ex.fetchPositions() };
    const r = strategy.step(state, event, ctx);
    state = r.state;
    for (const it of r.intents) {
      if (it.type === 'place') {
        try {
          await ex.createOrder(it.order);
        } catch (err) {
          if (!(err instanceof RejectedOrderError)) throw err;
          queue.push({ type: 'orderDead', clientOrderId: it.order.clientOrderId, symbol: it.order.symbol, reason: 'rejected', message: err.message });
        }
      } else {
        const o = await ex.fetchOrderByClientId(it.clientOrderId, it.symbol);
        if (o && o.status === 'open') await ex.cancelOrder(o.id, it.symbol);
      }
    }
  };
  const pump = async () => {
    while (queue.length > 0) await step(queue.shift()!);
  };
  await step({ type: 'start' });
  await pump();
  const replays = new Map(strategy.symbols.map((s) => [s, new SymbolReplay(feedOf(s), input.candles[s]!, [], tStart)]));
  const own = new Map(strategy.symbols.map((s) => [s, new Set(input.candles[s]!.flatMap((c) => [c.ts, c.ts + M15 / 3, c.ts + (2 * M15) / 3, c.ts + M15]))]));
  for (const T of times) {
    clock.set(T);
    for (const s of strategy.symbols) {
      if (!own.get(s)!.has(T)) continue;
      for (const ev of replays.get(s)!.step(T)) {
        feed.deliver(ev.symbol, ev.candle, ev.closed);
        await pump();
        if (ev.closed) {
          await step({ type: 'candle', symbol: s, candle: ev.candle, closed: true });
          await pump();
        }
      }
    }
  }
  const fills = (await Promise.all(strategy.symbols.map((s) => ex.fetchMyTrades(s)))).flat() as PaperFill[];
  fills.sort((a, b) => Number(a.id) - Number(b.id));
  const balances = Object.fromEntries((await ex.fetchBalance()).map((b) => [b.currency, b.total]));
  return { fills, state, balances, funding: ex.fundingPayments(), open: await ex.fetchOpenOrders() };
}

const comparable = (fills: readonly Fill[]) => fills.map((f) => ({ ...f }));

// ─── tests ────────────────────────────────────────────────────────────────────────────────────────────────

describe('runBacktest: steps like the replay feed (open point, ⅓, ⅔, close)', () => {
  const grid1 = (cs: Candle[]) =>
    runBacktest({
      strategy: createGridStrategy('g', parseGridConfig({ symbol: 'BTC/USDT', levels: 1, spacingPct: 1, sellOffsetPct: 1, orderSize: { mode: 'base', value: '0.1' }, repricePct: 0 })),
      candles: { 'BTC/USDT': cs },
      timeframe: '15m',
      marketType: 'spot',
      markets: { 'BTC/USDT': SPOT },
      balances: { USDT: '10000' },
    });
  const table: { name: string; rows: [number, number, number, number][]; fills: object[]; pnl: string[]; equity: [number, string, boolean][] }[] = [
    {
      name: 'rising candle: the low (leg 1, at ⅓) fills the buy, the high (leg 2, at ⅔) its sell — a round trip inside one candle',
      rows: [
        [100, 100, 100, 100],
        [100, 101, 98.5, 100.5],
      ],
      fills: [
        { id: 'bgx0b0', side: 'buy', price: '99', amount: '0.1', fee: '0.0099', ts: at(1, 1) },
        { id: 'bgx0s1', side: 'sell', price: '99.99', amount: '0.1', fee: '0.009999', ts: at(1, 2) },
      ],
      pnl: ['0.079101'], // (99.99 − 99) × 0.1 − 0.0099 − 0.009999
      // the re-armed buy (99) rests: the high 101 was the current price when it was placed
      equity: [
        [at(1, 0), '10000', false],
        [at(2, 0), '10000.079101', false],
      ],
    },
    {
      name: 'falling candle: high first (leg 1), then the low (leg 2, at ⅔) fills the buy; the close is below the sell',
      rows: [
        [100, 100, 100, 100],
        [100, 101, 98.5, 99],
      ],
      fills: [{ id: 'bgx0b0', side: 'buy', price: '99', amount: '0.1', fee: '0.0099', ts: at(1, 2) }],
      pnl: [],
      // 10000 − 9.9 − 0.0099 + 0.1 BTC × 99 (the close)
      equity: [
        [at(1, 0), '10000', false],
        [at(2, 0), '9999.9901', true],
      ],
    },
    {
      name: 'gap down: the open point (at the open time) fills the buy at the open, below its limit',
      rows: [
        [100, 100, 100, 100],
        [98, 98.2, 97.5, 98.1],
      ],
      fills: [{ id: 'bgx0b0', side: 'buy', price: '98', amount: '0.1', fee: '0.0098', ts: at(1, 0) }],
      pnl: [],
      // the point at c0's close is taken after everything at that time, the next candle's open point included,
      // valued at the close: 10000 − 9.8 − 0.0098 + 0.1 × 100; then + 0.1 × 98.1 at c1's close
      equity: [
        [at(1, 0), '10000.1902', true],
        [at(2, 0), '10000.0002', true],
      ],
    },
  ];
  it.each(table)('$name', (t) => {
    const r = grid1(candles(T0, ...t.rows));
    expect(brief(r.fills)).toEqual(t.fills);
    expect(r.trades.map((x) => x.pnl)).toEqual(t.pnl);
    expect(r.equity.map((p) => [p.ts, p.equity, p.exposed])).toEqual(t.equity);
    expect(r.metrics.feesPaid).toBe(r.fills.reduce((a, f) => a.plus(f.fee), D(0)).toFixed());
    expect(r.rejections).toEqual([]);
  });

  it('two symbols: per time point A then B (close, its orders, the next open), signals after both, equity with both holdings', () => {
    const markets = { 'BTC/USDT': SPOT, 'ETH/USDT': ETH };
    const A = candles(T0, [100, 100, 100, 100], [100, 102, 99, 101.5], [101.5, 101.5, 100, 100.2]);
    // B starts one candle later
    const B = candles(T0 + M15, [50, 50, 50, 50], [50, 50.6, 49.5, 50.4]);
    const progress: number[] = [];
    const r = runBacktest({
      strategy: toy({ 'BTC/USDT': '0.1', 'ETH/USDT': '1' }, markets, 100),
      candles: { 'BTC/USDT': A, 'ETH/USDT': B },
      timeframe: '15m',
      marketType: 'spot',
      markets,
      balances: { USDT: '10000' },
      warmup: { 'BTC/USDT': candles(T0 - 2 * M15, [1, 1, 1, 1], [1, 1, 1, 1]), 'ETH/USDT': candles(T0 - M15, [1, 1, 1, 1]) },
      signals: [signal('late', at(5, 0)), signal('x1', at(2, 0), 'XRP/USDT'), signal('s1', at(2, 0)), signal('early', T0 - 1), signal('s0', at(1, 1))],
      onProgress: (f) => progress.push(f),
    });
    expect(brief(r.fills)).toEqual([
      // A's first close (100): market buy 100 × 1.0005 = 100.05 (taker); its sell 100.05 × 1.01 = 101.0505 → 101.06
      { id: 'btoyx0b0', side: 'buy', price: '100.05', amount: '0.1', fee: '0.010005', ts: at(1, 0), taker: true },
      // A's rising candle: low 99 (⅓), then high 102 (⅔) reaches 101.06
      { id: 'btoyx0s1', side: 'sell', price: '101.06', amount: '0.1', fee: '0.010106', ts: at(1, 2) },
      // at T0+30m: A closes (101.5 → 101.55075 → 101.56) before B closes (50 → 50.025 → 50.03)
      { id: 'btoyx0b2', side: 'buy', price: '101.56', amount: '0.1', fee: '0.010156', ts: at(2, 0), taker: true },
      { id: 'btoyx0b4', side: 'buy', price: '50.03', amount: '1', fee: '0.05003', ts: at(2, 0), taker: true },
      // B's rising candle: 50 → 49.5 → 50.6 reaches its sell 50.03 × 1.01 = 50.5303 → 50.54
      { id: 'btoyx0s5', side: 'sell', price: '50.54', amount: '1', fee: '0.05054', ts: at(2, 2) },
      // B's last close 50.4 → 50.4252 → 50.43
      { id: 'btoyx0b6', side: 'buy', price: '50.43', amount: '1', fee: '0.05043', ts: at(3, 0), taker: true },
    ]);
    expect(r.openOrders.map((o) => `${o.symbol} ${o.side} ${o.price} ${o.clientOrderId}`)).toEqual(['BTC/USDT sell 102.58 btoyx0s3', 'ETH/USDT sell 50.94 btoyx0s7']);
    // equity at each close time: cash from the fills + holdings at the latest closes
    let cash = D(10000);
    const eq: Array<[number, string, boolean]> = [];
    const held: Record<string, Decimal> = { 'BTC/USDT': D(0), 'ETH/USDT': D(0) };
    // valued at each symbol's last close (B before its first close: nothing held)
    const closes: Record<number, Record<string, number>> = { [at(1, 0)]: { 'BTC/USDT': 100, 'ETH/USDT': 50 }, [at(2, 0)]: { 'BTC/USDT': 101.5, 'ETH/USDT': 50 }, [at(3, 0)]: { 'BTC/USDT': 100.2, 'ETH/USDT': 50.4 } };
    for (const t of [at(1, 0), at(2, 0), at(3, 0)]) {
      for (const f of r.fills.filter((x) => x.ts <= t && x.ts > t - M15)) {
        const v = D(f.price).mul(f.amount);
        cash = f.side === 'buy' ? cash.minus(v).minus(f.fee) : cash.plus(v).minus(f.fee);
        held[f.symbol] = f.side === 'buy' ? held[f.symbol]!.plus(f.amount) : held[f.symbol]!.minus(f.amount);
      }
      const value = cash.plus(held['BTC/USDT']!.mul(closes[t]!['BTC/USDT']!)).plus(held['ETH/USDT']!.mul(closes[t]!['ETH/USDT']!));
      eq.push([t, value.toFixed(), true]);
    }
    expect(r.equity.map((p) => [p.ts, p.equity, p.exposed])).toEqual(eq);
    expect(r.points.map((p) => `${p.series}@${(p.ts - T0) / M15}`)).toEqual(['close:BTC/USDT@0', 'close:BTC/USDT@1', 'close:ETH/USDT@1', 'close:BTC/USDT@2', 'close:ETH/USDT@2']);
    // warm-up in the start event; signals within the run once each at createdAt, in time order: a signal of a
    // traded symbol right after its close — before the fill of the market buy that close placed (s1 sees the
    // order open, nothing held) — other signals after every symbol (x1, though listed first)
    expect(r.notes.map((n) => [n.code, n.ts, n.message, n.detail])).toEqual([
      ['toy.start', T0, 'warm-up', { 'BTC/USDT': 2, 'ETH/USDT': 1 }],
      ['toy.signal', at(1, 1), 's0', { id: 's0', open: '', held: '' }],
      ['toy.signal', at(2, 0), 's1', { id: 's1', open: 'btoyx0b4', held: '' }],
      ['toy.signal', at(2, 0), 'x1', { id: 'x1', open: '', held: '' }],
    ]);
    expect(progress.length).toBeLessThanOrEqual(101);
    expect(progress.at(-1)).toBe(1);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
  });

  it("a signal is stepped at its symbol's close price, before the next candle's open point", () => {
    const markets = { 'BTC/USDT': SPOT };
    // the third candle gaps up to 101: a signal stepped after its open point would buy at 101 × 1.0005
    const cs = candles(T0, [100, 100, 100, 100], [100, 100.5, 99.5, 100.2], [101, 101, 101, 101]);
    const r = runBacktest({ strategy: toy({ 'BTC/USDT': '0.1' }, markets, 100, false), candles: { 'BTC/USDT': cs }, timeframe: '15m', marketType: 'spot', markets, balances: { USDT: '1000' }, signals: [signal('go', at(2, 0), 'BTC/USDT', { trade: true })] });
    // 100.2 × 1.0005 = 100.2501 → 100.26 (tick, up)
    expect(brief(r.fills)).toEqual([{ id: 'btoyx0b0', side: 'buy', price: '100.26', amount: '0.1', fee: '0.010026', ts: at(2, 0), taker: true }]);
    expect(r.openOrders.map((o) => `${o.side} ${o.price}`)).toEqual(['sell 101.27']); // 100.26 × 1.01 = 101.2626 ↑
  });

  it('perpetual funding: settled before each step at the last price, only while a position is open', () => {
    const t = (h: number, m: number) => Date.UTC(2024, 0, 1, h, m);
    const cs = candles(t(7, 30), [100, 100, 100, 100], [100, 101, 99, 100.5], [100.5, 100.5, 99.5, 100]);
    const funding = {
      'BTC/USDT:USDT': [
        { ts: t(8, 10), rate: '-0.0002' }, // during c2, after its ⅓ update (08:05, close 100.5: falling → high first)
        { ts: t(7, 40), rate: '0.0003' }, // flat then: skipped for good
        { ts: t(8, 0), rate: '0.0001' }, // due at c1's close: mark = its ⅔ update's close (rising: the high 101)
        { ts: t(9, 0), rate: '0.0001' }, // after the run
      ],
    };
    const input: BacktestInput<ToyState> = {
      strategy: toy({ 'BTC/USDT:USDT': '1' }, { 'BTC/USDT:USDT': PERP }, 100),
      candles: { 'BTC/USDT:USDT': cs },
      timeframe: '15m',
      marketType: 'swap',
      markets: { 'BTC/USDT:USDT': PERP },
      balances: { USDT: '1000' },
      leverage: 2,
      funding,
    };
    const r = runBacktest(input);
    // the long opens at c0's close (07:45): 100 × 1.0005 = 100.05 → 100.1 (tick 0.1, up)
    expect(brief(r.fills)).toEqual([{ id: 'btoyx0b0', side: 'buy', price: '100.1', amount: '1', fee: '0.05005', ts: t(7, 45), taker: true }]);
    // 08:00: −1 × 101 × 0.0001; 08:10: +1 × 100.5 × 0.0002 (negative rate: longs receive)
    expect(r.totals.funding).toBe(D('-0.0101').plus('0.0201').toFixed());
    expect(r.finalBalances.USDT).toBe(D(1000).minus('0.05005').plus('0.01').toFixed());
    // equity at 08:30 = wallet + unrealized (100 − 100.1) × 1
    expect(r.equity.at(-1)).toEqual({ ts: t(8, 15), equity: D(1000).minus('0.05005').plus('0.01').minus('0.1').toFixed(), exposed: true });
  });

  it('records an engine rejection as orderDead and carries on', () => {
    const r = runBacktest({ strategy: createGridStrategy('x', config), candles: { 'BTC/USDT': feb.slice(0, 8) }, timeframe: '15m', marketType: 'spot', markets: { 'BTC/USDT': SPOT }, balances: { USDT: '600' } });
    // only one 500-USDT buy fits; later levels are rejected for funds, then retried each candle
    expect(r.rejections.length).toBeGreaterThan(0);
    expect(r.rejections[0]).toMatchObject({ code: 'INSUFFICIENT_FUNDS', ts: feb[0]!.ts + M15 });
    expect(r.rejections[0]!.message).toMatch(/^amount: needs/);
    expect(r.finalState.levels.filter((l) => l.status === 'buying' || l.status === 'holding').length).toBe(1);
  });

  it('rejects bad input, naming it', () => {
    const strategy = createGridStrategy('x', config);
    const base = { strategy, timeframe: '15m' as Timeframe, marketType: 'spot' as const, markets: { 'BTC/USDT': SPOT }, balances: { USDT: '1' } };
    expect(() => runBacktest({ ...base, candles: {} })).toThrow(/^candles\.BTC\/USDT: none in the range/);
    expect(() => runBacktest({ ...base, candles: { 'BTC/USDT': [] } })).toThrow(/^candles\.BTC\/USDT: none/);
    expect(() => runBacktest({ ...base, candles: { 'BTC/USDT': [feb[1]!, feb[0]!] } })).toThrow(/^candles\.BTC\/USDT: not ascending at index 1/);
    expect(() => runBacktest({ ...base, timeframe: '1h', candles: { 'BTC/USDT': feb.slice(0, 2) } })).toThrow(/^candles\.BTC\/USDT: candle 1 opens before candle 0 closes/);
    expect(() => runBacktest({ ...base, markets: {}, candles: { 'BTC/USDT': feb.slice(0, 2) } })).toThrow(/^markets\.BTC\/USDT: unknown market/);
  });
});

describe('runBacktest over real candles', () => {
  it('is deterministic: same candles twice → identical fills, trades and equity', () => {
    const week = feb.slice(0, 96 * 7);
    const a = run(week);
    const b = run(week);
    expect(a.fills.length).toBeGreaterThan(0);
    expect(b.fills).toEqual(a.fills);
    expect(b.trades).toEqual(a.trades);
    expect(b.equity).toEqual(a.equity);
  });

  it('a month of BTC 15m candles: every sell pairs a buy and PnL adds up', () => {
    const r = run(feb);
    expect(r.equity).toHaveLength(feb.length);
    expect(r.trades.length).toBeGreaterThan(10);
    expect(r.rejections).toEqual([]);
    const byId = new Map(r.fills.map((f) => [f.clientOrderId!, f]));
    expect(byId.size).toBe(r.fills.length);
    const sells = r.fills.filter((f) => f.side === 'sell');
    expect(new Set(r.trades.map((t) => t.exitClientOrderId))).toEqual(new Set(sells.map((f) => f.clientOrderId)));
    let sum = D(0);
    const paired = new Set<string>();
    for (const t of r.trades) {
      const buy = byId.get(t.entryClientOrderId)!;
      const sell = byId.get(t.exitClientOrderId)!;
      expect([buy.side, sell.side]).toEqual(['buy', 'sell']);
      expect(paired.has(buy.clientOrderId!)).toBe(false);
      paired.add(buy.clientOrderId!);
      expect(sell.ts).toBeGreaterThanOrEqual(buy.ts);
      expect([t.amount, buy.amount, sell.amount, t.entryPrice, t.exitPrice]).toEqual([sell.amount, sell.amount, sell.amount, buy.price, sell.price]);
      const pnl = D(sell.price).minus(buy.price).mul(sell.amount).minus(buy.fee).minus(sell.fee);
      expect(t.pnl).toBe(pnl.toFixed());
      sum = sum.plus(pnl);
    }
    expect(r.finalState.realizedPnl).toBe(sum.toFixed());
    // Cash: the quote balance moved by Σ round-trip PnL minus what the still-held buys cost.
    const held = r.fills.filter((f) => f.side === 'buy' && !paired.has(f.clientOrderId!));
    const heldCost = held.reduce((a, f) => a.plus(D(f.price).mul(f.amount)).plus(f.fee), D(0));
    expect(D(r.finalBalances.USDT!).minus(10000).toFixed()).toBe(sum.minus(heldCost).toFixed());
    expect(r.finalBalances.BTC ?? '0').toBe(held.reduce((a, f) => a.plus(f.amount), D(0)).toFixed());
    expect(r.finalState.levels.filter((l) => l.status === 'holding')).toHaveLength(held.length);
    expect(r.metrics.feesPaid).toBe(r.fills.reduce((a, f) => a.plus(f.fee), D(0)).toFixed());
    expect(r.metrics.roundTrips).toBe(r.trades.length);
    expect(r.metrics.sharpe).not.toBeNull();
    // every equity point: cash and BTC after the fills up to its time, BTC valued at the candle's close
    let cash = D(10000);
    let btc = D(0);
    let k = 0;
    r.equity.forEach((p, i) => {
      for (; k < r.fills.length && r.fills[k]!.ts <= p.ts; k++) {
        const f = r.fills[k]!;
        const v = D(f.price).mul(f.amount);
        cash = f.side === 'buy' ? cash.minus(v).minus(f.fee) : cash.plus(v).minus(f.fee);
        btc = f.side === 'buy' ? btc.plus(f.amount) : btc.minus(f.amount);
      }
      expect(p.ts).toBe(feb[i]!.ts + M15);
      expect([p.equity, p.exposed]).toEqual([cash.plus(btc.mul(feb[i]!.close)).toFixed(), btc.gt(0)]);
    });
    // fills happen at the replay's update times only
    for (const f of r.fills) expect((f.ts - feb[0]!.ts) % (M15 / 3)).toBe(0);
  });

  it('perpetual: sells are reduce-only and close the long the buy opened', () => {
    const cfg = parseGridConfig({ symbol: 'BTC/USDT:USDT', levels: 3, spacingPct: 0.5, sellOffsetPct: 0.6, orderSize: { mode: 'base', value: '0.01' }, repricePct: 3 });
    const r = runBacktest({
      strategy: createGridStrategy('perp', cfg),
      candles: { 'BTC/USDT:USDT': feb.slice(0, 96 * 5) },
      timeframe: '15m',
      marketType: 'swap',
      markets: { 'BTC/USDT:USDT': { ...PERP, minNotional: '100' } },
      balances: { USDT: '10000' },
      leverage: 2,
    });
    expect(r.trades.length).toBeGreaterThan(0);
    expect(r.openOrders.filter((o) => o.side === 'sell').every((o) => o.reduceOnly)).toBe(true);
    for (const t of r.trades) {
      const f = r.fills.find((s) => s.clientOrderId === t.exitClientOrderId)!;
      expect(D(f.realizedPnl).gt(0)).toBe(true);
    }
  });
});

describe('parity: runBacktest fills exactly like a PaperExchange on the replay feed', () => {
  it('grid, spot, 5 days of BTC 15m', async () => {
    const input: BacktestInput<GridState> = {
      strategy: createGridStrategy('par', parseGridConfig({ symbol: 'BTC/USDT', levels: 6, spacingPct: 0.4, sellOffsetPct: 0.5, orderSize: { mode: 'quote', value: '400' }, repricePct: 2 })),
      candles: { 'BTC/USDT': feb.slice(96 * 3, 96 * 8) },
      timeframe: '15m',
      marketType: 'spot',
      markets: { 'BTC/USDT': SPOT },
      balances: { USDT: '2000' },
    };
    const bt = runBacktest(input);
    const paper = await paperRun(input);
    expect(bt.fills.length).toBeGreaterThan(20);
    expect(bt.rejections.length).toBeGreaterThan(0); // 2000 USDT do not fund every level: rejections included
    expect(comparable(bt.fills)).toEqual(comparable(paper.fills));
    expect(bt.finalState).toEqual(paper.state);
    expect(bt.finalBalances).toEqual(paper.balances);
    expect(bt.openOrders).toEqual(paper.open);
  });

  it('two symbols (BTC, ETH spot), market and limit orders, cancels', async () => {
    const from = Date.UTC(2024, 0, 10);
    const pick = (cs: Candle[]) => cs.filter((c) => c.ts >= from && c.ts < from + 2 * 86_400_000);
    const markets = { 'BTC/USDT': SPOT, 'ETH/USDT': ETH };
    const input: BacktestInput<ToyState> = {
      strategy: toy({ 'ETH/USDT': '0.5', 'BTC/USDT': '0.02' }, markets, 3),
      candles: { 'BTC/USDT': pick(BTC), 'ETH/USDT': pick(ETH15) },
      timeframe: '15m',
      marketType: 'spot',
      markets,
      balances: { USDT: '5000' },
      slippageBps: 3,
    };
    const bt = runBacktest(input);
    const paper = await paperRun(input);
    expect(new Set(bt.fills.map((f) => f.symbol)).size).toBe(2);
    expect(bt.fills.some((f) => /^btoyx0x/.test(f.clientOrderId!))).toBe(true); // market exits happened
    expect(comparable(bt.fills)).toEqual(comparable(paper.fills));
    expect(bt.finalState).toEqual(paper.state);
    expect(bt.finalBalances).toEqual(paper.balances);
  });

  it('perpetual with leverage and funding (BTC/USDT:USDT, real funding rates)', async () => {
    const rows = readFileSync(new URL('../../../assets/funding/BINANCE_BTCUSDT_funding.csv', import.meta.url), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => {
        const [ts, rate] = l.split(',');
        return { ts: Number(ts), rate: rate! };
      });
    const cs = feb.slice(0, 96 * 3);
    const funding = { 'BTC/USDT:USDT': rows.filter((r) => r.ts > cs[0]!.ts - 86_400_000 && r.ts < cs.at(-1)!.ts + 86_400_000) };
    const input: BacktestInput<ToyState> = {
      strategy: toy({ 'BTC/USDT:USDT': '0.05' }, { 'BTC/USDT:USDT': PERP }, 40),
      candles: { 'BTC/USDT:USDT': cs },
      timeframe: '15m',
      marketType: 'swap',
      markets: { 'BTC/USDT:USDT': PERP },
      balances: { USDT: '3000' },
      leverage: 3,
      funding,
    };
    const bt = runBacktest(input);
    const paper = await paperRun(input, funding);
    expect(paper.funding.length).toBeGreaterThan(2);
    expect(bt.totals.funding).toBe(paper.funding.reduce((a, p) => a.plus(p.payment), D(0)).toFixed());
    expect(comparable(bt.fills)).toEqual(comparable(paper.fills));
    expect(bt.finalBalances).toEqual(paper.balances);
    expect(bt.finalState).toEqual(paper.state);
  });
});

describe('addProduct (the equity of a holding)', () => {
  it('equals str(Dec(a) + Dec(b) × price) on edge cases and 20 000 random inputs', () => {
    const ref = (a: string, b: string, p: number) => str(new Dec(a).plus(new Dec(b).mul(p)));
    const edges: Array<[string, string, number]> = [
      ['0', '0', 0],
      ['10000', '0.1', 98.1],
      ['-5', '0.3', 0.1],
      ['0.000001', '123456789.123456789', 1e-7],
      ['99999999999999999999.99999999', '0.00000001', 43123.45],
      ['1', '1', 1e21],
      ['1', '1', 123456789012345.6],
      ['12345678901234567890', '98765432109876543210.123', 0.30000000000000004],
      ['0.1', '0.2', 5e-324],
      ['7', '3', Number.MAX_VALUE],
    ];
    for (const [a, b, p] of edges) expect(addProduct(a, b, p)).toBe(ref(a, b, p));
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const decimalString = (maxInt: number, maxFrac: number) => {
      const int = String(Math.floor(rnd() * 10 ** Math.floor(rnd() * maxInt)));
      const fracLen = Math.floor(rnd() * maxFrac);
      const frac = Array.from({ length: fracLen }, () => Math.floor(rnd() * 10)).join('');
      const s = frac ? `${int}.${frac}` : int;
      return str(rnd() < 0.1 ? `-${s}` : s);
    };
    for (let i = 0; i < 20_000; i++) {
      const a = decimalString(12, 14);
      const b = decimalString(6, 12);
      const kind = i % 4;
      const p = kind === 0 ? Number((rnd() * 1e5).toFixed(Math.floor(rnd() * 8))) : kind === 1 ? rnd() * 10 ** (Math.floor(rnd() * 12) - 4) : kind === 2 ? Math.floor(rnd() * 1e9) / 100 : rnd();
      expect(addProduct(a, b, p)).toBe(ref(a, b, p));
    }
  });
});
