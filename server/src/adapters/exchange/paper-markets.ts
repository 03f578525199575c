/**
 * Static market table of the paper exchange: BTC, ETH, SOL and XRP against USDT, spot (`BTC/USDT`) and
 * USDT-margined perpetual (`BTC/USDT:USDT`), with Binance's trading rules so that orders that pass here
 * would pass on Binance.
 *
 * Sources (Binance changes these from time to time; values as published around 2024, not fetched live):
 * - spot: `GET /api/v3/exchangeInfo` filters PRICE_FILTER.tickSize, LOT_SIZE.stepSize (= minQty) and
 *   NOTIONAL.minNotional (5 USDT on the USDT pairs): BTC 0.00001 / tick 0.01, ETH 0.0001 / 0.01,
 *   SOL 0.001 / 0.01, XRP 1 / 0.0001 (XRP's step from an older published rule table: the least certain row);
 * - perpetual: `GET /fapi/v1/exchangeInfo` LOT_SIZE / PRICE_FILTER (BTC 0.001 / tick 0.1, ETH 0.001 / 0.01,
 *   SOL 0.01 / 0.01, XRP 0.1 / 0.0001, per a 2024 dump of that endpoint; SOL was step 1 in earlier years),
 *   MIN_NOTIONAL.notional 100 USDT for BTCUSDT, 20 for ETHUSDT, 5 for SOL and XRP (reduce-only orders are
 *   exempt, as on Binance);
 * - max leverage: the first bracket of `GET /fapi/v1/leverageBracket` (approximate: BTC/ETH 125×, SOL 100×,
 *   XRP 75×);
 * - fees: Binance's regular-user (VIP 0) rates without BNB discount — spot 0.1 % maker / 0.1 % taker,
 *   USDⓈ-M futures 0.02 % maker / 0.05 % taker.
 */
import type { DecimalString, MarketType } from '@osprey/shared';
import type { MarketInfo } from '../../domain/exchange/port.js';

/** Default fee rates (fractions) per market type. */
export const PAPER_DEFAULT_FEES: Record<MarketType, { maker: DecimalString; taker: DecimalString }> = {
  spot: { maker: '0.001', taker: '0.001' },
  swap: { maker: '0.0002', taker: '0.0005' },
};

interface Rules {
  amountStep: DecimalString;
  priceStep: DecimalString;
  minAmount: DecimalString;
  minNotional: DecimalString;
}

const TABLE: Record<string, { spot: Rules; swap: Rules & { maxLeverage: number } }> = {
  BTC: {
    spot: { amountStep: '0.00001', priceStep: '0.01', minAmount: '0.00001', minNotional: '5' },
    swap: { amountStep: '0.001', priceStep: '0.1', minAmount: '0.001', minNotional: '100', maxLeverage: 125 },
  },
  ETH: {
    spot: { amountStep: '0.0001', priceStep: '0.01', minAmount: '0.0001', minNotional: '5' },
    swap: { amountStep: '0.001', priceStep: '0.01', minAmount: '0.001', minNotional: '20', maxLeverage: 125 },
  },
  SOL: {
    spot: { amountStep: '0.001', priceStep: '0.01', minAmount: '0.001', minNotional: '5' },
    swap: { amountStep: '0.01', priceStep: '0.01', minAmount: '0.01', minNotional: '5', maxLeverage: 100 },
  },
  XRP: {
    spot: { amountStep: '1', priceStep: '0.0001', minAmount: '1', minNotional: '5' },
    swap: { amountStep: '0.1', priceStep: '0.0001', minAmount: '0.1', minNotional: '5', maxLeverage: 75 },
  },
};

/** Fee overrides of {@link paperMarkets}. */
export interface PaperFees {
  maker?: DecimalString;
  taker?: DecimalString;
}

/**
 * The paper markets of one type, keyed by ccxt unified symbol (`BTC/USDT` spot, `BTC/USDT:USDT` swap).
 * @param marketType `spot` or `swap`
 * @param fees fee rates replacing {@link PAPER_DEFAULT_FEES}
 */
export function paperMarkets(marketType: MarketType, fees: PaperFees = {}): Record<string, MarketInfo> {
  const maker = fees.maker ?? PAPER_DEFAULT_FEES[marketType].maker;
  const taker = fees.taker ?? PAPER_DEFAULT_FEES[marketType].taker;
  const out: Record<string, MarketInfo> = {};
  for (const [base, rules] of Object.entries(TABLE)) {
    const quote = 'USDT';
    const symbol = marketType === 'spot' ? `${base}/${quote}` : `${base}/${quote}:${quote}`;
    const r = marketType === 'spot' ? rules.spot : rules.swap;
    out[symbol] = {
      symbol,
      base,
      quote,
      type: marketType,
      amountStep: r.amountStep,
      priceStep: r.priceStep,
      minAmount: r.minAmount,
      minNotional: r.minNotional,
      makerFee: maker,
      takerFee: taker,
      maxLeverage: marketType === 'spot' ? 1 : rules.swap.maxLeverage,
    };
  }
  return out;
}
