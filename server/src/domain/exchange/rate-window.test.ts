import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RATE_WINDOW,
  backoffDelay,
  decideNext,
  nextSendAt,
  pickNext,
  pruneSent,
  recordWait,
  shouldRetry,
  validateBackoff,
  validateRateWindow,
  type QueuedRequest,
  type RateWindowConfig,
} from './rate-window.js';

const cfg: RateWindowConfig = { maxRequests: 3, windowMs: 1_000, minSpacingMs: 100, maxInFlight: 2 };
const q = (seq: number, priority: 1 | 2 | 3, notBefore = 0): QueuedRequest => ({ seq, priority, notBefore });

describe('nextSendAt', () => {
  it('sends at once when nothing was sent', () => {
    expect(nextSendAt([], 5_000, cfg)).toBe(5_000);
  });

  it('keeps the minimum spacing after the last send', () => {
    expect(nextSendAt([5_000], 5_030, cfg)).toBe(5_100);
    expect(nextSendAt([5_000], 5_100, cfg)).toBe(5_100);
    expect(nextSendAt([5_000], 5_250, cfg)).toBe(5_250);
  });

  it('waits for the oldest send of a full window to leave it', () => {
    // 3 sends at 0, 100, 200: the 4th may go at 1000 (the one at 0 leaves the window (t−1000, t])
    expect(nextSendAt([0, 100, 200], 300, cfg)).toBe(1_000);
    expect(nextSendAt([0, 100, 200, 1_000], 1_050, cfg)).toBe(1_100); // spacing and window (100 + 1000) agree
    expect(nextSendAt([0, 100, 200, 1_000], 1_150, cfg)).toBe(1_150);
  });

  it('reproduces the seed default of 10 per 2 s, 200 ms apart', () => {
    const sent: number[] = [];
    let now = 0;
    for (let i = 0; i < 25; i++) {
      now = nextSendAt(sent, now, DEFAULT_RATE_WINDOW);
      sent.push(now);
    }
    // spacing dominates (10 sends take 1.8 s < 2 s): every 200 ms
    expect(sent.slice(0, 12)).toEqual([0, 200, 400, 600, 800, 1_000, 1_200, 1_400, 1_600, 1_800, 2_000, 2_200]);
    for (let i = 10; i < sent.length; i++) expect(sent[i]! - sent[i - 10]!).toBeGreaterThanOrEqual(2_000);
  });

  it('with no spacing, bursts up to the window then waits', () => {
    const burst: RateWindowConfig = { ...cfg, minSpacingMs: 0 };
    const sent: number[] = [];
    for (let i = 0; i < 7; i++) sent.push(nextSendAt(sent, 0, burst));
    expect(sent).toEqual([0, 0, 0, 1_000, 1_000, 1_000, 2_000]);
  });
});

describe('pruneSent', () => {
  it('keeps only what can still delay a send', () => {
    expect(pruneSent([0, 100, 200, 300, 400], 1_350, cfg)).toEqual([400]);
    expect(pruneSent([0, 100, 200, 300, 400], 1_250, cfg)).toEqual([300, 400]);
    expect(pruneSent([], 10, cfg)).toEqual([]);
    // pruning never changes the decision
    const sent = [0, 100, 200, 900, 950];
    for (const now of [950, 1_000, 1_100, 1_500, 2_000]) {
      expect(nextSendAt(pruneSent(sent, now, cfg), now, cfg)).toBe(nextSendAt(sent, now, cfg));
    }
  });
});

describe('pickNext', () => {
  it('prefers stop-loss over trade over query, FIFO within a priority', () => {
    expect(pickNext([q(1, 3), q(2, 2), q(3, 3), q(4, 2)], 0)?.seq).toBe(2);
    expect(pickNext([q(1, 3), q(2, 2), q(5, 1), q(4, 2)], 0)?.seq).toBe(5);
    expect(pickNext([q(7, 3), q(3, 3)], 0)?.seq).toBe(3);
  });

  it('skips entries still backing off', () => {
    expect(pickNext([q(1, 1, 500), q(2, 3)], 100)?.seq).toBe(2);
    expect(pickNext([q(1, 1, 500), q(2, 3)], 500)?.seq).toBe(1);
    expect(pickNext([q(1, 1, 500)], 499)).toBeUndefined();
  });
});

describe('decideNext', () => {
  it('is idle on an empty queue and blocked at the in-flight cap', () => {
    expect(decideNext({ queue: [], sentAt: [], inFlight: 0 }, 0, cfg)).toEqual({ kind: 'idle' });
    expect(decideNext({ queue: [q(1, 1)], sentAt: [], inFlight: 2 }, 0, cfg)).toEqual({ kind: 'blocked' });
  });

  it('sends the best eligible entry when the window allows', () => {
    expect(decideNext({ queue: [q(1, 3), q(2, 1)], sentAt: [], inFlight: 1 }, 0, cfg)).toEqual({ kind: 'send', item: q(2, 1) });
  });

  it('waits for the window, or for the earliest backoff to end', () => {
    expect(decideNext({ queue: [q(1, 3)], sentAt: [0], inFlight: 0 }, 40, cfg)).toEqual({ kind: 'wait', until: 100 });
    expect(decideNext({ queue: [q(1, 3, 700), q(2, 2, 400)], sentAt: [], inFlight: 0 }, 0, cfg)).toEqual({ kind: 'wait', until: 400 });
  });
});

describe('backoff and retry policy', () => {
  it('doubles from the base up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((r) => backoffDelay(r))).toEqual([500, 1_000, 2_000, 4_000, 8_000, 8_000]);
    expect([1, 2, 3].map((r) => backoffDelay(r, { baseMs: 10, factor: 3, maxMs: 50 }))).toEqual([10, 30, 50]);
    expect(() => backoffDelay(0)).toThrow(/retry/);
  });

  it('retries only retryable errors, at most maxRetries times', () => {
    expect(shouldRetry(true, 0, 3)).toBe(true);
    expect(shouldRetry(true, 2, 3)).toBe(true);
    expect(shouldRetry(true, 3, 3)).toBe(false);
    expect(shouldRetry(false, 0, 3)).toBe(false);
  });

  it('validates configuration naming the field', () => {
    expect(() => validateRateWindow({ ...cfg, maxRequests: 0 })).toThrow(/maxRequests/);
    expect(() => validateRateWindow({ ...cfg, minSpacingMs: -1 })).toThrow(/minSpacingMs/);
    expect(() => validateRateWindow({ ...cfg, maxInFlight: 1.5 })).toThrow(/maxInFlight/);
    expect(() => validateBackoff({ baseMs: 10, factor: 0.5, maxMs: 100 })).toThrow(/factor/);
    expect(() => validateBackoff({ baseMs: 10, factor: 2, maxMs: 5 })).toThrow(/maxMs/);
    expect(validateRateWindow(cfg)).toBe(cfg);
  });

  it('accumulates wait statistics', () => {
    let s = { count: 0, totalMs: 0, maxMs: 0 };
    for (const w of [0, 300, 100]) s = recordWait(s, w);
    expect(s).toEqual({ count: 3, totalMs: 400, maxMs: 300 });
  });
});
