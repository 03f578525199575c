/**
 * Toasts for live detector signals (pure, tested): signals arriving together — one 15m close raises one per
 * symbol — are collected for a short window and shown as one toast (`5 new signals: BTC/USDT LONG 18, …`)
 * instead of one toast each.
 */
import type { MarketSignal } from '@osprey/shared';
import type { MessageKey, MessageParams } from '../lib/i18n.js';
import type { ToastKind } from '../lib/toast.js';

/** A toast to show: kind, message id and parameters (as `showToast` takes them). */
export interface ToastSpec {
  kind: ToastKind;
  key: MessageKey;
  params: MessageParams;
}

/** Signals named in a grouped toast; the others are summed up as `…`. */
export const GROUP_LISTED = 4;

/** `BTC/USDT LONG 18`: a signal as listed in a grouped toast. */
export function signalLabel(s: Pick<MarketSignal, 'symbol' | 'type' | 'score'>): string {
  return `${s.symbol} ${s.type} ${s.score}`;
}

/**
 * The toast for a burst of signals (oldest first as received): one signal → `toast.newSignal` (`New LONG
 * signal BTC/USDT score 18`); several → `toast.newSignals` with the count and the first
 * {@link GROUP_LISTED} as `BTC/USDT LONG 18, ETH/USDT SHORT 22, …`. The kind is `long` / `short` when
 * every signal has that direction, else `info`. Null for no signals.
 */
export function signalToast(signals: readonly Pick<MarketSignal, 'symbol' | 'type' | 'score'>[]): ToastSpec | null {
  const first = signals[0];
  if (!first) return null;
  const kind: ToastKind = signals.every((s) => s.type === 'LONG') ? 'long' : signals.every((s) => s.type === 'SHORT') ? 'short' : 'info';
  if (signals.length === 1) return { kind, key: 'toast.newSignal', params: { type: first.type, symbol: first.symbol, score: first.score } };
  const listed = signals.slice(0, GROUP_LISTED).map(signalLabel);
  const list = signals.length > GROUP_LISTED ? `${listed.join(', ')}, …` : listed.join(', ');
  return { kind, key: 'toast.newSignals', params: { count: signals.length, list } };
}

/** Timer functions a batcher uses (injectable for tests). */
export interface BatchTimers {
  set: (fn: () => void, ms: number) => unknown;
  clear: (handle: unknown) => void;
}

/** Quiet time after the last signal before a burst is shown (ms). */
export const SIGNAL_BATCH_MS = 600;
/** Longest a signal waits for its burst to end (ms). */
export const SIGNAL_BATCH_MAX_MS = 2000;

/**
 * Collects signals into bursts: `add` queues a signal (ignoring an id already seen), and once no signal
 * came for `quietMs` — or `maxMs` after the burst's first — `flush` receives the burst in arrival order.
 * `dispose` drops a pending burst.
 */
export function createSignalBatcher(
  flush: (signals: MarketSignal[]) => void,
  opts: { quietMs?: number; maxMs?: number; timers?: BatchTimers; now?: () => number } = {},
) {
  const quietMs = opts.quietMs ?? SIGNAL_BATCH_MS;
  const maxMs = opts.maxMs ?? SIGNAL_BATCH_MAX_MS;
  const timers: BatchTimers = opts.timers ?? { set: (fn, ms) => setTimeout(fn, ms), clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>) };
  const now = opts.now ?? (() => Date.now());
  const seen = new Set<string>();
  let pending: MarketSignal[] = [];
  let startedAt = 0;
  let timer: unknown = null;

  const fire = () => {
    timer = null;
    const burst = pending;
    pending = [];
    if (burst.length) flush(burst);
  };

  return {
    add(signal: MarketSignal): void {
      if (seen.has(signal.id)) return;
      seen.add(signal.id);
      if (pending.length === 0) startedAt = now();
      pending.push(signal);
      if (timer !== null) timers.clear(timer);
      const wait = Math.max(0, Math.min(quietMs, startedAt + maxMs - now()));
      timer = timers.set(fire, wait);
    },
    dispose(): void {
      if (timer !== null) timers.clear(timer);
      timer = null;
      pending = [];
    },
  };
}
