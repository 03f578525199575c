import { useMemo } from 'react';
import type { Candle, SeriesPoint, Timeframe } from '@osprey/shared';
import { useI18n } from '../lib/i18n.js';
import { localTimeZone } from '../lib/time.js';
import { EChart } from '../components/EChart.js';
import { Placeholder } from '../components/Feedback.js';
import { buildSpreadOption, seriesData } from '../charts/spread-option.js';
import { buildBacktestCandleOption, buildBacktestEquityOption, buildCompareOption, countFillMarkers, type CompareCurve, type RunEquityPoint } from '../charts/backtest-option.js';
import type { FillLike } from '../charts/trade-overlay.js';

/**
 * Spread chart of a DCA spread bot or run (`<testId>`, `data-points`): the spread in points with the ±entry
 * threshold lines.
 */
export function SpreadChart({ series, entryPct, testId }: { series: readonly SeriesPoint[]; entryPct: number; testId: string }) {
  const { t } = useI18n();
  const timeZone = localTimeZone();
  const points = useMemo(() => seriesData(series).length, [series]);
  const option = useMemo(() => buildSpreadOption(series, entryPct, timeZone, { spread: t('bots.spread'), entry: t('bots.entryThreshold') }), [series, entryPct, timeZone, t]);
  return (
    <div className="bot-chart-small" data-testid={testId} data-points={points} data-entry-pct={entryPct}>
      {points === 0 ? <Placeholder>{t('bots.noSpread')}</Placeholder> : <EChart className="chart" option={option} setOptionOpts={{ notMerge: true }} />}
    </div>
  );
}

/** Equity (top) and drawdown (below) of a run (`bt-equity-chart`, `data-points`). */
export function EquityDrawdownChart({ points }: { points: readonly RunEquityPoint[] }) {
  const { t } = useI18n();
  const timeZone = localTimeZone();
  const option = useMemo(() => buildBacktestEquityOption(points, timeZone, { equity: t('balances.equity'), drawdown: t('bt.drawdown') }), [points, timeZone, t]);
  return (
    <div className="bt-equity-chart" data-testid="bt-equity-chart" data-points={points.length}>
      {points.length === 0 ? <Placeholder>{t('balances.noEquity')}</Placeholder> : <EChart className="chart" option={option} setOptionOpts={{ notMerge: true }} />}
    </div>
  );
}

/** Several runs' equity curves as % return on one chart (`bt-compare-chart`, `data-series`). */
export function CompareChart({ curves }: { curves: readonly CompareCurve[] }) {
  const timeZone = localTimeZone();
  const option = useMemo(() => buildCompareOption(curves, timeZone), [curves, timeZone]);
  return (
    <div className="bt-equity-chart" data-testid="bt-compare-chart" data-series={curves.length}>
      <EChart className="chart" option={option} setOptionOpts={{ notMerge: true }} />
    </div>
  );
}

/**
 * A run's candle chart of one symbol with the fills as ▲/▼ markers (`bt-candle-chart`, `data-symbol`,
 * `data-candles`, `data-fill-markers`), opening zoomed on the trades (`data-zoom-start`, `data-zoom-end`:
 * the candle indices of that window).
 */
export function RunCandleChart({ candles, timeframe, fills, chartSymbol }: { candles: readonly Candle[]; timeframe: Timeframe; fills: readonly FillLike[]; chartSymbol: string }) {
  const { t } = useI18n();
  const timeZone = localTimeZone();
  const option = useMemo(() => buildBacktestCandleOption({ candles, timeframe, fills, chartSymbol, timeZone, t }), [candles, timeframe, fills, chartSymbol, timeZone, t]);
  const markers = useMemo(() => countFillMarkers({ candles, timeframe, fills, chartSymbol }), [candles, timeframe, fills, chartSymbol]);
  const zoom = (option.dataZoom as { startValue: number; endValue: number }[] | undefined)?.[0];
  return (
    <div
      className="bt-candle-chart"
      data-testid="bt-candle-chart"
      data-symbol={chartSymbol}
      data-candles={candles.length}
      data-fill-markers={markers}
      data-zoom-start={zoom?.startValue ?? ''}
      data-zoom-end={zoom?.endValue ?? ''}
    >
      {candles.length === 0 ? <Placeholder>{t('market.noCandles')}</Placeholder> : <EChart className="chart" option={option} setOptionOpts={{ notMerge: true }} />}
    </div>
  );
}
