/**
 * "Trade this" hand-off from a detector signal (market page) to the trade page, carried in the hash
 * (`#/trade?to=ticket&symbol=BTC%2FUSDT&side=long&signal=…&mult=2&sl=…&trigger=…`) so that it survives the
 * navigation and can be bookmarked; the trade page applies it once and drops the query. Pure and tested.
 */
import type { MarketSignal, PositionSide } from '@osprey/shared';
import { decimalFromNumber, isDecimalString } from '../lib/decimal.js';
import { formatMonthDayTime } from '../lib/time.js';
import { DEFAULT_SIZING, scaleSizing, type PendingFormState, type SizingState, type TicketState } from './ticket.js';

/** What a signal prefills: the ticket, or the pending form ("pending at trigger"). */
export type PrefillTarget = 'ticket' | 'pending';

/** A prefill request. */
export interface TradePrefill {
  target: PrefillTarget;
  /** Signal symbol (spot form, e.g. `BTC/USDT`); mapped to the account's market by {@link resolveSymbol}. */
  symbol: string;
  side: PositionSide;
  sourceSignalId: string | null;
  /** What the signal was (for the chip naming it): direction, score and its candle's close time (Unix ms). */
  signal?: { type: 'LONG' | 'SHORT'; score: number; closeTs: number } | null;
  /** The signal's size multiplier (1 or 2), applied to the user's usual size. */
  sizeMultiplier: number;
  /** Suggested stop-loss (decimal string), when the signal carries one. */
  stopLoss: string | null;
  /** Trigger price for the pending form: the price the signal fired at (its candle close). */
  triggerPrice: string | null;
}

/** A price-like value (finite positive number or positive decimal string) as a decimal string, else null. */
function priceOf(v: unknown): string | null {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return decimalFromNumber(v, 8);
  if (typeof v === 'string' && isDecimalString(v.trim()) && !v.trim().startsWith('-') && /[1-9]/.test(v)) return v.trim();
  return null;
}

function child(obj: unknown, key: string): unknown {
  return obj && typeof obj === 'object' && !Array.isArray(obj) ? (obj as Record<string, unknown>)[key] : undefined;
}

/**
 * A stop-loss suggestion from signal `details`, when one is present: `stopLoss`, `stop_loss`, `sl` or
 * `suggestedStopLoss` at the top level or under `risk` / `plan`. The market detector does not emit one
 * today (then null: the ticket leaves the stop empty); signals from other sources (Discord parser) may.
 */
export function signalStopLoss(details: Record<string, unknown>): string | null {
  const keys = ['stopLoss', 'stop_loss', 'sl', 'suggestedStopLoss'];
  for (const scope of [details, child(details, 'risk'), child(details, 'plan')]) {
    for (const k of keys) {
      const p = priceOf(child(scope, k));
      if (p) return p;
    }
  }
  return null;
}

/**
 * The price a signal fired at, for "pending at trigger": an explicit `triggerPrice` / `entry` / `price` in
 * `details` (or under `plan`), else the detector's evaluated candle close (`details.filter.close`); null
 * when none is present.
 */
export function signalTriggerPrice(details: Record<string, unknown>): string | null {
  for (const scope of [details, child(details, 'plan')]) {
    for (const k of ['triggerPrice', 'entry', 'price']) {
      const p = priceOf(child(scope, k));
      if (p) return p;
    }
  }
  return priceOf(child(child(details, 'filter'), 'close'));
}

/** The prefill for a signal: its symbol, side (LONG → long, SHORT → short), id, multiplier, stop and trigger. */
export function prefillFromSignal(signal: MarketSignal, target: PrefillTarget): TradePrefill {
  return {
    target,
    symbol: signal.symbol,
    side: signal.type === 'LONG' ? 'long' : 'short',
    sourceSignalId: signal.id,
    signal: { type: signal.type, score: signal.score, closeTs: signal.createdAt },
    sizeMultiplier: signal.sizeMultiplier,
    stopLoss: signalStopLoss(signal.details),
    triggerPrice: signalTriggerPrice(signal.details),
  };
}

/** The trade-page hash carrying `p` (e.g. `#/trade?to=ticket&symbol=BTC%2FUSDT&side=long…`). */
export function prefillToHash(p: TradePrefill): string {
  const q = new URLSearchParams({ to: p.target, symbol: p.symbol, side: p.side, mult: String(p.sizeMultiplier) });
  if (p.sourceSignalId) q.set('signal', p.sourceSignalId);
  if (p.signal) {
    q.set('stype', p.signal.type);
    q.set('score', String(p.signal.score));
    q.set('sts', String(p.signal.closeTs));
  }
  if (p.stopLoss) q.set('sl', p.stopLoss);
  if (p.triggerPrice) q.set('trigger', p.triggerPrice);
  return `#/trade?${q.toString()}`;
}

/** The prefill in a location hash made by {@link prefillToHash}, or null when absent or malformed. */
export function parsePrefillHash(hash: string): TradePrefill | null {
  const m = /^#?\/?trade\?(.*)$/.exec(hash);
  if (!m) return null;
  const q = new URLSearchParams(m[1]);
  const target = q.get('to');
  const symbol = q.get('symbol');
  const side = q.get('side');
  if ((target !== 'ticket' && target !== 'pending') || !symbol || (side !== 'long' && side !== 'short')) return null;
  const mult = Number(q.get('mult') ?? '1');
  const sl = q.get('sl');
  const trigger = q.get('trigger');
  const st = q.get('stype');
  const stype = st === 'LONG' || st === 'SHORT' ? st : null;
  const score = Number(q.get('score'));
  const sts = Number(q.get('sts'));
  const signal: TradePrefill['signal'] = stype && Number.isFinite(score) && Number.isInteger(sts) && sts > 0 ? { type: stype, score, closeTs: sts } : null;
  return {
    target,
    symbol,
    side,
    sourceSignalId: q.get('signal') || null,
    signal,
    sizeMultiplier: Number.isFinite(mult) && mult > 0 ? mult : 1,
    stopLoss: sl && isDecimalString(sl) ? sl : null,
    triggerPrice: trigger && isDecimalString(trigger) ? trigger : null,
  };
}

/** The part of a market the symbol mapping reads. */
export interface MarketRef {
  symbol: string;
  base: string;
  quote: string;
}

/**
 * The account market a signal symbol refers to: the same symbol when the account has it (spot), else the
 * market with the same base and quote (the perpetual `BTC/USDT:USDT` for `BTC/USDT`); null when none.
 */
export function resolveSymbol(symbol: string, markets: readonly MarketRef[]): string | null {
  if (markets.some((m) => m.symbol === symbol)) return symbol;
  const [pair] = symbol.split(':');
  const [base, quote] = (pair ?? '').split('/');
  return markets.find((m) => m.base === base && m.quote === quote)?.symbol ?? null;
}

/**
 * The usual `sizing` scaled by the signal's size multiplier. Risk sizing needs a stop-loss: without one it
 * falls back to the default quote sizing ({@link DEFAULT_SIZING}), scaled the same way.
 */
export function prefillSizing(sizing: SizingState, p: Pick<TradePrefill, 'stopLoss' | 'sizeMultiplier'>): SizingState {
  const base = sizing.mode === 'risk' && !p.stopLoss ? DEFAULT_SIZING : sizing;
  return { mode: base.mode, value: scaleSizing(base.value, p.sizeMultiplier) };
}

/**
 * The ticket after a "trade this" prefill: side, signal id and stop-loss from the signal (stop left empty
 * when the signal has none), a market entry without targets, and the usual `sizing` scaled by the signal's
 * size multiplier (risk sizing without a stop falls back to quote sizing, which needs none).
 */
export function applyPrefillToTicket(t: TicketState, p: TradePrefill, sizing: SizingState): TicketState {
  return {
    ...t,
    side: p.side,
    sizing: prefillSizing(sizing, p),
    entryType: 'market',
    entryPrice: '',
    stopLoss: p.stopLoss ?? '',
    takeProfits: [],
    breakevenAfterTp1: false,
    sourceSignalId: p.sourceSignalId,
    sourceSignalLabel: signalChipLabel(p),
  };
}

/**
 * The pending form after a "pending at trigger" prefill (trigger at the signal's price, scaled size); the
 * direction is left to its default from the current price until the trader picks one.
 */
export function applyPrefillToPending(f: PendingFormState, p: TradePrefill, sizing: SizingState): PendingFormState {
  return {
    ...f,
    side: p.side,
    sizing: prefillSizing(sizing, p),
    triggerPrice: p.triggerPrice ?? '',
    direction: null,
    stopLoss: p.stopLoss ?? '',
    takeProfits: [],
    sourceSignalId: p.sourceSignalId,
    sourceSignalLabel: signalChipLabel(p),
  };
}

/**
 * How the ticket's signal chip names the signal: `BTC/USDT LONG · score 18 · 08-05 10:15` (its candle's close
 * in `timeZone`), or `BTC/USDT long` when the prefill carries no signal summary; null without a signal.
 */
export function signalChipLabel(p: Pick<TradePrefill, 'symbol' | 'side' | 'sourceSignalId' | 'signal'>, timeZone?: string): string | null {
  if (!p.sourceSignalId) return null;
  if (!p.signal) return `${p.symbol} ${p.side}`;
  return `${p.symbol} ${p.signal.type} · score ${p.signal.score} · ${formatMonthDayTime(p.signal.closeTs, timeZone)}`;
}
