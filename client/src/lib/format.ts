/**
 * Formats a quote-asset price with precision suited to its magnitude: 2 decimals at ≥ 1000, 3 at ≥ 100,
 * 4 at ≥ 1, else 6 significant-ish decimals. Returns `-` for null/NaN.
 */
export function formatPrice(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return '-';
  const abs = Math.abs(value);
  const digits = abs >= 1000 ? 2 : abs >= 100 ? 3 : abs >= 1 ? 4 : 6;
  return value.toFixed(digits);
}

/** Compact number for volumes and large magnitudes: `950`, `12.3K`, `4.56M`, `7.8B`. `-` for null/NaN. */
export function formatCompact(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return '-';
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${(value / 1e9).toFixed(2)}B`;
  if (abs >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (abs >= 1e3) return `${(value / 1e3).toFixed(1)}K`;
  return abs >= 100 ? value.toFixed(0) : value.toFixed(2);
}

/** A number rounded to 4 significant digits for indicator/diagnostic display; `-` for null/NaN. */
export function formatNumber(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return '-';
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}

/** Trims trailing zeros of a fixed-point string (`"12.5000"` → `"12.5"`, `"3.000"` → `"3"`). */
function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/**
 * A quantity (balance, fee, size) from a decimal string or number, rounded for display: 2 decimals at
 * ≥ 1000, 4 at ≥ 1, else 8, trailing zeros removed (`"8998.6198665463"` → `8998.62`, `"0.01541"` → `0.01541`).
 * `-` for null/NaN.
 */
export function formatAmount(value: string | number | null | undefined): string {
  if (value == null || value === '') return '-';
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n)) return '-';
  const abs = Math.abs(n);
  const s = trimZeros(n.toFixed(abs >= 1000 ? 2 : abs >= 1 ? 4 : 8));
  return s === '-0' ? '0' : s;
}

/**
 * A quote-currency money value (cost, fee, margin) for display: 2 decimals at ≥ 1, else 4 significant
 * digits (`"999.4469778832"` → `999.45`, `"0.0999"` → `0.0999`). `-` for null/NaN.
 */
export function formatMoney(value: string | number | null | undefined): string {
  if (value == null || value === '') return '-';
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n)) return '-';
  if (n === 0) return '0';
  return Math.abs(n) >= 1 ? n.toFixed(2) : trimZeros(n.toPrecision(4));
}
