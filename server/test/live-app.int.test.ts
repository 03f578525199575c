import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEFRAME_MS } from '@osprey/shared';
import { ManualClock } from '../src/domain/ports.js';
import { FakeBinance, readCandlesCsv } from './fakes/fake-binance.js';
import { ADMIN, HttpCaller, startTestApp, type TestApp } from './helpers/app.js';

// The whole server with OSPREY_FEED=live: real ccxt binance against the local fake, real DB, real HTTP.
const NOW = Date.UTC(2024, 7, 20, 10, 7);
let fake: FakeBinance;
let app: TestApp;
const clock = new ManualClock(NOW);

beforeAll(async () => {
  fake = await FakeBinance.start({ clock });
  app = await startTestApp(
    {
      OSPREY_FEED: 'live',
      OSPREY_EXCHANGE_API_BASE: fake.url,
      OSPREY_SYMBOLS: 'BTC/USDT,ETH/USDT',
      OSPREY_BACKFILL_15M_DAYS: '5',
      OSPREY_BACKFILL_4H_DAYS: '30',
      OSPREY_BACKFILL_1D_DAYS: '60',
      OSPREY_LIVE_POLL_MS: '1000',
    },
    { liveClock: clock },
  );
});
afterAll(async () => {
  await app?.close();
  await fake?.close();
});

describe('live feed end to end', () => {
  it('backfills at start and serves the synced candles (identical to the exchange rows) with indicators', async () => {
    const c = new HttpCaller(app.base);
    await c.login(ADMIN.email, ADMIN.password);
    const health = (await (await fetch(`${app.base}/health`)).json()) as any;
    expect(health.feed).toMatchObject({ kind: 'live', exchange: 'binance', now: NOW });
    const r = await c.call('market.candles', { symbol: 'ETH/USDT', timeframe: '15m', limit: 5000 }, 'query');
    const candles = r.body.result.data.candles as { ts: number; close: number; ind: Record<string, number | null> }[];
    const lastClosedOpen = Math.floor(NOW / TIMEFRAME_MS['15m']) * TIMEFRAME_MS['15m'] - TIMEFRAME_MS['15m'];
    expect(candles.at(-1)!.ts).toBe(lastClosedOpen);
    expect(candles[0]!.ts).toBeGreaterThanOrEqual(NOW - 5 * 86_400_000);
    expect(candles[0]!.ts).toBeLessThan(NOW - 5 * 86_400_000 + TIMEFRAME_MS['15m']);
    expect(candles).toHaveLength((lastClosedOpen - candles[0]!.ts) / TIMEFRAME_MS['15m'] + 1);
    const truth = new Map(readCandlesCsv('ETH', '15m').map((x) => [x.ts, x]));
    for (const k of candles) expect(k.close).toBe(truth.get(k.ts)!.close);
    expect(candles.at(-1)!.ind.ema_55).toBeTypeOf('number');
    expect(fake.klineRequests().length).toBeGreaterThan(0);
  });

  it('fetches each candle right after it closes and publishes it with indicators on the bus', async () => {
    const seen: { symbol: string; timeframe: string; ts: number; closed: boolean; ema: unknown }[] = [];
    const off = app.services.bus.on('candle', (u) => seen.push({ symbol: u.symbol, timeframe: u.timeframe, ts: u.candle.ts, closed: u.closed, ema: u.candle.ind.ema_9 }));
    app.services.start();
    const nextOpen = Math.floor(NOW / TIMEFRAME_MS['15m']) * TIMEFRAME_MS['15m'];
    clock.set(nextOpen + TIMEFRAME_MS['15m'] + 2_000); // 2 s after the forming candle closed
    await expect.poll(() => seen.some((e) => e.closed && e.symbol === 'BTC/USDT' && e.timeframe === '15m' && e.ts === nextOpen), { timeout: 8_000 }).toBe(true);
    off();
    const closed = seen.find((e) => e.closed && e.ts === nextOpen)!;
    expect(closed.ema).toBeTypeOf('number');
    const c = new HttpCaller(app.base);
    await c.login(ADMIN.email, ADMIN.password);
    const r = await c.call('market.candles', { symbol: 'BTC/USDT', timeframe: '15m', limit: 2 }, 'query');
    expect(r.body.result.data.candles.at(-1).ts).toBe(nextOpen);
  });
});
