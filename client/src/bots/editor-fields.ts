/**
 * The parameter fields of the bot config editor per section, in display order (pure, tested): which form
 * key each input edits, the input path its errors arrive on, and its unit. Labels and help lines are the
 * messages `bots.f.<section>.<key>` and `bots.h.<section>.<key>`.
 */
import type { BotType } from '@osprey/shared';
import type { MessageKey } from '../lib/i18n.js';
import type { GridFormState, RiskFormState, SignalFormState, SpreadFormState } from './bot-form.js';
import { SIGNAL_SIZING_MODES } from './bot-form.js';

/** One plain numeric/decimal parameter input of a section. */
export interface ParamSpec<S> {
  key: keyof S & string;
  /** Error key under the section when it differs from `key` (e.g. `maxHoldingMs` for the hours field). */
  errorKey?: string;
  suffix?: string;
}

/** Grid inputs after the symbol and the order size. */
export const GRID_PARAMS: readonly ParamSpec<GridFormState>[] = [
  { key: 'levels' },
  { key: 'spacingPct', suffix: '%' },
  { key: 'sellOffsetPct', suffix: '%' },
  { key: 'repricePct', suffix: '%' },
  { key: 'maxOpenPositions' },
];
/** Spread inputs after the two symbols. */
export const SPREAD_PARAMS: readonly ParamSpec<SpreadFormState>[] = [
  { key: 'entryPct', suffix: 'pt' },
  { key: 'stepPct', suffix: 'pt' },
  { key: 'sizeMultiplier', suffix: '×' },
  { key: 'maxAdds' },
  { key: 'orderQuote', suffix: 'USDT' },
  { key: 'takeProfitRevertPct', suffix: 'pt' },
  { key: 'takeProfitPct', suffix: '%' },
  { key: 'stopLossPct', suffix: '%' },
];
/** Signal inputs after the symbols and the sizing. */
export const SIGNAL_PARAMS: readonly ParamSpec<SignalFormState>[] = [
  { key: 'minScore' },
  { key: 'stopAtrMult', suffix: 'ATR' },
  { key: 'takeProfitAtrMult', suffix: 'ATR' },
  { key: 'atrPeriod' },
];
/** Risk rule inputs (all optional). */
export const RISK_PARAMS: readonly ParamSpec<RiskFormState>[] = [
  { key: 'maxOpenPositions' },
  { key: 'stopLossPct', suffix: '%' },
  { key: 'maxHoldingHours', errorKey: 'maxHoldingMs', suffix: 'h' },
  { key: 'dailyLossLimit', suffix: 'USDT' },
  { key: 'cooldownAfterLosses', errorKey: 'cooldown.afterLosses' },
  { key: 'cooldownPauseMinutes', errorKey: 'cooldown.pauseMinutes', suffix: 'min' },
];

/** Every message id the config editor builds from names (labels, help lines, options), for a coverage test. */
export function editorMessageKeys(): string[] {
  const keys: string[] = [];
  const label = (section: string, key: string) => keys.push(`bots.f.${section}.${key}`, `bots.h.${section}.${key}`);
  for (const k of ['symbol', 'orderSize', ...GRID_PARAMS.map((p) => p.key)]) label('grid', k);
  for (const k of ['symbolA', 'symbolB', ...SPREAD_PARAMS.map((p) => p.key)]) label('spread', k);
  for (const k of ['symbols', ...SIGNAL_PARAMS.map((p) => p.key)]) label('signal', k);
  keys.push('bots.f.signal.sizing');
  for (const m of SIGNAL_SIZING_MODES) keys.push(`bots.sizing.${m}`, `bots.h.signal.sizing.${m}`);
  for (const p of RISK_PARAMS) label('risk', p.key);
  const types: BotType[] = ['grid', 'spread', 'signal'];
  for (const ty of types) keys.push(`bots.type.${ty}`, `bots.typeHelp.${ty}`);
  for (const s of ['running', 'stopped', 'error']) keys.push(`bots.status.${s}`);
  for (const e of ['all', 'risk', 'info', 'error']) keys.push(`bots.events.${e}`);
  for (const s of ['queued', 'running', 'done', 'failed']) keys.push(`bt.status.${s}`);
  return keys;
}

/** The message id of an editor label or help line (`kind` f = label, h = help). */
export function fieldMessage(kind: 'f' | 'h', section: string, key: string): MessageKey {
  return `bots.${kind}.${section}.${key}` as MessageKey;
}
