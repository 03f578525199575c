/**
 * Option builder of the account equity mini-chart (pure, tested): one area line of equity (quote currency)
 * over time, coloured by whether equity is above or below its first point.
 */
import type { ComposeOption } from 'echarts/core';
import type { LineSeriesOption } from 'echarts/charts';
import type { GridComponentOption, TooltipComponentOption } from 'echarts/components';
import { CHART_COLORS } from './market-option.js';
import { formatDateTimeShort } from '../lib/time.js';
import { formatPrice } from '../lib/format.js';

/** The ECharts option type of the equity chart. */
export type EquityChartOption = ComposeOption<LineSeriesOption | GridComponentOption | TooltipComponentOption>;

/** An equity point: Unix ms and equity as a decimal string (quote). */
export interface EquityPointLike {
  ts: number;
  equity: string;
}

/** `[ts, equity]` pairs in time order, points whose equity is not a finite number left out. */
export function equitySeries(points: readonly EquityPointLike[]): [number, number][] {
  return points
    .map((p): [number, number] => [p.ts, Number(p.equity)])
    .filter(([ts, v]) => Number.isFinite(ts) && Number.isFinite(v))
    .sort((a, b) => a[0] - b[0]);
}

/** Change from the first to the last point (quote), 0 with fewer than two points. */
export function equityChange(points: readonly EquityPointLike[]): number {
  const s = equitySeries(points);
  if (s.length < 2) return 0;
  return s[s.length - 1]![1] - s[0]![1];
}

/** The equity chart: time x axis, scaled y axis on the right, tooltips with time (in `timeZone`) and value. */
export function buildEquityOption(points: readonly EquityPointLike[], timeZone: string): EquityChartOption {
  const data = equitySeries(points);
  const color = equityChange(points) < 0 ? CHART_COLORS.down : CHART_COLORS.up;
  return {
    animation: false,
    backgroundColor: 'transparent',
    grid: { left: 8, right: 66, top: 10, bottom: 22 },
    tooltip: {
      trigger: 'axis',
      backgroundColor: 'rgba(14, 19, 26, 0.94)',
      borderColor: '#2b3545',
      textStyle: { color: '#d7dde8', fontSize: 12 },
      formatter: (raw: unknown) => {
        const p = (Array.isArray(raw) ? raw[0] : raw) as { value?: [number, number] } | undefined;
        if (!p?.value) return '';
        return `${formatDateTimeShort(p.value[0], timeZone)}<br/><b>${formatPrice(p.value[1])}</b>`;
      },
    },
    xAxis: {
      type: 'time',
      axisLine: { lineStyle: { color: CHART_COLORS.grid } },
      axisLabel: { color: CHART_COLORS.axis, fontSize: 10, hideOverlap: true },
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value',
      scale: true,
      position: 'right',
      splitNumber: 3,
      axisLabel: { color: CHART_COLORS.axis, fontSize: 10, formatter: (v: number) => formatPrice(v) },
      splitLine: { lineStyle: { color: CHART_COLORS.grid } },
    },
    series: [
      {
        id: 'equity',
        type: 'line',
        data,
        showSymbol: data.length <= 1,
        symbolSize: 4,
        lineStyle: { color, width: 1.5 },
        itemStyle: { color },
        areaStyle: { color, opacity: 0.12 },
      },
    ],
  };
}
