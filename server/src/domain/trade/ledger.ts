/**
 * Bookkeeping between what a venue reports and what the trade machine has been told, pure and exact
 * (decimal.js):
 * - {@link fillDelta}: venues report orders cumulatively (filled so far, average price, fee so far); the
 *   machine wants each execution once. The ledger keeps, per clientOrderId, what was already applied, so the
 *   same order seen again (a poll, an event, a restart) yields only the new part — never a double count.
 * - {@link feeInQuote}: fees in the base currency (Binance spot buys) valued in quote at the fill price.
 * - {@link accountEquity}: an account's equity in quote from balances, positions and prices.
 */
import Decimal from 'decimal.js';
import type { Balance, Position } from '../exchange/port.js';

/** What has been applied to a trade for one order: cumulative base amount, cost (Σ amount × price) and fee (quote). */
export interface LedgerEntry {
  filled: string;
  cost: string;
  fee: string;
  /** Part of the fee paid in the base currency, in base (absent: none). */
  feeBase?: string;
}

/** An order's cumulative execution as the venue reports it (fee already in quote). */
export interface OrderProgress {
  /** Base amount filled so far. */
  filled: string;
  /** Average fill price so far (quote); null when unknown. */
  average: string | null;
  /** Fee so far, in quote. */
  feeQuote: string;
  /** Part of the fee so far paid in the base currency, in base (spot buys on Binance); absent: none. */
  feeBase?: string;
}

/** A new execution to feed the trade machine: base amount, its average price and fee (quote). */
export interface FillDelta {
  amount: string;
  price: string;
  fee: string;
  /** The new part's fee paid in the base currency, in base (only when some was). */
  feeBase?: string;
}

/** The empty ledger entry. */
export const EMPTY_LEDGER_ENTRY: LedgerEntry = { filled: '0', cost: '0', fee: '0' };

/**
 * The part of an order's progress not yet applied.
 * Price of the new part: `(filled × average − applied cost) / (filled − applied filled)`, i.e. the average price
 * of the executions since the last observation. Fee: reported fee − applied fee (never negative); the same for
 * the part paid in the base currency (`feeBase`).
 * @param applied what was applied so far (undefined: nothing)
 * @param now the order's cumulative progress
 * @param fallbackPrice price to value the new part when the venue reports no average (e.g. last price)
 * @returns the delta (null when nothing new was filled) and the ledger entry to store; a progress that went
 *   backwards (stale report) changes nothing
 */
export function fillDelta(applied: LedgerEntry | undefined, now: OrderProgress, fallbackPrice: string | null): { delta: FillDelta | null; entry: LedgerEntry } {
  const prev = applied ?? EMPTY_LEDGER_ENTRY;
  const filled = new Decimal(now.filled);
  const amount = filled.minus(prev.filled);
  if (amount.lte(0)) return { delta: null, entry: prev };
  const avg = now.average ?? fallbackPrice;
  if (avg === null) return { delta: null, entry: prev };
  const cost = filled.mul(avg);
  const price = cost.minus(prev.cost).div(amount);
  const feeTotal = Decimal.max(new Decimal(now.feeQuote), prev.fee);
  const fee = feeTotal.minus(prev.fee);
  const delta: FillDelta = { amount: amount.toFixed(), price: price.toFixed(), fee: fee.toFixed() };
  const entry: LedgerEntry = { filled: filled.toFixed(), cost: cost.toFixed(), fee: feeTotal.toFixed() };
  if (now.feeBase !== undefined || prev.feeBase !== undefined) {
    const baseTotal = Decimal.max(new Decimal(now.feeBase ?? '0'), prev.feeBase ?? '0');
    const baseNew = baseTotal.minus(prev.feeBase ?? '0');
    if (baseNew.gt(0)) delta.feeBase = baseNew.toFixed();
    entry.feeBase = baseTotal.toFixed();
  }
  return { delta, entry };
}

/**
 * A fee valued in the market's quote currency: quote fees as they are, base fees × `price`; fees in any other
 * currency (e.g. BNB discounts) are not convertible here and count as 0.
 * @param fee fee amount (≥ 0)
 * @param currency the fee's currency (null: assumed quote)
 * @param price fill price (quote per base)
 */
export function feeInQuote(fee: string, currency: string | null, price: string, market: { base: string; quote: string }): string {
  const f = new Decimal(fee).abs();
  if (currency === null || currency === market.quote) return f.toFixed();
  if (currency === market.base) return f.mul(price).toFixed();
  return '0';
}

/** An account's equity and its parts, quote currency. */
export interface EquityParts {
  equity: string;
  /** Wallet balance: quote (plus spot holdings valued at their last price). */
  balance: string;
  unrealizedPnl: string;
}

/**
 * Equity of an account in `quote`:
 * - spot: quote total + Σ other currencies' totals × their last price in quote (currencies without a price count 0);
 * - perpetuals: quote total + Σ positions' unrealized PnL, unless `balanceIncludesUnrealized` (venues such as
 *   Binance USDⓈ-M report the margin balance, which already contains it) — then the quote total is the equity.
 * @param prices last price of each base currency in quote, e.g. `{ BTC: "65000" }`
 */
export function accountEquity(p: {
  marketType: 'spot' | 'swap';
  quote: string;
  balances: readonly Balance[];
  positions: readonly Position[];
  prices: Readonly<Record<string, string>>;
  balanceIncludesUnrealized: boolean;
}): EquityParts {
  const quoteTotal = new Decimal(p.balances.find((b) => b.currency === p.quote)?.total ?? '0');
  if (p.marketType === 'spot') {
    let held = new Decimal(0);
    for (const b of p.balances) {
      if (b.currency === p.quote) continue;
      const px = p.prices[b.currency];
      if (px !== undefined) held = held.plus(new Decimal(b.total).mul(px));
    }
    const balance = quoteTotal.plus(held);
    return { equity: balance.toFixed(), balance: balance.toFixed(), unrealizedPnl: '0' };
  }
  const upnl = p.positions.reduce((a, x) => a.plus(x.unrealizedPnl), new Decimal(0));
  const balance = p.balanceIncludesUnrealized ? quoteTotal.minus(upnl) : quoteTotal;
  return { equity: balance.plus(upnl).toFixed(), balance: balance.toFixed(), unrealizedPnl: upnl.toFixed() };
}
