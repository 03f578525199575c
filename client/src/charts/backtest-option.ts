/**
 * Option builders of the backtest charts (pure, tested):
 * - the equity chart: equity (quote) on top and the drawdown below (percent under the running peak, drawn
 *   downwards), sharing one time axis;
 * - the compare chart: several runs' equity curves normalised to % return from their first point;
 * - the run's candle chart: candles and volume of one symbol with buy ▲ / sell ▼ markers at the fills.
 * Times are shown in the given IANA time zone.
 */
import type { ComposeOption } from 'echarts/core';
import type { BarSeriesOption, CandlestickSeriesOption, LineSeriesOption, ScatterSeriesOption } from 'echarts/charts';
import type { DataZoomComponentOption, GridComponentOption, LegendComponentOption, TooltipComponentOption } from 'echarts/components';
import { TIMEFRAME_MS, type Candle, type Timeframe } from '@osprey/shared';
import { formatAxisLabel, formatDateTimeShort } from '../lib/time.js';
import { formatAmount, formatCompact, formatPrice } from '../lib/format.js';
import { chartSymbolFor, formatSigned } from '../trade/trades.js';
import { CHART_COLORS, DEFAULT_VISIBLE_CANDLES, candleIndexAt, type Translate, type ZoomWindow } from './market-option.js';
import { fillMarkerSeries, placeFillMarkers, type FillLike } from './trade-overlay.js';

/** The ECharts option type of the backtest charts. */
export type BacktestChartOption = ComposeOption<
  | LineSeriesOption
  | CandlestickSeriesOption
  | BarSeriesOption
  | ScatterSeriesOption
  | GridComponentOption
  | TooltipComponentOption
  | DataZoomComponentOption
  | LegendComponentOption
>;

/** An equity point of a run: Unix ms, equity (quote) and drawdown (percent below the running peak, ≥ 0). */
export interface RunEquityPoint {
  ts: number;
  equity: number;
  drawdownPct: number;
}

const TOOLTIP = {
  backgroundColor: 'rgba(14, 19, 26, 0.94)',
  borderColor: '#2b3545',
  textStyle: { color: '#d7dde8', fontSize: 12 },
  confine: true,
} as const;
const AXIS_LABEL = { color: CHART_COLORS.axis, fontSize: 10 };
const SPLIT_LINE = { lineStyle: { color: CHART_COLORS.grid } };
/** Colours of compared runs, in selection order. */
export const COMPARE_COLORS = ['#42a5f5', '#ffb74d', '#ab47bc', '#26a69a', '#ef5350', '#d4e157'] as const;

/** Escapes text for the HTML tooltips. */
function esc(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** `[ts, equity]` and `[ts, −drawdown]` pairs in time order, non-finite points left out. */
export function equityData(points: readonly RunEquityPoint[]): { equity: [number, number][]; drawdown: [number, number][] } {
  const sorted = points.filter((p) => Number.isFinite(p.ts) && Number.isFinite(p.equity)).sort((a, b) => a.ts - b.ts);
  return {
    equity: sorted.map((p) => [p.ts, p.equity]),
    drawdown: sorted.map((p) => [p.ts, Number.isFinite(p.drawdownPct) && p.drawdownPct !== 0 ? -Math.abs(p.drawdownPct) : 0]),
  };
}

/** Labels of the equity chart. */
export interface EquityChartLabels {
  equity: string;
  drawdown: string;
}

/**
 * The equity chart: two grids on a shared time axis — equity (area line, green when it ends above its start,
 * red otherwise) and drawdown (red area below zero, percent) — with linked axis pointers, an axis tooltip
 * (time, equity, drawdown) and inside zoom over both.
 */
export function buildBacktestEquityOption(points: readonly RunEquityPoint[], timeZone: string, labels: EquityChartLabels): BacktestChartOption {
  const { equity, drawdown } = equityData(points);
  const first = equity[0]?.[1];
  const last = equity.at(-1)?.[1];
  const color = first !== undefined && last !== undefined && last < first ? CHART_COLORS.down : CHART_COLORS.up;
  return {
    animation: false,
    backgroundColor: 'transparent',
    axisPointer: { link: [{ xAxisIndex: 'all' }], label: { backgroundColor: '#2b3545' } },
    tooltip: {
      ...TOOLTIP,
      trigger: 'axis',
      formatter: (raw: unknown) => {
        const list = (Array.isArray(raw) ? raw : [raw]) as { seriesId?: string; value?: [number, number] }[];
        const ts = list[0]?.value?.[0];
        if (ts === undefined) return '';
        const eq = equity.find((p) => p[0] === ts)?.[1];
        const dd = drawdown.find((p) => p[0] === ts)?.[1];
        return (
          `<div class="ct"><div class="ct-time">${esc(formatDateTimeShort(ts, timeZone))} <small>${esc(timeZone)}</small></div>` +
          `<div class="ct-row"><span>${esc(labels.equity)}</span><b>${eq === undefined ? '-' : esc(formatPrice(eq))}</b></div>` +
          `<div class="ct-row"><span>${esc(labels.drawdown)}</span><b>${dd === undefined ? '-' : `${esc(Math.abs(dd).toFixed(2))}%`}</b></div></div>`
        );
      },
    },
    grid: [
      { left: 12, right: 72, top: 12, height: '58%' },
      { left: 12, right: 72, top: '72%', bottom: 28 },
    ],
    xAxis: [0, 1].map((i) => ({
      type: 'time' as const,
      gridIndex: i,
      axisLine: { lineStyle: { color: CHART_COLORS.grid } },
      axisLabel: { ...AXIS_LABEL, show: i === 1, hideOverlap: true, formatter: (v: number) => formatDateTimeShort(v, timeZone).slice(5) },
      axisPointer: { label: { show: i === 1, formatter: (p: { value: unknown }) => formatDateTimeShort(Number(p.value), timeZone) } },
      splitLine: { show: false },
    })),
    yAxis: [
      { type: 'value', gridIndex: 0, scale: true, position: 'right', splitNumber: 4, axisLabel: { ...AXIS_LABEL, formatter: (v: number) => formatPrice(v) }, splitLine: SPLIT_LINE },
      { type: 'value', gridIndex: 1, max: 0, position: 'right', splitNumber: 2, axisLabel: { ...AXIS_LABEL, formatter: (v: number) => `${Math.abs(v).toFixed(1)}%` }, splitLine: SPLIT_LINE },
    ],
    dataZoom: [{ type: 'inside', xAxisIndex: [0, 1] }],
    series: [
      {
        id: 'equity',
        name: labels.equity,
        type: 'line',
        data: equity,
        xAxisIndex: 0,
        yAxisIndex: 0,
        showSymbol: equity.length <= 1,
        symbolSize: 4,
        sampling: 'lttb',
        lineStyle: { color, width: 1.5 },
        itemStyle: { color },
        areaStyle: { color, opacity: 0.1 },
      },
      {
        id: 'drawdown',
        name: labels.drawdown,
        type: 'line',
        data: drawdown,
        xAxisIndex: 1,
        yAxisIndex: 1,
        showSymbol: false,
        sampling: 'lttb',
        lineStyle: { color: CHART_COLORS.down, width: 1 },
        itemStyle: { color: CHART_COLORS.down },
        areaStyle: { color: CHART_COLORS.down, opacity: 0.25 },
      },
    ],
  };
}

/** `[ts, % return since the first point]` pairs of an equity curve (empty when the first equity is not positive). */
export function normalisedReturns(points: readonly Pick<RunEquityPoint, 'ts' | 'equity'>[]): [number, number][] {
  const sorted = points.filter((p) => Number.isFinite(p.ts) && Number.isFinite(p.equity)).sort((a, b) => a.ts - b.ts);
  const base = sorted[0]?.equity;
  if (base === undefined || base <= 0) return [];
  return sorted.map((p) => [p.ts, (p.equity / base - 1) * 100]);
}

/** One curve of the compare chart. */
export interface CompareCurve {
  name: string;
  points: readonly Pick<RunEquityPoint, 'ts' | 'equity'>[];
}

/**
 * Several runs on one chart: each equity curve as % return from its own start (see {@link normalisedReturns}),
 * one colour per run ({@link COMPARE_COLORS}), a legend with the run names, and a zero line.
 */
export function buildCompareOption(curves: readonly CompareCurve[], timeZone: string): BacktestChartOption {
  return {
    animation: false,
    backgroundColor: 'transparent',
    legend: { top: 4, left: 12, textStyle: { color: CHART_COLORS.axis, fontSize: 11 }, itemHeight: 8 },
    tooltip: {
      ...TOOLTIP,
      trigger: 'axis',
      formatter: (raw: unknown) => {
        const list = (Array.isArray(raw) ? raw : [raw]) as { seriesName?: string; color?: string; value?: [number, number] }[];
        const ts = list[0]?.value?.[0];
        if (ts === undefined) return '';
        return (
          `<div class="ct"><div class="ct-time">${esc(formatDateTimeShort(ts, timeZone))}</div>` +
          list.map((p) => `<div class="ct-row"><span style="color:${p.color ?? ''}">${esc(p.seriesName ?? '')}</span><b>${esc(formatSigned(p.value?.[1]))}%</b></div>`).join('') +
          `</div>`
        );
      },
    },
    grid: { left: 12, right: 72, top: 34, bottom: 28 },
    xAxis: {
      type: 'time',
      axisLine: { lineStyle: { color: CHART_COLORS.grid } },
      axisLabel: { ...AXIS_LABEL, hideOverlap: true, formatter: (v: number) => formatDateTimeShort(v, timeZone).slice(5) },
      splitLine: { show: false },
    },
    yAxis: { type: 'value', scale: true, position: 'right', axisLabel: { ...AXIS_LABEL, formatter: (v: number) => `${formatSigned(v, 1)}%` }, splitLine: SPLIT_LINE },
    dataZoom: [{ type: 'inside' }],
    series: curves.map((c, i) => {
      const color = COMPARE_COLORS[i % COMPARE_COLORS.length]!;
      return {
        id: `run-${i}`,
        name: c.name,
        type: 'line' as const,
        data: normalisedReturns(c.points),
        showSymbol: false,
        sampling: 'lttb' as const,
        lineStyle: { color, width: 1.5 },
        itemStyle: { color },
      };
    }),
  };
}

/** Inputs of {@link buildBacktestCandleOption}. */
export interface BacktestCandleInput {
  candles: readonly Candle[];
  timeframe: Timeframe;
  /** The run's fills (any symbol; those of other symbols or outside the candles are left out). */
  fills: readonly FillLike[];
  /** The spot symbol charted (a perpetual's fills go on its spot candles). */
  chartSymbol: string;
  timeZone: string;
  t: Translate;
}

/** Fewest candles the run's candle chart opens on. */
export const MIN_TRADE_WINDOW = 60;

/**
 * The window (candle indices) a run's candle chart opens on: from the first to the last candle holding a
 * fill, padded each side by 10 % of that span (at least 5 candles), widened around its middle to
 * `minSpan` candles when shorter, and clamped to the `n` candles. Without fills: the last
 * {@link DEFAULT_VISIBLE_CANDLES} candles.
 */
export function tradesZoomWindow(fillIndices: readonly number[], n: number, minSpan: number = MIN_TRADE_WINDOW): ZoomWindow {
  const last = Math.max(0, n - 1);
  if (fillIndices.length === 0 || n === 0) return { start: Math.max(0, n - DEFAULT_VISIBLE_CANDLES), end: last };
  const lo = Math.min(...fillIndices);
  const hi = Math.max(...fillIndices);
  const pad = Math.max(5, Math.round((hi - lo) * 0.1));
  let start = lo - pad;
  let end = hi + pad;
  if (end - start + 1 < minSpan) {
    const mid = (lo + hi) / 2;
    start = Math.round(mid - minSpan / 2);
    end = start + minSpan - 1;
  }
  // Shift a window hanging off one end back inside before clamping, so it keeps its width where it can.
  if (start < 0) [start, end] = [0, end - start];
  if (end > last) [start, end] = [Math.max(0, start - (end - last)), last];
  return { start: Math.max(0, start), end: Math.min(last, end) };
}

/** Number of fill markers {@link buildBacktestCandleOption} draws. */
export function countFillMarkers(input: Pick<BacktestCandleInput, 'candles' | 'timeframe' | 'fills' | 'chartSymbol'>): number {
  const m = placeFillMarkers(input.fills, input.candles, TIMEFRAME_MS[input.timeframe], input.chartSymbol);
  return m.buy.length + m.sell.length;
}

/**
 * A run's candle chart: candlesticks (price pane) and volume bars below on one category axis (candle open
 * times), buy ▲ / sell ▼ markers at each fill's price on the candle containing it, a tooltip with the
 * candle's OHLC and the fills in it, and inside + slider zoom opening on the candles that hold the trades
 * (see {@link tradesZoomWindow}).
 */
export function buildBacktestCandleOption(input: BacktestCandleInput): BacktestChartOption {
  const { candles, timeframe, fills, chartSymbol, timeZone, t } = input;
  const periodMs = TIMEFRAME_MS[timeframe];
  const markers = placeFillMarkers(fills, candles, periodMs, chartSymbol);
  const fillsByIndex = new Map<number, FillLike[]>();
  for (const f of fills) {
    if (chartSymbolFor(f.symbol) !== chartSymbol) continue;
    const i = candleIndexAt(candles, f.ts, periodMs);
    if (i >= 0) fillsByIndex.set(i, [...(fillsByIndex.get(i) ?? []), f]);
  }
  const { start, end } = tradesZoomWindow([...markers.buy, ...markers.sell].map(([i]) => i), candles.length);
  const categories = candles.map((c) => String(c.ts));
  return {
    animation: false,
    backgroundColor: 'transparent',
    axisPointer: { link: [{ xAxisIndex: 'all' }], label: { backgroundColor: '#2b3545' } },
    tooltip: {
      ...TOOLTIP,
      trigger: 'axis',
      axisPointer: { type: 'cross', crossStyle: { color: '#5b6577' }, lineStyle: { color: '#5b6577' } },
      className: 'chart-tooltip',
      formatter: (raw: unknown) => {
        const first = (Array.isArray(raw) ? raw[0] : raw) as { dataIndex?: number } | undefined;
        const i = first?.dataIndex;
        const c = i === undefined ? undefined : candles[i];
        if (!c || i === undefined) return '';
        const color = c.close >= c.open ? CHART_COLORS.up : CHART_COLORS.down;
        const ohlc: [string, string][] = [
          [t('chart.open'), formatPrice(c.open)],
          [t('chart.high'), formatPrice(c.high)],
          [t('chart.low'), formatPrice(c.low)],
          [t('chart.close'), formatPrice(c.close)],
          [t('chart.volume'), formatCompact(c.volume)],
        ];
        const fillRows = (fillsByIndex.get(i) ?? []).map(
          (f) =>
            `<div class="ct-row"><span style="color:${f.side === 'buy' ? CHART_COLORS.up : CHART_COLORS.down}">${f.side === 'buy' ? '▲' : '▼'} ${esc(t(`orders.side.${f.side}`))} ${esc(formatDateTimeShort(f.ts, timeZone).slice(11))}</span>` +
            `<b>${esc(formatAmount(f.amount))} @ ${esc(formatPrice(Number(f.price)))}</b></div>`,
        );
        return (
          `<div class="ct"><div class="ct-time">${esc(formatDateTimeShort(c.ts, timeZone))} <small>${esc(timeZone)}</small></div>` +
          `<div class="ct-ohlc" style="color:${color}">${ohlc.map(([k, v]) => `<span>${esc(k)} <b>${esc(v)}</b></span>`).join('')}</div>` +
          (fillRows.length ? `<div class="ct-signal">${fillRows.join('')}</div>` : '') +
          `</div>`
        );
      },
    },
    grid: [
      { left: 12, right: 72, top: 12, height: '66%' },
      { left: 12, right: 72, top: '76%', height: '12%' },
    ],
    xAxis: [0, 1].map((pane) => ({
      type: 'category' as const,
      gridIndex: pane,
      data: categories,
      boundaryGap: true,
      axisLine: { onZero: false, lineStyle: { color: CHART_COLORS.grid } },
      axisTick: { show: false },
      splitLine: { show: false },
      axisLabel: { ...AXIS_LABEL, show: pane === 1, formatter: (v: string) => formatAxisLabel(Number(v), timeframe, timeZone) },
      axisPointer: { label: { show: pane === 1, formatter: (p: { value: unknown }) => formatDateTimeShort(Number(p.value), timeZone) } },
    })),
    yAxis: [
      { gridIndex: 0, scale: true, position: 'right', axisLabel: { ...AXIS_LABEL, formatter: (v: number) => formatPrice(v) }, splitLine: SPLIT_LINE },
      { gridIndex: 1, scale: true, position: 'right', splitNumber: 2, axisLabel: { ...AXIS_LABEL, formatter: (v: number) => formatCompact(v) }, splitLine: { show: false } },
    ],
    dataZoom: [
      { type: 'inside', xAxisIndex: [0, 1], startValue: start, endValue: end, minValueSpan: 10 },
      {
        type: 'slider',
        xAxisIndex: [0, 1],
        startValue: start,
        endValue: end,
        minValueSpan: 10,
        bottom: 4,
        height: 16,
        left: 12,
        right: 72,
        borderColor: CHART_COLORS.grid,
        textStyle: { color: CHART_COLORS.axis, fontSize: 10 },
        labelFormatter: (_v: number, value: string) => formatAxisLabel(Number(value), timeframe, timeZone),
      },
    ],
    series: [
      {
        id: 'candles',
        name: 'candles',
        type: 'candlestick',
        data: candles.map((c) => [c.open, c.close, c.low, c.high]),
        xAxisIndex: 0,
        yAxisIndex: 0,
        large: true,
        largeThreshold: 3000,
        barMaxWidth: 16,
        itemStyle: { color: CHART_COLORS.up, color0: CHART_COLORS.down, borderColor: CHART_COLORS.up, borderColor0: CHART_COLORS.down },
      },
      {
        id: 'volume',
        name: 'volume',
        type: 'bar',
        data: candles.map((c) => ({ value: c.volume, itemStyle: { color: c.close >= c.open ? CHART_COLORS.up : CHART_COLORS.down, opacity: 0.6 } })),
        xAxisIndex: 1,
        yAxisIndex: 1,
        barMaxWidth: 16,
      },
      ...fillMarkerSeries(markers),
    ],
  };
}
