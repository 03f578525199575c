/**
 * Decimal helpers of the trading domain: one `decimal.js` constructor with enough precision for every
 * ledger computation, conversions to the wire format (plain decimal strings, no exponent) and rounding
 * to a market's step. Pure: no ccxt here (the adapters round requests with ccxt; the engine only
 * validates and rounds its own derived prices).
 */
import Decimal from 'decimal.js';

/**
 * The Decimal constructor used by the trading domain: 40 significant digits (balances of 1e12 with 1e-18
 * resolution stay exact under + − ×), half-up rounding. Instances interoperate with plain `Decimal`.
 */
export const Dec = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -40, toExpPos: 40 });
/** A Decimal instance (of {@link Dec} or plain `decimal.js`). */
export type Dec = Decimal;

/** Anything {@link Dec} accepts: a decimal string, a finite number (its shortest representation) or a Decimal. */
export type DecimalInput = Decimal.Value;

/** Zero, shared. */
export const ZERO = new Dec(0);

/** Converts to {@link Dec}. @throws Error on a non-numeric value */
export function dec(v: DecimalInput): Decimal {
  return new Dec(v);
}

/** The wire form of a decimal: plain digits, no exponent, no trailing zeros, never `-0`. E.g. `"0.00001"`. */
export function str(v: DecimalInput): string {
  const d = new Dec(v);
  return d.isZero() ? '0' : d.toFixed();
}

/** True when `s` is a plain decimal string (`12`, `-0.5`; no exponent, no spaces). */
export function isDecimalString(s: unknown): s is string {
  return typeof s === 'string' && /^-?\d+(\.\d+)?$/.test(s);
}

/** True when `v` is an exact multiple of `step` (step > 0). */
export function isMultipleOf(v: DecimalInput, step: DecimalInput): boolean {
  return new Dec(v).mod(step).isZero();
}

/** Rounding directions of {@link roundToStep}. */
export type StepRounding = 'down' | 'up' | 'nearest';

/**
 * Rounds `v` to a multiple of `step` (step > 0): `down` toward −∞, `up` toward +∞, `nearest` half-up.
 * E.g. `roundToStep("65000.04", "0.1", "up")` → 65000.1.
 */
export function roundToStep(v: DecimalInput, step: DecimalInput, mode: StepRounding): Decimal {
  const rm = mode === 'down' ? Decimal.ROUND_FLOOR : mode === 'up' ? Decimal.ROUND_CEIL : Decimal.ROUND_HALF_UP;
  // Performance: a step of 1, 0.1, 0.01 … (every tick and amount step of the paper markets) is rounding to
  // k decimal places: v / 10^-k = v × 10^k is exact for v of at most 40 significant digits (the precision), so
  // the quotient rounded to an integer, times the step, is v rounded at the k-th place — the same value.
  if (typeof step === 'string') {
    const k = decimalPlacesOfPowerStep(step);
    if (k >= 0) {
      const x = new Dec(v);
      if (x.isFinite() && x.sd() <= 40) return x.toDecimalPlaces(k, rm);
    }
  }
  const s = new Dec(step);
  const q = new Dec(v).div(s);
  return q.toDecimalPlaces(0, rm).mul(s);
}

const powerStepPlaces = new Map<string, number>();
/** k when `step` is the plain string of 10^-k (`1`, `0.1`, `0.01` …, k ≥ 0), else -1 (memoised by string). */
function decimalPlacesOfPowerStep(step: string): number {
  let k = powerStepPlaces.get(step);
  if (k === undefined) {
    k = step === '1' ? 0 : /^0\.0*1$/.test(step) ? step.length - 2 : -1;
    if (powerStepPlaces.size < 1024) powerStepPlaces.set(step, k);
  }
  return k;
}

/** The smaller of two decimals. */
export function dmin(a: DecimalInput, b: DecimalInput): Decimal {
  return Dec.min(a, b);
}

/** The larger of two decimals. */
export function dmax(a: DecimalInput, b: DecimalInput): Decimal {
  return Dec.max(a, b);
}

/**
 * A base amount on a market's amount step for an order of `raw` base at `price`: `raw` floored to the step;
 * but when the floored amount misses the market's minimum amount or minimum notional while `raw` itself
 * meets both (the floor pushed it under, e.g. 100 USDT of BTC at 60 000 on a 0.001 step with a 100 USDT
 * minimum → 0.001 = 60 USDT), `raw` rounded **up** one step instead, so a size the trader asked for that the
 * venue allows is not refused for the rounding alone. Otherwise the floored amount (possibly 0 or below the
 * minimums: the caller skips it, or the venue refuses it naming the minimum). Less than one step stays 0.
 * @param raw wanted base amount (≥ 0)
 * @param price reference price (quote per base) for the notional
 * @param m the market's `amountStep`, `minAmount` and `minNotional` (null = none)
 */
export function amountOnStep(raw: DecimalInput, price: DecimalInput, m: { amountStep: string; minAmount: string | null; minNotional: string | null }): Decimal {
  // The notional is compared at 10 decimals: `raw` often comes from notional / price, whose product with the
  // price can miss the notional in the last significant digit.
  const meets = (a: Decimal) => a.gt(0) && (m.minAmount === null || a.gte(m.minAmount)) && (m.minNotional === null || a.mul(price).toDecimalPlaces(10).gte(m.minNotional));
  const down = roundToStep(raw, m.amountStep, 'down');
  if (down.lte(0) || meets(down) || !meets(new Dec(raw))) return down;
  return roundToStep(raw, m.amountStep, 'up');
}
