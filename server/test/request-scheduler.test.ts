/**
 * RequestScheduler on a manual timer: priorities, the rate window, retries with backoff, timeouts
 * (ambiguous for creates), the in-flight cap, stats and close. Every time below is exact.
 */
import { describe, expect, it } from 'vitest';
import { RequestScheduler, PRIORITY, type RequestSchedulerOptions } from '../src/adapters/exchange/request-scheduler.js';
import { AmbiguousOrderError, AuthExchangeError, RejectedOrderError, TemporaryExchangeError } from '../src/domain/exchange/errors.js';
import { ManualTimer, flush } from './fakes/manual-timer.js';

function setup(opts: Omit<RequestSchedulerOptions, 'timer'> = {}) {
  const timer = new ManualTimer(0);
  const scheduler = new RequestScheduler({ window: { maxRequests: 3, windowMs: 1_000, minSpacingMs: 100, maxInFlight: 4 }, ...opts, timer });
  const log: Array<[string, number]> = [];
  /** A request that logs its start time and resolves with its name. */
  const req = (name: string) => async () => {
    log.push([name, timer.now()]);
    return name;
  };
  return { timer, scheduler, log, req };
}

/** A deferred the test settles by hand. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('RequestScheduler', () => {
  it('keeps the rate window: spacing, then the sliding window', async () => {
    const { timer, scheduler, log, req } = setup();
    const results = Array.from({ length: 7 }, (_, i) => scheduler.run({ priority: PRIORITY.query }, req(`q${i}`)));
    await timer.advance(5_000);
    expect(await Promise.all(results)).toEqual(['q0', 'q1', 'q2', 'q3', 'q4', 'q5', 'q6']);
    expect(log.map(([, t]) => t)).toEqual([0, 100, 200, 1_000, 1_100, 1_200, 2_000]);
  });

  it('sends stop-loss before trades before queries, FIFO within a priority', async () => {
    const { timer, scheduler, log, req } = setup({ window: { maxRequests: 100, windowMs: 1_000, minSpacingMs: 100, maxInFlight: 4 } });
    const all = [
      scheduler.run({ priority: PRIORITY.query }, req('q1')), // goes at once: nothing else is queued yet
      scheduler.run({ priority: PRIORITY.query }, req('q2')),
      scheduler.run({ priority: PRIORITY.trade }, req('t1')),
      scheduler.run({ priority: PRIORITY.query }, req('q3')),
      scheduler.run({ priority: PRIORITY.trade }, req('t2')),
      scheduler.run({ priority: PRIORITY.stopLoss }, req('sl')),
    ];
    await timer.advance(1_000);
    await Promise.all(all);
    expect(log).toEqual([['q1', 0], ['sl', 100], ['t1', 200], ['t2', 300], ['q2', 400], ['q3', 500]]);
  });

  it('never goes faster than the raised spacing (ccxt rateLimit)', async () => {
    const { timer, scheduler, log, req } = setup();
    scheduler.raiseMinSpacing(250);
    scheduler.raiseMinSpacing(50); // never lowers
    const all = [1, 2, 3].map((i) => scheduler.run({ priority: 3 }, req(`q${i}`)));
    await timer.advance(1_000);
    await Promise.all(all);
    expect(log.map(([, t]) => t)).toEqual([0, 250, 500]);
    expect(scheduler.stats().window.minSpacingMs).toBe(250);
  });

  it('retries a TemporaryExchangeError with exponential backoff, then succeeds', async () => {
    const { timer, scheduler } = setup();
    const attempts: number[] = [];
    const p = scheduler.run({ priority: 3 }, async () => {
      attempts.push(timer.now());
      if (attempts.length < 3) throw new TemporaryExchangeError('UNAVAILABLE', 'HTTP 503');
      return 'ok';
    });
    await timer.advance(10_000);
    expect(await p).toBe('ok');
    expect(attempts).toEqual([0, 500, 1_500]); // backoff 500 ms, then 1 s
    expect(scheduler.stats()).toMatchObject({ sent: 3, retries: 2, failed: 0 });
  });

  it('gives up after 3 retries with the last error', async () => {
    const { timer, scheduler } = setup();
    let n = 0;
    const p = scheduler.run({ priority: 3 }, async () => {
      throw new TemporaryExchangeError('RATE_LIMITED', `429 #${++n}`);
    });
    const settled = p.catch((e: unknown) => e);
    await timer.advance(20_000);
    const err = await settled;
    expect(err).toBeInstanceOf(TemporaryExchangeError);
    expect((err as Error).message).toBe('429 #4');
    expect(scheduler.stats()).toMatchObject({ sent: 4, retries: 3, failed: 1 });
  });

  it('never retries rejected, auth or ambiguous errors', async () => {
    const { timer, scheduler } = setup();
    const errors = [
      new RejectedOrderError('INSUFFICIENT_FUNDS', 'no money'),
      new AuthExchangeError('AUTH', 'bad key'),
      new AmbiguousOrderError('cid-1', 'lost'),
      new Error('a bug'),
    ];
    let calls = 0;
    const settled = errors.map((e) =>
      scheduler
        .run({ priority: 2 }, async () => {
          calls++;
          throw e;
        })
        .catch((x: unknown) => x),
    );
    await timer.advance(60_000);
    expect(await Promise.all(settled)).toEqual(errors);
    expect(calls).toBe(4);
    expect(scheduler.stats()).toMatchObject({ retries: 0, failed: 4 });
  });

  it('times an attempt out after 30 s: TIMEOUT for queries (retried), AMBIGUOUS for creates (not retried)', async () => {
    const { timer, scheduler } = setup({ maxRetries: 1 });
    let queryCalls = 0;
    let createCalls = 0;
    const query = scheduler.run({ priority: 3, label: 'fetchBalance' }, () => {
      queryCalls++;
      return new Promise<never>(() => {});
    });
    const create = scheduler.run({ priority: 2, label: 'createOrder BTC/USDT', createClientOrderId: 'osp-1' }, () => {
      createCalls++;
      return new Promise<never>(() => {});
    });
    const q = query.catch((e: unknown) => e);
    const c = create.catch((e: unknown) => e);
    await timer.advance(29_999); // the query went at 0, the create at 100 (spacing)
    expect(scheduler.stats().inFlight).toBe(2);
    await timer.advance(101);
    const ambiguous = await c;
    expect(ambiguous).toBeInstanceOf(AmbiguousOrderError);
    expect(ambiguous).toMatchObject({ code: 'AMBIGUOUS', clientOrderId: 'osp-1' });
    expect((ambiguous as Error).message).toMatch(/createOrder BTC\/USDT got no answer within 30000 ms/);
    await timer.advance(70_000);
    const timeout = await q;
    expect(timeout).toBeInstanceOf(TemporaryExchangeError);
    expect(timeout).toMatchObject({ code: 'TIMEOUT' });
    expect([queryCalls, createCalls]).toEqual([2, 1]);
    expect(timer.pending).toBe(0); // every timeout timer was released
  });

  it('caps the requests in flight and reports queue depth, in-flight and waits', async () => {
    const { timer, scheduler } = setup({ window: { maxRequests: 100, windowMs: 1_000, minSpacingMs: 0, maxInFlight: 1 } });
    const first = deferred<string>();
    const a = scheduler.run({ priority: 3 }, () => first.promise);
    const b = scheduler.run({ priority: 3 }, async () => 'b');
    const c = scheduler.run({ priority: 1 }, async () => 'c');
    const d = scheduler.run({ priority: 2 }, async () => 'd');
    await flush();
    expect(scheduler.stats()).toMatchObject({ queued: { 1: 1, 2: 1, 3: 1 }, inFlight: 1 });
    await timer.advance(300);
    first.resolve('a');
    await flush();
    expect(await Promise.all([a, b, c, d])).toEqual(['a', 'b', 'c', 'd']);
    const s = scheduler.stats();
    expect(s).toMatchObject({ queued: { 1: 0, 2: 0, 3: 0 }, inFlight: 0, sent: 4, maxWaitMs: 300 });
    expect(s.avgWaitMs).toBe((0 + 300 + 300 + 300) / 4);
  });

  it('lets a stop-loss overtake a retry that is backing off', async () => {
    const { timer, scheduler, log, req } = setup();
    let n = 0;
    const retried = scheduler.run({ priority: 3 }, async () => {
      log.push(['query', timer.now()]);
      if (++n === 1) throw new TemporaryExchangeError('NETWORK', 'reset');
      return 'q';
    });
    await timer.advance(200);
    const sl = scheduler.run({ priority: 1 }, req('sl'));
    await timer.advance(1_000);
    expect(await Promise.all([retried, sl])).toEqual(['q', 'sl']);
    expect(log).toEqual([['query', 0], ['sl', 200], ['query', 500]]);
  });

  it('close() rejects what is still queued and refuses new requests', async () => {
    const { timer, scheduler } = setup();
    const a = scheduler.run({ priority: 3 }, async () => 'a');
    const b = scheduler.run({ priority: 3 }, async () => 'b').catch((e: unknown) => e);
    await flush();
    scheduler.close();
    await timer.advance(1_000);
    expect(await a).toBe('a');
    expect(await b).toMatchObject({ name: 'TemporaryExchangeError', code: 'UNAVAILABLE' });
    await expect(scheduler.run({ priority: 1 }, async () => 'x')).rejects.toThrow(/closed/);
  });

  it('validates its options naming the field', () => {
    expect(() => new RequestScheduler({ window: { maxRequests: 0 } })).toThrow(/maxRequests/);
    expect(() => new RequestScheduler({ maxRetries: -1 })).toThrow(/maxRetries/);
    expect(() => new RequestScheduler({ timeoutMs: 0 })).toThrow(/timeoutMs/);
  });
});
