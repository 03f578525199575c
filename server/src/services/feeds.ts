import type { Candle, FeedState, Timeframe } from '@osprey/shared';
import type { Db } from '../adapters/db/client.js';
import type { Clock } from '../domain/ports.js';

/** A raw candle event from a feed, before indicators are attached. */
export interface FeedCandle {
  symbol: string;
  timeframe: Timeframe;
  candle: Candle;
  /** false while the candle is still forming */
  closed: boolean;
}

/**
 * Source of market events: replay of stored history or live exchange sync. Downstream code (market
 * service, detector, charts, later paper exchange and bots) cannot tell them apart.
 */
export interface MarketFeed {
  readonly kind: FeedState['kind'];
  /** Market time: simulated in replay, wall clock live. */
  readonly clock: Clock;
  /** Loads what the feed needs (history, markets); no events yet. */
  init(): Promise<void>;
  /** Starts emitting events to `onCandle`. */
  start(onCandle: (e: FeedCandle) => void): void;
  /** Stops timers and waits for in-flight work. */
  stop(): Promise<void>;
  /**
   * Feeds whose clock is simulated and resumes from a saved position (replay): saves the current position
   * through `db` — the transaction writing state stamped with this clock — never moving it back, so that a
   * restart (even after a crash) resumes no earlier than any state written with it. No-op before `init`.
   * Live feeds (wall clock) do not have it.
   */
  checkpoint?(db: Db): Promise<void>;
  state(): FeedState;
}
