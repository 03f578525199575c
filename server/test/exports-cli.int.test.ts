/**
 * `pnpm osprey export`, the real CLI spawned against a PGlite data dir holding a paper account's fills and equity and
 * a finished backtest run: the CSV on stdout or in --out, times in --tz with the exact Unix ms, decimals as stored,
 * the formula guard on hostile text, usage errors naming the option (exit 2), a missing account (exit 1), and the
 * same bytes through `pnpm` (nothing but data on stdout).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { openDatabase } from '../src/adapters/db/client.js';
import { insertAccount } from '../src/adapters/db/repos/accounts-repo.js';
import { insertBacktestRun } from '../src/adapters/db/repos/bots-repo.js';
import { insertFills, upsertEquitySnapshot } from '../src/adapters/db/repos/trading-repo.js';
import { systemClock } from '../src/adapters/clock.js';
import { parseCsvObjects } from '../src/domain/csv-export.js';
import { AuthService } from '../src/services/auth-service.js';
import { run, type UsageError } from '../src/cli/main.js';

const tsx = path.resolve(__dirname, '../node_modules/.bin/tsx');
const main = path.resolve(__dirname, '../src/cli/main.ts');
const T0 = Date.UTC(2024, 10, 3, 8, 30); // 01:30 PDT, an hour before the US clocks go back

let dir: string;
const accountId = randomUUID();
const runId = randomUUID();
const fills = [
  { ts: T0, side: 'buy' as const, price: '68000.123456789012345678', amount: '0.00100000', fee: '-0.068', cid: 'm1' },
  { ts: T0 + 3_600_000, side: 'sell' as const, price: '68100.5', amount: '0.001', fee: '0.0681005', cid: '=HYPERLINK("http://x","y")' },
  { ts: T0 + 86_400_000, side: 'buy' as const, price: '1', amount: '2', fee: '0', cid: 'late' },
];

/** The environment of the spawned CLI: the PGlite data dir, never a Postgres URL from the outer environment. */
const cliEnv = (extra: Record<string, string>) => {
  const env: Record<string, string | undefined> = { ...process.env, OSPREY_DATA_DIR: dir, ...extra };
  delete env.DATABASE_URL;
  return env;
};
const osprey = (...args: string[]) => spawnSync(tsx, [main, ...args], { encoding: 'utf8', env: cliEnv({ INIT_CWD: dir }) });

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'osprey-export-cli-'));
  const database = await openDatabase({ dataDir: dir });
  try {
    const db = database.db;
    const user = await new AuthService(db, systemClock, { sessionDays: 14 }).addUser('carol@test.local', 'carol-password-1', 'trader');
    await insertAccount(db, { id: accountId, userId: user.id, name: 'Carol paper', exchange: 'binance', marketType: 'spot', mode: 'paper', paperBalances: { USDT: '1000' }, createdAt: T0, updatedAt: T0 });
    await insertFills(
      db,
      fills.map((f, i) => ({ id: randomUUID(), accountId, orderId: `o${i}`, clientOrderId: f.cid, exchangeFillId: `f${i}`, symbol: 'BTC/USDT', side: f.side, price: f.price, amount: f.amount, fee: f.fee, feeCurrency: 'USDT', liquidity: 'taker' as const, ts: f.ts })),
    );
    await upsertEquitySnapshot(db, { accountId, ts: T0, equity: '1000.000000000000000001', balance: '1000', unrealizedPnl: '0' });
    const config = { type: 'grid' as const, marketType: 'spot' as const, leverage: 1, risk: {}, grid: { symbol: 'BTC/USDT', levels: 2, spacingPct: 1, sellOffsetPct: 1, orderSize: { mode: 'quote' as const, value: '100' }, repricePct: 5 } };
    await insertBacktestRun(db, {
      id: runId,
      userId: user.id,
      name: 'CLI run',
      type: 'grid',
      config: config as never,
      settings: { timeframe: '15m', balances: { USDT: '10000' }, slippageBps: 5 } as never,
      exchange: 'binance',
      fromTs: T0,
      toTs: T0 + 86_400_000,
      status: 'done',
      progress: 1,
      createdAt: T0,
      result: { equity: [{ ts: T0, equity: '10000', exposed: false }, { ts: T0 + 900_000, equity: '9999.123456789', exposed: true }], trades: [], fills: [] },
    });
  } finally {
    await database.close();
  }
}, 60_000);
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('pnpm osprey export', () => {
  it('fills to stdout: zone-named times, exact Unix ms and decimals, the formula guard, range [from, to)', { timeout: 60_000 }, () => {
    const r = osprey('export', 'fills', '--account', accountId, '--tz', 'America/Los_Angeles', '--to', new Date(T0 + 86_400_000).toISOString());
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout.split('\r\n')[0]).toBe('time (America/Los_Angeles),time_unix_ms,symbol,side,price,amount,fee,fee_currency,liquidity,fill_id,order_id,client_order_id');
    const rows = parseCsvObjects(r.stdout);
    expect(rows.map((x) => [x['time (America/Los_Angeles)'], Number(x.time_unix_ms), x.price, x.amount, x.fee, x.client_order_id])).toEqual([
      // Decimals exactly as stored (Postgres numeric keeps the scale it was given: 0.00100000).
      ['2024-11-03T01:30:00.000-07:00', T0, '68000.123456789012345678', '0.00100000', '-0.068', 'm1'],
      ['2024-11-03T01:30:00.000-08:00', T0 + 3_600_000, '68100.5', '0.001', '0.0681005', `'=HYPERLINK("http://x","y")`],
    ]);
  });

  it('--out writes the file and says how many rows; equity of an account and of a backtest run', { timeout: 120_000 }, () => {
    const r = osprey('export', 'equity', '--account', accountId, '--out', 'equity.csv');
    expect([r.status, r.stdout, r.stderr]).toEqual([0, 'wrote 1 row to equity.csv\n', '']);
    expect(readFileSync(path.join(dir, 'equity.csv'), 'utf8')).toBe(`time (UTC),time_unix_ms,equity\r\n2024-11-03T08:30:00.000+00:00,${T0},1000.000000000000000001\r\n`);
    const run = osprey('export', 'equity', '--run', runId, '--tz', 'Asia/Shanghai');
    expect(run.status).toBe(0);
    expect(parseCsvObjects(run.stdout)).toEqual([
      { 'time (Asia/Shanghai)': '2024-11-03T16:30:00.000+08:00', time_unix_ms: String(T0), equity: '10000' },
      { 'time (Asia/Shanghai)': '2024-11-03T16:45:00.000+08:00', time_unix_ms: String(T0 + 900_000), equity: '9999.123456789' },
    ]);
    expect(osprey('export', 'round-trips', '--run', runId).stdout).toBe('opened (UTC),opened_unix_ms,closed (UTC),closed_unix_ms,symbol,side,amount,entry_price,exit_price,entry_fee,exit_fee,pnl,entry_client_order_id,exit_client_order_id\r\n');
  });

  it('usage errors name the option or argument and print the usage (exit 2); a missing account exits 1', async () => {
    const cases: [string[], RegExp][] = [
      [['export'], /^export: say what to export: trades, orders, fills, equity or round-trips$/],
      [['export', 'candles', '--account', accountId], /^export: unknown table candles; one of trades/],
      [['export', 'round-trips', '--account', accountId], /^WHAT: an account exports trades, orders, fills, equity, not roundTrips$/],
      [['export', 'fills', '--account', accountId, '--tz', 'Mars/Olympus'], /^--tz: is not a time zone/],
      [['export', 'fills', '--account', 'nope'], /^--account: accountId must be an account id$/],
      [['export', 'fills', '--account', accountId, '--run', runId], /^--run: give exactly one of accountId, botId or runId$/],
      [['export', 'fills', '--account', accountId, '--from', 'yesterday'], /^--from: not an ISO date: yesterday$/],
      [['export', 'fills', '--account', accountId, '--from', '2024-12-01', '--to', '2024-11-01'], /^--to: must be after from$/],
    ];
    // In-process (the same `run` the binary calls) …
    for (const [args, re] of cases) {
      const err = await run(args, () => undefined).then(() => null, (e: unknown) => e as UsageError);
      expect([args, err?.name, err?.command?.name]).toEqual([args, 'UsageError', 'export']);
      expect(err!.message).toMatch(re);
    }
    // … and spawned: stderr, usage, exit codes.
    const bad = osprey('export', 'round-trips', '--account', accountId);
    expect([bad.status, bad.stdout]).toEqual([2, '']);
    expect(bad.stderr).toMatch(/^error: WHAT: an account exports trades, orders, fills, equity, not roundTrips\n\nUsage: pnpm osprey export /);
    const missing = osprey('export', 'fills', '--account', randomUUID());
    expect([missing.status, missing.stdout, missing.stderr]).toEqual([1, '', 'error: --account: no such account\n']);
  }, 120_000);

  it('through pnpm from the repo root: only the CSV on stdout', () => {
    const r = spawnSync('npx', ['-y', 'pnpm@10', 'osprey', 'export', 'fills', '--account', accountId, '--tz', 'UTC'], {
      cwd: path.resolve(__dirname, '../..'),
      encoding: 'utf8',
      env: cliEnv({}),
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(osprey('export', 'fills', '--account', accountId, '--tz', 'UTC').stdout);
    expect(parseCsvObjects(r.stdout)).toHaveLength(3);
  }, 120_000);
});
