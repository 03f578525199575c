import type { Clock } from '../domain/ports.js';

/** The wall clock (Unix ms UTC). */
export const systemClock: Clock = { now: () => Date.now() };

/**
 * Simulated time running `speed` times faster than the wall clock from `startAt`; can be paused.
 * Drives the replay feed so everything downstream sees "market time".
 */
export class ScaledClock implements Clock {
  private anchorSim: number;
  private anchorReal: number;
  private paused = false;

  /**
   * @param startAt simulated start, Unix ms
   * @param speed simulated ms per real ms
   * @param real wall clock to scale (injectable for tests)
   */
  constructor(
    startAt: number,
    private speed: number,
    private readonly real: Clock = systemClock,
  ) {
    this.anchorSim = startAt;
    this.anchorReal = real.now();
  }

  /** Simulated now, Unix ms. */
  now(): number {
    if (this.paused) return this.anchorSim;
    return Math.floor(this.anchorSim + (this.real.now() - this.anchorReal) * this.speed);
  }

  /** Current speed multiplier. */
  get rate(): number {
    return this.speed;
  }

  /** Stops simulated time at its current value. */
  pause(): void {
    this.anchorSim = this.now();
    this.paused = true;
  }

  /** Resumes simulated time from where it was paused. */
  resume(): void {
    if (!this.paused) return;
    this.anchorReal = this.real.now();
    this.paused = false;
  }
}
