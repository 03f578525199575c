// Bootstrap of the backtest worker thread: registers tsx's TypeScript loader in this thread (loaders given to
// the main thread through --import do not reach worker threads on Node 20), then runs the TypeScript entry.
import { register } from 'tsx/esm/api';

register();
await import('./backtest-worker.ts');
