export * from './users.js';
export * from './market.js';
export * from './system.js';
export * from './trading.js';
export * from './bots.js';
