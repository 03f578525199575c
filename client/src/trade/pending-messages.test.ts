import { describe, expect, it } from 'vitest';
import { translateExternal } from '../lib/i18n.js';
import { pendingFailure } from './account-stream.js';

const TRADE = '0b7e3c2a-1d4f-4e8a-9c55-2f1e0d9a7b66';

describe('pending-order server messages in Chinese', () => {
  it('renders the refusals and trigger failures the server sends (with or without the field prefix)', () => {
    expect(
      translateExternal(
        'zh',
        `symbol: this account already has an active trade on BTC/USDT:USDT (long 0.01, trade ${TRADE}), so a pending order there could not open a second one: close that trade first`,
      ),
    ).toBe(`该账户在 BTC/USDT:USDT 上已有进行中的交易（long 0.01，交易 ${TRADE}）；条件单无法再开第二笔：请先平掉该交易`);
    expect(translateExternal('zh', `this account already has an active trade on BTC/USDT (trade ${TRADE}): add to it or close it first`)).toBe(
      `该账户在 BTC/USDT 上已有进行中的交易（交易 ${TRADE}）；请加仓或先平仓`,
    );
    expect(
      translateExternal('zh', '59000 is below the current price 60000, so "crosses above" would trigger at once: choose a trigger above 60000, or "crosses below"'),
    ).toBe('触发价 59000 低于当前价 60000，“向上突破”会立即触发；请选择高于 60000 的触发价，或改为“向下跌破”');
    expect(translateExternal('zh', 'equals the current price 60000 and would trigger at once: place a market order instead')).toBe('等于当前价 60000，会立即触发；请直接下市价单');
    expect(translateExternal('zh', 'amount: needs 600.3 USDT (margin + fee), free 50 USDT')).toBe('资金不足：需要 600.3 USDT（保证金 + 手续费），可用 50 USDT');
    expect(translateExternal('zh', 'spot accounts can only open longs (buy, then sell)')).toBe('现货账户只能做多（先买后卖）');
    expect(translateExternal('en', 'spot accounts can only open longs (buy, then sell)')).toBe('spot accounts can only open longs (buy, then sell)');
  });
});

describe('pendingFailure', () => {
  it('gives the toast parameters of a FAILED pending event only', () => {
    expect(pendingFailure({ id: 'p', status: 'FAILED', symbol: 'BTC/USDT:USDT', error: 'sizing.value: needs 1 USDT' })).toEqual({ symbol: 'BTC/USDT:USDT', reason: 'sizing.value: needs 1 USDT' });
    expect(pendingFailure({ id: 'p', status: 'TRIGGERED', symbol: 'BTC/USDT:USDT', error: null })).toBeNull();
    expect(pendingFailure({ id: 'p', status: 'PENDING' })).toBeNull();
  });
});
