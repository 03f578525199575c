import { z } from 'zod';

/**
 * Points awarded per layer outcome (quant seed scoring table; max 30 with the defaults).
 * Every field defaults independently, so `{ volume: 6 }` keeps the other weights.
 */
const weightsSchema = z
  .object({
    /** Filter layer passed (active market and BULL/BEAR mode). */
    filter: z.number().min(0).default(10),
    /** MACD histogram rule fired in the mode's direction (turn or rising). */
    trigger: z.number().min(0).default(5),
    /** RSI guard passed for the mode's direction. */
    rsi: z.number().min(0).default(3),
    /** Volume spike confirmation. */
    volume: z.number().min(0).default(5),
    /** Bandwidth expansion confirmation. */
    bandwidth: z.number().min(0).default(3),
    /** Multi-timeframe (4h) resonance confirmation. */
    resonance: z.number().min(0).default(4),
  })
  .strict();

/**
 * Zod schema of the 3-layer detector's configuration. Every threshold has the quant seed's default;
 * unknown keys are rejected (`.strict()`). Parsing throws a `ZodError` whose issue `path` names the
 * offending field (e.g. `['weights', 'volume']`).
 *
 * Ratios and bands are plain fractions (0.001 = 0.1 %); durations are milliseconds.
 */
export const detectorConfigSchema = z
  .object({
    /** Number of closed 15m candles evaluated (the window for means/std); fewer → no signal. */
    window15m: z.number().int().min(3).max(10_000).default(100),
    /** Number of closed 4h candles handed to the detector; fewer → no signal. */
    window4h: z.number().int().min(3).max(10_000).default(60),
    /** NEUTRAL band around the EMA, as a fraction of it: |close − ema| ≤ ema × band → NEUTRAL. */
    neutralBand: z.number().min(0).max(0.1).default(0.001),
    /** Market is active when bb_width ≥ mean(bb_width of the window) × this ratio. */
    activeBandwidthRatio: z.number().min(0).default(0.5),
    /** When true the filter also requires trend_15m and trend_4h to agree (seed: false, recorded only). */
    requireAlignment: z.boolean().default(false),
    /** Rising rule length: LONG fires when the histogram rose over this many consecutive candles. */
    risingBars: z.number().int().min(1).max(20).default(2),
    /** RSI guard: LONG needs rsi_7 strictly below this. */
    rsiLongMax: z.number().min(0).max(100).default(80),
    /** RSI guard: SHORT needs rsi_7 strictly above this. */
    rsiShortMin: z.number().min(0).max(100).default(20),
    /** Size boost pivot: LONG with rsi_7 < pivot or SHORT with rsi_7 > pivot gets the boosted size. */
    sizeBoostRsi: z.number().min(0).max(100).default(50),
    /** Boosted size multiplier (otherwise 1). */
    sizeBoostMultiplier: z.number().min(1).max(10).default(2),
    /** Volume confirmation: volume ≥ mean + k × std (sample std) of the window's volumes; this is k. */
    volumeStdMult: z.number().min(0).default(1.5),
    /** Bandwidth confirmation: bb_width ≥ mean(bb_width of the window) × this ratio. */
    confirmBandwidthRatio: z.number().min(0).default(1.2),
    /** Whether the 4h resonance check is evaluated (and scored). */
    resonance: z.boolean().default(true),
    /** Points per layer outcome. */
    weights: weightsSchema.prefault({}),
    /** A signal is emitted when its score is ≥ this. */
    minScore: z.number().min(0).default(15),
    /** Signal lifetime after the triggering candle's close, ms (default 4 h). */
    expiryMs: z.number().int().positive().default(4 * 60 * 60_000),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.window15m < c.risingBars + 1) {
      ctx.addIssue({ code: 'custom', path: ['window15m'], message: `window15m must be ≥ risingBars + 1 (${c.risingBars + 1})` });
    }
    if (c.window4h < c.risingBars + 1) {
      ctx.addIssue({ code: 'custom', path: ['window4h'], message: `window4h must be ≥ risingBars + 1 (${c.risingBars + 1})` });
    }
  });

/** Parsed (complete) detector configuration. */
export type DetectorConfig = z.infer<typeof detectorConfigSchema>;
/** Detector configuration as accepted on input: every field optional (defaults fill the gaps). */
export type DetectorConfigInput = z.input<typeof detectorConfigSchema>;

/** The quant seed's defaults: `detectorConfigSchema.parse({})`. */
export const DEFAULT_DETECTOR_CONFIG: DetectorConfig = deepFreeze(detectorConfigSchema.parse({}));

function deepFreeze(c: DetectorConfig): DetectorConfig {
  return Object.freeze({ ...c, weights: Object.freeze({ ...c.weights }) });
}

/**
 * Validates a (partial) configuration and fills in defaults.
 * @throws ZodError whose issues name the offending field in `path`
 */
export function parseDetectorConfig(input: DetectorConfigInput | undefined): DetectorConfig {
  if (input === undefined || input === DEFAULT_DETECTOR_CONFIG) return DEFAULT_DETECTOR_CONFIG;
  return detectorConfigSchema.parse(input);
}
