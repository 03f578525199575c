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
