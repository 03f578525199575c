export * from './market.js';
export * from './auth.js';
export * from './errors.js';
export * from './trading.js';
export * from './accounts.js';
export * from './bots.js';
export * from './messages.js';
export * from './text.js';
