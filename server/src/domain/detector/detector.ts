/**
 * The 3-layer market detector (quant seed): a **filter** layer (is the market trending and active?),
 * a **trigger** layer (did the MACD histogram turn or keep moving in the trend's direction, within the
 * RSI guard?) and a **confirm** layer (volume spike, bandwidth expansion, 4h resonance), scored and
 * thresholded. Pure: no I/O, no clock; times are Unix ms UTC and come from the candles.
 */
import { TIMEFRAME_MS, type CandleWithIndicators, type IndicatorColumn, type MarketSignal, type SignalType } from '@osprey/shared';
import { parseDetectorConfig, type DetectorConfig, type DetectorConfigInput } from './config.js';

const MS_15M = TIMEFRAME_MS['15m'];
const MS_4H = TIMEFRAME_MS['4h'];

/** Input of {@link detect}. Candles are closed, ascending by open time, with indicators attached. */
export interface DetectorInput {
  /** ccxt exchange id, e.g. `binance`. */
  exchange: string;
  /** ccxt unified symbol, e.g. `BTC/USDT`. */
  symbol: string;
  /** Closed 15m candles; the last one is evaluated, the last `window15m` (default 100) form the window. */
  candles15m: readonly CandleWithIndicators[];
  /**
   * Closed 4h candles (the last `window4h`, default 60, are needed). Trailing candles whose close time
   * (`ts + 4h`) is after the evaluated 15m candle's close are ignored as not yet closed.
   */
  candles4h: readonly CandleWithIndicators[];
}

/** Filter-layer mode: close above / below the EMA, or within the neutral band around it. */
export type MarketMode = 'BULL' | 'BEAR' | 'NEUTRAL';
/** Raw trend: close strictly above (UP) / below (DOWN) the EMA, FLAT when exactly equal. */
export type Trend = 'UP' | 'DOWN' | 'FLAT';
/** Which MACD-histogram rule fired: zero-line turn, or monotonic move over `risingBars` candles. */
export type MacdRule = 'cross' | 'rising';

/** Why no signal was emitted for an evaluation. */
export type NoSignalReason =
  | 'insufficient_15m'
  | 'insufficient_4h'
  | 'missing_indicators'
  | 'inactive'
  | 'neutral'
  | 'not_aligned'
  | 'no_trigger'
  | 'rsi_guard'
  | 'score_below_min';

/** Filter layer inputs and outcome. */
export type FilterOutcome = {
  close: number;
  ema55: number;
  mode: MarketMode;
  bbWidth: number;
  /** Mean bb_width over the 15m window (current candle included). */
  bbWidthMean: number;
  /** bbWidthMean × activeBandwidthRatio. */
  activeThreshold: number;
  active: boolean;
  trend15m: Trend;
  /** Open time of the last closed 4h candle used. */
  candle4hTs: number;
  close4h: number;
  ema21_4h: number;
  trend4h: Trend;
  /** trend15m and trend4h agree (and are not FLAT). */
  aligned: boolean;
  /** active && mode ≠ NEUTRAL (&& aligned when `requireAlignment`). */
  passed: boolean;
};

/** Trigger layer inputs and outcome (evaluated for the filter mode's direction). */
export type TriggerOutcome = {
  /** 15m MACD histogram, oldest → newest, `risingBars + 1` values ending at the evaluated candle. */
  histogram: number[];
  /** Direction implied by the filter mode (BULL → LONG, BEAR → SHORT), null when NEUTRAL. */
  modeDirection: SignalType | null;
  /** Rule that fired for `modeDirection`, null when none (or NEUTRAL). */
  macd: MacdRule | null;
  rsi7: number;
  /** LONG: rsi7 < rsiLongMax; SHORT: rsi7 > rsiShortMin; false when NEUTRAL. */
  rsiOk: boolean;
  /** Final trigger direction: filter passed, MACD fired and RSI ok; else null. */
  direction: SignalType | null;
  /** sizeBoostMultiplier when LONG with rsi7 < sizeBoostRsi or SHORT with rsi7 > sizeBoostRsi, else 1. */
  sizeMultiplier: number;
};

/** 4h resonance inputs and outcome. */
export type ResonanceOutcome = {
  enabled: boolean;
  /** 4h mode from the last closed 4h close vs its ema_21 (same neutral band). */
  mode4h: MarketMode | null;
  /** 4h MACD histogram, oldest → newest (`risingBars + 1` values); empty when disabled. */
  histogram4h: number[];
  /** Direction in which the 4h trigger (same MACD rule, no RSI guard) fires, or null. */
  direction4h: SignalType | null;
  /** enabled and direction4h equals the 15m mode direction. */
  ok: boolean;
};

/** Confirm layer inputs and outcome. */
export type ConfirmOutcome = {
  volume: number;
  volumeMean: number;
  /** Sample standard deviation (n − 1) of the window's volumes, as pandas' `std()`. */
  volumeStd: number;
  /** volumeMean + volumeStdMult × volumeStd. */
  volumeThreshold: number;
  volumeOk: boolean;
  /** bbWidthMean × confirmBandwidthRatio. */
  bandwidthThreshold: number;
  bandwidthOk: boolean;
  resonance: ResonanceOutcome;
};

/** Points per layer outcome and their total. */
export type ScoreOutcome = {
  parts: { filter: number; trigger: number; rsi: number; volume: number; bandwidth: number; resonance: number };
  total: number;
  minScore: number;
};

/** `details` stored on every signal: each layer's inputs/outcome and the configuration used. */
export type DetectorDetails = {
  filter: FilterOutcome;
  trigger: TriggerOutcome;
  confirm: ConfirmOutcome;
  score: ScoreOutcome;
  config: DetectorConfig;
};

/**
 * Full record of one evaluation, emitted or not. When evaluation stopped early (too few candles,
 * missing indicators) the layer fields are absent and `missing` lists what was null/absent.
 */
export type DetectorEvaluation = {
  exchange: string;
  symbol: string;
  /** Open time of the evaluated 15m candle, null when there was none. */
  candleTs: number | null;
  emitted: boolean;
  reason: NoSignalReason | null;
  /** Indicator fields that were null/non-finite, e.g. `15m.ema_55`, `4h.histogram[-1]`. */
  missing?: string[];
  /** Candle counts seen (after dropping 4h candles not yet closed) vs the configured windows. */
  counts?: { candles15m: number; candles4h: number; ignored4h: number };
  filter?: FilterOutcome;
  trigger?: TriggerOutcome;
  confirm?: ConfirmOutcome;
  score?: ScoreOutcome;
  config: DetectorConfig;
};

/** Result of {@link detect}: the signal (or null) and the evaluation record explaining it. */
export type DetectResult = { signal: MarketSignal | null; evaluation: DetectorEvaluation };

/**
 * Deterministic signal id, unique per exchange, symbol and triggering candle.
 * @param candleTs open time of the triggering 15m candle, Unix ms
 * @returns e.g. `det:binance:BTC/USDT:1717000000000`
 */
export function signalId(exchange: string, symbol: string, candleTs: number): string {
  return `det:${exchange}:${symbol}:${candleTs}`;
}

/**
 * Evaluates the latest closed 15m candle (the last element of `input.candles15m`) through the three
 * layers and returns the signal, if any, plus the evaluation record. Never throws on data problems:
 * too few candles or null indicators give `signal: null` with a `reason`.
 *
 * Scoring (quant seed, weights configurable): filter passed +10, MACD rule +5, RSI ok +3, volume +5,
 * bandwidth +3, 4h resonance +4 (max 30); emitted when a trigger direction exists and score ≥ minScore.
 * With the default gates (filter, MACD and RSI all required) an emitted signal scores at least 18.
 *
 * Times: `candleTs` = open time of the 15m candle, `createdAt` = its close (`candleTs + 15m`),
 * `expiresAt` = `createdAt + expiryMs`.
 *
 * @param config partial configuration; defaults fill the rest
 * @throws ZodError naming the field when `config` is invalid
 */
export function detect(input: DetectorInput, config?: DetectorConfigInput): DetectResult {
  return evaluate(input, parseDetectorConfig(config));
}

/** Finite number guard (null/undefined/NaN/±Infinity → false). */
function isNum(v: number | null | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function modeOf(close: number, ema: number, band: number): MarketMode {
  const diff = close - ema;
  if (Math.abs(diff) <= Math.abs(ema) * band) return 'NEUTRAL';
  return diff > 0 ? 'BULL' : 'BEAR';
}

function trendOf(close: number, ema: number): Trend {
  return close > ema ? 'UP' : close < ema ? 'DOWN' : 'FLAT';
}

function modeDirection(mode: MarketMode | null): SignalType | null {
  return mode === 'BULL' ? 'LONG' : mode === 'BEAR' ? 'SHORT' : null;
}

/**
 * MACD-histogram rule for `dir` over `h` (oldest → newest, length ≥ 2). LONG: `cross` when the last
 * value turned from negative (h[t−1] < 0) to positive (h[t] > 0), else `rising` when every step over the
 * whole array rose strictly (h[t] > h[t−1] > … ). SHORT mirrors (sign flipped).
 */
function macdRule(h: readonly number[], dir: SignalType): MacdRule | null {
  const s = dir === 'LONG' ? 1 : -1;
  const cur = h[h.length - 1]! * s;
  const prev = h[h.length - 2]! * s;
  if (prev < 0 && cur > 0) return 'cross';
  for (let k = 1; k < h.length; k++) if (!(h[k]! * s > h[k - 1]! * s)) return null;
  return 'rising';
}

/** Last `n` values of an indicator, oldest → newest; records missing ones under `label`. */
function tail(
  candles: readonly CandleWithIndicators[],
  end: number,
  key: IndicatorColumn,
  n: number,
  label: string,
  missing: string[],
): number[] {
  const out: number[] = [];
  for (let i = end - n; i < end; i++) {
    const v = candles[i]?.ind[key];
    if (isNum(v)) out.push(v);
    else missing.push(`${label}.${key}[${i - end}]`);
  }
  return out;
}

/**
 * {@link detect} with an already-parsed configuration (used by history mode to parse once).
 * @internal
 */
export function evaluate(input: DetectorInput, cfg: DetectorConfig): DetectResult {
  const { exchange, symbol, candles15m, candles4h } = input;
  const n15 = candles15m.length;
  const last = candles15m[n15 - 1];
  const base = { exchange, symbol, candleTs: last?.ts ?? null, config: cfg };
  const closeTs = last ? last.ts + MS_15M : 0;
  let end4h = candles4h.length;
  while (end4h > 0 && candles4h[end4h - 1]!.ts + MS_4H > closeTs) end4h--;
  const counts = { candles15m: n15, candles4h: end4h, ignored4h: candles4h.length - end4h };
  const reject = (reason: NoSignalReason, extra: Partial<DetectorEvaluation> = {}): DetectResult => ({
    signal: null,
    evaluation: { ...base, emitted: false, reason, counts, ...extra },
  });

  if (!last || n15 < cfg.window15m) return reject('insufficient_15m');
  if (end4h < cfg.window4h) return reject('insufficient_4h');

  // ---- gather inputs; any null/non-finite value needed → no signal
  const missing: string[] = [];
  const start15 = n15 - cfg.window15m;
  const { ind } = last;
  const need = (v: number | null | undefined, label: string): number => {
    if (isNum(v)) return v;
    missing.push(label);
    return NaN;
  };
  const close = need(last.close, '15m.close');
  const ema55 = need(ind.ema_55, '15m.ema_55');
  const bbWidth = need(ind.bb_width, '15m.bb_width');
  const rsi7 = need(ind.rsi_7, '15m.rsi_7');
  const histogram = tail(candles15m, n15, 'histogram', cfg.risingBars + 1, '15m', missing);

  let bbSum = 0;
  let volSum = 0;
  let bbMissing = 0;
  let volMissing = 0;
  for (let i = start15; i < n15; i++) {
    const c = candles15m[i]!;
    if (isNum(c.ind.bb_width)) bbSum += c.ind.bb_width;
    else bbMissing++;
    if (isNum(c.volume)) volSum += c.volume;
    else volMissing++;
  }
  const bbMissingEarlier = bbMissing - (isNum(ind.bb_width) ? 0 : 1);
  if (bbMissingEarlier > 0) missing.push(`15m.bb_width (${bbMissingEarlier} earlier in window)`);
  if (volMissing > 0) missing.push(`15m.volume (${volMissing} in window)`);

  const last4h = candles4h[end4h - 1]!;
  const close4h = need(last4h.close, '4h.close');
  const ema21_4h = need(last4h.ind.ema_21, '4h.ema_21');
  const histogram4h = cfg.resonance ? tail(candles4h, end4h, 'histogram', cfg.risingBars + 1, '4h', missing) : [];

  if (missing.length > 0) return reject('missing_indicators', { missing });

  // ---- filter layer
  const bbWidthMean = bbSum / cfg.window15m;
  const activeThreshold = bbWidthMean * cfg.activeBandwidthRatio;
  const active = bbWidth >= activeThreshold;
  const mode = modeOf(close, ema55, cfg.neutralBand);
  const trend15m = trendOf(close, ema55);
  const trend4h = trendOf(close4h, ema21_4h);
  const aligned = trend15m === trend4h && trend15m !== 'FLAT';
  const passed = active && mode !== 'NEUTRAL' && (aligned || !cfg.requireAlignment);
  const filter: FilterOutcome = {
    close, ema55, mode, bbWidth, bbWidthMean, activeThreshold, active,
    trend15m, candle4hTs: last4h.ts, close4h, ema21_4h, trend4h, aligned, passed,
  };

  // ---- trigger layer
  const modeDir = modeDirection(mode);
  const macd = modeDir ? macdRule(histogram, modeDir) : null;
  const rsiOk = modeDir === 'LONG' ? rsi7 < cfg.rsiLongMax : modeDir === 'SHORT' ? rsi7 > cfg.rsiShortMin : false;
  const direction = passed && macd !== null && rsiOk ? modeDir : null;
  const boosted = (modeDir === 'LONG' && rsi7 < cfg.sizeBoostRsi) || (modeDir === 'SHORT' && rsi7 > cfg.sizeBoostRsi);
  const trigger: TriggerOutcome = {
    histogram, modeDirection: modeDir, macd, rsi7, rsiOk, direction,
    sizeMultiplier: boosted ? cfg.sizeBoostMultiplier : 1,
  };

  // ---- confirm layer
  const volumeMean = volSum / cfg.window15m;
  let sq = 0;
  for (let i = start15; i < n15; i++) sq += (candles15m[i]!.volume - volumeMean) ** 2;
  const volumeStd = Math.sqrt(sq / (cfg.window15m - 1));
  const volumeThreshold = volumeMean + cfg.volumeStdMult * volumeStd;
  const bandwidthThreshold = bbWidthMean * cfg.confirmBandwidthRatio;
  let resonance: ResonanceOutcome = { enabled: false, mode4h: null, histogram4h, direction4h: null, ok: false };
  if (cfg.resonance) {
    const mode4h = modeOf(close4h, ema21_4h, cfg.neutralBand);
    const dir4h = modeDirection(mode4h);
    const direction4h = dir4h && macdRule(histogram4h, dir4h) ? dir4h : null;
    resonance = { enabled: true, mode4h, histogram4h, direction4h, ok: direction4h !== null && direction4h === modeDir };
  }
  const confirm: ConfirmOutcome = {
    volume: last.volume, volumeMean, volumeStd, volumeThreshold, volumeOk: last.volume >= volumeThreshold,
    bandwidthThreshold, bandwidthOk: bbWidth >= bandwidthThreshold, resonance,
  };

  // ---- score
  const w = cfg.weights;
  const parts = {
    filter: passed ? w.filter : 0,
    trigger: macd !== null ? w.trigger : 0,
    rsi: rsiOk ? w.rsi : 0,
    volume: confirm.volumeOk ? w.volume : 0,
    bandwidth: confirm.bandwidthOk ? w.bandwidth : 0,
    resonance: resonance.ok ? w.resonance : 0,
  };
  const total = parts.filter + parts.trigger + parts.rsi + parts.volume + parts.bandwidth + parts.resonance;
  const score: ScoreOutcome = { parts, total, minScore: cfg.minScore };
  const details: DetectorDetails = { filter, trigger, confirm, score, config: cfg };

  const reason: NoSignalReason | null = !active
    ? 'inactive'
    : mode === 'NEUTRAL'
      ? 'neutral'
      : !passed
        ? 'not_aligned'
        : macd === null
          ? 'no_trigger'
          : !rsiOk
            ? 'rsi_guard'
            : total < cfg.minScore
              ? 'score_below_min'
              : null;
  const evaluation: DetectorEvaluation = { ...base, emitted: reason === null, reason, counts, ...details };
  if (reason !== null || direction === null) return { signal: null, evaluation };

  return {
    signal: {
      id: signalId(exchange, symbol, last.ts),
      exchange,
      symbol,
      type: direction,
      score: total,
      sizeMultiplier: trigger.sizeMultiplier,
      candleTs: last.ts,
      createdAt: closeTs,
      expiresAt: closeTs + cfg.expiryMs,
      details,
    },
    evaluation,
  };
}
