import { describe, expect, it } from 'vitest';
import { CandleValidationError, validateCandles } from './candles.js';

const T0 = Date.UTC(2024, 0, 1);
const ok = (i: number) => ({ ts: T0 + i * 900_000, open: 10, high: 12, low: 9, close: 11, volume: 5 });

describe('validateCandles', () => {
  it('accepts a clean aligned series', () => {
    expect(() => validateCandles([ok(0), ok(1), ok(2)], '15m')).not.toThrow();
  });
  it.each([
    ['non-finite close', [ok(0), { ...ok(1), close: Number.NaN }], 1, 'close'],
    ['infinite volume', [{ ...ok(0), volume: Infinity }], 0, 'volume'],
    ['high below low', [ok(0), ok(1), { ...ok(2), high: 8 }], 2, 'high'],
    ['out of order', [ok(1), ok(0)], 1, 'ts'],
    ['duplicate', [ok(1), ok(1)], 1, 'ts'],
    ['misaligned', [{ ...ok(0), ts: T0 + 60_000 }], 0, 'ts'],
    ['negative price', [{ ...ok(0), low: -1 }], 0, 'low'],
  ])('rejects %s naming the row and field', (_name, rows, row, field) => {
    try {
      validateCandles(rows, '15m');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CandleValidationError);
      expect(e).toMatchObject({ row, field });
      expect((e as Error).message).toMatch(new RegExp(`^candle row ${row}: field "${field}"`));
    }
  });
});
