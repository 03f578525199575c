import { useEffect, useRef, type HTMLAttributes } from 'react';
import { init, use, type ECharts, type EChartsCoreOption, type SetOptionOpts } from 'echarts/core';
import { BarChart, CandlestickChart, LineChart, ScatterChart } from 'echarts/charts';
import {
  AxisPointerComponent,
  DataZoomInsideComponent,
  DataZoomSliderComponent,
  GridComponent,
  LegendPlainComponent,
  MarkLineComponent,
  TooltipComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

// Register only what Osprey's charts use, so the bundle stays tree-shaken.
use([
  CandlestickChart,
  LineChart,
  BarChart,
  ScatterChart,
  GridComponent,
  TooltipComponent,
  AxisPointerComponent,
  DataZoomInsideComponent,
  DataZoomSliderComponent,
  LegendPlainComponent,
  MarkLineComponent,
  CanvasRenderer,
]);

/** Props of {@link EChart}: any div attributes plus the chart hooks. */
export interface EChartProps extends HTMLAttributes<HTMLDivElement> {
  /** Applied with `setOption(option, setOptionOpts)` whenever it changes (identity). Omit to drive the chart via `onChart`. */
  option?: EChartsCoreOption;
  setOptionOpts?: SetOptionOpts;
  /** Called with the instance once created, and with `null` just before it is disposed. */
  onChart?: (chart: ECharts | null) => void;
}

/**
 * Minimal ECharts host: creates the instance (dark theme, canvas) on mount, resizes it with its
 * container (ResizeObserver), applies `option` on change, and disposes on unmount.
 */
export function EChart({ option, setOptionOpts, onChart, ...divProps }: EChartProps) {
  const el = useRef<HTMLDivElement>(null);
  const chartRef = useRef<ECharts | null>(null);
  const onChartRef = useRef(onChart);
  onChartRef.current = onChart;

  useEffect(() => {
    const node = el.current;
    if (!node) return;
    const chart = init(node, 'dark', { renderer: 'canvas' });
    chartRef.current = chart;
    let frame = 0;
    const ro = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => chart.resize());
    });
    ro.observe(node);
    onChartRef.current?.(chart);
    return () => {
      cancelAnimationFrame(frame);
      ro.disconnect();
      onChartRef.current?.(null);
      chartRef.current = null;
      chart.dispose();
    };
  }, []);

  useEffect(() => {
    if (option && chartRef.current) chartRef.current.setOption(option, setOptionOpts);
    // setOptionOpts is read at apply time; only a new option triggers an update.
  }, [option]);

  return <div ref={el} {...divProps} />;
}
