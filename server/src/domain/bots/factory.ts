/**
 * Builds the strategy of a bot from its validated config: the grid, spread or signal strategy, always
 * wrapped with the bot's risk rules ({@link withRiskRules}; without rules the gate passes everything, but
 * the state shape — `{ inner, risk, … }` — is the same for every bot, so runners persist one shape).
 */
import type { BotConfig } from '@osprey/shared';
import { createGridStrategy, parseGridConfig } from './grid.js';
import { withRiskRules } from './risk-gate.js';
import { createSignalStrategy } from './signal-bot.js';
import { createSpreadStrategy } from './spread.js';
import type { Strategy } from './strategy.js';

/**
 * The strategy of a bot (see the module doc).
 * @param botId bot id (order ids derive from it)
 * @param config a validated bot config (`botConfigSchema` of `@osprey/shared`)
 * @throws GridConfigError / SpreadConfigError / SignalBotError / RiskRulesError naming the offending field
 */
export function createBotStrategy(botId: string, config: BotConfig): Strategy<unknown> {
  const inner: Strategy<unknown> =
    config.type === 'grid'
      ? createGridStrategy(botId, parseGridConfig(config.grid))
      : config.type === 'spread'
        ? createSpreadStrategy(botId, config.spread, config.marketType)
        : createSignalStrategy(botId, config.signal, config.marketType);
  return withRiskRules(inner, config.risk);
}
