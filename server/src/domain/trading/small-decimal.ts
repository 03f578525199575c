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

// Parse registers: mantissa and scale of the last successful {@link parse} (module `let`s holding numbers past
// the small-integer range would be boxed at every write; these are read back as locals at once).
const R = new Float64Array(2);

/** Parses a plain decimal string into the registers `R` (mantissa, scale); false when it is not one or has more than 15 significant digits. */
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
  R[0] = neg ? -m : m;
  R[1] = e;
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
  // an integer below 2^53: String prints all its digits (and is the fastest)
  if (e === 0) return String(neg ? -a : a);
  // One flat string (the state keeps these strings; a concatenation would keep its parts alive too). toFixed
  // prints the double nearest a / 10^e rounded to e places: this decimal itself while a < 4e15 (the double is
  // then within 0.5e-e of it), with no exponent and, a having no trailing zero, no trailing zero. (Faster than
  // String's shortest form here, and exact for 16 digits too.)
  if (a < 4e15) return ((neg ? -a : a) / POW10[e]!).toFixed(e);
  let d = String(a);
  d = d.length <= e ? ['0.', ZEROS.slice(0, e - d.length), d].join('') : [d.slice(0, d.length - e), '.', d.slice(d.length - e)].join('');
  return neg ? ['-', d].join('') : d;
}
const ZEROS = '0000000000000000000000';

/** `str(new Dec(a).plus(b))` (also `minus` with `sign` −1), or null when the fast path does not apply. */
function addSigned(a: string, b: string, sign: 1 | -1): string | null {
  if (!parse(a)) return null;
  const am = R[0]!;
  const ae = R[1]!;
  if (!parse(b)) return null;
  const bm = sign === 1 ? R[0]! : -R[0]!;
  const be = R[1]!;
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
  const am = R[0]!;
  const ae = R[1]!;
  if (!parse(b)) return null;
  const e = ae + R[1]!;
  const r = am * R[0]!;
  if (e > 22 || !Number.isSafeInteger(r)) return null;
  return formatSmall(r, e);
}

/** The sign of a − b (−1, 0, 1) for plain decimal strings, or NaN when not sure. */
export function cmpSmall(a: string, b: string): number {
  if (!parse(a)) return NaN;
  const am = R[0]!;
  const ae = R[1]!;
  if (!parse(b)) return NaN;
  const e = ae > R[1]! ? ae : R[1]!;
  const x = am * POW10[e - ae]!;
  const y = R[0]! * POW10[e - R[1]!]!;
  if (!Number.isSafeInteger(x) || !Number.isSafeInteger(y)) return NaN;
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * The canonical form (`str(new Dec(s))`) of a plain decimal string, or null when not sure: the string itself
 * when it already is canonical (no sign on zero, no leading zeros, no trailing zeros after the point).
 */
export function canonicalSmall(s: string): string | null {
  if (!parse(s)) return null;
  // already canonical (the usual case: the state's own strings): the string itself, nothing built
  if (isCanonical(s)) return s;
  return formatSmall(R[0]!, R[1]!);
}

/**
 * True when a plain decimal string is in the canonical form `str` writes: no `-` on zero, no leading zeros
 * (but the one of `0.…`), no trailing zeros after the point.
 */
function isCanonical(s: string): boolean {
  const n = s.length;
  const neg = s.charCodeAt(0) === 45;
  const i = neg ? 1 : 0;
  const dot = s.indexOf('.');
  // leading zero only as the whole integer part
  if (s.charCodeAt(i) === 48 && (dot < 0 ? n - i > 1 : dot - i > 1)) return false;
  if (dot >= 0 && s.charCodeAt(n - 1) === 48) return false;
  if (neg) {
    // "-0", "-0.0…" are not canonical (zero has no sign); a canonical negative has a nonzero digit
    for (let k = i; k < n; k++) {
      const c = s.charCodeAt(k);
      if (c > 48 && c <= 57) return true;
    }
    return false;
  }
  return true;
}

/**
 * Decimal places of a canonical plain decimal string (`"0.00471"` → 5, `"12"` → 0); -1 when the string is not
 * one the fast path takes. A multiple of a step 10^-k has at most k places.
 */
export function placesSmall(s: string): number {
  if (!parse(s)) return -1;
  // trailing zeros of the fraction do not count
  let e = R[1]!;
  let m = R[0]!;
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
  // the strings last written by formatBig come back as the next operation's operands (a chain of operations
  // on 40-digit values): a small ring of them (compared by `===`: the same string object) skips the parse
  for (let k = 0; k < BIG_MEMO; k++) {
    if (memoBigS[k] === s) {
      bm = memoBigM[k]!;
      be = memoBigE[k]!;
      return true;
    }
  }
  if (s.length > MAX_BIG_CHARS || !PLAIN.test(s)) return false;
  const dot = s.indexOf('.');
  if (dot < 0) {
    bm = BigInt(s);
    be = 0;
  } else {
    bm = BigInt(s.slice(0, dot) + s.slice(dot + 1));
    be = s.length - dot - 1;
  }
  rememberBig(s, bm, be);
  return true;
}

const BIG_MEMO = 8;
const memoBigS: string[] = new Array<string>(BIG_MEMO).fill('');
const memoBigM: bigint[] = new Array<bigint>(BIG_MEMO).fill(0n);
const memoBigE = new Int32Array(BIG_MEMO);
let memoBigNext = 0;
/** Remembers the parse of a string (see {@link parseBig}). */
function rememberBig(s: string, m: bigint, e: number): void {
  memoBigS[memoBigNext] = s;
  memoBigM[memoBigNext] = m;
  memoBigE[memoBigNext] = e;
  memoBigNext = (memoBigNext + 1) % BIG_MEMO;
}

/** Number of decimal digits of |m| (1 for 0). */
function digitsOf(m: bigint): number {
  const a = m < 0n ? -m : m;
  // no string: compare with the powers of ten (about the bit length × log10 2, then exact)
  let k = Math.floor((bitLength(a) - 1) * 0.30102999566398114);
  if (k < 0) k = 0;
  while (a >= pow10n(k + 1)) k++;
  while (k > 0 && a < pow10n(k)) k--;
  return k + 1;
}

/**
 * About the bits of a non-negative BigInt (0 for 0), from its float (exact below 2^53, within a bit or two
 * above; {@link digitsOf} corrects the estimate); from its hexadecimal length past the float range.
 */
function bitLength(a: bigint): number {
  if (a === 0n) return 0;
  const f = Number(a);
  return f === Infinity ? a.toString(16).length * 4 : Math.floor(Math.log2(f)) + 1;
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

/** The canonical string of m / 10^e (e may be negative), remembered for the next {@link parseBig}. */
function formatBig(m: bigint, e: number): string {
  const out = formatBigRaw(m, e);
  if (e >= 0 && e <= 1000) rememberBig(out, m, e);
  return out;
}

function formatBigRaw(m: bigint, e: number): string {
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
      // joined, not concatenated: one flat string (a kept concatenation keeps its parts alive too)
      if (d.length <= e) d = ['0.', '0'.repeat(e - d.length), d].join('');
      else d = [d.slice(0, d.length - e), '.', d.slice(d.length - e)].join('');
    }
  }
  return neg ? ['-', d].join('') : d;
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

/**
 * `str(new Dec(a).plus(b).minus(c))` with `sign` 1, `str(new Dec(a).minus(b).minus(c))` with −1 — what the
 * two operations in turn give ({@link plusDec}, {@link minusDec}: each exact while within 40 digits), in one
 * step on float integers when a, b, c and every partial sum are safe integers at a common scale (the exact
 * value, so the same canonical string, one string built instead of two), else the two operations.
 */
export function addThenSubDec(a: string, b: string, c: string, sign: 1 | -1): string {
  if (parse(a)) {
    const am = R[0]!;
    const ae = R[1]!;
    if (parse(b)) {
      const bm = sign === 1 ? R[0]! : -R[0]!;
      const be = R[1]!;
      if (parse(c)) {
        const cm = R[0]!;
        const ce = R[1]!;
        const e = ae > be ? (ae > ce ? ae : ce) : be > ce ? be : ce;
        const x = am * POW10[e - ae]!;
        const y = bm * POW10[e - be]!;
        const z = cm * POW10[e - ce]!;
        const xy = x + y;
        const r = xy - z;
        if (Number.isSafeInteger(x) && Number.isSafeInteger(y) && Number.isSafeInteger(z) && Number.isSafeInteger(xy) && Number.isSafeInteger(r)) return formatSmall(r, e);
      }
    }
  }
  return minusDec(sign === 1 ? plusDec(a, b) : minusDec(a, b), c);
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

// ─── rounding to decimal places, market steps ───────────────────────────────────────────────────────────

/** Rounding of {@link roundPlacesDec}: toward −∞, toward +∞, or to the nearest with ties away from zero. */
export type PlacesRounding = 'down' | 'up' | 'nearest';

/**
 * `str(new Dec(s).toDecimalPlaces(k, ROUND_FLOOR | ROUND_CEIL | ROUND_HALF_UP))` for a plain decimal string:
 * the exact rounding at k places (float integers, else BigInt), or decimal.js for anything else.
 */
export function roundPlacesDec(s: string, k: number, mode: PlacesRounding): string {
  if (parse(s)) {
    const m = R[0]!;
    const e = R[1]!;
    if (e <= k) return formatSmall(m, e);
    const p = POW10[e - k]!;
    const r = m % p; // exact: both safe integers; the sign of m
    let q = (m - r) / p; // exact: a multiple of p divided by p
    if (mode === 'down' ? r < 0 : mode === 'up' ? r > 0 : (r < 0 ? -r : r) * 2 >= p) q += r < 0 ? -1 : 1;
    return formatSmall(q, k);
  }
  if (parseBig(s)) {
    const m = bm;
    const e = be;
    if (e <= k) return formatBig(m, e);
    const p = pow10n(e - k);
    const r = m % p;
    let q = m / p;
    if (mode === 'down' ? r < 0n : mode === 'up' ? r > 0n : (r < 0n ? -r : r) * 2n >= p) q += r < 0n ? -1n : 1n;
    return formatBig(q, k);
  }
  const rm = mode === 'down' ? Dec.ROUND_FLOOR : mode === 'up' ? Dec.ROUND_CEIL : Dec.ROUND_HALF_UP;
  return str(new Dec(s).toDecimalPlaces(k, rm));
}

/** The sign of a − b (−1, 0, 1) for decimal strings: float integers, else BigInt, else decimal.js. */
export function cmpDec(a: string, b: string): number {
  const c = cmpSmall(a, b);
  if (c === c) return c;
  if (parseBig(a)) {
    const am = bm;
    const ae = be;
    if (parseBig(b)) {
      const e = ae > be ? ae : be;
      const x = ae === e ? am : am * pow10n(e - ae);
      const y = be === e ? bm : bm * pow10n(e - be);
      return x < y ? -1 : x > y ? 1 : 0;
    }
  }
  return new Dec(a).cmp(b);
}

const STEP_PLACES = new Map<string, number>();
/** k when a market step is the plain string of 10^-k (`1`, `0.01`, `0.00001` …), else -1 (memoised). */
export function stepPlacesOf(step: string): number {
  let k = STEP_PLACES.get(step);
  if (k === undefined) {
    k = step === '1' ? 0 : /^0\.0*1$/.test(step) ? step.length - 2 : -1;
    if (STEP_PLACES.size < 1024) STEP_PLACES.set(step, k);
  }
  return k;
}

/**
 * `str(roundToStep(v, step, mode))` (precision.ts) for a plain decimal string: by {@link roundPlacesDec} when the
 * step is a power of ten (what roundToStep's own fast path computes), else null (the caller uses roundToStep).
 */
export function roundToStepDec(v: string, step: string, mode: PlacesRounding): string | null {
  const k = stepPlacesOf(step);
  return k < 0 ? null : roundPlacesDec(v, k, mode);
}

/**
 * `str(amountOnStep(raw, price, m))` (precision.ts) on decimal strings when the amount step is a power of ten,
 * else null: the same steps — floored to the step; rounded up one step when only the floor misses the minimum
 * amount or notional (the notional compared at 10 places, rounded half-up) while `raw` meets both.
 */
export function amountOnStepDec(raw: string, price: string, m: { amountStep: string; minAmount: string | null; minNotional: string | null }): string | null {
  const k = stepPlacesOf(m.amountStep);
  if (k < 0) return null;
  const meets = (a: string) => cmpDec(a, '0') > 0 && (m.minAmount === null || cmpDec(a, m.minAmount) >= 0) && (m.minNotional === null || cmpDec(roundPlacesDec(timesDec(a, price), 10, 'nearest'), m.minNotional) >= 0);
  const down = roundPlacesDec(raw, k, 'down');
  if (cmpDec(down, '0') <= 0 || meets(down) || !meets(raw)) return down;
  return roundPlacesDec(raw, k, 'up');
}
