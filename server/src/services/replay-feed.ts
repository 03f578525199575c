import { TIMEFRAME_MS, type FeedState, type Timeframe } from '@osprey/shared';
import type { Db } from '../adapters/db/client.js';
import { listCandles } from '../adapters/db/repos/candles-repo.js';
import { advanceClockPosition, getState, type ClockPosition } from '../adapters/db/repos/app-state-repo.js';
import { ScaledClock, systemClock } from '../adapters/clock.js';
import type { Logger } from '../adapters/log.js';
import { SymbolReplay } from '../domain/replay.js';
import type { FeedCandle, MarketFeed } from './feeds.js';

/** Options of {@link ReplayFeed}. */
export interface ReplayFeedOptions {
  db: Db;
  exchange: string;
  symbols: readonly string[];
  timeframes: readonly Timeframe[];
  /** Simulated ms per real ms. */
  speed: number;
  /** Simulated start time, Unix ms. */
  startAt: number;
  /** Real ms between steps. */
  tickMs: number;
  log: Logger;
  /** Resume from the saved position when the start setting is unchanged (default true). */
  resume?: boolean;
}

const POSITION_KEY = 'replay:position';
const SAVE_EVERY_MS = 5_000;

/**
 * Plays stored 15m history forward as if live, deriving 1h/4h/1d from it, on a {@link ScaledClock}.
 * Emits forming-candle updates every tick and closes as their time passes. Remembers its position so a
 * restart continues where it stopped: every 5 s of wall time, at stop, and at every
 * {@link ReplayFeed.checkpoint} — which the writers of state stamped with this clock (paper venues, bot
 * runners) call in the same transaction, so that after a crash the clock never resumes behind what was
 * persisted (a paper order created "in the future" of the resumed clock would get fills stamped before its
 * creation). The saved position only ever moves forward ({@link advanceClockPosition}).
 */
export class ReplayFeed implements MarketFeed {
  readonly kind = 'replay' as const;
  clock: ScaledClock;
  private replays: SymbolReplay[] = [];
  private timer: NodeJS.Timeout | undefined;
  private lastSave = 0;
  private running = false;
  private stepping: Promise<void> = Promise.resolve();
  private initialized = false;

  constructor(private readonly o: ReplayFeedOptions) {
    this.clock = new ScaledClock(o.startAt, o.speed);
  }

  async init(): Promise<void> {
    let start = this.o.startAt;
    if (this.o.resume !== false) {
      const saved = await getState<ClockPosition>(this.o.db, POSITION_KEY);
      if (saved && saved.startAt === this.o.startAt && saved.now > start) start = saved.now;
    }
    this.clock = new ScaledClock(start, this.o.speed);
    this.clock.pause();
    this.replays = [];
    for (const symbol of this.o.symbols) {
      const base = await listCandles(this.o.db, { exchange: this.o.exchange, symbol, timeframe: '15m' }, { from: start - TIMEFRAME_MS['1d'] });
      if (base.length === 0) {
        this.o.log.warn({ symbol }, 'replay: no stored 15m candles for symbol; it will not tick');
        continue;
      }
      this.replays.push(new SymbolReplay(symbol, base, this.o.timeframes, start));
    }
    this.initialized = true;
  }

  /** {@inheritDoc MarketFeed.checkpoint} */
  async checkpoint(db: Db): Promise<void> {
    if (!this.initialized) return;
    await advanceClockPosition(db, POSITION_KEY, { startAt: this.o.startAt, now: this.clock.now() }, systemClock.now());
  }

  start(onCandle: (e: FeedCandle) => void): void {
    this.running = true;
    this.clock.resume();
    const tick = () => {
      this.stepping = this.stepping.then(() => this.step(onCandle)).catch((err) => this.o.log.error({ err }, 'replay step failed'));
    };
    tick();
    this.timer = setInterval(tick, this.o.tickMs);
  }

  private async step(onCandle: (e: FeedCandle) => void): Promise<void> {
    if (!this.running) return;
    const now = this.clock.now();
    for (const r of this.replays) for (const e of r.step(now)) onCandle(e);
    if (this.replays.length > 0 && this.replays.every((r) => r.ended)) {
      this.o.log.info('replay reached the end of stored history');
      this.running = false;
      this.clock.pause();
      if (this.timer) clearInterval(this.timer);
    }
    const real = systemClock.now();
    if (real - this.lastSave >= SAVE_EVERY_MS) {
      this.lastSave = real;
      await advanceClockPosition(this.o.db, POSITION_KEY, { startAt: this.o.startAt, now }, real);
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const wasRunning = this.running;
    this.running = false;
    await this.stepping;
    if (wasRunning) await advanceClockPosition(this.o.db, POSITION_KEY, { startAt: this.o.startAt, now: this.clock.now() }, systemClock.now());
    this.clock.pause();
  }

  state(): FeedState {
    return {
      kind: 'replay',
      running: this.running,
      now: this.clock.now(),
      speed: this.o.speed,
      exchange: this.o.exchange,
      symbols: [...this.o.symbols],
    };
  }
}
