/**
 * The signal-following bot: turns market-detector signals ({@link MarketSignal}) into an entry with a
 * stop loss and a take profit, pure and deterministic.
 *
 * A signal is taken when, in this order: it is for one of `symbols` (else `otherSymbol`), not expired
 * (`now < expiresAt`, else `expired`), `score ≥ minScore` (else `belowMinScore`), the bot holds no position
 * in that symbol (else `positionOpen`; at most one per symbol), and it is not a SHORT on spot (`spotShort`).
 *
 * Prices from the entry reference price `price` and the ATR (quote units, passed in):
 * - stop = price − stopAtrMult × ATR (LONG) or price + stopAtrMult × ATR (SHORT);
 * - take profit = price ± takeProfitAtrMult × ATR (the other way); both rounded to the price step (nearest).
 *
 * Amount (base), then × `signal.sizeMultiplier`, floored to the amount step:
 * - `quote`: value / price; `equityPct`: equity × value / 100 / price;
 * - `risk`: equity × value / 100 / |price − stop| — fixed-fractional sizing (Van Tharp, *Definitive Guide
 *   to Position Sizing*), as `trade/sizing.ts`.
 *
 * Intents: a market entry (leg `e`), a stop-loss and a take-profit conditional market order (legs `s`, `t`;
 * kind `stop_loss`/`take_profit`, `triggerPrice`), closing the entry amount — reduce-only on perpetuals
 * (spot venues do not take the flag). Ids from {@link botOrderId} with cycle = the bot's entry count.
 */
import Decimal from 'decimal.js';
import { z } from 'zod';
import type { MarketSignal } from '@osprey/shared';
import type { MarketInfo, OrderRequest } from '../exchange/port.js';
import { Dec, roundToStep, str } from '../trading/precision.js';
import { botOrderId, type Intent } from './strategy.js';

const positiveDecimal = z.string().refine((s) => /^\d+(\.\d+)?$/.test(s) && new Decimal(s).gt(0), 'must be a decimal string greater than 0, like "100"');
const pctDecimal = positiveDecimal.refine((s) => new Decimal(s).lte(100), 'must be at most 100 (%)');

/** Zod schema of the signal-bot configuration. */
export const signalBotConfigSchema = z.strictObject({
  /** Bot id (order ids derive from it). */
  botId: z.string().min(1, 'must not be empty'),
  /** Symbols whose signals the bot follows, e.g. `BTC/USDT:USDT` (matched exactly against `signal.symbol`). */
  symbols: z.array(z.string().min(1, 'must not be empty')).min(1, 'must list at least one symbol'),
  /** Lowest signal score taken (detector scores are 0–30). */
  minScore: z.number().min(0).default(0),
  /** Position size before `signal.sizeMultiplier`: fixed quote notional, % of equity as notional, or % of equity at risk to the stop. */
  sizing: z
    .discriminatedUnion('mode', [
      z.strictObject({ mode: z.literal('quote'), value: positiveDecimal }),
      z.strictObject({ mode: z.literal('equityPct'), value: pctDecimal }),
      z.strictObject({ mode: z.literal('risk'), value: pctDecimal }),
    ])
    .default({ mode: 'quote', value: '100' }),
  /** Stop distance in ATRs. */
  stopAtrMult: z.number().positive().default(1.5),
  /** Take-profit distance in ATRs. */
  takeProfitAtrMult: z.number().positive().default(3),
});

/** A validated signal-bot configuration (defaults applied). */
export type SignalBotConfig = z.output<typeof signalBotConfigSchema>;

/** Thrown by {@link parseSignalBotConfig} and for bad {@link stepSignalBot} input; `field` names the offending field. */
export class SignalBotError extends Error {
  override readonly name = 'SignalBotError';
  /** @param field dotted field path @param reason what is wrong */
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/**
 * Validates a signal-bot configuration and applies defaults.
 * @throws SignalBotError naming the first offending field
 */
export function parseSignalBotConfig(input: unknown): SignalBotConfig {
  const r = signalBotConfigSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new SignalBotError(issue.path.join('.') || 'config', issue.message);
  }
  return r.data;
}

/** A position the bot opened (plain JSON; decimals as strings). */
export interface SignalPosition {
  signalId: string;
  side: 'long' | 'short';
  amount: string;
  entryPrice: string;
  stopPrice: string;
  takeProfitPrice: string;
  entryId: string;
  stopId: string;
  takeProfitId: string;
  openedAt: number;
}

/** State of a signal bot (plain JSON). */
export interface SignalBotState {
  /** Next order sequence number. */
  seq: number;
  /** Entries taken so far (the cycle of the ids). */
  entries: number;
  /** Open positions by symbol. */
  positions: Record<string, SignalPosition>;
}

/** The state of a fresh signal bot. */
export function initialSignalBotState(): SignalBotState {
  return { seq: 0, entries: 0, positions: {} };
}

/**
 * Frees the symbol's slot once its position is closed (stop/take profit filled or closed by hand).
 * Returns a new state; no-op when the bot holds nothing there.
 */
export function releaseSignalPosition(state: SignalBotState, symbol: string): SignalBotState {
  const positions = { ...state.positions };
  delete positions[symbol];
  return { ...state, positions };
}

/** Input of {@link stepSignalBot}. */
export interface SignalInput {
  signal: MarketSignal;
  /** Entry reference price (quote), e.g. last trade. */
  price: Decimal.Value;
  /** Average true range of the signal's timeframe (quote). */
  atr: Decimal.Value;
  /** Account equity (quote) for `equityPct` and `risk` sizing. */
  equity: Decimal.Value;
  /** Unix ms UTC. */
  now: number;
  /** The symbol's market rules. */
  market: Pick<MarketInfo, 'type' | 'amountStep' | 'priceStep'>;
}

/** Why a signal was not taken, with the numbers. */
export type SignalSkip = {
  taken: false;
  reason: 'otherSymbol' | 'expired' | 'belowMinScore' | 'positionOpen' | 'spotShort' | 'invalidStop' | 'tooSmall';
  detail: Record<string, number | string>;
};

/** Outcome of {@link stepSignalBot}. */
export interface SignalStepResult {
  state: SignalBotState;
  intents: Intent[];
  decision: { taken: true; position: SignalPosition } | SignalSkip;
}

/**
 * Handles one signal (see the module doc). Pure: never mutates `state`.
 * @throws SignalBotError naming `price`, `atr` or `equity` when not a positive number (equity may be 0 for `quote` sizing)
 */
export function stepSignalBot(state: SignalBotState, input: SignalInput, config: SignalBotConfig): SignalStepResult {
  const { signal, now, market } = input;
  const skip = (reason: SignalSkip['reason'], detail: SignalSkip['detail']): SignalStepResult => ({ state, intents: [], decision: { taken: false, reason, detail } });
  if (!config.symbols.includes(signal.symbol)) return skip('otherSymbol', { symbol: signal.symbol });
  if (now >= signal.expiresAt) return skip('expired', { expiresAt: signal.expiresAt, now });
  if (signal.score < config.minScore) return skip('belowMinScore', { score: signal.score, minScore: config.minScore });
  if (state.positions[signal.symbol]) return skip('positionOpen', { symbol: signal.symbol, signalId: state.positions[signal.symbol]!.signalId });
  if (signal.type === 'SHORT' && market.type === 'spot') return skip('spotShort', { symbol: signal.symbol });

  const price = new Dec(input.price);
  const atr = new Dec(input.atr);
  const equity = new Dec(input.equity);
  if (!price.isFinite() || price.lte(0)) throw new SignalBotError('price', 'must be greater than 0');
  if (!atr.isFinite() || atr.lte(0)) throw new SignalBotError('atr', 'must be greater than 0');
  if (!equity.isFinite() || equity.lt(0)) throw new SignalBotError('equity', 'must be 0 or more');

  const long = signal.type === 'LONG';
  const dir = long ? 1 : -1;
  const stop = roundToStep(price.minus(atr.mul(config.stopAtrMult).mul(dir)), market.priceStep, 'nearest');
  const tp = roundToStep(price.plus(atr.mul(config.takeProfitAtrMult).mul(dir)), market.priceStep, 'nearest');
  if (stop.lte(0) || stop.eq(price)) return skip('invalidStop', { stop: str(stop), price: str(price) });

  const v = new Dec(config.sizing.value);
  const raw =
    config.sizing.mode === 'quote' ? v.div(price) : config.sizing.mode === 'equityPct' ? equity.mul(v).div(100).div(price) : equity.mul(v).div(100).div(price.minus(stop).abs());
  const amount = roundToStep(raw.mul(signal.sizeMultiplier), market.amountStep, 'down');
  if (amount.lte(0)) return skip('tooSmall', { amount: str(raw.mul(signal.sizeMultiplier)), amountStep: market.amountStep });

  const s = structuredClone(state);
  const cycle = s.entries++;
  const entrySide = long ? 'buy' : 'sell';
  const exitSide = long ? 'sell' : 'buy';
  const reduce = market.type === 'swap' ? { reduceOnly: true } : {};
  const entry: OrderRequest = { clientOrderId: botOrderId(config.botId, cycle, 'e', s.seq++), symbol: signal.symbol, side: entrySide, type: 'market', amount: str(amount) };
  const stopOrder: OrderRequest = { clientOrderId: botOrderId(config.botId, cycle, 's', s.seq++), symbol: signal.symbol, side: exitSide, type: 'market', amount: str(amount), kind: 'stop_loss', triggerPrice: str(stop), ...reduce };
  const tpOrder: OrderRequest = { clientOrderId: botOrderId(config.botId, cycle, 't', s.seq++), symbol: signal.symbol, side: exitSide, type: 'market', amount: str(amount), kind: 'take_profit', triggerPrice: str(tp), ...reduce };
  const position: SignalPosition = {
    signalId: signal.id,
    side: long ? 'long' : 'short',
    amount: str(amount),
    entryPrice: str(price),
    stopPrice: str(stop),
    takeProfitPrice: str(tp),
    entryId: entry.clientOrderId,
    stopId: stopOrder.clientOrderId,
    takeProfitId: tpOrder.clientOrderId,
    openedAt: now,
  };
  s.positions[signal.symbol] = position;
  return { state: s, intents: [entry, stopOrder, tpOrder].map((order) => ({ type: 'place', order })), decision: { taken: true, position } };
}
