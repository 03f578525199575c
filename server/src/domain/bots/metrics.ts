/**
 * Performance metrics of a bot run (backtest or live) from its equity curve and round trips. Pure.
 * Money (equity, fees, PnL) is computed with decimal.js and returned as decimal strings; ratios are floats.
 *
 * Conventions:
 * - total return = end / start − 1 (percent);
 * - max drawdown = max over t of (running peak − equity) / running peak (percent, ≥ 0);
 * - Sharpe and Sortino use **daily** returns: the equity curve is sampled at the last point of each UTC
 *   day, the first day's return is measured from the curve's first point; risk-free rate 0. Annualised
 *   with √365 (crypto trades every day of the year, unlike the √252 of stock markets).
 *   Sharpe = mean / sample stdev (n − 1) × √365 (Sharpe, "The Sharpe Ratio", 1994);
 *   Sortino = mean / downside deviation × √365, downside deviation = √(Σ min(r, 0)² / n) (Sortino & Price,
 *   1994, target 0). Null when there are fewer than 2 daily returns or the deviation is 0;
 * - round trips are counted as position units (`roundTripUnits`: both legs of a spread cycle are one, pnl
 *   summed, held from the first entry to the last exit);
 * - win rate = share of round trips with pnl > 0; profit factor = Σ winning pnl / |Σ losing pnl| (null
 *   when there is no losing trip); average holding time = mean of `closedAt − openedAt`;
 * - exposure = share of equity points (candle closes) at which a position was held (percent);
 * - same-candle round trips (backtests) = round trips whose entry and exit filled on the same stepped candle,
 *   counted by the backtester and passed in (the metric is there so that a result credited with round trips
 *   no candle-level backtester would credit — Freqtrade and Hummingbot never fill an exit on its entry's
 *   candle — says how many).
 */
import type { DecimalString, RunMetricsView } from '@osprey/shared';
import type Decimal from 'decimal.js';
import { Dec, str } from '../trading/precision.js';
import { divDec, minusDec } from '../trading/small-decimal.js';

/** A decimal string of the value zero. */
const ZERO_RE = /^-?0+(\.0+)?$/;
import { roundTripUnits, type RoundTrip } from './strategy.js';

/** One point of an equity curve. */
export interface EquityPoint {
  /** Time, Unix ms (a candle's close in backtests). */
  ts: number;
  /** Account equity in quote: balances + open positions valued at the price then. */
  equity: DecimalString;
  /** True when a position (spot base holding or perpetual position) was held at `ts`. */
  exposed: boolean;
}

/**
 * Metrics of a run (see the module doc for definitions): the shared contract `RunMetricsView` — money as
 * decimal strings (quote), percentages as numbers, `avgHoldingMs` in ms, nulls where undefined.
 */
export type RunMetrics = RunMetricsView;

const DAY_MS = 86_400_000;

/** Daily returns (fractions) of an equity curve, per the module doc. Needs ascending `ts`. */
export function dailyReturns(equity: readonly EquityPoint[]): number[] {
  if (equity.length === 0) return [];
  const closes: { day: number; equity: string }[] = [];
  for (let i = 0; i < equity.length; i++) {
    const p = equity[i]!;
    const day = Math.floor(p.ts / DAY_MS);
    const last = closes[closes.length - 1];
    if (last && last.day === day) last.equity = p.equity;
    else closes.push({ day, equity: p.equity });
  }
  const out: number[] = [];
  // e / prev − 1 of the decimals, as `Dec` computes it (small-decimal.ts: the same 40-digit results), to a float
  let prev = equity[0]!.equity;
  for (let i = 0; i < closes.length; i++) {
    const c = closes[i]!;
    out.push(ZERO_RE.test(prev) ? 0 : Number(minusDec(divDec(c.equity, prev), '1')));
    prev = c.equity;
  }
  return out;
}

/** How many points of a curve are exposed. */
function exposedPoints(equity: readonly EquityPoint[]): number {
  let n = 0;
  for (let i = 0; i < equity.length; i++) if (equity[i]!.exposed) n++;
  return n;
}

/** Figures of a run that {@link computeMetrics} cannot derive from the curve and the round trips. */
export interface MetricsExtras {
  /** Round trips completed inside one stepped candle (backtests); left out of the metrics when absent. */
  sameCandleRoundTrips?: number;
  /**
   * `Number(point.equity)` of every equity point, when the caller has them (performance: the backtester computes
   * them exactly alongside the strings); must have the curve's length. Results are the same without.
   */
  equityValues?: ArrayLike<number>;
  /** How many points of the curve are exposed, when the caller counted them (performance; the same result). */
  exposedPoints?: number;
}

/**
 * Computes {@link RunMetrics}.
 * @param equity equity curve, ascending by ts (at least one point)
 * @param trips completed round trips
 * @param feesPaid total fees paid (quote)
 * @param extras counts the caller made (see {@link MetricsExtras}), copied into the metrics
 * @throws RangeError when `equity` is empty or not ascending
 */
export function computeMetrics(equity: readonly EquityPoint[], trips: readonly RoundTrip[], feesPaid: DecimalString, extras: MetricsExtras = {}): RunMetrics {
  if (equity.length === 0) throw new RangeError('equity: needs at least one point');
  for (let i = 1; i < equity.length; i++) if (equity[i]!.ts < equity[i - 1]!.ts) throw new RangeError(`equity: point ${i} is before its predecessor`);
  const start = new Dec(equity[0]!.equity);
  const end = new Dec(equity[equity.length - 1]!.equity);
  /** The running peak (`peakStr`, the string of its point), its decimal parsed only when an exact comparison needs it. */
  let peak: Decimal | null = start;
  let maxDd = new Dec(0);
  // Performance: floats of the peak and of the max drawdown let most points skip the decimal work — a point
  // clearly below the peak (1e-12 relative) whose float drawdown is clearly below the maximum (1e-12; for
  // 0 ≤ e ≤ peak the float ratio is within ~1e-15 of the exact one) changes neither, and a point clearly above
  // a positive peak (1e-12 relative; floats are within 1.2e-16 of the decimals) is the new peak.
  let pf = start.toNumber();
  let maxDdF = 0;
  const values = extras.equityValues;
  if (values !== undefined && values.length !== equity.length) throw new RangeError('equityValues: must have one value per equity point');
  let peakStr = equity[0]!.equity;
  for (let i = 0; i < equity.length; i++) {
    const ef = values !== undefined ? values[i]! : Number(equity[i]!.equity);
    if (pf > 0 && ef >= 0 && ef < pf * (1 - 1e-12) && (pf - ef) / pf < maxDdF - 1e-12) continue;
    if (pf > 0 && ef > pf * (1 + 1e-12)) {
      peakStr = equity[i]!.equity;
      peak = null;
      pf = ef;
      continue;
    }
    const es = equity[i]!.equity;
    // the peak's own string (a flat stretch of the curve repeats it): an equal peak changes nothing
    if (es === peakStr) continue;
    const e = new Dec(es);
    const pk = (peak ??= new Dec(peakStr));
    if (e.gte(pk)) {
      // a new (or equal) peak: its drawdown is 0, never above the maximum
      peak = e;
      peakStr = es;
      pf = e.toNumber();
      continue;
    }
    if (pk.gt(0)) {
      // (peak − e) / peak as Dec computes it (small-decimal.ts: the same 40-digit quotient, faster)
      const dd = new Dec(divDec(minusDec(peakStr, es), peakStr));
      if (dd.gt(maxDd)) {
        maxDd = dd;
        maxDdF = dd.toNumber();
      }
    }
  }
  const rets = dailyReturns(equity);
  const n = rets.length;
  const mean = n > 0 ? rets.reduce((a, b) => a + b, 0) / n : 0;
  let sharpe: number | null = null;
  let sortino: number | null = null;
  if (n >= 2) {
    const sd = Math.sqrt(rets.reduce((a, r) => a + (r - mean) ** 2, 0) / (n - 1));
    if (sd > 0) sharpe = (mean / sd) * Math.sqrt(365);
    const dd = Math.sqrt(rets.reduce((a, r) => a + Math.min(r, 0) ** 2, 0) / n);
    if (dd > 0) sortino = (mean / dd) * Math.sqrt(365);
  }
  let wins = 0;
  let grossWin = new Dec(0);
  let grossLoss = new Dec(0);
  let holding = 0;
  // A position unit (both legs of a spread cycle) is one round trip, with its legs' pnl summed.
  const units = roundTripUnits(trips);
  for (const t of units) {
    const p = new Dec(t.pnl);
    if (p.gt(0)) {
      wins++;
      grossWin = grossWin.plus(p);
    } else grossLoss = grossLoss.plus(p.neg());
    holding += t.closedAt - t.openedAt;
  }
  return {
    startEquity: str(start),
    endEquity: str(end),
    netPnl: str(end.minus(start)),
    totalReturnPct: start.isZero() ? 0 : end.div(start).minus(1).mul(100).toNumber(),
    maxDrawdownPct: maxDd.mul(100).toNumber(),
    sharpe,
    sortino,
    winRatePct: units.length ? (wins / units.length) * 100 : null,
    profitFactor: grossLoss.gt(0) ? grossWin.div(grossLoss).toNumber() : null,
    roundTrips: units.length,
    avgHoldingMs: units.length ? holding / units.length : null,
    exposurePct: ((extras.exposedPoints ?? exposedPoints(equity)) / equity.length) * 100,
    feesPaid: str(feesPaid),
    ...(extras.sameCandleRoundTrips !== undefined ? { sameCandleRoundTrips: extras.sameCandleRoundTrips } : {}),
  };
}
