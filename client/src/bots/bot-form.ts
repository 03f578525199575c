/**
 * The bot config editor's state and its mapping to the shared contracts (pure, tested). The editor keeps
 * every field as typed (strings), and the three parameter sections (grid / spread / signal) side by side so
 * switching the type keeps what was typed. {@link configFormToInput} turns the state into the raw
 * `botConfigSchema` input (blank fields with a schema default are left out so the default applies; blank
 * optional risk rules are left out; the time stop is typed in hours and sent in ms), and
 * {@link validateBotForm} validates a whole bot with `botCreateInputSchema.safeParse`, keying each issue by
 * its input path (`name`, `accountId`, `config.grid.levels`, `config.risk.cooldown.pauseMinutes`…) so the
 * form shows it next to its field.
 */
import {
  botConfigSchema,
  botCreateInputSchema,
  gridParamsSchema,
  riskRulesSchema,
  signalParamsSchema,
  spreadParamsSchema,
  type BotConfig,
  type RiskRules,
  type BotType,
  type MarketType,
} from '@osprey/shared';
import { issuesToFieldErrors, type FieldErrors } from '../lib/form.js';
import { normalizeDecimal } from '../lib/decimal.js';

/** Grid parameters as typed. */
export interface GridFormState {
  symbol: string;
  levels: string;
  spacingPct: string;
  sellOffsetPct: string;
  orderSizeMode: 'base' | 'quote';
  orderSizeValue: string;
  repricePct: string;
  /** Blank = the schema's default (`levels`). */
  maxOpenPositions: string;
}

/** DCA spread parameters as typed. */
export interface SpreadFormState {
  symbolA: string;
  symbolB: string;
  entryPct: string;
  stepPct: string;
  sizeMultiplier: string;
  maxAdds: string;
  orderQuote: string;
  takeProfitRevertPct: string;
  takeProfitPct: string;
  stopLossPct: string;
}

/** Signal sizing modes (see `signalSizingSchema`). */
export const SIGNAL_SIZING_MODES = ['quote', 'equityPct', 'risk'] as const;
/** One of {@link SIGNAL_SIZING_MODES}. */
export type SignalSizingMode = (typeof SIGNAL_SIZING_MODES)[number];

/** Signal-bot parameters as typed; `symbols` is a comma/space separated list. */
export interface SignalFormState {
  symbols: string;
  minScore: string;
  sizingMode: SignalSizingMode;
  sizingValue: string;
  stopAtrMult: string;
  takeProfitAtrMult: string;
  atrPeriod: string;
}

/** Risk rules as typed; every field optional (blank = rule off). The time stop is in hours. */
export interface RiskFormState {
  maxOpenPositions: string;
  stopLossPct: string;
  maxHoldingHours: string;
  dailyLossLimit: string;
  cooldownAfterLosses: string;
  cooldownPauseMinutes: string;
}

/** Everything the config editor edits. */
export interface ConfigFormState {
  type: BotType;
  marketType: MarketType;
  leverage: string;
  grid: GridFormState;
  spread: SpreadFormState;
  signal: SignalFormState;
  risk: RiskFormState;
}

/** The bot form: a config plus the bot's name and account. */
export interface BotFormState {
  name: string;
  accountId: string;
  config: ConfigFormState;
}

/** A validated `bots.create` input (defaults applied). */
export type BotCreateOutput = ReturnType<typeof botCreateInputSchema.parse>;

const MS_PER_HOUR = 3_600_000;

/** A number for a text field: integers as-is, other numbers without float noise (`0.30000000000000004` → `0.3`). */
function numText(n: number | undefined): string {
  if (n === undefined) return '';
  return String(Number(n.toPrecision(12)));
}

/**
 * `symbol` in the form a market type trades: spot `BTC/USDT` ↔ perpetual `BTC/USDT:USDT` (settled in the
 * quote). Blank and malformed text is returned unchanged (apart from trimming).
 */
export function symbolForMarket(symbol: string, marketType: MarketType): string {
  const s = symbol.trim();
  const m = /^([^/:\s]+)\/([^/:\s]+)(?::([^/:\s]+))?$/.exec(s);
  if (!m) return s;
  return marketType === 'swap' ? `${m[1]}/${m[2]}:${m[3] ?? m[2]}` : `${m[1]}/${m[2]}`;
}

/** The feed's (spot) symbols as a market type's symbols, for the symbol suggestions. */
export function symbolSuggestions(feedSymbols: readonly string[], marketType: MarketType): string[] {
  return [...new Set(feedSymbols.map((s) => symbolForMarket(s, marketType)))];
}

/** Splits a typed symbol list (`"btc/usdt, ETH/USDT"`) into upper-cased symbols, blanks dropped. */
export function splitSymbols(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
}

/**
 * The editor's default state on `marketType`: every parameter at its schema default (parsed from the shared
 * schemas with only the required symbols given), symbols from `suggestions` (grid and signal: the first;
 * spread: A the second, B the first), risk rules off, leverage 1.
 */
export function defaultConfigForm(marketType: MarketType, suggestions: readonly string[] = []): ConfigFormState {
  const first = suggestions[0] ?? (marketType === 'swap' ? 'BTC/USDT:USDT' : 'BTC/USDT');
  const second = suggestions[1] ?? (marketType === 'swap' ? 'ETH/USDT:USDT' : 'ETH/USDT');
  const grid = gridParamsSchema.parse({ symbol: first });
  const spread = spreadParamsSchema.parse({ symbolA: second, symbolB: first });
  const signal = signalParamsSchema.parse({ symbols: [first] });
  return {
    type: 'grid',
    marketType,
    leverage: '1',
    grid: gridToForm(grid),
    spread: spreadToForm(spread),
    signal: signalToForm(signal),
    risk: riskToForm(riskRulesSchema.parse({})),
  };
}

function gridToForm(g: ReturnType<typeof gridParamsSchema.parse>): GridFormState {
  return {
    symbol: g.symbol,
    levels: numText(g.levels),
    spacingPct: numText(g.spacingPct),
    sellOffsetPct: numText(g.sellOffsetPct),
    orderSizeMode: g.orderSize.mode,
    orderSizeValue: g.orderSize.value,
    repricePct: numText(g.repricePct),
    maxOpenPositions: numText(g.maxOpenPositions),
  };
}

function spreadToForm(s: ReturnType<typeof spreadParamsSchema.parse>): SpreadFormState {
  return {
    symbolA: s.symbolA,
    symbolB: s.symbolB,
    entryPct: numText(s.entryPct),
    stepPct: numText(s.stepPct),
    sizeMultiplier: numText(s.sizeMultiplier),
    maxAdds: numText(s.maxAdds),
    orderQuote: s.orderQuote,
    takeProfitRevertPct: numText(s.takeProfitRevertPct),
    takeProfitPct: numText(s.takeProfitPct),
    stopLossPct: numText(s.stopLossPct),
  };
}

function signalToForm(s: ReturnType<typeof signalParamsSchema.parse>): SignalFormState {
  return {
    symbols: s.symbols.join(', '),
    minScore: numText(s.minScore),
    sizingMode: s.sizing.mode,
    sizingValue: s.sizing.value,
    stopAtrMult: numText(s.stopAtrMult),
    takeProfitAtrMult: numText(s.takeProfitAtrMult),
    atrPeriod: numText(s.atrPeriod),
  };
}

/** The typed form of stored risk rules (blank = rule off; the time stop in hours). */
export function riskToForm(r: RiskRules): RiskFormState {
  return {
    maxOpenPositions: numText(r.maxOpenPositions),
    stopLossPct: numText(r.stopLossPct),
    maxHoldingHours: r.maxHoldingMs === undefined ? '' : numText(r.maxHoldingMs / MS_PER_HOUR),
    dailyLossLimit: r.dailyLossLimit ?? '',
    cooldownAfterLosses: numText(r.cooldown?.afterLosses),
    cooldownPauseMinutes: numText(r.cooldown?.pauseMinutes),
  };
}

/**
 * The editor state of a stored config (bot edit, "backtest this", a run's config): its own type's section
 * from the config, the other sections at their defaults (symbols from `suggestions`).
 */
export function configToForm(config: BotConfig, suggestions: readonly string[] = []): ConfigFormState {
  const base = defaultConfigForm(config.marketType, suggestions);
  const out: ConfigFormState = { ...base, type: config.type, marketType: config.marketType, leverage: numText(config.leverage), risk: riskToForm(config.risk) };
  if (config.type === 'grid') out.grid = gridToForm(config.grid);
  if (config.type === 'spread') out.spread = spreadToForm(config.spread);
  if (config.type === 'signal') out.signal = signalToForm(config.signal);
  return out;
}

/**
 * The editor switched to `marketType` (a new account, or the backtest's market selector): every symbol
 * field converted (`BTC/USDT` ↔ `BTC/USDT:USDT`).
 */
export function withMarketType(c: ConfigFormState, marketType: MarketType): ConfigFormState {
  if (c.marketType === marketType) return c;
  const conv = (s: string) => symbolForMarket(s, marketType);
  return {
    ...c,
    marketType,
    grid: { ...c.grid, symbol: conv(c.grid.symbol) },
    spread: { ...c.spread, symbolA: conv(c.spread.symbolA), symbolB: conv(c.spread.symbolB) },
    signal: { ...c.signal, symbols: splitSymbols(c.signal.symbols).map(conv).join(', ') },
  };
}

const NUMBER_RE = /^[-+]?(\d+\.?\d*|\.\d+)$/;

/** Builds a raw input object while collecting "not a number" errors by path. */
class InputBuilder {
  readonly errors: FieldErrors = {};

  /** A typed number: blank → undefined (default/omitted), non-numeric → an error at `path`. */
  num(text: string, path: string): number | undefined {
    const s = text.trim();
    if (!s) return undefined;
    if (!NUMBER_RE.test(s)) {
      this.errors[path] ??= 'must be a number';
      return undefined;
    }
    return Number(s);
  }

  /** A typed decimal string: blank → undefined, otherwise normalised when it is one (the schema reports bad text). */
  dec(text: string): string | undefined {
    const s = text.trim();
    if (!s) return undefined;
    return normalizeDecimal(s) ?? s;
  }
}

/** Drops keys whose value is undefined (so schema defaults apply). */
function compact(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
  return out;
}

/** Result of {@link configFormToInput}: the raw config input and the errors found before the schema. */
export interface ConfigInputResult {
  input: Record<string, unknown>;
  /** Keyed `config.<path>` (e.g. `config.grid.levels: must be a number`). */
  errors: FieldErrors;
}

/**
 * The raw `botConfigSchema` input of the editor state (not yet validated): only the chosen type's section;
 * blank defaulted fields left out; blank risk rules left out; time stop hours → integer ms; a cooldown needs
 * both of its numbers (the blank one gets `required for a cooldown`); symbols trimmed and upper-cased;
 * leverage only on perpetuals; a blank size is the default only in the default (quote) mode. Text that is not
 * a number is reported (`must be a number`) and left out.
 */
export function configFormToInput(c: ConfigFormState): ConfigInputResult {
  const b = new InputBuilder();
  const input: Record<string, unknown> = { type: c.type, marketType: c.marketType };
  if (c.marketType === 'swap') {
    const lev = b.num(c.leverage, 'config.leverage');
    if (lev !== undefined) input.leverage = lev;
  }
  if (c.type === 'grid') {
    const g = c.grid;
    const value = b.dec(g.orderSizeValue);
    input.grid = compact({
      symbol: g.symbol.trim().toUpperCase(),
      levels: b.num(g.levels, 'config.grid.levels'),
      spacingPct: b.num(g.spacingPct, 'config.grid.spacingPct'),
      sellOffsetPct: b.num(g.sellOffsetPct, 'config.grid.sellOffsetPct'),
      // A blank size means the default (quote 100) only while the default mode is chosen.
      orderSize: value === undefined && g.orderSizeMode === 'quote' ? undefined : { mode: g.orderSizeMode, value: value ?? '' },
      repricePct: b.num(g.repricePct, 'config.grid.repricePct'),
      maxOpenPositions: b.num(g.maxOpenPositions, 'config.grid.maxOpenPositions'),
    });
  } else if (c.type === 'spread') {
    const s = c.spread;
    input.spread = compact({
      symbolA: s.symbolA.trim().toUpperCase(),
      symbolB: s.symbolB.trim().toUpperCase(),
      entryPct: b.num(s.entryPct, 'config.spread.entryPct'),
      stepPct: b.num(s.stepPct, 'config.spread.stepPct'),
      sizeMultiplier: b.num(s.sizeMultiplier, 'config.spread.sizeMultiplier'),
      maxAdds: b.num(s.maxAdds, 'config.spread.maxAdds'),
      orderQuote: b.dec(s.orderQuote),
      takeProfitRevertPct: b.num(s.takeProfitRevertPct, 'config.spread.takeProfitRevertPct'),
      takeProfitPct: b.num(s.takeProfitPct, 'config.spread.takeProfitPct'),
      stopLossPct: b.num(s.stopLossPct, 'config.spread.stopLossPct'),
    });
  } else {
    const s = c.signal;
    const value = b.dec(s.sizingValue);
    input.signal = compact({
      symbols: splitSymbols(s.symbols),
      minScore: b.num(s.minScore, 'config.signal.minScore'),
      sizing: value === undefined && s.sizingMode === 'quote' ? undefined : { mode: s.sizingMode, value: value ?? '' },
      stopAtrMult: b.num(s.stopAtrMult, 'config.signal.stopAtrMult'),
      takeProfitAtrMult: b.num(s.takeProfitAtrMult, 'config.signal.takeProfitAtrMult'),
      atrPeriod: b.num(s.atrPeriod, 'config.signal.atrPeriod'),
    });
  }
  input.risk = riskInput(c.risk, b);
  return { input, errors: b.errors };
}

/** The raw `riskRulesSchema` input of typed risk rules; errors at `config.risk.<path>` go into `b`. */
function riskInput(r: RiskFormState, b: InputBuilder): Record<string, unknown> {
  const hours = b.num(r.maxHoldingHours, 'config.risk.maxHoldingMs');
  const after = b.num(r.cooldownAfterLosses, 'config.risk.cooldown.afterLosses');
  const pause = b.num(r.cooldownPauseMinutes, 'config.risk.cooldown.pauseMinutes');
  let cooldown: { afterLosses: number; pauseMinutes: number } | undefined;
  if (after !== undefined && pause !== undefined) cooldown = { afterLosses: after, pauseMinutes: pause };
  else if (r.cooldownAfterLosses.trim() && !r.cooldownPauseMinutes.trim()) b.errors['config.risk.cooldown.pauseMinutes'] ??= 'required for a cooldown';
  else if (!r.cooldownAfterLosses.trim() && r.cooldownPauseMinutes.trim()) b.errors['config.risk.cooldown.afterLosses'] ??= 'required for a cooldown';
  return compact({
    maxOpenPositions: b.num(r.maxOpenPositions, 'config.risk.maxOpenPositions'),
    stopLossPct: b.num(r.stopLossPct, 'config.risk.stopLossPct'),
    maxHoldingMs: hours === undefined ? undefined : Math.round(hours * MS_PER_HOUR),
    dailyLossLimit: b.dec(r.dailyLossLimit),
    cooldown,
  });
}

/** Result of {@link validateRiskForm}. */
export type RiskFormResult = { ok: true; rules: RiskRules } | { ok: false; errors: FieldErrors };

/**
 * Validates typed risk rules alone with the shared `riskRulesSchema` (the account risk rules form); errors
 * keyed `config.risk.<path>` like the bot editor's, so the same fields show them.
 */
export function validateRiskForm(r: RiskFormState): RiskFormResult {
  const b = new InputBuilder();
  const input = riskInput(r, b);
  const parsed = riskRulesSchema.safeParse(input);
  const zodErrors = parsed.success ? {} : issuesToFieldErrors(parsed.error.issues.map((i) => ({ ...i, path: ['config', 'risk', ...i.path] })));
  const all = mergeErrors(b.errors, zodErrors);
  if (!parsed.success || Object.keys(all).length) return { ok: false, errors: all };
  return { ok: true, rules: parsed.data };
}

/** Error keys the config editor shows next to a field (an error under a key's sub-path shows there too). */
export function configFieldKeys(type: BotType): string[] {
  const common = ['config.type', 'config.marketType', 'config.leverage'];
  const risk = [
    'config.risk.maxOpenPositions',
    'config.risk.stopLossPct',
    'config.risk.maxHoldingMs',
    'config.risk.dailyLossLimit',
    'config.risk.cooldown.afterLosses',
    'config.risk.cooldown.pauseMinutes',
    'config.risk.cooldown',
  ];
  const params: Record<BotType, string[]> = {
    grid: ['symbol', 'levels', 'spacingPct', 'sellOffsetPct', 'orderSize', 'repricePct', 'maxOpenPositions'].map((k) => `config.grid.${k}`),
    spread: ['symbolA', 'symbolB', 'entryPct', 'stepPct', 'sizeMultiplier', 'maxAdds', 'orderQuote', 'takeProfitRevertPct', 'takeProfitPct', 'stopLossPct'].map((k) => `config.spread.${k}`),
    signal: ['symbols', 'minScore', 'sizing', 'stopAtrMult', 'takeProfitAtrMult', 'atrPeriod'].map((k) => `config.signal.${k}`),
  };
  return [...common, ...params[type], ...risk];
}

/** Error keys of the bot form: the config editor's plus `name` and `accountId`. */
export function botFieldKeys(type: BotType): string[] {
  return ['name', 'accountId', ...configFieldKeys(type)];
}

/**
 * Moves errors whose key matches no shown field (neither equal to a key of `known` nor under one) to
 * `form`, joined with `; `, so that nothing is lost. Messages of placed keys are kept as they are.
 */
export function placeErrors(errors: FieldErrors, known: readonly string[]): FieldErrors {
  const out: FieldErrors = {};
  const rest: string[] = [];
  for (const [k, v] of Object.entries(errors)) {
    if (k === 'form') rest.push(v);
    else if (known.some((f) => k === f || k.startsWith(`${f}.`))) out[k] ??= v;
    else rest.push(k ? `${k}: ${v}` : v);
  }
  if (rest.length) out.form = rest.join('; ');
  return out;
}

/** Merges error maps; the first message per key wins. */
export function mergeErrors(...maps: FieldErrors[]): FieldErrors {
  const out: FieldErrors = {};
  for (const m of maps) for (const [k, v] of Object.entries(m)) out[k] ??= v;
  return out;
}

/** Result of {@link validateConfigForm}. */
export type ConfigFormResult = { ok: true; config: BotConfig } | { ok: false; errors: FieldErrors };

/** Validates the editor state alone with `botConfigSchema` (for "Backtest this config"); errors keyed `config.<path>`. */
export function validateConfigForm(c: ConfigFormState): ConfigFormResult {
  const { input, errors } = configFormToInput(c);
  const parsed = botConfigSchema.safeParse(input);
  const zodErrors = parsed.success ? {} : issuesToFieldErrors(parsed.error.issues.map((i) => ({ ...i, path: ['config', ...i.path] })));
  const all = placeErrors(mergeErrors(errors, zodErrors), configFieldKeys(c.type));
  if (!parsed.success || Object.keys(all).length) return { ok: false, errors: all };
  return { ok: true, config: parsed.data };
}

/** Result of {@link validateBotForm}. */
export type BotFormResult = { ok: true; input: BotCreateOutput } | { ok: false; errors: FieldErrors };

/**
 * Validates the whole bot form with the shared `botCreateInputSchema` (name, account, config). Errors are
 * keyed by input path (`config.grid.levels`), merged with the editor's own checks; any error without a field
 * of its own lands under `form`.
 */
export function validateBotForm(f: BotFormState): BotFormResult {
  const { input, errors } = configFormToInput(f.config);
  const parsed = botCreateInputSchema.safeParse({ name: f.name, accountId: f.accountId, config: input });
  const zodErrors = parsed.success ? {} : issuesToFieldErrors(parsed.error.issues);
  const all = placeErrors(mergeErrors(errors, zodErrors), botFieldKeys(f.config.type));
  if (!parsed.success || Object.keys(all).length) return { ok: false, errors: all };
  return { ok: true, input: parsed.data };
}

/** The bot form of a stored bot (edit). */
export function botToForm(bot: { name: string; accountId: string; config: BotConfig }, suggestions: readonly string[] = []): BotFormState {
  return { name: bot.name, accountId: bot.accountId, config: configToForm(bot.config, suggestions) };
}
