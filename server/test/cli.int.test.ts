import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { INDICATOR_COLUMNS_15M } from '@osprey/shared';
import { run } from '../src/cli/main.js';
import { demoCsvPath } from '../src/services/demo-data.js';
import { COMMANDS } from '../src/cli/usage.js';

let dir: string;
const saved = { ...process.env };
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'osprey-cli-'));
  process.env.OSPREY_DATA_DIR = dir;
  process.env.INIT_CWD = dir;
});
afterAll(() => {
  process.env = saved;
  rmSync(dir, { recursive: true, force: true });
});

async function cli(...argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await run(argv, (s) => (out += s));
  return { code, out };
}

describe('osprey CLI', () => {
  it('indicators: header ts + the 15m columns in order, one row per candle, blanks before warm-up', async () => {
    const { code, out } = await cli('indicators', '--csv', demoCsvPath('BTC/USDT', '15m'));
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toBe(['ts', ...INDICATOR_COLUMNS_15M].join(','));
    expect(lines).toHaveLength(23904 + 1);
    // First candle: only OBV is defined (TA-Lib: OBV[0] = volume[0]); every other cell is blank.
    const first = lines[1]!.split(',');
    expect(first[0]).toBe(String(Date.UTC(2024, 0, 1)));
    INDICATOR_COLUMNS_15M.forEach((col, i) => expect([col, first[i + 1]]).toEqual([col, col === 'obv' ? '431.71082' : '']));
    const late = lines[1000]!.split(',');
    expect(late.every((v) => v !== '' && Number.isFinite(Number(v)))).toBe(true);
  });

  it('import then detect: JSON lines of signals inside the range', async () => {
    const csv = path.join(dir, 'eth.csv');
    writeFileSync(csv, 'ts,open,high,low,close,volume\n1704067200000,1,2,0.5,1.5,10\n1704068100000,1.5,2,1,1.2,11\n');
    const imp = await cli('import', '--csv', 'eth.csv', '--exchange', 'kraken', '--symbol', 'ETH/USD', '--timeframe', '15m');
    expect(imp).toEqual({ code: 0, out: 'imported 2 candles into kraken ETH/USD 15m\n' });

    const { code, out } = await cli('detect', '--exchange', 'binance', '--symbol', 'BTC/USDT', '--from', '2024-03-01T00:00:00Z', '--to', '2024-03-02T00:00:00Z');
    expect(code).toBe(0);
    const signals = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(signals.length).toBeGreaterThan(0);
    for (const s of signals) {
      expect(s.candleTs).toBeGreaterThanOrEqual(Date.UTC(2024, 2, 1));
      expect(s.candleTs).toBeLessThanOrEqual(Date.UTC(2024, 2, 2));
      expect(s).toMatchObject({ exchange: 'binance', symbol: 'BTC/USDT' });
      expect(s.expiresAt - s.createdAt).toBe(4 * 3_600_000);
    }
  });

  it('fails with a message on stderr and a non-zero exit for bad input', () => {
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, 'ts,open,high,low,close,volume\n1704067200000,1,0.5,0.9,1,10\n');
    const tsx = path.resolve(__dirname, '../node_modules/.bin/tsx');
    const main = path.resolve(__dirname, '../src/cli/main.ts');
    const r = spawnSync(tsx, [main, 'indicators', '--csv', bad], { encoding: 'utf8', env: { ...process.env, INIT_CWD: dir } });
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/high/);
    const u = spawnSync(tsx, [main, 'detect', '--symbol', 'BTC/USDT'], { encoding: 'utf8' });
    expect(u.status).toBe(2);
    expect(u.stderr).toMatch(/--exchange|--from/);
  });
});

describe('osprey CLI --help (the real CLI, spawned)', () => {
  const tsx = path.resolve(__dirname, '../node_modules/.bin/tsx');
  const main = path.resolve(__dirname, '../src/cli/main.ts');
  const osprey = (...args: string[]) => spawnSync(tsx, [main, ...args], { encoding: 'utf8', env: { ...process.env, INIT_CWD: dir } });
  const names = COMMANDS.map((c) => c.name);

  it('no command, --help, -h and help: the command list, exit 0', () => {
    for (const args of [[], ['--help'], ['-h'], ['help']]) {
      const r = osprey(...args);
      expect([args, r.status, r.stderr]).toEqual([args, 0, '']);
      expect(r.stdout).toMatch(/^Usage: pnpm osprey <command> \[options\]/);
      for (const n of ['import', 'indicators', 'detect', 'users add', 'backtest']) expect(r.stdout).toContain(`\n  ${n} `);
      expect(r.stdout).toContain('pnpm osprey <command> --help');
    }
  });

  it.each(COMMANDS.map((c) => [c.name, c] as const))('%s --help: its usage, options and an example, exit 0 (and -h the same)', async (_name, cmd) => {
    const r = osprey(cmd.name, '--help');
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout.startsWith(`Usage: pnpm osprey ${cmd.synopsis}\n`)).toBe(true);
    for (const o of cmd.options) expect(r.stdout).toMatch(new RegExp(`\n  --${o.name}${o.value ? ` ${o.value.replace('.', '\\.')}` : ''} +\\S`));
    expect(r.stdout).toMatch(/\nOptions:\n[\s\S]*--help +show this help/);
    expect(r.stdout).toMatch(new RegExp(`\nExamples?:\n  pnpm osprey ${cmd.name} `));
    expect(await cli(cmd.name, '-h')).toEqual({ code: 0, out: r.stdout });
    expect(await cli('help', cmd.name)).toEqual({ code: 0, out: r.stdout });
  });

  it('--help wins over other (even invalid or missing) options; the commands and their help details', async () => {
    expect(names).toEqual(['import', 'indicators', 'detect', 'users', 'backtest', 'export', 'help']);
    const backtest = (await cli('backtest', '--help')).out;
    expect(backtest).toContain('"maxOpenPositions"');
    expect(backtest).toMatch(/--exchange ID +.*\(default binance\)/);
    expect(osprey('backtest', '--config', 'missing.json', '--bogus', '-h')).toMatchObject({ status: 0, stdout: backtest, stderr: '' });
    expect(await cli('users', 'add', '--help')).toEqual(await cli('users', '--help'));
    expect((await cli('indicators', '--help')).out).toMatch(/--timeframe TF +.*\(default 15m\)/);
    expect((await cli('import', '--help')).out).toMatch(/--csv FILE +.*\(required\)/);
  });

  it('usage errors name the option and print that command\'s usage on stderr, exit 2', async () => {
    const unknown = osprey('indicators', '--bogus');
    expect(unknown.status).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toMatch(/^error: indicators: unknown option --bogus\n\nUsage: pnpm osprey indicators --csv FILE/);
    expect(osprey('backtest', '--from', '2024-01-01')).toMatchObject({ status: 2, stderr: expect.stringMatching(/^error: --config is required\n--to is required\n\nUsage: pnpm osprey backtest /) });
    const none = osprey('nope');
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/^error: unknown command: nope .*\n\nUsage: pnpm osprey <command> \[options\]/);
    // The same errors in-process (the spawned CLI prints them as above).
    const usage = (name: string) => expect.objectContaining({ name: 'UsageError', command: expect.objectContaining({ name }) });
    await expect(cli('indicators', '--csv')).rejects.toThrow(/^--csv: needs a value \(--csv FILE\)$/);
    await expect(cli('indicators', '--csv')).rejects.toEqual(usage('indicators'));
    await expect(cli('backtest', '--json=yes')).rejects.toThrow(/^--json: is a flag and takes no value$/);
    await expect(cli('backtest', '--config', 'g.json', '--from', 'x', '--to', '2024-01-01')).rejects.toEqual(usage('backtest'));
    await expect(cli('indicators', 'x.csv')).rejects.toThrow(/^indicators: unexpected argument x\.csv$/);
    await expect(cli('users', 'remove')).rejects.toThrow(/^users: unknown subcommand remove/);
    await expect(cli('users', '--password', '-x')).rejects.toThrow(/^--password: the value starts with "-"; write it as --password=VALUE$/);
    await expect(cli('help', 'nope')).rejects.toThrow(/^help: unknown command nope \(commands: import, indicators, detect, users, backtest, export, help\)$/);
  });

  it('through pnpm from the repo root: `pnpm osprey backtest --help` prints the usage, exit 0', () => {
    const r = spawnSync('npx', ['-y', 'pnpm@10', 'osprey', 'backtest', '--help'], { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(osprey('backtest', '--help').stdout);
  });
});
