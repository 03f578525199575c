import { describe, expect, it } from 'vitest';
import type { BotConfig } from '@osprey/shared';
import { botChartSymbol, botChartSymbols, botDetailHash, botFeedSymbol, botIdFromHash, botOrderRole, configEntries, countEvents, eventNumbers, filterEvents, formatUptime, roundLongDecimals } from './bot-view.js';

const base = { marketType: 'swap', leverage: 1, risk: {} } as const;

describe('bot chart symbol', () => {
  it.each([
    [{ ...base, type: 'grid', grid: { symbol: 'BTC/USDT:USDT', levels: 5, spacingPct: 1, sellOffsetPct: 1, orderSize: { mode: 'quote', value: '100' }, repricePct: 5 } }, 'BTC/USDT:USDT', 'BTC/USDT'],
    [
      { ...base, type: 'spread', spread: { symbolA: 'ETH/USDT:USDT', symbolB: 'BTC/USDT:USDT', entryPct: 5, stepPct: 3, sizeMultiplier: 1, maxAdds: 6, orderQuote: '100', takeProfitRevertPct: 3, takeProfitPct: 2, stopLossPct: 10 } },
      'ETH/USDT:USDT',
      'ETH/USDT',
    ],
    [{ ...base, type: 'signal', signal: { symbols: ['SOL/USDT:USDT', 'BTC/USDT:USDT'], minScore: 15, sizing: { mode: 'quote', value: '100' }, stopAtrMult: 1.5, takeProfitAtrMult: 3, atrPeriod: 14 } }, 'SOL/USDT:USDT', 'SOL/USDT'],
  ] as [BotConfig, string, string][])('%#: charts %s on the feed symbol %s', (config, symbol, feed) => {
    expect(botChartSymbol(config)).toBe(symbol);
    expect(botFeedSymbol(config)).toBe(feed);
  });
});

describe('uptime', () => {
  it.each([
    [null, 0, '—'],
    [1000, 46_000, '45s'],
    [0, 12 * 60_000 + 5000, '12m'],
    [0, 3 * 3_600_000 + 5 * 60_000, '3h 05m'],
    [0, 2 * 86_400_000 + 4 * 3_600_000, '2d 4h'],
    [10_000, 0, '0s'],
  ])('since %s at %d → %s', (startedAt, now, text) => {
    expect(formatUptime(startedAt, now)).toBe(text);
  });
});

describe('events', () => {
  const events = [{ kind: 'risk' as const, id: 1 }, { kind: 'info' as const, id: 2 }, { kind: 'risk' as const, id: 3 }];

  it('filters by kind and counts', () => {
    expect(filterEvents(events, 'risk').map((e) => e.id)).toEqual([1, 3]);
    expect(filterEvents(events, 'all')).toHaveLength(3);
    expect(countEvents(events)).toEqual({ risk: 2, info: 1, error: 0 });
  });

  it('lists scalar details, numbers without float noise', () => {
    expect(eventNumbers({ loss: '-52.5', limit: 50, ratio: 0.1 + 0.2, rule: 'dailyLossLimit', nested: { a: 1 }, ok: true })).toEqual([
      ['loss', '-52.5'],
      ['limit', '50'],
      ['ratio', '0.3'],
      ['rule', 'dailyLossLimit'],
      ['ok', 'true'],
    ]);
  });
});

describe('detail hash', () => {
  const id = '0b7c6f5e-1d2a-4c3b-9e8f-7a6b5c4d3e2f';
  it('round-trips a bot id and ignores anything else', () => {
    expect(botIdFromHash(botDetailHash(id))).toBe(id);
    expect(botIdFromHash('#/bots')).toBeNull();
    expect(botIdFromHash('#/bots?id=../../x')).toBeNull();
  });
});

describe('bot page helpers (roles, numbers, symbols, settings)', () => {
  it('names an order by its kind and leg letter', () => {
    expect(botOrderRole('grid', { clientOrderId: 'b7452225882bdx0s4', side: 'sell' })).toBe('exit');
    expect(botOrderRole('grid', { clientOrderId: 'b7452225882bdx12b3', side: 'buy' })).toBe('entry');
    expect(botOrderRole('signal', { clientOrderId: 'babcdefabcdefx3s0', side: 'sell', kind: 'stop_loss' })).toBe('stopLoss');
    expect(botOrderRole('signal', { clientOrderId: 'babcdefabcdefx3t0', side: 'sell' })).toBe('takeProfit');
    expect(botOrderRole('spread', { clientOrderId: 'babcdefabcdefx2aa1', side: 'buy' })).toBe('add');
    expect(botOrderRole('spread', { clientOrderId: null, side: 'sell' })).toBe('exit');
  });
  it('cuts long decimals in text', () => {
    expect(roundLongDecimals('equity 19616.38908417026799999999999999999999995 USDT, fee 0.5')).toBe('equity 19616.38908417 USDT, fee 0.5');
    expect(roundLongDecimals('x -1.000000000001')).toBe('x -1');
  });
  it('lists chart symbols and settings', () => {
    const spread = { type: 'spread', marketType: 'swap', leverage: 2, risk: { maxOpenPositions: 2 }, spread: { symbolA: 'ETH/USDT:USDT', symbolB: 'BTC/USDT:USDT', entryPct: 5 } } as never;
    expect(botChartSymbols(spread)).toEqual(['ETH/USDT', 'BTC/USDT']);
    expect(configEntries(spread)).toEqual([
      ['symbolA', 'ETH/USDT:USDT'],
      ['symbolB', 'BTC/USDT:USDT'],
      ['entryPct', '5'],
      ['marketType', 'swap'],
      ['leverage', '2'],
      ['risk.maxOpenPositions', '2'],
    ]);
  });
});
