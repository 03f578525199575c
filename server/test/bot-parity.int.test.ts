/**
 * Parity: for each bot type, a paper run on the replay feed (the real BotService, PaperExchange, MarketService
 * and detector of a running app, driven like the replay feed over the shipped candles) and a backtest over the
 * same candles (`loadBacktestJob` + `executeBacktestJob`, what the Backtests page and the CLI run) produce the
 * same fills (time, side, price, amount, fee), the same round trips and the same strategy notes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, asc, eq, like } from 'drizzle-orm';
import type { BotConfigInput, BotDetail, BotView, PublicAccount } from '@osprey/shared';
import { botConfigSchema } from '@osprey/shared';
import { fills as fillsTable } from '../src/adapters/db/schema/index.js';
import { ManualClock } from '../src/domain/ports.js';
import { executeBacktestJob, loadBacktestJob } from '../src/services/backtest-job.js';
import { HttpCaller, startTestApp, type TestApp } from './helpers/app.js';
import { ReplayDriver } from './helpers/replay-driver.js';

const START = Date.UTC(2024, 7, 5, 0, 0);
const M15 = 15 * 60_000;
const HOUR = 3_600_000;

let app: TestApp;
let clock: ManualClock;
let alice: HttpCaller;
let driver: ReplayDriver;
/** Start of the next run's window. */
let cursor = START;

const ok = (r: { status: number; body: any }) => {
  if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${JSON.stringify(r.body?.error?.message ?? r.body)}`);
  return r.body.result.data;
};

const settle = async () => {
  await app.services.market.idle();
  await app.services.trading.idle();
  await app.services.bots.idle();
};

beforeAll(async () => {
  clock = new ManualClock(START);
  app = await startTestApp({ OSPREY_REPLAY_START: new Date(START).toISOString(), OSPREY_SYMBOLS: 'BTC/USDT,ETH/USDT', OSPREY_SYNC_MS: '3600000' }, { marketClock: clock });
  await app.services.trading.start();
  await app.services.auth.addUser('alice@test.local', 'alice-password-1', 'trader');
  alice = new HttpCaller(app.base);
  await alice.login('alice@test.local', 'alice-password-1');
  clock.set(START);
  driver = new ReplayDriver(app, clock, ['BTC/USDT', 'ETH/USDT'], START, settle);
  await driver.init();
});
afterAll(async () => {
  await app?.close();
});

type Brief = { ts: number; symbol: string; side: string; price: string; amount: string; fee: string; clientOrderId: string | null };
const brief = (f: Brief) => `${new Date(f.ts).toISOString()} ${f.clientOrderId} ${f.symbol} ${f.side} ${f.amount} @ ${f.price} fee ${f.fee}`;

/**
 * Runs `config` as a bot on a fresh paper account over [START, START + hours] of the replay, then backtests
 * it over the same candles, and returns both fill and round-trip lists (up to the run's end).
 */
async function both(name: string, config: BotConfigInput, hours: number) {
  const cfg = botConfigSchema.parse(config);
  const account: PublicAccount = ok(await alice.call('accounts.create', { name, exchange: 'binance', marketType: cfg.marketType, mode: 'paper', paperBalances: { USDT: '10000' } }, 'mutation'));
  const bot: BotView = ok(await alice.call('bots.create', { name, accountId: account.id, config }, 'mutation'));
  // One continuous replay for all runs: each run starts at the candle after the previous one's end, and the
  // market (indicators, detector) sees every candle, as on a running server.
  const start = cursor;
  const end = start + hours * HOUR;
  if (start > START) await driver.runTo(start - M15 / 3);
  clock.set(start);
  ok(await alice.call('bots.start', { id: bot.id }, 'mutation'));
  await driver.runTo(end);
  cursor = end + M15;
  ok(await alice.call('bots.stop', { id: bot.id, cancelOrders: false }, 'mutation'));
  const prefix = `b${bot.id.replace(/-/g, '').slice(0, 12)}x`;
  const paperFills = await app.services.database.db
    .select()
    .from(fillsTable)
    .where(and(eq(fillsTable.accountId, account.id), like(fillsTable.clientOrderId, `${prefix}%`)))
    .orderBy(asc(fillsTable.ts), asc(fillsTable.clientOrderId));
  const detail: BotDetail = ok(await alice.call('bots.get', { id: bot.id }, 'query'));

  const job = await loadBacktestJob(app.services.database.db, {
    botId: bot.id,
    config: cfg,
    settings: { timeframe: '15m', balances: { USDT: '10000' }, slippageBps: 5 },
    exchange: 'binance',
    from: start,
    to: end + M15,
  });
  const bt = executeBacktestJob(job);
  const sortKey = (a: Brief, b: Brief) => a.ts - b.ts || String(a.clientOrderId).localeCompare(String(b.clientOrderId));
  return {
    paper: paperFills.map(brief),
    backtest: bt.fills.filter((f) => f.ts <= end).sort(sortKey).map(brief),
    paperTrades: detail.trades.map((t) => JSON.stringify(t)),
    backtestTrades: bt.trades.filter((t) => t.closedAt <= end).map((t) => JSON.stringify(t)),
    // The strategy's notes (lifecycle events of the service left out), oldest first.
    paperNotes: detail.events
      .filter((e) => !['started', 'stopped', 'resumed'].includes(e.code))
      .reverse()
      .map((e) => `${e.ts} ${e.code}`),
    backtestNotes: bt.events.filter((e) => e.ts <= end).map((e) => `${e.ts} ${e.code}`),
  };
}

describe('backtest vs paper run on the replay feed: identical trade lists', () => {
  it('signal bot on one symbol: the same notes too (signals of other symbols never reach it)', async () => {
    const r = await both('signal1', { type: 'signal', marketType: 'spot', signal: { symbols: ['BTC/USDT'], minScore: 12 } }, 24);
    expect(r.paperNotes.length).toBeGreaterThan(0);
    expect(r.paperNotes).toEqual(r.backtestNotes);
    expect(r.paper).toEqual(r.backtest);
  });

  it('signal bot (spot BTC/USDT, detector signals, ATR stops)', async () => {
    const r = await both('signal', { type: 'signal', marketType: 'spot', signal: { symbols: ['BTC/USDT', 'ETH/USDT'], minScore: 15, sizing: { mode: 'quote', value: '500' }, stopAtrMult: 1.5, takeProfitAtrMult: 2 } }, 48);
    expect(r.paper.length).toBeGreaterThan(1);
    expect(r.paper).toEqual(r.backtest);
    expect(r.paperTrades).toEqual(r.backtestTrades);
    expect(r.paperNotes).toEqual(r.backtestNotes);
  });

  it('grid bot (spot BTC/USDT)', async () => {
    const r = await both('grid', { type: 'grid', marketType: 'spot', grid: { symbol: 'BTC/USDT', levels: 5, spacingPct: 0.4, sellOffsetPct: 0.5, orderSize: { mode: 'quote', value: '400' }, repricePct: 2 } }, 36);
    expect(r.paper.length).toBeGreaterThan(6);
    expect(r.paper).toEqual(r.backtest);
    expect(r.paperTrades.length).toBeGreaterThan(2);
    expect(r.paperTrades).toEqual(r.backtestTrades);
    expect(r.paperNotes).toEqual(r.backtestNotes);
  });

  it('DCA spread bot (perpetuals BTC/ETH)', async () => {
    const r = await both(
      'spread',
      { type: 'spread', marketType: 'swap', leverage: 2, spread: { symbolA: 'BTC/USDT:USDT', symbolB: 'ETH/USDT:USDT', entryPct: 1, stepPct: 0.75, maxAdds: 3, orderQuote: '300', takeProfitRevertPct: 0.6, takeProfitPct: 1.5, stopLossPct: 5 } },
      48,
    );
    expect(r.paper.length).toBeGreaterThan(3);
    expect(r.paper).toEqual(r.backtest);
    expect(r.paperTrades).toEqual(r.backtestTrades);
    expect(r.paperNotes).toEqual(r.backtestNotes);
  });

});
