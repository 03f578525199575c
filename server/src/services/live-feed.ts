import type { Database } from '../adapters/db/client.js';
import type { Logger } from '../adapters/log.js';
import type { Env } from '../config/env.js';
import type { MarketFeed } from './feeds.js';

/** Live exchange feed via ccxt (wired once the live-sync service lands). */
export function createLiveFeed(_env: Env, _db: Database['db'], _log: Logger): MarketFeed {
  throw new Error('OSPREY_FEED=live is not available yet');
}
