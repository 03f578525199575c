import type { Candle, CandleTimeframe, Timeframe } from '@osprey/shared';
import { CandleValidationError, validateCandles } from '../candles.js';
import { computeIndicatorColumns, indicatorColumns } from './engine.js';

const CANDLE_FIELDS = ['ts', 'open', 'high', 'low', 'close', 'volume'] as const;
const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Thrown by {@link parseCandlesCsv} for a malformed CSV. `line` is 1-based in the text (the header is line 1). */
export class CandleCsvError extends Error {
  override readonly name = 'CandleCsvError';
  /**
   * @param line 1-based line number in the CSV text
   * @param field offending column
   * @param reason human description
   */
  constructor(
    readonly line: number,
    readonly field: keyof Candle,
    readonly reason: string,
  ) {
    super(`CSV line ${line}: field "${field}" ${reason}`);
  }
}

/**
 * Parses candle CSV text. The header (line 1) must name the columns `ts,open,high,low,close,volume`
 * (any order, case-insensitive; extra columns are ignored); `ts` is the open time in Unix ms UTC.
 * Blank lines are skipped; `\r\n` line ends are accepted. The candles are then checked with
 * `validateCandles` (finite positive prices, low ≤ open/close ≤ high, non-negative volume, ts aligned to the
 * timeframe and strictly increasing).
 * @param text CSV content
 * @param timeframe timeframe of the candles (alignment check; any stored timeframe, `1m` … `1d`)
 * @returns the candles in file order
 * @throws CandleCsvError naming the 1-based line and the field: missing header column, missing or
 *   non-numeric cell, or any `validateCandles` failure
 */
export function parseCandlesCsv(text: string, timeframe: CandleTimeframe): Candle[] {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().toLowerCase());
  const idx = CANDLE_FIELDS.map((f) => {
    const i = header.indexOf(f);
    if (i < 0) throw new CandleCsvError(1, f, 'is missing from the header (expected ts,open,high,low,close,volume)');
    return i;
  });
  const candles: Candle[] = [];
  const lineOfRow: number[] = [];
  for (let l = 1; l < lines.length; l++) {
    const raw = lines[l]!;
    if (raw.trim() === '') continue;
    const cells = raw.split(',');
    const values = CANDLE_FIELDS.map((f, k) => {
      const cell = cells[idx[k]!]?.trim();
      if (cell === undefined || cell === '') throw new CandleCsvError(l + 1, f, 'is missing');
      if (!NUMBER_RE.test(cell)) throw new CandleCsvError(l + 1, f, `is not a number (got "${cell}")`);
      return Number(cell);
    });
    const [ts, open, high, low, close, volume] = values as [number, number, number, number, number, number];
    candles.push({ ts, open, high, low, close, volume });
    lineOfRow.push(l + 1);
  }
  try {
    validateCandles(candles, timeframe);
  } catch (e) {
    if (e instanceof CandleValidationError) throw new CandleCsvError(lineOfRow[e.row] ?? 0, e.field, e.reason);
    throw e;
  }
  return candles;
}

/**
 * Indicator CSV (used by the CLI `osprey indicators`): header `ts,<columns of the timeframe>`, one row per
 * candle, numbers as `String(n)`, empty cells for null (before warm-up). Lines end with `\n`.
 * @param candles ascending by ts (Unix ms UTC)
 * Values are those of `computeIndicators` (computed column-wise).
 * @throws RangeError if a candle's `ts` is smaller than its predecessor's
 */
export function indicatorsCsv(candles: readonly Candle[], timeframe: Timeframe): string {
  const names = indicatorColumns(timeframe);
  const columns = computeIndicatorColumns(candles, timeframe);
  const cols = names.map((c) => columns[c]!);
  const out: string[] = [['ts', ...names].join(',')];
  for (let i = 0; i < candles.length; i++) {
    let row = String(candles[i]!.ts);
    for (const col of cols) {
      const x = col[i]!;
      row += Number.isNaN(x) ? ',' : `,${String(x)}`;
    }
    out.push(row);
  }
  return `${out.join('\n')}\n`;
}
