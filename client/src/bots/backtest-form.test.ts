import { describe, expect, it } from 'vitest';
import type { BotConfig, CandleCoverage } from '@osprey/shared';
import { defaultConfigForm } from './bot-form.js';
import {
  backtestPrefillHash,
  defaultRange,
  emptyBacktestForm,
  msToZonedInput,
  parseBacktestPrefill,
  validateBacktestForm,
  zonedInputToMs,
  type BacktestFormState,
} from './backtest-form.js';

const DAY = 86_400_000;

describe('zoned date inputs', () => {
  it.each([
    ['UTC', Date.UTC(2024, 2, 1, 12, 30), '2024-03-01T12:30'],
    ['Asia/Shanghai', Date.UTC(2024, 2, 1, 12, 30), '2024-03-01T20:30'],
    ['America/New_York', Date.UTC(2024, 0, 15, 5, 0), '2024-01-15T00:00'],
    ['America/New_York', Date.UTC(2024, 6, 15, 4, 0), '2024-07-15T00:00'],
  ])('%s: %d ↔ %s', (tz, ms, text) => {
    expect(msToZonedInput(ms, tz)).toBe(text);
    expect(zonedInputToMs(text, tz)).toBe(ms);
  });

  it('resolves a wall time skipped by DST to the later offset', () => {
    // 2024-03-10 02:30 does not exist in New York (02:00 EST → 03:00 EDT).
    expect(zonedInputToMs('2024-03-10T02:30', 'America/New_York')).toBe(Date.UTC(2024, 2, 10, 7, 30));
  });

  it('reads an ambiguous wall time (clocks set back) at the earlier offset', () => {
    expect(zonedInputToMs('2024-11-03T01:30', 'America/New_York')).toBe(Date.UTC(2024, 10, 3, 5, 30));
  });

  it.each(['', '2024-13-01T00:00', '2024-02-30T10:00', '2024-02-01', 'yesterday'])('rejects %j', (text) => {
    expect(zonedInputToMs(text, 'UTC')).toBeNull();
  });
});

describe('defaultRange', () => {
  const cov = (symbol: string, from: number | null, to: number | null, count = 10): CandleCoverage => ({ symbol, from, to, count });
  const T0 = Date.UTC(2024, 0, 1);

  it('takes the last 30 days of one symbol, the end one candle after the last open time', () => {
    expect(defaultRange([cov('BTC/USDT', T0, T0 + 100 * DAY)], '15m')).toEqual({ from: T0 + 70 * DAY + 900_000, to: T0 + 100 * DAY + 900_000 });
  });

  it('starts no earlier than the stored candles', () => {
    expect(defaultRange([cov('BTC/USDT', T0, T0 + 5 * DAY)], '1h')).toEqual({ from: T0, to: T0 + 5 * DAY + 3_600_000 });
  });

  it('ends at the market clock (the replay\'s now), not at the end of the stored candles', () => {
    const now = T0 + 40 * DAY + 7 * 3_600_000 + 123_456; // 07:02:03 on day 40
    expect(defaultRange([cov('BTC/USDT', T0, T0 + 100 * DAY)], '15m', 30, now)).toEqual({ from: T0 + 10 * DAY + 7 * 3_600_000, to: T0 + 40 * DAY + 7 * 3_600_000 });
    expect(defaultRange([cov('BTC/USDT', T0, T0 + 100 * DAY)], '1d', 30, now)).toEqual({ from: T0 + 10 * DAY, to: T0 + 40 * DAY });
    // A clock past the stored candles (live feed) leaves the coverage end; one before them gives no range.
    expect(defaultRange([cov('BTC/USDT', T0, T0 + 5 * DAY)], '1h', 30, T0 + 50 * DAY)).toEqual({ from: T0, to: T0 + 5 * DAY + 3_600_000 });
    expect(defaultRange([cov('BTC/USDT', T0, T0 + 5 * DAY)], '1h', 30, T0 - DAY)).toBeNull();
  });

  it('uses the range every symbol covers', () => {
    const r = defaultRange([cov('ETH/USDT', T0 + 10 * DAY, T0 + 90 * DAY), cov('BTC/USDT', T0, T0 + 100 * DAY)], '15m', 7);
    expect(r).toEqual({ from: T0 + 83 * DAY + 900_000, to: T0 + 90 * DAY + 900_000 });
  });

  it.each([
    ['no coverage', []],
    ['a symbol without candles', [cov('BTC/USDT', null, null, 0)]],
    ['disjoint coverage', [cov('A/USDT', T0, T0 + DAY), cov('B/USDT', T0 + 2 * DAY, T0 + 3 * DAY)]],
  ])('is null with %s', (_l, c) => {
    expect(defaultRange(c, '15m')).toBeNull();
  });
});

describe('validateBacktestForm (backtestStartInputSchema)', () => {
  const base = (): BacktestFormState => ({ ...emptyBacktestForm(defaultConfigForm('spot')), from: '2024-03-01T00:00', to: '2024-03-31T00:00' });

  it('builds the start input with the range read in the user zone', () => {
    const r = validateBacktestForm({ ...base(), name: ' run A ', feeMaker: '0.0002', feeTaker: '0.0005', slippageBps: '2', balance: '5000.00' }, 'Asia/Shanghai');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.input).toMatchObject({
      name: 'run A',
      from: Date.UTC(2024, 1, 29, 16, 0),
      to: Date.UTC(2024, 2, 30, 16, 0),
      settings: { timeframe: '15m', balances: { USDT: '5000' }, fees: { maker: '0.0002', taker: '0.0005' }, slippageBps: 2 },
    });
    expect(r.input.config.type).toBe('grid');
  });

  it('applies the settings defaults for blank fields', () => {
    const r = validateBacktestForm({ ...base(), balance: '', slippageBps: '' }, 'UTC');
    expect(r.ok && r.input.settings).toEqual({ timeframe: '15m', balances: { USDT: '10000' }, slippageBps: 5 });
  });

  it.each([
    ['a missing start', { from: '' }, 'from', /date and time/],
    ['an end before the start', { to: '2024-02-01T00:00' }, 'to', /after from/],
    ['one fee only', { feeMaker: '0.001' }, 'settings.fees.taker', /other fee/],
    ['a bad fee', { feeMaker: '0.1%', feeTaker: '0.001' }, 'settings.fees.maker', /fraction/],
    ['text slippage', { slippageBps: 'lots' }, 'settings.slippageBps', /number/],
    ['too much slippage', { slippageBps: '5000' }, 'settings.slippageBps', /.+/],
    ['a zero balance', { balance: '0' }, 'settings.balances.USDT', /greater than 0/],
  ])('names the field for %s', (_l, over, key, msg) => {
    const r = validateBacktestForm({ ...base(), ...over }, 'UTC');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[key]).toMatch(msg);
  });

  it('reports config errors at the editor fields', () => {
    const f = base();
    const r = validateBacktestForm({ ...f, config: { ...f.config, grid: { ...f.config.grid, levels: '0' } } }, 'UTC');
    expect(r.ok === false && r.errors['config.grid.levels']).toBeTruthy();
  });
});

describe('backtest prefill hash', () => {
  const config: BotConfig = {
    type: 'grid',
    marketType: 'spot',
    leverage: 1,
    risk: { stopLossPct: 5 },
    grid: { symbol: 'BTC/USDT', levels: 5, spacingPct: 1, sellOffsetPct: 1, orderSize: { mode: 'quote', value: '100' }, repricePct: 5 },
  };

  it('round-trips a config and a name', () => {
    const hash = backtestPrefillHash(config, 'My grid');
    expect(hash.startsWith('#/backtests?')).toBe(true);
    expect(parseBacktestPrefill(hash)).toEqual({ config, name: 'My grid' });
  });

  it.each(['#/backtests', '#/backtests?config=%7Bnope', `#/backtests?config=${encodeURIComponent('{"type":"grid"}')}`])('ignores %s', (hash) => {
    expect(parseBacktestPrefill(hash)).toBeNull();
  });
});
