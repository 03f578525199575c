import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import type { CandleWithIndicators } from '@osprey/shared';
import {
  DEFAULT_DETECTOR_CONFIG,
  detect,
  detectorConfigSchema,
  signalId,
  type DetectorConfigInput,
  type DetectorDetails,
  type DetectResult,
} from './index.js';
import { H4, M15, T0, base15m, base4h, bearish4h, bullish4h, patch, withHistogram } from './fixtures.js';

const EX = 'binance';
const SYM = 'BTC/USDT';

function run(candles15m: CandleWithIndicators[], candles4h = base4h(), config?: DetectorConfigInput): DetectResult {
  return detect({ exchange: EX, symbol: SYM, candles15m, candles4h }, config);
}

function details(r: DetectResult): DetectorDetails {
  expect(r.signal).not.toBeNull();
  return r.signal!.details as DetectorDetails;
}

describe('detect: baseline fixtures', () => {
  it('emits a LONG scored 18 (filter 10 + MACD 5 + RSI 3) with the full signal shape', () => {
    const r = run(base15m('LONG'));
    const lastTs = T0 + 99 * M15;
    expect(r.signal).toMatchObject({
      id: `det:binance:BTC/USDT:${lastTs}`,
      exchange: EX,
      symbol: SYM,
      type: 'LONG',
      score: 18,
      sizeMultiplier: 1,
      candleTs: lastTs,
      createdAt: lastTs + M15,
      expiresAt: lastTs + M15 + 4 * 3600_000,
    });
    const d = details(r);
    expect(d.score.parts).toEqual({ filter: 10, trigger: 5, rsi: 3, volume: 0, bandwidth: 0, resonance: 0 });
    expect(d.filter).toMatchObject({ mode: 'BULL', active: true, trend15m: 'UP', trend4h: 'DOWN', aligned: false, passed: true });
    expect(d.trigger).toMatchObject({ macd: 'rising', histogram: [0.1, 0.2, 0.3], direction: 'LONG', rsi7: 60 });
    expect(d.config).toEqual(DEFAULT_DETECTOR_CONFIG);
    expect(r.evaluation).toMatchObject({ emitted: true, reason: null, candleTs: lastTs });
  });

  it('emits the mirrored SHORT in BEAR', () => {
    const r = run(base15m('SHORT'));
    expect(r.signal).toMatchObject({ type: 'SHORT', score: 18, sizeMultiplier: 1 });
    expect(details(r).filter).toMatchObject({ mode: 'BEAR', trend15m: 'DOWN', aligned: true });
  });

  it('signalId is deterministic', () => {
    expect(signalId('binance', 'BTC/USDT', 1717000000000)).toBe('det:binance:BTC/USDT:1717000000000');
  });
});

describe('filter layer', () => {
  it.each([
    { close: 100.05, ema: 100, band: undefined, mode: 'NEUTRAL' },
    { close: 99.95, ema: 100, band: undefined, mode: 'NEUTRAL' },
    { close: 68, ema: 64, band: 0.0625, mode: 'NEUTRAL' }, // exactly on the band edge (exact floats): inclusive
    { close: 68.01, ema: 64, band: 0.0625, mode: 'BULL' },
    { close: 100.11, ema: 100, band: undefined, mode: 'BULL' },
    { close: 99.89, ema: 100, band: undefined, mode: 'BEAR' },
    { close: 100.15, ema: 100, band: 0.002, mode: 'NEUTRAL' },
    { close: 100.15, ema: 100, band: 0, mode: 'BULL' },
  ])('close $close vs ema_55 $ema (band $band) → $mode', ({ close, ema, band, mode }) => {
    const r = run(patch(base15m(), 0, { close, ind: { ema_55: ema } }), base4h(), band === undefined ? undefined : { neutralBand: band });
    expect(r.evaluation.filter?.mode).toBe(mode);
    if (mode === 'NEUTRAL') {
      expect(r.signal).toBeNull();
      expect(r.evaluation.reason).toBe('neutral');
      expect(r.evaluation.score?.parts.filter).toBe(0);
    }
    if (mode === 'BULL') expect(r.signal?.type).toBe('LONG');
  });

  it.each([
    { bbWidth: 0.009, active: false },
    { bbWidth: 0.0101, active: true },
  ])('bb_width $bbWidth vs 0.5 × window mean → active $active', ({ bbWidth, active }) => {
    const r = run(patch(base15m(), 0, { ind: { bb_width: bbWidth } }));
    // mean = (99 × 0.02 + bbWidth) / 100; threshold = mean × 0.5
    expect(r.evaluation.filter?.bbWidthMean).toBeCloseTo((99 * 0.02 + bbWidth) / 100, 12);
    expect(r.evaluation.filter?.active).toBe(active);
    expect(r.signal !== null).toBe(active);
    if (!active) expect(r.evaluation.reason).toBe('inactive');
  });

  it('records alignment without requiring it by default; requireAlignment gates on it', () => {
    expect(run(base15m(), base4h()).evaluation.filter?.aligned).toBe(false);
    expect(run(base15m(), bullish4h()).evaluation.filter?.aligned).toBe(true);
    const gated = run(base15m(), base4h(), { requireAlignment: true });
    expect(gated.signal).toBeNull();
    expect(gated.evaluation.reason).toBe('not_aligned');
    expect(run(base15m(), bullish4h(), { requireAlignment: true }).signal?.type).toBe('LONG');
  });

  it('uses the last closed 4h candle for trend_4h', () => {
    const h4 = patch(base4h(), 0, { close: 103 }); // last 4h close above its ema_21 (101)
    const r = run(base15m(), h4);
    expect(r.evaluation.filter).toMatchObject({ trend4h: 'UP', close4h: 103, ema21_4h: 101, candle4hTs: T0 });
  });
});

describe('trigger layer: MACD histogram rule', () => {
  it.each([
    { dir: 'LONG', h: [-0.2, -0.1, 0.05], rule: 'cross' },
    { dir: 'LONG', h: [0.3, -0.1, 0.05], rule: 'cross' }, // turn without 2-bar rise
    { dir: 'LONG', h: [0.1, 0.2, 0.3], rule: 'rising' },
    { dir: 'LONG', h: [-0.3, -0.2, -0.1], rule: 'rising' }, // keeps rising below zero
    { dir: 'LONG', h: [0.3, 0.2, 0.25], rule: null }, // rose over 1 bar only
    { dir: 'LONG', h: [0.2, 0.2, 0.3], rule: null }, // not strictly rising
    { dir: 'LONG', h: [0.1, 0, 0.05], rule: null }, // from zero is not from negative
    { dir: 'SHORT', h: [0.2, 0.1, -0.05], rule: 'cross' },
    { dir: 'SHORT', h: [-0.1, -0.2, -0.3], rule: 'rising' },
    { dir: 'SHORT', h: [0.1, 0.2, 0.3], rule: null },
  ] as const)('$dir with histogram $h → $rule', ({ dir, h, rule }) => {
    const r = run(withHistogram(base15m(dir), h));
    expect(r.evaluation.trigger?.macd).toBe(rule);
    if (rule === null) {
      expect(r.signal).toBeNull();
      expect(r.evaluation.reason).toBe('no_trigger');
      expect(r.evaluation.score?.parts.trigger).toBe(0);
    } else {
      expect(r.signal?.type).toBe(dir);
      expect(r.signal?.score).toBe(18);
    }
  });

  it('risingBars is configurable', () => {
    const c = withHistogram(base15m(), [0.3, 0.1, 0.2, 0.3]);
    expect(run(c).signal?.type).toBe('LONG'); // default: 2 bars
    expect(run(c, base4h(), { risingBars: 3 }).evaluation.reason).toBe('no_trigger');
    expect(run(withHistogram(c, [0.0, 0.1, 0.2, 0.3]), base4h(), { risingBars: 3 }).signal?.type).toBe('LONG');
  });

  it.each([
    { dir: 'LONG', rsi: 79.9, ok: true },
    { dir: 'LONG', rsi: 80, ok: false },
    { dir: 'LONG', rsi: 95, ok: false },
    { dir: 'SHORT', rsi: 20.1, ok: true },
    { dir: 'SHORT', rsi: 20, ok: false },
    { dir: 'SHORT', rsi: 5, ok: false },
  ] as const)('RSI guard: $dir with rsi_7 $rsi → ok $ok', ({ dir, rsi, ok }) => {
    const r = run(patch(base15m(dir), 0, { ind: { rsi_7: rsi } }));
    expect(r.evaluation.trigger?.rsiOk).toBe(ok);
    expect(r.signal?.type ?? null).toBe(ok ? dir : null);
    if (!ok) {
      expect(r.evaluation.reason).toBe('rsi_guard');
      expect(r.evaluation.trigger?.direction).toBeNull();
    }
  });

  it.each([
    { dir: 'LONG', rsi: 49.9, size: 2 },
    { dir: 'LONG', rsi: 50, size: 1 },
    { dir: 'LONG', rsi: 70, size: 1 },
    { dir: 'SHORT', rsi: 50.1, size: 2 },
    { dir: 'SHORT', rsi: 50, size: 1 },
    { dir: 'SHORT', rsi: 30, size: 1 },
  ] as const)('size multiplier: $dir with rsi_7 $rsi → $size', ({ dir, rsi, size }) => {
    const r = run(patch(base15m(dir), 0, { ind: { rsi_7: rsi } }));
    expect(r.signal?.sizeMultiplier).toBe(size);
  });
});

describe('confirm layer', () => {
  function sampleStd(xs: number[]): number {
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
  }

  it.each([
    { volume: 11, ok: false },
    { volume: 11.5, ok: false },
    { volume: 12, ok: true },
    { volume: 100, ok: true },
  ])('volume $volume vs mean + 1.5 × std → ok $ok', ({ volume, ok }) => {
    const c = patch(base15m(), 0, { volume });
    const vols = c.map((x) => x.volume);
    const mean = vols.reduce((a, b) => a + b, 0) / vols.length;
    expect(volume >= mean + 1.5 * sampleStd(vols)).toBe(ok); // the fixture sits on the intended side
    const r = run(c);
    expect(r.evaluation.confirm?.volumeOk).toBe(ok);
    expect(r.signal?.score).toBe(ok ? 23 : 18);
  });

  it('volume multiplier is configurable (k = 0 → volume ≥ mean)', () => {
    expect(run(base15m(), base4h(), { volumeStdMult: 0 }).evaluation.confirm?.volumeOk).toBe(true);
  });

  it.each([
    { bbWidth: 0.02, ok: false },
    { bbWidth: 0.024, ok: false }, // threshold = 1.2 × 0.02004 = 0.024048
    { bbWidth: 0.0241, ok: true },
    { bbWidth: 0.03, ok: true },
  ])('bb_width $bbWidth vs 1.2 × window mean → ok $ok', ({ bbWidth, ok }) => {
    const r = run(patch(base15m(), 0, { ind: { bb_width: bbWidth } }));
    expect(r.evaluation.confirm?.bandwidthOk).toBe(ok);
    expect(r.signal?.score).toBe(ok ? 21 : 18);
  });

  it.each([
    { name: 'bullish 4h with LONG', dir: 'LONG', h4: bullish4h, ok: true, dir4h: 'LONG' },
    { name: 'bearish 4h with SHORT', dir: 'SHORT', h4: bearish4h, ok: true, dir4h: 'SHORT' },
    { name: 'bullish 4h with SHORT', dir: 'SHORT', h4: bullish4h, ok: false, dir4h: 'LONG' },
    { name: 'bearish 4h with LONG', dir: 'LONG', h4: bearish4h, ok: false, dir4h: 'SHORT' },
    { name: 'flat 4h histogram', dir: 'LONG', h4: base4h, ok: false, dir4h: null },
    { name: 'bull 4h mode but falling histogram', dir: 'LONG', h4: () => withHistogram(bullish4h(), [0.3, 0.2, 0.1]), ok: false, dir4h: null },
  ] as const)('resonance: $name → $ok', ({ dir, h4, ok, dir4h }) => {
    const r = run(base15m(dir), h4());
    expect(r.evaluation.confirm?.resonance).toMatchObject({ enabled: true, ok, direction4h: dir4h });
    expect(r.signal?.score).toBe(ok ? 22 : 18);
  });

  it('resonance can be disabled: not scored, and a null 4h histogram does not block', () => {
    const r = run(base15m(), bullish4h(), { resonance: false });
    expect(r.signal?.score).toBe(18);
    expect(r.evaluation.confirm?.resonance.enabled).toBe(false);
    const nullHist = run(base15m(), patch(bullish4h(), 0, { ind: { histogram: null } }), { resonance: false });
    expect(nullHist.signal?.type).toBe('LONG');
  });
});

describe('score and threshold', () => {
  it('all layers on sums to 30', () => {
    const c = patch(base15m(), 0, { volume: 100, ind: { bb_width: 0.03 } });
    const r = run(c, bullish4h());
    expect(r.signal?.score).toBe(30);
    expect(details(r).score.parts).toEqual({ filter: 10, trigger: 5, rsi: 3, volume: 5, bandwidth: 3, resonance: 4 });
  });

  it.each([
    { minScore: 15, volume: 11, emitted: true },
    { minScore: 18, volume: 11, emitted: true }, // inclusive
    { minScore: 18.5, volume: 11, emitted: false },
    { minScore: 20, volume: 11, emitted: false },
    { minScore: 20, volume: 100, emitted: true }, // 18 + volume 5 = 23
  ])('minScore $minScore with last volume $volume → emitted $emitted', ({ minScore, volume, emitted }) => {
    const r = run(patch(base15m(), 0, { volume }), base4h(), { minScore });
    expect(r.signal !== null).toBe(emitted);
    expect(r.evaluation.emitted).toBe(emitted);
    if (!emitted) expect(r.evaluation.reason).toBe('score_below_min');
  });

  it('weights are configurable per field, others keep their defaults', () => {
    const r = run(patch(base15m(), 0, { volume: 100 }), base4h(), { weights: { volume: 7 } });
    expect(r.signal?.score).toBe(25);
    expect(details(r).config.weights).toEqual({ filter: 10, trigger: 5, rsi: 3, volume: 7, bandwidth: 3, resonance: 4 });
  });

  it('no trigger direction → no signal even when the score would pass', () => {
    const c = withHistogram(patch(base15m(), 0, { volume: 100, ind: { bb_width: 0.03 } }), [0.3, 0.2, 0.1]);
    const r = run(c, bullish4h(), { minScore: 0 });
    expect(r.evaluation.score?.total).toBe(25); // filter 10 + rsi 3 + volume 5 + bandwidth 3 + resonance 4
    expect(r.signal).toBeNull();
    expect(r.evaluation.reason).toBe('no_trigger');
  });
});

describe('timing', () => {
  it('expires 4 h after the candle close by default, configurable', () => {
    const ts = T0 + 99 * M15;
    expect(run(base15m()).signal).toMatchObject({ candleTs: ts, createdAt: ts + M15, expiresAt: ts + M15 + 4 * 3600_000 });
    expect(run(base15m(), base4h(), { expiryMs: 3600_000 }).signal?.expiresAt).toBe(ts + M15 + 3600_000);
  });

  it('ignores trailing 4h candles not closed at the 15m close', () => {
    const lastClose = T0 + 100 * M15; // T0 + 25h
    // 4h candle opening at T0 + 24h closes at T0 + 28h > lastClose: still forming
    const forming = { ts: T0 + 24 * 3600_000, open: 1, high: 1, low: 1, close: 1, volume: 1, ind: { ema_21: null, histogram: null } };
    const closedAtEdge = { ...bullish4h().at(-1)!, ts: lastClose - H4 };
    const h4 = [...bullish4h().slice(1), closedAtEdge, forming];
    const r = run(base15m(), h4);
    expect(r.evaluation.counts).toEqual({ candles15m: 100, candles4h: 60, ignored4h: 1 });
    expect(r.evaluation.filter?.candle4hTs).toBe(lastClose - H4); // closed exactly at the 15m close: used
    expect(r.signal?.type).toBe('LONG');
  });
});

describe('missing data never throws', () => {
  it.each([
    { name: 'ema_55 null', c: () => patch(base15m(), 0, { ind: { ema_55: null } }), h4: base4h, reason: 'missing_indicators', missing: '15m.ema_55' },
    { name: 'rsi_7 absent', c: () => patch(base15m(), 0, { ind: { rsi_7: undefined } }), h4: base4h, reason: 'missing_indicators', missing: '15m.rsi_7' },
    { name: 'histogram[t-2] null', c: () => patch(base15m(), 2, { ind: { histogram: null } }), h4: base4h, reason: 'missing_indicators', missing: '15m.histogram[-3]' },
    { name: 'bb_width NaN earlier in window', c: () => patch(base15m(), 50, { ind: { bb_width: Number.NaN } }), h4: base4h, reason: 'missing_indicators', missing: '15m.bb_width (1 earlier in window)' },
    { name: '4h ema_21 null', c: base15m, h4: () => patch(base4h(), 0, { ind: { ema_21: null } }), reason: 'missing_indicators', missing: '4h.ema_21' },
    { name: '4h histogram null', c: base15m, h4: () => patch(base4h(), 1, { ind: { histogram: null } }), reason: 'missing_indicators', missing: '4h.histogram[-2]' },
    { name: '99 15m candles', c: () => base15m('LONG', 99), h4: base4h, reason: 'insufficient_15m', missing: undefined },
    { name: 'no 15m candles', c: () => [], h4: base4h, reason: 'insufficient_15m', missing: undefined },
    { name: '59 4h candles', c: base15m, h4: () => base4h(59), reason: 'insufficient_4h', missing: undefined },
    { name: 'no 4h candles', c: base15m, h4: () => [], reason: 'insufficient_4h', missing: undefined },
  ])('$name → no signal ($reason)', ({ c, h4, reason, missing }) => {
    const r = run(c(), h4());
    expect(r.signal).toBeNull();
    expect(r.evaluation).toMatchObject({ emitted: false, reason });
    if (missing) expect(r.evaluation.missing).toContain(missing);
  });

  it('uses only the last window15m candles (older nulls are out of the window)', () => {
    const older = base15m('LONG', 20).map((b) => ({ ...b, ts: b.ts - 20 * M15, ind: {} }));
    const r = run([...older, ...base15m()]);
    expect(r.signal?.score).toBe(18);
  });
});

describe('config', () => {
  it('defaults are the quant seed values', () => {
    expect(DEFAULT_DETECTOR_CONFIG).toEqual({
      window15m: 100,
      window4h: 60,
      neutralBand: 0.001,
      activeBandwidthRatio: 0.5,
      requireAlignment: false,
      risingBars: 2,
      rsiLongMax: 80,
      rsiShortMin: 20,
      sizeBoostRsi: 50,
      sizeBoostMultiplier: 2,
      volumeStdMult: 1.5,
      confirmBandwidthRatio: 1.2,
      resonance: true,
      weights: { filter: 10, trigger: 5, rsi: 3, volume: 5, bandwidth: 3, resonance: 4 },
      minScore: 15,
      expiryMs: 4 * 3600_000,
    });
  });

  function issuePaths(input: unknown): string[] {
    const res = detectorConfigSchema.safeParse(input);
    expect(res.success).toBe(false);
    return res.error!.issues.map((i) => [...i.path.map(String), ...('keys' in i ? i.keys : [])].join('.'));
  }

  it.each([
    { input: { minScore: -1 }, field: 'minScore' },
    { input: { neutralBand: 0.5 }, field: 'neutralBand' },
    { input: { window15m: 10.5 }, field: 'window15m' },
    { input: { rsiLongMax: 101 }, field: 'rsiLongMax' },
    { input: { weights: { volume: 'x' } }, field: 'weights.volume' },
    { input: { weights: { bogus: 1 } }, field: 'weights.bogus' },
    { input: { bogus: 1 }, field: 'bogus' },
    { input: { window4h: 3, risingBars: 4 }, field: 'window4h' },
    { input: { expiryMs: 0 }, field: 'expiryMs' },
  ])('rejects $input naming $field', ({ input, field }) => {
    expect(issuePaths(input)).toContain(field);
  });

  it('detect throws a ZodError naming the field on bad config', () => {
    expect(() => run(base15m(), base4h(), { rsiShortMin: -5 })).toThrow(ZodError);
    expect(() => run(base15m(), base4h(), { rsiShortMin: -5 })).toThrow(/rsiShortMin/);
  });
});
