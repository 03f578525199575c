/**
 * Detail candles and fill models end to end: 5m candles imported with `osprey import` (the `1m` / `5m`
 * timeframes reach the candles table), a CLI backtest that walks them (and prints its assumptions), and a
 * Backtests-page run (`backtests.start` → worker → stored result) whose assumptions come back with the result.
 *
 * Data: the CLI part uses a **synthetic** series (a seeded random walk of 5m candles, stored under the exchange
 * id `synthetic`, with 15m candles aggregated from them, so the two agree by construction) — Osprey ships no
 * real 1m or 5m candles. The app part uses the shipped **real** Binance candles: 1h stepped, 15m as detail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BacktestResultView, BacktestRunView, Candle } from '@osprey/shared';
import { run } from '../src/cli/main.js';
import { aggregateCandles } from '../src/domain/candles.js';
import { HttpCaller, startTestApp, type TestApp } from './helpers/app.js';

const M5 = 300_000;
const FROM = Date.UTC(2024, 0, 1);
const N5 = 3 * 96 * 2; // two days of 5m candles

/** Synthetic 5m candles: a seeded random walk around 100 (not market data). */
function synthetic5m(): Candle[] {
  let seed = 42;
  const rnd = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31) - 0.5;
  const out: Candle[] = [];
  let price = 100;
  for (let i = 0; i < N5; i++) {
    const open = price;
    const close = Math.round((open * (1 + rnd() * 0.006)) * 100) / 100;
    const high = Math.round(Math.max(open, close) * (1 + Math.abs(rnd()) * 0.003) * 100) / 100;
    const low = Math.round(Math.min(open, close) * (1 - Math.abs(rnd()) * 0.003) * 100) / 100;
    out.push({ ts: FROM + i * M5, open, high, low, close, volume: 1 });
    price = close;
  }
  return out;
}
const csvOf = (cs: readonly Candle[]) => `ts,open,high,low,close,volume\n${cs.map((c) => `${c.ts},${c.open},${c.high},${c.low},${c.close},${c.volume}`).join('\n')}\n`;

let dir: string;
const saved = { ...process.env };
async function cli(...argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await run(argv, (s) => (out += s));
  return { code, out };
}

describe('osprey import / backtest with 5m detail candles (synthetic series)', () => {
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'osprey-bt-detail-'));
    process.env.OSPREY_DATA_DIR = dir;
    process.env.INIT_CWD = dir;
    const m5 = synthetic5m();
    writeFileSync(path.join(dir, 'syn-5m.csv'), csvOf(m5));
    writeFileSync(path.join(dir, 'syn-15m.csv'), csvOf(aggregateCandles(m5, '15m')));
    const grid = { symbol: 'BTC/USDT', levels: 6, spacingPct: 0.2, sellOffsetPct: 0.2, orderSize: { mode: 'quote', value: '200' }, repricePct: 2 };
    writeFileSync(path.join(dir, 'path.json'), JSON.stringify({ type: 'grid', grid, backtest: { timeframe: '15m' } }));
    writeFileSync(path.join(dir, 'detail.json'), JSON.stringify({ type: 'grid', grid, backtest: { timeframe: '15m', detail: '5m' } }));
    writeFileSync(path.join(dir, 'cons.json'), JSON.stringify({ type: 'grid', grid, backtest: { timeframe: '15m', fillModel: 'conservative' } }));
  });
  afterAll(() => {
    process.env = saved;
    rmSync(dir, { recursive: true, force: true });
  });
  const range = ['--from', '2024-01-01T00:00:00Z', '--to', '2024-01-03T00:00:00Z', '--exchange', 'synthetic'];

  it('imports 5m candles (and their 15m aggregate)', async () => {
    expect(await cli('import', '--csv', 'syn-5m.csv', '--exchange', 'synthetic', '--symbol', 'BTC/USDT', '--timeframe', '5m')).toEqual({ code: 0, out: `imported ${N5} candles into synthetic BTC/USDT 5m\n` });
    expect((await cli('import', '--csv', 'syn-15m.csv', '--exchange', 'synthetic', '--symbol', 'BTC/USDT', '--timeframe', '15m')).code).toBe(0);
  });

  it('walks the 5m paths and says so; counts the round trips completed inside one candle', async () => {
    const plain = JSON.parse((await cli('backtest', '--config', 'path.json', ...range, '--json')).out);
    const detail = JSON.parse((await cli('backtest', '--config', 'detail.json', ...range, '--json')).out);
    const cons = JSON.parse((await cli('backtest', '--config', 'cons.json', ...range, '--json')).out);
    expect(plain.assumptions).toEqual({ fillModel: 'path', detail: null, candles: 192, detailCandles: 0, detailMissing: 0, detailInconsistent: 0 });
    expect(detail.assumptions).toEqual({ fillModel: 'path', detail: '5m', candles: 192, detailCandles: 192, detailMissing: 0, detailInconsistent: 0 });
    expect(cons.assumptions.fillModel).toBe('conservative');
    expect(plain.roundTrips).toBeGreaterThan(0);
    expect(plain.sameCandleRoundTrips).toBeGreaterThan(0);
    expect(cons.sameCandleRoundTrips).toBe(0);
    // the 5m paths give other fills than the 15m candles' assumed paths
    expect([detail.fills, detail.roundTrips, detail.endEquity]).not.toEqual([plain.fills, plain.roundTrips, plain.endEquity]);
    const text = (await cli('backtest', '--config', 'detail.json', ...range)).out;
    expect(text).toMatch(/\nfill model {7}path \(fills along each candle's path; a round trip may complete inside one candle\)\n/);
    expect(text).toMatch(/\ndetail {11}5m: 192 of 192 candles walked along their 5m candles \(0 missing, 0 inconsistent: own path\)\n/);
    expect(text).toMatch(/\nsame-candle {6}\d+ of \d+ round trips completed inside one candle \(\d+\.\d\d %\)\n/);
  });

  it('refuses a detail timeframe with no stored candles, naming the setting', async () => {
    writeFileSync(path.join(dir, 'one.json'), JSON.stringify({ type: 'grid', grid: { symbol: 'BTC/USDT' }, backtest: { detail: '1m' } }));
    await expect(cli('backtest', '--config', 'one.json', ...range)).rejects.toThrow(/--config settings\.detail: no stored 1m candles of BTC\/USDT on synthetic/);
    writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ type: 'grid', grid: { symbol: 'BTC/USDT' }, backtest: { timeframe: '15m', detail: '1h' } }));
    await expect(cli('backtest', '--config', 'bad.json', ...range)).rejects.toThrow(/--config backtest\.detail: must be a timeframe shorter than the stepped timeframe/);
  });
});

describe('backtests.start with detail candles and the conservative model (real BTC 1h, 15m detail)', () => {
  let app: TestApp;
  let alice: HttpCaller;
  const ok = (r: { status: number; body: any }) => {
    if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${JSON.stringify(r.body?.error?.message ?? r.body)}`);
    return r.body.result.data;
  };
  beforeAll(async () => {
    app = await startTestApp();
    await app.services.auth.addUser('alice@test.local', 'alice-password-1', 'trader');
    alice = new HttpCaller(app.base);
    await alice.login('alice@test.local', 'alice-password-1');
  });
  afterAll(async () => {
    await app?.close();
  });
  const config = { type: 'grid', marketType: 'spot', grid: { symbol: 'BTC/USDT', levels: 8, spacingPct: 0.3, sellOffsetPct: 0.4, orderSize: { mode: 'quote', value: '500' }, repricePct: 3 } };
  const from = Date.UTC(2024, 2, 1);
  const to = Date.UTC(2024, 2, 15);

  it('stores the assumptions with the result and returns them with it', async () => {
    const a: BacktestRunView = ok(await alice.call('backtests.start', { config, settings: { timeframe: '1h', detail: '15m' }, from, to }, 'mutation'));
    const b: BacktestRunView = ok(await alice.call('backtests.start', { config, settings: { timeframe: '1h', fillModel: 'conservative' }, from, to }, 'mutation'));
    await app.services.backtests.idle();
    const ra: BacktestResultView = ok(await alice.call('backtests.get', { id: a.id }, 'query'));
    const rb: BacktestResultView = ok(await alice.call('backtests.get', { id: b.id }, 'query'));
    expect(ra.run.status).toBe('done');
    expect(ra.run.settings).toMatchObject({ timeframe: '1h', detail: '15m' });
    expect(ra.assumptions).toEqual({ fillModel: 'path', detail: '15m', candles: 14 * 24, detailCandles: 14 * 24, detailMissing: 0, detailInconsistent: 0 });
    expect(ra.run.metrics!.sameCandleRoundTrips).toBeGreaterThan(0);
    expect(rb.assumptions).toMatchObject({ fillModel: 'conservative', detail: null });
    expect(rb.run.metrics!.sameCandleRoundTrips).toBe(0);
  });

  it('refuses detail candles that are not stored, and one not finer than the timeframe, naming settings.detail', async () => {
    const none = await alice.call('backtests.start', { config, settings: { timeframe: '15m', detail: '5m' }, from, to }, 'mutation');
    expect(none.status).toBe(400);
    expect(none.body.error.message).toMatch(/^settings\.detail: no stored 5m candles of BTC\/USDT on binance/);
    const coarse = await alice.call('backtests.start', { config, settings: { timeframe: '15m', detail: '1h' }, from, to }, 'mutation');
    expect(coarse.status).toBe(400);
    expect(coarse.body.error.message).toContain('settings.detail');
  });
});
