import { describe, expect, it } from 'vitest';
import { encodeLeaseOwner, holderIsGone, parseLeaseOwner, type LeaseHolder, type ProcessIdentity } from './lease.js';

const me: ProcessIdentity = { host: 'box', boot: 'b1 pid:[1]', pid: 100, nonce: 'n-me' };
const holder = (h: Partial<LeaseHolder> = {}): LeaseHolder => ({ instance: 'i1', host: 'box', boot: 'b1 pid:[1]', pid: 200, nonce: 'n-other', ...h });
const alive = (pids: number[]) => (pid: number) => pids.includes(pid);

describe('lease owners', () => {
  it('round-trip through the lease_owner text; other texts are not holders', () => {
    const h = holder();
    expect(parseLeaseOwner(encodeLeaseOwner(h))).toEqual(h);
    expect(parseLeaseOwner(null)).toBeNull();
    expect(parseLeaseOwner('0b6f6a1e-8c5e-4c71-9d0e-2f3a4b5c6d7e')).toBeNull(); // an owner written before identities
    expect(parseLeaseOwner('osprey-lease:v1:{bad json')).toBeNull();
    expect(parseLeaseOwner('osprey-lease:v1:{"i":"x","h":"box","b":"b","p":-1,"n":"n"}')).toBeNull();
  });

  it('a holder on this host and boot whose pid is not alive is gone; one whose pid is alive is not', () => {
    expect(holderIsGone(holder({ pid: 200 }), me, alive([100]))).toBe(true);
    expect(holderIsGone(holder({ pid: 200 }), me, alive([100, 200]))).toBe(false);
  });

  it('a holder with this process pid but another nonce is a previous incarnation (gone); with the same nonce it is this process', () => {
    expect(holderIsGone(holder({ pid: 100, nonce: 'n-old' }), me, alive([100]))).toBe(true);
    expect(holderIsGone(holder({ pid: 100, nonce: 'n-me', instance: 'another service here' }), me, alive([100]))).toBe(false);
  });

  it('another host, another boot or PID namespace, or an unknown boot: never judged gone (the lease is waited out)', () => {
    expect(holderIsGone(holder({ host: 'other' }), me, alive([]))).toBe(false);
    expect(holderIsGone(holder({ boot: 'b2 pid:[1]' }), me, alive([]))).toBe(false);
    expect(holderIsGone(holder({ boot: 'b1 pid:[9]' }), me, alive([]))).toBe(false);
    expect(holderIsGone(holder({ boot: '' }), { ...me, boot: '' }, alive([]))).toBe(false);
  });
});
