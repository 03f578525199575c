import { useEffect, useImperativeHandle, useMemo, useRef, useState, type Ref } from 'react';
import type { ECharts } from 'echarts/core';
import { TIMEFRAME_MS, type CandleWithIndicators, type MarketSignal, type Timeframe } from '@osprey/shared';
import { EChart } from '../components/EChart.js';
import { Placeholder, Spinner } from '../components/Feedback.js';
import { useI18n } from '../lib/i18n.js';
import { localTimeZone } from '../lib/time.js';
import { buildMarketOption, candleIndexAt, countMarkers, nextZoomWindow, pricePaneHeightPx, type ChartOverlay, type ZoomWindow } from '../charts/market-option.js';

/** Imperative API of {@link MarketChart}. */
export interface MarketChartHandle {
  /** Zooms to the candle containing `ts` (Unix ms) and shows its tooltip; false when not loaded. */
  zoomToTs: (ts: number) => boolean;
}

/** Props of {@link MarketChart}. */
export interface MarketChartProps {
  timeframe: Timeframe;
  /** Closed candles ascending, then the forming one. */
  candles: readonly CandleWithIndicators[];
  signals: readonly MarketSignal[];
  /** Changes when the charted series changes (symbol/timeframe): the chart is rebuilt and re-zoomed. */
  resetKey: string;
  loading: boolean;
  /** Extra price-pane drawings (trade lines, fill markers); see `ChartOverlay`. */
  overlay?: ChartOverlay;
  ref?: Ref<MarketChartHandle>;
}

/** Shape of ECharts `datazoom` events (inside zoom batches them; slider/actions don't). */
interface ZoomEventPart {
  start?: number;
  end?: number;
  startValue?: number;
  endValue?: number;
}

/** Wait after the last zoom/pan before the overlay's price labels are laid out again (ms). */
const RELAYOUT_MS = 250;

/**
 * The market chart (see `buildMarketOption`). Live updates are merged in place (`replaceMerge` on series)
 * with the user's zoom window carried over — following new candles when it touches the live edge — while
 * a new `resetKey` rebuilds the chart from scratch. With overlay price lines, a zoom or pan lays their
 * labels out again for the new price range (so close lines never print over each other). The container (`data-testid="market-chart"`) exposes
 * `data-candles`, `data-markers`, `data-last-ts` and `data-last-close` for browser tests.
 */
export function MarketChart({ timeframe, candles, signals, resetKey, loading, overlay, ref }: MarketChartProps) {
  const { t } = useI18n();
  const timeZone = localTimeZone();
  const [chart, setChart] = useState<ECharts | null>(null);
  const view = useRef<{ key: string | null; count: number; zoom: ZoomWindow | null }>({ key: null, count: 0, zoom: null });
  const [layoutTick, setLayoutTick] = useState(0);
  const hasLines = (overlay?.priceLines.length ?? 0) > 0;

  useEffect(() => {
    if (!chart) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Track user zoom/pan as candle indices so updates can restore (or advance) the window.
    const onZoom = (raw: unknown) => {
      const evt = raw as ZoomEventPart & { batch?: ZoomEventPart[] };
      const p = evt.batch?.[0] ?? evt;
      const span = Math.max(0, view.current.count - 1);
      const cur = view.current.zoom ?? { start: 0, end: span };
      const pick = (value: number | undefined, pct: number | undefined, fallback: number) =>
        typeof value === 'number' ? value : typeof pct === 'number' ? Math.round((pct / 100) * span) : fallback;
      view.current.zoom = { start: pick(p.startValue, p.start, cur.start), end: pick(p.endValue, p.end, cur.end) };
      if (hasLines) {
        clearTimeout(timer);
        timer = setTimeout(() => setLayoutTick((n) => n + 1), RELAYOUT_MS);
      }
    };
    chart.on('datazoom', onZoom);
    return () => {
      clearTimeout(timer);
      chart.off('datazoom', onZoom);
    };
  }, [chart, hasLines]);

  useEffect(() => {
    if (!chart) return;
    const reset = view.current.key !== resetKey;
    const zoom = nextZoomWindow(reset ? null : view.current.zoom, reset ? 0 : view.current.count, candles.length);
    const priceHeightPx = pricePaneHeightPx(chart.getHeight());
    const option = buildMarketOption({ timeframe, candles, signals, timeZone, t, zoom, overlay, priceHeightPx });
    chart.setOption(option, reset ? { notMerge: true } : { replaceMerge: ['series'] });
    view.current = { key: resetKey, count: candles.length, zoom };
  }, [chart, timeframe, candles, signals, timeZone, t, resetKey, overlay, layoutTick]);

  useImperativeHandle(
    ref,
    () => ({
      zoomToTs: (ts: number) => {
        const index = candleIndexAt(candles, ts, TIMEFRAME_MS[timeframe]);
        if (!chart || index < 0) return false;
        const start = Math.max(0, index - 90);
        const end = Math.min(candles.length - 1, index + 40);
        chart.dispatchAction({ type: 'dataZoom', startValue: start, endValue: end });
        view.current.zoom = { start, end };
        setTimeout(() => chart.isDisposed() || chart.dispatchAction({ type: 'showTip', seriesIndex: 0, dataIndex: index }), 50);
        return true;
      },
    }),
    [chart, candles, timeframe],
  );

  const markers = useMemo(() => countMarkers(candles, signals, timeframe), [candles, signals, timeframe]);
  const last = candles.at(-1);

  return (
    <div
      className="chart-wrap"
      data-testid="market-chart"
      data-candles={candles.length}
      data-markers={markers}
      data-last-ts={last?.ts ?? ''}
      data-last-close={last?.close ?? ''}
      data-timeframe={timeframe}
      data-loading={loading ? 'true' : 'false'}
    >
      <EChart className="chart" onChart={setChart} />
      {loading ? (
        <div className="chart-overlay">
          <Placeholder>
            <Spinner label={t('market.loadingChart')} />
          </Placeholder>
        </div>
      ) : candles.length === 0 ? (
        <div className="chart-overlay">
          <Placeholder testId="chart-empty">{t('market.noCandles')}</Placeholder>
        </div>
      ) : null}
    </div>
  );
}
