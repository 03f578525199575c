/** IndicatorEngine: batch == incremental, replacement of the forming candle, ordering, column sets. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { INDICATOR_COLUMNS_15M, INDICATOR_COLUMNS_1D, INDICATOR_COLUMNS_4H, TIMEFRAMES, type Candle, type Timeframe } from '@osprey/shared';
import { IndicatorEngine, computeIndicatorColumns, computeIndicators, indicatorColumns, parseCandlesCsv } from './index.js';

function load(symbol: string, tf: Timeframe): Candle[] {
  const file = fileURLToPath(new URL(`../../../assets/market/BINANCE_${symbol}-USDT_${tf}.csv`, import.meta.url));
  return parseCandlesCsv(readFileSync(file, 'utf8'), tf);
}

/** In-progress versions of a candle, as a live feed would send them before the final one. */
function formingVersions(c: Candle): Candle[] {
  const mid = (c.open + c.close) / 2;
  return [
    { ts: c.ts, open: c.open, high: c.open, low: c.open, close: c.open, volume: 0 },
    { ts: c.ts, open: c.open, high: Math.max(c.open, mid) * 1.01, low: Math.min(c.open, mid) * 0.99, close: mid * 1.005, volume: c.volume / 3 },
    { ...c, close: c.high, volume: c.volume * 0.9 },
  ];
}

describe('indicatorColumns', () => {
  it('returns the shared column sets (1h uses the 4h set)', () => {
    expect(indicatorColumns('15m')).toEqual(INDICATOR_COLUMNS_15M);
    expect(indicatorColumns('1h')).toEqual(INDICATOR_COLUMNS_4H);
    expect(indicatorColumns('4h')).toEqual(INDICATOR_COLUMNS_4H);
    expect(indicatorColumns('1d')).toEqual(INDICATOR_COLUMNS_1D);
  });
});

describe('IndicatorEngine', () => {
  for (const tf of TIMEFRAMES) {
    it(`${tf}: computeIndicators equals feeding the engine candle by candle; keys are the columns in order`, () => {
      const candles = load('ETH', tf).slice(0, 3000);
      const batch = computeIndicators(candles, tf);
      const engine = new IndicatorEngine(tf);
      expect(engine.last).toBeNull();
      candles.forEach((c, i) => {
        const v = engine.update(c);
        expect(v).toStrictEqual(batch[i]);
        expect(engine.last).toBe(v);
      });
      expect(Object.keys(batch[0]!)).toEqual(indicatorColumns(tf));
      expect(Object.keys(batch.at(-1)!)).toEqual(indicatorColumns(tf));
      const nonNullAtStart = Object.entries(batch[0]!).filter(([, x]) => x !== null).map(([k]) => k);
      expect(nonNullAtStart).toEqual(tf === '15m' ? ['obv'] : []);
      expect(Object.values(batch.at(-1)!).every((x) => typeof x === 'number')).toBe(true);
    });

    it(`${tf}: in-progress versions before the final candle give the same result as the final candle alone`, () => {
      const candles = load('BTC', tf).slice(0, 1500);
      const batch = computeIndicators(candles, tf);
      const engine = new IndicatorEngine(tf);
      candles.forEach((c, i) => {
        for (const v of formingVersions(c)) engine.update(v);
        expect(engine.update(c)).toStrictEqual(batch[i]);
      });
    });
  }

  it('an in-progress update returns what the candle would give if it were final', () => {
    const candles = load('SOL', '15m').slice(0, 400);
    const engine = new IndicatorEngine('15m');
    candles.forEach((c, i) => {
      if (i % 50 === 49) {
        const forming = formingVersions(c)[1]!;
        const expected = computeIndicators([...candles.slice(0, i), forming], '15m')[i];
        expect(engine.update(forming)).toStrictEqual(expected);
        // it really differs from the final candle's values (the test would catch a no-op replace)
        expect(engine.update(c)).not.toStrictEqual(expected);
      } else {
        engine.update(c);
      }
    });
  });

  it('replacing the very first candle, and repeated replacement, keep a consistent state', () => {
    const candles = load('XRP', '15m').slice(0, 200);
    const engine = new IndicatorEngine('15m');
    engine.update({ ...candles[0]!, close: candles[0]!.high, volume: 1 });
    const values = candles.map((c) => {
      engine.update(c);
      return engine.update(c); // same candle twice
    });
    expect(values).toStrictEqual(computeIndicators(candles, '15m'));
    expect(values[0]!.obv).toBe(candles[0]!.volume);
  });

  it('a smaller ts throws and leaves the state untouched', () => {
    const candles = load('BTC', '4h').slice(0, 100);
    const engine = new IndicatorEngine('4h');
    for (const c of candles.slice(0, 60)) engine.update(c);
    const last = engine.last;
    expect(() => engine.update(candles[58]!)).toThrow(RangeError);
    expect(engine.last).toBe(last);
    const rest = candles.slice(60).map((c) => engine.update(c));
    expect(rest).toStrictEqual(computeIndicators(candles, '4h').slice(60));
  });

  it('a ts gap just appends (the engine does not fill missing candles)', () => {
    const candles = load('BTC', '1d').slice(0, 60);
    const gapped = candles.filter((_, i) => i !== 30);
    expect(computeIndicators(gapped, '1d')).toStrictEqual(
      computeIndicators(gapped.map((c, i) => ({ ...c, ts: i * 86_400_000 })), '1d'),
    );
  });

  it('updateRow feeds like update without allocating; last is built from it on demand', () => {
    const candles = load('BTC', '15m').slice(0, 300);
    const batch = computeIndicators(candles, '15m');
    const engine = new IndicatorEngine('15m');
    candles.forEach((c, i) => {
      for (const v of formingVersions(c)) engine.updateRow(v);
      const row = engine.updateRow(c);
      expect(Array.from(row, (x) => (Number.isNaN(x) ? null : x))).toEqual(indicatorColumns('15m').map((k) => batch[i]![k]));
      expect(engine.last).toStrictEqual(batch[i]);
      expect(engine.last).toBe(engine.last);
    });
  });
});

describe('computeIndicatorColumns', () => {
  for (const tf of TIMEFRAMES) {
    it(`${tf}: same numbers as computeIndicators, NaN where it has null`, () => {
      const candles = load('SOL', tf).slice(0, 2000);
      const rows = computeIndicators(candles, tf);
      const cols = computeIndicatorColumns(candles, tf);
      expect(Object.keys(cols)).toEqual(indicatorColumns(tf));
      for (const k of indicatorColumns(tf)) {
        const col = cols[k]!;
        expect(col).toHaveLength(candles.length);
        expect(Array.from(col, (x) => (Number.isNaN(x) ? null : x))).toEqual(rows.map((r) => r[k]));
      }
    });
  }
  it('throws on a decreasing ts', () => {
    const candles = load('BTC', '1d').slice(0, 10);
    expect(() => computeIndicatorColumns([candles[1]!, candles[0]!], '1d')).toThrow(RangeError);
  });
});
