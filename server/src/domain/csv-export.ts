/**
 * A pure CSV writer (and reader) for exports.
 *
 * - RFC 4180: fields separated by `,`, records by CRLF (also after the last one); a field holding `"`, `,`, CR or
 *   LF is enclosed in double quotes with each `"` doubled. Everything else is written as is.
 * - Formula injection guard (OWASP "CSV injection"): a *text* cell starting with `=`, `+`, `-`, `@`, tab or CR is
 *   prefixed with `'`, so a spreadsheet shows it as text instead of running it as a formula. A cell that is a plain
 *   number (`-12.5`, `+3`, `1e-8`) is not text and is written unchanged, so negative PnL stays a number.
 * - Times: {@link formatInZone} writes an instant in an IANA zone as ISO 8601 with that moment's offset
 *   (`2024-03-10T03:00:00.000-07:00`), so a time in the repeated hour after a DST change is still unambiguous.
 */

/** A cell value: strings as they are (decimal strings stay exact), numbers and booleans via `String`, null/undefined empty. */
export type CsvCell = string | number | boolean | null | undefined;

/** One column of a CSV: its header and how a row gives its cell. */
export interface CsvColumn<T> {
  header: string;
  value: (row: T) => CsvCell;
}

/** A plain number (what a spreadsheet reads as a number, never as a formula): optional sign, digits, fraction, exponent. */
const NUMBER_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
/** First characters that make a spreadsheet treat a text cell as a formula (or that hide one). */
const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r']);

/**
 * One cell as CSV text: the formula guard for text cells (see the module doc), then RFC 4180 quoting.
 * @returns the encoded field (without a separator)
 */
export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  let s = typeof value === 'string' ? value : String(value);
  if (s.length > 0 && FORMULA_START.has(s[0]!) && !NUMBER_RE.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One record: its cells encoded with {@link csvCell}, joined with `,`, ended with CRLF. */
export function csvLine(cells: readonly CsvCell[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/**
 * A whole CSV: the header record, then one record per row (in the given order).
 * @returns RFC 4180 text with CRLF line ends, a header line even without rows
 */
export function toCsv<T>(columns: readonly CsvColumn<T>[], rows: Iterable<T>): string {
  const parts = [csvLine(columns.map((c) => c.header))];
  for (const r of rows) parts.push(csvLine(columns.map((c) => c.value(r))));
  return parts.join('');
}

/**
 * Parses RFC 4180 text (what {@link toCsv} writes; LF line ends too) into records of fields. Quotes are removed and
 * doubled quotes undone; the formula guard's `'` is kept (it is part of the text). A trailing line end adds no record.
 * @throws SyntaxError naming the record for a quote that is never closed, or text right after a closing quote
 */
export function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  let fieldStarted = false;
  const endField = () => {
    record.push(field);
    field = '';
    fieldStarted = false;
  };
  const endRecord = () => {
    endField();
    out.push(record);
    record = [];
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        const next = text[i];
        if (next !== undefined && next !== ',' && next !== '\r' && next !== '\n') throw new SyntaxError(`record ${out.length + 1}: text after a closing quote`);
        continue;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === '"' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
      i++;
    } else if (ch === ',') {
      endField();
      i++;
    } else if (ch === '\r' || ch === '\n') {
      endRecord();
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else {
      field += ch;
      fieldStarted = true;
      i++;
    }
  }
  if (quoted) throw new SyntaxError(`record ${out.length + 1}: a quoted field is never closed`);
  if (fieldStarted || record.length > 0) endRecord();
  return out;
}

/**
 * Parses a CSV with a header line into objects keyed by the header names.
 * @throws SyntaxError (see {@link parseCsv}), or naming the record whose field count differs from the header's
 */
export function parseCsvObjects(text: string): Record<string, string>[] {
  const [header, ...records] = parseCsv(text);
  if (!header) return [];
  return records.map((r, n) => {
    if (r.length !== header.length) throw new SyntaxError(`record ${n + 2}: ${r.length} fields, the header has ${header.length}`);
    return Object.fromEntries(header.map((h, k) => [h, r[k]!]));
  });
}

const zoneFormatters = new Map<string, Intl.DateTimeFormat>();

function zoneFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = zoneFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    zoneFormatters.set(timeZone, f);
  }
  return f;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * An instant (Unix ms) as ISO 8601 local time in `timeZone` with the offset in force at that instant:
 * `formatInZone(Date.UTC(2024, 2, 10, 10), 'America/Los_Angeles')` → `2024-03-10T03:00:00.000-07:00`;
 * `UTC` gives `+00:00`. Milliseconds are kept, so the text converts back to the same Unix ms.
 * @throws RangeError for a zone `Intl` does not know, or a non-finite time
 */
export function formatInZone(ms: number, timeZone: string): string {
  if (!Number.isFinite(ms)) throw new RangeError(`time: not a finite number: ${ms}`);
  const parts: Record<string, number> = {};
  for (const p of zoneFormatter(timeZone).formatToParts(ms)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const milli = ((ms % 1000) + 1000) % 1000;
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!, milli);
  const offsetMin = Math.round((wall - ms) / 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${pad(parts.year!, 4)}-${pad(parts.month!)}-${pad(parts.day!)}T${pad(parts.hour!)}:${pad(parts.minute!)}:${pad(parts.second!)}.${pad(milli, 3)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/**
 * The two columns of one time field: `<label> (<zone>)` with {@link formatInZone} and `<label>_unix_ms` with the
 * exact Unix ms (what a re-import should read). A null time gives two empty cells.
 */
export function timeColumns<T>(label: string, timeZone: string, get: (row: T) => number | null | undefined): [CsvColumn<T>, CsvColumn<T>] {
  return [
    { header: `${label} (${timeZone})`, value: (r) => { const t = get(r); return t === null || t === undefined ? null : formatInZone(t, timeZone); } },
    { header: `${label}_unix_ms`, value: (r) => get(r) },
  ];
}
