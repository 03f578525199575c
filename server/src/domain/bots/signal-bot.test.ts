import { describe, expect, it } from 'vitest';
import type { Candle, MarketSignal, SignalParams } from '@osprey/shared';
import type { Balance, MarketInfo, OrderRequest } from '../exchange/port.js';
import { createSignalStrategy, followedSymbol, parseSignalParams, SignalBotError, type SignalState } from './signal-bot.js';
import type { RoundTrip, StrategyEvent, StrategyNote } from './strategy.js';

const T0 = Date.UTC(2024, 3, 1);
const M15 = 900_000;
const market = (symbol: string, type: 'spot' | 'swap', over: Partial<MarketInfo> = {}): MarketInfo => {
  const [base, rest] = symbol.split('/') as [string, string];
  return { symbol, base, quote: rest.split(':')[0]!, type, amountStep: '0.001', priceStep: '0.01', minAmount: null, minNotional: null, makerFee: '0.0002', takerFee: '0.0005', maxLeverage: 20, ...over };
};
/** `n` candles closing at `close` with a true range of `tr` each (high = close + tr/2, low = close − tr/2), ending before T0. */
const flat = (n: number, close = 100, tr = 2): Candle[] =>
  Array.from({ length: n }, (_, i) => ({ ts: T0 - (n - i) * M15, open: close, high: close + tr / 2, low: close - tr / 2, close, volume: 1 }));
const signal = (over: Partial<MarketSignal> = {}): MarketSignal => ({
  id: 'sig1',
  exchange: 'binance',
  symbol: 'BTC/USDT',
  type: 'LONG',
  score: 20,
  sizeMultiplier: 1,
  candleTs: T0 - M15,
  createdAt: T0,
  expiresAt: T0 + 4 * 3_600_000,
  details: {},
  ...over,
});

interface Out {
  orders: string[];
  notes: StrategyNote[];
  closed: RoundTrip[];
}

/**
 * Drives a signal strategy through `step` with hand-made events. Symbols: BTC (and ETH) /USDT, `:USDT` on
 * swap; ATR period 3 unless overridden; history = 4 flat candles at 100 with a true range of 2 (ATR 2).
 */
function sim(over: Partial<SignalParams> = {}, marketType: 'spot' | 'swap' = 'swap', opts: { history?: Record<string, Candle[]>; balances?: Balance[]; markets?: Record<string, MarketInfo> } = {}) {
  const sfx = marketType === 'swap' ? ':USDT' : '';
  const BTC = `BTC/USDT${sfx}`;
  const ETH = `ETH/USDT${sfx}`;
  const markets = opts.markets ?? { [BTC]: market(BTC, marketType), [ETH]: market(ETH, marketType) };
  const strategy = createSignalStrategy('sig', parseSignalParams({ symbols: [BTC], minScore: 15, sizing: { mode: 'quote', value: '500' }, stopAtrMult: 1.5, takeProfitAtrMult: 3, atrPeriod: 3, ...over }), marketType);
  let state: SignalState = strategy.initialState();
  let now = T0;
  let fillSeq = 0;
  const open = new Map<string, OrderRequest>();
  const brief = (o: OrderRequest) => `${o.clientOrderId} ${o.side} ${o.amount} ${o.kind ?? 'market'}${o.triggerPrice ? ` @${o.triggerPrice}` : ''}${o.reduceOnly ? ' ro' : ''}`;
  const run = (event: StrategyEvent): Out => {
    const frozen = structuredClone(state);
    const r = strategy.step(state, event, { now, markets, balances: opts.balances ?? [{ currency: 'USDT', free: '10000', used: '0', total: '10000' }], positions: [] });
    expect(state, 'step must not mutate its input').toEqual(frozen);
    state = r.state;
    const orders: string[] = [];
    for (const it of r.intents) {
      if (it.type === 'place') {
        open.set(it.order.clientOrderId, it.order);
        expect(it.role, it.order.clientOrderId).toBe(/^bsigx\d+e\d+$/.test(it.order.clientOrderId) ? 'entry' : 'exit');
        orders.push(brief(it.order));
      } else orders.push(`cancel ${it.clientOrderId}`);
    }
    return { orders, notes: r.notes ?? [], closed: r.closed ?? [] };
  };
  run({ type: 'start', history: opts.history ?? { [BTC]: flat(4) } });
  const api = {
    strategy,
    BTC,
    ETH,
    get state() {
      return state;
    },
    at(t: number) {
      now = t;
      return api;
    },
    signal: (over: Partial<MarketSignal> = {}) => run({ type: 'signal', signal: signal(over) }),
    candle: (symbol: string, c: Omit<Candle, 'volume' | 'open'>, closed = true) => run({ type: 'candle', symbol, candle: { ...c, open: c.close, volume: 1 }, closed }),
    fill(id: string, price: string, f: { amount?: string; fee?: string; feeCurrency?: string } = {}) {
      const o = open.get(id)!;
      return run({ type: 'fill', fill: { id: `f${fillSeq++}`, orderId: id, clientOrderId: id, symbol: o.symbol, side: o.side, price, amount: f.amount ?? o.amount, fee: f.fee ?? '0', feeCurrency: f.feeCurrency ?? 'USDT', liquidity: 'taker', ts: now } });
    },
    dead: (id: string, reason: 'canceled' | 'expired' | 'rejected' = 'canceled', message?: string) => run({ type: 'orderDead', clientOrderId: id, symbol: open.get(id)!.symbol, reason, ...(message ? { message } : {}) }),
    force: (key: string, rule = 'timeStop') => run({ type: 'forceExit', key, rule }),
  };
  return api;
}

describe('followedSymbol', () => {
  it.each<[string[], string, string | null]>([
    [['BTC/USDT:USDT', 'ETH/USDT:USDT'], 'ETH/USDT', 'ETH/USDT:USDT'],
    [['BTC/USDT'], 'BTC/USDT', 'BTC/USDT'],
    [['BTC/USDT:USDT'], 'BTC/USDC', null],
    [['BTC/USDT'], 'ETH/USDT', null],
  ])('%j follows %s → %s', (symbols, sig, expected) => {
    expect(followedSymbol(symbols, sig)).toBe(expected);
  });
});

describe('signal strategy: taking a signal (ATR 2, last close 100)', () => {
  const table: { name: string; over?: Partial<SignalParams>; spot?: boolean; sig?: Partial<MarketSignal>; history?: Candle[]; entry: string; fill: string; protect: string[] }[] = [
    { name: 'LONG, quote 500 at 100: 5; stop/TP around the fill 100', entry: 'bsigx0e0 buy 5 market', fill: '100', protect: ['bsigx0s1 sell 5 stop_loss @97 ro', 'bsigx0t2 sell 5 take_profit @106 ro'] },
    { name: 'the stop and TP follow the actual fill price (100.5)', entry: 'bsigx0e0 buy 5 market', fill: '100.5', protect: ['bsigx0s1 sell 5 stop_loss @97.5 ro', 'bsigx0t2 sell 5 take_profit @106.5 ro'] },
    { name: 'SHORT mirrors stop and TP', sig: { type: 'SHORT' }, entry: 'bsigx0e0 sell 5 market', fill: '100', protect: ['bsigx0s1 buy 5 stop_loss @103 ro', 'bsigx0t2 buy 5 take_profit @94 ro'] },
    { name: 'sizeMultiplier 2 doubles the amount', sig: { sizeMultiplier: 2 }, entry: 'bsigx0e0 buy 10 market', fill: '100', protect: ['bsigx0s1 sell 10 stop_loss @97 ro', 'bsigx0t2 sell 10 take_profit @106 ro'] },
    { name: 'equityPct 10 % of 10000 at 100: 10', over: { sizing: { mode: 'equityPct', value: '10' } }, entry: 'bsigx0e0 buy 10 market', fill: '100', protect: ['bsigx0s1 sell 10 stop_loss @97 ro', 'bsigx0t2 sell 10 take_profit @106 ro'] },
    { name: 'the signal\'s own stop and take profit replace the ATR multiples', sig: { stopLoss: '95', takeProfit: '112.004' }, entry: 'bsigx0e0 buy 5 market', fill: '100.5', protect: ['bsigx0s1 sell 5 stop_loss @95 ro', 'bsigx0t2 sell 5 take_profit @112 ro'] },
    { name: 'risk sizing over the signal\'s stop: 1 % of 10000 / (100 − 90) = 10', over: { sizing: { mode: 'risk', value: '1' } }, sig: { stopLoss: '90' }, entry: 'bsigx0e0 buy 10 market', fill: '100', protect: ['bsigx0s1 sell 10 stop_loss @90 ro', 'bsigx0t2 sell 10 take_profit @106 ro'] },
    { name: 'a signal with both levels needs no ATR (1 candle: no true range yet)', history: flat(1), sig: { stopLoss: '95', takeProfit: '110' }, entry: 'bsigx0e0 buy 5 market', fill: '100', protect: ['bsigx0s1 sell 5 stop_loss @95 ro', 'bsigx0t2 sell 5 take_profit @110 ro'] },
    { name: 'risk 1 % of 10000 over a 3 stop distance: 33.333 (floored)', over: { sizing: { mode: 'risk', value: '1' } }, entry: 'bsigx0e0 buy 33.333 market', fill: '100', protect: ['bsigx0s1 sell 33.333 stop_loss @97 ro', 'bsigx0t2 sell 33.333 take_profit @106 ro'] },
    {
      name: 'risk with stopAtrMult 2 and ATR 2.5: stop 95, 100 / 5 = 20',
      over: { sizing: { mode: 'risk', value: '1' }, stopAtrMult: 2 },
      history: flat(4, 100, 2.5),
      entry: 'bsigx0e0 buy 20 market',
      fill: '100',
      protect: ['bsigx0s1 sell 20 stop_loss @95 ro', 'bsigx0t2 sell 20 take_profit @107.5 ro'],
    },
    { name: 'spot LONG: no reduce-only flag, only the stop rests (the TP is watched)', spot: true, entry: 'bsigx0e0 buy 5 market', fill: '100', protect: ['bsigx0s1 sell 5 stop_loss @97'] },
    { name: 'score exactly minScore is taken', sig: { score: 15 }, entry: 'bsigx0e0 buy 5 market', fill: '100', protect: ['bsigx0s1 sell 5 stop_loss @97 ro', 'bsigx0t2 sell 5 take_profit @106 ro'] },
  ];
  it.each(table)('$name', ({ over, spot, sig, history, entry, fill, protect }) => {
    const sym = spot ? 'BTC/USDT' : 'BTC/USDT:USDT';
    const s = sim(over, spot ? 'spot' : 'swap', history ? { history: { [sym]: history } } : {});
    const r = s.at(T0 + 60_000).signal(sig);
    expect(r.orders).toEqual([entry]);
    expect(r.notes.map((n) => n.code)).toEqual(['signal.taken']);
    expect(s.fill('bsigx0e0', fill).orders).toEqual(protect);
  });
});

describe('signal strategy: skipping a signal (a note with the numbers)', () => {
  const table: { name: string; over?: Partial<SignalParams>; spot?: boolean; sig?: Partial<MarketSignal>; history?: Candle[]; before?: (s: ReturnType<typeof sim>) => void; now?: number; code: string; detail: object }[] = [
    { name: 'other symbol', sig: { symbol: 'ETH/USDT' }, code: 'signal.otherSymbol', detail: { symbol: 'ETH/USDT', symbols: 'BTC/USDT:USDT' } },
    { name: 'expired at expiresAt', now: T0 + 4 * 3_600_000, code: 'signal.expired', detail: { expiresAt: T0 + 4 * 3_600_000, now: T0 + 4 * 3_600_000 } },
    { name: 'below minScore', sig: { score: 14 }, code: 'signal.belowMinScore', detail: { score: 14, minScore: 15 } },
    { name: 'SHORT on spot', spot: true, sig: { type: 'SHORT' }, code: 'signal.spotShort', detail: { botSymbol: 'BTC/USDT' } },
    { name: 'ATR not ready (3 candles: 2 of 3 true ranges)', history: flat(3), code: 'signal.noAtr', detail: { atrPeriod: 3, trueRanges: 2 } },
    { name: 'stop at or below 0 (ATR 70)', history: flat(4, 100, 70), code: 'signal.invalidStop', detail: { stop: '-5', price: '100' } },
    { name: "the signal's stop above the price of a LONG", sig: { stopLoss: '101' }, code: 'signal.invalidStop', detail: { stop: '101', price: '100' } },
    { name: "the signal's take profit above the price of a SHORT", sig: { type: 'SHORT', takeProfit: '100.5' }, code: 'signal.invalidTakeProfit', detail: { takeProfit: '100.5', price: '100' } },
    { name: 'too small: 0.05 / 100 floors to 0', over: { sizing: { mode: 'quote', value: '0.05' } }, code: 'signal.tooSmall', detail: { amount: '0.0005', amountStep: '0.001' } },
    {
      name: 'a position is open on the symbol',
      before: (s) => {
        s.signal({ id: 'first' });
      },
      code: 'signal.positionOpen',
      detail: { botSymbol: 'BTC/USDT:USDT', openSignalId: 'first' },
    },
  ];
  it.each(table)('$name', ({ over, spot, sig, history, before, now, code, detail }) => {
    const sym = spot ? 'BTC/USDT' : 'BTC/USDT:USDT';
    const s = sim(over, spot ? 'spot' : 'swap', history ? { history: { [sym]: history } } : {});
    s.at(T0 + 60_000);
    before?.(s);
    const r = s.at(now ?? T0 + 60_000).signal(sig);
    expect(r.orders).toEqual([]);
    expect(r.notes).toHaveLength(1);
    expect(r.notes[0]).toMatchObject({ kind: 'info', code, detail: expect.objectContaining(detail) });
    expect(r.notes[0]!.message).toMatch(/^Signal \w+ \((LONG|SHORT) [A-Z]+\/USDT, score \d+\) skipped: /);
  });

  it('too small against the market minimum notional', () => {
    const s = sim({ sizing: { mode: 'quote', value: '4' } }, 'spot', { markets: { 'BTC/USDT': market('BTC/USDT', 'spot', { minNotional: '5' }) } });
    expect(s.signal().notes.map((n) => n.code)).toEqual(['signal.tooSmall']);
  });
});

describe('signal strategy: exits and round trips', () => {
  it('stop loss fills: the take profit is cancelled, the round trip is net of both fees, the slot is freed', () => {
    const s = sim();
    s.at(T0 + 60_000).signal();
    s.fill('bsigx0e0', '100', { fee: '0.25' });
    expect(s.strategy.held(s.state)).toEqual([{ key: 'S0', symbol: s.BTC, side: 'long', amount: '5', entryPrice: '100', openedAt: T0 + 60_000 }]);
    const r = s.at(T0 + 2 * M15).fill('bsigx0s1', '96.9', { fee: '0.24225' });
    expect(r.orders).toEqual(['cancel bsigx0t2']);
    // (96.9 − 100) × 5 − 0.25 − 0.24225
    expect(r.closed).toEqual([
      { symbol: s.BTC, side: 'long', entryClientOrderId: 'bsigx0e0', exitClientOrderId: 'bsigx0s1', amount: '5', entryPrice: '100', exitPrice: '96.9', entryFee: '0.25', exitFee: '0.24225', pnl: '-15.99225', openedAt: T0 + 60_000, closedAt: T0 + 2 * M15 },
    ]);
    expect(r.notes.map((n) => n.code)).toEqual(['signal.closed']);
    expect(s.strategy.held(s.state)).toEqual([]);
    expect(s.strategy.summary(s.state)).toEqual({ realizedPnl: '-15.99225', roundTrips: 1 });
    expect(s.dead('bsigx0t2').notes).toEqual([]);
    expect(s.signal({ id: 'next' }).orders).toEqual(['bsigx1e3 buy 5 market']);
  });

  it('SHORT take profit in two fills: volume-weighted exit price', () => {
    const s = sim();
    s.at(T0 + 60_000).signal({ type: 'SHORT' });
    s.fill('bsigx0e0', '100');
    expect(s.fill('bsigx0t2', '94', { amount: '2' }).orders).toEqual(['cancel bsigx0s1']);
    const r = s.fill('bsigx0t2', '93', { amount: '3' });
    // exit VWAP (188 + 279) / 5 = 93.4; (100 − 93.4) × 5 = 33
    expect(r.closed[0]).toMatchObject({ side: 'short', amount: '5', entryPrice: '100', exitPrice: '93.4', pnl: '33' });
  });

  it('spot, entry fee in base: protects the 4.995 held; the TP is taken on a close ≥ 106; fees valued in quote', () => {
    const s = sim({}, 'spot');
    s.signal();
    expect(s.fill('bsigx0e0', '100', { fee: '0.005', feeCurrency: 'BTC' }).orders).toEqual(['bsigx0s1 sell 4.995 stop_loss @97']);
    expect(s.candle(s.BTC, { ts: T0, high: 107, low: 104, close: 105.99 }).orders).toEqual([]);
    expect(s.candle(s.BTC, { ts: T0 + M15, high: 107, low: 104, close: 106 }).orders).toEqual(['cancel bsigx0s1']);
    expect(s.dead('bsigx0s1').orders).toEqual(['bsigx0x2 sell 4.995 market']);
    const r = s.fill('bsigx0x2', '106', { fee: '0.52947' });
    expect(r.notes[0]).toMatchObject({ code: 'signal.closed', detail: { reason: 'takeProfit' } });
    // (106 − 100) × 4.995 − 0.5 − 0.52947
    expect(r.closed[0]).toMatchObject({ amount: '4.995', entryFee: '0.5', exitFee: '0.52947', pnl: '28.94053' });
  });

  it('a rejected entry frees the slot with a note', () => {
    const s = sim();
    s.signal();
    const r = s.dead('bsigx0e0', 'rejected', 'insufficient balance');
    expect(r.notes).toMatchObject([{ code: 'signal.entryFailed', detail: { reason: 'rejected', message: 'insufficient balance' } }]);
    expect(s.state.positions).toEqual({});
    expect(s.signal({ id: 'again' }).orders).toEqual(['bsigx1e1 buy 5 market']);
  });

  it('an entry that expires after a partial fill protects what filled', () => {
    const s = sim();
    s.signal();
    s.fill('bsigx0e0', '100', { amount: '2' });
    expect(s.dead('bsigx0e0', 'expired').orders).toEqual(['bsigx0s1 sell 2 stop_loss @97 ro', 'bsigx0t2 sell 2 take_profit @106 ro']);
  });

  it('a stop the venue cancelled is re-placed on the next closed candle', () => {
    const s = sim();
    s.signal();
    s.fill('bsigx0e0', '100');
    expect(s.dead('bsigx0s1', 'canceled').notes.map((n) => n.code)).toEqual(['signal.exitOrderDead']);
    expect(s.candle(s.BTC, { ts: T0, high: 101, low: 99, close: 100 }, false).orders).toEqual([]);
    expect(s.candle(s.BTC, { ts: T0, high: 101, low: 99, close: 100 }).orders).toEqual(['bsigx0s3 sell 5 stop_loss @97 ro']);
  });

  it('a dead stop with the close already beyond it: closed at market, the take profit cancelled', () => {
    const s = sim();
    s.signal();
    s.fill('bsigx0e0', '100');
    s.dead('bsigx0s1', 'rejected', 'would trigger immediately');
    expect(s.candle(s.BTC, { ts: T0, high: 100, low: 96, close: 96.5 }).orders).toEqual(['cancel bsigx0t2']);
    expect(s.dead('bsigx0t2').orders).toEqual(['bsigx0x3 sell 5 market ro']);
    const r = s.fill('bsigx0x3', '96.4');
    expect(r.closed[0]).toMatchObject({ exitClientOrderId: 'bsigx0x3', pnl: '-18' });
    expect(r.notes[0]).toMatchObject({ code: 'signal.closed', detail: { reason: 'stopBreached' } });
  });

  it('forceExit: cancels stop and take profit, closes at market, round trip on the close fill', () => {
    const s = sim();
    s.signal();
    s.fill('bsigx0e0', '100');
    expect(s.force('S9').orders).toEqual([]);
    expect(s.force('S0').orders).toEqual(['cancel bsigx0s1', 'cancel bsigx0t2']);
    expect(s.force('S0').orders).toEqual([]);
    // the market close goes out once both cancels are confirmed; a closed candle meanwhile places nothing
    expect(s.dead('bsigx0s1').orders).toEqual([]);
    expect(s.candle(s.BTC, { ts: T0, high: 101, low: 99, close: 100 }).orders).toEqual([]);
    expect(s.dead('bsigx0t2').orders).toEqual(['bsigx0x3 sell 5 market ro']);
    const r = s.fill('bsigx0x3', '101');
    expect(r.closed[0]).toMatchObject({ exitClientOrderId: 'bsigx0x3', pnl: '5' });
    expect(r.notes[0]).toMatchObject({ detail: { reason: 'forceExit' } });
  });

  it('live race: the stop fills before its cancel lands — no market close follows, the round trip is the stop', () => {
    const s = sim();
    s.signal();
    s.fill('bsigx0e0', '100');
    s.force('S0');
    const r = s.fill('bsigx0s1', '97');
    expect(r.closed.map((t) => [t.exitClientOrderId, t.exitPrice, t.amount])).toEqual([['bsigx0s1', '97', '5']]);
    expect(r.orders.filter((o) => !o.startsWith('cancel'))).toEqual([]);
    expect(s.dead('bsigx0t2').orders).toEqual([]);
    expect(s.state.positions).toEqual({});
  });

  it('a dead market close is re-placed on the next closed candle', () => {
    const s = sim();
    s.signal();
    s.fill('bsigx0e0', '100');
    s.force('S0');
    s.dead('bsigx0s1');
    s.dead('bsigx0t2');
    expect(s.dead('bsigx0x3', 'rejected').notes.map((n) => n.code)).toEqual(['signal.exitOrderDead']);
    expect(s.candle(s.BTC, { ts: T0, high: 101, low: 99, close: 100 }).orders).toEqual(['bsigx0x4 sell 5 market ro']);
  });

  it('forceExit while the entry is in flight: closed at market once it fills', () => {
    const s = sim();
    s.signal();
    s.fill('bsigx0e0', '100', { amount: '1' });
    expect(s.force('S0').orders).toEqual([]);
    expect(s.fill('bsigx0e0', '100', { amount: '4' }).orders).toEqual(['bsigx0x1 sell 5 market ro']);
  });
});

describe('signal strategy: ATR and equity', () => {
  it('the ATR follows closed candles (older or repeated candles ignored)', () => {
    const s = sim();
    // TR 8 (high 108 − low 100): ATR (2·2 + 8)/3 = 4; stop 104 − 6 = 98, TP 104 + 12 = 116
    s.candle(s.BTC, { ts: T0, high: 108, low: 100, close: 104 });
    s.candle(s.BTC, { ts: T0, high: 1000, low: 1, close: 104 });
    s.candle(s.BTC, { ts: T0 - M15, high: 1000, low: 1, close: 104 });
    expect(s.state.atr[s.BTC]!.atr).toBe(4);
    expect(s.signal().notes[0]!.detail).toMatchObject({ price: '104', atr: '4', stop: '98' });
    expect(s.fill('bsigx0e0', '104').orders).toEqual(['bsigx0s1 sell 4.807 stop_loss @98 ro', 'bsigx0t2 sell 4.807 take_profit @116 ro']);
  });

  it.each<{ type: 'spot' | 'swap'; expected: string }>([
    { type: 'spot', expected: '1.12' }, // 10 % × (1000 + 1 ETH × 120) / 100
    { type: 'swap', expected: '1.02' }, // 10 % × (1000 + 1 × (120 − 100)) / 100
  ])('equity for equityPct sizing = quote balance + held lots at last closes ($type)', ({ type, expected }) => {
    const sfx = type === 'swap' ? ':USDT' : '';
    const [BTC, ETH] = [`BTC/USDT${sfx}`, `ETH/USDT${sfx}`];
    const s = sim({ symbols: [BTC, ETH], sizing: { mode: 'equityPct', value: '10' } }, type, {
      history: { [BTC]: flat(4), [ETH]: flat(4) },
      balances: [{ currency: 'USDT', free: '900', used: '100', total: '1000' }],
    });
    expect(s.signal({ symbol: 'ETH/USDT', id: 'eth' }).orders).toEqual(['bsigx0e0 buy 1 market']); // 10 % × 1000 / 100
    s.fill('bsigx0e0', '100');
    s.candle(ETH, { ts: T0, high: 121, low: 119, close: 120 });
    const r = s.signal({ id: 'btc' });
    // spot: only the stop rests (seq 1); the close ≥ the watched take profit cancels it, the market close waits
    // for that cancel. swap: stop and take profit rest (seq 1, 2).
    expect(r.orders).toEqual([`bsigx1e${type === 'spot' ? 2 : 3} buy ${expected} market`]);
    expect(r.notes[0]!.detail).toMatchObject({ equity: type === 'spot' ? '1120' : '1020' });
  });
});

describe('signal strategy: configuration', () => {
  it('parameter errors name the field', () => {
    expect(() => parseSignalParams({ symbols: [] })).toThrow(SignalBotError);
    expect(() => parseSignalParams({ symbols: [] })).toThrow(/^symbols:/);
    expect(() => parseSignalParams({ symbols: ['BTC/USDT'], sizing: { mode: 'risk', value: '101' } })).toThrow(/^sizing\.value:/);
    expect(() => createSignalStrategy('x', { ...parseSignalParams({ symbols: ['BTC/USDT'] }), atrPeriod: 1 }, 'spot')).toThrow(/^atrPeriod:/);
    expect(parseSignalParams({ symbols: ['BTC/USDT'] })).toMatchObject({ minScore: 15, atrPeriod: 14, stopAtrMult: 1.5, takeProfitAtrMult: 3 });
  });
});
