/**
 * Trading domain: fill rules shared by paper trading and backtests, the paper-trading engine, and the
 * PnL / margin / funding / precision helpers the trading manager builds on.
 */
export * from './fill-rules.js';
export * from './funding.js';
export * from './margin.js';
export * from './paper-engine.js';
export * from './pnl.js';
export * from './precision.js';
