/**
 * The order ticket and pending-order form as typed by the user, and their mapping to the API inputs
 * (`trading.open` / `trading.estimate` take `openTradeInputSchema`, `trading.pendingCreate` takes
 * `createPendingInputSchema`). Pure and tested. Take-profit shares are percentages in the UI (`"50"`) and
 * fractions on the wire (`"0.5"`), converted exactly (decimal-point shift, no floats).
 */
import {
  createPendingInputSchema,
  openTradeInputSchema,
  type CreatePendingInput,
  type MarketType,
  type OpenTradeInput,
  type OrderType,
  type PendingDirection,
  type PositionSide,
} from '@osprey/shared';
import { addDecimal, compareDecimal, isDecimalString, mulDecimal, normalizeDecimal, shiftDecimal, subDecimal } from '../lib/decimal.js';
import { issuesToFieldErrors, type FieldErrors } from '../lib/form.js';

/** How the position size is given: base amount, quote notional, or % of equity risked to the stop. */
export const SIZING_MODES = ['base', 'quote', 'risk'] as const;
/** One of {@link SIZING_MODES}. */
export type SizingMode = (typeof SIZING_MODES)[number];

/** One take-profit row as typed: `price` in quote, `sharePct` in percent of the position (`"50"`). */
export interface TargetRow {
  price: string;
  sharePct: string;
}

/** Position sizing as typed. */
export interface SizingState {
  mode: SizingMode;
  value: string;
}

/** The order ticket as typed. */
export interface TicketState {
  side: PositionSide;
  sizing: SizingState;
  /** Whole number ≥ 1; forced to 1 on spot accounts. */
  leverage: number;
  entryType: OrderType;
  /** Limit price (used when `entryType` is `limit`). */
  entryPrice: string;
  stopLoss: string;
  takeProfits: TargetRow[];
  breakevenAfterTp1: boolean;
  /** Detector signal the ticket was prefilled from ("trade this"), sent as `sourceSignalId`. */
  sourceSignalId: string | null;
  /** How the signal chip names that signal (`BTC/USDT LONG · score 18 · 08-05 10:15`), or null. */
  sourceSignalLabel?: string | null;
}

/** The pending (price-triggered) order form as typed. */
export interface PendingFormState {
  side: PositionSide;
  sizing: SizingState;
  triggerPrice: string;
  /**
   * The trader's choice of crossing (`above`: fires when the price rises to the trigger, `below`: when it falls
   * to it); null until chosen, and then the default from the current price ({@link defaultDirection}) is sent.
   */
  direction: PendingDirection | null;
  leverage: number;
  stopLoss: string;
  takeProfits: TargetRow[];
  /** Lifetime in ms (one of {@link PENDING_EXPIRIES}). */
  expiresInMs: number;
  sourceSignalId: string | null;
  /** How the signal chip names the signal, or null (see {@link TicketState.sourceSignalLabel}). */
  sourceSignalLabel?: string | null;
}

/** Where the ticket is sent: the account, the symbol, and the account's market type. */
export interface TicketContext {
  accountId: string;
  symbol: string;
  marketType: MarketType;
}

/** Expiry choices of the pending form (ms), shortest first; the API default is 1 h. */
export const PENDING_EXPIRIES = [900_000, 3_600_000, 4 * 3_600_000, 86_400_000, 7 * 86_400_000] as const;

/** Default sizing of a fresh ticket: 100 USDT notional. */
export const DEFAULT_SIZING: SizingState = { mode: 'quote', value: '100' };

/** A fresh ticket (long, market entry, no stop or targets) with `sizing`. */
export function emptyTicket(sizing: SizingState = DEFAULT_SIZING): TicketState {
  return {
    side: 'long',
    sizing: { ...sizing },
    leverage: 1,
    entryType: 'market',
    entryPrice: '',
    stopLoss: '',
    takeProfits: [],
    breakevenAfterTp1: false,
    sourceSignalId: null,
  };
}

/** A fresh pending form (long, 1 h expiry) with `sizing`. */
export function emptyPendingForm(sizing: SizingState = DEFAULT_SIZING): PendingFormState {
  return {
    side: 'long',
    sizing: { ...sizing },
    triggerPrice: '',
    direction: null,
    leverage: 1,
    stopLoss: '',
    takeProfits: [],
    expiresInMs: 3_600_000,
    sourceSignalId: null,
  };
}

/** `"50"` (%) → `"0.5"` (fraction), exactly; a non-decimal is returned trimmed as-is (the schema rejects it). */
export function percentToFraction(pct: string): string {
  const v = pct.trim();
  return isDecimalString(v) ? shiftDecimal(v, -2) : v;
}

/** `"0.5"` (fraction) → `"50"` (%), exactly; a non-decimal is returned as-is. */
export function fractionToPercent(fraction: string): string {
  const v = fraction.trim();
  return isDecimalString(v) ? shiftDecimal(v, 2) : v;
}

/** Sum of the rows' shares in percent, ignoring rows whose share is not a number yet. */
export function totalSharePct(rows: readonly TargetRow[]): string {
  return rows.reduce((sum, r) => (isDecimalString(r.sharePct.trim()) ? addDecimal(sum, r.sharePct.trim()) : sum), '0');
}

/** Percent of the position not yet assigned to a target (never below 0). */
export function remainingSharePct(rows: readonly TargetRow[]): string {
  const left = subDecimal('100', totalSharePct(rows));
  return compareDecimal(left, '0') < 0 ? '0' : left;
}

/**
 * `rows` plus one empty-price target whose share is what is left of 100 % (or 50 % when nothing is left,
 * so the user sees a value to adjust). At most 10 targets (the API's limit): beyond that `rows` is returned.
 */
export function addTargetRow(rows: readonly TargetRow[]): TargetRow[] {
  if (rows.length >= 10) return [...rows];
  const left = remainingSharePct(rows);
  return [...rows, { price: '', sharePct: compareDecimal(left, '0') > 0 ? left : '50' }];
}

/** `rows` without row `index`. */
export function removeTargetRow(rows: readonly TargetRow[], index: number): TargetRow[] {
  return rows.filter((_, i) => i !== index);
}

/** API targets from typed rows: trimmed prices, shares converted from percent to fractions. */
export function targetsToInput(rows: readonly TargetRow[]): { price: string; share: string }[] {
  return rows.map((r) => ({ price: r.price.trim(), share: percentToFraction(r.sharePct) }));
}

/** Typed rows from API targets (fractions → percent). */
export function targetsFromApi(targets: readonly { price: string; share: string }[]): TargetRow[] {
  return targets.map((t) => ({ price: t.price, sharePct: fractionToPercent(t.share) }));
}

const blank = (s: string): string | undefined => (s.trim() ? s.trim() : undefined);

/**
 * The raw `openTradeInputSchema` input for a ticket (not yet validated): blank optional fields left out,
 * leverage 1 on spot, the limit price only for limit entries, shares as fractions.
 */
export function ticketToOpenInput(t: TicketState, ctx: TicketContext): Record<string, unknown> {
  const input: Record<string, unknown> = {
    accountId: ctx.accountId,
    symbol: ctx.symbol,
    side: t.side,
    sizing: { mode: t.sizing.mode, value: t.sizing.value.trim() },
    leverage: ctx.marketType === 'spot' ? 1 : t.leverage,
    entryType: t.entryType,
    takeProfits: targetsToInput(t.takeProfits),
    breakevenAfterTp1: t.breakevenAfterTp1,
  };
  if (t.entryType === 'limit') input.entryPrice = blank(t.entryPrice);
  const sl = blank(t.stopLoss);
  if (sl) input.stopLoss = sl;
  if (t.sourceSignalId) input.sourceSignalId = t.sourceSignalId;
  return input;
}

/**
 * The direction a trigger suggests from where it sits relative to the current price: `above` for a trigger
 * above it (fires on a rise), `below` for one below it (fires on a fall); null when either price is not a
 * decimal yet or they are equal (no sensible default).
 * @param currentPrice the account's last price of the symbol (decimal string, quote), null when unknown
 */
export function defaultDirection(triggerPrice: string, currentPrice: string | null): PendingDirection | null {
  const trigger = triggerPrice.trim();
  if (!currentPrice || !isDecimalString(trigger) || !isDecimalString(currentPrice)) return null;
  const c = compareDecimal(trigger, currentPrice);
  return c > 0 ? 'above' : c < 0 ? 'below' : null;
}

/** The direction the form sends: the trader's choice, else the default from the current price (null: none yet). */
export function effectiveDirection(p: Pick<PendingFormState, 'direction' | 'triggerPrice'>, currentPrice: string | null): PendingDirection | null {
  return p.direction ?? defaultDirection(p.triggerPrice, currentPrice);
}

/**
 * The raw `createPendingInputSchema` input for the pending form (not yet validated); `direction` is left out
 * when neither chosen nor implied by `currentPrice` (the schema then asks for it).
 */
export function pendingToInput(p: PendingFormState, ctx: TicketContext, currentPrice: string | null = null): Record<string, unknown> {
  const input: Record<string, unknown> = {
    accountId: ctx.accountId,
    symbol: ctx.symbol,
    side: p.side,
    sizing: { mode: p.sizing.mode, value: p.sizing.value.trim() },
    triggerPrice: p.triggerPrice.trim(),
    leverage: ctx.marketType === 'spot' ? 1 : p.leverage,
    takeProfits: targetsToInput(p.takeProfits),
    expiresInMs: p.expiresInMs,
  };
  const direction = effectiveDirection(p, currentPrice);
  if (direction) input.direction = direction;
  const sl = blank(p.stopLoss);
  if (sl) input.stopLoss = sl;
  if (p.sourceSignalId) input.sourceSignalId = p.sourceSignalId;
  return input;
}

/** The message of a short on a spot account (the same words as the server's). */
export const SPOT_SHORT_MESSAGE = 'spot accounts can only open longs (buy, then sell)';

/** `side` error of a short on a spot account (spot can only buy, then sell); empty otherwise. */
function sideErrors(side: PositionSide, ctx: TicketContext): FieldErrors {
  return ctx.marketType === 'spot' && side === 'short' ? { side: SPOT_SHORT_MESSAGE } : {};
}

/** Result of validating a form against its API schema: the parsed input, or errors keyed by input path. */
export type Validated<T> = { ok: true; input: T } | { ok: false; errors: FieldErrors };

/**
 * Checks every target share is at most 100 %: the schema bounds only their sum, and a single `150` would
 * otherwise be reported as a sum problem.
 */
function shareErrors(rows: readonly TargetRow[]): FieldErrors {
  const out: FieldErrors = {};
  rows.forEach((r, i) => {
    const v = r.sharePct.trim();
    if (isDecimalString(v) && compareDecimal(v, '100') > 0) out[`takeProfits.${i}.share`] = 'a target cannot close more than 100 %';
  });
  return out;
}

/**
 * Validates a ticket with the shared `openTradeInputSchema`. Errors are keyed by input path (`sizing.value`,
 * `entryPrice`, `stopLoss`, `takeProfits`, `takeProfits.0.price`, …), the same keys the server uses.
 */
export function validateTicket(t: TicketState, ctx: TicketContext): Validated<OpenTradeInput> {
  const extra = { ...sideErrors(t.side, ctx), ...shareErrors(t.takeProfits) };
  const parsed = openTradeInputSchema.safeParse(ticketToOpenInput(t, ctx));
  if (parsed.success && Object.keys(extra).length === 0) return { ok: true, input: parsed.data };
  return { ok: false, errors: { ...extra, ...(parsed.success ? {} : issuesToFieldErrors(parsed.error.issues)) } };
}

/**
 * Validates the pending form with the shared `createPendingInputSchema` (errors keyed by input path); the
 * direction defaults from `currentPrice` when not chosen (see {@link pendingToInput}). Whether the trigger
 * is already reached in that direction is the server's check (it has the fresh price).
 */
export function validatePending(p: PendingFormState, ctx: TicketContext, currentPrice: string | null = null): Validated<CreatePendingInput> {
  const extra = { ...sideErrors(p.side, ctx), ...shareErrors(p.takeProfits) };
  const parsed = createPendingInputSchema.safeParse(pendingToInput(p, ctx, currentPrice));
  if (parsed.success && Object.keys(extra).length === 0) return { ok: true, input: parsed.data };
  return { ok: false, errors: { ...extra, ...(parsed.success ? {} : issuesToFieldErrors(parsed.error.issues)) } };
}

/**
 * `value × multiplier` as a decimal string (a signal's size multiplier applied to the usual size), or
 * `value` unchanged when either is not a number.
 */
export function scaleSizing(value: string, multiplier: number): string {
  const v = value.trim();
  if (!isDecimalString(v) || !Number.isFinite(multiplier) || multiplier <= 0) return v;
  return normalizeDecimal(mulDecimal(v, String(multiplier))) ?? v;
}
