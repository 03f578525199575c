/**
 * Backtest honesty: which fills inside one candle a backtest credits — the `path` fill model (a round trip may
 * complete inside a candle, along its assumed path), the `conservative` one (an exit never fills on its entry's
 * candle), detail candles walked inside a coarser candle (which change the order of fills), and the count of
 * round trips completed inside one candle in the metrics.
 *
 * Data: the hand-written candles below are **synthetic** (prices picked to make each rule visible); their 5m
 * detail candles are written to be consistent with them (first open = the candle's open, last close = its
 * close, the 5m highs and lows reach exactly its high and low). The last block uses the shipped **real**
 * Binance candles: the 15m ones as the detail of the 1h ones (checked to agree exactly), since Osprey ships no
 * real 1m or 5m candles.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Candle, Timeframe } from '@osprey/shared';
import type { MarketInfo } from '../exchange/port.js';
import { parseCandlesCsv } from '../indicators/csv.js';
import { PaperEngine } from '../trading/paper-engine.js';
import { runBacktest, type BacktestInput } from './backtest.js';
import { createGridStrategy, parseGridConfig } from './grid.js';
import { botOrderId, type Intent, type RoundTrip, type Strategy } from './strategy.js';

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
const M5 = 300_000;
const M15 = 900_000;
const T0 = Date.UTC(2024, 0, 1);
const bar = (ts: number, open: number, high: number, low: number, close: number): Candle => ({ ts, open, high, low, close, volume: 1 });

interface LadderState {
  seq: number;
  /** clientOrderId of the open buy, once placed. */
  buy: string | null;
  entry: { id: string; price: string; amount: string; fee: string; ts: number } | null;
}

/**
 * A one-shot ladder: at `start`, a limit buy of 0.1 BTC at `buyAt` (and, with `sellAt`, a limit sell of 0.1 BTC
 * of the starting holding at `sellAt`); when the buy fills, a limit sell of what it bought at `exitAt`. The
 * buy's exit closes a round trip.
 */
function ladder(buyAt: string, exitAt: string, sellAt?: string): Strategy<LadderState> {
  return {
    type: 'ladder',
    botId: 'ladder',
    symbols: ['BTC/USDT'],
    initialState: () => ({ seq: 0, buy: null, entry: null }),
    step(state, event) {
      const s = structuredClone(state);
      const intents: Intent[] = [];
      const closed: RoundTrip[] = [];
      const id = (leg: string) => botOrderId('ladder', 0, leg, s.seq++);
      if (event.type === 'start') {
        s.buy = id('b');
        intents.push({ type: 'place', order: { clientOrderId: s.buy, symbol: 'BTC/USDT', side: 'buy', type: 'limit', amount: '0.1', price: buyAt }, role: 'entry' });
        if (sellAt) intents.push({ type: 'place', order: { clientOrderId: id('h'), symbol: 'BTC/USDT', side: 'sell', type: 'limit', amount: '0.1', price: sellAt }, role: 'exit' });
      } else if (event.type === 'fill' && event.fill.clientOrderId === s.buy) {
        const f = event.fill;
        s.entry = { id: f.clientOrderId!, price: f.price, amount: f.amount, fee: f.fee, ts: f.ts };
        intents.push({ type: 'place', order: { clientOrderId: id('s'), symbol: 'BTC/USDT', side: 'sell', type: 'limit', amount: f.amount, price: exitAt }, role: 'exit' });
      } else if (event.type === 'fill' && event.fill.clientOrderId?.includes('s') && s.entry) {
        const f = event.fill;
        const e = s.entry;
        closed.push({ symbol: 'BTC/USDT', side: 'long', entryClientOrderId: e.id, exitClientOrderId: f.clientOrderId!, amount: f.amount, entryPrice: e.price, exitPrice: f.price, entryFee: e.fee, exitFee: f.fee, pnl: '0', openedAt: e.ts, closedAt: f.ts });
        s.entry = null;
      }
      return { state: s, intents, closed };
    },
    held: () => [],
    summary: () => ({ realizedPnl: '0', roundTrips: 0 }),
  };
}

const run = (strategy: Strategy<LadderState>, candles: Candle[], extra: Partial<BacktestInput<LadderState>> = {}) =>
  runBacktest({ strategy, candles: { 'BTC/USDT': candles }, timeframe: '15m', marketType: 'spot', markets: { 'BTC/USDT': SPOT }, balances: { USDT: '1000', BTC: '0.1' }, ...extra });
const fills = (r: ReturnType<typeof run>) => r.fills.map((f) => ({ id: f.clientOrderId, side: f.side, price: f.price, ts: f.ts, liquidity: f.liquidity }));

// A rising candle (close ≥ open): its assumed path is open 100 → low 95 → high 110 → close 105; then a quiet one.
const rising = bar(T0, 100, 110, 95, 105);
const quiet = bar(T0 + M15, 105, 106, 104, 105);

describe('same-candle round trips: path vs conservative', () => {
  it('path: the buy fills on the way down and its sell on the way up of the same candle — counted in the metrics', () => {
    const r = run(ladder('96', '100'), [rising, quiet]);
    expect(fills(r)).toEqual([
      { id: 'bladderx0b0', side: 'buy', price: '96', ts: T0 + M15 / 3, liquidity: 'maker' }, // leg open → low
      { id: 'bladderx0s1', side: 'sell', price: '100', ts: T0 + (2 * M15) / 3, liquidity: 'maker' }, // leg low → high
    ]);
    expect(r.trades).toHaveLength(1);
    expect(r.metrics.sameCandleRoundTrips).toBe(1);
    expect(r.assumptions).toEqual({ fillModel: 'path', detail: null, candles: 2, detailCandles: 0, detailMissing: 0, detailInconsistent: 0 });
  });

  it('conservative: the sell placed on the buy fill waits for the next candle; no round trip inside one candle', () => {
    const r = run(ladder('96', '100'), [rising, quiet], { fillModel: 'conservative' });
    // released at the next candle's open point (105): it fills there at its own price, 100 — not credited with
    // the open's 105, since it was not resting at the venue during the rise it waited out
    expect(fills(r)).toEqual([
      { id: 'bladderx0b0', side: 'buy', price: '96', ts: T0 + M15 / 3, liquidity: 'maker' },
      { id: 'bladderx0s1', side: 'sell', price: '100', ts: T0 + M15, liquidity: 'maker' },
    ]);
    expect(r.trades).toHaveLength(1);
    expect(r.metrics.sameCandleRoundTrips).toBe(0);
    expect(r.assumptions.fillModel).toBe('conservative');
  });

  it('conservative: a held order does not fill at once either, and locks its funds while it waits', () => {
    // the exit at 95 would be marketable at once (the current price is the leg's close, 95)
    const path = run(ladder('96', '95'), [rising, quiet]);
    expect(path.fills.map((f) => [f.side, f.price, f.ts, f.liquidity])).toEqual([
      ['buy', '96', T0 + M15 / 3, 'maker'],
      ['sell', '95', T0 + M15 / 3, 'taker'], // immediately marketable at the current price, taker
    ]);
    expect(path.metrics.sameCandleRoundTrips).toBe(1);
    const cons = run(ladder('96', '95'), [rising, quiet], { fillModel: 'conservative' });
    expect(cons.fills.map((f) => [f.side, f.price, f.ts, f.liquidity])).toEqual([
      ['buy', '96', T0 + M15 / 3, 'maker'],
      ['sell', '95', T0 + M15, 'maker'],
    ]);
    expect(cons.metrics.sameCandleRoundTrips).toBe(0);
  });

  it('the engine: a held order is matched by no step until released, then at no better than its price on the first step, then like any resting order', () => {
    const e = new PaperEngine({ marketType: 'spot', markets: { 'BTC/USDT': SPOT } }, { USDT: '1000', BTC: '1' });
    const o = e.placeOrder({ clientOrderId: 'h1', symbol: 'BTC/USDT', side: 'sell', type: 'limit', amount: '0.1', price: '100' }, { now: T0, price: 101, hold: true });
    expect(o.status).toBe('open'); // marketable at 101, but held
    expect(e.balance('BTC')).toMatchObject({ free: '0.9', used: '0.1' }); // locked like a resting sell
    expect(e.applyStep({ symbol: 'BTC/USDT', ts: T0 + 1, open: 101, high: 120, low: 99, close: 110 })).toEqual([]);
    expect(e.release('BTC/USDT')).toBe(1);
    expect(e.release('BTC/USDT')).toBe(0);
    const f = e.applyStep({ symbol: 'BTC/USDT', ts: T0 + 2, open: 110, high: 111, low: 109, close: 110 });
    expect(f.map((x) => [x.price, x.liquidity])).toEqual([['100', 'maker']]); // not the open's 110
    // released, then left unfilled by its first step: later steps fill it by the normal rules (a gap at the open)
    e.placeOrder({ clientOrderId: 'h2', symbol: 'BTC/USDT', side: 'sell', type: 'limit', amount: '0.1', price: '120' }, { now: T0 + 2, price: 110, hold: true });
    e.release('BTC/USDT');
    expect(e.applyStep({ symbol: 'BTC/USDT', ts: T0 + 3, open: 110, high: 112, low: 109, close: 111 })).toEqual([]);
    expect(e.applyStep({ symbol: 'BTC/USDT', ts: T0 + 4, open: 125, high: 125, low: 125, close: 125 }).map((x) => x.price)).toEqual(['125']);
  });
});

// The same rising candle seen through 5m candles consistent with it (open 100, high 110, low 95, close 105):
// the first 5m candle reaches the high (110) before any later one reaches the low (95).
const detail5m = [bar(T0, 100, 110, 99, 108), bar(T0 + M5, 108, 108.5, 95, 96), bar(T0 + 2 * M5, 96, 106, 95.5, 105)];
const detailQuiet = [bar(T0 + M15, 105, 106, 104.5, 105.5), bar(T0 + M15 + M5, 105.5, 105.8, 104, 104.2), bar(T0 + M15 + 2 * M5, 104.2, 105.2, 104.1, 105)];

describe('detail candles: the path inside a candle', () => {
  it('without detail the rising candle is assumed to reach its low first; its 5m candles show the high came first', () => {
    // a resting buy at 96 and a resting sell (of the starting 0.1 BTC) at 109
    const plain = run(ladder('96', '200', '109'), [rising, quiet]);
    expect(plain.fills.map((f) => [f.side, f.price, f.ts])).toEqual([
      ['buy', '96', T0 + M15 / 3], // open → low
      ['sell', '109', T0 + (2 * M15) / 3], // low → high
    ]);
    const detailed = run(ladder('96', '200', '109'), [rising, quiet], { detail: { timeframe: '5m', candles: { 'BTC/USDT': [...detail5m, ...detailQuiet] } } });
    expect(detailed.fills.map((f) => [f.side, f.price, f.ts])).toEqual([
      ['sell', '109', T0 + (2 * M5) / 3], // first 5m candle, rising: open → low 99 → high 110
      ['buy', '96', T0 + M5 + (2 * M5) / 3], // second, falling: open → high 108.5 → low 95
    ]);
    expect(detailed.assumptions).toEqual({ fillModel: 'path', detail: '5m', candles: 2, detailCandles: 2, detailMissing: 0, detailInconsistent: 0 });
    // the closed candle and the equity are those of the stepped (15m) candles either way
    expect(detailed.equity.map((p) => p.ts)).toEqual([T0 + M15, T0 + 2 * M15]);
  });

  it('detail candles can remove a round trip the candle path credited', () => {
    // path: buy 96 on the way down, its sell at 104 on the way up (inside the candle). Detail: down to 95 happens
    // in the second 5m candle, and the third only reaches 106 — the sell at 104 still fills, but later; with an
    // exit at 107 it no longer fills inside the candle at all (the 5m candle after the low tops at 106).
    const plain = run(ladder('96', '107'), [rising, quiet]);
    expect(plain.metrics.sameCandleRoundTrips).toBe(1);
    const detailed = run(ladder('96', '107'), [rising, quiet], { detail: { timeframe: '5m', candles: { 'BTC/USDT': [...detail5m, ...detailQuiet] } } });
    expect(detailed.fills.map((f) => f.side)).toEqual(['buy']);
    expect(detailed.trades).toHaveLength(0);
    expect(detailed.metrics.sameCandleRoundTrips).toBe(0);
  });

  it('a candle whose detail candles are missing or disagree with it keeps its own path, and is counted', () => {
    const missing = run(ladder('96', '200', '109'), [rising, quiet], { detail: { timeframe: '5m', candles: { 'BTC/USDT': [detail5m[0]!, detail5m[2]!, ...detailQuiet] } } });
    expect(missing.fills.map((f) => f.side)).toEqual(['buy', 'sell']); // own path: low first
    expect(missing.assumptions).toMatchObject({ detailCandles: 1, detailMissing: 1, detailInconsistent: 0 });
    const off = [detail5m[0]!, { ...detail5m[1]!, low: 94 }, detail5m[2]!];
    const inconsistent = run(ladder('96', '200', '109'), [rising, quiet], { detail: { timeframe: '5m', candles: { 'BTC/USDT': [...off, ...detailQuiet] } } });
    expect(inconsistent.fills.map((f) => f.side)).toEqual(['buy', 'sell']);
    expect(inconsistent.assumptions).toMatchObject({ detailCandles: 1, detailMissing: 0, detailInconsistent: 1 });
    const none = run(ladder('96', '200', '109'), [rising, quiet], { detail: { timeframe: '5m', candles: {} } });
    expect(none.assumptions).toMatchObject({ detail: '5m', detailCandles: 0, detailMissing: 2 });
  });

  it('refuses a detail timeframe that is not finer than the stepped one, and an unknown fill model', () => {
    expect(() => run(ladder('96', '100'), [rising], { detail: { timeframe: '15m', candles: {} } })).toThrow(/^detail\.timeframe: 15m must be shorter than 15m/);
    expect(() => run(ladder('96', '100'), [rising], { fillModel: 'optimistic' as never })).toThrow(/^fillModel:/);
  });
});

describe('real candles: a tight grid on BTC 1h, stepped along its 15m candles', () => {
  const csv = (tf: Timeframe) => parseCandlesCsv(readFileSync(new URL(`../../../assets/market/BINANCE_BTC-USDT_${tf}.csv`, import.meta.url), 'utf8'), tf);
  const from = Date.UTC(2024, 2, 1);
  const to = Date.UTC(2024, 3, 1);
  const h1 = csv('1h').filter((c) => c.ts >= from && c.ts < to);
  const m15 = csv('15m').filter((c) => c.ts >= from && c.ts < to);
  const grid = parseGridConfig({ symbol: 'BTC/USDT', levels: 8, spacingPct: 0.3, sellOffsetPct: 0.4, orderSize: { mode: 'quote', value: '500' }, repricePct: 3 });
  const bt = (extra: Partial<BacktestInput<unknown>>) =>
    runBacktest({ strategy: createGridStrategy('real', grid) as Strategy<unknown>, candles: { 'BTC/USDT': h1 }, timeframe: '1h', marketType: 'spot', markets: { 'BTC/USDT': SPOT }, balances: { USDT: '10000' }, ...extra });

  it('the shipped 15m candles agree with the 1h ones, so every hour is walked along its four 15m paths', () => {
    const r = bt({ detail: { timeframe: '15m', candles: { 'BTC/USDT': m15 } } });
    expect(r.assumptions).toEqual({ fillModel: 'path', detail: '15m', candles: h1.length, detailCandles: h1.length, detailMissing: 0, detailInconsistent: 0 });
  });

  it('path credits round trips inside one hour; detail changes the fills; conservative credits none inside one candle', () => {
    const path = bt({});
    const detailed = bt({ detail: { timeframe: '15m', candles: { 'BTC/USDT': m15 } } });
    const cons = bt({ fillModel: 'conservative' });
    expect(path.metrics.sameCandleRoundTrips).toBeGreaterThan(0);
    expect(detailed.fills.map((f) => `${f.ts} ${f.side} ${f.price}`)).not.toEqual(path.fills.map((f) => `${f.ts} ${f.side} ${f.price}`));
    expect(cons.metrics.sameCandleRoundTrips).toBe(0);
    expect(cons.trades.length).toBeGreaterThan(0);
    // every conservative exit filled on a later candle than its entry
    for (const t of cons.trades) expect(Math.floor(t.closedAt / 3_600_000)).toBeGreaterThan(Math.floor((t.openedAt - 1) / 3_600_000));
  });
});
