import { describe, expect, it } from 'vitest';
import type { MarketSignal } from '@osprey/shared';
import { createSignalBatcher, signalToast, type BatchTimers } from './signal-toasts.js';

const sig = (id: string, symbol: string, type: 'LONG' | 'SHORT', score: number): MarketSignal => ({
  id, exchange: 'binance', symbol, type, score, sizeMultiplier: 1, candleTs: 0, createdAt: 900_000, expiresAt: 2_000_000, details: {},
});

describe('signalToast', () => {
  it('keeps the single-signal toast for one signal', () => {
    expect(signalToast([sig('a', 'BTC/USDT', 'LONG', 18)])).toEqual({ kind: 'long', key: 'toast.newSignal', params: { type: 'LONG', symbol: 'BTC/USDT', score: 18 } });
  });

  it('groups a burst into one toast naming the first four', () => {
    const burst = [
      sig('a', 'BTC/USDT', 'LONG', 18),
      sig('b', 'ETH/USDT', 'SHORT', 22),
      sig('c', 'SOL/USDT', 'LONG', 25),
      sig('d', 'XRP/USDT', 'LONG', 18),
      sig('e', 'DOGE/USDT', 'SHORT', 30),
    ];
    expect(signalToast(burst)).toEqual({
      kind: 'info',
      key: 'toast.newSignals',
      params: { count: 5, list: 'BTC/USDT LONG 18, ETH/USDT SHORT 22, SOL/USDT LONG 25, XRP/USDT LONG 18, …' },
    });
    expect(signalToast(burst.slice(0, 2).map((s) => ({ ...s, type: 'SHORT' as const })))).toEqual({
      kind: 'short',
      key: 'toast.newSignals',
      params: { count: 2, list: 'BTC/USDT SHORT 18, ETH/USDT SHORT 22' },
    });
    expect(signalToast([])).toBeNull();
  });

  it('reads "5 new signals: BTC/USDT LONG 18, …" once translated', async () => {
    const { translate } = await import('../lib/i18n.js');
    const spec = signalToast(['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'XRP/USDT', 'BNB/USDT'].map((s, i) => sig(String(i), s, 'LONG', 18)))!;
    expect(translate('en', spec.key, spec.params)).toBe('5 new signals: BTC/USDT LONG 18, ETH/USDT LONG 18, SOL/USDT LONG 18, XRP/USDT LONG 18, …');
    expect(translate('zh', spec.key, spec.params)).toBe('5 个新信号：BTC/USDT LONG 18, ETH/USDT LONG 18, SOL/USDT LONG 18, XRP/USDT LONG 18, …');
  });
});

describe('createSignalBatcher', () => {
  /** Manual clock and timers. */
  function fakeTimers() {
    let now = 0;
    let next: { fn: () => void; at: number; id: number } | null = null;
    let ids = 0;
    const timers: BatchTimers = {
      set: (fn, ms) => {
        next = { fn, at: now + ms, id: ++ids };
        return ids;
      },
      clear: (h) => {
        if (next?.id === h) next = null;
      },
    };
    const advance = (ms: number) => {
      now += ms;
      if (next && next.at <= now) {
        const n = next;
        next = null;
        n.fn();
      }
    };
    return { timers, now: () => now, advance };
  }

  it('flushes a burst once after a quiet spell, skipping repeated ids', () => {
    const t = fakeTimers();
    const bursts: string[][] = [];
    const b = createSignalBatcher((s) => bursts.push(s.map((x) => x.id)), { quietMs: 600, maxMs: 2000, timers: t.timers, now: t.now });
    b.add(sig('a', 'BTC/USDT', 'LONG', 18));
    t.advance(100);
    b.add(sig('b', 'ETH/USDT', 'LONG', 18));
    b.add(sig('a', 'BTC/USDT', 'LONG', 18));
    t.advance(500);
    expect(bursts).toEqual([]);
    t.advance(100);
    expect(bursts).toEqual([['a', 'b']]);
    b.add(sig('c', 'SOL/USDT', 'SHORT', 20));
    t.advance(600);
    expect(bursts).toEqual([['a', 'b'], ['c']]);
  });

  it('does not hold a steady trickle longer than maxMs', () => {
    const t = fakeTimers();
    const bursts: number[] = [];
    const b = createSignalBatcher((s) => bursts.push(s.length), { quietMs: 600, maxMs: 2000, timers: t.timers, now: t.now });
    for (let i = 0; i < 10; i++) {
      b.add(sig(String(i), 'BTC/USDT', 'LONG', 18));
      t.advance(400);
    }
    expect(bursts[0]).toBe(5); // those of 0, 400, … 1600 ms: flushed at the 2 s cap, not after the trickle
  });

  it('drops a pending burst on dispose', () => {
    const t = fakeTimers();
    const bursts: number[] = [];
    const b = createSignalBatcher((s) => bursts.push(s.length), { timers: t.timers, now: t.now });
    b.add(sig('a', 'BTC/USDT', 'LONG', 18));
    b.dispose();
    t.advance(5000);
    expect(bursts).toEqual([]);
  });
});
