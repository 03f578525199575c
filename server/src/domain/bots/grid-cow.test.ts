/**
 * The grid's copy-on-write states stay pure: every state a step returned still serializes as it did when it
 * was returned, after the whole run (no later step changed an old state's levels). Real Binance BTC 15m candles.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { paperMarkets } from '../../adapters/exchange/paper-markets.js';
import { parseCandlesCsv } from '../indicators/csv.js';
import { runBacktest } from './backtest.js';
import { createGridStrategy, parseGridConfig, type GridState } from './grid.js';
import type { Strategy } from './strategy.js';

describe('grid states under copy-on-write', () => {
  it('no step changes a state an earlier step returned (two weeks of BTC 15m, reprices, round trips)', () => {
    const candles = parseCandlesCsv(readFileSync(new URL('../../../assets/market/BINANCE_BTC-USDT_15m.csv', import.meta.url), 'utf8'), '15m').slice(3000, 4344);
    const inner = createGridStrategy('cow', parseGridConfig({ symbol: 'BTC/USDT', levels: 6, spacingPct: 0.3, sellOffsetPct: 0.4, orderSize: { mode: 'quote', value: '300' }, repricePct: 1.5 }));
    const seen: Array<{ state: GridState; json: string }> = [];
    const spy: Strategy<GridState> = {
      ...inner,
      step(state, event, ctx) {
        const r = inner.step(state, event, ctx);
        seen.push({ state: r.state, json: JSON.stringify(r.state) });
        return r;
      },
    };
    const r = runBacktest({ strategy: spy, candles: { 'BTC/USDT': candles }, timeframe: '15m', marketType: 'spot', markets: { 'BTC/USDT': paperMarkets('spot')['BTC/USDT']! }, balances: { USDT: '10000' } });
    expect(r.trades.length).toBeGreaterThan(20);
    expect(r.fills.filter((f) => f.side === 'buy').length).toBeGreaterThan(20);
    for (const s of seen) expect(JSON.stringify(s.state)).toBe(s.json);
  });
});
