import { describe, expect, it } from 'vitest';
import { ConfigError, loadEnv } from './env.js';

describe('loadEnv', () => {
  it('applies the documented defaults', () => {
    const env = loadEnv({});
    expect(env).toMatchObject({
      PORT: 3000,
      OSPREY_DATA_DIR: './data',
      OSPREY_FEED: 'replay',
      OSPREY_EXCHANGE: 'binance',
      OSPREY_SYMBOLS: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'XRP/USDT'],
      OSPREY_REPLAY_START: Date.UTC(2024, 7, 1),
    });
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it.each([
    [{ PORT: '99999' }, 'PORT'],
    [{ PORT: 'abc' }, 'PORT'],
    [{ OSPREY_FEED: 'paper' }, 'OSPREY_FEED'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ OSPREY_SYMBOLS: 'BTCUSDT' }, 'OSPREY_SYMBOLS'],
    [{ OSPREY_REPLAY_SPEED: '-1' }, 'OSPREY_REPLAY_SPEED'],
    [{ OSPREY_REPLAY_START: 'yesterday-ish' }, 'OSPREY_REPLAY_START'],
    [{ ADMIN_EMAIL: 'not-an-email' }, 'ADMIN_EMAIL'],
    [{ ADMIN_PASSWORD: 'short' }, 'ADMIN_PASSWORD'],
  ])('rejects %j naming %s', (source, name) => {
    expect(() => loadEnv(source)).toThrow(ConfigError);
    expect(() => loadEnv(source)).toThrow(new RegExp(`^Invalid configuration:\\n  ${name}(\\.\\d+)?: `));
  });

  it('lists every bad variable at once and treats empty strings as unset', () => {
    try {
      loadEnv({ PORT: '-5', OSPREY_FEED: 'x', DATABASE_URL: '' });
      expect.unreachable();
    } catch (e) {
      const msg = (e as Error).message;
      expect(msg).toContain('PORT:');
      expect(msg).toContain('OSPREY_FEED:');
      expect(msg).not.toContain('DATABASE_URL');
    }
  });

  it('parses symbols lists, ISO and Unix-ms replay start', () => {
    const env = loadEnv({ OSPREY_SYMBOLS: 'BTC/USDT, ETH/USDT:USDT', OSPREY_REPLAY_START: '1717200000000' });
    expect(env.OSPREY_SYMBOLS).toEqual(['BTC/USDT', 'ETH/USDT:USDT']);
    expect(env.OSPREY_REPLAY_START).toBe(1717200000000);
  });
});
