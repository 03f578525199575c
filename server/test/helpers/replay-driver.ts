import { TIMEFRAME_MS } from '@osprey/shared';
import { SERVER_TIMEFRAMES } from '../../src/config/env.js';
import { listCandles } from '../../src/adapters/db/repos/candles-repo.js';
import { SymbolReplay } from '../../src/domain/replay.js';
import type { ManualClock } from '../../src/domain/ports.js';
import type { TestApp } from './app.js';

const L = TIMEFRAME_MS['15m'];

/**
 * Drives a test app's market exactly like the replay feed does (the same {@link SymbolReplay} events, through
 * `MarketService.onFeedCandle`, on a manual market clock), stepped at 0, ⅓ and ⅔ of every 15m candle and at
 * its close — the points where the replay's price path turns (open, low/high, high/low, close) — and lets
 * every consumer settle after each event. Symbols are stepped in the given order at each instant.
 */
export class ReplayDriver {
  private replays: SymbolReplay[] = [];
  private t: number;

  constructor(
    private readonly app: TestApp,
    private readonly clock: ManualClock,
    private readonly symbols: readonly string[],
    private readonly start: number,
    private readonly settle: () => Promise<void>,
  ) {
    this.t = start;
  }

  /** Loads the stored 15m candles (the replay's input). */
  async init(): Promise<void> {
    for (const s of this.symbols) {
      const base = await listCandles(this.app.services.database.db, { exchange: 'binance', symbol: s, timeframe: '15m' }, { from: this.start - TIMEFRAME_MS['1d'] });
      this.replays.push(new SymbolReplay(s, base, SERVER_TIMEFRAMES, this.start));
    }
  }

  /** Steps from the current instant up to and including `end` (a multiple of ⅓ candle from the start). */
  async runTo(end: number): Promise<void> {
    while (this.t <= end) {
      this.clock.set(this.t);
      for (const r of this.replays) {
        for (const e of r.step(this.t)) {
          this.app.services.market.onFeedCandle(e);
          await this.settle();
        }
      }
      this.t += L / 3;
    }
  }
}
