/**
 * Bot overlays for the market chart (pure, tested): the bot's fills as buy ▲ / sell ▼ markers on the candle
 * that contains each fill (reusing the trade overlay's placement), and — for grid bots — one horizontal line
 * per open order price (buys green, sells red, dashed).
 */
import type { OrderView } from '@osprey/shared';
import { chartSymbolFor } from '../trade/trades.js';
import { formatPrice } from '../lib/format.js';
import { CHART_COLORS, type ChartOverlay, type PriceLineMark } from './market-option.js';
import { fillMarkerSeries, placeFillMarkers, type FillLike } from './trade-overlay.js';

/** Labels of the order lines (translated by the caller). */
export interface OrderLineLabels {
  buy: string;
  sell: string;
}

/** An open order as the lines need it. */
export type OrderLike = Pick<OrderView, 'id' | 'symbol' | 'side' | 'price' | 'triggerPrice' | 'amount' | 'filled'>;

/**
 * One dashed line per open order of `chartSymbol` (perpetual orders on their spot chart) at its limit price,
 * else its trigger price; orders with neither (market orders) are left out. Label: `Buy 0.001 @ 61234.5`;
 * the orders of one side form a label group, so that a grid's close levels share one label
 * (`Buy ×3 @ 60900.00–61234.50`, see `layoutPriceLabels`) instead of overlapping.
 */
export function orderPriceLines(orders: readonly OrderLike[], chartSymbol: string, labels: OrderLineLabels = { buy: 'Buy', sell: 'Sell' }): PriceLineMark[] {
  const out: PriceLineMark[] = [];
  for (const o of orders) {
    if (chartSymbolFor(o.symbol) !== chartSymbol) continue;
    const price = Number(o.price ?? o.triggerPrice);
    if (!Number.isFinite(price) || price <= 0) continue;
    const color = o.side === 'buy' ? CHART_COLORS.up : CHART_COLORS.down;
    const side = o.side === 'buy' ? labels.buy : labels.sell;
    out.push({
      name: `order:${o.id}`,
      yAxis: price,
      lineStyle: { color, width: 1, type: 'dashed', opacity: 0.85 },
      label: { show: true, position: 'insideEndTop', color, fontSize: 10, formatter: `${side} ${o.amount} @ ${formatPrice(price)}` },
      group: { key: o.side, text: side },
    });
  }
  return out;
}

/** Inputs of {@link buildBotOverlay}. */
export interface BotOverlayInput {
  orders: readonly OrderLike[];
  fills: readonly FillLike[];
  /** The charted candles (ascending open times). */
  candles: readonly { ts: number }[];
  /** Candle period, ms. */
  periodMs: number;
  /** The spot symbol charted. */
  chartSymbol: string;
  /** Draw open-order lines (grid bots). */
  showOrders: boolean;
  labels?: OrderLineLabels;
}

/** The market chart overlay of a bot: fill markers and (when `showOrders`) open-order lines, with their counts. */
export function buildBotOverlay(input: BotOverlayInput): ChartOverlay & { lineCount: number; fillCount: number } {
  const lines = input.showOrders ? orderPriceLines(input.orders, input.chartSymbol, input.labels) : [];
  const markers = placeFillMarkers(input.fills, input.candles, input.periodMs, input.chartSymbol);
  return {
    priceLines: lines,
    series: fillMarkerSeries(markers),
    lineCount: lines.length,
    fillCount: markers.buy.length + markers.sell.length,
  };
}
