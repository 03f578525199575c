/**
 * Small pure helpers of the bot pages (tested): the charted symbol of a config, uptime text, event filters,
 * the live invalidation plan of `bots.onChange`, and the bot-detail route in the hash (`#/bots?id=<uuid>`).
 */
import type { BotConfig, BotEventKind } from '@osprey/shared';
import { formatDuration } from '../lib/time.js';
import { chartSymbolFor } from '../trade/trades.js';

/** The symbol a bot's chart shows: grid → its symbol, signal → its first symbol, spread → symbol A. */
export function botChartSymbol(config: BotConfig): string {
  if (config.type === 'grid') return config.grid.symbol;
  if (config.type === 'spread') return config.spread.symbolA;
  return config.signal.symbols[0] ?? '';
}

/** The feed (spot) symbol whose candles chart a bot: `BTC/USDT:USDT` → `BTC/USDT`. */
export function botFeedSymbol(config: BotConfig): string {
  return chartSymbolFor(botChartSymbol(config));
}

/** Uptime since `startedAt` at `now` (Unix ms): `45s`, `12m`, `3h 05m`, `2d 4h`; `—` when not running. */
export function formatUptime(startedAt: number | null, now: number): string {
  if (startedAt === null) return '—';
  const ms = Math.max(0, now - startedAt);
  if (ms < 60_000) return `${Math.floor(ms / 1000)}s`;
  return formatDuration(ms);
}

/** Event filter of the events table. */
export type EventFilter = 'all' | BotEventKind;

/** Events of `kind` (all for `'all'`), order kept. */
export function filterEvents<E extends { kind: BotEventKind }>(events: readonly E[], filter: EventFilter): E[] {
  return filter === 'all' ? [...events] : events.filter((e) => e.kind === filter);
}

/** Counts of events per kind. */
export function countEvents(events: readonly { kind: BotEventKind }[]): Record<BotEventKind, number> {
  const out: Record<BotEventKind, number> = { risk: 0, info: 0, error: 0 };
  for (const e of events) out[e.kind] += 1;
  return out;
}

/** The bot id of a `#/bots?id=<id>` hash, or null. */
export function botIdFromHash(hash: string): string | null {
  const i = hash.indexOf('?');
  if (i < 0) return null;
  const id = new URLSearchParams(hash.slice(i + 1)).get('id');
  return id && /^[0-9a-f-]{36}$/i.test(id) ? id : null;
}

/** The hash of a bot's detail view. */
export function botDetailHash(id: string): string {
  return `#/bots?id=${encodeURIComponent(id)}`;
}

/** Keys of a bot event's `detail` that are numbers (or numeric strings), as `key=value` parts for the table. */
export function eventNumbers(detail: Record<string, unknown>): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(detail)) {
    if (typeof v === 'number' && Number.isFinite(v)) out.push([k, String(Number(v.toPrecision(10)))]);
    else if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) out.push([k, v]);
    else if (typeof v === 'string' || typeof v === 'boolean') out.push([k, String(v)]);
  }
  return out;
}
