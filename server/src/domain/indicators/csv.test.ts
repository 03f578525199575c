/** parseCandlesCsv (errors name line and field) and indicatorsCsv. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { INDICATOR_COLUMNS_15M, INDICATOR_COLUMNS_1D } from '@osprey/shared';
import { CandleCsvError, computeIndicators, indicatorsCsv, parseCandlesCsv } from './index.js';

const H = 'ts,open,high,low,close,volume';
const D = 86_400_000;
const row = (ts: number, o = 10, h = 12, l = 9, c = 11, v = 5) => `${ts},${o},${h},${l},${c},${v}`;

function parseError(text: string): CandleCsvError {
  try {
    parseCandlesCsv(text, '1d');
  } catch (e) {
    expect(e).toBeInstanceOf(CandleCsvError);
    return e as CandleCsvError;
  }
  throw new Error('expected parseCandlesCsv to throw');
}

describe('parseCandlesCsv', () => {
  it('parses the shipped BTC 15m file', () => {
    const file = fileURLToPath(new URL('../../../assets/market/BINANCE_BTC-USDT_15m.csv', import.meta.url));
    const text = readFileSync(file, 'utf8');
    const candles = parseCandlesCsv(text, '15m');
    expect(candles).toHaveLength(text.trim().split('\n').length - 1);
    expect(candles[0]).toEqual({ ts: 1704067200000, open: 42283.58, high: 42488.09, low: 42261.02, close: 42488, volume: 431.71082 });
  });

  it('accepts CRLF, blank lines, reordered and extra columns', () => {
    const text = `volume,ts,close,low,high,open,note\r\n5,${D},11,9,12,10,x\r\n\r\n6,${2 * D},12,10,13,11,y\r\n`;
    expect(parseCandlesCsv(text, '1d')).toEqual([
      { ts: D, open: 10, high: 12, low: 9, close: 11, volume: 5 },
      { ts: 2 * D, open: 11, high: 13, low: 10, close: 12, volume: 6 },
    ]);
  });

  it('rejects a non-numeric field, naming line and field', () => {
    const e = parseError([H, row(D), `${2 * D},10,12,9,abc,5`].join('\n'));
    expect([e.line, e.field]).toEqual([3, 'close']);
    expect(e.message).toBe('CSV line 3: field "close" is not a number (got "abc")');
  });

  it('rejects an empty or missing cell', () => {
    expect(parseError([H, `${D},10,,9,11,5`].join('\n'))).toMatchObject({ line: 2, field: 'high' });
    expect(parseError([H, `${D},10,12,9,11`].join('\n'))).toMatchObject({ line: 2, field: 'volume' });
  });

  it('rejects high < low', () => {
    const e = parseError([H, row(D), row(2 * D, 10, 8, 9, 8.5)].join('\n'));
    expect([e.line, e.field]).toEqual([3, 'high']);
    expect(e.message).toMatch(/^CSV line 3: field "high" is below low/);
  });

  it('rejects out-of-order ts (line numbers count blank lines)', () => {
    const e = parseError([H, row(2 * D), '', row(D)].join('\n'));
    expect([e.line, e.field]).toEqual([4, 'ts']);
    expect(e.message).toMatch(/^CSV line 4: field "ts" is out of order/);
  });

  it('rejects a duplicate ts', () => {
    expect(parseError([H, row(D), row(D)].join('\n'))).toMatchObject({ line: 3, field: 'ts' });
  });

  it('rejects a ts not aligned to the timeframe', () => {
    const e = parseError([H, row(D), row(2 * D + 15 * 60_000)].join('\n'));
    expect([e.line, e.field]).toEqual([3, 'ts']);
    expect(e.message).toMatch(/^CSV line 3: field "ts" is not aligned to a 1d boundary/);
  });

  it('rejects a header without a required column', () => {
    expect(parseError(`ts,open,high,low,close\n${D},10,12,9,11`)).toMatchObject({ line: 1, field: 'volume' });
  });
});

describe('indicatorsCsv', () => {
  const file = fileURLToPath(new URL('../../../assets/market/BINANCE_ETH-USDT_15m.csv', import.meta.url));
  const candles = parseCandlesCsv(readFileSync(file, 'utf8'), '15m').slice(0, 500);

  it('writes ts + the timeframe columns, one row per candle, empty cells for null', () => {
    const lines = indicatorsCsv(candles, '15m').split('\n');
    expect(lines[0]).toBe(['ts', ...INDICATOR_COLUMNS_15M].join(','));
    expect(lines).toHaveLength(candles.length + 2); // header + rows + trailing newline
    expect(lines.at(-1)).toBe('');
    const values = computeIndicators(candles, '15m');
    // candle 0: only obv is defined
    expect(lines[1]).toBe(`${candles[0]!.ts},,,,,,,,,,,,,${candles[0]!.volume},,`);
    const last = lines[candles.length]!.split(',');
    expect(last[0]).toBe(String(candles.at(-1)!.ts));
    expect(last.slice(1)).toEqual(INDICATOR_COLUMNS_15M.map((c) => String(values.at(-1)![c])));
  });

  it('uses the 1d column set', () => {
    expect(indicatorsCsv([], '1d')).toBe(`${['ts', ...INDICATOR_COLUMNS_1D].join(',')}\n`);
  });
});
