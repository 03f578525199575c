import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Decimal from 'decimal.js';
import { run } from '../src/cli/main.js';

let dir: string;
const saved = { ...process.env };
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'osprey-bt-cli-'));
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

const config = (name: string, body: object) => {
  writeFileSync(path.join(dir, name), JSON.stringify(body));
  return name;
};
const grid = { levels: 5, spacingPct: 0.5, sellOffsetPct: 0.6, orderSize: { mode: 'quote', value: '500' }, repricePct: 3 };
const range = ['--from', '2024-02-01T00:00:00Z', '--to', '2024-02-14T23:59:59Z'];

describe('osprey backtest', () => {
  it('--json --trades: one metrics object, then the round trips as JSON lines', async () => {
    const file = config('grid.json', { type: 'grid', marketType: 'spot', grid: { symbol: 'BTC/USDT', ...grid }, backtest: { balances: { USDT: '10000' } } });
    const { code, out } = await cli('backtest', '--config', file, ...range, '--json', '--trades');
    expect(code).toBe(0);
    const [head, ...rest] = out.trimEnd().split('\n');
    const m = JSON.parse(head!);
    expect(m.candles).toBe(14 * 96);
    expect(m.startEquity).toBe('10000');
    expect(m.roundTrips).toBe(rest.length);
    expect(m.roundTrips).toBeGreaterThan(0);
    const trades = rest.map((l) => JSON.parse(l));
    let sum = new Decimal(0);
    for (const t of trades) {
      expect(t.openedAt).toBeGreaterThanOrEqual(Date.UTC(2024, 1, 1));
      expect(t.closedAt).toBeLessThanOrEqual(Date.UTC(2024, 1, 15));
      expect(t.pnl).toBe(new Decimal(t.exitPrice).minus(t.entryPrice).mul(t.amount).minus(t.entryFee).minus(t.exitFee).toFixed());
      sum = sum.plus(t.pnl);
    }
    expect(sum.gt(0)).toBe(true);
    for (const k of ['totalReturnPct', 'maxDrawdownPct', 'sharpe', 'sortino', 'winRatePct', 'profitFactor', 'avgHoldingMs', 'exposurePct', 'feesPaid']) expect(m).toHaveProperty(k);
    // same run again → the same output (deterministic)
    expect((await cli('backtest', '--config', file, ...range, '--json', '--trades')).out).toBe(out);
  });

  it('human text by default; perpetual config', async () => {
    const file = config('perp.json', { type: 'grid', marketType: 'swap', leverage: 2, grid: { symbol: 'BTC/USDT:USDT', ...grid, orderSize: { mode: 'base', value: '0.01' } }, backtest: { balances: { USDT: '5000' } } });
    const { code, out } = await cli('backtest', '--config', file, ...range);
    expect(code).toBe(0);
    expect(out).toMatch(/^backtest grid BTC\/USDT:USDT swap 15m: 1344 candles 2024-02-01T00:00:00.000Z → 2024-02-14T23:45:00.000Z\n/);
    expect(out).toMatch(/\nequity {11}5000 → /);
    expect(out).toMatch(/\nsharpe \(daily\) {3}-?\d+\.\d\d\n/);
    expect(out).toMatch(/\nround trips {6}\d+\n/);
  });

  it('bad config and options are usage errors naming the field', async () => {
    await expect(cli('backtest', '--config', config('bad1.json', { type: 'grid', grid: { symbol: 'BTC/USDT', levels: 0 } }), ...range)).rejects.toThrow(/--config grid\.levels/);
    await expect(cli('backtest', '--config', config('bad2.json', { type: 'dca', grid: { symbol: 'BTC/USDT' } }), ...range)).rejects.toThrow(/--config type/);
    await expect(cli('backtest', '--config', config('bad3.json', { type: 'grid', grid: { symbol: 'DOGE/USDT' } }), ...range)).rejects.toThrow(/--config symbol: DOGE\/USDT is not a spot market/);
    await expect(cli('backtest', '--config', config('bad4.json', { type: 'grid', grid: { symbol: 'BTC/USDT' }, backtset: {} }), ...range)).rejects.toThrow(/--config \(root\): Unrecognized key: "backtset"/);
    await expect(cli('backtest', '--config', config('bad5.json', { type: 'grid', grid: { symbol: 'BTC/USDT' }, backtest: { slippageBps: -1 } }), ...range)).rejects.toThrow(/--config backtest\.slippageBps/);
    await expect(cli('backtest', '--config', 'missing.json', ...range)).rejects.toThrow(/--config: cannot read/);
    await expect(cli('backtest', ...range)).rejects.toThrow(/--config is required/);
    await expect(cli('backtest', '--config', 'grid.json', '--from', 'x', '--to', '2024-02-01')).rejects.toThrow(/--from: not an ISO date/);
  });

  it('runs every bot type from the bot form JSON: a DCA spread on perpetuals and a signal bot on detector signals', async () => {
    const spread = config('spread.json', { type: 'spread', marketType: 'swap', spread: { symbolA: 'ETH/USDT:USDT', symbolB: 'BTC/USDT:USDT', entryPct: 2, stepPct: 2, takeProfitRevertPct: 1 } });
    const s = await cli('backtest', '--config', spread, '--from', '2024-02-01T00:00:00Z', '--to', '2024-03-01T00:00:00Z', '--json', '--trades');
    expect(s.code).toBe(0);
    const [sHead, ...sTrips] = s.out.trimEnd().split('\n');
    const sm = JSON.parse(sHead!);
    expect(sm.candles).toBe(2 * 29 * 96);
    expect(sm.roundTrips).toBeGreaterThan(0);
    expect(new Set(sTrips.map((l) => JSON.parse(l).symbol))).toEqual(new Set(['ETH/USDT:USDT', 'BTC/USDT:USDT']));

    const signal = config('signal.json', { type: 'signal', marketType: 'spot', signal: { symbols: ['BTC/USDT'], minScore: 15 }, risk: { maxOpenPositions: 1 } });
    const g = await cli('backtest', '--config', signal, ...range, '--json');
    expect(g.code).toBe(0);
    const gm = JSON.parse(g.out);
    expect(gm.signals).toBeGreaterThan(0);
    expect(gm.roundTrips).toBeGreaterThan(0);
  });

  it('help lists the command; backtest --help documents the config schema', async () => {
    expect((await cli('help')).out).toMatch(/backtest --config FILE\.json --from ISO --to ISO \[--json\] \[--trades\]/);
    const { code, out } = await cli('backtest', '--help');
    expect(code).toBe(0);
    expect(out).toMatch(/^Usage: pnpm osprey backtest --config FILE\.json --from ISO --to ISO \[--json\] \[--trades\]/);
    expect(out).toMatch(/"maxOpenPositions"/);
  });
});
