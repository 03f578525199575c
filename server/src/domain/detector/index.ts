/** 3-layer market detector (filter → trigger → confirm, scored). Pure domain code. */
export {
  detectorConfigSchema,
  parseDetectorConfig,
  DEFAULT_DETECTOR_CONFIG,
  type DetectorConfig,
  type DetectorConfigInput,
} from './config.js';
export {
  detect,
  signalId,
  type DetectorInput,
  type DetectResult,
  type DetectorEvaluation,
  type DetectorDetails,
  type FilterOutcome,
  type TriggerOutcome,
  type ConfirmOutcome,
  type ResonanceOutcome,
  type ScoreOutcome,
  type MarketMode,
  type Trend,
  type MacdRule,
  type NoSignalReason,
} from './detector.js';
export { detectHistory } from './history.js';
