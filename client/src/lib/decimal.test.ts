import { describe, expect, it } from 'vitest';
import { addDecimal, compareDecimal, decimalFromNumber, isDecimalString, mulDecimal, normalizeDecimal, roundToStep, shiftDecimal, subDecimal } from './decimal.js';

describe('decimal strings', () => {
  it('adds and subtracts exactly where floats drift', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(addDecimal('0.1', '0.2')).toBe('0.3');
    expect(addDecimal('33.33', '66.67')).toBe('100');
    expect(subDecimal('100', '33.3333')).toBe('66.6667');
    expect(subDecimal('1', '2.5')).toBe('-1.5');
    expect(subDecimal('2.5', '2.5')).toBe('0');
  });

  it('multiplies exactly', () => {
    expect(mulDecimal('0.015', '2')).toBe('0.03');
    expect(mulDecimal('100', '1')).toBe('100');
    expect(mulDecimal('-1.5', '1.5')).toBe('-2.25');
  });

  it('shifts the decimal point both ways', () => {
    expect(shiftDecimal('50', -2)).toBe('0.5');
    expect(shiftDecimal('33.33', -2)).toBe('0.3333');
    expect(shiftDecimal('0.125', 2)).toBe('12.5');
    expect(shiftDecimal('0.0001', 2)).toBe('0.01');
    expect(shiftDecimal('7', 0)).toBe('7');
  });

  it('compares and normalises', () => {
    expect(compareDecimal('1.10', '1.1')).toBe(0);
    expect(compareDecimal('100.0001', '100')).toBe(1);
    expect(compareDecimal('-1', '0')).toBe(-1);
    expect(normalizeDecimal('0010.500')).toBe('10.5');
    expect(normalizeDecimal('-0.0')).toBe('0');
    expect(normalizeDecimal('1e5')).toBeNull();
    expect(isDecimalString('12.5')).toBe(true);
    expect(isDecimalString('12.')).toBe(false);
    expect(isDecimalString(' 1')).toBe(false);
  });

  it('rejects non-decimals in arithmetic', () => {
    expect(() => addDecimal('1', 'abc')).toThrow(RangeError);
    expect(() => mulDecimal('1e3', '2')).toThrow(/not a decimal/);
  });

  it('prints floats without exponent', () => {
    expect(decimalFromNumber(61234.5)).toBe('61234.5');
    expect(decimalFromNumber(1e-7)).toBe('0.0000001');
    expect(decimalFromNumber(0.1 + 0.2, 8)).toBe('0.3');
    expect(decimalFromNumber(Number.NaN)).toBeNull();
  });

  it('rounds to a step, half away from zero', () => {
    expect(roundToStep('61234.567', '0.1')).toBe('61234.6');
    expect(roundToStep('61234.549', '0.1')).toBe('61234.5');
    expect(roundToStep('0.5', '1')).toBe('1');
    expect(roundToStep('-0.5', '1')).toBe('-1');
    expect(roundToStep('12.3456', '0.0001')).toBe('12.3456');
    expect(roundToStep('7', '0')).toBe('7');
  });
});
