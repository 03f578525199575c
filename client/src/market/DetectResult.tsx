import type { MarketSignal } from '@osprey/shared';
import { useI18n, type MessageKey } from '../lib/i18n.js';
import { formatDateTimeShort } from '../lib/time.js';

/** Detector no-signal reasons the UI can translate (see the server's `NoSignalReason`). */
const KNOWN_REASONS = new Set([
  'insufficient_15m',
  'insufficient_4h',
  'missing_indicators',
  'inactive',
  'neutral',
  'not_aligned',
  'no_trigger',
  'rsi_guard',
  'score_below_min',
]);

/** The parts of a detector evaluation shown to the user; each null when absent or malformed. */
export interface EvaluationSummary {
  reason: string | null;
  candleTs: number | null;
  score: { total: number; min: number } | null;
  missing: string[];
}

/** Reads the displayable fields out of `market.detectNow`'s free-form `evaluation` record. */
export function summarizeEvaluation(evaluation: Record<string, unknown>): EvaluationSummary {
  const score = evaluation.score;
  let scoreOut: EvaluationSummary['score'] = null;
  if (score && typeof score === 'object' && 'total' in score && 'minScore' in score) {
    const { total, minScore } = score;
    if (typeof total === 'number' && typeof minScore === 'number') scoreOut = { total, min: minScore };
  }
  return {
    reason: typeof evaluation.reason === 'string' ? evaluation.reason : null,
    candleTs: typeof evaluation.candleTs === 'number' ? evaluation.candleTs : null,
    score: scoreOut,
    missing: Array.isArray(evaluation.missing) ? evaluation.missing.filter((m): m is string => typeof m === 'string') : [],
  };
}

/** Result panel of "Detect now": the emitted signal, or "No signal" with the detector's reason. */
export function DetectResult({ result }: { result: { signal: MarketSignal | null; evaluation: Record<string, unknown> } }) {
  const { t } = useI18n();
  const { signal } = result;
  const ev = summarizeEvaluation(result.evaluation);
  const reason = ev.reason ? (KNOWN_REASONS.has(ev.reason) ? t(`reason.${ev.reason}` as MessageKey) : ev.reason) : null;
  return (
    <div className={`detect-result ${signal ? `detect-${signal.type.toLowerCase()}` : 'detect-none'}`} data-testid="detect-result" data-signal={signal ? signal.type : 'none'}>
      <div className="detect-head">
        {signal ? (
          <span className={`dir dir-${signal.type.toLowerCase()}`}>
            {signal.type === 'LONG' ? '▲' : '▼'} {t('market.detectSignal', { type: t(`signals.${signal.type}`), score: signal.score, mult: signal.sizeMultiplier })}
          </span>
        ) : (
          <span className="detect-none-title">{t('market.detectNone')}</span>
        )}
      </div>
      {!signal && reason && <div className="detect-line">{t('market.detectReason', { reason })}</div>}
      {ev.score && <div className="detect-line muted">{t('market.detectScore', { total: ev.score.total, min: ev.score.min })}</div>}
      {ev.candleTs !== null && <div className="detect-line muted">{t('market.detectCandle', { time: formatDateTimeShort(ev.candleTs) })}</div>}
      {ev.missing.length > 0 && <div className="detect-line muted">{t('market.detectMissing', { list: ev.missing.join(', ') })}</div>}
    </div>
  );
}
