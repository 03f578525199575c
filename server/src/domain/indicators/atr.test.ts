import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ATR as TsAtr, TR as TsTr, WSMA as TsWsma } from 'trading-signals';
import type { Candle } from '@osprey/shared';
import { initialAtrState, trueRange, updateAtr, type AtrState } from './atr.js';
import { parseCandlesCsv } from './csv.js';

/** Feeds [high, low, close] rows; returns the ATR after each. */
function atrs(period: number, rows: [number, number, number][]): (number | null)[] {
  let s: AtrState = initialAtrState(period);
  return rows.map(([high, low, close]) => {
    s = updateAtr(s, { high, low, close });
    return s.atr;
  });
}

describe('trueRange', () => {
  it.each<{ name: string; c: { high: number; low: number }; prev: number; expected: number }>([
    { name: 'inside bar: high − low', c: { high: 12, low: 10 }, prev: 11, expected: 2 },
    { name: 'gap up: high − prev close', c: { high: 15, low: 14 }, prev: 10, expected: 5 },
    { name: 'gap down: prev close − low', c: { high: 9, low: 7 }, prev: 12, expected: 5 },
  ])('$name', ({ c, prev, expected }) => {
    expect(trueRange(c, prev)).toBe(expected);
  });
});

describe('updateAtr (Wilder, TA-Lib seeding)', () => {
  it('first candle only seeds the close; ATR 3 = mean of TR 1..3, then (prev·2 + TR)/3', () => {
    const out = atrs(3, [
      [11, 9, 10], // seed: prevClose 10
      [12, 10, 11], // TR 2
      [14, 11, 14], // TR 3
      [20, 19, 19], // TR max(1, 6, 5) = 6 → ATR (2 + 3 + 6)/3 = 11/3
      [19, 18, 18], // TR max(1, 0, 1) = 1 → (11/3·2 + 1)/3 = 25/9
    ]);
    expect(out.slice(0, 3)).toEqual([null, null, null]);
    expect(out[3]).toBeCloseTo(11 / 3, 12);
    expect(out[4]).toBeCloseTo(25 / 9, 12);
  });
  it('does not mutate the input state', () => {
    const s = initialAtrState(2);
    const copy = structuredClone(s);
    updateAtr(s, { high: 2, low: 1, close: 1.5 });
    expect(s).toEqual(copy);
  });
  it('rejects bad input, naming the field', () => {
    expect(() => initialAtrState(0)).toThrow(/^period:/);
    expect(() => updateAtr(initialAtrState(2), { high: NaN, low: 1, close: 1 })).toThrow(/^candle:/);
  });

  describe('on real Binance candles (server/assets/market)', () => {
    const load = (file: string): Candle[] => parseCandlesCsv(readFileSync(fileURLToPath(new URL(`../../../assets/market/${file}`, import.meta.url)), 'utf8'), '15m');
    const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(b));

    it.each(['BINANCE_BTC-USDT_15m.csv', 'BINANCE_ETH-USDT_15m.csv'])('%s: equals trading-signals TR + WSMA from candle 1 (1e-9) and its ATR after warm-up (1e-6)', (file) => {
      const candles = load(file);
      expect(candles.length).toBeGreaterThan(1000);
      const n = 14;
      let s = initialAtrState(n);
      const [tr, wsma, tsAtr] = [new TsTr(), new TsWsma(n), new TsAtr(n)];
      let exact = 0;
      let converged = 0;
      candles.forEach((c, i) => {
        s = updateAtr(s, c);
        const t = tr.update(c, false);
        const ref = i === 0 ? null : wsma.update(t, false);
        const atr = tsAtr.update(c, false);
        if (i < n) expect(s.atr, `warm-up ${i}`).toBeNull();
        else {
          expect(rel(s.atr!, ref!), `TR+WSMA ${i}`).toBeLessThan(1e-9);
          exact++;
        }
        // trading-signals' ATR seeds with candle 0's high − low: the seed difference decays by (13/14)^k.
        if (i >= 300) {
          expect(Math.abs(s.atr! - atr!), `ATR ${i}`).toBeLessThan(1e-6);
          converged++;
        }
      });
      expect(exact).toBe(candles.length - n);
      expect(converged).toBe(candles.length - 300);
    });
  });
});
