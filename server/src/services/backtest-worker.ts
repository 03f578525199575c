/**
 * Worker-thread entry of a backtest run (loaded through `backtest-worker.mjs`, which registers the
 * TypeScript loader): receives a {@link BacktestJob} as `workerData`, posts `{ type: 'progress', fraction }`
 * messages while it runs and finally `{ type: 'done', outcome }` or `{ type: 'failed', message }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { executeBacktestJob, type BacktestJob } from './backtest-job.js';

const port = parentPort;
if (!port) throw new Error('backtest-worker: must run in a worker thread');
try {
  const outcome = executeBacktestJob(workerData as BacktestJob, (fraction) => port.postMessage({ type: 'progress', fraction }));
  port.postMessage({ type: 'done', outcome });
} catch (err) {
  port.postMessage({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
}
