/**
 * Isolated-margin arithmetic of USDⓈ-margined perpetuals (one-way mode, one maintenance-margin rate).
 *
 * Liquidation price, from Binance's support FAQ "How to Calculate Liquidation Price of USDⓈ-M Futures
 * Contracts" (the "Liquidation Price" formula of USDⓈ-M futures, one-way mode):
 *
 *     LP = (WB − TMM + UPNL + cumB − side × size × EP) / (size × MMR − side × size)
 *
 * For an isolated position `WB` is its isolated wallet balance (the margin), `TMM` and `UPNL` of other
 * positions are 0 (isolated), and with a single maintenance-margin rate the maintenance amount `cumB` is 0,
 * which leaves
 *
 *     long:  LP = (size × EP − margin) / (size × (1 − MMR))
 *     short: LP = (size × EP + margin) / (size × (1 + MMR))
 *
 * With `margin = size × EP / leverage` this is `EP × (1 − 1/leverage) / (1 − MMR)` for a long and
 * `EP × (1 + 1/leverage) / (1 + MMR)` for a short — within a few basis points of the rule of thumb
 * `EP × (1 ∓ 1/leverage ± MMR)`. Binance's real MMR depends on the notional bracket; 0.4 % is the first
 * bracket of BTCUSDT.
 */
import type { PositionSide } from '@osprey/shared';
import type Decimal from 'decimal.js';
import { Dec, type DecimalInput } from './precision.js';

/** Default maintenance-margin rate (fraction): Binance BTCUSDT's first bracket, 0.4 %. */
export const DEFAULT_MAINTENANCE_MARGIN_RATE = '0.004';

/**
 * Initial margin of a position or order: `notional / leverage` (quote).
 * @throws Error when leverage is not positive
 */
export function initialMargin(notional: DecimalInput, leverage: number): Decimal {
  if (!(leverage > 0)) throw new Error('leverage: must be positive');
  return new Dec(notional).div(leverage);
}

/**
 * Liquidation price of an isolated position (see the module doc for the source and derivation).
 * Returns 0 for a long whose margin covers the whole notional (it can never be liquidated).
 * @param side position side
 * @param size position size (base), > 0
 * @param entry average entry price
 * @param margin isolated margin (quote)
 * @param mmr maintenance-margin rate (fraction, e.g. `"0.004"`)
 * @throws Error when size is not positive
 */
export function liquidationPrice(side: PositionSide, size: DecimalInput, entry: DecimalInput, margin: DecimalInput, mmr: DecimalInput): Decimal {
  const q = new Dec(size);
  if (q.lte(0)) throw new Error('size: must be positive');
  const notional = q.mul(entry);
  if (side === 'long') {
    const lp = notional.minus(margin).div(q.mul(new Dec(1).minus(mmr)));
    return lp.isNegative() ? new Dec(0) : lp;
  }
  return notional.plus(margin).div(q.mul(new Dec(1).plus(mmr)));
}
