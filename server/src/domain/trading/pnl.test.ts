import { describe, expect, it } from 'vitest';
import { fundingPayment, fundingTimesBetween } from './funding.js';
import { initialMargin, liquidationPrice } from './margin.js';
import { averageEntry, pnlPercent, realizedPnl, unrealizedPnl } from './pnl.js';
import { isMultipleOf, roundToStep, str } from './precision.js';

describe('pnl helpers', () => {
  it('realized PnL of long and short closes', () => {
    expect(str(realizedPnl('long', '60000', '63000', '0.1'))).toBe('300');
    expect(str(realizedPnl('long', '60000', '57000', '0.1'))).toBe('-300');
    expect(str(realizedPnl('short', '60000', '57000', '0.1'))).toBe('300');
    expect(str(realizedPnl('short', '0.5123', '0.5623', '1000'))).toBe('-50');
  });

  it('unrealized PnL at the mark and PnL % on margin', () => {
    expect(str(unrealizedPnl('long', '100', '101.5', '2'))).toBe('3');
    expect(str(pnlPercent('long', '100', '101', 10))).toBe('10');
    expect(str(pnlPercent('short', '100', '101'))).toBe('-1');
    expect(() => pnlPercent('long', '0', '1')).toThrow(/entry/);
  });

  it('weighted average entry', () => {
    expect(str(averageEntry('0.1', '50000', '0.1', '52000'))).toBe('51000');
    expect(str(averageEntry('1', '10', '3', '20'))).toBe('17.5');
  });
});

describe('margin', () => {
  it('initial margin is notional / leverage', () => {
    expect(str(initialMargin('5000', 10))).toBe('500');
    expect(() => initialMargin('1', 0)).toThrow(/leverage/);
  });

  it('liquidation price follows the Binance isolated formula and stays near the rule of thumb', () => {
    // long 10×, entry 50000: 50000 × 0.9 / 0.996
    expect(liquidationPrice('long', '0.1', '50000', '500', '0.004').toFixed(6)).toBe('45180.722892');
    // short 10×: 50000 × 1.1 / 1.004
    expect(liquidationPrice('short', '0.1', '50000', '500', '0.004').toFixed(6)).toBe('54780.876494');
    for (const lev of [2, 5, 20, 50, 125]) {
      const long = liquidationPrice('long', '1', '100', String(100 / lev), '0.004').toNumber();
      const short = liquidationPrice('short', '1', '100', String(100 / lev), '0.004').toNumber();
      expect(Math.abs(long - 100 * (1 - 1 / lev + 0.004))).toBeLessThan(0.4);
      expect(Math.abs(short - 100 * (1 + 1 / lev - 0.004))).toBeLessThan(0.4);
    }
    expect(str(liquidationPrice('long', '1', '100', '100', '0.004'))).toBe('0'); // 1×: never liquidated
  });
});

describe('funding', () => {
  it('positive rate: longs pay, shorts receive; negative rate the reverse', () => {
    expect(str(fundingPayment('long', '0.1', '60000', '0.0001'))).toBe('-0.6');
    expect(str(fundingPayment('short', '0.1', '60000', '0.0001'))).toBe('0.6');
    expect(str(fundingPayment('long', '0.1', '60000', '-0.0001'))).toBe('0.6');
  });

  it('funding times on the 8 h grid, (from, to]', () => {
    const h = 3_600_000;
    expect(fundingTimesBetween(0, 24 * h)).toEqual([8 * h, 16 * h, 24 * h]);
    expect(fundingTimesBetween(8 * h, 8 * h + 1)).toEqual([]);
    expect(fundingTimesBetween(8 * h - 1, 8 * h)).toEqual([8 * h]);
  });
});

describe('precision', () => {
  it('rounds to steps in each direction and prints plain decimals', () => {
    expect(str(roundToStep('65000.04', '0.1', 'up'))).toBe('65000.1');
    expect(str(roundToStep('65000.06', '0.1', 'down'))).toBe('65000');
    expect(str(roundToStep('65000.05', '0.1', 'nearest'))).toBe('65000.1');
    expect(str(roundToStep('0.123456', '0.001', 'down'))).toBe('0.123');
    expect(str('1e-7')).toBe('0.0000001');
    expect(str('-0')).toBe('0');
    expect(isMultipleOf('0.00003', '0.00001')).toBe(true);
    expect(isMultipleOf('0.000035', '0.00001')).toBe(false);
  });
});
