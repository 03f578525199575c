import Decimal from 'decimal.js';
import { roundToStep } from '../trading/precision.js';

/** Rounds an amount down to the market's step: never order more than asked. */
const floorToStep = (v: Decimal.Value, step: Decimal.Value): Decimal => roundToStep(v, step, 'down');

/** How the trader sizes a position. */
export type Sizing =
  /** Amount in base currency, e.g. 0.01 BTC. */
  | { mode: 'base'; value: string }
  /** Quote notional, e.g. 500 USDT → 500 / entry price. */
  | { mode: 'quote'; value: string }
  /** Risk a percentage of equity between entry and stop-loss: amount = equity × pct / 100 / |entry − stop|. */
  | { mode: 'risk'; value: string };

/** Thrown for sizing inputs that cannot produce an order; `field` names the input. */
export class SizingError extends Error {
  override readonly name = 'SizingError';
  /** @param field offending input, e.g. `stopLoss` */
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/**
 * Base amount of a new position, floored to `amountStep`.
 * Formula for `risk`: the classic fixed-fractional position size (Van Tharp, *Definitive Guide to Position
 * Sizing*): risk capital / per-unit risk, where per-unit risk = |entry − stop|.
 * @param entryPrice expected entry (last price for market orders), quote per base
 * @param equity account equity in quote (for `risk`)
 * @param stopLoss stop price (required for `risk`)
 * @throws SizingError naming `sizing.value` (≤ 0 or > 100 %), `stopLoss` (missing or equal to entry) or `sizing.value` when the result rounds to 0
 */
export function positionAmount(s: Sizing, p: { entryPrice: string; equity: string; stopLoss?: string | undefined; amountStep: string }): Decimal {
  const v = new Decimal(s.value);
  if (!v.isFinite() || v.lte(0)) throw new SizingError('sizing.value', 'must be greater than 0');
  const entry = new Decimal(p.entryPrice);
  let raw: Decimal;
  if (s.mode === 'base') raw = v;
  else if (s.mode === 'quote') raw = v.div(entry);
  else {
    if (v.gt(100)) throw new SizingError('sizing.value', 'risk must be at most 100 % of equity');
    if (!p.stopLoss) throw new SizingError('stopLoss', 'is required to size by risk');
    const perUnit = entry.minus(p.stopLoss).abs();
    if (perUnit.isZero()) throw new SizingError('stopLoss', 'must differ from the entry price');
    raw = new Decimal(p.equity).mul(v).div(100).div(perUnit);
  }
  const amount = floorToStep(raw, p.amountStep);
  if (amount.lte(0)) throw new SizingError('sizing.value', `gives less than one amount step (${p.amountStep})`);
  return amount;
}

/**
 * Splits a position amount across take-profit targets by share (fractions summing to ≤ 1), each floored
 * to the step; the last target takes whatever rounding left over so the targets never exceed the position.
 * @returns one amount per target (may contain zeros when a share is below one step)
 * @throws SizingError naming `takeProfits` when shares are not in (0, 1] or sum above 1
 */
export function splitByShares(amount: Decimal.Value, shares: readonly string[], step: string): Decimal[] {
  const total = new Decimal(amount);
  let sum = new Decimal(0);
  for (const s of shares) {
    const d = new Decimal(s);
    if (d.lte(0) || d.gt(1)) throw new SizingError('takeProfits', 'each share must be in (0, 1]');
    sum = sum.plus(d);
  }
  if (sum.gt(1)) throw new SizingError('takeProfits', `shares add up to ${sum.toString()} (more than 100 %)`);
  const out = shares.map((s) => floorToStep(total.mul(s), step));
  if (sum.eq(1) && out.length > 0) {
    const assigned = out.slice(0, -1).reduce((a, b) => a.plus(b), new Decimal(0));
    out[out.length - 1] = total.minus(assigned);
  }
  return out;
}
