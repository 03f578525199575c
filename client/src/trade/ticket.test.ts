import { describe, expect, it } from 'vitest';
import {
  addTargetRow,
  defaultDirection,
  emptyPendingForm,
  emptyTicket,
  fractionToPercent,
  percentToFraction,
  remainingSharePct,
  removeTargetRow,
  scaleSizing,
  targetsFromApi,
  ticketToOpenInput,
  validatePending,
  validateTicket,
  type TicketContext,
  type TicketState,
} from './ticket.js';

const ACCOUNT = '00000000-0000-4000-8000-000000000001';
const SWAP: TicketContext = { accountId: ACCOUNT, symbol: 'BTC/USDT:USDT', marketType: 'swap' };
const SPOT: TicketContext = { accountId: ACCOUNT, symbol: 'BTC/USDT', marketType: 'spot' };

function ticket(over: Partial<TicketState> = {}): TicketState {
  return { ...emptyTicket(), ...over };
}

describe('share % ↔ fraction', () => {
  it('converts exactly', () => {
    expect(percentToFraction('50')).toBe('0.5');
    expect(percentToFraction(' 33.33 ')).toBe('0.3333');
    expect(percentToFraction('100')).toBe('1');
    expect(fractionToPercent('0.25')).toBe('25');
    expect(fractionToPercent('0.3333')).toBe('33.33');
    expect(percentToFraction('abc')).toBe('abc');
    expect(targetsFromApi([{ price: '70000', share: '0.5' }])).toEqual([{ price: '70000', sharePct: '50' }]);
  });

  it('adds target rows with the share that is left', () => {
    const one = addTargetRow([]);
    expect(one).toEqual([{ price: '', sharePct: '100' }]);
    const two = addTargetRow([{ price: '1', sharePct: '60' }]);
    expect(two[1]).toEqual({ price: '', sharePct: '40' });
    expect(remainingSharePct([{ price: '1', sharePct: '70' }, { price: '2', sharePct: '50' }])).toBe('0');
    expect(addTargetRow([{ price: '1', sharePct: '100' }])[1]?.sharePct).toBe('50');
    expect(removeTargetRow(two, 0)).toEqual([{ price: '', sharePct: '40' }]);
    const ten = Array.from({ length: 10 }, () => ({ price: '1', sharePct: '10' }));
    expect(addTargetRow(ten)).toHaveLength(10);
  });
});

describe('ticket → trading.open input', () => {
  it('maps a full swap ticket, shares as fractions', () => {
    const t = ticket({
      side: 'short',
      sizing: { mode: 'risk', value: '1' },
      leverage: 5,
      entryType: 'limit',
      entryPrice: ' 64000 ',
      stopLoss: '65000',
      takeProfits: [
        { price: '62000', sharePct: '50' },
        { price: '60000', sharePct: '50' },
      ],
      breakevenAfterTp1: true,
      sourceSignalId: 'sig-1',
    });
    const r = validateTicket(t, SWAP);
    expect(r).toEqual({
      ok: true,
      input: {
        accountId: ACCOUNT,
        symbol: 'BTC/USDT:USDT',
        side: 'short',
        sizing: { mode: 'risk', value: '1' },
        leverage: 5,
        entryType: 'limit',
        entryPrice: '64000',
        stopLoss: '65000',
        takeProfits: [
          { price: '62000', share: '0.5' },
          { price: '60000', share: '0.5' },
        ],
        breakevenAfterTp1: true,
        sourceSignalId: 'sig-1',
      },
    });
  });

  it('forces leverage 1 on spot and drops the limit price of a market entry', () => {
    const input = ticketToOpenInput(ticket({ leverage: 20, entryPrice: '123' }), SPOT);
    expect(input.leverage).toBe(1);
    expect('entryPrice' in input).toBe(false);
    expect('stopLoss' in input).toBe(false);
    expect('sourceSignalId' in input).toBe(false);
  });

  it('names the field of each schema error', () => {
    const limit = validateTicket(ticket({ entryType: 'limit' }), SWAP);
    expect(limit.ok === false && limit.errors.entryPrice).toBe('a limit entry needs a price');
    const risk = validateTicket(ticket({ sizing: { mode: 'risk', value: '1' } }), SWAP);
    expect(risk.ok === false && risk.errors.stopLoss).toBe('sizing by risk needs a stop-loss');
    const zero = validateTicket(ticket({ sizing: { mode: 'quote', value: '0' } }), SWAP);
    expect(zero.ok === false && zero.errors['sizing.value']).toBe('must be greater than 0');
    const tp = validateTicket(ticket({ takeProfits: [{ price: 'x', sharePct: '50' }] }), SWAP);
    expect(tp.ok === false && Object.keys(tp.errors)).toEqual(['takeProfits.0.price']);
  });

  it('rejects target shares over 100 % in total and per row', () => {
    const sum = validateTicket(ticket({ takeProfits: [{ price: '1', sharePct: '60' }, { price: '2', sharePct: '50' }] }), SWAP);
    expect(sum.ok === false && sum.errors.takeProfits).toMatch(/more than 100/);
    const row = validateTicket(ticket({ takeProfits: [{ price: '1', sharePct: '150' }] }), SWAP);
    expect(row.ok === false && row.errors['takeProfits.0.share']).toMatch(/more than 100/);
    const exact = validateTicket(ticket({ takeProfits: [{ price: '1', sharePct: '33.33' }, { price: '2', sharePct: '33.33' }, { price: '3', sharePct: '33.34' }] }), SWAP);
    expect(exact.ok).toBe(true);
  });
});

describe('pending form → trading.pendingCreate input', () => {
  it('maps and validates (direction defaulted from the current price)', () => {
    const p = { ...emptyPendingForm(), side: 'short' as const, triggerPrice: '61000', stopLoss: '62000', takeProfits: [{ price: '59000', sharePct: '100' }], expiresInMs: 86_400_000 };
    const r = validatePending(p, SWAP, '60000');
    expect(r).toEqual({
      ok: true,
      input: {
        accountId: ACCOUNT,
        symbol: 'BTC/USDT:USDT',
        side: 'short',
        sizing: { mode: 'quote', value: '100' },
        triggerPrice: '61000',
        direction: 'above',
        leverage: 1,
        stopLoss: '62000',
        takeProfits: [{ price: '59000', share: '1' }],
        expiresInMs: 86_400_000,
      },
    });
  });

  it('requires a trigger price', () => {
    const r = validatePending(emptyPendingForm(), SPOT);
    expect(r.ok === false && Object.keys(r.errors)).toContain('triggerPrice');
  });

  it("sends the trader's direction when chosen, else the one the current price implies; asks for one when neither is known", () => {
    const p = { ...emptyPendingForm(), triggerPrice: '59000' };
    expect(defaultDirection('59000', '60000')).toBe('below');
    expect(defaultDirection('61000', '60000')).toBe('above');
    expect(defaultDirection('60000', '60000.0')).toBeNull();
    expect(defaultDirection('x', '60000')).toBeNull();
    const implied = validatePending(p, SWAP, '60000');
    expect(implied.ok && implied.input.direction).toBe('below');
    const chosen = validatePending({ ...p, direction: 'above' }, SWAP, '60000');
    expect(chosen.ok && chosen.input.direction).toBe('above');
    const unknown = validatePending(p, SWAP, null);
    expect(unknown.ok === false && unknown.errors.direction).toMatch(/^must be "above"/);
  });

  it('refuses a short on a spot account, naming the side (ticket and pending form)', () => {
    const pending = validatePending({ ...emptyPendingForm(), side: 'short', triggerPrice: '59000' }, SPOT, '60000');
    expect(pending.ok === false && pending.errors.side).toBe('spot accounts can only open longs (buy, then sell)');
    const tk = validateTicket(ticket({ side: 'short' }), SPOT);
    expect(tk.ok === false && tk.errors.side).toBe('spot accounts can only open longs (buy, then sell)');
    expect(validateTicket(ticket({ side: 'short' }), SWAP).ok).toBe(true);
  });
});

describe('scaleSizing', () => {
  it('multiplies decimal sizes exactly', () => {
    expect(scaleSizing('100', 2)).toBe('200');
    expect(scaleSizing('0.015', 2)).toBe('0.03');
    expect(scaleSizing('0.1', 1)).toBe('0.1');
    expect(scaleSizing('', 2)).toBe('');
    expect(scaleSizing('5', 0)).toBe('5');
  });
});
