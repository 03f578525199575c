/**
 * The backtest run form (pure, tested): a bot config (the shared editor's state) plus the simulation
 * settings, validated with the shared `backtestStartInputSchema`; date inputs typed in the user's time zone
 * (`datetime-local` text, converted with an explicit IANA zone); the default range from the stored candle
 * coverage; and the "Backtest this config" hand-off from the bot form, carried in the hash
 * (`#/backtests?config=<json>&name=…`).
 */
import { backtestStartInputSchema, botConfigSchema, CANDLE_TIMEFRAMES, TIMEFRAME_MS, type BotConfig, type CandleCoverage, type CandleTimeframe, type FillModel, type Timeframe } from '@osprey/shared';
import { issuesToFieldErrors, type FieldErrors } from '../lib/form.js';
import { normalizeDecimal } from '../lib/decimal.js';
import { zonedParts } from '../lib/time.js';
import { configFieldKeys, configFormToInput, mergeErrors, placeErrors, type ConfigFormState } from './bot-form.js';

/** The backtest form as typed. */
export interface BacktestFormState {
  /** Optional run name (the server names unnamed runs). */
  name: string;
  config: ConfigFormState;
  timeframe: Timeframe;
  /** Starting USDT balance. */
  balance: string;
  /** Fee rates as fractions (`0.001` = 0.1 %); both blank = the paper defaults. */
  feeMaker: string;
  feeTaker: string;
  slippageBps: string;
  /** Same-candle fills (`settings.fillModel`). */
  fillModel: FillModel;
  /** Detail timeframe walked inside each candle (`settings.detail`), `''` = none. */
  detail: CandleTimeframe | '';
  /** Range start / end as `YYYY-MM-DDTHH:mm` in the user's time zone. */
  from: string;
  to: string;
}

/** A validated `backtests.start` input. */
export type BacktestStartOutput = ReturnType<typeof backtestStartInputSchema.parse>;

/** Error keys the backtest form shows next to its own fields (the config editor's come from {@link configFieldKeys}). */
export const BACKTEST_FIELD_KEYS = ['name', 'settings.timeframe', 'settings.balances', 'settings.fees.maker', 'settings.fees.taker', 'settings.fees', 'settings.slippageBps', 'settings.fillModel', 'settings.detail', 'from', 'to'] as const;

/** A blank form around `config`: 15m, 10 000 USDT, paper fees, 5 bps slippage, path fills, no detail, no range yet. */
export function emptyBacktestForm(config: ConfigFormState, name = ''): BacktestFormState {
  return { name, config, timeframe: '15m', balance: '10000', feeMaker: '', feeTaker: '', slippageBps: '5', fillModel: 'path', detail: '', from: '', to: '' };
}

/** The detail timeframes a run stepping `timeframe` can walk inside its candles: the stored ones shorter than it that divide it. */
export function detailOptions(timeframe: Timeframe): CandleTimeframe[] {
  const l = TIMEFRAME_MS[timeframe];
  return CANDLE_TIMEFRAMES.filter((tf) => TIMEFRAME_MS[tf] < l && l % TIMEFRAME_MS[tf] === 0);
}

/** `YYYY-MM-DDTHH:mm` (a `datetime-local` value) of a Unix ms instant in `timeZone`. */
export function msToZonedInput(ms: number, timeZone: string): string {
  const p = zonedParts(ms, timeZone);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

/**
 * The Unix ms instant of a `YYYY-MM-DDTHH:mm[:ss]` wall-clock time in `timeZone`, or null when the text is not
 * such a time. A wall time skipped by a DST jump resolves to the instant one offset later; an ambiguous one
 * (clocks set back) to the earlier offset's reading.
 */
export function zonedInputToMs(text: string, timeZone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return null;
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  if (new Date(wall).getUTCDate() !== d) return null;
  const offsetAt = (ms: number) => {
    const p = zonedParts(ms, timeZone);
    return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) - Math.floor(ms / 1000) * 1000;
  };
  let ts = wall - offsetAt(wall);
  const second = wall - offsetAt(ts);
  if (second !== ts) ts = Math.max(ts, second);
  return ts;
}

/**
 * Default range from the stored coverage of the config's symbols: the last `days` days that every symbol
 * covers — `to` one `timeframe` after the earliest last candle (exclusive end), `from` `days` before that but
 * not before the latest first candle. With the market clock `now` (the feed's time: the replay clock
 * offline), `to` is at most `now` rounded down to the timeframe, so the range never reaches into candles
 * the replay has not played yet. Null when a symbol has no candles, the coverages do not overlap, or `now`
 * is before the first candle.
 */
export function defaultRange(coverage: readonly CandleCoverage[], timeframe: Timeframe, days = 30, now: number | null = null): { from: number; to: number } | null {
  if (coverage.length === 0) return null;
  let first = -Infinity;
  let last = Infinity;
  for (const c of coverage) {
    if (c.from === null || c.to === null || c.count === 0) return null;
    first = Math.max(first, c.from);
    last = Math.min(last, c.to);
  }
  if (last < first) return null;
  const tf = TIMEFRAME_MS[timeframe];
  let to = last + tf;
  if (now !== null && Number.isFinite(now)) to = Math.min(to, Math.floor(now / tf) * tf);
  if (to <= first) return null;
  const from = Math.max(first, to - days * 86_400_000);
  return { from, to };
}

/** Result of {@link validateBacktestForm}. */
export type BacktestFormResult = { ok: true; input: BacktestStartOutput } | { ok: false; errors: FieldErrors };

/**
 * Validates the form with the shared `backtestStartInputSchema`. Dates are read in `timeZone`; fees need
 * both rates (the blank one gets `required with the other fee`); blank slippage / balance fall back to the
 * schema defaults. Errors are keyed by input path (`settings.slippageBps`, `config.grid.levels`, `from`);
 * those without a field land under `form`.
 */
export function validateBacktestForm(f: BacktestFormState, timeZone: string): BacktestFormResult {
  const pre: FieldErrors = {};
  const cfg = configFormToInput(f.config);
  const from = zonedInputToMs(f.from, timeZone);
  const to = zonedInputToMs(f.to, timeZone);
  if (from === null) pre.from = 'must be a date and time';
  if (to === null) pre.to = 'must be a date and time';

  const settings: Record<string, unknown> = { timeframe: f.timeframe };
  // `path` is the default: sent only when it differs, so settings stay as before for a default run.
  if (f.fillModel !== 'path') settings.fillModel = f.fillModel;
  if (f.detail) settings.detail = f.detail;
  const balance = f.balance.trim();
  if (balance) settings.balances = { USDT: normalizeDecimal(balance) ?? balance };
  const maker = f.feeMaker.trim();
  const taker = f.feeTaker.trim();
  if (maker && taker) settings.fees = { maker: normalizeDecimal(maker) ?? maker, taker: normalizeDecimal(taker) ?? taker };
  else if (maker) pre['settings.fees.taker'] = 'required with the other fee';
  else if (taker) pre['settings.fees.maker'] = 'required with the other fee';
  const slip = f.slippageBps.trim();
  if (slip) {
    if (/^[-+]?(\d+\.?\d*|\.\d+)$/.test(slip)) settings.slippageBps = Number(slip);
    else pre['settings.slippageBps'] = 'must be a number';
  }

  const raw: Record<string, unknown> = { config: cfg.input, settings, from: from ?? 0, to: to ?? 0 };
  if (f.name.trim()) raw.name = f.name.trim();
  const parsed = backtestStartInputSchema.safeParse(raw);
  let zodErrors = parsed.success ? {} : issuesToFieldErrors(parsed.error.issues);
  // "to must be after from" is noise while a date is missing.
  if (from === null || to === null) zodErrors = Object.fromEntries(Object.entries(zodErrors).filter(([k]) => k !== 'to' && k !== 'from'));
  const known = [...BACKTEST_FIELD_KEYS, ...configFieldKeys(f.config.type)];
  const all = placeErrors(mergeErrors(pre, cfg.errors, zodErrors), known);
  if (!parsed.success || Object.keys(all).length) return { ok: false, errors: all };
  return { ok: true, input: parsed.data };
}

/** The hash that opens the backtests page with its run form prefilled from `config` (and `name`). */
export function backtestPrefillHash(config: BotConfig, name?: string): string {
  const q = new URLSearchParams({ config: JSON.stringify(config) });
  if (name) q.set('name', name);
  return `#/backtests?${q.toString()}`;
}

/** A "backtest this config" hand-off read from the hash, when it carries a valid config. */
export interface BacktestPrefill {
  config: BotConfig;
  name: string;
}

/** Reads a {@link backtestPrefillHash} hash; null when absent, not JSON or not a valid bot config. */
export function parseBacktestPrefill(hash: string): BacktestPrefill | null {
  const i = hash.indexOf('?');
  if (i < 0) return null;
  const q = new URLSearchParams(hash.slice(i + 1));
  const text = q.get('config');
  if (!text) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = botConfigSchema.safeParse(json);
  return parsed.success ? { config: parsed.data, name: q.get('name') ?? '' } : null;
}
