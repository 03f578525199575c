/**
 * Trade overlays for the market chart (pure, tested): horizontal price lines for the active trades of the
 * charted symbol (entry, stop-loss in red, take-profits in green) and buy ▲ / sell ▼ markers for fills,
 * placed on the candle that contains each fill.
 */
import type { ScatterSeriesOption } from 'echarts/charts';
import type { TradeView } from '@osprey/shared';
import { chartSymbolFor } from '../trade/trades.js';
import { candleIndexAt, CHART_COLORS, type ChartOverlay, type PriceLineMark } from './market-option.js';
import { formatPrice } from '../lib/format.js';

/** Colour of the entry line. */
export const ENTRY_COLOR = '#42a5f5';

/** What a price line marks. */
export type PriceLineKind = 'entry' | 'sl' | 'tp';

/** One horizontal line of a trade. */
export interface PriceLine {
  tradeId: string;
  kind: PriceLineKind;
  price: number;
  /** Short label, e.g. `Entry ▲ 0.01`, `SL`, `TP1 50%`. */
  label: string;
  /** A take-profit already executed (drawn fainter). */
  done: boolean;
  /** A spot take-profit held by Osprey (armed locally, no order at the venue): labelled so, drawn dash-dotted. */
  held: boolean;
}

/** Labels of the lines (translated by the caller). */
export interface PriceLineLabels {
  entry: string;
  sl: string;
  tp: string;
  /** Suffix of a take-profit held by Osprey (default `held by Osprey`). */
  held?: string;
}

const DEFAULT_LABELS: PriceLineLabels = { entry: 'Entry', sl: 'SL', tp: 'TP', held: 'held by Osprey' };

function num(s: string | null | undefined): number | null {
  if (s == null) return null;
  const n = Number(s);
  return Number.isFinite(n) && n > 0 ? n : null;
}

/**
 * The price lines of `trades` that are active (`opening`/`open`) on `chartSymbol` (a perpetual's lines go on
 * its spot chart): entry (when known), stop-loss, and each take-profit (`TP1 50%`, numbered in order; a spot
 * target held by Osprey as `TP1 50% · held by Osprey`).
 */
export function tradePriceLines(trades: readonly TradeView[], chartSymbol: string, labels: PriceLineLabels = DEFAULT_LABELS): PriceLine[] {
  const out: PriceLine[] = [];
  for (const t of trades) {
    if ((t.status !== 'opening' && t.status !== 'open') || chartSymbolFor(t.symbol) !== chartSymbol) continue;
    const entry = num(t.entryPrice);
    if (entry !== null) out.push({ tradeId: t.id, kind: 'entry', price: entry, label: `${labels.entry} ${t.side === 'long' ? '▲' : '▼'} ${t.amount}`, done: false, held: false });
    const sl = num(t.stopLoss);
    if (sl !== null) out.push({ tradeId: t.id, kind: 'sl', price: sl, label: labels.sl, done: false, held: false });
    t.takeProfits.forEach((tp, i) => {
      const p = num(tp.price);
      if (p === null) return;
      const pct = Number((Number(tp.share) * 100).toFixed(4));
      const held = !tp.done && tp.held === true;
      const label = `${labels.tp}${i + 1} ${pct}%${held ? ` · ${labels.held ?? DEFAULT_LABELS.held}` : ''}`;
      out.push({ tradeId: t.id, kind: 'tp', price: p, label, done: tp.done, held });
    });
  }
  return out;
}

/**
 * ECharts markLine items for {@link tradePriceLines}: red stop, green targets (dotted and faint when done,
 * dotted when held by Osprey), blue entry; labels at the right end.
 */
export function priceLineMarks(lines: readonly PriceLine[]): PriceLineMark[] {
  return lines.map((l) => {
    const color = l.kind === 'sl' ? CHART_COLORS.down : l.kind === 'tp' ? CHART_COLORS.up : ENTRY_COLOR;
    return {
      name: `${l.kind}:${l.tradeId}`,
      yAxis: l.price,
      lineStyle: { color, width: l.kind === 'entry' ? 1.5 : 1.2, type: l.kind === 'entry' ? 'solid' : l.done || l.held ? 'dotted' : 'dashed', opacity: l.done ? 0.5 : 1 },
      label: { show: true, position: 'insideEndTop', color, fontSize: 10, formatter: `${l.label} ${formatPrice(l.price)}` },
    };
  });
}

/** A fill as the chart needs it. */
export interface FillLike {
  id: string;
  symbol: string;
  side: 'buy' | 'sell';
  price: string;
  amount: string;
  ts: number;
}

/** Fill markers by side: `[candleIndex, price]` points on the price pane. */
export interface FillMarkers {
  buy: [number, number][];
  sell: [number, number][];
}

/**
 * Places the fills of `chartSymbol` (perpetual fills on the spot chart) on the candle whose period contains
 * their time; fills outside the loaded candles are left out.
 */
export function placeFillMarkers(fills: readonly FillLike[], candles: readonly { ts: number }[], periodMs: number, chartSymbol: string): FillMarkers {
  const out: FillMarkers = { buy: [], sell: [] };
  for (const f of fills) {
    if (chartSymbolFor(f.symbol) !== chartSymbol) continue;
    const price = Number(f.price);
    if (!Number.isFinite(price)) continue;
    const index = candleIndexAt(candles, f.ts, periodMs);
    if (index < 0) continue;
    out[f.side].push([index, price]);
  }
  return out;
}

/** Scatter series (stable ids `fills-buy` / `fills-sell`) drawing {@link FillMarkers}: buy ▲ below, sell ▼ above. */
export function fillMarkerSeries(markers: FillMarkers): ScatterSeriesOption[] {
  return (['buy', 'sell'] as const).map((side) => ({
    id: `fills-${side}`,
    name: side,
    type: 'scatter',
    xAxisIndex: 0,
    yAxisIndex: 0,
    symbol: 'triangle',
    symbolSize: 11,
    symbolRotate: side === 'buy' ? 0 : 180,
    symbolOffset: [0, side === 'buy' ? 8 : -8],
    itemStyle: { color: side === 'buy' ? CHART_COLORS.up : CHART_COLORS.down, borderColor: '#ffffff', borderWidth: 1 },
    z: 11,
    data: markers[side],
  }));
}

/**
 * The whole overlay for the market chart: price lines of `trades` and fill markers, for `chartSymbol`; with the
 * number of lines, of take-profit lines held by Osprey, and of fill markers.
 */
export function buildTradeOverlay(
  trades: readonly TradeView[],
  fills: readonly FillLike[],
  candles: readonly { ts: number }[],
  periodMs: number,
  chartSymbol: string,
  labels: PriceLineLabels = DEFAULT_LABELS,
): ChartOverlay & { lineCount: number; heldCount: number; fillCount: number } {
  const lines = tradePriceLines(trades, chartSymbol, labels);
  const markers = placeFillMarkers(fills, candles, periodMs, chartSymbol);
  return {
    priceLines: priceLineMarks(lines),
    series: fillMarkerSeries(markers),
    lineCount: lines.length,
    heldCount: lines.filter((l) => l.held).length,
    fillCount: markers.buy.length + markers.sell.length,
  };
}
