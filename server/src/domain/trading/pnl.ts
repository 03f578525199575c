/**
 * Profit and loss of linear (USDT-margined or spot) positions, in the quote currency. All gross of fees
 * and funding: callers subtract those separately. Amounts are base-currency sizes (positive).
 */
import type { PositionSide } from '@osprey/shared';
import type Decimal from 'decimal.js';
import { Dec, type DecimalInput } from './precision.js';

/** +1 for long, −1 for short. */
export function sideSign(side: PositionSide): 1 | -1 {
  return side === 'long' ? 1 : -1;
}

/**
 * Realized PnL of closing `amount` of a position opened at `entry` at price `exit` (quote currency):
 * long `(exit − entry) × amount`, short `(entry − exit) × amount`.
 * E.g. long 0.1 BTC from 60000 closed at 63000 → 300.
 */
export function realizedPnl(side: PositionSide, entry: DecimalInput, exit: DecimalInput, amount: DecimalInput): Decimal {
  return new Dec(exit).minus(entry).mul(amount).mul(sideSign(side));
}

/**
 * Unrealized PnL of an open position at the mark price; same formula as {@link realizedPnl} with
 * `exit = mark`.
 */
export function unrealizedPnl(side: PositionSide, entry: DecimalInput, mark: DecimalInput, amount: DecimalInput): Decimal {
  return realizedPnl(side, entry, mark, amount);
}

/**
 * PnL in percent of the margin put up: `(exit − entry) / entry × side × leverage × 100`
 * (Binance's "ROE"; with leverage 1 this is the plain price return). E.g. long 10× from 100 to 101 → 10.
 * @throws Error when `entry` is zero
 */
export function pnlPercent(side: PositionSide, entry: DecimalInput, exit: DecimalInput, leverage: DecimalInput = 1): Decimal {
  const e = new Dec(entry);
  if (e.isZero()) throw new Error('entry: must not be zero');
  return new Dec(exit).minus(e).div(e).mul(sideSign(side)).mul(leverage).mul(100);
}

/**
 * Weighted average entry after adding `addAmount` at `addPrice` to `amount` held at `entry`:
 * `(amount × entry + addAmount × addPrice) / (amount + addAmount)`.
 * @throws Error when the resulting size is zero
 */
export function averageEntry(amount: DecimalInput, entry: DecimalInput, addAmount: DecimalInput, addPrice: DecimalInput): Decimal {
  const total = new Dec(amount).plus(addAmount);
  if (total.isZero()) throw new Error('amount: total size must not be zero');
  return new Dec(amount).mul(entry).plus(new Dec(addAmount).mul(addPrice)).div(total);
}
