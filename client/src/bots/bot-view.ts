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
    else if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) out.push([k, roundLongDecimals(v)]);
    else if (typeof v === 'string' || typeof v === 'boolean') out.push([k, String(v)]);
  }
  return out;
}

/**
 * Text with every decimal number of more than 8 decimal places cut to 8 (trailing zeros dropped), so event
 * messages read `19616.38908417` rather than `19616.38908417026799999999999999999999995`.
 */
export function roundLongDecimals(text: string): string {
  return text.replace(/-?\d+\.\d{9,}/g, (m) => {
    const [int, frac] = m.split('.') as [string, string];
    const cut = frac.slice(0, 8).replace(/0+$/, '');
    return cut ? `${int}.${cut}` : int;
  });
}

/** What an order of a bot is for, read from its kind and its deterministic clientOrderId's leg letter. */
export type BotOrderRole = 'entry' | 'add' | 'exit' | 'stopLoss' | 'takeProfit';

/**
 * The role of a bot's order (the Kind column): conditional kinds first (`stop_loss` → stopLoss, `take_profit`
 * → takeProfit), else the leg letter after the cycle number in `b<bot>x<cycle><leg>…` (README, *One engine*):
 * grid `b` entry, `s`/`x` exit; spread `o` entry, `a` add, `c` exit; signal `e` entry, `s` stopLoss,
 * `t` takeProfit, `x` exit. Unknown ids give `entry` for buys and `exit` for sells.
 */
export function botOrderRole(type: BotConfig['type'], order: { clientOrderId: string | null; kind?: string; side: 'buy' | 'sell' }): BotOrderRole {
  if (order.kind === 'stop_loss') return 'stopLoss';
  if (order.kind === 'take_profit') return 'takeProfit';
  const leg = /^b[A-Za-z0-9]{1,12}x\d+([a-z])/.exec(order.clientOrderId ?? '')?.[1];
  const map: Record<BotConfig['type'], Record<string, BotOrderRole>> = {
    grid: { b: 'entry', s: 'exit', x: 'exit' },
    spread: { o: 'entry', a: 'add', c: 'exit' },
    signal: { e: 'entry', s: 'stopLoss', t: 'takeProfit', x: 'exit' },
  };
  return (leg && map[type][leg]) || (order.side === 'buy' ? 'entry' : 'exit');
}

/** The feed (spot) symbols a bot's chart can switch between, in config order, without repeats. */
export function botChartSymbols(config: BotConfig): string[] {
  const raw = config.type === 'grid' ? [config.grid.symbol] : config.type === 'spread' ? [config.spread.symbolA, config.spread.symbolB] : config.signal.symbols;
  return [...new Set(raw.map(chartSymbolFor))];
}

/**
 * A bot config as `[label path, value]` rows for the settings panel: parameters under the type's key, then
 * market type, leverage and risk rules (absent rules skipped); objects flattened with dots (`orderSize.mode`).
 */
export function configEntries(config: BotConfig): [string, string][] {
  const out: [string, string][] = [];
  const walk = (prefix: string, v: unknown) => {
    if (v === undefined || v === null) return;
    if (Array.isArray(v)) out.push([prefix, v.join(', ')]);
    else if (typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(prefix ? `${prefix}.${k}` : k, x);
    else out.push([prefix, String(v)]);
  };
  const params = config.type === 'grid' ? config.grid : config.type === 'spread' ? config.spread : config.signal;
  walk('', params);
  out.push(['marketType', config.marketType]);
  out.push(['leverage', String(config.leverage)]);
  walk('risk', config.risk);
  return out;
}
