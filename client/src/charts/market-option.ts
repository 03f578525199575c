import type { ComposeOption } from 'echarts/core';
import type { BarSeriesOption, CandlestickSeriesOption, LineSeriesOption, ScatterSeriesOption } from 'echarts/charts';
import type {
  AxisPointerComponentOption,
  DataZoomComponentOption,
  GridComponentOption,
  LegendComponentOption,
  MarkLineComponentOption,
  TooltipComponentOption,
} from 'echarts/components';
import {
  INDICATOR_COLUMNS,
  TIMEFRAME_MS,
  type CandleWithIndicators,
  type IndicatorColumn,
  type MarketSignal,
  type SignalType,
  type Timeframe,
} from '@osprey/shared';
import type { MessageKey, MessageParams } from '../lib/i18n.js';
import { formatAxisLabel, formatCandlePeriod, formatDateTimeShort } from '../lib/time.js';
import { formatCompact, formatNumber, formatPrice } from '../lib/format.js';

/** The ECharts option type covering exactly the chart and component modules the market chart registers. */
export type MarketChartOption = ComposeOption<
  | CandlestickSeriesOption
  | LineSeriesOption
  | BarSeriesOption
  | ScatterSeriesOption
  | GridComponentOption
  | TooltipComponentOption
  | DataZoomComponentOption
  | AxisPointerComponentOption
  | LegendComponentOption
  | MarkLineComponentOption
>;

/** Translation function (same shape as `useI18n().t`). */
export type Translate = (key: MessageKey, params?: MessageParams) => string;

/** Chart palette (dark theme). */
export const CHART_COLORS = {
  up: '#26a69a',
  down: '#ef5350',
  ema_9: '#f5c542',
  ema_21: '#42a5f5',
  ema_55: '#ab47bc',
  bb: '#78909c',
  rsi: '#ffb74d',
  macd: '#42a5f5',
  signal: '#ff7043',
  grid: '#222a35',
  axis: '#8a94a6',
} as const;

/** EMA overlay columns in display order. */
const EMA_COLUMNS = ['ema_9', 'ema_21', 'ema_55'] as const;
/** Bollinger band columns, upper to lower. */
const BB_COLUMNS = ['bb_upper', 'bb_middle', 'bb_lower'] as const;

/** Candles visible when a chart is first shown (the rest is reachable via zoom/pan). */
export const DEFAULT_VISIBLE_CANDLES = 180;

/** Vertical pixel offset of a signal marker from the candle's low (LONG, downwards) or high (SHORT, upwards). */
export const MARKER_OFFSET_PX = 14;

/** ECharts "no value" placeholder: lines break and bars are skipped there. */
export type Gap = '-';

/** The RSI column charted on a timeframe: `rsi_7` on 15m (the only 15m RSI), `rsi_14` elsewhere. */
export function rsiColumn(timeframe: Timeframe): IndicatorColumn {
  return timeframe === '15m' ? 'rsi_7' : 'rsi_14';
}

/** EMA overlay columns computed on `timeframe` (ema_55 exists on 15m only). */
export function emaColumns(timeframe: Timeframe): IndicatorColumn[] {
  return EMA_COLUMNS.filter((c) => INDICATOR_COLUMNS[timeframe].includes(c));
}

/** True when Bollinger bands are computed on `timeframe` (not on 1d). */
export function hasBollinger(timeframe: Timeframe): boolean {
  return INDICATOR_COLUMNS[timeframe].includes('bb_upper');
}

/** One indicator column as chart data: numbers as-is, null/undefined/NaN as `'-'` (a gap). */
export function indicatorData(candles: readonly CandleWithIndicators[], column: IndicatorColumn): (number | Gap)[] {
  return candles.map((c) => {
    const v = c.ind[column];
    return v == null || !Number.isFinite(v) ? '-' : v;
  });
}

/**
 * Index of the candle whose period `[ts, ts + periodMs)` contains `ts` in `candles` (ascending open times),
 * or -1 when `ts` lies outside the loaded candles. Binary search, O(log n).
 */
export function candleIndexAt(candles: readonly { ts: number }[], ts: number, periodMs: number): number {
  let lo = 0;
  let hi = candles.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = candles[mid]!;
    if (ts < c.ts) hi = mid - 1;
    else if (ts >= c.ts + periodMs) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/** A chart marker: one or more same-direction signals that fall in the same candle. */
export interface SignalMarker {
  /** Candle index on the x axis. */
  index: number;
  type: SignalType;
  /** Price the marker is anchored to: the candle's low for LONG, its high for SHORT. */
  price: number;
  /** Signals in this marker, newest first. */
  signals: MarketSignal[];
}

/**
 * Maps signals to markers on `timeframe`: each signal goes to the candle containing `signal.candleTs`
 * (the 15m candle that produced it), LONG anchored at that candle's low, SHORT at its high. Signals of
 * the same direction in the same candle (e.g. several per day on 1d) share one marker. Signals outside the
 * loaded candles are dropped. Markers are ordered by candle index, then LONG before SHORT.
 */
export function placeSignalMarkers(
  candles: readonly CandleWithIndicators[],
  signals: readonly MarketSignal[],
  timeframe: Timeframe,
): SignalMarker[] {
  const byKey = new Map<string, SignalMarker>();
  for (const s of signals) {
    const index = candleIndexAt(candles, s.candleTs, TIMEFRAME_MS[timeframe]);
    if (index < 0) continue;
    const candle = candles[index]!;
    const key = `${index}:${s.type}`;
    const existing = byKey.get(key);
    if (existing) existing.signals.push(s);
    else byKey.set(key, { index, type: s.type, price: s.type === 'LONG' ? candle.low : candle.high, signals: [s] });
  }
  const markers = [...byKey.values()];
  for (const m of markers) m.signals.sort((a, b) => b.createdAt - a.createdAt);
  return markers.sort((a, b) => a.index - b.index || (a.type === b.type ? 0 : a.type === 'LONG' ? -1 : 1));
}

/** Inclusive category-index window of the x axis. */
export interface ZoomWindow {
  start: number;
  end: number;
}

/**
 * The zoom window to apply after the candle count changes from `prevCount` to `nextCount`.
 * No previous window → the last {@link DEFAULT_VISIBLE_CANDLES} candles. A window touching the live
 * edge (end at the previous last index) follows new candles, keeping its width; any other window stays
 * where the user put it. The result is clamped to `[0, nextCount - 1]`.
 */
export function nextZoomWindow(prev: ZoomWindow | null, prevCount: number, nextCount: number): ZoomWindow {
  const last = Math.max(0, nextCount - 1);
  if (!prev || prevCount <= 0) return { start: Math.max(0, nextCount - DEFAULT_VISIBLE_CANDLES), end: last };
  const atEdge = prev.end >= prevCount - 1;
  const shift = atEdge ? nextCount - prevCount : 0;
  const clamp = (v: number) => Math.min(last, Math.max(0, v));
  return { start: clamp(prev.start + shift), end: atEdge ? last : clamp(prev.end) };
}

/**
 * Price-axis bounds that keep every overlay line in view: the visible data range `[dataMin, dataMax]`
 * widened to include `lines`, plus 4 % of the span on each side so a line is not drawn on the frame.
 */
export function extentWithLines(dataMin: number, dataMax: number, lines: readonly number[]): [number, number] {
  const lo = Math.min(dataMin, ...lines);
  const hi = Math.max(dataMax, ...lines);
  const pad = (hi - lo) * 0.04;
  return [lo - pad, hi + pad];
}

/** Inputs of {@link buildMarketOption}. */
export interface MarketOptionInput {
  timeframe: Timeframe;
  /** Closed candles ascending, optionally followed by the forming one. */
  candles: readonly CandleWithIndicators[];
  /** Signals for the charted symbol (any order; those outside `candles` are ignored). */
  signals: readonly MarketSignal[];
  /** IANA time zone for axis labels and tooltips. */
  timeZone: string;
  t: Translate;
  /** Initial zoom window; defaults to the last {@link DEFAULT_VISIBLE_CANDLES} candles. */
  zoom?: ZoomWindow;
  /** Extra drawings on the price pane (the trade page's entry/SL/TP lines and fill markers). */
  overlay?: ChartOverlay;
  /** Pixel height of the price pane, for laying out price-line labels (default 300). */
  priceHeightPx?: number;
}

/** One horizontal price line (an ECharts markLine item on the candlestick series). */
export interface PriceLineMark {
  name: string;
  yAxis: number;
  lineStyle: { color: string; width: number; type: 'solid' | 'dashed' | 'dotted'; opacity: number };
  label: { show: boolean; position: 'insideEndTop'; color: string; fontSize: number; formatter: string };
  /**
   * Lines of one kind that may share a merged label when they sit too close to label apart (grid orders:
   * key `buy`, text `Buy`, merged as `Buy ×3 @ 60900.00–61234.50`).
   */
  group?: { key: string; text: string };
}

/** A price line as drawn: its label possibly hidden (then shown on hover) or merged with its neighbours'. */
export type PriceLineItem = Omit<PriceLineMark, 'group' | 'label'> & {
  /** The mark's label on a translucent plate (readable over candles and markers). */
  label: PriceLineMark['label'] & { backgroundColor: string; padding: [number, number]; borderRadius: number };
  emphasis: { label: { show: true; formatter: string } };
};

/** Plate behind price-line labels: the chart background at 80 %, so a label stays readable over candles. */
export const PRICE_LABEL_PLATE = { backgroundColor: 'rgba(13, 17, 23, 0.8)', padding: [1, 4] as [number, number], borderRadius: 2 };

/** Minimum vertical distance (px) between two shown price-line labels (10 px text plus a gap). */
export const PRICE_LABEL_PX = 14;

/**
 * Lays out price-line labels so they never overlap: from the highest price down, a line less than `minPx`
 * pixels (at `pxPerPrice` pixels per price unit) from the last labelled line hides its label — it shows
 * on hover instead — and joins that line's group. A group's label then names all its lines: lines sharing
 * a `group.key` as `<text> ×n @ <low>–<high>`, others as the first label plus `(+n)`. A non-positive or
 * non-finite `pxPerPrice` shows every label. Items keep the input order.
 */
export function layoutPriceLabels(lines: readonly PriceLineMark[], pxPerPrice: number, minPx: number = PRICE_LABEL_PX): PriceLineItem[] {
  const items: PriceLineItem[] = lines.map(({ group: _group, ...l }) => ({
    ...l,
    label: { ...l.label, ...PRICE_LABEL_PLATE },
    emphasis: { label: { show: true, formatter: l.label.formatter } },
  }));
  if (!(pxPerPrice > 0) || !Number.isFinite(pxPerPrice)) return items;
  const order = lines.map((_, i) => i).sort((a, b) => lines[b]!.yAxis - lines[a]!.yAxis);
  const groups: number[][] = [];
  for (const i of order) {
    const g = groups.at(-1);
    const anchor = g ? lines[g[0]!]! : null;
    if (g && anchor && (anchor.yAxis - lines[i]!.yAxis) * pxPerPrice < minPx) g.push(i);
    else groups.push([i]);
  }
  for (const g of groups) {
    const first = items[g[0]!]!;
    for (const i of g.slice(1)) items[i]!.label.show = false;
    if (g.length === 1 || !first.label.show) continue;
    const keys = new Set(g.map((i) => lines[i]!.group?.key));
    const grp = lines[g[0]!]!.group;
    let text: string;
    if (grp && keys.size === 1) {
      const prices = g.map((i) => lines[i]!.yAxis);
      text = `${grp.text} ×${g.length} @ ${formatPrice(Math.min(...prices))}–${formatPrice(Math.max(...prices))}`;
    } else text = `${first.label.formatter} (+${g.length - 1})`;
    first.label.formatter = text;
    first.emphasis.label.formatter = text;
  }
  return items;
}

/** Height (px) of the price pane of a market chart `chartHeight` px tall (see the pane layout). */
export function pricePaneHeightPx(chartHeight: number): number {
  return chartHeight * PRICE_PANE_SHARE;
}

/**
 * Price span the price axis shows over the candles `zoom.start…zoom.end`: their lows/highs and Bollinger
 * bands, widened to `lines` as {@link extentWithLines} does. 0 when no candle is in the window.
 */
export function visiblePriceSpan(candles: readonly CandleWithIndicators[], zoom: ZoomWindow, lines: readonly number[]): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = Math.max(0, zoom.start); i <= Math.min(candles.length - 1, zoom.end); i++) {
    const c = candles[i]!;
    lo = Math.min(lo, c.low, c.ind.bb_lower ?? Infinity);
    hi = Math.max(hi, c.high, c.ind.bb_upper ?? -Infinity);
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return 0;
  const [a, b] = extentWithLines(lo, hi, lines);
  return b - a;
}

/**
 * Drawings added to the price pane: `priceLines` become a markLine on the candles, `series` (with stable
 * ids, on x/y axis 0) are appended after the built-in series.
 */
export interface ChartOverlay {
  priceLines: readonly PriceLineMark[];
  series: readonly ScatterSeriesOption[];
}

const GRID_LEFT = 12;
const GRID_RIGHT = 72;
/** Share of the chart height taken by the price pane. */
const PRICE_PANE_SHARE = 0.51;
/** Four stacked panes: price, volume, RSI, MACD (top/height). */
const GRIDS = [
  { top: 34, height: `${PRICE_PANE_SHARE * 100}%` },
  { top: '61%', height: '8%' },
  { top: '71.5%', height: '10%' },
  { top: '84%', height: '9%' },
] as const;
const PANES = GRIDS.map((_, i) => i);

/** Escapes text for the HTML tooltip. */
function esc(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** True for a detail field holding an instant (`candle4hTs`, `createdAt`, `ts`): a time-like name and a Unix ms value. */
function isTimeField(key: string, v: unknown): v is number {
  return typeof v === 'number' && /(^ts$|Ts$|At$|Time$)/.test(key) && v > 1e11 && v < 1e14;
}

/** A scalar for the tooltip: instants as `YYYY-MM-DD HH:mm` in `timeZone`, numbers to 4 significant digits, booleans as ✓/✗. */
function scalar(v: unknown, key = '', timeZone = 'UTC'): string {
  if (isTimeField(key, v)) return formatDateTimeShort(v, timeZone);
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'boolean') return v ? '✓' : '✗';
  return String(v);
}

/**
 * One detector layer (`details.filter` etc.) as a short `key=value, …` line: scalars as-is (booleans ✓/✗),
 * instants (`candle4hTs=…`) as formatted times in `timeZone` rather than raw Unix ms, nested objects
 * flattened one level (`resonance.ok=✓`), arrays (indicator windows) left out. Capped at 260 characters.
 */
export function describeLayer(value: unknown, timeZone = 'UTC'): string {
  let text: string;
  if (value == null) text = '-';
  else if (typeof value !== 'object') text = scalar(value);
  else if (Array.isArray(value)) text = value.map((v) => scalar(v)).join(', ');
  else {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (Array.isArray(v)) continue;
      if (v !== null && typeof v === 'object') {
        for (const [k2, v2] of Object.entries(v as Record<string, unknown>)) {
          if (v2 === null || typeof v2 !== 'object') parts.push(`${k}.${k2}=${scalar(v2, k2, timeZone)}`);
        }
      } else parts.push(`${k}=${scalar(v, k, timeZone)}`);
    }
    text = parts.join(', ');
  }
  return text.length > 260 ? `${text.slice(0, 259)}…` : text;
}

/** `18 (filter 5 · trigger 5 · …)` from a signal's score and, when present, `details.score.parts`. */
function describeScore(s: MarketSignal): string {
  const score = s.details.score;
  const parts = score && typeof score === 'object' && 'parts' in score ? score.parts : null;
  if (!parts || typeof parts !== 'object') return String(s.score);
  const list = Object.entries(parts as Record<string, unknown>)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => `${k} ${String(v)}`);
  return list.length ? `${s.score} (${list.join(' · ')})` : String(s.score);
}

/**
 * HTML block describing one signal: title with its time — the close of its 15m candle (`createdAt`), the
 * time the signal list shows — then score, size, expiry and the filter/trigger/confirm layers.
 */
export function signalTooltipHtml(s: MarketSignal, timeZone: string, t: Translate): string {
  const color = s.type === 'LONG' ? CHART_COLORS.up : CHART_COLORS.down;
  const arrow = s.type === 'LONG' ? '▲' : '▼';
  const rows: [string, string][] = [
    [t('chart.signalTime'), formatDateTimeShort(s.createdAt, timeZone)],
    [t('chart.score'), describeScore(s)],
    [t('chart.multiplier'), `×${s.sizeMultiplier}`],
    [t('chart.expires'), formatDateTimeShort(s.expiresAt, timeZone)],
  ];
  const layers: [MessageKey, string][] = [
    ['chart.filter', 'filter'],
    ['chart.trigger', 'trigger'],
    ['chart.confirm', 'confirm'],
  ];
  for (const [label, key] of layers) {
    if (key in s.details) rows.push([t(label), describeLayer(s.details[key], timeZone)]);
  }
  return (
    `<div class="ct-signal"><div class="ct-signal-title" style="color:${color}">${arrow} ` +
    `${esc(t('chart.signal', { type: t(`signals.${s.type}`) }))}</div>` +
    rows.map(([k, v]) => `<div class="ct-row"><span>${esc(k)}</span><b>${esc(v)}</b></div>`).join('') +
    `</div>`
  );
}

/** Signals described in full in a candle's tooltip; further ones get one line each (up to {@link LISTED_SIGNALS} in all). */
const DETAILED_SIGNALS = 1;
/** Signals listed in a candle's tooltip at most; the rest are counted. */
const LISTED_SIGNALS = 12;

/** One line for a signal in a busy candle's tooltip: `▼ SHORT 22 ×1 · 14:45` (its candle close time). */
function signalLineHtml(s: MarketSignal, timeZone: string, t: Translate): string {
  const color = s.type === 'LONG' ? CHART_COLORS.up : CHART_COLORS.down;
  return (
    `<div class="ct-row"><span style="color:${color}">${s.type === 'LONG' ? '▲' : '▼'} ${esc(t(`signals.${s.type}`))} ${s.score} ×${s.sizeMultiplier}</span>` +
    `<b>${esc(formatDateTimeShort(s.createdAt, timeZone))}</b></div>`
  );
}

/**
 * HTML tooltip for a candle: its period (open – close, in `timeZone`), OHLCV, indicators, and the signals
 * on it newest first — the newest in full, up to eleven more on one line each, the rest counted.
 */
export function candleTooltipHtml(
  candle: CandleWithIndicators,
  timeframe: Timeframe,
  markers: readonly SignalMarker[],
  timeZone: string,
  t: Translate,
): string {
  const ohlc: [string, string][] = [
    [t('chart.open'), formatPrice(candle.open)],
    [t('chart.high'), formatPrice(candle.high)],
    [t('chart.low'), formatPrice(candle.low)],
    [t('chart.close'), formatPrice(candle.close)],
    [t('chart.volume'), formatCompact(candle.volume)],
  ];
  const color = candle.close >= candle.open ? CHART_COLORS.up : CHART_COLORS.down;
  const ind: string[] = [];
  for (const col of [...emaColumns(timeframe), ...(hasBollinger(timeframe) ? BB_COLUMNS : []), rsiColumn(timeframe), 'macd_line', 'signal_line', 'histogram'] as IndicatorColumn[]) {
    const v = candle.ind[col];
    if (v != null) ind.push(`<span>${esc(col)} <b>${esc(formatNumber(v))}</b></span>`);
  }
  const signals = markers.flatMap((m) => m.signals).sort((a, b) => b.createdAt - a.createdAt);
  const listed = signals.slice(DETAILED_SIGNALS, LISTED_SIGNALS);
  const rest = signals.length - DETAILED_SIGNALS - listed.length;
  return (
    `<div class="ct"><div class="ct-time">${esc(formatCandlePeriod(candle.ts, TIMEFRAME_MS[timeframe], timeZone))} <small>${esc(timeZone)}</small></div>` +
    `<div class="ct-ohlc" style="color:${color}">` +
    ohlc.map(([k, v]) => `<span>${esc(k)} <b>${esc(v)}</b></span>`).join('') +
    `</div>` +
    (ind.length ? `<div class="ct-ind">${ind.join('')}</div>` : '') +
    signals.slice(0, DETAILED_SIGNALS).map((s) => signalTooltipHtml(s, timeZone, t)).join('') +
    (listed.length ? `<div class="ct-signal">${listed.map((s) => signalLineHtml(s, timeZone, t)).join('')}</div>` : '') +
    (rest > 0 ? `<div class="ct-more">${esc(t('chart.moreSignals', { count: rest }))}</div>` : '') +
    `</div>`
  );
}

/** Shape of the first param ECharts passes to an axis-tooltip formatter (only what we read). */
interface AxisTooltipParam {
  dataIndex: number;
}

/**
 * Builds the full market chart option: four grids sharing one category x axis (candle open times) —
 * price (candlesticks, EMA 9/21/55 and Bollinger overlays where the timeframe has them, LONG ▲ / SHORT ▼
 * signal markers), volume (up/down coloured bars), RSI (rsi_7 on 15m, rsi_14 otherwise, 30/70 guides)
 * and MACD (line, signal line, positive/negative histogram) — with inside + slider dataZoom over all
 * panes. Null indicator values become `'-'` gaps. Series carry stable ids so later `setOption` calls
 * merge in place. Each signal marker sits on the candle containing the signal's 15m candle, whatever the
 * timeframe; one marker per direction and candle, labelled with the count when it stands for several.
 * An optional `overlay` adds price lines (markLine on the candles, labels laid out by
 * {@link layoutPriceLabels} for the visible price range) and extra price-pane series. Pure: no DOM or
 * ECharts runtime needed.
 */
export function buildMarketOption(input: MarketOptionInput): MarketChartOption {
  const { timeframe, candles, signals, timeZone, t } = input;
  const n = candles.length;
  const zoom = input.zoom ?? nextZoomWindow(null, 0, n);
  const categories = candles.map((c) => String(c.ts));
  const markers = placeSignalMarkers(candles, signals, timeframe);
  const markersByIndex = new Map<number, SignalMarker[]>();
  for (const m of markers) markersByIndex.set(m.index, [...(markersByIndex.get(m.index) ?? []), m]);

  const upVol: (number | Gap)[] = [];
  const downVol: (number | Gap)[] = [];
  const histPos: (number | Gap)[] = [];
  const histNeg: (number | Gap)[] = [];
  const ohlc: [number, number, number, number][] = [];
  for (const c of candles) {
    ohlc.push([c.open, c.close, c.low, c.high]);
    const up = c.close >= c.open;
    upVol.push(up ? c.volume : '-');
    downVol.push(up ? '-' : c.volume);
    const h = c.ind.histogram;
    histPos.push(h != null && Number.isFinite(h) && h >= 0 ? h : '-');
    histNeg.push(h != null && Number.isFinite(h) && h < 0 ? h : '-');
  }

  const line = (id: string, name: string, data: (number | Gap)[], color: string, pane: number, extra: Partial<LineSeriesOption> = {}): LineSeriesOption => ({
    id,
    name,
    type: 'line',
    data,
    xAxisIndex: pane,
    yAxisIndex: pane,
    showSymbol: false,
    symbol: 'none',
    sampling: 'lttb',
    connectNulls: false,
    lineStyle: { width: 1.2, color },
    itemStyle: { color },
    emphasis: { disabled: true },
    ...extra,
  });

  const linePrices = (input.overlay?.priceLines ?? []).map((l) => l.yAxis).filter((v) => Number.isFinite(v));
  const series: MarketChartOption['series'] = [
    {
      id: 'candles',
      name: 'candles',
      type: 'candlestick',
      data: ohlc,
      xAxisIndex: 0,
      yAxisIndex: 0,
      large: true,
      largeThreshold: 3000,
      barMaxWidth: 16,
      itemStyle: { color: CHART_COLORS.up, color0: CHART_COLORS.down, borderColor: CHART_COLORS.up, borderColor0: CHART_COLORS.down },
      ...(input.overlay
        ? {
            // Not silent: a label hidden to avoid overlapping its neighbours shows while its line is hovered.
            markLine: {
              silent: false,
              symbol: 'none',
              animation: false,
              precision: 10,
              data: layoutPriceLabels(input.overlay.priceLines, (input.priceHeightPx ?? 300) / visiblePriceSpan(candles, zoom, linePrices)),
            },
          }
        : {}),
    },
    ...emaColumns(timeframe).map((col) => line(col, `EMA ${col.slice(4)}`, indicatorData(candles, col), CHART_COLORS[col as 'ema_9'], 0)),
    ...(hasBollinger(timeframe)
      ? BB_COLUMNS.map((col) =>
          line(col, 'BB', indicatorData(candles, col), CHART_COLORS.bb, 0, {
            lineStyle: { width: 1, color: CHART_COLORS.bb, type: col === 'bb_middle' ? 'dashed' : 'solid', opacity: 0.8 },
          }),
        )
      : []),
    ...(['LONG', 'SHORT'] as const).map(
      (type): ScatterSeriesOption => ({
        id: `signals-${type.toLowerCase()}`,
        name: type,
        type: 'scatter',
        xAxisIndex: 0,
        yAxisIndex: 0,
        symbol: 'triangle',
        symbolSize: 13,
        symbolRotate: type === 'LONG' ? 0 : 180,
        symbolOffset: [0, type === 'LONG' ? MARKER_OFFSET_PX : -MARKER_OFFSET_PX],
        itemStyle: { color: type === 'LONG' ? CHART_COLORS.up : CHART_COLORS.down, borderColor: '#0b0f14', borderWidth: 1 },
        // A marker standing for several signals (a 4h or 1d candle holds many 15m closes) shows how many.
        label: { show: false, position: type === 'LONG' ? 'bottom' : 'top', distance: 2, color: type === 'LONG' ? CHART_COLORS.up : CHART_COLORS.down, fontSize: 9, fontWeight: 'bold' },
        z: 10,
        data: markers.filter((m) => m.type === type).map((m) => markerDatum(m)),
      }),
    ),
    {
      id: 'vol-up',
      name: 'vol-up',
      type: 'bar',
      data: upVol,
      xAxisIndex: 1,
      yAxisIndex: 1,
      large: true,
      barGap: '-100%',
      barMaxWidth: 16,
      itemStyle: { color: CHART_COLORS.up, opacity: 0.6 },
    },
    {
      id: 'vol-down',
      name: 'vol-down',
      type: 'bar',
      data: downVol,
      xAxisIndex: 1,
      yAxisIndex: 1,
      large: true,
      barGap: '-100%',
      barMaxWidth: 16,
      itemStyle: { color: CHART_COLORS.down, opacity: 0.6 },
    },
    line('rsi', `RSI ${rsiColumn(timeframe).slice(4)}`, indicatorData(candles, rsiColumn(timeframe)), CHART_COLORS.rsi, 2, {
      markLine: {
        silent: true,
        symbol: 'none',
        label: { show: true, position: 'insideStartTop', color: CHART_COLORS.axis, fontSize: 10 },
        lineStyle: { color: CHART_COLORS.axis, type: 'dashed', width: 1, opacity: 0.6 },
        data: [{ yAxis: 30 }, { yAxis: 70 }],
      },
    }),
    line('macd_line', 'MACD', indicatorData(candles, 'macd_line'), CHART_COLORS.macd, 3),
    line('signal_line', 'Signal', indicatorData(candles, 'signal_line'), CHART_COLORS.signal, 3),
    { id: 'hist-pos', name: 'hist-pos', type: 'bar', data: histPos, xAxisIndex: 3, yAxisIndex: 3, large: true, barGap: '-100%', barMaxWidth: 16, itemStyle: { color: CHART_COLORS.up, opacity: 0.7 } },
    { id: 'hist-neg', name: 'hist-neg', type: 'bar', data: histNeg, xAxisIndex: 3, yAxisIndex: 3, large: true, barGap: '-100%', barMaxWidth: 16, itemStyle: { color: CHART_COLORS.down, opacity: 0.7 } },
    ...(input.overlay?.series ?? []),
  ];

  const legendNames = [...emaColumns(timeframe).map((c) => `EMA ${c.slice(4)}`), ...(hasBollinger(timeframe) ? ['BB'] : [])];
  const axisLabel = { color: CHART_COLORS.axis, fontSize: 10 };
  const splitLine = { lineStyle: { color: CHART_COLORS.grid } };

  return {
    animation: false,
    backgroundColor: 'transparent',
    textStyle: { fontFamily: 'inherit' },
    legend: { data: legendNames, top: 4, left: GRID_LEFT, textStyle: { color: CHART_COLORS.axis, fontSize: 11 }, itemHeight: 8, inactiveColor: '#3a4454' },
    axisPointer: { link: [{ xAxisIndex: 'all' }], label: { backgroundColor: '#2b3545' } },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'cross', crossStyle: { color: '#5b6577' }, lineStyle: { color: '#5b6577' } },
      backgroundColor: 'rgba(14, 19, 26, 0.94)',
      borderColor: '#2b3545',
      textStyle: { color: '#d7dde8', fontSize: 12 },
      confine: true,
      className: 'chart-tooltip',
      formatter: (raw: unknown) => {
        const first = (Array.isArray(raw) ? raw[0] : raw) as AxisTooltipParam | undefined;
        const candle = first ? candles[first.dataIndex] : undefined;
        return candle ? candleTooltipHtml(candle, timeframe, markersByIndex.get(first!.dataIndex) ?? [], timeZone, t) : '';
      },
    },
    grid: GRIDS.map((g) => ({ left: GRID_LEFT, right: GRID_RIGHT, top: g.top, height: g.height })),
    xAxis: PANES.map((pane) => ({
      type: 'category' as const,
      gridIndex: pane,
      data: categories,
      boundaryGap: true,
      axisLine: { onZero: false, lineStyle: { color: CHART_COLORS.grid } },
      axisTick: { show: false },
      splitLine: { show: false },
      axisLabel: {
        show: pane === PANES.length - 1,
        ...axisLabel,
        formatter: (value: string) => formatAxisLabel(Number(value), timeframe, timeZone),
      },
      axisPointer: {
        label: { show: pane === PANES.length - 1, formatter: (p: { value: unknown }) => formatDateTimeShort(Number(p.value), timeZone) },
      },
    })),
    yAxis: [
      {
        gridIndex: 0,
        scale: true,
        position: 'right',
        axisLabel: { ...axisLabel, formatter: (v: number) => formatPrice(v) },
        splitLine,
        // Overlay lines (a stop below the visible candles) widen the axis; markLines alone do not.
        ...(linePrices.length
          ? {
              min: (v: { min: number; max: number }) => extentWithLines(v.min, v.max, linePrices)[0],
              max: (v: { min: number; max: number }) => extentWithLines(v.min, v.max, linePrices)[1],
            }
          : {}),
      },
      { gridIndex: 1, scale: true, position: 'right', splitNumber: 2, axisLabel: { ...axisLabel, formatter: (v: number) => formatCompact(v) }, splitLine: { show: false } },
      { gridIndex: 2, min: 0, max: 100, interval: 50, position: 'right', axisLabel, splitLine: { show: false } },
      { gridIndex: 3, scale: true, position: 'right', splitNumber: 2, axisLabel: { ...axisLabel, formatter: (v: number) => formatNumber(v) }, splitLine: { show: false } },
    ],
    dataZoom: [
      { id: 'zoom-inside', type: 'inside', xAxisIndex: PANES, startValue: zoom.start, endValue: zoom.end, minValueSpan: 10 },
      {
        id: 'zoom-slider',
        type: 'slider',
        xAxisIndex: PANES,
        startValue: zoom.start,
        endValue: zoom.end,
        minValueSpan: 10,
        bottom: 6,
        height: 18,
        left: GRID_LEFT,
        right: GRID_RIGHT,
        borderColor: CHART_COLORS.grid,
        textStyle: { color: CHART_COLORS.axis, fontSize: 10 },
        labelFormatter: (_v: number, value: string) => formatAxisLabel(Number(value), timeframe, timeZone),
      },
    ],
    series,
  };
}

/**
 * Scatter datum of a marker: `[index, price]`, or for a marker standing for several signals the same with a
 * label showing their count.
 */
function markerDatum(m: SignalMarker): [number, number] | { value: [number, number]; label: { show: true; formatter: string } } {
  if (m.signals.length <= 1) return [m.index, m.price];
  return { value: [m.index, m.price], label: { show: true, formatter: String(m.signals.length) } };
}

/** Number of marker points {@link buildMarketOption} renders for these inputs. */
export function countMarkers(candles: readonly CandleWithIndicators[], signals: readonly MarketSignal[], timeframe: Timeframe): number {
  return placeSignalMarkers(candles, signals, timeframe).length;
}
