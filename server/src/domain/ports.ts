/**
 * Ports: the small interfaces through which pure domain code reaches time and the outside world.
 * Adapters in `src/adapters/` implement them; tests pass fakes.
 */

/** Source of the current time. Domain code never calls `Date.now()`; it is handed a Clock. */
export interface Clock {
  /** Current time, Unix milliseconds UTC (simulated in replay/backtests). */
  now(): number;
}

/** A clock fixed at, or advanced to, a chosen instant (tests, backtests). */
export class ManualClock implements Clock {
  /** @param t start time, Unix ms UTC */
  constructor(private t: number) {}
  /** @returns the current manual time, Unix ms */
  now(): number {
    return this.t;
  }
  /** Sets the time, Unix ms. */
  set(t: number): void {
    this.t = t;
  }
  /** Moves the time forward by `ms`. */
  advance(ms: number): void {
    this.t += ms;
  }
}
