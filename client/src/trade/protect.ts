/**
 * The "edit stop-loss / take-profits" form of an open trade and its mapping to `trading.protect` input
 * (pure, tested): only what changed is sent, so saving a new stop does not re-place untouched targets.
 */
import { protectTradeInputSchema, type TradeView } from '@osprey/shared';
import { normalizeDecimal } from '../lib/decimal.js';
import { issuesToFieldErrors } from '../lib/form.js';
import { targetsFromApi, targetsToInput, type TargetRow, type Validated } from './ticket.js';

/** The protect form as typed: the stop (blank = none) and the targets not yet executed. */
export interface ProtectFormState {
  stopLoss: string;
  takeProfits: TargetRow[];
}

/** Parsed `trading.protect` input. */
export interface ProtectInput {
  tradeId: string;
  stopLoss?: string | null;
  takeProfits?: { price: string; share: string }[];
}

/** The form prefilled from a trade: its stop and its open (not executed) targets, shares in percent. */
export function protectFormFor(trade: Pick<TradeView, 'stopLoss' | 'takeProfits'>): ProtectFormState {
  return { stopLoss: trade.stopLoss ?? '', takeProfits: targetsFromApi(trade.takeProfits.filter((tp) => !tp.done)) };
}

const same = (a: string, b: string) => (normalizeDecimal(a) ?? a) === (normalizeDecimal(b) ?? b);

/** True when the typed targets equal the trade's open targets (same prices and shares, in order). */
function sameTargets(rows: readonly { price: string; share: string }[], current: readonly { price: string; share: string }[]): boolean {
  return rows.length === current.length && rows.every((r, i) => same(r.price, current[i]!.price) && same(r.share, current[i]!.share));
}

/**
 * Validates the form with the shared `protectTradeInputSchema` and keeps only the changes: `stopLoss`
 * (a price, or null to remove the stop) when it differs from the trade's, `takeProfits` when the open targets
 * differ. `{ ok: true }` with neither means there is nothing to save. Errors keyed by input path.
 */
export function protectToInput(trade: Pick<TradeView, 'id' | 'stopLoss' | 'takeProfits'>, f: ProtectFormState): Validated<ProtectInput> {
  const input: Record<string, unknown> = { tradeId: trade.id };
  const sl = f.stopLoss.trim();
  const currentSl = trade.stopLoss ?? '';
  if (!(sl === '' && currentSl === '') && !(sl !== '' && currentSl !== '' && same(sl, currentSl))) input.stopLoss = sl === '' ? null : sl;
  const rows = targetsToInput(f.takeProfits);
  const open = trade.takeProfits.filter((tp) => !tp.done);
  if (!sameTargets(rows, open)) input.takeProfits = rows;
  const parsed = protectTradeInputSchema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: issuesToFieldErrors(parsed.error.issues) };
  return { ok: true, input: parsed.data };
}

/** True when a validated protect input changes anything. */
export function protectChanges(input: ProtectInput): boolean {
  return input.stopLoss !== undefined || input.takeProfits !== undefined;
}
