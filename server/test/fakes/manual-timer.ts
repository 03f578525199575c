/**
 * A manual {@link SchedulerTimer} for deterministic tests: time moves only when the test calls
 * {@link ManualTimer.advance}, which wakes sleepers in time order and lets their continuations run.
 */
import type { SchedulerTimer } from '../../src/adapters/exchange/request-scheduler.js';

interface Sleeper {
  at: number;
  seq: number;
  resolve: () => void;
}

/** Lets every pending promise continuation (and I/O callbacks queued so far) run. */
export async function flush(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}

/** See the file header. */
export class ManualTimer implements SchedulerTimer {
  private sleepers: Sleeper[] = [];
  private seq = 0;

  /** @param t start time, Unix ms */
  constructor(private t = 0) {}

  /** Current manual time, Unix ms. */
  now(): number {
    return this.t;
  }

  /** Resolves when {@link advance} reaches `now + ms`, or at once on abort. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const s: Sleeper = { at: this.t + Math.max(0, ms), seq: ++this.seq, resolve };
      this.sleepers.push(s);
      signal?.addEventListener(
        'abort',
        () => {
          this.sleepers = this.sleepers.filter((x) => x !== s);
          resolve();
        },
        { once: true },
      );
    });
  }

  /** Number of pending sleepers (tests assert that nothing leaks). */
  get pending(): number {
    return this.sleepers.length;
  }

  /** Moves time forward by `ms`, waking sleepers due on the way in time order (flushing after each). */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    await flush();
    for (;;) {
      const due = this.sleepers.filter((s) => s.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.t = Math.max(this.t, due.at);
      this.sleepers = this.sleepers.filter((s) => s !== due);
      due.resolve();
      await flush();
    }
    this.t = target;
    await flush();
  }
}
