import type { Timeframe } from '@osprey/shared';

/** The browser's IANA time zone (e.g. `Asia/Shanghai`), falling back to `UTC`. */
export function localTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Cached `en-CA`-style numeric formatter for a time zone (24 h clock, all fields 2-digit). */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Calendar fields of an instant in a time zone. */
export interface ZonedParts {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
  second: string;
}

/**
 * Splits a Unix ms timestamp into zero-padded calendar fields in `timeZone` (IANA name, e.g. `UTC`).
 * Throws RangeError for an unknown time zone.
 */
export function zonedParts(ms: number, timeZone: string): ZonedParts {
  const out: Record<string, string> = {};
  for (const p of formatterFor(timeZone).formatToParts(ms)) out[p.type] = p.value;
  return {
    year: out.year ?? '',
    month: out.month ?? '',
    day: out.day ?? '',
    hour: out.hour === '24' ? '00' : (out.hour ?? ''),
    minute: out.minute ?? '',
    second: out.second ?? '',
  };
}

/** `YYYY-MM-DD HH:mm:ss` of a Unix ms timestamp in `timeZone` (defaults to the browser's zone). */
export function formatDateTime(ms: number, timeZone: string = localTimeZone()): string {
  const p = zonedParts(ms, timeZone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/** `YYYY-MM-DD HH:mm` of a Unix ms timestamp in `timeZone` (defaults to the browser's zone). */
export function formatDateTimeShort(ms: number, timeZone: string = localTimeZone()): string {
  const p = zonedParts(ms, timeZone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** `MM-DD HH:mm` of a Unix ms timestamp in `timeZone` (compact tables). */
export function formatMonthDayTime(ms: number, timeZone: string = localTimeZone()): string {
  const p = zonedParts(ms, timeZone);
  return `${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** `YYYY-MM-DD HH:mm:ss` of a Unix ms timestamp in UTC. */
export function formatUtc(ms: number): string {
  return formatDateTime(ms, 'UTC');
}

/**
 * The period of a candle in `timeZone`, open to close: `2024-08-05 08:00 – 12:00` when it closes on the
 * same calendar day, else `2024-08-05 20:00 – 08-06 00:00`. `periodMs` is the timeframe length.
 */
export function formatCandlePeriod(openTs: number, periodMs: number, timeZone: string = localTimeZone()): string {
  const o = zonedParts(openTs, timeZone);
  const c = zonedParts(openTs + periodMs, timeZone);
  const sameDay = o.year === c.year && o.month === c.month && o.day === c.day;
  return `${o.year}-${o.month}-${o.day} ${o.hour}:${o.minute} – ${sameDay ? '' : `${c.month}-${c.day} `}${c.hour}:${c.minute}`;
}

/**
 * Compact chart axis label for a candle open time (Unix ms) in `timeZone`: `YYYY-MM-DD` on the daily
 * timeframe, `MM-DD HH:mm` on intraday ones.
 */
export function formatAxisLabel(ms: number, timeframe: Timeframe, timeZone: string): string {
  const p = zonedParts(ms, timeZone);
  return timeframe === '1d' ? `${p.year}-${p.month}-${p.day}` : `${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/**
 * Human duration between two instants (Unix ms), e.g. `3h 05m`, `12m`, `2d 4h`. Negative spans are
 * formatted by absolute value.
 */
export function formatDuration(ms: number): string {
  const total = Math.floor(Math.abs(ms) / 60_000);
  const d = Math.floor(total / 1440);
  const h = Math.floor((total % 1440) / 60);
  const m = total % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  return `${m}m`;
}
