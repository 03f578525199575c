import { TIMEFRAME_MS, type Candle, type Timeframe } from '@osprey/shared';
import { bucketStart } from './candles.js';

/**
 * The candle as it would have looked part-way through its period, for replaying history as if live.
 * Price walks the conventional OHLC path in three equal legs: open → low → high → close for a
 * rising candle, open → high → low → close for a falling one (the path backtesters assume);
 * high/low are the extremes reached so far and volume accrues linearly. At `fraction` 1 the
 * result equals the candle.
 * @param c the full candle
 * @param fraction elapsed share of the period, clamped to [0, 1]
 */
export function formingCandle(c: Candle, fraction: number): Candle {
  const f = Math.min(1, Math.max(0, fraction));
  if (f >= 1) return { ...c };
  const rising = c.close >= c.open;
  const path = rising ? [c.open, c.low, c.high, c.close] : [c.open, c.high, c.low, c.close];
  const pos = f * 3;
  const leg = Math.min(2, Math.floor(pos));
  const from = path[leg]!;
  const to = path[leg + 1]!;
  const price = from + (to - from) * (pos - leg);
  let high = Math.max(c.open, price);
  let low = Math.min(c.open, price);
  for (let i = 1; i <= leg; i++) {
    high = Math.max(high, path[i]!);
    low = Math.min(low, path[i]!);
  }
  return { ts: c.ts, open: c.open, high, low, close: price, volume: c.volume * f };
}

/**
 * Merges 15m candles (closed ones plus an optional forming one) of a higher-timeframe bucket into that
 * bucket's candle. Returns null when there is nothing in the bucket yet.
 * @param parts ascending 15m candles, all inside the bucket starting at `bucketTs`
 */
export function mergeIntoBucket(bucketTs: number, parts: readonly Candle[]): Candle | null {
  const first = parts[0];
  if (!first) return null;
  let high = first.high;
  let low = first.low;
  let volume = 0;
  for (const p of parts) {
    if (p.high > high) high = p.high;
    if (p.low < low) low = p.low;
    volume += p.volume;
  }
  return { ts: bucketTs, open: first.open, high, low, close: parts[parts.length - 1]!.close, volume };
}

/** A candle event produced by stepping the replay. */
export interface ReplayEvent {
  symbol: string;
  timeframe: Timeframe;
  candle: Candle;
  closed: boolean;
}

/**
 * Replays one symbol's 15m history and derives every higher timeframe from it, so 15m, 1h, 4h and 1d
 * stay consistent. Pure: the caller supplies the simulated time.
 */
export class SymbolReplay {
  private idx: number;
  /**
   * @param symbol ccxt symbol
   * @param base ascending closed 15m candles (must cover the replay range)
   * @param timeframes higher timeframes to derive (15m is always produced)
   * @param startAt simulated start time (Unix ms); candles closed before it count as history
   */
  constructor(
    readonly symbol: string,
    private readonly base: readonly Candle[],
    private readonly timeframes: readonly Timeframe[],
    startAt: number,
  ) {
    const len = TIMEFRAME_MS['15m'];
    this.idx = base.findIndex((c) => c.ts + len > startAt);
    if (this.idx < 0) this.idx = base.length;
  }

  /** True when every stored candle has closed. */
  get ended(): boolean {
    return this.idx >= this.base.length;
  }

  /** Open time of the candle currently forming (or the end of data). */
  get cursorTs(): number {
    return this.base[this.idx]?.ts ?? (this.base.at(-1)?.ts ?? 0) + TIMEFRAME_MS['15m'];
  }

  /**
   * Advances to simulated time `now` and returns the events in order: closes of every candle that ended
   * at or before `now` (15m first, then the higher timeframes whose bucket ended), followed by the
   * forming candle of every timeframe at `now`.
   */
  step(now: number): ReplayEvent[] {
    const len = TIMEFRAME_MS['15m'];
    const out: ReplayEvent[] = [];
    while (this.idx < this.base.length && this.base[this.idx]!.ts + len <= now) {
      const c = this.base[this.idx]!;
      out.push({ symbol: this.symbol, timeframe: '15m', candle: { ...c }, closed: true });
      for (const tf of this.timeframes) {
        if (tf === '15m') continue;
        const b = bucketStart(c.ts, tf);
        if (c.ts + len === b + TIMEFRAME_MS[tf]) {
          const merged = mergeIntoBucket(b, this.partsOf(b, this.idx + 1));
          if (merged) out.push({ symbol: this.symbol, timeframe: tf, candle: merged, closed: true });
        }
      }
      this.idx++;
    }
    const cur = this.base[this.idx];
    if (!cur) return out;
    const forming = formingCandle(cur, (now - cur.ts) / len);
    out.push({ symbol: this.symbol, timeframe: '15m', candle: forming, closed: false });
    for (const tf of this.timeframes) {
      if (tf === '15m') continue;
      const b = bucketStart(cur.ts, tf);
      const merged = mergeIntoBucket(b, [...this.partsOf(b, this.idx), forming]);
      if (merged) out.push({ symbol: this.symbol, timeframe: tf, candle: merged, closed: false });
    }
    return out;
  }

  /** Closed 15m candles of the bucket starting at `b`, up to (excluding) index `end`. */
  private partsOf(b: number, end: number): Candle[] {
    const parts: Candle[] = [];
    for (let i = end - 1; i >= 0 && this.base[i]!.ts >= b; i--) parts.push(this.base[i]!);
    return parts.reverse();
  }
}
