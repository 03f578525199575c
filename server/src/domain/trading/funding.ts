/**
 * Perpetual funding: at each funding time (every 8 h on Binance: 00:00, 08:00, 16:00 UTC) holders pay or
 * receive `position value × rate`, where position value = size × mark price. Binance convention: a
 * positive rate means longs pay shorts, a negative one shorts pay longs
 * (Binance support FAQ "Introduction to Binance Futures Funding Rates").
 */
import type { PositionSide } from '@osprey/shared';
import type Decimal from 'decimal.js';
import { Dec, type DecimalInput } from './precision.js';

/** Binance's funding interval for BTC/ETH/SOL/XRP USDT perpetuals, ms (8 h). */
export const FUNDING_INTERVAL_MS = 8 * 3_600_000;

/**
 * Funding cash flow of a position, from the holder's point of view (quote currency): positive = received,
 * negative = paid. `−side × size × mark × rate`; e.g. long 0.1 BTC at mark 60000, rate 0.0001 → −0.6.
 */
export function fundingPayment(side: PositionSide, size: DecimalInput, markPrice: DecimalInput, rate: DecimalInput): Decimal {
  const value = new Dec(size).mul(markPrice).mul(rate);
  return side === 'long' ? value.neg() : value;
}

/**
 * Funding times strictly after `from` and at or before `to` (Unix ms), on a grid of `intervalMs` aligned to
 * the Unix epoch (8 h → 00:00/08:00/16:00 UTC).
 */
export function fundingTimesBetween(from: number, to: number, intervalMs: number = FUNDING_INTERVAL_MS): number[] {
  const out: number[] = [];
  for (let t = Math.floor(from / intervalMs) * intervalMs + intervalMs; t <= to; t += intervalMs) out.push(t);
  return out;
}
