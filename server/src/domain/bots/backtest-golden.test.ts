/**
 * Golden snapshot of fixed backtests: every fill, the final balances, the totals, the metrics, the round trips
 * and a digest of the whole equity curve, compared with `backtest-golden.json`, which was written by the code
 * *before* the backtest's performance work (issue 9 point 19). Any change to the engine's, the backtester's or
 * the metrics' hot paths must leave these bit-identical. Regenerate only for an intended change of results:
 * `GOLDEN_UPDATE=1 npx vitest run server/src/domain/bots/backtest-golden.test.ts`.
 *
 * Data: the shipped real Binance candles (BTC and ETH 15m and 1h, funding rates). The cases cover a spot
 * grid (the benchmark's config), a perpetual grid with leverage and funding, a 1h grid walked along its 15m
 * candles under the conservative fill model, and a test strategy trading two perpetuals with market entries,
 * stop-losses, take-profits and high leverage (liquidations), and two spot symbols with market and limit orders
 * and cancels (no reduce-only on spot: its semantics changed in the same days, independently of this work).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Candle, MarketType, Timeframe } from '@osprey/shared';
import { paperMarkets } from '../../adapters/exchange/paper-markets.js';
import { CsvFundingSource } from '../../services/market-sources.js';
import { parseCandlesCsv } from '../indicators/csv.js';
import { runBacktest, type BacktestInput, type BacktestResult } from './backtest.js';
import { createGridStrategy, parseGridConfig } from './grid.js';
import { botOrderId, type Intent, type RoundTrip, type Strategy } from './strategy.js';

const GOLDEN = fileURLToPath(new URL('./backtest-golden.json', import.meta.url));
const csv = (base: string, tf: Timeframe) => parseCandlesCsv(readFileSync(fileURLToPath(new URL(`../../../assets/market/BINANCE_${base}-USDT_${tf}.csv`, import.meta.url)), 'utf8'), tf);
const between = (cs: Candle[], from: string, to: string) => cs.filter((c) => c.ts >= Date.parse(from) && c.ts < Date.parse(to));

interface SwingState {
  seq: number;
  closes: number;
  /** symbol → the position's entry / exit bookkeeping. */
  pos: Record<string, { side: 'buy' | 'sell'; entry: string | null; amount: string; fillPrice: string; fee: string; ts: number; sl: string | null; tp: string | null }>;
}

/**
 * Test strategy: every `every`-th closed candle of a flat symbol, a market entry (alternately long and short on
 * perpetuals, long on spot) of `amounts[symbol]`; on its fill, on perpetuals a reduce-only stop-loss `slPct` %
 * away and a take-profit `tpPct` % away (the first exit to fill closes the round trip and cancels the other); on
 * spot a limit sell `tpPct` % up, cancelled and replaced by a market sell at the `every`-th close after the entry
 * when it has not filled (no reduce-only and one resting sell: a spot venue reserves the coins of each sell).
 * Prices rounded to the tick. Deterministic, stateless apart from its JSON state.
 */
function swing(amounts: Record<string, string>, marketType: MarketType, every: number, slPct: number, tpPct: number): Strategy<SwingState> {
  const symbols = Object.keys(amounts);
  const perp = marketType === 'swap';
  const round = (x: number, tick: string) => {
    const d = tick.split('.')[1]?.length ?? 0;
    return (Math.round(x / Number(tick)) * Number(tick)).toFixed(d);
  };
  return {
    type: 'swing',
    botId: 'swing',
    symbols,
    initialState: () => ({ seq: 0, closes: 0, pos: {} }),
    step(state, event, ctx) {
      const s = structuredClone(state);
      const intents: Intent[] = [];
      const closed: RoundTrip[] = [];
      const id = (leg: string) => botOrderId('swing', 0, leg, s.seq++);
      if (event.type === 'candle') {
        s.closes++;
        const sym = event.symbol;
        const held = s.pos[sym];
        if (!perp && held !== undefined && held.tp !== null && held.sl === null && s.closes % every === 0) {
          // spot timeout: cancel the limit sell, sell at market
          intents.push({ type: 'cancel', clientOrderId: held.tp, symbol: sym });
          held.sl = id('x');
          intents.push({ type: 'place', order: { clientOrderId: held.sl, symbol: sym, side: 'sell', type: 'market', amount: held.amount }, role: 'exit' });
        } else if (s.pos[sym] === undefined && s.closes % every === 0) {
          const side = perp && (s.closes / every) % 2 === 1 ? 'sell' : 'buy';
          const cid = id('e');
          s.pos[sym] = { side, entry: cid, amount: amounts[sym]!, fillPrice: '0', fee: '0', ts: 0, sl: null, tp: null };
          intents.push({ type: 'place', order: { clientOrderId: cid, symbol: sym, side, type: 'market', amount: amounts[sym]! }, role: 'entry' });
        }
      } else if (event.type === 'fill') {
        const f = event.fill;
        const p = s.pos[f.symbol];
        if (p && f.clientOrderId === p.entry) {
          const m = ctx.markets[f.symbol]!;
          const px = Number(f.price);
          const long = p.side === 'buy';
          const exit = long ? 'sell' : 'buy';
          p.fillPrice = f.price;
          p.fee = f.fee;
          p.ts = f.ts;
          p.amount = f.amount;
          p.tp = id('t');
          const tpPx = round(px * (1 + ((long ? 1 : -1) * tpPct) / 100), m.priceStep);
          if (perp) {
            p.sl = id('s');
            intents.push({ type: 'place', order: { clientOrderId: p.sl, symbol: f.symbol, side: exit, type: 'market', kind: 'stop_loss', amount: f.amount, triggerPrice: round(px * (1 + ((long ? -1 : 1) * slPct) / 100), m.priceStep), reduceOnly: true }, role: 'exit' });
            intents.push({ type: 'place', order: { clientOrderId: p.tp, symbol: f.symbol, side: exit, type: 'market', kind: 'take_profit', amount: f.amount, triggerPrice: tpPx, reduceOnly: true }, role: 'exit' });
          } else intents.push({ type: 'place', order: { clientOrderId: p.tp, symbol: f.symbol, side: 'sell', type: 'limit', amount: f.amount, price: tpPx }, role: 'exit' });
        } else if (p && (f.clientOrderId === p.sl || f.clientOrderId === p.tp)) {
          const other = f.clientOrderId === p.sl ? p.tp : p.sl;
          if (other && perp) intents.push({ type: 'cancel', clientOrderId: other, symbol: f.symbol });
          closed.push({ symbol: f.symbol, side: p.side === 'buy' ? 'long' : 'short', entryClientOrderId: p.entry!, exitClientOrderId: f.clientOrderId!, amount: f.amount, entryPrice: p.fillPrice, exitPrice: f.price, entryFee: p.fee, exitFee: f.fee, pnl: (f as { realizedPnl?: string }).realizedPnl ?? '0', openedAt: p.ts, closedAt: f.ts });
          delete s.pos[f.symbol];
        }
      } else if (event.type === 'orderDead') {
        const p = s.pos[event.symbol];
        // a perpetual liquidated (its guards cancelled by the engine) or an entry refused: flat again
        if (p && (event.clientOrderId === p.entry || (perp && event.clientOrderId === p.sl))) delete s.pos[event.symbol];
      }
      return { state: s, intents, closed };
    },
    held: () => [],
    summary: () => ({ realizedPnl: '0', roundTrips: 0 }),
  };
}

const funding = new CsvFundingSource();
const fundingOf = (symbols: string[], from: string, to: string) => Object.fromEntries(symbols.map((s) => [s, funding.between(s, Date.parse(from) - 1, Date.parse(to) + 900_000)]));

/** The fixed backtests of the snapshot. */
function cases(): Record<string, () => BacktestResult<unknown>> {
  const btc15 = csv('BTC', '15m');
  const eth15 = csv('ETH', '15m');
  const btc1h = csv('BTC', '1h');
  const spot = paperMarkets('spot');
  const swap = paperMarkets('swap');
  const run = (i: BacktestInput<unknown>) => runBacktest(i);
  const grid = (sym: string, g: object) => createGridStrategy('golden', parseGridConfig({ symbol: sym, ...g })) as Strategy<unknown>;
  return {
    'spot grid (the benchmark config), BTC 15m Feb–Apr 2024': () =>
      run({
        strategy: grid('BTC/USDT', { levels: 8, spacingPct: 0.5, sellOffsetPct: 0.6, orderSize: { mode: 'quote', value: '200' }, repricePct: 3 }),
        candles: { 'BTC/USDT': between(btc15, '2024-02-01', '2024-05-01') },
        timeframe: '15m',
        marketType: 'spot',
        markets: { 'BTC/USDT': spot['BTC/USDT']! },
        balances: { USDT: '100000' },
      }),
    'perpetual grid x3 with funding, BTC 15m March 2024': () =>
      run({
        strategy: grid('BTC/USDT:USDT', { levels: 6, spacingPct: 0.4, sellOffsetPct: 0.5, orderSize: { mode: 'quote', value: '300' }, repricePct: 2 }),
        candles: { 'BTC/USDT:USDT': between(btc15, '2024-03-01', '2024-04-01') },
        timeframe: '15m',
        marketType: 'swap',
        markets: { 'BTC/USDT:USDT': swap['BTC/USDT:USDT']! },
        balances: { USDT: '10000' },
        leverage: 3,
        slippageBps: 3,
        funding: fundingOf(['BTC/USDT:USDT'], '2024-03-01', '2024-04-01'),
      }),
    'spot grid 1h along its 15m candles, conservative, BTC Jan–Mar 2024': () =>
      run({
        strategy: grid('BTC/USDT', { levels: 8, spacingPct: 0.3, sellOffsetPct: 0.4, orderSize: { mode: 'quote', value: '500' }, repricePct: 3 }),
        candles: { 'BTC/USDT': between(btc1h, '2024-01-01', '2024-04-01') },
        detail: { timeframe: '15m', candles: { 'BTC/USDT': between(btc15, '2024-01-01', '2024-04-01') } },
        fillModel: 'conservative',
        timeframe: '1h',
        marketType: 'spot',
        markets: { 'BTC/USDT': spot['BTC/USDT']! },
        balances: { USDT: '10000' },
      }),
    'two perpetuals x50, market entries, stops, take-profits, liquidations, BTC+ETH 15m Apr–May 2024': () =>
      run({
        strategy: swing({ 'BTC/USDT:USDT': '0.05', 'ETH/USDT:USDT': '1' }, 'swap', 5, 2.5, 1.5) as Strategy<unknown>,
        candles: { 'BTC/USDT:USDT': between(btc15, '2024-04-01', '2024-06-01'), 'ETH/USDT:USDT': between(eth15, '2024-04-01', '2024-06-01') },
        timeframe: '15m',
        marketType: 'swap',
        markets: { 'BTC/USDT:USDT': swap['BTC/USDT:USDT']!, 'ETH/USDT:USDT': swap['ETH/USDT:USDT']! },
        balances: { USDT: '20000' },
        leverage: 50,
        funding: fundingOf(['BTC/USDT:USDT', 'ETH/USDT:USDT'], '2024-04-01', '2024-06-01'),
      }),
    'two spot symbols, market buys, limit sells, cancels and market sells, BTC+ETH 15m June 2024': () =>
      run({
        strategy: swing({ 'BTC/USDT': '0.01', 'ETH/USDT': '0.2' }, 'spot', 3, 1, 0.8) as Strategy<unknown>,
        candles: { 'BTC/USDT': between(btc15, '2024-06-01', '2024-07-01'), 'ETH/USDT': between(eth15, '2024-06-01', '2024-07-01') },
        timeframe: '15m',
        marketType: 'spot',
        markets: { 'BTC/USDT': spot['BTC/USDT']!, 'ETH/USDT': spot['ETH/USDT']! },
        balances: { USDT: '5000', ETH: '0.5' },
        slippageBps: 7,
      }),
  };
}

const sha256 = (lines: Iterable<string>) => {
  const h = createHash('sha256');
  for (const l of lines) h.update(`${l}\n`);
  return h.digest('hex');
};

/**
 * What the snapshot keeps of a result: every fill as one line (time, id, order, clientOrderId, side, price,
 * amount, fee, liquidity, realized PnL, liquidation), the final balances, totals, metrics and rejections in full;
 * the round trips, the open orders and the equity curve as a count and a SHA-256 of their JSON / point lines.
 */
function snapshot(r: BacktestResult<unknown>) {
  return {
    fills: r.fills.map((f) => [f.ts, f.id, f.orderId, f.clientOrderId, f.symbol, f.side, f.price, f.amount, f.fee, f.feeCurrency, f.liquidity, f.realizedPnl, f.liquidation ? 'L' : ''].join(' ')),
    finalBalances: r.finalBalances,
    totals: r.totals,
    metrics: r.metrics,
    rejections: r.rejections,
    trades: { count: r.trades.length, sha256: sha256(r.trades.map((t) => JSON.stringify(t))) },
    openOrders: { count: r.openOrders.length, sha256: sha256(r.openOrders.map((o) => JSON.stringify(o))) },
    equity: { points: r.equity.length, first: r.equity[0], last: r.equity.at(-1), sha256: sha256(r.equity.map((p) => `${p.ts},${p.equity},${p.exposed ? 1 : 0}`)) },
  };
}

describe('golden backtests: fills, balances and equity identical to the snapshot taken before the performance work', () => {
  const all = cases();
  const update = process.env.GOLDEN_UPDATE === '1';
  const golden: Record<string, unknown> = !update && existsSync(GOLDEN) ? JSON.parse(readFileSync(GOLDEN, 'utf8')) : {};
  const written: Record<string, unknown> = {};
  for (const [name, make] of Object.entries(all)) {
    it(name, () => {
      const snap = JSON.parse(JSON.stringify(snapshot(make())));
      expect(snap.fills.length).toBeGreaterThan(20);
      if (update) {
        written[name] = snap;
        writeFileSync(GOLDEN, `${JSON.stringify(written, null, 1)}\n`);
        return;
      }
      expect(golden[name], `no snapshot for "${name}"`).toBeDefined();
      expect(snap).toEqual(golden[name]);
    });
  }
});
