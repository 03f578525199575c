import { describe, expect, it } from 'vitest';
import { exportInputSchema, isTimeZone, timeZoneSchema } from './exports.js';

const id = '6f1c2b1e-5a7d-4a43-9a1e-3c2d1f0e9b8a';
const issues = (input: unknown) => {
  const r = exportInputSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
};

describe('time zones', () => {
  it('knows IANA names and UTC, refuses others, and spells them canonically', () => {
    for (const tz of ['UTC', 'Asia/Shanghai', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5']) expect([tz, isTimeZone(tz)]).toEqual([tz, true]);
    for (const tz of ['Mars/Olympus', 'Asia/Shanghai ', '']) expect([tz, isTimeZone(tz)]).toEqual([tz, false]);
    expect(timeZoneSchema.parse('asia/shanghai')).toBe('Asia/Shanghai');
    expect(timeZoneSchema.parse('Etc/UTC')).toBe('UTC');
    expect(timeZoneSchema.safeParse('x'.repeat(65)).success).toBe(false);
    expect(timeZoneSchema.safeParse('Asia/Shang hai').success).toBe(false);
  });
});

describe('exportInputSchema', () => {
  it('defaults to UTC and takes each source with its own kinds', () => {
    expect(exportInputSchema.parse({ what: 'fills', accountId: id })).toEqual({ what: 'fills', accountId: id, timeZone: 'UTC' });
    expect(issues({ what: 'roundTrips', botId: id })).toEqual([]);
    expect(issues({ what: 'equity', runId: id, from: 0, to: 1 })).toEqual([]);
  });

  it('names the field of each problem', () => {
    expect(issues({ what: 'fills' })).toEqual(['accountId']);
    expect(issues({ what: 'fills', accountId: id, runId: id })).toEqual(['runId']);
    expect(issues({ what: 'orders', runId: id })).toEqual(['what']);
    expect(issues({ what: 'trades', botId: id })).toEqual(['what']);
    expect(issues({ what: 'fills', accountId: id, from: 5, to: 5 })).toEqual(['to']);
    expect(issues({ what: 'fills', accountId: id, from: -1 })).toEqual(['from']);
    expect(issues({ what: 'fills', accountId: id, timeZone: 'Nowhere/Town' })).toEqual(['timeZone']);
    expect(issues({ what: 'pending', accountId: id })).toEqual(['what']);
  });
});
