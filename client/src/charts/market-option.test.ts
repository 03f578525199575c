import { describe, expect, it } from 'vitest';
import { TIMEFRAME_MS, type CandleWithIndicators, type MarketSignal, type Timeframe } from '@osprey/shared';
import {
  MARKER_OFFSET_PX,
  buildMarketOption,
  candleIndexAt,
  describeLayer,
  indicatorData,
  layoutPriceLabels,
  nextZoomWindow,
  placeSignalMarkers,
  visiblePriceSpan,
  type PriceLineMark,
  type MarketChartOption,
  type Translate,
} from './market-option.js';

const T0 = Date.UTC(2024, 0, 1);
const t: Translate = (key, params) => (params ? `${key}:${JSON.stringify(params)}` : key);

/** `n` candles on `tf` starting at T0; every candle's low/high is close ∓ 5; indicators null for the first 3. */
function candles(n: number, tf: Timeframe, cols: string[] = ['ema_9', 'ema_21', 'ema_55', 'rsi_7', 'rsi_14', 'macd_line', 'signal_line', 'histogram', 'bb_upper', 'bb_middle', 'bb_lower']): CandleWithIndicators[] {
  return Array.from({ length: n }, (_, i) => {
    const close = 100 + i;
    const ind: Record<string, number | null> = {};
    for (const c of cols) ind[c] = i < 3 ? null : c === 'histogram' ? (i % 2 === 0 ? 0.5 : -0.5) : close + 1;
    return { ts: T0 + i * TIMEFRAME_MS[tf], open: close - 1, high: close + 5, low: close - 5, close, volume: 10 + i, ind };
  });
}

function signal(type: 'LONG' | 'SHORT', candleTs: number, score = 18): MarketSignal {
  return {
    id: `sig-${type}-${candleTs}`,
    exchange: 'binance',
    symbol: 'BTC/USDT',
    type,
    score,
    sizeMultiplier: 2,
    candleTs,
    createdAt: candleTs + TIMEFRAME_MS['15m'],
    expiresAt: candleTs + TIMEFRAME_MS['15m'] + 4 * 3600_000,
    details: { filter: { mode: 'BULL', passed: true }, trigger: { macd: 'cross', rsi7: 41.23456 }, confirm: { volumeOk: true, resonance: { ok: false } } },
  };
}

type AnySeries = { id?: string; type?: string; data?: unknown[]; symbolOffset?: unknown; symbolRotate?: number; xAxisIndex?: number };
function seriesOf(option: MarketChartOption): AnySeries[] {
  return option.series as AnySeries[];
}
function byId(option: MarketChartOption, id: string): AnySeries | undefined {
  return seriesOf(option).find((s) => s.id === id);
}

describe('candleIndexAt', () => {
  const cs = candles(10, '1h');
  it('finds the candle whose period contains the time', () => {
    expect(candleIndexAt(cs, cs[4]!.ts, TIMEFRAME_MS['1h'])).toBe(4);
    expect(candleIndexAt(cs, cs[4]!.ts + 45 * 60_000, TIMEFRAME_MS['1h'])).toBe(4);
    expect(candleIndexAt(cs, cs[9]!.ts + TIMEFRAME_MS['1h'] - 1, TIMEFRAME_MS['1h'])).toBe(9);
  });
  it('returns -1 outside the loaded range', () => {
    expect(candleIndexAt(cs, cs[0]!.ts - 1, TIMEFRAME_MS['1h'])).toBe(-1);
    expect(candleIndexAt(cs, cs[9]!.ts + TIMEFRAME_MS['1h'], TIMEFRAME_MS['1h'])).toBe(-1);
    expect(candleIndexAt([], T0, TIMEFRAME_MS['1h'])).toBe(-1);
  });
});

describe('placeSignalMarkers', () => {
  it('anchors LONG at the low and SHORT at the high of the containing candle', () => {
    const cs = candles(20, '4h');
    // A 15m signal candle 1h15m into the 6th 4h candle.
    const long = signal('LONG', cs[5]!.ts + 75 * 60_000);
    const short = signal('SHORT', cs[12]!.ts);
    const markers = placeSignalMarkers(cs, [short, long], '4h');
    expect(markers).toEqual([
      { index: 5, type: 'LONG', price: cs[5]!.low, signals: [long] },
      { index: 12, type: 'SHORT', price: cs[12]!.high, signals: [short] },
    ]);
  });

  it('groups same-direction signals in one candle and drops signals outside the candles', () => {
    const cs = candles(5, '1d');
    const a = signal('LONG', cs[2]!.ts + 3600_000);
    const b = signal('LONG', cs[2]!.ts + 7200_000);
    const c = signal('SHORT', cs[2]!.ts + 7200_000);
    const outside = signal('LONG', cs[4]!.ts + TIMEFRAME_MS['1d'] + 1);
    const markers = placeSignalMarkers(cs, [a, b, c, outside], '1d');
    expect(markers.map((m) => [m.index, m.type, m.signals.length])).toEqual([
      [2, 'LONG', 2],
      [2, 'SHORT', 1],
    ]);
    expect(markers[0]!.signals[0]).toBe(b); // newest first
  });
});

describe('signals on higher timeframes', () => {
  const H = 3600_000;
  it('draws a 15m signal at 10:15 on the 08:00 candle of a 4h chart (and on its 1h / 1d candle)', () => {
    const at1015 = signal('LONG', T0 + 10 * H + 15 * 60_000);
    const c4h = candles(6, '4h');
    const [m4h] = placeSignalMarkers(c4h, [at1015], '4h');
    expect(new Date(c4h[m4h!.index]!.ts).toISOString()).toBe('2024-01-01T08:00:00.000Z');
    const c1h = candles(24, '1h');
    expect(new Date(c1h[placeSignalMarkers(c1h, [at1015], '1h')[0]!.index]!.ts).toISOString()).toBe('2024-01-01T10:00:00.000Z');
    expect(placeSignalMarkers(candles(3, '1d'), [at1015], '1d')[0]!.index).toBe(0);
  });

  it('keeps the last 15m candle of a 4h period (11:45, closing 12:00) on that period, not the next one', () => {
    const c4h = candles(6, '4h');
    const last = signal('SHORT', T0 + 11 * H + 45 * 60_000);
    expect(placeSignalMarkers(c4h, [last], '4h')[0]!.index).toBe(2);
  });

  it('spreads a day of signals over their own 4h candles instead of piling them on the last ones', () => {
    const c4h = candles(12, '4h');
    const day = Array.from({ length: 24 }, (_, i) => signal(i % 2 ? 'SHORT' : 'LONG', T0 + i * H));
    const markers = placeSignalMarkers(c4h, day, '4h');
    expect([...new Set(markers.map((m) => m.index))]).toEqual([0, 1, 2, 3, 4, 5]);
    expect(markers.every((m) => m.signals.length === 2)).toBe(true);
  });

  it('labels a marker that stands for several signals with their count', () => {
    const c4h = candles(6, '4h');
    const option = buildMarketOption({
      timeframe: '4h',
      candles: c4h,
      signals: [signal('LONG', T0 + 8 * H), signal('LONG', T0 + 9 * H), signal('LONG', T0 + 10 * H), signal('LONG', T0 + 16 * H)],
      timeZone: 'UTC',
      t,
    });
    expect(byId(option, 'signals-long')!.data).toEqual([{ value: [2, c4h[2]!.low], label: { show: true, formatter: '3' } }, [4, c4h[4]!.low]]);
  });

  it('gives a signal the same time in the tooltip as in the signal list: its 15m candle close', () => {
    const c4h = candles(6, '4h');
    const s = signal('LONG', T0 + 10 * H + 15 * 60_000);
    const html = (buildMarketOption({ timeframe: '4h', candles: c4h, signals: [s], timeZone: 'Asia/Shanghai', t }).tooltip as { formatter: (p: unknown) => string }).formatter([{ dataIndex: 2 }]);
    expect(html).toContain('2024-01-01 16:00 – 20:00'); // the 08:00 UTC candle's period in Shanghai
    expect(html).toContain('chart.signalTime');
    expect(html).toContain('2024-01-01 18:30'); // createdAt = 10:30 UTC
  });

  it('lists a busy candle\'s signals compactly and counts the rest', () => {
    const c1d = candles(2, '1d');
    const many = Array.from({ length: 20 }, (_, i) => signal('SHORT', T0 + i * 3_600_000));
    const html = (buildMarketOption({ timeframe: '1d', candles: c1d, signals: many, timeZone: 'UTC', t }).tooltip as { formatter: (p: unknown) => string }).formatter([{ dataIndex: 0 }]);
    expect(html.match(/class="ct-signal-title"/g)).toHaveLength(1);
    expect(html).toContain('chart.moreSignals:{&#34;count&#34;:8}');
    expect(html).toContain('2024-01-01 19:15'); // the newest one, in full
  });
});

describe('price line labels', () => {
  const line = (price: number, group?: PriceLineMark['group'], formatter = `L ${price}`): PriceLineMark => ({
    name: `l${price}`,
    yAxis: price,
    lineStyle: { color: '#fff', width: 1, type: 'dashed', opacity: 1 },
    label: { show: true, position: 'insideEndTop', color: '#fff', fontSize: 10, formatter },
    ...(group ? { group } : {}),
  });

  it('shows every label when the lines are far enough apart', () => {
    const items = layoutPriceLabels([line(100), line(90), line(80)], 2); // 20 px apart
    expect(items.map((i) => i.label.show)).toEqual([true, true, true]);
    expect(items[0]).not.toHaveProperty('group');
  });

  it('merges the labels of close grid levels into one and shows the others on hover', () => {
    const buy = { key: 'buy:0.01', text: 'Buy 0.01' };
    const lines = [line(99, buy), line(100, buy), line(98, buy), line(90, buy), line(101, { key: 'sell:0.01', text: 'Sell 0.01' })];
    const items = layoutPriceLabels(lines, 2); // 1 price = 2 px: 99, 98 within 14 px of 100; 101 too
    // From the top: 101 (sell) anchors 100, 99, 98 (mixed groups → "(+3)"); 90 stands alone.
    expect(items.map((i) => i.label.show)).toEqual([false, false, false, true, true]);
    expect(items[4]!.label.formatter).toBe('L 101 (+3)');
    expect(items[3]!.label.formatter).toBe('L 90');
    expect(items.every((i) => i.emphasis.label.show)).toBe(true);
    expect(items[0]!.emphasis.label.formatter).toBe('L 99');

    const same = layoutPriceLabels([line(99, buy), line(100, buy), line(98, buy)], 2);
    expect(same.map((i) => i.label.show)).toEqual([false, true, false]);
    expect(same[1]!.label.formatter).toBe('Buy 0.01 ×3 @ 98.0000–100.000');
  });

  it('lays the labels out for the visible price range and pane height', () => {
    const cs = candles(50, '1h', []); // lows/highs 95..154
    expect(visiblePriceSpan(cs, { start: 0, end: 9 }, [])).toBeCloseTo((114 - 95) * 1.08);
    const grid = [100, 100.5, 101, 101.5].map((p) => line(p, { key: 'buy:1', text: 'Buy 1' }));
    const tight = buildMarketOption({ timeframe: '1h', candles: cs, signals: [], timeZone: 'UTC', t, zoom: { start: 0, end: 49 }, overlay: { priceLines: grid, series: [] }, priceHeightPx: 300 });
    type WithLines = { markLine: { data: { label: { show: boolean } }[]; silent: boolean } };
    const wide = (byId(tight, 'candles') as unknown as WithLines).markLine;
    expect(wide.silent).toBe(false);
    // 4 levels 0.5 apart over a ~64-wide range on 300 px: about 2 px apart, one label for all.
    expect(wide.data.filter((d) => d.label.show)).toHaveLength(1);
    const zoomed = buildMarketOption({ timeframe: '1h', candles: cs, signals: [], timeZone: 'UTC', t, zoom: { start: 0, end: 5 }, overlay: { priceLines: grid, series: [] }, priceHeightPx: 600 });
    // Zoomed in (range ~12 on 600 px): 25 px apart, every label shown.
    expect((byId(zoomed, 'candles') as unknown as WithLines).markLine.data.every((d) => d.label.show)).toBe(true);
  });
});

describe('buildMarketOption', () => {
  it('draws LONG markers below the low and SHORT markers above the high', () => {
    const cs = candles(50, '15m');
    const option = buildMarketOption({
      timeframe: '15m',
      candles: cs,
      signals: [signal('LONG', cs[10]!.ts), signal('SHORT', cs[20]!.ts)],
      timeZone: 'UTC',
      t,
    });
    const long = byId(option, 'signals-long')!;
    const short = byId(option, 'signals-short')!;
    expect(long.data).toEqual([[10, cs[10]!.low]]);
    expect(short.data).toEqual([[20, cs[20]!.high]]);
    // Positive pixel offset moves down (below the low), negative moves up (above the high).
    expect(long.symbolOffset).toEqual([0, MARKER_OFFSET_PX]);
    expect(short.symbolOffset).toEqual([0, -MARKER_OFFSET_PX]);
    expect(short.symbolRotate).toBe(180);
    expect(long.symbolRotate).toBe(0);
  });

  it.each<[Timeframe, string[], string[]]>([
    ['15m', ['ema_9', 'ema_21', 'ema_55', 'bb_upper', 'bb_middle', 'bb_lower'], []],
    ['1h', ['ema_9', 'ema_21', 'bb_upper', 'bb_middle', 'bb_lower'], ['ema_55']],
    ['4h', ['ema_9', 'ema_21', 'bb_upper', 'bb_middle', 'bb_lower'], ['ema_55']],
    ['1d', ['ema_9', 'ema_21'], ['ema_55', 'bb_upper', 'bb_middle', 'bb_lower']],
  ])('has the overlays computed on %s', (tf, present, absent) => {
    const option = buildMarketOption({ timeframe: tf, candles: candles(30, tf), signals: [], timeZone: 'UTC', t });
    const ids = seriesOf(option).map((s) => s.id);
    for (const id of [...present, 'candles', 'vol-up', 'vol-down', 'rsi', 'macd_line', 'signal_line', 'hist-pos', 'hist-neg', 'signals-long', 'signals-short']) {
      expect(ids).toContain(id);
    }
    for (const id of absent) expect(ids).not.toContain(id);
  });

  it('charts rsi_7 on 15m and rsi_14 elsewhere', () => {
    const cs15 = candles(10, '15m', ['rsi_7']);
    const cs1h = candles(10, '1h', ['rsi_14']);
    expect(byId(buildMarketOption({ timeframe: '15m', candles: cs15, signals: [], timeZone: 'UTC', t }), 'rsi')!.data![5]).toBe(106);
    expect(byId(buildMarketOption({ timeframe: '1h', candles: cs1h, signals: [], timeZone: 'UTC', t }), 'rsi')!.data![5]).toBe(106);
    // rsi_14 is absent on the 15m candles: the pane is all gaps rather than wrong data.
    expect(byId(buildMarketOption({ timeframe: '15m', candles: cs1h, signals: [], timeZone: 'UTC', t }), 'rsi')!.data!.every((v) => v === '-')).toBe(true);
  });

  it('turns null indicators into gaps and splits volume/histogram by sign', () => {
    const cs = candles(6, '1h');
    cs[4]!.close = cs[4]!.open - 1; // a down candle
    const option = buildMarketOption({ timeframe: '1h', candles: cs, signals: [], timeZone: 'UTC', t });
    expect(byId(option, 'ema_9')!.data).toEqual(['-', '-', '-', 104, 105, 106]);
    expect(byId(option, 'bb_lower')!.data!.slice(0, 3)).toEqual(['-', '-', '-']);
    expect(byId(option, 'vol-up')!.data).toEqual([10, 11, 12, 13, '-', 15]);
    expect(byId(option, 'vol-down')!.data).toEqual(['-', '-', '-', '-', 14, '-']);
    expect(byId(option, 'hist-pos')!.data).toEqual(['-', '-', '-', '-', 0.5, '-']);
    expect(byId(option, 'hist-neg')!.data).toEqual(['-', '-', '-', -0.5, '-', -0.5]);
    expect(byId(option, 'candles')!.data![0]).toEqual([cs[0]!.open, cs[0]!.close, cs[0]!.low, cs[0]!.high]);
  });

  it('shares one category axis across four grids and zooms all panes, defaulting to the latest candles', () => {
    const cs = candles(500, '15m');
    const option = buildMarketOption({ timeframe: '15m', candles: cs, signals: [], timeZone: 'UTC', t });
    const xAxes = option.xAxis as { gridIndex: number; data: string[] }[];
    expect(option.grid).toHaveLength(4);
    expect(xAxes.map((a) => a.gridIndex)).toEqual([0, 1, 2, 3]);
    for (const a of xAxes) expect(a.data).toHaveLength(500);
    const zooms = option.dataZoom as { type: string; xAxisIndex: number[]; startValue: number; endValue: number }[];
    expect(zooms.map((z) => z.type)).toEqual(['inside', 'slider']);
    for (const z of zooms) {
      expect(z.xAxisIndex).toEqual([0, 1, 2, 3]);
      expect([z.startValue, z.endValue]).toEqual([320, 499]);
    }
  });

  it('formats axis labels and the tooltip in the requested time zone', () => {
    const cs = candles(3, '1h');
    const sig = signal('LONG', cs[1]!.ts);
    const option = buildMarketOption({ timeframe: '1h', candles: cs, signals: [sig], timeZone: 'Asia/Shanghai', t });
    const x = (option.xAxis as { axisLabel: { formatter: (v: string) => string } }[])[3]!;
    expect(x.axisLabel.formatter(String(cs[0]!.ts))).toBe('01-01 08:00');
    const tooltip = option.tooltip as { formatter: (p: unknown) => string };
    const html = tooltip.formatter([{ dataIndex: 1 }]);
    expect(html).toContain('2024-01-01 09:00');
    expect(html).toContain('chart.score');
    expect(html).toContain('×2');
    expect(html).toContain('2024-01-01 13:15'); // expiry in Shanghai time
    expect(html).toContain('rsi7=41.23');
    expect(html).toContain('resonance.ok=✗');
    expect(tooltip.formatter([{ dataIndex: 0 }])).not.toContain('chart.score');
  });
});

describe('indicatorData', () => {
  it('maps null, missing and non-finite values to "-"', () => {
    const cs = candles(2, '1h', []);
    cs[0]!.ind = { ema_9: Number.NaN };
    cs[1]!.ind = { ema_9: 3 };
    expect(indicatorData(cs, 'ema_9')).toEqual(['-', 3]);
    expect(indicatorData(cs, 'ema_21')).toEqual(['-', '-']);
  });
});

describe('nextZoomWindow', () => {
  it('starts on the latest candles', () => {
    expect(nextZoomWindow(null, 0, 1000)).toEqual({ start: 820, end: 999 });
    expect(nextZoomWindow(null, 0, 50)).toEqual({ start: 0, end: 49 });
  });
  it('follows appended candles when at the live edge, keeping the width', () => {
    expect(nextZoomWindow({ start: 900, end: 999 }, 1000, 1001)).toEqual({ start: 901, end: 1000 });
  });
  it('stays put when the user looks at history', () => {
    expect(nextZoomWindow({ start: 100, end: 200 }, 1000, 1001)).toEqual({ start: 100, end: 200 });
  });
  it('clamps to a shorter series', () => {
    expect(nextZoomWindow({ start: 100, end: 200 }, 1000, 150)).toEqual({ start: 100, end: 149 });
  });
});

describe('describeLayer', () => {
  it('shows instants as times in the zone, not raw Unix ms', () => {
    expect(describeLayer({ candle4hTs: Date.UTC(2024, 7, 5, 8), close4h: 61234.5, nested: { createdAt: Date.UTC(2024, 7, 5, 9, 15) } }, 'Asia/Shanghai')).toBe(
      'candle4hTs=2024-08-05 16:00, close4h=61230, nested.createdAt=2024-08-05 17:15',
    );
  });

  it('summarises scalars, flattens one level and skips arrays', () => {
    expect(describeLayer({ mode: 'BULL', active: true, bbWidth: 0.0123456, histogram: [1, 2], resonance: { ok: true, histogram4h: [1] } })).toBe(
      'mode=BULL, active=✓, bbWidth=0.01235, resonance.ok=✓',
    );
    expect(describeLayer(null)).toBe('-');
    expect(describeLayer('x'.repeat(400))).toHaveLength(260);
  });
});
