/**
 * Exact arithmetic on small plain decimal strings with float integers — a fast path for the paper engine's
 * hot loop (balances, locks, costs and fees of ordinary sizes), giving exactly the strings that precision.ts'
 * `str(new Dec(a).plus(b))` & co. give, or null when it cannot be sure (then the caller uses decimal.js).
 *
 * A string is taken when it is a plain decimal (`-12.340`, no exponent) with at most 16 significant digits
 * forming a safe integer: its value is m / 10^e with m exact in a float. A sum or product is computed on such
 * integers (scales aligned by exact powers of ten up to 10^22) and returned only when every integer involved
 * is a safe integer (≤ 2^53 − 1: float integer arithmetic is then exact; a result past it is detected, since
 * rounding to floats is monotonic). Such results have at most 16 significant digits, far below the 40 of
 * `Dec`, so decimal.js computes them exactly too; the string is the canonical form `str` writes (plain digits,
 * no trailing zeros after the point, `0` for zero, never `-0`).
 *
 * {@link plusDec} & co. wrap them with the decimal.js fallback: always the string of the decimal.js operation.
 */
import { Dec, str } from './precision.js';

/** 10^k as floats, k = 0..22 (all exact). */
const POW10: number[] = [1];
for (let k = 1; k <= 22; k++) POW10.push(POW10[k - 1]! * 10);

/** Most significant digits taken: 16, the mantissa also being a safe integer (≤ 2^53 − 1). */
const MAX_DIGITS = 16;
/** Largest 15-digit mantissa whose × 10 + a digit stays exact (× 10 ≤ 2^53). */
const MAX_BEFORE_16 = 900_719_925_474_099;

// Parse registers (no allocation): mantissa and scale of the last successful {@link parse}.
let pm = 0;
let pe = 0;

/** Parses a plain decimal string into `pm` / `pe`; false when it is not one or has more than 15 significant digits. */
function parse(s: string): boolean {
  const n = s.length;
  let i = 0;
  let neg = false;
  if (n === 0) return false;
  if (s.charCodeAt(0) === 45) {
    neg = true;
    i = 1;
    if (n === 1) return false;
  }
  let m = 0;
  let digits = 0;
  let e = 0;
  let dot = false;
  let any = false;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (dot || !any) return false;
      dot = true;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9) return false;
    any = true;
    if (dot) e++;
    if (m === 0 && d === 0) continue; // leading zeros are no significant digits
    if (++digits > MAX_DIGITS) return false;
    if (digits === MAX_DIGITS && m > MAX_BEFORE_16) return false;
    m = m * 10 + d;
    if (digits === MAX_DIGITS && !Number.isSafeInteger(m)) return false;
  }
  if (!any || s.charCodeAt(n - 1) === 46) return false;
  if (e > 22) return false;
  pm = neg ? -m : m;
  pe = e;
  return true;
}

/** The canonical string of m / 10^e (m a safe integer, 0 ≤ e ≤ 22), as `str` writes it. */
export function formatSmall(m: number, e: number): string {
  if (m === 0) return '0';
  const neg = m < 0;
  let a = neg ? -m : m;
  // strip trailing zeros of the fraction on the integer (exact: a multiple of 10 divided by 10)
  while (e > 0 && a % 10 === 0) {
    a /= 10;
    e--;
  }
  let d = String(a);
  if (e > 0) d = d.length <= e ? `0.${ZEROS.slice(0, e - d.length)}${d}` : `${d.slice(0, d.length - e)}.${d.slice(d.length - e)}`;
  return neg ? `-${d}` : d;
}
const ZEROS = '0000000000000000000000';

/** `str(new Dec(a).plus(b))` (also `minus` with `sign` −1), or null when the fast path does not apply. */
function addSigned(a: string, b: string, sign: 1 | -1): string | null {
  if (!parse(a)) return null;
  const am = pm;
  const ae = pe;
  if (!parse(b)) return null;
  const bm = sign === 1 ? pm : -pm;
  const be = pe;
  const e = ae > be ? ae : be;
  const x = am * POW10[e - ae]!;
  const y = bm * POW10[e - be]!;
  const r = x + y;
  if (!Number.isSafeInteger(x) || !Number.isSafeInteger(y) || !Number.isSafeInteger(r)) return null;
  return formatSmall(r, e);
}

/** `str(new Dec(a).plus(b))` for plain decimal strings, or null when not sure (see the module doc). */
export function addSmall(a: string, b: string): string | null {
  return addSigned(a, b, 1);
}

/** `str(new Dec(a).minus(b))`, or null when not sure. */
export function subSmall(a: string, b: string): string | null {
  return addSigned(a, b, -1);
}

/** `str(new Dec(a).mul(b))`, or null when not sure. */
export function mulSmall(a: string, b: string): string | null {
  if (!parse(a)) return null;
  const am = pm;
  const ae = pe;
  if (!parse(b)) return null;
  const e = ae + pe;
  const r = am * pm;
  if (e > 22 || !Number.isSafeInteger(r)) return null;
  return formatSmall(r, e);
}

/** The sign of a − b (−1, 0, 1) for plain decimal strings, or NaN when not sure. */
export function cmpSmall(a: string, b: string): number {
  if (!parse(a)) return NaN;
  const am = pm;
  const ae = pe;
  if (!parse(b)) return NaN;
  const e = ae > pe ? ae : pe;
  const x = am * POW10[e - ae]!;
  const y = pm * POW10[e - pe]!;
  if (!Number.isSafeInteger(x) || !Number.isSafeInteger(y)) return NaN;
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * The canonical form (`str(new Dec(s))`) of a plain decimal string, or null when not sure: the string itself
 * when it already is canonical (no sign on zero, no leading zeros, no trailing zeros after the point).
 */
export function canonicalSmall(s: string): string | null {
  if (!parse(s)) return null;
  const out = formatSmall(pm, pe);
  return out === s ? s : out;
}

/**
 * Decimal places of a canonical plain decimal string (`"0.00471"` → 5, `"12"` → 0); -1 when the string is not
 * one the fast path takes. A multiple of a step 10^-k has at most k places.
 */
export function placesSmall(s: string): number {
  if (!parse(s)) return -1;
  // trailing zeros of the fraction do not count
  let e = pe;
  let m = pm;
  while (e > 0 && m % 10 === 0 && m !== 0) {
    m /= 10;
    e--;
  }
  return m === 0 ? 0 : e;
}

// ─── any size: BigInt, rounded like Dec ─────────────────────────────────────────────────────────────────

/** Significant digits of {@link Dec} (its `precision`); results are rounded half-up (away from 0) to them. */
const PRECISION = 40;
/** Longest plain string taken by the BigInt path (longer ones go to decimal.js). */
const MAX_BIG_CHARS = 120;
const POW10N: bigint[] = [1n];
function pow10n(k: number): bigint {
  while (POW10N.length <= k) POW10N.push(POW10N[POW10N.length - 1]! * 10n);
  return POW10N[k]!;
}

// Registers of the last successful parseBig.
let bm = 0n;
let be = 0;
const PLAIN = /^-?\d+(\.\d+)?$/;

/** Parses a plain decimal string into `bm` / `be` (value bm / 10^be); false when not plain or too long. */
function parseBig(s: string): boolean {
  if (s.length > MAX_BIG_CHARS || !PLAIN.test(s)) return false;
  const dot = s.indexOf('.');
  if (dot < 0) {
    bm = BigInt(s);
    be = 0;
  } else {
    bm = BigInt(s.slice(0, dot) + s.slice(dot + 1));
    be = s.length - dot - 1;
  }
  return true;
}

/** Number of decimal digits of |m| (1 for 0). */
function digitsOf(m: bigint): number {
  const a = m < 0n ? -m : m;
  // a decimal string is the cheapest exact digit count for the sizes here
  return a.toString().length;
}

/** m / 10^e rounded half-up to {@link PRECISION} significant digits, as the canonical string. */
function roundFormat(m: bigint, e: number): string {
  const d = digitsOf(m) - PRECISION;
  if (d > 0) {
    const p = pow10n(d);
    let q = m / p;
    const r = m % p;
    if ((r < 0n ? -r : r) * 2n >= p) q += m < 0n ? -1n : 1n;
    m = q;
    e -= d;
  }
  return formatBig(m, e);
}

/** The canonical string of m / 10^e (e may be negative). */
function formatBig(m: bigint, e: number): string {
  if (m === 0n) return '0';
  const neg = m < 0n;
  let d = (neg ? -m : m).toString();
  if (e < 0) d += '0'.repeat(-e);
  else if (e > 0) {
    let cut = 0;
    while (cut < e && d.charCodeAt(d.length - 1 - cut) === 48) cut++;
    if (cut > 0) {
      d = d.slice(0, d.length - cut);
      e -= cut;
    }
    if (e > 0) {
      if (d.length <= e) d = `0.${'0'.repeat(e - d.length)}${d}`;
      else d = `${d.slice(0, d.length - e)}.${d.slice(d.length - e)}`;
    }
  }
  return neg ? `-${d}` : d;
}

/** `str(new Dec(a).plus(b))` (`minus` with sign −1) by BigInt, or null for a string it does not take. */
function addBig(a: string, b: string, sign: 1 | -1): string | null {
  if (!parseBig(a)) return null;
  const am = bm;
  const ae = be;
  if (!parseBig(b)) return null;
  const e = ae > be ? ae : be;
  const x = ae === e ? am : am * pow10n(e - ae);
  const y = be === e ? bm : bm * pow10n(e - be);
  return roundFormat(sign === 1 ? x + y : x - y, e);
}

/** `str(new Dec(a).mul(b))` by BigInt, or null. */
function mulBig(a: string, b: string): string | null {
  if (!parseBig(a)) return null;
  const am = bm;
  const ae = be;
  if (!parseBig(b)) return null;
  return roundFormat(am * bm, ae + be);
}

/**
 * `str(new Dec(a).div(b))` by BigInt — the exact quotient rounded half-up to 40 significant digits — or null
 * (for a zero divisor too: decimal.js answers it).
 */
function divBig(a: string, b: string): string | null {
  if (!parseBig(a)) return null;
  const am = bm;
  const ae = be;
  if (!parseBig(b)) return null;
  if (bm === 0n) return null;
  if (am === 0n) return '0';
  const neg = am < 0n !== bm < 0n;
  // a / b = N / D with N = |am| · 10^be, D = |bm| · 10^ae
  const N = (am < 0n ? -am : am) * pow10n(be);
  const D = (bm < 0n ? -bm : bm) * pow10n(ae);
  // scale N so that the integer quotient has at least 41 digits, then round its tail with the remainder
  const k = Math.max(0, PRECISION + 1 - (digitsOf(N) - digitsOf(D)));
  const Nk = N * pow10n(k);
  const Q = Nk / D;
  const R = Nk % D;
  const qd = digitsOf(Q);
  let m = Q;
  let e = k;
  const drop = qd - PRECISION;
  if (drop > 0) {
    const p = pow10n(drop);
    m = Q / p;
    // the dropped part as a fraction of one unit of the kept last digit: ((Q mod p)·D + R) / (p·D)
    const rest = (Q % p) * D + R;
    if (rest * 2n >= p * D) m += 1n;
    e -= drop;
  } else if (R * 2n >= D && drop === 0) {
    // exactly 40 digits kept and the remainder is half a unit or more
    m += 1n;
  }
  return formatBig(neg ? -m : m, e);
}

/** `str(new Dec(a).plus(b))`: exact float integers ({@link addSmall}), else BigInt, else decimal.js. */
export function plusDec(a: string, b: string): string {
  return addSmall(a, b) ?? addBig(a, b, 1) ?? str(new Dec(a).plus(b));
}

/** `str(new Dec(a).minus(b))` (see {@link plusDec}). */
export function minusDec(a: string, b: string): string {
  return subSmall(a, b) ?? addBig(a, b, -1) ?? str(new Dec(a).minus(b));
}

/** `str(new Dec(a).mul(b))` (see {@link plusDec}). */
export function timesDec(a: string, b: string): string {
  return mulSmall(a, b) ?? mulBig(a, b) ?? str(new Dec(a).mul(b));
}

/** `str(new Dec(a).div(b))`: BigInt (correctly rounded like decimal.js), else decimal.js. */
export function divDec(a: string, b: string): string {
  return divBig(a, b) ?? str(new Dec(a).div(b));
}

/** The BigInt paths alone, for tests: null when they do not take the input. */
export const bigPaths = { add: (a: string, b: string) => addBig(a, b, 1), sub: (a: string, b: string) => addBig(a, b, -1), mul: mulBig, div: divBig };

/** `str(new Dec(s))`: the canonical string of a decimal string (see {@link canonicalSmall}), else decimal.js. */
export function canonicalDec(s: string): string {
  return canonicalSmall(s) ?? str(new Dec(s));
}
