import { tiledBtc15m } from './indicators.bench.js';
import { SmaSeededEma, Rsi, Macd, BollingerBands, Adx, Obv } from '../src/domain/indicators/index.js';
const c = tiledBtc15m();
function t(name: string, f: () => void) { f(); let b = Infinity; for (let r = 0; r < 5; r++) { const s = performance.now(); f(); b = Math.min(b, performance.now() - s); } console.log(name.padEnd(12), b.toFixed(1), 'ms'); }
t('ema', () => { const e = new SmaSeededEma(21); for (const k of c) e.update(k.close); });
t('rsi', () => { const e = new Rsi(7); for (const k of c) e.update(k.close); });
t('macd', () => { const e = new Macd(8,17,9); for (const k of c) e.update(k.close); });
t('bb', () => { const e = new BollingerBands(20, 2); for (const k of c) e.update(k.close); });
t('adx', () => { const e = new Adx(14); for (const k of c) e.update(k); });
t('obv', () => { const e = new Obv(); for (const k of c) e.update(k); });
t('loop', () => { let s=0; for (const k of c) s+=k.close; });
