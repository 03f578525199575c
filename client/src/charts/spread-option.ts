/**
 * Option builder of the spread chart of DCA spread bots (pure, tested): the strategy's `spread` series
 * (percentage points, A versus B) over time, with dashed threshold lines at ±`entryPct` (where a cycle opens)
 * and a faint zero line.
 */
import type { ComposeOption } from 'echarts/core';
import type { LineSeriesOption } from 'echarts/charts';
import type { DataZoomComponentOption, GridComponentOption, MarkLineComponentOption, TooltipComponentOption } from 'echarts/components';
import type { SeriesPoint } from '@osprey/shared';
import { formatDateTimeShort } from '../lib/time.js';
import { formatSigned } from '../trade/trades.js';
import { CHART_COLORS } from './market-option.js';

/** The ECharts option type of the spread chart. */
export type SpreadChartOption = ComposeOption<LineSeriesOption | GridComponentOption | TooltipComponentOption | DataZoomComponentOption | MarkLineComponentOption>;

/** Name of the series a spread bot records. */
export const SPREAD_SERIES = 'spread';

/** `[ts, value]` pairs of one series (default `spread`), in time order, non-finite values left out. */
export function seriesData(points: readonly SeriesPoint[], series: string = SPREAD_SERIES): [number, number][] {
  return points
    .filter((p) => p.series === series && Number.isFinite(p.ts) && Number.isFinite(p.value))
    .map((p): [number, number] => [p.ts, p.value])
    .sort((a, b) => a[0] - b[0]);
}

/** Labels of the spread chart. */
export interface SpreadChartLabels {
  spread: string;
  entry: string;
}

/**
 * The spread chart: a line of the spread (points) on a time axis, threshold lines at +`entryPct` and
 * −`entryPct` (labelled, dashed) and at 0; the y axis always includes both thresholds. Tooltip: time in
 * `timeZone` and the spread with sign.
 */
export function buildSpreadOption(points: readonly SeriesPoint[], entryPct: number, timeZone: string, labels: SpreadChartLabels): SpreadChartOption {
  const data = seriesData(points);
  const values = data.map((d) => d[1]);
  const hi = Math.max(entryPct, ...values);
  const lo = Math.min(-entryPct, ...values);
  const pad = (hi - lo) * 0.08 || 1;
  const threshold = (v: number) => ({
    yAxis: v,
    lineStyle: { color: '#f5c542', type: 'dashed' as const, width: 1 },
    label: { show: true, position: 'insideEndTop' as const, color: '#f5c542', fontSize: 10, formatter: `${labels.entry} ${formatSigned(v)}` },
  });
  return {
    animation: false,
    backgroundColor: 'transparent',
    tooltip: {
      trigger: 'axis',
      backgroundColor: 'rgba(14, 19, 26, 0.94)',
      borderColor: '#2b3545',
      textStyle: { color: '#d7dde8', fontSize: 12 },
      formatter: (raw: unknown) => {
        const p = (Array.isArray(raw) ? raw[0] : raw) as { value?: [number, number] } | undefined;
        if (!p?.value) return '';
        return `${formatDateTimeShort(p.value[0], timeZone)}<br/>${labels.spread} <b>${formatSigned(p.value[1], 3)}</b>`;
      },
    },
    grid: { left: 12, right: 64, top: 14, bottom: 26 },
    xAxis: {
      type: 'time',
      axisLine: { lineStyle: { color: CHART_COLORS.grid } },
      axisLabel: { color: CHART_COLORS.axis, fontSize: 10, hideOverlap: true, formatter: (v: number) => formatDateTimeShort(v, timeZone).slice(5) },
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value',
      position: 'right',
      min: lo - pad,
      max: hi + pad,
      axisLabel: { color: CHART_COLORS.axis, fontSize: 10, formatter: (v: number) => formatSigned(v, 1) },
      splitLine: { lineStyle: { color: CHART_COLORS.grid } },
    },
    dataZoom: [{ type: 'inside' }],
    series: [
      {
        id: 'spread',
        name: labels.spread,
        type: 'line',
        data,
        showSymbol: data.length <= 1,
        symbolSize: 4,
        sampling: 'lttb',
        lineStyle: { color: '#42a5f5', width: 1.3 },
        itemStyle: { color: '#42a5f5' },
        markLine: {
          silent: true,
          symbol: 'none',
          animation: false,
          data: [threshold(entryPct), threshold(-entryPct), { yAxis: 0, lineStyle: { color: CHART_COLORS.axis, type: 'solid', width: 1, opacity: 0.4 }, label: { show: false } }],
        },
      },
    ],
  };
}
