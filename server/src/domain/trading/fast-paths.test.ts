/**
 * The performance shortcuts of the backtest hot path give exactly what the code they bypass gives:
 * `roundToStep`'s decimal-places path for power-of-ten steps against the division it replaces, and the
 * backtester's allocation-free forming candle against the replay's `formingCandle`. (The engine's float
 * shortcuts are covered by the golden backtests in `bots/backtest-golden.test.ts` and the parity tests.)
 */
import { describe, expect, it } from 'vitest';
import Decimal from 'decimal.js';
import type { Candle } from '@osprey/shared';
import { TIMEFRAME_MS } from '@osprey/shared';
import { formingInto } from '../bots/backtest.js';
import { formingCandle } from '../replay.js';
import { Dec, roundToStep, type StepRounding } from './precision.js';

/** A seeded PRNG (mulberry32), for reproducible random cases. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** `roundToStep` as it was: the quotient by the step rounded to an integer, times the step. */
function roundByDivision(v: Decimal.Value, step: Decimal.Value, mode: StepRounding): Decimal {
  const s = new Dec(step);
  const rm = mode === 'down' ? Decimal.ROUND_FLOOR : mode === 'up' ? Decimal.ROUND_CEIL : Decimal.ROUND_HALF_UP;
  return new Dec(v).div(s).toDecimalPlaces(0, rm).mul(s);
}

describe('roundToStep: the decimal-places path equals the division', () => {
  it('on edge cases and 30 000 random values (signs, magnitudes, up to 40 digits), steps 1 … 0.00000001', () => {
    const r = rng(7);
    const values: string[] = ['0', '-0', '0.005', '-0.005', '0.015', '42389.275', '42389.265', '-42389.265', '1e-30', '123456789012345678901234567890.1234567891', '0.0000000000000000000000000000000000000001'];
    for (let i = 0; i < 30_000; i++) {
      const digits = 1 + Math.floor(r() * 39);
      let d = '';
      for (let k = 0; k < digits; k++) d += Math.floor(r() * 10);
      const point = Math.floor(r() * (digits + 1));
      const x = `${r() < 0.3 ? '-' : ''}${d.slice(0, point) || '0'}.${d.slice(point) || '0'}`;
      values.push(x);
    }
    const steps = ['1', '0.1', '0.01', '0.001', '0.00001', '0.00000001'];
    const modes: StepRounding[] = ['down', 'up', 'nearest'];
    let n = 0;
    for (const v of values) {
      for (const step of steps) {
        for (const mode of modes) {
          const a = roundToStep(v, step, mode);
          const b = roundByDivision(v, step, mode);
          if (!a.eq(b) || a.toFixed() !== b.toFixed()) throw new Error(`roundToStep(${v}, ${step}, ${mode}) = ${a.toFixed()}, division gives ${b.toFixed()}`);
          n++;
        }
      }
    }
    expect(n).toBe(values.length * 18);
    // a step that is no power of ten takes the division
    expect(roundToStep('7.3', '0.5', 'down').toFixed()).toBe('7');
    expect(roundToStep('7.3', '5', 'up').toFixed()).toBe('10');
  });
});

describe('formingInto equals formingCandle (high, low, close)', () => {
  it('at the backtester fractions of every timeframe and 20 000 random candles and fractions', () => {
    const r = rng(11);
    const cases: Array<[Candle, number]> = [];
    for (const tf of ['1m', '5m', '15m', '1h', '4h', '1d'] as const) {
      const L = TIMEFRAME_MS[tf];
      const c: Candle = { ts: 1_700_000_000_000 - (1_700_000_000_000 % L), open: 100.13, high: 101.77, low: 99.01, close: 100.5, volume: 3 };
      for (const k of [0, 1, 2, 3]) cases.push([c, (c.ts + (L / 3) * k - c.ts) / L], [{ ...c, close: 99.5 }, (c.ts + (L / 3) * k - c.ts) / L]);
    }
    for (let i = 0; i < 20_000; i++) {
      const a = 50 + r() * 100;
      const b = 50 + r() * 100;
      const open = Math.round(a * 100) / 100;
      const close = Math.round(b * 100) / 100;
      const high = Math.round((Math.max(open, close) + r() * 3) * 100) / 100;
      const low = Math.round((Math.min(open, close) - r() * 3) * 100) / 100;
      cases.push([{ ts: 0, open, high, low, close, volume: 1 }, r() < 0.1 ? Math.floor(r() * 4) / 3 : r() * 1.2 - 0.1]);
    }
    const out = { high: 0, low: 0, close: 0 };
    for (const [c, f] of cases) {
      formingInto(c, f, out);
      const ref = formingCandle(c, f);
      if (!Object.is(out.high, ref.high) || !Object.is(out.low, ref.low) || !Object.is(out.close, ref.close)) throw new Error(`formingInto(${JSON.stringify(c)}, ${f}) = ${JSON.stringify(out)}, formingCandle gives ${JSON.stringify(ref)}`);
    }
    expect(cases.length).toBeGreaterThan(20_000);
  });
});

describe('small-decimal: exact float-integer arithmetic equals decimal.js', () => {
  it('add, sub, mul, cmp and canonical form on edge cases and 40 000 random pairs (the same string whenever not null)', async () => {
    const { addSmall, subSmall, mulSmall, cmpSmall, canonicalSmall, placesSmall } = await import('./small-decimal.js');
    const { str } = await import('./precision.js');
    const r = rng(3);
    const rand = () => {
      const digits = 1 + Math.floor(r() * 18);
      let d = '';
      for (let k = 0; k < digits; k++) d += Math.floor(r() * 10);
      const point = Math.floor(r() * (digits + 1));
      const frac = d.slice(point);
      return `${r() < 0.3 ? '-' : ''}${d.slice(0, point) || '0'}${frac ? `.${frac}` : ''}`;
    };
    const edge = ['0', '-0', '0.0', '1', '-1', '10', '0.1', '0.00471', '42389.27', '9007199254740991', '9007199254740992', '900719925474099.1', '0.0000000000000000000001', '123.4500', '007.50', '1e5', '.5', '5.', '-', '', 'abc'];
    const pairs: Array<[string, string]> = [];
    for (const a of edge) for (const b of edge) pairs.push([a, b]);
    for (let i = 0; i < 40_000; i++) pairs.push([rand(), rand()]);
    let fast = 0;
    for (const [a, b] of pairs) {
      const plain = /^-?\d+(\.\d+)?$/;
      const ok = plain.test(a) && plain.test(b);
      const checks: Array<[string | null, () => string]> = [
        [addSmall(a, b), () => str(new Dec(a).plus(b))],
        [subSmall(a, b), () => str(new Dec(a).minus(b))],
        [mulSmall(a, b), () => str(new Dec(a).mul(b))],
      ];
      for (const [got, want] of checks) {
        if (got === null) continue;
        if (!ok) throw new Error(`took a non-plain input ${a} / ${b}`);
        fast++;
        if (got !== want()) throw new Error(`${a} op ${b}: ${got}, decimal.js ${want()}`);
      }
      const c = cmpSmall(a, b);
      if (c === c && c !== new Dec(a).cmp(b)) throw new Error(`cmp ${a} ${b}: ${c}`);
      const k = canonicalSmall(a);
      if (k !== null && k !== str(new Dec(a))) throw new Error(`canonical ${a}: ${k}`);
      const p = placesSmall(a);
      if (p >= 0 && p !== new Dec(a).decimalPlaces()) throw new Error(`places ${a}: ${p}`);
    }
    expect(fast).toBeGreaterThan(60_000);
  });
});

describe('small-decimal formatSmall: m / 10^e in the canonical form of str', () => {
  it('on edge cases and 200 000 random safe integers and scales 0 … 22 (every path: parts, String, toFixed, joins)', async () => {
    const { formatSmall } = await import('./small-decimal.js');
    const { str } = await import('./precision.js');
    const r = rng(11);
    const cases: Array<[number, number]> = [[0, 0], [0, 5], [1, 0], [-1, 0], [1, 22], [-1, 22], [10, 1], [100, 2], [1000, 1], [12345, 0], [12345, 5], [-12345, 5], [12345, 6], [99999999999, 2], [999999999999, 2], [999999999999999, 15], [1e15, 3], [9007199254740991, 0], [9007199254740991, 16], [-9007199254740991, 22], [465, 5], [4301257, 2], [99800123456, 6]];
    for (let i = 0; i < 200_000; i++) {
      const digits = 1 + Math.floor(r() * 16);
      let m = Math.floor(r() * 10 ** digits);
      if (!Number.isSafeInteger(m)) m = Number.MAX_SAFE_INTEGER - Math.floor(r() * 1000);
      if (r() < 0.3) m *= 10 ** Math.floor(r() * 3);
      if (!Number.isSafeInteger(m)) continue;
      cases.push([r() < 0.3 ? -m : m, Math.floor(r() * 23)]);
    }
    for (const [m, e] of cases) {
      const want = str(new Dec(m).div(new Dec(10).pow(e)));
      const got = formatSmall(m, e);
      if (got !== want) throw new Error(`formatSmall(${m}, ${e}) = ${got}, decimal.js ${want}`);
    }
    expect(cases.length).toBeGreaterThan(190_000);
  });
});

describe('small-decimal BigInt paths: rounded to 40 digits half-up exactly as decimal.js', () => {
  it('add, sub, mul, div on 60 000 random pairs of up to 40 digits (and the Dec wrappers)', async () => {
    const { bigPaths, plusDec, minusDec, timesDec, divDec } = await import('./small-decimal.js');
    const { str } = await import('./precision.js');
    const r = rng(5);
    const rand = () => {
      const digits = 1 + Math.floor(r() * 40);
      let d = '';
      for (let k = 0; k < digits; k++) d += Math.floor(r() * 10);
      const point = Math.floor(r() * (digits + 1));
      const frac = d.slice(point);
      return `${r() < 0.3 ? '-' : ''}${d.slice(0, point) || '0'}${frac ? `.${frac}` : ''}`;
    };
    const special = ['0', '1', '3', '7', '0.5', '2', '-2', '42389.27', '200', '0.0000000001', '99999999999999999999.99999999999999999999', '1.00000000000000000000000000000000000000005'];
    let n = 0;
    for (let i = 0; i < 60_000; i++) {
      const a = i % 10 === 0 ? special[i % special.length]! : rand();
      const b = i % 7 === 0 ? special[(i * 3) % special.length]! : rand();
      const want = { add: () => str(new Dec(a).plus(b)), sub: () => str(new Dec(a).minus(b)), mul: () => str(new Dec(a).mul(b)), div: () => str(new Dec(a).div(b)) };
      for (const op of ['add', 'sub', 'mul', 'div'] as const) {
        if (op === 'div' && new Dec(b).isZero()) continue;
        const got = bigPaths[op](a, b);
        if (got === null) throw new Error(`big ${op} refused ${a}, ${b}`);
        if (got !== want[op]()) throw new Error(`big ${op}(${a}, ${b}) = ${got}, decimal.js ${want[op]()}`);
        n++;
      }
      if (plusDec(a, b) !== want.add() || minusDec(a, b) !== want.sub() || timesDec(a, b) !== want.mul()) throw new Error(`wrapper ${a} ${b}`);
      if (!new Dec(b).isZero() && divDec(a, b) !== want.div()) throw new Error(`divDec ${a} ${b}`);
    }
    expect(n).toBeGreaterThan(230_000);
  });
});

describe('small-decimal addThenSubDec: the two operations in one', () => {
  it('equals str(Dec(a) ± b − c) on edge cases and 60 000 random triples (small and up to 40 digits)', async () => {
    const { addThenSubDec } = await import('./small-decimal.js');
    const { str } = await import('./precision.js');
    const r = rng(13);
    const rand = () => {
      const digits = 1 + Math.floor(r() * (r() < 0.8 ? 16 : 40));
      let d = '';
      for (let k = 0; k < digits; k++) d += Math.floor(r() * 10);
      const point = Math.floor(r() * (digits + 1));
      const frac = d.slice(point);
      return `${r() < 0.3 ? '-' : ''}${d.slice(0, point) || '0'}${frac ? `.${frac}` : ''}`;
    };
    const edge = ['0', '1', '0.1', '99800.1999633988', '197.8212717', '0.1978212717', '9007199254740991', '0.0000000000000000000001', '4503599627370496', '-4503599627370496'];
    let n = 0;
    for (let i = 0; i < 60_000; i++) {
      const a = i < 1000 ? edge[i % edge.length]! : rand();
      const b = i < 1000 ? edge[Math.floor(i / 10) % edge.length]! : rand();
      const c = i < 1000 ? edge[Math.floor(i / 100) % edge.length]! : rand();
      for (const sign of [1, -1] as const) {
        const want = str((sign === 1 ? new Dec(a).plus(b) : new Dec(a).minus(b)).minus(c));
        const got = addThenSubDec(a, b, c, sign);
        if (got !== want) throw new Error(`addThenSubDec(${a}, ${b}, ${c}, ${sign}) = ${got}, decimal.js ${want}`);
        n++;
      }
    }
    expect(n).toBe(120_000);
  });
});

describe('small-decimal rounding and steps: equal to decimal.js and precision.ts', () => {
  it('roundPlacesDec, cmpDec, roundToStepDec and amountOnStepDec on 30 000 random inputs', async () => {
    const { roundPlacesDec, cmpDec, roundToStepDec, amountOnStepDec, divDec } = await import('./small-decimal.js');
    const { str, amountOnStep } = await import('./precision.js');
    const r = rng(9);
    const rand = (maxDigits: number) => {
      const digits = 1 + Math.floor(r() * maxDigits);
      let d = '';
      for (let k = 0; k < digits; k++) d += Math.floor(r() * 10);
      const point = Math.floor(r() * (digits + 1));
      const frac = d.slice(point);
      return `${r() < 0.3 ? '-' : ''}${d.slice(0, point) || '0'}${frac ? `.${frac}` : ''}`;
    };
    const modes = [
      ['down', Decimal.ROUND_FLOOR],
      ['up', Decimal.ROUND_CEIL],
      ['nearest', Decimal.ROUND_HALF_UP],
    ] as const;
    const markets = [
      { amountStep: '0.00001', minAmount: '0.00001', minNotional: '5' },
      { amountStep: '0.001', minAmount: '0.001', minNotional: '100' },
      { amountStep: '1', minAmount: null, minNotional: '10' },
      { amountStep: '0.01', minAmount: '0.05', minNotional: null },
    ];
    for (let i = 0; i < 30_000; i++) {
      const v = rand(i % 2 ? 16 : 40);
      const k = Math.floor(r() * 12);
      for (const [mode, rm] of modes) {
        const want = str(new Dec(v).toDecimalPlaces(k, rm));
        const got = roundPlacesDec(v, k, mode);
        if (got !== want) throw new Error(`roundPlacesDec(${v}, ${k}, ${mode}) = ${got}, decimal.js ${want}`);
        const step = k === 0 ? '1' : `0.${'0'.repeat(k - 1)}1`;
        if (roundToStepDec(v, step, mode) !== str(roundToStep(v, step, mode))) throw new Error(`roundToStepDec ${v} ${step} ${mode}`);
      }
      const w = rand(30);
      if (cmpDec(v, w) !== new Dec(v).cmp(w)) throw new Error(`cmpDec ${v} ${w}`);
      // amounts as the grid asks them: a notional over a positive price
      const price = (1 + r() * 70_000).toFixed(Math.floor(r() * 4));
      const raw = divDec((r() * 1000).toFixed(2), price);
      const m = markets[i % markets.length]!;
      const want = str(amountOnStep(raw, price, m));
      const got = amountOnStepDec(raw, price, m);
      if (got !== want) throw new Error(`amountOnStepDec(${raw}, ${price}, ${JSON.stringify(m)}) = ${got}, amountOnStep ${want}`);
    }
    expect(roundToStepDec('7.3', '0.5', 'down')).toBeNull();
  });
});
