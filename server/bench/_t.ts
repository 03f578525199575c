import { typedIndicators15m, tiledBtc15m } from './indicators.bench.js';
import { computeIndicators } from '../src/domain/indicators/index.js';
const c = tiledBtc15m();
const [h,l,cl,v] = (['high','low','close','volume'] as const).map(k=>Float64Array.from(c,x=>x[k])) as [Float64Array,Float64Array,Float64Array,Float64Array];
for (let r=0;r<6;r++){const t=performance.now();typedIndicators15m(h,l,cl,v);console.log('typed',(performance.now()-t).toFixed(1));}
for (let r=0;r<6;r++){const t=performance.now();computeIndicators(c,'15m');console.log('engine',(performance.now()-t).toFixed(1));}
