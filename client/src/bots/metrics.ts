/**
 * Backtest metrics for display and comparison (pure, tested): the metric cards in order with their labels,
 * which direction is better, formatting, and which of two (or of N) runs is best on each metric. Also the live
 * patches of the runs list from `backtests.onProgress` and the compare selection.
 */
import type { BacktestProgress, BacktestRunView, RunMetricsView } from '@osprey/shared';
import type { MessageKey } from '../lib/i18n.js';
import { formatMoney, formatNumber } from '../lib/format.js';
import { formatDuration } from '../lib/time.js';
import { formatSigned } from '../trade/trades.js';

/** Metrics shown as cards and compared. */
export type MetricKey =
  | 'totalReturnPct'
  | 'maxDrawdownPct'
  | 'sharpe'
  | 'sortino'
  | 'winRatePct'
  | 'profitFactor'
  | 'roundTrips'
  | 'avgHoldingMs'
  | 'exposurePct'
  | 'feesPaid';

/** One metric: its label, an optional tooltip, and which value is better (`null`: not ranked). */
export interface MetricDef {
  key: MetricKey;
  label: MessageKey;
  hint?: MessageKey;
  better: 'higher' | 'lower' | null;
}

/** The metrics in card order. Sharpe and Sortino are from daily returns annualised ×√365 (see the hint). */
export const METRICS: readonly MetricDef[] = [
  { key: 'totalReturnPct', label: 'bt.metric.totalReturn', better: 'higher' },
  { key: 'maxDrawdownPct', label: 'bt.metric.maxDrawdown', hint: 'bt.metric.maxDrawdownHint', better: 'lower' },
  { key: 'sharpe', label: 'bt.metric.sharpe', hint: 'bt.metric.ratioHint', better: 'higher' },
  { key: 'sortino', label: 'bt.metric.sortino', hint: 'bt.metric.ratioHint', better: 'higher' },
  { key: 'winRatePct', label: 'bt.metric.winRate', better: 'higher' },
  { key: 'profitFactor', label: 'bt.metric.profitFactor', hint: 'bt.metric.profitFactorHint', better: 'higher' },
  { key: 'roundTrips', label: 'bt.metric.trades', better: null },
  { key: 'avgHoldingMs', label: 'bt.metric.avgHolding', better: null },
  { key: 'exposurePct', label: 'bt.metric.exposure', hint: 'bt.metric.exposureHint', better: null },
  { key: 'feesPaid', label: 'bt.metric.fees', better: 'lower' },
];

/** A metric as a number (decimal strings converted), null when the run has none (e.g. no trades). */
export function metricValue(m: RunMetricsView, key: MetricKey): number | null {
  const v = m[key];
  if (v === null || v === undefined) return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
}

/** A metric for a card: percents signed where it matters (`+12.34%`), ratios to 4 significant digits, holding time as a duration, fees as money. */
export function formatMetric(key: MetricKey, value: number | null): string {
  if (value === null) return '—';
  switch (key) {
    case 'totalReturnPct':
      return `${formatSigned(value)}%`;
    case 'maxDrawdownPct':
    case 'winRatePct':
    case 'exposurePct':
      return `${value.toFixed(2)}%`;
    case 'sharpe':
    case 'sortino':
    case 'profitFactor':
      return formatNumber(value);
    case 'roundTrips':
      return String(value);
    case 'avgHoldingMs':
      return formatDuration(value);
    case 'feesPaid':
      return formatMoney(value);
  }
}

/**
 * Which run is better on `key`: `'a'`, `'b'`, or null when the metric is not ranked, a value is missing, or
 * they are equal.
 */
export function betterRun(key: MetricKey, a: RunMetricsView | null, b: RunMetricsView | null): 'a' | 'b' | null {
  const def = METRICS.find((d) => d.key === key);
  if (!def?.better || !a || !b) return null;
  const x = metricValue(a, key);
  const y = metricValue(b, key);
  if (x === null || y === null || x === y) return null;
  const aBetter = def.better === 'higher' ? x > y : x < y;
  return aBetter ? 'a' : 'b';
}

/**
 * Which of several runs are best on `key` (N-way compare): the indices of the runs holding the best value
 * — several on a tie — or an empty list when the metric is not ranked, fewer than two runs have a value, or
 * every run with a value has the same one. Runs without metrics or without this value are never best.
 */
export function bestRuns(key: MetricKey, list: readonly (RunMetricsView | null)[]): number[] {
  const def = METRICS.find((d) => d.key === key);
  if (!def?.better) return [];
  const values = list.map((m) => (m ? metricValue(m, key) : null));
  const present = values.filter((v): v is number => v !== null);
  if (present.length < 2) return [];
  const best = def.better === 'higher' ? Math.max(...present) : Math.min(...present);
  if (present.every((v) => v === best)) return [];
  return values.flatMap((v, i) => (v === best ? [i] : []));
}

/**
 * The runs list after a `backtests.onProgress` event: the run's status, progress and error replaced in
 * place (same list when the run is not in it or nothing changed; undefined stays undefined).
 */
export function applyProgress(list: readonly BacktestRunView[] | undefined, p: Pick<BacktestProgress, 'id' | 'status' | 'progress' | 'error'>): BacktestRunView[] | undefined {
  if (!list) return undefined;
  const i = list.findIndex((r) => r.id === p.id);
  if (i < 0) return list as BacktestRunView[];
  const r = list[i]!;
  if (r.status === p.status && r.progress === p.progress && r.error === p.error) return list as BacktestRunView[];
  const next = list.slice();
  next[i] = { ...r, status: p.status, progress: p.progress, error: p.error };
  return next;
}

/** True while a run is queued or running. */
export function isActiveRun(r: Pick<BacktestRunView, 'status'>): boolean {
  return r.status === 'queued' || r.status === 'running';
}

/** Most runs compared at once (one colour each on the compare chart). */
export const MAX_COMPARE = 6;

/**
 * The compare selection after ticking run `id`: unticking removes it; ticking adds it while fewer than `max`
 * runs are selected (otherwise the selection is unchanged — the table disables the other boxes).
 */
export function toggleCompare(selected: readonly string[], id: string, max = MAX_COMPARE): string[] {
  if (selected.includes(id)) return selected.filter((s) => s !== id);
  if (selected.length >= max) return [...selected];
  return [...selected, id];
}

/** A progress fraction (0–1, clamped) as a whole percent. */
export function progressPct(progress: number): number {
  if (!Number.isFinite(progress)) return 0;
  return Math.round(Math.min(1, Math.max(0, progress)) * 100);
}
