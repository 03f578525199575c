import { EventEmitter, on } from 'node:events';
import type { AccountEvent, BacktestProgress, BotChange, CandleUpdate, FeedState, MarketSignal } from '@osprey/shared';

/** Every event on the in-process bus, by name. */
export interface BusEvents {
  /** Forming (closed=false) or closed candle with indicators. */
  candle: CandleUpdate;
  /** A detector signal was stored. */
  signal: MarketSignal;
  /** Feed state, about once a second. */
  feed: FeedState;
  /** A change on an exchange account: order, fill, trade, positions, balances, equity or pending order. */
  account: AccountEvent;
  /** A bot changed (status, state, events). */
  bot: BotChange;
  /** Progress of a backtest run. */
  backtest: BacktestProgress;
}

/**
 * Typed in-process event bus. Subscriptions read from it; with several processes it would be bridged
 * through Postgres LISTEN/NOTIFY (see ARCHITECTURE.md).
 */
export class EventBus {
  private readonly ee = new EventEmitter();

  constructor() {
    // One listener per open subscription; hundreds of browser tabs are fine.
    this.ee.setMaxListeners(0);
  }

  /** Publishes an event to every current listener (synchronously). */
  emit<K extends keyof BusEvents>(event: K, payload: BusEvents[K]): void {
    this.ee.emit(event, payload);
  }

  /** Adds a listener. @returns a function removing it */
  on<K extends keyof BusEvents>(event: K, listener: (payload: BusEvents[K]) => void): () => void {
    this.ee.on(event, listener);
    return () => this.ee.off(event, listener);
  }

  /**
   * Async iterator over events (for tRPC subscriptions), ending when `signal` aborts.
   * Events are buffered while the consumer is busy, so a slow client never blocks the feed.
   */
  async *stream<K extends keyof BusEvents>(event: K, signal: AbortSignal | undefined): AsyncGenerator<BusEvents[K]> {
    try {
      for await (const [payload] of on(this.ee, event, { signal })) {
        yield payload as BusEvents[K];
      }
    } catch (err) {
      if ((err as Error).name !== 'AbortError') throw err;
    }
  }
}
