import { describe, expect, it } from 'vitest';
import type { Candle, OrderKind, OrderSide, OrderType } from '@osprey/shared';
import type { MarketInfo, OrderRequest } from '../exchange/port.js';
import { formingCandle } from '../replay.js';
import { candlePath, matchOrder, processingOrder, stepFromCandle, stepFromCandleUpdate, type MatchableOrder, type PriceStep } from './fill-rules.js';
import { PaperEngine, type PaperFill } from './paper-engine.js';

const SYM = 'TST/USDT:USDT';
const MARKET: MarketInfo = {
  symbol: SYM,
  base: 'TST',
  quote: 'USDT',
  type: 'swap',
  amountStep: '0.001',
  priceStep: '0.01',
  minAmount: '0.001',
  minNotional: null,
  makerFee: '0.0002',
  takerFee: '0.0005',
  maxLeverage: 125,
};

type Ohlc = [open: number, high: number, low: number, close: number];
const step = ([open, high, low, close]: Ohlc, ts = 0): PriceStep => ({ symbol: SYM, ts, open, high, low, close });

function order(side: OrderSide, type: OrderType, kind: OrderKind, price: string | null, triggerPrice: string | null = null): MatchableOrder {
  return { side, type, kind, price, triggerPrice };
}

describe('matchOrder', () => {
  const opts = { slippageBps: 10, priceStep: '0.01' };

  it('fills a market order at the open plus adverse slippage, rounded against the trader', () => {
    expect(matchOrder(order('buy', 'market', 'regular', null), step([101, 102, 100, 101]), opts)).toMatchObject({ liquidity: 'taker' });
    expect(matchOrder(order('buy', 'market', 'regular', null), step([101, 102, 100, 101]), opts)!.price!.toFixed()).toBe('101.11'); // 101.101 up
    expect(matchOrder(order('sell', 'market', 'regular', null), step([101, 102, 100, 101]), opts)!.price!.toFixed()).toBe('100.89'); // 100.899 down
  });

  it('does not fill a limit the step does not reach; a touch at exactly the price fills', () => {
    expect(matchOrder(order('buy', 'limit', 'regular', '95'), step([100, 101, 95.01, 96]), opts)).toBeNull();
    expect(matchOrder(order('buy', 'limit', 'regular', '95'), step([100, 101, 95, 96]), opts)!.price!.toFixed()).toBe('95');
    expect(matchOrder(order('sell', 'limit', 'regular', '105'), step([100, 104.99, 99, 101]), opts)).toBeNull();
  });

  it('rounds an off-tick open against the trader but never past the limit', () => {
    // paper steps open at interpolated prices: a buy limit at 95 reached from an open of 94.993 pays 95.00
    expect(matchOrder(order('buy', 'limit', 'regular', '95'), step([94.993, 95, 94, 94.5]), opts)!.price!.toFixed()).toBe('95');
    expect(matchOrder(order('buy', 'limit', 'regular', '95'), step([94.983, 95, 94, 94.5]), opts)!.price!.toFixed()).toBe('94.99');
    expect(matchOrder(order('sell', 'limit', 'regular', '105'), step([105.017, 106, 105, 105.5]), opts)!.price!.toFixed()).toBe('105.01');
  });

  it('triggers stops and take-profits in the right direction', () => {
    expect(matchOrder(order('sell', 'market', 'stop_loss', null, '95'), step([100, 120, 96, 110]), opts)).toBeNull();
    expect(matchOrder(order('buy', 'market', 'stop_loss', null, '105'), step([100, 104, 80, 90]), opts)).toBeNull();
    expect(matchOrder(order('sell', 'market', 'take_profit', null, '105'), step([100, 104, 80, 90]), opts)).toBeNull();
    expect(matchOrder(order('buy', 'market', 'take_profit', null, '95'), step([100, 120, 96, 110]), opts)).toBeNull();
    const tp = matchOrder(order('buy', 'market', 'take_profit', null, '95'), step([100, 101, 94, 96]), opts)!;
    expect([tp.price!.toFixed(), tp.liquidity, tp.triggered]).toEqual(['95', 'maker', true]);
  });

  it('a stop-limit fills at the trigger when its limit is marketable there, else only triggers', () => {
    const sl = order('sell', 'limit', 'stop_loss', '94', '95');
    const hit = matchOrder(sl, step([100, 101, 94.5, 95]), opts)!;
    expect([hit.price!.toFixed(), hit.liquidity]).toEqual(['95', 'taker']);
    const gapped = matchOrder(sl, step([93, 94, 92, 93]), opts)!;
    expect(gapped.price).toBeNull();
    expect(gapped.triggered).toBe(true);
    expect(gapped.point.toFixed()).toBe('93');
    // once triggered it is a plain limit sell at 94
    expect(matchOrder({ ...sl, triggered: true }, step([93, 95, 92, 94]), opts)!.price!.toFixed()).toBe('94');
  });
});

describe('processingOrder', () => {
  it('keeps creation order but moves a take-profit behind every stop-loss of its symbol', () => {
    const o = (seq: number, kind: OrderKind, symbol = 'A', side: OrderSide = 'sell') => ({ seq, kind, symbol, side });
    const sorted = processingOrder([o(1, 'take_profit'), o(2, 'regular'), o(3, 'stop_loss'), o(4, 'regular'), o(5, 'take_profit', 'B'), o(6, 'stop_loss', 'B')]);
    expect(sorted.map((x) => `${x.symbol}${x.seq}`)).toEqual(['A2', 'A3', 'A1', 'A4', 'B6', 'B5']);
  });

  it('a stop-loss guarding the other side (a short) does not delay a long\'s take-profit', () => {
    const sorted = processingOrder([
      { seq: 1, kind: 'take_profit' as const, symbol: 'A', side: 'sell' as const },
      { seq: 2, kind: 'stop_loss' as const, symbol: 'A', side: 'buy' as const },
    ]);
    expect(sorted.map((x) => x.seq)).toEqual([1, 2]);
  });
});

// ─── table-driven scenarios: hand-written candles, expected fill candle index and price ─────────────────

interface Scenario {
  name: string;
  /** Orders placed before the first candle; `price` in ctx opens positions at a known price. */
  setup: Array<{ req: Partial<OrderRequest> & { clientOrderId: string; side: OrderSide; type: OrderType; amount: string }; price?: string }>;
  candles: Ohlc[];
  /** Fills during the candles: clientOrderId, candle index, price, amount (default the order amount). */
  fills: Array<[cid: string, candle: number, price: string, amount?: string]>;
  /** Orders expected cancelled at the end. */
  canceled?: string[];
}

const LONG_AT_100 = { req: { clientOrderId: 'open', side: 'buy' as const, type: 'market' as const, amount: '1' }, price: '100' };
const SHORT_AT_100 = { req: { clientOrderId: 'open', side: 'sell' as const, type: 'market' as const, amount: '1' }, price: '100' };

const SCENARIOS: Scenario[] = [
  {
    name: 'limit buy fills at its price on the first candle whose low reaches it',
    setup: [{ req: { clientOrderId: 'L', side: 'buy', type: 'limit', amount: '1', price: '95' } }],
    candles: [[100, 102, 96, 101], [99, 100, 94, 96], [96, 97, 90, 91]],
    fills: [['L', 1, '95']],
  },
  {
    name: 'limit buy touched at an open gap fills at the open',
    setup: [{ req: { clientOrderId: 'L', side: 'buy', type: 'limit', amount: '1', price: '95' } }],
    candles: [[100, 101, 96, 97], [93, 96, 92, 95]],
    fills: [['L', 1, '93']],
  },
  {
    name: 'limit sell fills at max(Q, open)',
    setup: [{ req: { clientOrderId: 'L', side: 'sell', type: 'limit', amount: '1', price: '105' } }],
    candles: [[100, 104, 99, 103], [106, 108, 105, 107]],
    fills: [['L', 1, '106']],
  },
  {
    name: 'market order without a current price fills at the next open plus slippage',
    setup: [{ req: { clientOrderId: 'M', side: 'buy', type: 'market', amount: '1' } }],
    candles: [[101, 102, 100, 101]],
    fills: [['M', 0, '101.11']],
  },
  {
    name: 'sell stop-loss of a long fills at the stop minus slippage',
    setup: [LONG_AT_100, { req: { clientOrderId: 'SL', side: 'sell', type: 'market', amount: '1', kind: 'stop_loss', triggerPrice: '95', reduceOnly: true } }],
    candles: [[100, 101, 96, 97], [97, 98, 94, 95]],
    fills: [['SL', 1, '94.9']],
  },
  {
    name: 'stop-loss gapped through fills at the open minus slippage',
    setup: [LONG_AT_100, { req: { clientOrderId: 'SL', side: 'sell', type: 'market', amount: '1', kind: 'stop_loss', triggerPrice: '95', reduceOnly: true } }],
    candles: [[100, 101, 96, 97], [93, 94, 90, 92]],
    fills: [['SL', 1, '92.9']],
  },
  {
    name: 'buy stop-loss of a short fills at max(S, open) plus slippage',
    setup: [SHORT_AT_100, { req: { clientOrderId: 'SL', side: 'buy', type: 'market', amount: '1', kind: 'stop_loss', triggerPrice: '105', reduceOnly: true } }],
    candles: [[100, 106, 99, 104]],
    fills: [['SL', 0, '105.11']],
  },
  {
    name: 'stop-loss and take-profit touched in one candle: stop-loss first, take-profit cancelled',
    setup: [
      LONG_AT_100,
      { req: { clientOrderId: 'TP', side: 'sell', type: 'market', amount: '1', kind: 'take_profit', triggerPrice: '105', reduceOnly: true } },
      { req: { clientOrderId: 'SL', side: 'sell', type: 'market', amount: '1', kind: 'stop_loss', triggerPrice: '95', reduceOnly: true } },
    ],
    candles: [[100, 106, 94, 100], [100, 110, 99, 108]],
    fills: [['SL', 0, '94.9']],
    canceled: ['TP'],
  },
  {
    name: 'take-profit of a long fills like a limit at max(T, open), no slippage',
    setup: [LONG_AT_100, { req: { clientOrderId: 'TP', side: 'sell', type: 'market', amount: '1', kind: 'take_profit', triggerPrice: '105', reduceOnly: true } }],
    candles: [[100, 104, 99, 103], [104, 106, 103, 105]],
    fills: [['TP', 1, '105']],
  },
  {
    name: 'take-profit of a long gapped through fills at the open',
    setup: [LONG_AT_100, { req: { clientOrderId: 'TP', side: 'sell', type: 'market', amount: '1', kind: 'take_profit', triggerPrice: '105', reduceOnly: true } }],
    candles: [[100, 104, 99, 103], [107, 108, 106, 107]],
    fills: [['TP', 1, '107']],
  },
  {
    name: 'take-profit of a short buys at min(T, open)',
    setup: [SHORT_AT_100, { req: { clientOrderId: 'TP', side: 'buy', type: 'market', amount: '1', kind: 'take_profit', triggerPrice: '95', reduceOnly: true } }],
    candles: [[100, 101, 94, 96]],
    fills: [['TP', 0, '95']],
  },
  {
    name: 'reduce-only order is clipped to the position and never flips it',
    setup: [LONG_AT_100, { req: { clientOrderId: 'R', side: 'sell', type: 'limit', amount: '3', price: '105', reduceOnly: true } }],
    candles: [[100, 106, 99, 105], [105, 120, 104, 119]],
    fills: [['R', 0, '105', '1']],
  },
  {
    name: 'reduce-only stop waits while there is no position, then guards the one opened later',
    setup: [
      { req: { clientOrderId: 'SL', side: 'sell', type: 'market', amount: '1', kind: 'stop_loss', triggerPrice: '95', reduceOnly: true } },
      { req: { clientOrderId: 'L', side: 'buy', type: 'limit', amount: '1', price: '97' } },
    ],
    candles: [[100, 101, 94, 98], [98, 99, 94, 95]],
    // candle 0 reaches 94 too, but the stop is processed first (creation order) while there is no position yet
    fills: [['L', 0, '97'], ['SL', 1, '94.9']],
  },
  {
    name: 'stop-limit gapped below its limit rests as a limit and fills when the price comes back',
    setup: [LONG_AT_100, { req: { clientOrderId: 'SLL', side: 'sell', type: 'limit', amount: '1', price: '94', kind: 'stop_loss', triggerPrice: '95', reduceOnly: true } }],
    candles: [[93, 93.5, 92, 93], [93, 95, 92, 94]],
    fills: [['SLL', 1, '94']],
  },
];

function runScenario(sc: Scenario): { fills: Array<[string, number, string, string]>; engine: PaperEngine } {
  const e = new PaperEngine({ marketType: 'swap', markets: { [SYM]: MARKET }, slippageBps: 10, defaultLeverage: 10 }, { USDT: '100000' });
  for (const s of sc.setup) e.placeOrder({ symbol: SYM, ...s.req }, { now: -1, price: s.price ?? null });
  const out: Array<[string, number, string, string]> = [];
  sc.candles.forEach((c, i) => {
    for (const f of e.applyStep(step(c, i))) out.push([f.clientOrderId ?? `#${f.orderId}`, i, f.price, f.amount]);
  });
  return { fills: out, engine: e };
}

describe('fill-rule scenarios (hand-written candles)', () => {
  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', (_name, sc) => {
    const { fills, engine } = runScenario(sc);
    const amountOf = (cid: string) => engine.getOrderByClientId(cid)!.amount;
    expect(fills).toEqual(sc.fills.map(([cid, i, price, amount]) => [cid, i, price, amount ?? amountOf(cid)]));
    for (const cid of sc.canceled ?? []) expect(engine.getOrderByClientId(cid)!.status).toBe('canceled');
  });

  it('the reduce-only scenario leaves no position and reports the clipped fill on the order', () => {
    const { engine } = runScenario(SCENARIOS.find((s) => s.name.startsWith('reduce-only order is clipped'))!);
    expect(engine.positions()).toEqual([]);
    expect(engine.getOrderByClientId('R')).toMatchObject({ status: 'closed', amount: '3', filled: '1', average: '105' });
  });
});

// ─── stepFromCandleUpdate against the replay path ─────────────────────────────────────────────────────────

const RISING: Candle = { ts: 900_000, open: 100, high: 110, low: 95, close: 107, volume: 10 };
const FALLING: Candle = { ts: 900_000, open: 100, high: 104, low: 88, close: 91, volume: 10 };

function updates(c: Candle, fractions: number[]): Candle[] {
  return fractions.map((f) => formingCandle(c, f));
}

describe('stepFromCandleUpdate', () => {
  it('a new candle (or no previous update) starts from its own open', () => {
    const prev = { ...RISING, ts: 0 };
    expect(stepFromCandleUpdate(prev, RISING, SYM, 5)).toEqual({ symbol: SYM, ts: 5, open: 100, high: 110, low: 95, close: 107 });
    expect(stepFromCandleUpdate(null, RISING, SYM)).toEqual({ symbol: SYM, ts: RISING.ts, open: 100, high: 110, low: 95, close: 107 });
  });

  it('within a candle the step runs from the previous close and includes a new extreme', () => {
    const a = formingCandle(RISING, 0.2); // on the way down to the low
    const b = formingCandle(RISING, 0.5); // past the low, on the way up
    const s = stepFromCandleUpdate(a, b, SYM);
    expect(s.open).toBe(a.close);
    expect(s.close).toBe(b.close);
    expect(s.low).toBe(95);
    expect(s.high).toBe(Math.max(a.close, b.close));
  });

  for (const [name, candle] of [['rising', RISING], ['falling', FALLING]] as const) {
    it(`the union of the steps over a ${name} candle covers exactly its low..high, contiguously`, () => {
      const fr = [0.03, 0.1, 0.2, 0.3, 0.34, 0.5, 0.6, 0.66, 0.67, 0.8, 0.95, 1];
      const ups = updates(candle, fr);
      let prev: Candle | null = { ...candle, ts: candle.ts - 900_000, close: 99 }; // the previous candle
      const steps: PriceStep[] = [];
      for (const u of ups) {
        steps.push(stepFromCandleUpdate(prev, u, SYM));
        prev = u;
      }
      expect(steps[0]!.open).toBe(candle.open);
      for (let i = 1; i < steps.length; i++) expect(steps[i]!.open).toBe(steps[i - 1]!.close);
      for (const s of steps) {
        expect(s.low).toBeLessThanOrEqual(Math.min(s.open, s.close));
        expect(s.high).toBeGreaterThanOrEqual(Math.max(s.open, s.close));
        expect(s.low).toBeGreaterThanOrEqual(candle.low);
        expect(s.high).toBeLessThanOrEqual(candle.high);
      }
      expect(Math.min(...steps.map((s) => s.low))).toBe(candle.low);
      expect(Math.max(...steps.map((s) => s.high))).toBe(candle.high);
      expect(steps.at(-1)!.close).toBe(candle.close);
      // contiguous cover: sorting the step intervals leaves no gap between low and high
      const iv = steps.map((s) => [s.low, s.high] as const).sort((x, y) => x[0] - y[0]);
      let reach = iv[0]![1];
      for (const [lo, hi] of iv.slice(1)) {
        expect(lo).toBeLessThanOrEqual(reach);
        reach = Math.max(reach, hi);
      }
      expect(reach).toBe(candle.high);
    });
  }
});

describe('candlePath', () => {
  it('splits a rising candle into open→low→high→close legs and a falling one into open→high→low→close', () => {
    expect(candlePath(RISING, SYM).map((s) => [s.open, s.close])).toEqual([[100, 95], [95, 110], [110, 107]]);
    expect(candlePath(FALLING, SYM).map((s) => [s.open, s.close])).toEqual([[100, 104], [104, 88], [88, 91]]);
  });

  it('a backtest over the path legs fills exactly like a paper run over forming-candle updates', () => {
    const candles: Candle[] = [
      { ts: 0, open: 100, high: 103, low: 96.5, close: 102, volume: 1 },
      { ts: 900_000, open: 102, high: 104.2, low: 94.1, close: 95, volume: 1 },
      { ts: 1_800_000, open: 94.5, high: 99, low: 92, close: 98.7, volume: 1 },
      { ts: 2_700_000, open: 98.7, high: 106, low: 97, close: 105.5, volume: 1 },
    ];
    const place = (e: PaperEngine) => {
      e.placeOrder({ clientOrderId: 'buy', symbol: SYM, side: 'buy', type: 'limit', amount: '1', price: '97' }, { now: 0 });
      e.placeOrder({ clientOrderId: 'sl', symbol: SYM, side: 'sell', type: 'market', amount: '1', kind: 'stop_loss', triggerPrice: '93.5', reduceOnly: true }, { now: 0 });
      e.placeOrder({ clientOrderId: 'tp', symbol: SYM, side: 'sell', type: 'market', amount: '1', kind: 'take_profit', triggerPrice: '103.8', reduceOnly: true }, { now: 0 });
      e.placeOrder({ clientOrderId: 'short', symbol: SYM, side: 'sell', type: 'limit', amount: '2', price: '104' }, { now: 0 });
      e.placeOrder({ clientOrderId: 'cover', symbol: SYM, side: 'buy', type: 'market', amount: '2', kind: 'stop_loss', triggerPrice: '105.2', reduceOnly: true }, { now: 0 });
    };
    const make = () => new PaperEngine({ marketType: 'swap', markets: { [SYM]: MARKET }, slippageBps: 7, defaultLeverage: 5 }, { USDT: '10000' });
    const brief = (fs: PaperFill[]) => fs.map((f) => `${f.clientOrderId ?? f.orderId} ${f.side} ${f.amount}@${f.price}`);

    const backtest = make();
    place(backtest);
    const bt: PaperFill[] = [];
    for (const c of candles) for (const leg of candlePath(c, SYM)) bt.push(...backtest.applyStep(leg));

    const paper = make();
    place(paper);
    const pp: PaperFill[] = [];
    let prev: Candle | null = null;
    for (const c of candles) {
      for (let k = 1; k <= 40; k++) {
        const u = formingCandle(c, k / 40);
        pp.push(...paper.applyStep(stepFromCandleUpdate(prev, u, SYM)));
        prev = u;
      }
    }
    // candle 0 buys at 97; candle 1's first leg rises through 103.8 (TP closes the long, its stop is
    // cancelled) and 104 (short 2); candle 3's rise triggers the short's stop at 105.2 + 7 bps → 105.28
    expect(brief(bt)).toEqual(['buy buy 1@97', 'tp sell 1@103.8', 'short sell 2@104', 'cover buy 2@105.28']);
    expect(backtest.getOrderByClientId('sl')!.status).toBe('canceled');
    expect(brief(pp)).toEqual(brief(bt));
    expect(paper.balances()).toEqual(backtest.balances());
  });

  it('stepFromCandle is the whole candle', () => {
    expect(stepFromCandle(RISING, SYM, 7)).toEqual({ symbol: SYM, ts: 7, open: 100, high: 110, low: 95, close: 107 });
  });
});
