import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import type { Candle, CandleWithIndicators, MarketSignal, Timeframe } from '@osprey/shared';
import { computeIndicators } from '../indicators/index.js';
import { detect, detectHistory, type DetectorDetails } from './index.js';
import { H4, M15, T0, bar } from './fixtures.js';

const EX = 'binance';
const SYM = 'BTC/USDT';

/** 15m series (open times T0 + i × 15m) that gives a LONG scored 18 at every candle once warmed up. */
function bullish15m(n: number): CandleWithIndicators[] {
  return Array.from({ length: n }, (_, i) =>
    bar(T0 + i * M15, 100, i % 2 ? 11 : 9, { ema_55: 99, bb_width: 0.02, rsi_7: 60, histogram: 0.001 * i }),
  );
}

/**
 * 4h series from T0 − 60 × 4h to T0 + 40 × 4h (past the 15m data, so forming candles exist), BULL
 * (close 102 vs ema_21 101), histogram −1 except +1 on the candle opening at `spike`: the 4h trigger
 * (zero-line turn) fires only while that candle is the last closed one.
 */
function spiked4h(spike: number): CandleWithIndicators[] {
  return Array.from({ length: 100 }, (_, k) => {
    const ts = T0 + (k - 60) * H4;
    return bar(ts, 102, 1000, { ema_21: 101, histogram: ts === spike ? 1 : -1 });
  });
}

function details(s: MarketSignal): DetectorDetails {
  return s.details as DetectorDetails;
}

/** Reference: the detector at each 15m close with windows found by brute-force filtering (quadratic). */
function bruteForce(s15: CandleWithIndicators[], s4: CandleWithIndicators[], from: number, to: number): MarketSignal[] {
  const out: MarketSignal[] = [];
  for (const c of s15) {
    if (c.ts < from || c.ts > to) continue;
    const candles15m = s15.filter((x) => x.ts <= c.ts).slice(-100);
    const candles4h = s4.filter((x) => x.ts + H4 <= c.ts + M15).slice(-60);
    const { signal } = detect({ exchange: EX, symbol: SYM, candles15m, candles4h });
    if (signal) out.push(signal);
  }
  return out;
}

describe('detectHistory', () => {
  it('walks [from, to] inclusively, in time order, one signal per emitting close', () => {
    const s15 = bullish15m(300);
    const sig = detectHistory(EX, SYM, s15, spiked4h(0), T0 + 150 * M15, T0 + 160 * M15);
    expect(sig.map((s) => s.candleTs)).toEqual(Array.from({ length: 11 }, (_, k) => T0 + (150 + k) * M15));
    expect(sig.every((s) => s.type === 'LONG' && s.score === 18)).toBe(true);
    expect(new Set(sig.map((s) => s.id)).size).toBe(11);
    // unaligned bounds: from just after a candle's open skips it; to just before the next open includes it
    const mid = detectHistory(EX, SYM, s15, spiked4h(0), T0 + 150 * M15 + 1, T0 + 152 * M15 + M15 - 1);
    expect(mid.map((s) => s.candleTs)).toEqual([T0 + 151 * M15, T0 + 152 * M15]);
  });

  it('gives no signal (and does not throw) before 100 15m candles exist', () => {
    const sig = detectHistory(EX, SYM, bullish15m(300), spiked4h(0), T0 - 10 * H4, T0 + 120 * M15);
    expect(sig[0]?.candleTs).toBe(T0 + 99 * M15);
    expect(sig).toHaveLength(22); // candles 99 … 120
  });

  it('uses only 4h candles closed at or before the 15m close (no look-ahead)', () => {
    const spike = T0 + 8 * H4; // 4h candle [T0+32h, T0+36h) with the histogram turn
    const s15 = bullish15m(600);
    // minScore 19: only resonance (18 + 4) can emit
    const sig = detectHistory(EX, SYM, s15, spiked4h(spike), T0, T0 + 600 * M15, { minScore: 19 });
    // closed at spike + 4h: the 15m candle opening at spike + 3h45 (closing exactly then) is the first to see it,
    // and the one closing at spike + 8h already sees the next 4h candle.
    const expected = Array.from({ length: 16 }, (_, k) => spike + H4 - M15 + k * M15);
    expect(sig.map((s) => s.candleTs)).toEqual(expected);
    for (const s of sig) {
      expect(s.score).toBe(22);
      expect(details(s).filter.candle4hTs).toBe(spike);
      expect(details(s).confirm.resonance.ok).toBe(true);
    }
  });

  it('every evaluation sees the latest 4h candle closed by its 15m close', () => {
    const sig = detectHistory(EX, SYM, bullish15m(600), spiked4h(0), T0, T0 + 600 * M15);
    expect(sig.length).toBeGreaterThan(400);
    for (const s of sig) {
      const h4 = details(s).filter.candle4hTs;
      expect(h4 + H4).toBeLessThanOrEqual(s.createdAt);
      expect(h4 + 2 * H4).toBeGreaterThan(s.createdAt);
    }
  });

  it('matches detect on brute-force windows for varied data', () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const s15 = Array.from({ length: 500 }, (_, i) =>
      bar(T0 + i * M15, 100, 5 + 10 * rnd() ** 4, {
        ema_55: 99 + 2 * rnd(),
        bb_width: 0.01 + 0.02 * rnd(),
        rsi_7: 10 + 80 * rnd(),
        histogram: rnd() - 0.5,
      }),
    );
    const s4 = Array.from({ length: 120 }, (_, k) =>
      bar(T0 + (k - 70) * H4, 100 + 2 * (rnd() - 0.5), 1000, { ema_21: 100, histogram: rnd() - 0.5 }),
    );
    const from = T0 + 50 * M15;
    const to = T0 + 480 * M15;
    const got = detectHistory(EX, SYM, s15, s4, from, to);
    expect(got.length).toBeGreaterThan(10);
    expect(got.length).toBeLessThan(380);
    expect(got).toEqual(bruteForce(s15, s4, from, to));
  });

  it('rejects a bad config with a ZodError naming the field', () => {
    expect(() => detectHistory(EX, SYM, [], [], 0, 1, { window15m: 2 })).toThrow(ZodError);
    expect(() => detectHistory(EX, SYM, [], [], 0, 1, { window15m: 2 })).toThrow(/window15m/);
  });
});

function loadWithIndicators(sym: string, tf: Timeframe): CandleWithIndicators[] {
  const path = fileURLToPath(new URL(`../../../assets/market/BINANCE_${sym}-USDT_${tf}.csv`, import.meta.url));
  const candles: Candle[] = readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [ts, open, high, low, close, volume] = line.split(',').map(Number) as [number, number, number, number, number, number];
      return { ts, open, high, low, close, volume };
    });
  const ind = computeIndicators(candles, tf);
  return candles.map((c, i) => ({ ...c, ind: ind[i]! }));
}

describe('detectHistory on real data (BTC/USDT, indicators from computeIndicators)', () => {
  it('emits well-formed, look-ahead-free signals for March 2024', () => {
    const s15 = loadWithIndicators('BTC', '15m');
    const s4 = loadWithIndicators('BTC', '4h');
    const from = Date.UTC(2024, 2, 1);
    const to = Date.UTC(2024, 3, 1) - M15;
    const sig = detectHistory(EX, SYM, s15, s4, from, to);

    expect(sig.length).toBeGreaterThan(5);
    expect(sig.length).toBeLessThan(31 * 96); // not every candle
    for (let k = 0; k < sig.length; k++) {
      const s = sig[k]!;
      const d = details(s);
      if (k > 0) expect(s.candleTs).toBeGreaterThan(sig[k - 1]!.candleTs);
      expect(s.candleTs).toBeGreaterThanOrEqual(from);
      expect(s.candleTs).toBeLessThanOrEqual(to);
      expect(s.score).toBeGreaterThanOrEqual(18);
      expect(s.score).toBeLessThanOrEqual(30);
      expect(d.filter.mode).toBe(s.type === 'LONG' ? 'BULL' : 'BEAR');
      expect(s.type === 'LONG' ? d.trigger.rsi7 < 80 : d.trigger.rsi7 > 20).toBe(true);
      expect(d.filter.candle4hTs + H4).toBeLessThanOrEqual(s.createdAt);
      expect(d.filter.candle4hTs + 2 * H4).toBeGreaterThan(s.createdAt);
    }
    // history mode agrees with a live-style call for the first and last signals
    for (const s of [sig[0]!, sig.at(-1)!]) {
      const i = s15.findIndex((c) => c.ts === s.candleTs);
      const candles4h = s4.filter((c) => c.ts + H4 <= s.createdAt).slice(-60);
      expect(detect({ exchange: EX, symbol: SYM, candles15m: s15.slice(i - 99, i + 1), candles4h }).signal).toEqual(s);
    }
  });
});
