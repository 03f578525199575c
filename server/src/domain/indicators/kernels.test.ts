/**
 * Hand-checkable cases for the indicator kernels (NaN = not warmed up), plus a cross-check against trading-signals
 * on real data.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BollingerBands as TsBollinger, OBV as TsObv, RSI as TsRsi, TR as TsTr, WSMA as TsWsma } from 'trading-signals';
import type { Candle } from '@osprey/shared';
import { BollingerBands } from './bollinger.js';
import { Adx, Obv } from './candle-indicators.js';
import { parseCandlesCsv } from './csv.js';
import { SmaSeededEma } from './ema.js';
import { Macd } from './macd.js';
import { Rsi } from './rsi.js';

const feed = <T>(xs: readonly number[], f: (x: number) => T): T[] => xs.map(f);
/** Candle from high/low (open = low, close = high unless given). */
const hl = (ts: number, high: number, low: number, close = high, volume = 1): Candle => ({ ts, open: low, high, low, close, volume });

describe('SmaSeededEma', () => {
  it('EMA 3 of 1..10 is seeded with the SMA of the first 3 (2), then lags by 1', () => {
    const e = new SmaSeededEma(3);
    expect(feed([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], (x) => (e.update(x), e.value))).toEqual([NaN, NaN, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
  it('EMA 2 of [2, 4, 10]: seed 3, then (10 − 3)·2/3 + 3', () => {
    const e = new SmaSeededEma(2);
    const out = feed([2, 4, 10], (x) => (e.update(x), e.value));
    expect(out.slice(0, 2)).toEqual([NaN, 3]);
    expect(out[2]).toBeCloseTo(3 + (7 * 2) / 3, 12);
  });
  it('Wilder 3 of [3, 6, 9, 12]: seed 6, then (6·2 + 12)/3 = 8', () => {
    const w = SmaSeededEma.wilder(3);
    expect(feed([3, 6, 9, 12], (x) => (w.update(x), w.value))).toEqual([NaN, NaN, 6, 8]);
  });
  it('replace recomputes from the previous final state', () => {
    const e = new SmaSeededEma(2);
    e.update(2);
    e.update(100);
    e.update(4, true); // replaces 100
    expect(e.value).toBe(3);
    e.update(10);
    expect(e.value).toBeCloseTo(3 + (7 * 2) / 3, 12);
  });
  it('rejects a bad period', () => {
    expect(() => new SmaSeededEma(0)).toThrow(RangeError);
  });
});

describe('Rsi', () => {
  it('all-up closes give 100, all-down 0, flat 0 (TA-Lib)', () => {
    const up = new Rsi(3), down = new Rsi(3), flat = new Rsi(3);
    const upOut = feed([1, 2, 3, 4, 5, 6], (x) => (up.update(x), up.value));
    expect(upOut).toEqual([NaN, NaN, NaN, 100, 100, 100]);
    expect(feed([6, 5, 4, 3, 2], (x) => (down.update(x), down.value)).at(-1)).toBe(0);
    expect(feed([5, 5, 5, 5, 5], (x) => (flat.update(x), flat.value)).at(-1)).toBe(0);
  });
  it('RSI 2 of [1, 2, 1.5, 2.5]: 66.67 then 85.71', () => {
    // changes +1, −0.5, +1: seed gain (1+0)/2 = 0.5, loss (0+0.5)/2 = 0.25 → 100·0.5/0.75;
    // next gain (0.5+1)/2 = 0.75, loss 0.25/2 = 0.125 → 100·0.75/0.875
    const r = new Rsi(2);
    const out = feed([1, 2, 1.5, 2.5], (x) => (r.update(x), r.value));
    expect(out.slice(0, 2)).toEqual([NaN, NaN]);
    expect(out[2]).toBeCloseTo(200 / 3, 10);
    expect(out[3]).toBeCloseTo(600 / 7, 10);
  });
});

describe('BollingerBands', () => {
  it('10× 1 and 10× 3: middle 2, population σ 1 → bands 4/0, width 2', () => {
    const bb = new BollingerBands(20, 2);
    for (let i = 0; i < 19; i++) {
      bb.update(i < 10 ? 1 : 3);
      expect(bb.upper).toBeNaN();
    }
    bb.update(3);
    expect([bb.upper, bb.middle, bb.lower, bb.width]).toEqual([4, 2, 0, 2]);
    bb.update(2, true); // replace the last 3 with 2: window 10×1, 9×3, 1×2
    expect(bb.middle).toBeCloseTo(39 / 20, 12);
  });
});

describe('Macd', () => {
  it('MACD 2/3/2 of a straight line: line 0.5 from index 2, signal/histogram from index 3', () => {
    const m = new Macd(2, 3, 2);
    const out = feed([1, 2, 3, 4, 5, 6], (x) => (m.update(x), [m.line, m.signal, m.histogram]));
    expect(out.slice(0, 2)).toEqual([[NaN, NaN, NaN], [NaN, NaN, NaN]]);
    expect(out[2]![0]).toBeCloseTo(0.5, 12);
    expect(out[2]![1]).toBeNaN();
    expect(out[2]![2]).toBeNaN();
    for (const [line, signal, hist] of out.slice(3)) {
      expect(line).toBeCloseTo(0.5, 12);
      expect(signal).toBeCloseTo(0.5, 12);
      expect(hist).toBeCloseTo(0, 12);
    }
  });
  it('requires fast < slow', () => {
    expect(() => new Macd(26, 12, 9)).toThrow(RangeError);
  });
});

describe('Adx', () => {
  it('a tie (upMove == downMove) counts for neither side', () => {
    // Alternate an up candle (+2 on high and low: +DM 2) and an outside candle (high +1, low −1: a tie).
    const a = new Adx(3);
    let high = 100, low = 90;
    a.update(hl(0, high, low));
    for (let i = 1; i <= 20; i++) {
      const [dh, dl] = i % 2 ? [2, 2] : [1, -1];
      high += dh;
      low += dl;
      a.update(hl(i, high, low));
    }
    // with a tie credited to both sides, −DI would be > 0 and ADX < 100
    expect(a.minusDi).toBe(0);
    expect(a.plusDi).toBeGreaterThan(0);
    expect(a.adx).toBe(100);
  });
  it('only ties: DM 0 on both sides → DI 0, DX 0, ADX 0; ATR = Wilder TR', () => {
    const a = new Adx(2);
    const out: number[][] = [];
    for (let i = 0; i < 5; i++) {
      a.update(hl(i, 10 + i, 10 - i, 10)); // range 2i, TR = 2i for i ≥ 1
      out.push([a.atr, a.plusDi, a.minusDi, a.adx]);
    }
    expect(out[0]).toEqual([NaN, NaN, NaN, NaN]);
    expect(out[1]).toEqual([NaN, NaN, NaN, NaN]);
    expect(out[2]).toEqual([3, 0, 0, NaN]); // ATR seed (2 + 4)/2; first DX at candle n = 2
    expect(out[3]).toEqual([4.5, 0, 0, 0]); // (3 + 6)/2; ADX at 2n − 1 = 3
    expect(out[4]).toEqual([6.25, 0, 0, 0]);
  });
  it('true range uses the previous close', () => {
    const a = new Adx(1);
    a.update(hl(0, 10, 9, 9));
    a.update(hl(1, 15, 14, 14)); // gap up: TR = 15 − 9
    expect(a.atr).toBe(6);
  });
});

describe('Obv', () => {
  it('starts at volume 0 and adds/subtracts volume on up/down closes', () => {
    const o = new Obv();
    const closes = [10, 11, 11, 10, 12];
    const vols = [5, 3, 4, 2, 1];
    expect(closes.map((c, i) => (o.update({ ts: i, open: c, high: c, low: c, close: c, volume: vols[i]! }), o.value))).toEqual([5, 8, 8, 6, 7]);
  });
});

describe('kernels agree with trading-signals where its definitions match (BTC 15m, after 300 candles)', () => {
  const file = fileURLToPath(new URL('../../../assets/market/BINANCE_BTC-USDT_15m.csv', import.meta.url));
  const candles = parseCandlesCsv(readFileSync(file, 'utf8'), '15m');
  const close = (a: number, b: number | null | undefined) => Math.abs(a - (b ?? NaN)) <= 1e-9 * Math.max(1, Math.abs(a));

  it('RSI 7, Bollinger 20/2, ATR 14 (TR + WSMA from candle 1), OBV (+ volume 0)', () => {
    const [rsi, tsRsi] = [new Rsi(7), new TsRsi(7)];
    const [bb, tsBb] = [new BollingerBands(20, 2), new TsBollinger(20, 2)];
    const [adx, tsTr, tsAtr] = [new Adx(14), new TsTr(), new TsWsma(14)];
    const [obv, tsObv] = [new Obv(), new TsObv(2)];
    let checked = 0;
    candles.forEach((c, i) => {
      rsi.update(c.close);
      const r = rsi.value;
      const tr = tsRsi.update(c.close, false);
      bb.update(c.close);
      const tb = tsBb.update(c.close, false);
      adx.update(c);
      const t = tsTr.update(c, false);
      const ta = i === 0 ? null : tsAtr.update(t, false);
      obv.update(c);
      const o = obv.value;
      const to = tsObv.update(c, false);
      if (i < 300) return;
      expect(close(r, tr), `rsi ${i}`).toBe(true);
      expect(close(bb.upper, tb?.upper) && close(bb.middle, tb?.middle) && close(bb.lower, tb?.lower), `bb ${i}`).toBe(true);
      expect(close(adx.atr, ta), `atr ${i}`).toBe(true);
      expect(close(o, candles[0]!.volume + (to ?? NaN)), `obv ${i}`).toBe(true);
      checked++;
    });
    expect(checked).toBe(candles.length - 300);
  });
});
