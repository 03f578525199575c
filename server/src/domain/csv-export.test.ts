import { describe, expect, it } from 'vitest';
import { csvCell, csvLine, formatInZone, parseCsv, parseCsvObjects, timeColumns, toCsv } from './csv-export.js';

describe('csvCell: RFC 4180 quoting', () => {
  it('writes plain values as they are and empty for null/undefined', () => {
    expect(csvCell('BTC/USDT')).toBe('BTC/USDT');
    expect(csvCell('65000.123456789012345678')).toBe('65000.123456789012345678');
    expect(csvCell(42)).toBe('42');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell('')).toBe('');
  });

  it('quotes fields with a comma, a quote, CR or LF, doubling quotes', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line1\nline2')).toBe('"line1\nline2"');
    expect(csvCell('line1\r\nline2')).toBe('"line1\r\nline2"');
    expect(csvCell('"')).toBe('""""');
  });

  it('ends every record with CRLF', () => {
    expect(csvLine(['a', 'b,c', null])).toBe('a,"b,c",\r\n');
    expect(toCsv([{ header: 'x', value: (r: { x: string }) => r.x }], [])).toBe('x\r\n');
  });
});

describe('csvCell: formula injection guard', () => {
  it('prefixes text starting with = + - @ tab or CR with a quote', () => {
    expect(csvCell('=HYPERLINK("http://evil","click")')).toBe(`"'=HYPERLINK(""http://evil"",""click"")"`);
    expect(csvCell('+cmd|/C calc!A0')).toBe("'+cmd|/C calc!A0");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\t=1')).toBe("'\t=1");
    expect(csvCell('\r=1')).toBe(`"'\r=1"`);
  });

  it('leaves numbers (negative PnL, signed, exponent) unguarded, and text starting elsewhere', () => {
    expect(csvCell('-12.5')).toBe('-12.5');
    expect(csvCell('+3')).toBe('+3');
    expect(csvCell('-0.000000000000000001')).toBe('-0.000000000000000001');
    expect(csvCell(-7)).toBe('-7');
    expect(csvCell('1e-8')).toBe('1e-8');
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell('- ')).toBe("'- ");
  });
});

describe('parseCsv reads back what toCsv writes', () => {
  it('round-trips awkward cells', () => {
    const rows = [
      { a: 'plain', b: 'with, comma', c: 'multi\r\nline "quoted"' },
      { a: '', b: '-12.5', c: '日本語 / 简体中文' },
    ];
    const cols = (['a', 'b', 'c'] as const).map((k) => ({ header: k, value: (r: (typeof rows)[number]) => r[k] }));
    const text = toCsv(cols, rows);
    expect(parseCsvObjects(text)).toEqual(rows);
    expect(parseCsv('x,y\n1,2\n')).toEqual([['x', 'y'], ['1', '2']]);
    expect(parseCsv('x,\r\n')).toEqual([['x', '']]);
  });

  it('refuses broken quoting and ragged records', () => {
    expect(() => parseCsv('"open')).toThrow(/never closed/);
    expect(() => parseCsv('"a"b')).toThrow(/after a closing quote/);
    expect(() => parseCsvObjects('a,b\r\n1\r\n')).toThrow(/record 2: 1 fields/);
  });
});

describe('formatInZone', () => {
  it('UTC and a fixed zone, keeping milliseconds', () => {
    expect(formatInZone(Date.UTC(2024, 2, 1, 0, 0, 0, 7), 'UTC')).toBe('2024-03-01T00:00:00.007+00:00');
    expect(formatInZone(Date.UTC(2024, 2, 1, 16, 30), 'Asia/Shanghai')).toBe('2024-03-02T00:30:00.000+08:00');
    expect(formatInZone(Date.UTC(2024, 2, 1, 0, 0), 'Asia/Kolkata')).toBe('2024-03-01T05:30:00.000+05:30');
    expect(formatInZone(0, 'UTC')).toBe('1970-01-01T00:00:00.000+00:00');
  });

  it('follows daylight saving: spring forward and the repeated autumn hour stay distinct', () => {
    // US: 2024-03-10 02:00 local → 03:00; 2024-11-03 02:00 → 01:00.
    expect(formatInZone(Date.UTC(2024, 2, 10, 9, 59, 59, 999), 'America/Los_Angeles')).toBe('2024-03-10T01:59:59.999-08:00');
    expect(formatInZone(Date.UTC(2024, 2, 10, 10, 0), 'America/Los_Angeles')).toBe('2024-03-10T03:00:00.000-07:00');
    const first = formatInZone(Date.UTC(2024, 10, 3, 8, 30), 'America/Los_Angeles');
    const second = formatInZone(Date.UTC(2024, 10, 3, 9, 30), 'America/Los_Angeles');
    expect(first).toBe('2024-11-03T01:30:00.000-07:00');
    expect(second).toBe('2024-11-03T01:30:00.000-08:00');
    // Europe: 2024-10-27 03:00 CEST → 02:00 CET; midnight is 00, never 24.
    expect(formatInZone(Date.UTC(2024, 9, 27, 0, 30), 'Europe/Berlin')).toBe('2024-10-27T02:30:00.000+02:00');
    expect(formatInZone(Date.UTC(2024, 9, 27, 1, 30), 'Europe/Berlin')).toBe('2024-10-27T02:30:00.000+01:00');
    expect(formatInZone(Date.UTC(2024, 0, 1, 23, 0), 'Europe/Berlin')).toBe('2024-01-02T00:00:00.000+01:00');
  });

  it('converts back to the same instant', () => {
    for (const tz of ['UTC', 'Asia/Shanghai', 'America/New_York', 'Australia/Lord_Howe', 'Pacific/Chatham']) {
      for (let t = Date.UTC(2024, 0, 1); t < Date.UTC(2025, 0, 1); t += 7 * 3_600_000 + 123) expect(Date.parse(formatInZone(t, tz))).toBe(t);
    }
  });

  it('refuses an unknown zone and a non-finite time', () => {
    expect(() => formatInZone(0, 'Mars/Olympus')).toThrow(RangeError);
    expect(() => formatInZone(Number.NaN, 'UTC')).toThrow(/finite/);
  });
});

describe('timeColumns', () => {
  it('names the zone in the header and adds the exact Unix ms; empty cells for no time', () => {
    const [local, unix] = timeColumns<{ t: number | null }>('time', 'Asia/Shanghai', (r) => r.t);
    expect([local.header, unix.header]).toEqual(['time (Asia/Shanghai)', 'time_unix_ms']);
    expect([local.value({ t: Date.UTC(2024, 7, 5) }), unix.value({ t: Date.UTC(2024, 7, 5) })]).toEqual(['2024-08-05T08:00:00.000+08:00', Date.UTC(2024, 7, 5)]);
    expect([local.value({ t: null }), unix.value({ t: null })]).toEqual([null, null]);
  });
});
