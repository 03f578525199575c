/**
 * Exact decimal-string arithmetic for the few money operations the UI performs itself (share % ↔ fraction,
 * size multipliers, sums of target shares, rounding to a price step). Values are `BigInt` integers with a
 * decimal scale, so `"0.1" + "0.2"` is exactly `"0.3"`. Display-only maths (PnL colouring, charts) uses floats.
 */

/** A decimal value: `int / 10^scale`. */
interface Dec {
  int: bigint;
  scale: number;
}

const DECIMAL_RE = /^(-)?(\d+)(?:\.(\d+))?$/;

/** True when `s` is a decimal string (`-12.5`, `0.001`; no exponent, no spaces). */
export function isDecimalString(s: string): boolean {
  return DECIMAL_RE.test(s);
}

function parse(s: string): Dec | null {
  const m = DECIMAL_RE.exec(s.trim());
  if (!m) return null;
  const frac = m[3] ?? '';
  const int = BigInt(`${m[2]}${frac}`);
  return { int: m[1] ? -int : int, scale: frac.length };
}

function rescale(d: Dec, scale: number): bigint {
  return d.int * 10n ** BigInt(scale - d.scale);
}

function format(d: Dec): string {
  const neg = d.int < 0n;
  let digits = (neg ? -d.int : d.int).toString();
  if (d.scale > 0) {
    digits = digits.padStart(d.scale + 1, '0');
    const head = digits.slice(0, digits.length - d.scale);
    const tail = digits.slice(digits.length - d.scale).replace(/0+$/, '');
    digits = tail ? `${head}.${tail}` : head;
  }
  return neg && /[1-9]/.test(digits) ? `-${digits}` : digits;
}

function need(s: string): Dec {
  const d = parse(s);
  if (!d) throw new RangeError(`not a decimal number: "${s}"`);
  return d;
}

/** `a + b`, exactly. @throws RangeError when either is not a decimal string */
export function addDecimal(a: string, b: string): string {
  const x = need(a);
  const y = need(b);
  const scale = Math.max(x.scale, y.scale);
  return format({ int: rescale(x, scale) + rescale(y, scale), scale });
}

/** `a − b`, exactly. @throws RangeError when either is not a decimal string */
export function subDecimal(a: string, b: string): string {
  const y = need(b);
  return addDecimal(a, format({ int: -y.int, scale: y.scale }));
}

/** `a × b`, exactly. @throws RangeError when either is not a decimal string */
export function mulDecimal(a: string, b: string): string {
  const x = need(a);
  const y = need(b);
  return format({ int: x.int * y.int, scale: x.scale + y.scale });
}

/** −1, 0 or 1 as `a` is less than, equal to or greater than `b`. @throws RangeError on a non-decimal */
export function compareDecimal(a: string, b: string): number {
  const x = need(a);
  const y = need(b);
  const scale = Math.max(x.scale, y.scale);
  const d = rescale(x, scale) - rescale(y, scale);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/**
 * `s × 10^places` by moving the decimal point (exact): `shiftDecimal("50", -2)` → `"0.5"`,
 * `shiftDecimal("0.125", 2)` → `"12.5"`. @throws RangeError when `s` is not a decimal string
 */
export function shiftDecimal(s: string, places: number): string {
  const d = need(s);
  if (places >= 0) return format({ int: d.int * 10n ** BigInt(places), scale: d.scale });
  return format({ int: d.int, scale: d.scale - places });
}

/** Normalised form of a decimal string (`"010.50"` → `"10.5"`), or null when it is not one. */
export function normalizeDecimal(s: string): string | null {
  const d = parse(s);
  return d ? format(d) : null;
}

/**
 * A float as a decimal string without exponent, rounded to `maxDecimals` places and stripped of trailing
 * zeros (`61234.5` → `"61234.5"`, `1e-7` → `"0.0000001"`). Null for NaN/±Infinity.
 */
export function decimalFromNumber(n: number, maxDecimals = 10): string | null {
  if (!Number.isFinite(n)) return null;
  return normalizeDecimal(n.toFixed(maxDecimals));
}

/**
 * Rounds `value` to the nearest multiple of `step` (half away from zero), e.g. `("61234.567", "0.1")` →
 * `"61234.6"`. A non-positive step returns `value` unchanged. @throws RangeError on a non-decimal
 */
export function roundToStep(value: string, step: string): string {
  const v = need(value);
  const s = need(step);
  if (s.int <= 0n) return format(v);
  const scale = Math.max(v.scale, s.scale);
  const vi = rescale(v, scale);
  const si = rescale(s, scale);
  const neg = vi < 0n;
  const abs = neg ? -vi : vi;
  let q = abs / si;
  if ((abs % si) * 2n >= si) q += 1n;
  return format({ int: (neg ? -q : q) * si, scale });
}
