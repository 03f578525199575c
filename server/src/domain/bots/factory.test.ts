import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { botConfigSchema, type BotConfig, type BotConfigInput, type Candle, type MarketSignal } from '@osprey/shared';
import type { MarketInfo } from '../exchange/port.js';
import { parseCandlesCsv } from '../indicators/csv.js';
import { Dec, str } from '../trading/precision.js';
import { runBacktest } from './backtest.js';
import { createBotStrategy } from './factory.js';
import type { RiskGateState } from './risk-gate.js';
import { roundTripUnits, type StrategyContext, type StrategyEvent } from './strategy.js';

const T0 = Date.UTC(2024, 0, 1);
const M15 = 900_000;
const market = (symbol: string, type: 'spot' | 'swap'): MarketInfo => {
  const [base, rest] = symbol.split('/') as [string, string];
  return { symbol, base, quote: rest.split(':')[0]!, type, amountStep: '0.001', priceStep: '0.01', minAmount: null, minNotional: null, makerFee: '0.001', takerFee: '0.001', maxLeverage: 10 };
};
const ctx = (symbols: string[], type: 'spot' | 'swap'): StrategyContext => ({
  now: T0 + M15,
  markets: Object.fromEntries(symbols.map((s) => [s, market(s, type)])),
  balances: [{ currency: 'USDT', free: '10000', used: '0', total: '10000' }],
  positions: [],
});
const candle = (close: number, ts = T0): Candle => ({ ts, open: close, high: close + 1, low: close - 1, close, volume: 1 });
const places = (intents: { type: string; order?: { clientOrderId: string } }[]) => intents.filter((i) => i.type === 'place').map((i) => i.order!.clientOrderId);

/** Runs events through the bot's strategy; returns the placed order ids per event and the final state. */
function run(input: BotConfigInput, events: StrategyEvent[], symbols: string[]) {
  const config: BotConfig = botConfigSchema.parse(input);
  const strategy = createBotStrategy('bot-1', config);
  const c = ctx(symbols, config.marketType);
  let state = strategy.initialState();
  const out = events.map((e) => {
    const r = strategy.step(state, e, c);
    state = r.state;
    return { ids: places(r.intents), points: r.points ?? [], notes: (r.notes ?? []).map((n) => n.code) };
  });
  return { strategy, state: state as RiskGateState<unknown>, out };
}

describe('createBotStrategy', () => {
  it('grid: a gated grid that arms its ladder on the first closed candle', () => {
    const { strategy, state, out } = run({ type: 'grid', grid: { symbol: 'BTC/USDT', levels: 3, orderSize: { mode: 'base', value: '0.01' } } }, [{ type: 'start' }, { type: 'candle', symbol: 'BTC/USDT', candle: candle(100), closed: true }], ['BTC/USDT']);
    expect(strategy).toMatchObject({ type: 'grid', botId: 'bot-1', symbols: ['BTC/USDT'] });
    expect(out[1]!.ids).toEqual(['bbot1x0b0', 'bbot1x0b1', 'bbot1x0b2']);
    expect(Object.keys(state).sort()).toEqual(['blocking', 'exiting', 'inner', 'last', 'pendingEntries', 'risk']);
    expect(strategy.summary(state)).toEqual({ realizedPnl: '0', roundTrips: 0 });
  });

  it('grid with risk rules: the gate applies them (maxOpenPositions 1 lets one buy through)', () => {
    const { out } = run({ type: 'grid', grid: { symbol: 'BTC/USDT', levels: 3, orderSize: { mode: 'base', value: '0.01' } }, risk: { maxOpenPositions: 1 } }, [{ type: 'candle', symbol: 'BTC/USDT', candle: candle(100), closed: true }], ['BTC/USDT']);
    expect(out[0]).toMatchObject({ ids: ['bbot1x0b0'], notes: ['risk.maxOpenPositions'] });
  });

  it('spread (swap): ticks on a pair of closed candles and opens both legs', () => {
    const A = 'ETH/USDT:USDT';
    const B = 'BTC/USDT:USDT';
    const ev = (symbol: string, close: number, ts: number): StrategyEvent => ({ type: 'candle', symbol, candle: candle(close, ts), closed: true });
    const { strategy, out } = run({ type: 'spread', marketType: 'swap', spread: { symbolA: A, symbolB: B } }, [ev(A, 100, T0), ev(B, 100, T0), ev(A, 106, T0 + M15), ev(B, 100, T0 + M15)], [A, B]);
    expect(strategy).toMatchObject({ type: 'spread', symbols: [A, B] });
    expect(out.map((o) => o.points.map((p) => p.value))).toEqual([[], [0], [], [6]]);
    expect(out[3]!.ids).toEqual(['bbot1x0ob0', 'bbot1x0oa1']);
  });

  it('signal (spot): warms its ATR from the start history and takes a signal', () => {
    const history = Array.from({ length: 15 }, (_, i) => candle(100, T0 - (15 - i) * M15));
    const signal = { id: 's1', exchange: 'binance', symbol: 'BTC/USDT', type: 'LONG' as const, score: 20, sizeMultiplier: 1, candleTs: T0, createdAt: T0, expiresAt: T0 + 4 * 3_600_000, details: {} };
    const { strategy, out } = run({ type: 'signal', signal: { symbols: ['BTC/USDT'] } }, [{ type: 'start', history: { 'BTC/USDT': history } }, { type: 'signal', signal }], ['BTC/USDT']);
    expect(strategy.type).toBe('signal');
    expect(out[1]).toMatchObject({ ids: ['bbot1x0e0'], notes: ['signal.taken'] });
  });

  it('a config that bypassed the schema is refused, naming the field', () => {
    const bad = { ...botConfigSchema.parse({ type: 'grid', grid: { symbol: 'BTC/USDT' } }), risk: { stopLossPct: 0 } } as BotConfig;
    expect(() => createBotStrategy('b', bad)).toThrow(/^stopLossPct:/);
  });
});

describe('createBotStrategy in the backtester over real candles (Binance 15m, 4500 candles after 100 of warm-up)', () => {
  const load = (base: string) => parseCandlesCsv(readFileSync(fileURLToPath(new URL(`../../../assets/market/BINANCE_${base}-USDT_15m.csv`, import.meta.url)), 'utf8'), '15m').slice(0, 4600);
  const data: Record<string, Candle[]> = { BTC: load('BTC'), ETH: load('ETH') };
  const mk = (symbol: string, type: 'spot' | 'swap'): MarketInfo => ({ ...market(symbol, type), amountStep: '0.0001', minNotional: '5', ...(type === 'swap' ? { makerFee: '0.0002', takerFee: '0.0005' } : {}) });
  const signals: MarketSignal[] = [];
  for (let i = 150; i < 4500; i += 97) {
    const c = data.BTC![i]!;
    signals.push({ id: `s${i}`, exchange: 'binance', symbol: i % 2 ? 'BTC/USDT' : 'ETH/USDT', type: i % 3 ? 'LONG' : 'SHORT', score: 10 + (i % 20), sizeMultiplier: 1 + (i % 2), candleTs: c.ts, createdAt: c.ts + M15, expiresAt: c.ts + M15 + 4 * 3_600_000, details: {} });
  }
  it.each<{ name: string; input: BotConfigInput; trades: number }>([
    { name: 'spread (spot)', input: { type: 'spread', spread: { symbolA: 'ETH/USDT', symbolB: 'BTC/USDT', entryPct: 3, stepPct: 2, maxAdds: 3 } }, trades: 10 },
    { name: 'spread (swap: long laggard, short leader)', input: { type: 'spread', marketType: 'swap', spread: { symbolA: 'ETH/USDT:USDT', symbolB: 'BTC/USDT:USDT', entryPct: 3, stepPct: 2, maxAdds: 3 } }, trades: 8 },
    { name: 'signal (spot)', input: { type: 'signal', signal: { symbols: ['BTC/USDT', 'ETH/USDT'], sizing: { mode: 'equityPct', value: '20' } }, risk: { maxOpenPositions: 1 } }, trades: 20 },
  ])('$name: ends flat, and its realized PnL (net of fees) is exactly the change of equity', ({ input, trades }) => {
    const config = botConfigSchema.parse(input);
    const strategy = createBotStrategy('it', config);
    const candles: Record<string, Candle[]> = {};
    const warmup: Record<string, Candle[]> = {};
    for (const sym of strategy.symbols) {
      const all = data[sym.split('/')[0]!]!;
      warmup[sym] = all.slice(0, 100);
      candles[sym] = all.slice(100);
    }
    const r = runBacktest({ strategy, candles, warmup, timeframe: '15m', marketType: config.marketType, markets: Object.fromEntries(strategy.symbols.map((x) => [x, mk(x, config.marketType)])), balances: { USDT: '10000' }, signals });
    expect(r.rejections).toEqual([]);
    expect(strategy.held(r.finalState)).toEqual([]);
    expect(r.trades.length).toBeGreaterThanOrEqual(trades);
    const { realizedPnl, roundTrips } = strategy.summary(r.finalState);
    expect(roundTrips).toBe(roundTripUnits(r.trades).length);
    expect(str(r.trades.reduce((a, t) => a.plus(t.pnl), new Dec(0)))).toBe(realizedPnl);
    expect(str(new Dec(r.finalBalances.USDT!).minus(10000))).toBe(realizedPnl);
  });
});
