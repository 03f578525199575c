/**
 * Pure helpers of the trade tables and of the live account stream: which trades are active, unrealized PnL
 * from a live price, and how `trading.onAccount` events patch the cached lists. Tested.
 */
import type { TradeView } from '@osprey/shared';

/** Trade list filters of `trading.trades`. */
export type TradeListStatus = 'active' | 'closed' | 'all';

/** True while a trade holds (or is opening) a position: `opening` or `open`. */
export function isActiveTrade(t: Pick<TradeView, 'status'>): boolean {
  return t.status === 'opening' || t.status === 'open';
}

/** True when `trade` belongs in a `trading.trades` list with `status`. */
export function tradeInList(trade: Pick<TradeView, 'status'>, status: TradeListStatus): boolean {
  if (status === 'all') return true;
  if (status === 'active') return isActiveTrade(trade);
  return trade.status === 'closed' || trade.status === 'cancelled';
}

/**
 * A `trading.trades` list (newest first by `openedAt`) after a live `trade` event: the trade replaced in
 * place, inserted at its place, or removed when it no longer belongs to the list's `status` (an active trade
 * that closed). Returns `list` itself when nothing changed; undefined stays undefined (nothing cached).
 */
export function upsertTrade(list: readonly TradeView[] | undefined, trade: TradeView, status: TradeListStatus): TradeView[] | undefined {
  if (!list) return undefined;
  const i = list.findIndex((t) => t.id === trade.id);
  const belongs = tradeInList(trade, status);
  if (i >= 0) {
    if (!belongs) return list.filter((t) => t.id !== trade.id);
    const next = list.slice();
    next[i] = trade;
    return next;
  }
  if (!belongs) return list as TradeView[];
  const at = list.findIndex((t) => t.openedAt < trade.openedAt);
  return at < 0 ? [...list, trade] : [...list.slice(0, at), trade, ...list.slice(at)];
}

/**
 * A copy of `rows` sorted by their time column, newest first (what the history tables show): `time` gives a
 * row's time in Unix ms (null/undefined sorts last); equal times keep the newer id first (`id` descending), so
 * the order is stable whatever order the server sent.
 */
export function newestFirst<T extends { id: string }>(rows: readonly T[], time: (row: T) => number | null | undefined): T[] {
  const at = (r: T) => time(r) ?? -Infinity;
  return [...rows].sort((a, b) => at(b) - at(a) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

/** An equity point as `trading.equity` returns it. */
export interface EquityPoint {
  ts: number;
  equity: string;
}

/**
 * Equity history after a live `equity` event: appended in time order, replacing a point with the same `ts`;
 * points older than the last one are inserted at their place. Keeps at most `max` points (oldest dropped).
 */
export function appendEquityPoint(points: readonly EquityPoint[] | undefined, point: EquityPoint, max = 5000): EquityPoint[] | undefined {
  if (!points) return undefined;
  const next = points.filter((p) => p.ts !== point.ts);
  const at = next.findIndex((p) => p.ts > point.ts);
  if (at < 0) next.push(point);
  else next.splice(at, 0, point);
  return next.length > max ? next.slice(next.length - max) : next;
}

/**
 * Unrealized PnL (quote) of `amount` base held from `entry` at `price`: `(price − entry) × amount` for a
 * long, the negative for a short (linear USDT-margined contracts; fees not included). Null when any input is
 * missing or not a finite number. Display only (floats).
 */
export function unrealizedPnl(side: 'long' | 'short', entry: string | number | null, amount: string | number, price: number | null): number | null {
  if (entry === null || price === null) return null;
  const e = Number(entry);
  const a = Number(amount);
  if (!Number.isFinite(e) || !Number.isFinite(a) || !Number.isFinite(price)) return null;
  const pnl = (price - e) * a;
  return side === 'long' ? pnl : -pnl;
}

/**
 * The spot market whose candles chart a symbol: a perpetual `BTC/USDT:USDT` is charted with the spot
 * `BTC/USDT` candles of the market feed (the feed tracks spot symbols); spot symbols map to themselves.
 */
export function chartSymbolFor(symbol: string): string {
  return symbol.split(':')[0] ?? symbol;
}

/** `+12.50` / `-3.10` with `digits` decimals, or `-` for null/NaN. */
export function formatSigned(value: number | null | undefined, digits = 2): string {
  if (value == null || !Number.isFinite(value)) return '-';
  const s = value.toFixed(digits);
  return value > 0 && Number(s) !== 0 ? `+${s}` : s === `-${(0).toFixed(digits)}` ? (0).toFixed(digits) : s;
}

/** CSS class for a signed amount: `pos`, `neg` or `flat`. */
export function pnlClass(value: number | null | undefined): 'pos' | 'neg' | 'flat' {
  if (value == null || !Number.isFinite(value) || value === 0) return 'flat';
  return value > 0 ? 'pos' : 'neg';
}
