import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TIMEFRAME_MS, type MarketSignal } from '@osprey/shared';
import { listSignals } from '../src/adapters/db/repos/signals-repo.js';
import { listCandles } from '../src/adapters/db/repos/candles-repo.js';
import { computeIndicators } from '../src/domain/indicators/index.js';
import { detectHistory } from '../src/domain/detector/index.js';
import { startTestApp, type TestApp } from './helpers/app.js';

// The live path (replay feed → incremental indicators → detector on each close) must find exactly the
// signals that history mode finds over the same candles: replay is indistinguishable from batch.
const START = Date.UTC(2024, 7, 5, 0, 0);
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ OSPREY_REPLAY_START: String(START), OSPREY_REPLAY_SPEED: '7200', OSPREY_REPLAY_TICK_MS: '50' });
});
afterAll(async () => {
  await app?.close();
});

describe('replay feed vs history mode', () => {
  it('emits live the same signals, with the same scores, as a batch walk over the stored candles', async () => {
    const live: MarketSignal[] = [];
    app.services.bus.on('signal', (s) => live.push(s));
    app.services.start();
    await expect.poll(() => app.services.market.now() - START, { timeout: 30_000, interval: 200 }).toBeGreaterThan(16 * 3_600_000);
    await app.services.feed.stop();
    await app.services.market.idle();
    const end = app.services.market.now();
    const lastClosedOpen = Math.floor(end / TIMEFRAME_MS['15m']) * TIMEFRAME_MS['15m'] - TIMEFRAME_MS['15m'];

    const key = { exchange: 'binance', symbol: 'BTC/USDT' };
    const s15 = await listCandles(app.services.database.db, { ...key, timeframe: '15m' }, { from: START - 600 * TIMEFRAME_MS['15m'], to: lastClosedOpen });
    const s4h = await listCandles(app.services.database.db, { ...key, timeframe: '4h' }, { from: START - 500 * TIMEFRAME_MS['4h'], to: end - TIMEFRAME_MS['4h'] });
    const i15 = computeIndicators(s15, '15m');
    const i4h = computeIndicators(s4h, '4h');
    const batch = detectHistory('binance', 'BTC/USDT', s15.map((c, i) => ({ ...c, ind: i15[i]! })), s4h.map((c, i) => ({ ...c, ind: i4h[i]! })), START, lastClosedOpen);

    const stored = await listSignals(app.services.database.db, { symbol: 'BTC/USDT', from: START, limit: 1000 });
    const brief = (s: MarketSignal) => `${new Date(s.candleTs).toISOString()} ${s.type} ${s.score} x${s.sizeMultiplier}`;
    expect(batch.length).toBeGreaterThan(3);
    expect(live.map(brief).sort()).toEqual(batch.map(brief).sort());
    expect(stored.map(brief).sort()).toEqual(batch.map(brief).sort());
  });
});
