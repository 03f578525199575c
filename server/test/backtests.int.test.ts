/**
 * Backtest runs over tRPC on a real app: queued at once, executed in a worker thread with progress streamed
 * over the WebSocket subscription, persisted with metrics and results, listed, compared, deleted; bad input
 * rejected naming the field; another user's runs invisible.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import type { BacktestProgress, BacktestResultView, BacktestRunView } from '@osprey/shared';
import type { AppRouter } from '../src/trpc/root.js';
import { executeBacktestJob, loadBacktestJob } from '../src/services/backtest-job.js';
import { HttpCaller, startTestApp, type TestApp } from './helpers/app.js';

let app: TestApp;
let alice: HttpCaller;
let bob: HttpCaller;

const ok = (r: { status: number; body: any }) => {
  if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${JSON.stringify(r.body?.error?.message ?? r.body)}`);
  return r.body.result.data;
};

const FROM = Date.UTC(2024, 2, 1);
const TO = Date.UTC(2024, 2, 15);
const gridConfig = { type: 'grid', marketType: 'spot', grid: { symbol: 'BTC/USDT', levels: 5, spacingPct: 0.5, sellOffsetPct: 0.6, orderSize: { mode: 'quote', value: '500' }, repricePct: 3 } };

beforeAll(async () => {
  app = await startTestApp({ OSPREY_SYMBOLS: 'BTC/USDT,ETH/USDT' });
  await app.services.auth.addUser('alice@test.local', 'alice-password-1', 'trader');
  await app.services.auth.addUser('bob@test.local', 'bob-password-12', 'trader');
  alice = new HttpCaller(app.base);
  await alice.login('alice@test.local', 'alice-password-1');
  bob = new HttpCaller(app.base);
  await bob.login('bob@test.local', 'bob-password-12');
});
afterAll(async () => {
  await app?.close();
});

describe('backtests', () => {
  let grid: BacktestRunView;

  it('reports stored candle coverage for the form', async () => {
    const cov = ok(await alice.call('backtests.coverage', { symbols: ['BTC/USDT', 'ETH/USDT:USDT'] }, 'query'));
    expect(cov[0].symbol).toBe('BTC/USDT');
    expect(cov[0].from).toBeLessThanOrEqual(FROM);
    expect(cov[0].to).toBeGreaterThan(TO);
    expect(cov[1].count).toBeGreaterThan(1000);
  });

  it('rejects bad input naming the field', async () => {
    const badRange = await alice.call('backtests.start', { config: gridConfig, from: TO, to: FROM }, 'mutation');
    expect(badRange.status).toBe(400);
    expect(badRange.body.error.message).toContain('to:');
    const noData = await alice.call('backtests.start', { config: gridConfig, from: Date.UTC(2019, 0, 1), to: Date.UTC(2019, 0, 5) }, 'mutation');
    expect(noData.status).toBe(400);
    expect(noData.body.error.message).toContain('no stored 15m candles of BTC/USDT');
    const badSymbol = await alice.call('backtests.start', { config: { ...gridConfig, grid: { ...gridConfig.grid, symbol: 'DOGE/USDT' } }, from: FROM, to: TO }, 'mutation');
    expect(badSymbol.status).toBe(400);
    expect(badSymbol.body.error.message).toContain('DOGE/USDT');
  });

  it('runs off the request thread with progress over the subscription, then stores the result', async () => {
    const progress: BacktestProgress[] = [];
    const ws = createWSClient({ url: `ws://127.0.0.1:${app.http.port}/trpc`, WebSocket: cookieSocket(alice.cookie) });
    const bobWs = createWSClient({ url: `ws://127.0.0.1:${app.http.port}/trpc`, WebSocket: cookieSocket(bob.cookie) });
    const bobSaw: BacktestProgress[] = [];
    const client = createTRPCClient<AppRouter>({ links: [wsLink({ client: ws })] });
    const bobClient = createTRPCClient<AppRouter>({ links: [wsLink({ client: bobWs })] });
    const sub = client.backtests.onProgress.subscribe(undefined, { onData: (p) => progress.push(p) });
    const bobSub = bobClient.backtests.onProgress.subscribe(undefined, { onData: (p) => bobSaw.push(p) });
    await new Promise((r) => setTimeout(r, 200)); // subscriptions established
    grid = ok(await alice.call('backtests.start', { name: 'grid two weeks', config: gridConfig, from: FROM, to: TO }, 'mutation'));
    expect(grid.status).toBe('queued');
    await app.services.backtests.idle();
    await new Promise((r) => setTimeout(r, 200)); // last messages delivered
    sub.unsubscribe();
    bobSub.unsubscribe();
    ws.close();
    bobWs.close();
    expect(bobSaw).toEqual([]);
    expect(progress.map((p) => p.status)).toContain('running');
    expect(progress.at(-1)).toMatchObject({ id: grid.id, status: 'done', progress: 1 });
    const fractions = progress.filter((p) => p.status === 'running').map((p) => p.progress);
    expect(fractions.length).toBeGreaterThan(2);
    expect([...fractions].sort((a, b) => a - b)).toEqual(fractions);

    const res: BacktestResultView = ok(await alice.call('backtests.get', { id: grid.id }, 'query'));
    expect(res.run.status).toBe('done');
    expect(res.run.name).toBe('grid two weeks');
    expect(res.candles['BTC/USDT']!.length).toBe(14 * 96);
    expect(res.equity.length).toBe(14 * 96);
    expect(res.equity[0]!.drawdownPct).toBe(0);
    expect(Math.max(...res.equity.map((e) => e.drawdownPct))).toBeCloseTo(res.run.metrics!.maxDrawdownPct, 6);
    expect(res.fills.length).toBeGreaterThan(res.trades.length);
    expect(res.run.metrics!.roundTrips).toBe(res.trades.length);

    // The worker computed exactly what the job computes inline.
    const job = await loadBacktestJob(app.services.database.db, { botId: grid.id, config: res.run.config, settings: res.run.settings, exchange: 'binance', from: FROM, to: TO });
    const inline = executeBacktestJob(job);
    expect(res.run.metrics).toEqual(inline.metrics);
    expect(res.trades).toEqual(inline.trades);
  });

  it('a spread bot backtest carries its spread series; runs are listed newest first and private', async () => {
    const spread = ok(
      await alice.call(
        'backtests.start',
        { config: { type: 'spread', marketType: 'swap', spread: { symbolA: 'BTC/USDT:USDT', symbolB: 'ETH/USDT:USDT', entryPct: 2, stepPct: 1.5 } }, from: FROM, to: TO },
        'mutation',
      ),
    ) as BacktestRunView;
    await app.services.backtests.idle();
    const res: BacktestResultView = ok(await alice.call('backtests.get', { id: spread.id }, 'query'));
    expect(res.run.status).toBe('done');
    expect(res.series.filter((p) => p.series === 'spread').length).toBeGreaterThan(1000);
    expect(Object.keys(res.candles)).toEqual(['BTC/USDT:USDT', 'ETH/USDT:USDT']);
    const list: BacktestRunView[] = ok(await alice.call('backtests.list', undefined, 'query'));
    expect(list.map((r) => r.id)).toEqual([spread.id, grid.id]);
    expect(ok(await bob.call('backtests.list', undefined, 'query'))).toEqual([]);
    expect((await bob.call('backtests.get', { id: grid.id }, 'query')).status).toBe(404);
    ok(await alice.call('backtests.remove', { id: spread.id }, 'mutation'));
    expect((ok(await alice.call('backtests.list', undefined, 'query')) as BacktestRunView[]).map((r) => r.id)).toEqual([grid.id]);
  });
});

/** A WebSocket class that sends the session cookie (as a browser would). */
function cookieSocket(cookie: string): any {
  return class extends WebSocket {
    constructor(url: string) {
      super(url, { headers: { cookie, origin: app.base } });
    }
  };
}
