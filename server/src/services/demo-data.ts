import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TIMEFRAMES, type CandleTimeframe } from '@osprey/shared';
import type { Db } from '../adapters/db/client.js';
import { upsertCandles } from '../adapters/db/repos/candles-repo.js';
import { getState, setState } from '../adapters/db/repos/app-state-repo.js';
import type { Clock } from '../domain/ports.js';
import { parseCandlesCsv } from '../domain/indicators/index.js';

/** Folder of the shipped real Binance candles (see assets/PROVENANCE.md). */
export const DEMO_MARKET_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../assets/market');

/** Exchange id the shipped candles are stored under. */
export const DEMO_EXCHANGE = 'binance';

/**
 * Path of the shipped CSV for a symbol/timeframe (`BTC/USDT`, `15m` → `BINANCE_BTC-USDT_15m.csv`), whether or
 * not it exists (none is shipped for `1m` / `5m`).
 */
export function demoCsvPath(symbol: string, timeframe: CandleTimeframe): string {
  return path.join(DEMO_MARKET_DIR, `BINANCE_${symbol.replace('/', '-')}_${timeframe}.csv`);
}

/**
 * Imports the shipped candles for `symbols` (every timeframe present) once per database; later calls
 * skip series already imported. Idempotent either way (upsert).
 * @returns rows imported by this call
 */
export async function ensureDemoData(db: Db, symbols: readonly string[], clock: Clock): Promise<number> {
  let total = 0;
  for (const symbol of symbols) {
    for (const timeframe of TIMEFRAMES) {
      const file = demoCsvPath(symbol, timeframe);
      if (!existsSync(file)) continue;
      const key = `demo-import:v1:${symbol}:${timeframe}`;
      if (await getState(db, key)) continue;
      const candles = parseCandlesCsv(readFileSync(file, 'utf8'), timeframe);
      await upsertCandles(db, { exchange: DEMO_EXCHANGE, symbol, timeframe }, candles);
      await setState(db, key, { rows: candles.length }, clock.now());
      total += candles.length;
    }
  }
  return total;
}
