import { tiledBtc15m } from './indicators.bench.js';
import { SmaSeededEma, Rsi, Macd, BollingerBands, Adx, Obv } from '../src/domain/indicators/index.js';
const c = tiledBtc15m();
function kernelsOnly() {
  const e9 = new SmaSeededEma(9), e21 = new SmaSeededEma(21), e55 = new SmaSeededEma(55), r = new Rsi(7), m = new Macd(8,17,9), bb = new BollingerBands(20,2), a = new Adx(14), o = new Obv(), oe = new SmaSeededEma(9);
  let s = 0;
  for (const k of c) { const x = k.close; s += e9.update(x) ?? 0; s += e21.update(x) ?? 0; s += e55.update(x) ?? 0; s += r.update(x) ?? 0; m.update(x); bb.update(x); a.update(k); const ob = o.update(k); s += oe.update(ob) ?? 0; s += (m.line ?? 0) + (bb.upper ?? 0) + (a.adx ?? 0); }
  return s;
}
function allocOnly() {
  const out = new Array(c.length);
  for (let i = 0; i < c.length; i++) { const x = c[i]!.close; const n = i < 30 ? null : x;
    out[i] = { ema_9: n, ema_21: x+1, ema_55: x+2, rsi_7: x+3, macd_line: x+4, signal_line: x+5, histogram: x+6, bb_upper: x+7, bb_middle: x+8, bb_lower: x+9, bb_width: x+10, atr_14: x+11, obv: x+12, obv_ema_9: x+13, adx_14: x+14 }; }
  return out;
}
for (let r=0;r<5;r++){let t=performance.now();kernelsOnly();const a=performance.now()-t;t=performance.now();allocOnly();console.log('kernels',a.toFixed(1),'alloc',(performance.now()-t).toFixed(1));}
