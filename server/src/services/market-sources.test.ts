import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CsvFundingSource } from './market-sources.js';

describe('CsvFundingSource', () => {
  it('serves the shipped Binance funding of perpetuals in (from, to], oldest first', () => {
    const f = new CsvFundingSource();
    const day = Date.UTC(2024, 7, 5);
    const got = f.between('BTC/USDT:USDT', day, day + 86_400_000);
    expect(got.map((x) => x.ts)).toEqual([day + 8 * 3_600_000, day + 16 * 3_600_000, day + 24 * 3_600_000]);
    expect(got.every((x) => /^-?\d+(\.\d+)?(e-?\d+)?$/i.test(x.rate))).toBe(true);
    expect(f.between('BTC/USDT:USDT', day + 8 * 3_600_000, day + 8 * 3_600_000)).toEqual([]);
  });

  it('has no funding for spot symbols or bases without a file', () => {
    const f = new CsvFundingSource();
    expect(f.between('BTC/USDT', 0, Date.UTC(2030, 0))).toEqual([]);
    expect(f.between('DOGE/USDT:USDT', 0, Date.UTC(2030, 0))).toEqual([]);
  });

  it('names the file and line of a malformed row', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'funding-'));
    writeFileSync(path.join(dir, 'BINANCE_XRPUSDT_funding.csv'), 'ts,rate\n1,0.0001\nabc,0.1\n');
    expect(() => new CsvFundingSource(dir)).toThrow('BINANCE_XRPUSDT_funding.csv line 3: expected "ts,rate", got "abc,0.1"');
  });
});
