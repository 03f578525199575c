/**
 * The shared ExchangeAdapter contract (contracts/exchange-adapter.contract.ts) against `PaperExchange`
 * (spot and perpetual) fed by the replay feed's 15m stream of real BTC/USDT candles, the clock advanced one
 * minute at a time — the same behaviour CcxtExchange shows against the Binance/OKX fakes.
 */
import { describe } from 'vitest';
import type { Candle, Timeframe } from '@osprey/shared';
import { ManualClock } from '../src/domain/ports.js';
import { SymbolReplay } from '../src/domain/replay.js';
import { PaperExchange, type PriceSource } from '../src/adapters/exchange/paper-exchange.js';
import { readCandlesCsv } from './fakes/fake-binance.js';
import { describeExchangeAdapterContract, type ContractSetup } from './contracts/exchange-adapter.contract.js';

/** 2024-03-05 12:07 UTC, as in the CcxtExchange contract runs. */
const T0 = Date.UTC(2024, 2, 5, 12, 7);
const BTC = readCandlesCsv('BTC', '15m');

/** The replay feed's 15m stream of BTC/USDT as a {@link PriceSource}. */
class ReplaySource implements PriceSource {
  private readonly replay: SymbolReplay;
  private lastCandle: Candle | null = null;
  private readonly listeners = new Set<(symbol: string, candle: Candle, closed: boolean) => void>();

  constructor(start: number) {
    this.replay = new SymbolReplay('BTC/USDT', BTC, [], start);
  }

  advance(now: number): void {
    for (const ev of this.replay.step(now)) {
      if (ev.timeframe !== '15m') continue;
      this.lastCandle = ev.candle;
      for (const l of [...this.listeners]) l(ev.symbol, ev.candle, ev.closed);
    }
  }

  last(symbol: string): Candle | null {
    return symbol === 'BTC/USDT' ? this.lastCandle : null;
  }

  subscribe(listener: (symbol: string, candle: Candle, closed: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async history(symbol: string, _tf: Timeframe, since = 0, limit = 500): Promise<Candle[]> {
    if (symbol !== 'BTC/USDT' || !this.lastCandle) return [];
    return BTC.filter((c) => c.ts >= since && c.ts < this.lastCandle!.ts).slice(-limit);
  }
}

function paperVenue(marketType: 'spot' | 'swap'): ContractSetup {
  const clock = new ManualClock(T0);
  const src = new ReplaySource(T0);
  src.advance(T0);
  const adapter = new PaperExchange({ id: 'binance', marketType, balances: { USDT: '10000' }, clock, prices: src });
  return {
    adapter,
    symbol: marketType === 'spot' ? 'BTC/USDT' : 'BTC/USDT:USDT',
    advance: async (ms) => {
      const end = clock.now() + ms;
      while (clock.now() < end) {
        clock.advance(Math.min(60_000, end - clock.now()));
        src.advance(clock.now());
      }
    },
    teardown: async () => {},
  };
}

describe('PaperExchange', () => {
  describeExchangeAdapterContract('PaperExchange spot (replay feed)', async () => paperVenue('spot'));
  describeExchangeAdapterContract('PaperExchange swap (replay feed)', async () => paperVenue('swap'));
});
