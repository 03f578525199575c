import { describe, expect, it } from 'vitest';
import type { MarketSignal, RiskRules } from '@osprey/shared';
import type { MarketInfo } from '../exchange/port.js';
import { createGridStrategy, parseGridConfig } from './grid.js';
import { MAX_RESTEPS, withRiskRules, type AccountRiskContext, type RiskGateState } from './risk-gate.js';
import { initialRiskState, utcDayStart } from './risk.js';
import type { HeldLot, Intent, RoundTrip, StepResult, Strategy, StrategyEvent, StrategyNote } from './strategy.js';

const T0 = Date.UTC(2024, 0, 1, 12);
const MIN = 60_000;
const H = 60 * MIN;
const market = (symbol: string): MarketInfo => {
  const [base, quote] = symbol.split('/') as [string, string];
  return { symbol, base, quote, type: 'spot', amountStep: '0.001', priceStep: '0.01', minAmount: null, minNotional: null, makerFee: '0.001', takerFee: '0.001', maxLeverage: 1 };
};
const MARKETS = { 'BTC/USDT': market('BTC/USDT'), 'ETH/USDT': market('ETH/USDT') };

// ─── a tiny fake inner strategy ───

interface FakeState {
  seq: number;
  lots: HeldLot[];
  /** Entry orders in flight: id → side. */
  entries: Record<string, 'long' | 'short'>;
  /** Exit orders in flight: id → lot key. */
  exits: Record<string, string>;
  /** orderDead events received: [clientOrderId, message]. */
  dead: [string, string][];
  /** forceExit events received: [key, rule]. */
  forced: [string, string][];
  pnl: string;
}

/**
 * A signal places `sizeMultiplier` market entries of 1 on the signal's symbol (ids `e<seq>`, LONG = buy);
 * an entry fill becomes the lot `K<id>`; a forceExit places a market exit (`x<seq>`) whose fill closes the
 * lot with pnl = ±(exit − entry). With `retry`, a refused entry is re-placed at once (a misbehaving strategy).
 */
function fake(retry = false): Strategy<FakeState> {
  const place = (s: FakeState, symbol: string, side: 'long' | 'short', out: Intent[]) => {
    const id = `e${s.seq++}`;
    s.entries[id] = side;
    out.push({ type: 'place', role: 'entry', order: { clientOrderId: id, symbol, side: side === 'long' ? 'buy' : 'sell', type: 'market', amount: '1' } });
  };
  return {
    type: 'fake',
    botId: 'f',
    symbols: ['BTC/USDT', 'ETH/USDT'],
    initialState: () => ({ seq: 0, lots: [], entries: {}, exits: {}, dead: [], forced: [], pnl: '0' }),
    step(state, event): StepResult<FakeState> {
      const s = structuredClone(state);
      const intents: Intent[] = [];
      const closed: RoundTrip[] = [];
      if (event.type === 'signal') for (let i = 0; i < event.signal.sizeMultiplier; i++) place(s, event.signal.symbol, event.signal.type === 'LONG' ? 'long' : 'short', intents);
      if (event.type === 'orderDead') {
        s.dead.push([event.clientOrderId, event.message ?? '']);
        const side = s.entries[event.clientOrderId];
        delete s.entries[event.clientOrderId];
        if (retry && side) place(s, event.symbol, side, intents);
      }
      if (event.type === 'forceExit') {
        s.forced.push([event.key, event.rule]);
        const lot = s.lots.find((l) => l.key === event.key);
        if (lot) {
          const id = `x${s.seq++}`;
          s.exits[id] = lot.key;
          intents.push({ type: 'place', role: 'exit', order: { clientOrderId: id, symbol: lot.symbol, side: lot.side === 'long' ? 'sell' : 'buy', type: 'market', amount: lot.amount } });
        }
      }
      if (event.type === 'fill') {
        const f = event.fill;
        const side = s.entries[f.clientOrderId!];
        if (side) {
          delete s.entries[f.clientOrderId!];
          s.lots.push({ key: `K${f.clientOrderId}`, symbol: f.symbol, side, amount: f.amount, entryPrice: f.price, openedAt: f.ts });
        }
        const key = s.exits[f.clientOrderId!];
        const lot = s.lots.find((l) => l.key === key);
        if (lot) {
          const pnl = (Number(f.price) - Number(lot.entryPrice)) * (lot.side === 'long' ? 1 : -1) * Number(lot.amount);
          closed.push({ symbol: lot.symbol, side: lot.side, entryClientOrderId: lot.key.slice(1), exitClientOrderId: f.clientOrderId!, amount: lot.amount, entryPrice: lot.entryPrice, exitPrice: f.price, entryFee: '0', exitFee: '0', pnl: String(pnl), openedAt: lot.openedAt, closedAt: f.ts });
          s.lots = s.lots.filter((l) => l !== lot);
          s.pnl = String(Number(s.pnl) + pnl);
        }
      }
      return { state: s, intents, closed };
    },
    held: (s) => s.lots,
    summary: (s) => ({ realizedPnl: s.pnl, roundTrips: 0 }),
  };
}

interface Out {
  intents: string[];
  notes: StrategyNote[];
  closed: RoundTrip[];
}

/** Drives a gated strategy; `now` is the time of the next event. */
function drive<S>(strategy: Strategy<RiskGateState<S>>, account?: AccountRiskContext) {
  let state = strategy.initialState();
  let now = T0;
  let fillSeq = 0;
  const run = (event: StrategyEvent): Out => {
    const frozen = structuredClone(state);
    const r = strategy.step(state, event, { now, markets: MARKETS, balances: [], positions: [], ...(account ? { account } : {}) });
    expect(state, 'step must not mutate its input').toEqual(frozen);
    state = r.state;
    return {
      intents: r.intents.map((i) => (i.type === 'place' ? `${i.role} ${i.order.clientOrderId} ${i.order.side} ${i.order.amount}${i.order.price ? ` @${i.order.price}` : ''}` : `cancel ${i.clientOrderId}`)),
      notes: r.notes ?? [],
      closed: r.closed ?? [],
    };
  };
  const api = {
    get state() {
      return state;
    },
    at(t: number) {
      now = t;
      return api;
    },
    signal: (n = 1, symbol = 'BTC/USDT', type: MarketSignal['type'] = 'LONG') =>
      run({ type: 'signal', signal: { id: 's', exchange: 'binance', symbol, type, score: 20, sizeMultiplier: n, candleTs: now, createdAt: now, expiresAt: now + H, details: {} } }),
    fill: (clientOrderId: string, price: string, amount = '1', symbol = 'BTC/USDT', side: 'buy' | 'sell' = 'buy') =>
      run({ type: 'fill', fill: { id: `f${fillSeq++}`, orderId: clientOrderId, clientOrderId, symbol, side, price, amount, fee: '0', feeCurrency: 'USDT', liquidity: 'taker', ts: now } }),
    candle: (close: number, symbol = 'BTC/USDT', closed = true) => run({ type: 'candle', symbol, candle: { ts: now - 15 * MIN, open: close, high: close, low: close, close, volume: 1 }, closed }),
    force: (key: string, rule = 'manual') => run({ type: 'forceExit', key, rule }),
    dead: (clientOrderId: string, symbol = 'BTC/USDT') => run({ type: 'orderDead', clientOrderId, symbol, reason: 'canceled' }),
  };
  return api;
}

const codes = (o: Out) => o.notes.map((n) => n.code);

describe('withRiskRules over a fake strategy: entries', () => {
  it('maxOpenPositions counts held lots + entries in flight; refused entries reach the inner strategy as rejected', () => {
    const d = drive(withRiskRules(fake(), { maxOpenPositions: 2 }));
    const r = d.signal(3);
    expect(r.intents).toEqual(['entry e0 buy 1', 'entry e1 buy 1']);
    expect(r.notes).toEqual([{ kind: 'risk', code: 'risk.maxOpenPositions', message: expect.stringMatching(/^Entry e2 .*max open positions 2 reached \(2 open or pending\)/), detail: { max: 2, open: 2, symbol: 'BTC/USDT' } }]);
    expect(d.state.inner.dead).toEqual([['e2', 'risk: max open positions 2 reached (2 open or pending)']]);
    expect(d.state.inner.entries).toEqual({ e0: 'long', e1: 'long' });
    expect(d.state.pendingEntries).toEqual({ e0: 'BTC/USDT', e1: 'BTC/USDT' });
    // still blocked: no second note for the same block
    expect(d.signal()).toMatchObject({ intents: [], notes: [] });
    d.fill('e0', '100');
    expect(d.state.pendingEntries).toEqual({ e1: 'BTC/USDT' });
    expect(d.signal()).toMatchObject({ intents: [], notes: [] }); // 1 held + 1 pending
    d.force('Ke0');
    d.fill('x5', '101', '1', 'BTC/USDT', 'sell');
    expect(d.signal(2)).toMatchObject({ intents: ['entry e6 buy 1'], notes: [{ code: 'risk.maxOpenPositions' }] }); // allowed, then a new block → a new note
  });

  it('cooldown after N consecutive losses (a win resets the streak), with its notes', () => {
    const d = drive(withRiskRules(fake(), { cooldown: { afterLosses: 2, pauseMinutes: 30 } }));
    const lose = (id: string, exitId: string, price: string) => {
      d.signal();
      d.fill(id, '100');
      d.force(`K${id}`);
      return d.fill(exitId, price, '1', 'BTC/USDT', 'sell');
    };
    expect(codes(lose('e0', 'x1', '99'))).toEqual([]);
    expect(lose('e2', 'x3', '101').closed[0]!.pnl).toBe('1');
    expect(codes(lose('e4', 'x5', '99'))).toEqual([]);
    d.at(T0 + MIN);
    const last = lose('e6', 'x7', '98');
    expect(last.notes).toEqual([{ kind: 'risk', code: 'risk.cooldownStarted', message: expect.stringContaining('entries paused 30 min'), detail: { afterLosses: 2, pauseMinutes: 30, pausedUntil: T0 + 31 * MIN, lastPnl: '-2' } }]);
    expect(d.at(T0 + 10 * MIN).signal()).toMatchObject({ intents: [], notes: [{ code: 'risk.cooldown', detail: { pausedUntil: T0 + 31 * MIN, remainingMs: 21 * MIN } }] });
    expect(d.state.inner.dead.at(-1)![1]).toMatch(/^risk: cooldown after consecutive losses, entries paused until 2024-01-01T12:31:00.000Z \(21 min left\)$/);
    expect(d.at(T0 + 31 * MIN).signal()).toMatchObject({ intents: ['entry e9 buy 1'], notes: [] });
  });

  it('daily UTC loss limit: reached note, then refused until the next UTC midnight; a rule change gives a new note', () => {
    const d = drive(withRiskRules(fake(), { dailyLossLimit: '5', cooldown: { afterLosses: 1, pauseMinutes: 10 } }));
    d.signal();
    d.fill('e0', '100');
    d.force('Ke0');
    const r = d.fill('x1', '94', '1', 'BTC/USDT', 'sell');
    expect(codes(r)).toEqual(['risk.cooldownStarted', 'risk.dailyLossLimitReached']);
    expect(r.notes[1]!.detail).toEqual({ limit: '5', lossToday: '6', resumesAt: Date.UTC(2024, 0, 2) });
    expect(codes(d.at(T0 + MIN).signal())).toEqual(['risk.cooldown']);
    const daily = d.at(T0 + 11 * MIN).signal();
    expect(daily.notes).toMatchObject([{ code: 'risk.dailyLossLimit', detail: { limit: '5', lossToday: '6', resumesAt: Date.UTC(2024, 0, 2) } }]);
    expect(codes(d.at(T0 + 12 * MIN).signal())).toEqual([]);
    expect(d.at(Date.UTC(2024, 0, 2) - 1).signal().intents).toEqual([]);
    expect(d.at(Date.UTC(2024, 0, 2)).signal().intents).toEqual(['entry e6 buy 1']);
  });

  it('a strategy that re-places every refused entry is stopped by the re-step guard', () => {
    const d = drive(withRiskRules(fake(true), { maxOpenPositions: 1 }));
    d.signal();
    expect(() => d.signal()).toThrow(new RegExp(`more than ${MAX_RESTEPS} inner steps`));
  });

  it('without rules the gate passes everything and delegates held/summary', () => {
    const inner = fake();
    const gated = withRiskRules(inner, {});
    const d = drive(gated);
    expect(d.signal(5).intents).toHaveLength(5);
    d.fill('e0', '100');
    expect(gated.held(d.state)).toEqual(inner.held(d.state.inner));
    expect(gated.held(d.state)).toHaveLength(1);
    expect(gated.summary(d.state)).toEqual({ realizedPnl: '0', roundTrips: 0 });
    expect(gated.symbols).toEqual(inner.symbols);
    expect(gated.type).toBe('fake');
  });

  it('rejects invalid rules, naming the rule', () => {
    expect(() => withRiskRules(fake(), { cooldown: { afterLosses: 0, pauseMinutes: 5 } } as RiskRules)).toThrow(/^cooldown\.afterLosses:/);
  });
});

describe('withRiskRules over a fake strategy: forced exits on closed candles', () => {
  const table: { name: string; rules: RiskRules; side: 'LONG' | 'SHORT'; candles: [number, number][]; forced: [string, string][]; note?: object }[] = [
    { name: 'long above the price stop: kept', rules: { stopLossPct: 5 }, side: 'LONG', candles: [[95.01, T0 + 15 * MIN]], forced: [] },
    {
      name: 'long at −5 %: price stop',
      rules: { stopLossPct: 5 },
      side: 'LONG',
      candles: [[95, T0 + 15 * MIN]],
      forced: [['Ke0', 'priceStop']],
      note: { kind: 'risk', code: 'risk.priceStop', detail: { lossPct: '5', stopLossPct: 5, key: 'Ke0', symbol: 'BTC/USDT', side: 'long', entryPrice: '100', price: '95' } },
    },
    { name: 'short gaining on a drop: kept', rules: { stopLossPct: 5 }, side: 'SHORT', candles: [[80, T0 + 15 * MIN]], forced: [] },
    { name: 'short at +6 %: price stop', rules: { stopLossPct: 5 }, side: 'SHORT', candles: [[106, T0 + 15 * MIN]], forced: [['Ke0', 'priceStop']], note: { code: 'risk.priceStop', detail: expect.objectContaining({ lossPct: '6' }) } },
    { name: 'time stop: not yet', rules: { maxHoldingMs: H }, side: 'LONG', candles: [[100, T0 + H - 1]], forced: [] },
    { name: 'time stop: held max', rules: { maxHoldingMs: H }, side: 'LONG', candles: [[100, T0 + H]], forced: [['Ke0', 'timeStop']], note: { code: 'risk.timeStop', detail: expect.objectContaining({ heldMs: H, maxHoldingMs: H, key: 'Ke0' }) } },
    { name: 'no repeat while the lot is being exited', rules: { stopLossPct: 5 }, side: 'LONG', candles: [[95, T0 + 15 * MIN], [90, T0 + 30 * MIN]], forced: [['Ke0', 'priceStop']] },
  ];
  it.each(table)('$name', ({ rules, side, candles, forced, note }) => {
    const d = drive(withRiskRules(fake(), rules));
    d.signal(1, 'BTC/USDT', side);
    d.fill('e0', '100', '1', 'BTC/USDT', side === 'LONG' ? 'buy' : 'sell');
    const outs = candles.map(([close, t]) => d.at(t).candle(close));
    expect(d.state.inner.forced).toEqual(forced);
    if (forced.length) expect(outs[0]!.intents).toEqual([`exit x1 ${side === 'LONG' ? 'sell' : 'buy'} 1`]);
    if (note) expect(outs[0]!.notes).toEqual([expect.objectContaining(note)]);
    if (outs.length > 1) expect(outs[1]!.notes).toEqual([]);
  });

  it('prices each lot at the last close of its own symbol; updates that are not closed do not count', () => {
    const d = drive(withRiskRules(fake(), { stopLossPct: 5 }));
    d.signal(1, 'ETH/USDT');
    d.fill('e0', '100', '1', 'ETH/USDT');
    d.candle(50, 'BTC/USDT');
    d.candle(50, 'ETH/USDT', false);
    expect(d.state.inner.forced).toEqual([]);
    expect(d.state.last).toEqual({ 'BTC/USDT': 50 });
    d.candle(94, 'ETH/USDT');
    expect(d.state.inner.forced).toEqual([['Ke0', 'priceStop']]);
  });

  it('once the lot is gone its key may be exited again (a new lot)', () => {
    const d = drive(withRiskRules(fake(), { stopLossPct: 5 }));
    d.signal();
    d.fill('e0', '100');
    d.candle(95);
    d.fill('x1', '95', '1', 'BTC/USDT', 'sell');
    d.candle(95);
    expect(d.state.exiting).toEqual([]);
  });
});

describe('withRiskRules over the real grid strategy', () => {
  const grid = (rules: RiskRules) =>
    drive(withRiskRules(createGridStrategy('g', parseGridConfig({ symbol: 'BTC/USDT', levels: 4, spacingPct: 1, sellOffsetPct: 1, orderSize: { mode: 'base', value: '0.1' }, repricePct: 0 })), rules));
  const levels = (d: ReturnType<typeof grid>) => d.state.inner.levels.map((l) => l.status);

  it('maxOpenPositions 2: two of the four buys pass, the grid idles the refused levels; one note per block', () => {
    const d = grid({ maxOpenPositions: 2 });
    const r = d.candle(100);
    expect(r.intents).toEqual(['entry bgx0b0 buy 0.1 @99', 'entry bgx0b1 buy 0.1 @98']);
    expect(codes(r)).toEqual(['risk.maxOpenPositions']);
    expect(levels(d)).toEqual(['buying', 'buying', 'idle', 'idle']);
    // next candle: the grid re-arms the idle levels, still refused, no new note
    expect(d.at(T0 + 15 * MIN).candle(100)).toMatchObject({ intents: [], notes: [] });
    // the buy fills: its sell (an exit) passes; the level now counts as held
    expect(d.fill('bgx0b0', '99', '0.1').intents).toEqual(['exit bgx0s6 sell 0.1 @99.99']);
    expect(d.state.pendingEntries).toEqual({ bgx0b1: 'BTC/USDT' });
    expect(d.at(T0 + 30 * MIN).candle(100).intents).toEqual([]);
    // the sell fills: the level re-arms within the limit (1 pending + 0 held)
    const s = d.fill('bgx0s6', '99.99', '0.1', 'BTC/USDT', 'sell');
    expect(s.closed[0]!.pnl).toBe('0.099');
    expect(s.intents).toEqual(['entry bgx1b9 buy 0.1 @99']);
  });

  it('price stop: the grid cancels the level sell and sells at market; the loss starts a cooldown that refuses the re-armed buy', () => {
    const d = grid({ stopLossPct: 5, cooldown: { afterLosses: 1, pauseMinutes: 60 } });
    d.candle(100);
    d.fill('bgx0b0', '99', '0.1');
    const r = d.at(T0 + 15 * MIN).candle(94);
    expect(r.intents).toEqual(['cancel bgx0s4']);
    expect(r.notes).toMatchObject([{ code: 'risk.priceStop', detail: { key: 'L0', lossPct: expect.stringMatching(/^5\.0505/), stopLossPct: 5 } }]);
    expect(d.dead('bgx0s4').intents).toEqual(['exit bgx0x5 sell 0.1']);
    const x = d.fill('bgx0x5', '94', '0.1', 'BTC/USDT', 'sell');
    expect(x.closed.map((t) => t.pnl)).toEqual(['-0.5']);
    expect(codes(x)).toEqual(['risk.cooldownStarted', 'risk.cooldown']);
    expect(x.intents).toEqual([]);
    expect(levels(d)).toEqual(['idle', 'buying', 'buying', 'buying']);
    expect(d.at(T0 + 15 * MIN + H).candle(94).intents).toEqual(['entry bgx1b7 buy 0.1 @99']);
  });

  it('daily loss limit refuses the re-armed buy until the next UTC day', () => {
    const d = grid({ stopLossPct: 5, dailyLossLimit: '0.5' });
    d.candle(100);
    d.fill('bgx0b0', '99', '0.1');
    d.at(T0 + 15 * MIN).candle(94);
    d.dead('bgx0s4');
    const x = d.fill('bgx0x5', '94', '0.1', 'BTC/USDT', 'sell');
    expect(codes(x)).toEqual(['risk.dailyLossLimitReached', 'risk.dailyLossLimit']);
    expect(d.at(Date.UTC(2024, 0, 2)).candle(94).intents).toEqual(['entry bgx1b7 buy 0.1 @99']);
  });

  it('time stop closes a held level at market once', () => {
    const d = grid({ maxHoldingMs: 2 * H });
    d.candle(100);
    d.fill('bgx0b1', '98', '0.1');
    expect(d.at(T0 + 2 * H - 1).candle(100).intents).toEqual([]);
    const r = d.at(T0 + 2 * H).candle(100);
    expect(r.intents).toEqual(['cancel bgx0s4']);
    expect(d.dead('bgx0s4').intents).toEqual(['exit bgx0x5 sell 0.1']);
    expect(r.notes).toMatchObject([{ code: 'risk.timeStop', detail: { key: 'L1', heldMs: 2 * H, maxHoldingMs: 2 * H } }]);
    expect(d.at(T0 + 3 * H).candle(100).notes).toEqual([]);
  });
});

describe('withRiskRules: account rules (ctx.account)', () => {
  const acct = (rules: RiskRules, otherOpen = 0, state = initialRiskState()): AccountRiskContext => ({ rules, state, otherOpen });

  it('max open positions counts the other bots of the account; the block is noted as an account rule', () => {
    const d = drive(withRiskRules(fake(), {}), acct({ maxOpenPositions: 3 }, 2));
    const r = d.signal(2);
    expect(r.intents).toEqual(['entry e0 buy 1']);
    expect(r.notes).toEqual([{ kind: 'risk', code: 'risk.account.maxOpenPositions', message: expect.stringMatching(/^Entry e1 .*refused: account rule: max open positions 3 reached \(3 open or pending\)/), detail: { max: 3, open: 3, symbol: 'BTC/USDT' } }]);
    expect(d.state.inner.dead).toEqual([['e1', 'risk: account rule: max open positions 3 reached (3 open or pending)']]);
  });

  it('the bot rule is checked first and named as the bot rule', () => {
    const d = drive(withRiskRules(fake(), { maxOpenPositions: 1 }), acct({ maxOpenPositions: 1 }, 5));
    const r = d.signal(1);
    expect(r.intents).toEqual([]);
    expect(codes(r)).toEqual(['risk.account.maxOpenPositions']);
    const d2 = drive(withRiskRules(fake(), { maxOpenPositions: 1 }), acct({ maxOpenPositions: 10 }, 0));
    expect(d2.signal(2).notes.map((n) => n.code)).toEqual(['risk.maxOpenPositions']);
  });

  it('the account daily loss (all its bots) blocks entries until the next UTC day', () => {
    const day = utcDayStart(T0);
    const d = drive(withRiskRules(fake(), {}), acct({ dailyLossLimit: '50' }, 0, { day, dayPnl: '-60', lossStreak: 0, pausedUntil: null }));
    const r = d.signal(1);
    expect(r.intents).toEqual([]);
    expect(r.notes[0]).toMatchObject({ code: 'risk.account.dailyLossLimit', detail: { limit: '50', lossToday: '60', resumesAt: day + 86_400_000 } });
    expect(d.at(day + 86_400_000).signal(1).intents).toEqual(['entry e1 buy 1']);
  });

  it('an account cooldown pauses the bot until it ends; the gate reads the account view the runner refreshes between events', () => {
    const paused = drive(withRiskRules(fake(), {}), acct({}, 0, { day: null, dayPnl: '0', lossStreak: 0, pausedUntil: T0 + 10 * MIN }));
    expect(codes(paused.signal(1))).toEqual(['risk.account.cooldown']);
    expect(paused.at(T0 + 10 * MIN).signal(1).intents).toEqual(['entry e1 buy 1']);

    // Account streak 1 of 2: this bot's losing exit makes 2 → a later entry in the same drive is refused.
    const view = acct({ cooldown: { afterLosses: 2, pauseMinutes: 30 } }, 0, { day: utcDayStart(T0), dayPnl: '-1', lossStreak: 1, pausedUntil: null });
    const d = drive(withRiskRules(fake(), {}), view);
    d.signal(1);
    d.fill('e0', '100');
    d.force('Ke0');
    const closing = d.fill('x1', '90', '1', 'BTC/USDT', 'sell');
    expect(closing.closed.map((c) => c.pnl)).toEqual(['-10']);
    // The runner folds the round trip into the account view before the next event (as the service does).
    view.state = { day: utcDayStart(T0), dayPnl: '-11', lossStreak: 0, pausedUntil: T0 + 30 * MIN };
    expect(codes(d.signal(1))).toEqual(['risk.account.cooldown']);
  });

  it('a loss this bot closes that brings the account to its daily limit or cooldown is noted as an account event', () => {
    const day = utcDayStart(T0);
    const d = drive(withRiskRules(fake(), {}), acct({ dailyLossLimit: '15', cooldown: { afterLosses: 2, pauseMinutes: 30 } }, 0, { day, dayPnl: '-6', lossStreak: 1, pausedUntil: null }));
    d.signal(1);
    d.fill('e0', '100');
    d.force('Ke0');
    const r = d.fill('x1', '90', '1', 'BTC/USDT', 'sell');
    expect(r.closed.map((c) => c.pnl)).toEqual(['-10']);
    expect(r.notes).toMatchObject([
      { code: 'risk.account.cooldownStarted', message: expect.stringMatching(/^Account: 2 consecutive losing trades/), detail: { afterLosses: 2, pausedUntil: T0 + 30 * MIN } },
      { code: 'risk.account.dailyLossLimitReached', message: expect.stringMatching(/^Account: realized loss today 16 reached the daily limit 15/), detail: { limit: '15', lossToday: '16' } },
    ]);
  });

  it('the account price stop applies to lots when the bot sets none; the bot\'s own stop wins', () => {
    const d = drive(withRiskRules(fake(), {}), acct({ stopLossPct: 5 }));
    d.signal(1);
    d.fill('e0', '100');
    expect(codes(d.candle(96))).toEqual([]);
    const r = d.candle(95);
    expect(codes(r)).toEqual(['risk.priceStop']);
    expect(r.intents).toEqual(['exit x1 sell 1']);

    const own = drive(withRiskRules(fake(), { stopLossPct: 2 }), acct({ stopLossPct: 5 }));
    own.signal(1);
    own.fill('e0', '100');
    expect(codes(own.candle(98))).toEqual(['risk.priceStop']);
  });
});

describe('withRiskRules over the DCA spread strategy: adds are not new positions', () => {
  it('max open positions 2 on a perpetual spread: both legs open, and the DCA adds go through', async () => {
    const { createSpreadStrategy, parseSpreadParams } = await import('./spread.js');
    const perp = (symbol: string): MarketInfo => ({ ...market(symbol.split(':')[0]!), symbol, type: 'swap', maxLeverage: 20 });
    const markets = { 'ETH/USDT:USDT': perp('ETH/USDT:USDT'), 'BTC/USDT:USDT': perp('BTC/USDT:USDT') };
    const g = withRiskRules(createSpreadStrategy('sp', parseSpreadParams({ symbolA: 'ETH/USDT:USDT', symbolB: 'BTC/USDT:USDT', entryPct: 5, stepPct: 3 }), 'swap'), { maxOpenPositions: 2 });
    let state = g.initialState();
    let now = T0;
    let seq = 0;
    const step = (e: StrategyEvent) => {
      const r = g.step(state, e, { now, markets, balances: [], positions: [] });
      state = r.state;
      return r;
    };
    const tick = (a: number, b: number) => {
      now += 15 * MIN;
      const out = [...step({ type: 'candle', symbol: 'ETH/USDT:USDT', candle: { ts: now - 15 * MIN, open: a, high: a, low: a, close: a, volume: 1 }, closed: true }).intents];
      out.push(...step({ type: 'candle', symbol: 'BTC/USDT:USDT', candle: { ts: now - 15 * MIN, open: b, high: b, low: b, close: b, volume: 1 }, closed: true }).intents);
      return out;
    };
    const fillAll = (intents: Intent[], prices: Record<string, number>) => {
      for (const it of intents) {
        if (it.type !== 'place') continue;
        const o = it.order;
        step({ type: 'fill', fill: { id: `f${seq++}`, orderId: o.clientOrderId, clientOrderId: o.clientOrderId, symbol: o.symbol, side: o.side, price: String(prices[o.symbol]), amount: o.amount, fee: '0', feeCurrency: 'USDT', liquidity: 'taker', ts: now } });
      }
    };
    tick(100, 100);
    const open = tick(105, 100);
    expect(open.map((i) => i.type === 'place' && `${i.role} ${i.order.side} ${i.order.symbol}`)).toEqual(['entry buy BTC/USDT:USDT', 'entry sell ETH/USDT:USDT']);
    fillAll(open, { 'ETH/USDT:USDT': 105, 'BTC/USDT:USDT': 100 });
    expect(g.held(state)).toHaveLength(2);
    const adds = tick(108, 100);
    expect(adds.map((i) => i.type === 'place' && `${i.role} ${i.order.side} ${i.order.symbol}`)).toEqual(['add buy BTC/USDT:USDT', 'add sell ETH/USDT:USDT']);
  });
});
