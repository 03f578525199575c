/**
 * Crash safety with real processes: the server (`src/main.ts`) runs a paper grid bot and a paper DCA spread bot
 * on the replay feed at high speed, and is killed with SIGKILL several times at random instants and restarted on
 * the same database — Postgres (a database of its own) and PGlite (a data folder on disk). Then, from the
 * database the last (graceful) stop left:
 * - no fill lost: every fill of a bot in the account's fills table was delivered to the bot (its runtime's seen
 *   fills), the fills table equals the paper venue's own fills, and the grid's levels and round trips account
 *   for every fill (a bought level holds exactly its buy, every sell closed a round trip), so the bot's holdings
 *   match the account's balance up to the fee dust below the amount step;
 * - no order doubled: every clientOrderId is used once at the venue, and the bot's open orders at the venue are
 *   exactly the orders it has in flight;
 * - bot state resumed: the bots stay `running`, each restart's runner takes over the dead process's lease and
 *   trades again within seconds (not after the 30 s lease), and trading goes on after the last restart.
 * Runtime ≈ 30–60 s per database, mostly process start-ups (env `CRASH_KILLS`, default 3 kills each; `CRASH_SEED`
 * replays a run's timings).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import Decimal from 'decimal.js';
import { eq } from 'drizzle-orm';
import type { BotConfig, BotView, PublicAccount } from '@osprey/shared';
import { openDatabase, type Database } from '../src/adapters/db/client.js';
import { bots as botsTable, botTrades, fills as fillsTable, orders as ordersTable, paperState } from '../src/adapters/db/schema/index.js';
import type { PaperExchangeSnapshot } from '../src/adapters/exchange/paper-exchange.js';
import { paperMarkets } from '../src/adapters/exchange/paper-markets.js';
import { createBotStrategy } from '../src/domain/bots/factory.js';
import type { GridState } from '../src/domain/bots/grid.js';
import type { BotRuntime } from '../src/services/bot-runner.js';
import { ADMIN, HttpCaller, TEST_PG_URL } from './helpers/app.js';

const SERVER_DIR = path.resolve(__dirname, '..');
const MAIN = path.join(SERVER_DIR, 'src/main.ts');
const KILLS = Number(process.env.CRASH_KILLS ?? 3);
const SEED = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
/** Real ms the bots wait to resume after a restart before the run counts as failed (the old 30 s lease would exceed it). */
const RESUME_WITHIN_MS = 12_000;

/** Deterministic random numbers (mulberry32) so a failing run can be replayed with its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** One server process; its log lines are kept (printed only when a check fails). */
class ServerProcess {
  readonly lines: string[] = [];
  private readonly exited: Promise<number | null>;
  private constructor(
    readonly child: ChildProcess,
    readonly base: string,
  ) {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += String(d);
      const parts = buf.split('\n');
      buf = parts.pop()!;
      this.lines.push(...parts);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    this.exited = new Promise((r) => child.on('exit', (code) => r(code)));
  }

  /** Spawns `node --import tsx src/main.ts` (one process: the pid killed is the server's) and waits for `/health`. */
  static async start(env: Record<string, string>, port: number): Promise<{ server: ServerProcess; health: { feed: { now: number } } }> {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN], { cwd: SERVER_DIR, env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' } });
    const server = new ServerProcess(child, `http://127.0.0.1:${port}`);
    for (let i = 0; i < 300; i++) {
      const h = await fetch(`${server.base}/health`)
        .then((r) => (r.ok ? r.json() : undefined))
        .catch(() => undefined);
      if (h) return { server, health: h as { feed: { now: number } } };
      if (child.exitCode !== null) break;
      await sleep(200);
    }
    child.kill('SIGKILL');
    throw new Error(`server did not start:\n${server.lines.slice(-40).join('\n')}`);
  }

  /** SIGKILL, and waits until the process is gone. */
  async kill9(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (graceful stop). @returns the exit code */
  async stop(): Promise<number | null> {
    this.child.kill('SIGTERM');
    return this.exited;
  }

  /** Log lines whose message contains `text`. */
  logged(text: string): number {
    return this.lines.filter((l) => l.includes(text)).length;
  }
}

const ok = (r: { status: number; body: any }) => {
  if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${JSON.stringify(r.body?.error?.message ?? r.body)}`);
  return r.body.result.data;
};

const GRID: BotConfig = {
  type: 'grid',
  marketType: 'spot',
  leverage: 1,
  risk: {},
  grid: { symbol: 'BTC/USDT', levels: 5, spacingPct: 0.1, sellOffsetPct: 0.1, orderSize: { mode: 'quote', value: '250' }, repricePct: 0.6 },
} as BotConfig;
const SPREAD: BotConfig = {
  type: 'spread',
  marketType: 'spot',
  leverage: 1,
  risk: {},
  spread: { symbolA: 'ETH/USDT', symbolB: 'BTC/USDT', entryPct: 0.15, stepPct: 0.15, sizeMultiplier: 1, maxAdds: 2, orderQuote: '300', takeProfitRevertPct: 0.1, takeProfitPct: 0.15, stopLossPct: 3 },
} as BotConfig;

const prefixOf = (botId: string) => `b${botId.replace(/[^A-Za-z0-9]/g, '').slice(0, 12)}x`;

/** The bots' `updatedAt` now, by id. */
async function stamps(caller: HttpCaller): Promise<Map<string, number>> {
  const list = ok(await caller.call('bots.list', undefined, 'query')) as BotView[];
  return new Map(list.map((b) => [b.id, b.updatedAt]));
}

/**
 * Waits until the runner of every bot wrote its state again (its `updatedAt` differs from `before`: runner
 * writes stamp market time, which after a restart may even be earlier) while the bot is `running`.
 * @returns real ms waited (Infinity after `timeoutMs`)
 */
async function waitResumed(caller: HttpCaller, before: Map<string, number>, timeoutMs = 45_000): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    const list = (await caller.call('bots.list', undefined, 'query').catch(() => null))?.body?.result?.data as BotView[] | undefined;
    if (list && [...before].every(([id, at]) => list.some((b) => b.id === id && b.status === 'running' && b.updatedAt !== at))) return Date.now() - t0;
    await sleep(150);
  }
  return Infinity;
}

interface Run {
  /** Real ms from each restart's health to both bots running again. */
  resumeMs: number[];
  /** Lease takeovers logged per restart. */
  takeovers: number[];
  /** Market time of the last restart. */
  lastRestartAt: number;
  gridId: string;
  spreadId: string;
  gridAccount: string;
  spreadAccount: string;
  logs: string[];
}

/** Starts the server on `env`, creates the bots, kills and restarts it {@link KILLS} times, then stops it gracefully. */
async function crashRun(env: Record<string, string>, random: () => number): Promise<Run> {
  const port = await freePort();
  let { server, health } = await ServerProcess.start(env, port);
  const logs: string[] = [];
  try {
    const caller = new HttpCaller(server.base);
    await caller.login(ADMIN.email, ADMIN.password);
    const gridAcc: PublicAccount = ok(await caller.call('accounts.create', { name: 'Grid paper', exchange: 'binance', marketType: 'spot', mode: 'paper', paperBalances: { USDT: '10000' } }, 'mutation'));
    const spreadAcc: PublicAccount = ok(await caller.call('accounts.create', { name: 'Spread paper', exchange: 'binance', marketType: 'spot', mode: 'paper', paperBalances: { USDT: '10000' } }, 'mutation'));
    const grid: BotView = ok(await caller.call('bots.create', { name: 'grid', accountId: gridAcc.id, config: GRID }, 'mutation'));
    const spread: BotView = ok(await caller.call('bots.create', { name: 'spread', accountId: spreadAcc.id, config: SPREAD }, 'mutation'));
    ok(await caller.call('bots.start', { id: grid.id }, 'mutation'));
    ok(await caller.call('bots.start', { id: spread.id }, 'mutation'));
    expect(await waitResumed(caller, await stamps(caller))).toBeLessThan(Infinity);
    const run: Run = { resumeMs: [], takeovers: [], lastRestartAt: 0, gridId: grid.id, spreadId: spread.id, gridAccount: gridAcc.id, spreadAccount: spreadAcc.id, logs };
    const takeovers = () => server.logged('bot lease taken over from a process that is gone');
    for (let k = 0; k < KILLS; k++) {
      await sleep(500 + random() * 2000);
      if (k > 0) run.takeovers.push(takeovers());
      await server.kill9();
      logs.push(...server.lines.slice(-30));
      ({ server, health } = await ServerProcess.start(env, port));
      run.lastRestartAt = health.feed.now;
      const c = new HttpCaller(server.base);
      await c.login(ADMIN.email, ADMIN.password);
      run.resumeMs.push(await waitResumed(c, await stamps(c)));
    }
    // Trading goes on after the last restart.
    await sleep(2000);
    if (KILLS > 0) run.takeovers.push(takeovers());
    logs.push(...server.lines.slice(-30));
    expect(await server.stop()).toBe(0);
    return run;
  } catch (err) {
    await server.kill9().catch(() => undefined);
    throw err;
  }
}

/** The checks on the database a crash run left (see the module doc). */
async function checkDatabase(database: Database, run: Run, context: string): Promise<{ gridFills: number; spreadFills: number }> {
  const db = database.db;
  const msg = (what: string) => `${context}: ${what}`;
  const markets = paperMarkets('spot');
  const counts: number[] = [];
  for (const [botId, accountId] of [
    [run.gridId, run.gridAccount],
    [run.spreadId, run.spreadAccount],
  ] as const) {
    const [bot] = await db.select().from(botsTable).where(eq(botsTable.id, botId));
    expect(bot!.status, msg('bot still running')).toBe('running');
    const rt = bot!.runtime as unknown as BotRuntime;
    const prefix = prefixOf(botId);
    const rows = (await db.select().from(fillsTable).where(eq(fillsTable.accountId, accountId))).filter((f) => f.clientOrderId?.startsWith(prefix));
    expect(rows.length, msg('fewer than 1000 fills (all remembered as seen)')).toBeLessThan(1000);
    // No fill lost: every fill the venue made for the bot reached the bot.
    const notDelivered = rows.filter((f) => !rt.seenFills.includes(f.exchangeFillId));
    const where = (cid: string) => (cid in rt.working ? 'in flight' : rt.outbox.some((i) => i.type === 'place' && i.order.clientOrderId === cid) ? 'in the outbox' : 'not tracked');
    expect(
      notDelivered.map((f) => `${f.clientOrderId} ${f.side} ${f.amount} @ ${f.price} ts ${new Date(f.ts).toISOString()} (order ${where(f.clientOrderId!)})`),
      msg(`fills in the fills table the ${bot!.type} bot never received`),
    ).toEqual([]);
    const [ps] = await db.select().from(paperState).where(eq(paperState.accountId, accountId));
    const engine = (ps!.state as unknown as PaperExchangeSnapshot).engine.state;
    // The fills table is the venue's: nothing missing, nothing the venue does not know.
    const venueFills = engine.fills.filter((f) => f.clientOrderId?.startsWith(prefix));
    expect(rows.map((f) => f.exchangeFillId).sort(), msg('fills table = the paper venue fills')).toEqual(venueFills.map((f) => f.id).sort());
    // No order doubled; the bot's open orders at the venue are exactly those it has in flight (or is about to send).
    const cids = engine.orders.map((o) => o.clientOrderId).filter((c): c is string => c !== null);
    expect(cids.length, msg('every clientOrderId used once at the venue')).toBe(new Set(cids).size);
    const orderRows = await db.select().from(ordersTable).where(eq(ordersTable.accountId, accountId));
    expect(orderRows.length, msg('orders table: one row per clientOrderId')).toBe(new Set(orderRows.map((o) => o.clientOrderId)).size);
    const outbox = new Set(rt.outbox.flatMap((i) => (i.type === 'place' ? [i.order.clientOrderId] : [])));
    const openAtVenue = engine.orders.filter((o) => o.status === 'open' && o.clientOrderId?.startsWith(prefix)).map((o) => o.clientOrderId!);
    expect(openAtVenue.filter((c) => !(c in rt.working)).sort(), msg('open orders at the venue the bot does not know it has')).toEqual([]);
    expect(Object.keys(rt.working).filter((c) => !openAtVenue.includes(c) && !outbox.has(c)).sort(), msg('orders in flight the venue does not have open')).toEqual([]);
    // Holdings: the account's base balance = the bot's held lots + fee dust (< one amount step per buy fill).
    const strategy = createBotStrategy(botId, bot!.config);
    for (const sym of strategy.symbols) {
      const m = markets[sym]!;
      const held = strategy.held(rt.strategy).filter((l) => l.symbol === sym).reduce((s, l) => s.plus(l.amount), new Decimal(0));
      const balance = new Decimal(engine.balances[m.base]?.free ?? '0').plus(engine.balances[m.base]?.used ?? '0');
      const buys = venueFills.filter((f) => f.symbol === sym && f.side === 'buy').length;
      const dust = balance.minus(held);
      expect(dust.gte(0) && dust.lt(new Decimal(m.amountStep).mul(buys + 1)), msg(`${sym}: account holds ${balance.toFixed()} ${m.base}, the bot ${held.toFixed()} (${buys} buys)`)).toBe(true);
    }
    // Trading went on after the last restart.
    expect(rows.some((f) => f.ts > run.lastRestartAt) || bot!.updatedAt > run.lastRestartAt, msg('the bot traded after the last restart')).toBe(true);
    counts.push(rows.length);
    if (bot!.type === 'grid') {
      // The grid accounts for every fill: a holding level holds exactly its (net) buy, every sell closed a round trip.
      const st = ((rt.strategy as { inner?: GridState }).inner ?? rt.strategy) as GridState;
      const trips = await db.select().from(botTrades).where(eq(botTrades.botId, botId));
      const byCid = new Map<string, typeof rows>();
      for (const f of rows) byCid.set(f.clientOrderId!, [...(byCid.get(f.clientOrderId!) ?? []), f]);
      const m = markets['BTC/USDT']!;
      for (const lv of st.levels) {
        if (lv.status === 'buying' || lv.status === 'cancelling') expect(byCid.get(lv.buyId!), msg(`level ${lv.index} still ${lv.status} on ${lv.buyId}, which filled`)).toBeUndefined();
        if (lv.status === 'holding') {
          const [buy] = byCid.get(lv.entry!.clientOrderId) ?? [];
          expect(buy, msg(`level ${lv.index} holds a buy with no fill`)).toBeDefined();
          const net = new Decimal(buy!.amount).minus(buy!.feeCurrency === 'BTC' ? buy!.fee : '0');
          expect(new Decimal(lv.entry!.amount).eq(net.div(m.amountStep).floor().mul(m.amountStep)), msg(`level ${lv.index} holds ${lv.entry!.amount}, its buy ${net.toFixed()}`)).toBe(true);
          if (lv.sellId) expect(byCid.get(lv.sellId), msg(`level ${lv.index} holding with a sell ${lv.sellId} that filled`)).toBeUndefined();
        }
      }
      const sells = rows.filter((f) => f.side === 'sell');
      expect(trips.length, msg('one round trip per sell fill')).toBe(sells.length);
      expect(st.roundTrips, msg('round trips counted in the state')).toBe(sells.length);
      expect(new Set(trips.map((t) => t.exitClientOrderId)), msg('round trips closed by the sells')).toEqual(new Set(sells.map((f) => f.clientOrderId!)));
      const entries = new Set([...trips.map((t) => t.entryClientOrderId), ...st.levels.flatMap((l) => (l.status === 'holding' ? [l.entry!.clientOrderId] : []))]);
      expect(rows.filter((f) => f.side === 'buy' && !entries.has(f.clientOrderId!)).map((f) => f.clientOrderId), msg('buy fills neither held nor sold')).toEqual([]);
    }
  }
  return { gridFills: counts[0]!, spreadFills: counts[1]! };
}

const baseEnv = {
  ADMIN_EMAIL: ADMIN.email,
  ADMIN_PASSWORD: ADMIN.password,
  OSPREY_SYMBOLS: 'BTC/USDT,ETH/USDT',
  OSPREY_REPLAY_START: '2024-08-10T00:00:00Z', // a ranging market: the grid trades both ways
  OSPREY_REPLAY_SPEED: '3600',
  OSPREY_REPLAY_TICK_MS: '100',
  OSPREY_SYNC_MS: '5000',
  LOG_LEVEL: 'info',
};

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

describe(`kill -9 with restarts, seed ${SEED}`, () => {
  it('on Postgres: no fill lost, no order doubled, bots resume at once and trade on', { timeout: 170_000 }, async () => {
    const dbName = `osprey_crash_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: TEST_PG_URL });
    await admin.connect();
    await admin.query(`create database ${dbName}`);
    const url = new URL(TEST_PG_URL);
    url.pathname = `/${dbName}`;
    const dir = mkdtempSync(path.join(tmpdir(), 'osprey-crash-pg-'));
    cleanups.push(async () => {
      rmSync(dir, { recursive: true, force: true });
      await admin.query(`drop database if exists ${dbName} with (force)`);
      await admin.end();
    });
    const run = await crashRun({ ...baseEnv, DATABASE_URL: url.toString(), OSPREY_DATA_DIR: dir }, rng(SEED));
    await verify(await openDatabase({ databaseUrl: url.toString(), dataDir: dir }), run, 'Postgres');
  });

  it('on PGlite (a data folder): no fill lost, no order doubled, bots resume at once and trade on', { timeout: 170_000 }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'osprey-crash-pglite-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const run = await crashRun({ ...baseEnv, OSPREY_DATA_DIR: dir }, rng(SEED + 1));
    await verify(await openDatabase({ dataDir: dir }), run, 'PGlite');
  });
});

async function verify(database: Database, run: Run, name: string): Promise<void> {
  try {
    const context = `${name}, seed ${SEED}, resumed after ${run.resumeMs.join('/')} ms`;
    try {
      const n = await checkDatabase(database, run, context);
      process.stdout.write(`${context}: ${n.gridFills} grid fills, ${n.spreadFills} spread fills, all delivered\n`);
      expect(n.gridFills, `${context}: the grid traded`).toBeGreaterThan(10);
    } catch (err) {
      process.stderr.write(`${context}\nlast log lines:\n${run.logs.slice(-60).join('\n')}\n`);
      throw err;
    }
    for (const ms of run.resumeMs) expect(ms, `${context}: bots trading again within ${RESUME_WITHIN_MS} ms of a restart`).toBeLessThan(RESUME_WITHIN_MS);
    expect(run.takeovers, `${context}: each restart took both dead leases over at once`).toEqual(run.resumeMs.map(() => 2));
  } finally {
    await database.close();
  }
}
