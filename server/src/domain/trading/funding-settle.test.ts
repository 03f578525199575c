import { describe, expect, it } from 'vitest';
import type { MarketInfo } from '../exchange/port.js';
import { settleFundingDue, type FundingRateEvent } from './funding-settle.js';
import { PaperEngine } from './paper-engine.js';

const PERP: MarketInfo = {
  symbol: 'BTC/USDT:USDT',
  base: 'BTC',
  quote: 'USDT',
  type: 'swap',
  amountStep: '0.001',
  priceStep: '0.1',
  minAmount: '0.001',
  minNotional: '5',
  makerFee: '0.0002',
  takerFee: '0.0005',
  maxLeverage: 125,
};
const P = PERP.symbol;
const H = 3_600_000;
const EVENTS: FundingRateEvent[] = [
  { ts: 0, rate: '0.0003' },
  { ts: 8 * H, rate: '0.0001' },
  { ts: 16 * H, rate: '-0.0002' },
  { ts: 24 * H, rate: '0.0005' },
];

/** An engine holding a 0.1 BTC long (opened at 60000, no slippage) whose last price is `last`. */
function longAt(last: number): PaperEngine {
  const e = new PaperEngine({ marketType: 'swap', markets: { [P]: PERP }, slippageBps: 0 }, { USDT: '10000' });
  e.placeOrder({ clientOrderId: 'open', symbol: P, side: 'buy', type: 'market', amount: '0.1' }, { now: 1, price: 60000 });
  e.applyStep({ symbol: P, ts: 2, open: last, high: last, low: last, close: last });
  e.takeEvents();
  return e;
}

describe('settleFundingDue', () => {
  const calls: Array<[number, number]> = [];
  const between = (from: number, to: number) => {
    calls.push([from, to]);
    return EVENTS.filter((e) => e.ts > from && e.ts <= to);
  };

  const table: { name: string; checkedAt: number | undefined; now: number; position: boolean; payments: Array<[number, string, string]>; queried: boolean }[] = [
    { name: 'first check (no checkpoint): nothing, checkpoint = now', checkedAt: undefined, now: 8 * H, position: true, payments: [], queried: false },
    { name: 'now not after the checkpoint: nothing', checkedAt: 8 * H, now: 8 * H, position: true, payments: [], queried: false },
    // (0, 8h]: the event at 0 is excluded, the one at 8 h included; mark = the last price 61000
    { name: 'one event due: −0.1 × 61000 × 0.0001', checkedAt: 0, now: 8 * H, position: true, payments: [[8 * H, '0.0001', '-0.61']], queried: true },
    {
      name: 'several due: each at the last price, oldest first',
      checkedAt: 1,
      now: 20 * H,
      position: true,
      payments: [
        [8 * H, '0.0001', '-0.61'],
        [16 * H, '-0.0002', '1.22'],
      ],
      queried: true,
    },
    { name: 'flat: due events are skipped for good (the checkpoint still moves)', checkedAt: 0, now: 20 * H, position: false, payments: [], queried: false },
  ];

  it.each(table)('$name', (t) => {
    calls.length = 0;
    const e = t.position ? longAt(61000) : new PaperEngine({ marketType: 'swap', markets: { [P]: PERP } }, { USDT: '10000' });
    const before = e.balance('USDT').free;
    const r = settleFundingDue(e, P, t.checkedAt, t.now, between);
    expect(r.checkedAt).toBe(t.now);
    expect(r.payments.map((p) => [p.ts, p.rate, p.payment])).toEqual(t.payments);
    expect(r.payments.every((p) => p.markPrice === '61000')).toBe(true);
    expect(e.fundingPayments()).toEqual(r.payments);
    expect(calls.length > 0).toBe(t.queried);
    const paid = r.payments.reduce((a, p) => a + Number(p.payment), 0);
    expect(Number(e.balance('USDT').free) - Number(before)).toBeCloseTo(paid, 9);
  });

  it('a checkpoint chain settles each event exactly once', () => {
    const e = longAt(61000);
    let checked: number | undefined;
    for (let t = 0; t <= 30 * H; t += H / 4) checked = settleFundingDue(e, P, checked, t, (from, to) => EVENTS.filter((x) => x.ts > from && x.ts <= to)).checkedAt;
    // the checkpoint starts at the first check (t = 0), so the event at 0 is not settled
    expect(e.fundingPayments().map((p) => p.ts)).toEqual([8 * H, 16 * H, 24 * H]);
    expect(e.totals().funding).toBe('-2.44'); // −6.1 × (0.0001 − 0.0002 + 0.0005)
  });
});
