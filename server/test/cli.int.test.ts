import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { INDICATOR_COLUMNS_15M } from '@osprey/shared';
import { run } from '../src/cli/main.js';
import { demoCsvPath } from '../src/services/demo-data.js';

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
