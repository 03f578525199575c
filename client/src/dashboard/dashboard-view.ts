/**
 * Pure helpers of the dashboard (tested): the PnL window starts in the trader's time zone on the market clock,
 * the equity curve with its live point, display at a market's precision, and where an alert leads.
 */
import type { DashboardAlert, DashboardEquityPoint, DashboardWindows } from '@osprey/shared';
import { normalizeDecimal, roundToStep, shiftDecimal } from '../lib/decimal.js';
import { zonedParts } from '../lib/time.js';

const DAY = 86_400_000;

/**
 * Unix ms of 00:00 on the calendar day `year-month-day` (month 1–12) in `timeZone` (IANA name). Days whose
 * midnight is skipped by a DST change give the first instant of that day. @throws RangeError for an unknown zone
 */
export function zonedMidnight(year: number, month: number, day: number, timeZone: string): number {
  const target = Date.UTC(year, month - 1, day);
  let guess = target;
  // Two corrections by the zone's offset at the guess cover every offset change.
  for (let i = 0; i < 3; i++) {
    const p = zonedParts(guess, timeZone);
    const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
    const next = guess - (wall - target);
    if (next === guess) break;
    guess = next;
  }
  return guess;
}

/** The calendar day of `ms` in `timeZone` as `YYYY-MM-DD` (changes once a day: a stable cache key). */
export function dayKey(ms: number, timeZone: string): string {
  const p = zonedParts(ms, timeZone);
  return `${p.year}-${p.month}-${p.day}`;
}

/**
 * The dashboard's PnL windows for the market time `now` (Unix ms) in `timeZone`: `today` from 00:00 today,
 * `week` from 00:00 six days before (7 calendar days with today), `month` from 00:00 29 days before (30 days).
 */
export function dashboardWindows(now: number, timeZone: string): DashboardWindows {
  const p = zonedParts(now, timeZone);
  const y = Number(p.year);
  const m = Number(p.month);
  const d = Number(p.day);
  const back = (days: number) => {
    const t = new Date(Date.UTC(y, m - 1, d) - days * DAY);
    return zonedMidnight(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate(), timeZone);
  };
  return { today: back(0), week: back(6), month: back(29) };
}

/**
 * The equity curve with the live total appended as its last point (when it is newer than the curve's last point,
 * else it replaces a point at the same time), oldest first.
 */
export function withLivePoint(points: readonly DashboardEquityPoint[], live: DashboardEquityPoint | null): DashboardEquityPoint[] {
  if (!live) return [...points];
  const last = points[points.length - 1];
  if (last && last.ts > live.ts) return [...points];
  if (last && last.ts === live.ts) return [...points.slice(0, -1), live];
  return [...points, live];
}

/** Decimal places of a market step (`"0.1"` → 1, `"0.00001"` → 5, `"1"` → 0); null for a bad step. */
export function stepDecimals(step: string | null | undefined): number | null {
  if (!step) return null;
  const n = normalizeDecimal(step);
  if (!n || !/[1-9]/.test(n) || n.startsWith('-')) return null;
  return n.includes('.') ? n.length - n.indexOf('.') - 1 : 0;
}

/**
 * A price or amount at its market's precision: rounded (half away from zero) to the step's decimal places and
 * padded to them (`("60530.25", "0.1")` → `"60530.3"`, `("0.01", "0.001")` → `"0.010"`). Without a usable step,
 * or for a value that is not a decimal string, `fallback(value)`; `-` for null.
 */
export function formatAtStep(value: string | null | undefined, step: string | null | undefined, fallback: (v: string) => string): string {
  if (value == null || value === '') return '-';
  const places = stepDecimals(step);
  if (places === null || normalizeDecimal(value) === null) return fallback(value);
  const rounded = roundToStep(value, shiftDecimal('1', -places));
  if (places === 0) return rounded;
  const [int, frac = ''] = rounded.split('.');
  return `${int}.${frac.padEnd(places, '0')}`;
}

/** Where an alert leads: the bot's page, or the trade page (trades and pending orders); null when nowhere. */
export function alertHref(a: Pick<DashboardAlert, 'kind' | 'botId'>): string | null {
  if (a.kind === 'bot_error') return a.botId ? `#/bots?id=${encodeURIComponent(a.botId)}` : '#/bots';
  return '#/trade';
}
