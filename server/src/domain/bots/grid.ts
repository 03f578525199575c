/**
 * The grid bot: a ladder of limit buys below an anchor price, each paired with a limit sell above its fill.
 *
 * Cycle of a level i (0 = nearest): buy placed at `anchor × (1 − spacingPct/100 × (i+1))` (rounded down to
 * the tick) → the buy fills → its paired sell is placed at `buy fill × (1 + sellOffsetPct/100)` (rounded up
 * to the tick) for the filled amount → the sell fills → the round trip's profit is recorded
 * (`(sell − buy) × amount − fees`) → the level's cycle count grows and its buy is re-armed.
 *
 * - The anchor is the close of the first closed candle. When a closed candle's close is more than
 *   `repricePct` % away from the anchor (0 disables), the anchor moves to that close: unfilled buys are
 *   cancelled and, once each cancel is confirmed (`orderDead`), re-placed around the new anchor. Levels
 *   holding a filled buy keep their sells.
 * - At any time `held + open buys ≤ maxOpenPositions` (held = filled buys whose sell has not filled), so the
 *   bot can never hold more than that many positions; nearest levels are armed first.
 * - Order size per level: `base` amount, or `quote` notional divided by the level price; floored to the
 *   amount step. On perpetuals the sells are reduce-only.
 * - A rejected or externally cancelled buy leaves its level idle until the next closed candle (no tight
 *   retry loop); a dead sell is re-placed on the next closed candle.
 * - Orders are assumed to fill completely (one fill each), as the paper engine does. A fee charged in the
 *   base currency reduces the amount sold and is valued at the fill price.
 */
import Decimal from 'decimal.js';
import { z } from 'zod';
import type { Fill, MarketInfo, OrderRequest } from '../exchange/port.js';
import { Dec, roundToStep, str } from '../trading/precision.js';
import { botOrderId, type Intent, type RoundTrip, type StepResult, type Strategy, type StrategyContext, type StrategyEvent } from './strategy.js';

const decimalString = z.string().refine((s) => /^\d+(\.\d+)?$/.test(s) && new Decimal(s).gt(0), 'must be a decimal string greater than 0, like "0.01"');

/** Zod schema of the grid configuration (input form: everything but `symbol` has a default). */
export const gridConfigSchema = z
  .strictObject({
    /** Market symbol, e.g. `BTC/USDT` (spot) or `BTC/USDT:USDT` (perpetual). */
    symbol: z.string().min(1, 'must not be empty'),
    /** Number of buy levels below the anchor. */
    levels: z.number().int('must be an integer').min(1).max(100).default(5),
    /** Distance between consecutive levels (and from the anchor to level 0), percent of the anchor. */
    spacingPct: z.number().positive().max(50).default(1),
    /** Sell price above each filled buy, percent of the buy price. */
    sellOffsetPct: z.number().positive().max(100).default(1),
    /** Size of each buy: a base amount, or a quote notional (divided by the level price). */
    orderSize: z.strictObject({ mode: z.enum(['base', 'quote']), value: decimalString }).default({ mode: 'quote', value: '100' }),
    /** Re-anchor when a close is more than this % away from the anchor; 0 = never. */
    repricePct: z.number().min(0).default(5),
    /** Most filled-but-unsold levels (open buys count against it); default = `levels`. */
    maxOpenPositions: z.number().int('must be an integer').min(1).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.levels * c.spacingPct >= 100) ctx.addIssue({ code: 'custom', path: ['spacingPct'], message: `levels × spacingPct must be < 100 (got ${c.levels} × ${c.spacingPct})` });
  });

/** A validated grid configuration (defaults applied, `maxOpenPositions` resolved). */
export type GridConfig = Omit<z.output<typeof gridConfigSchema>, 'maxOpenPositions'> & { maxOpenPositions: number };

/** Input form of a grid configuration (optional fields may be left out). */
export type GridConfigInput = z.input<typeof gridConfigSchema>;

/** Thrown by {@link parseGridConfig}; `field` is the dotted path of the offending field, e.g. `orderSize.value`. */
export class GridConfigError extends Error {
  override readonly name = 'GridConfigError';
  /** @param field dotted field path @param reason what is wrong */
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/**
 * Validates a grid configuration and applies defaults.
 * @throws GridConfigError naming the first offending field
 */
export function parseGridConfig(input: unknown): GridConfig {
  const r = gridConfigSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new GridConfigError(issue.path.join('.') || 'config', issue.message);
  }
  return { ...r.data, maxOpenPositions: r.data.maxOpenPositions ?? r.data.levels };
}

/** Status of a grid level: `idle` (to arm), `buying` (buy open), `cancelling` (buy cancel requested), `holding` (bought; sell open or to re-place). */
export type GridLevelStatus = 'idle' | 'buying' | 'cancelling' | 'holding';

/** One level of the grid (plain JSON; decimals as strings). */
export interface GridLevel {
  index: number;
  /** Completed round trips of this level. */
  cycle: number;
  status: GridLevelStatus;
  /** clientOrderId of the open (or cancelling) buy. */
  buyId: string | null;
  /** clientOrderId of the open sell while holding (null: to re-place). */
  sellId: string | null;
  /** While holding: the filled buy. */
  entry: { clientOrderId: string; price: string; amount: string; fee: string; ts: number } | null;
}

/** State of a grid bot (plain JSON). */
export interface GridState {
  /** Current anchor price (null before the first closed candle). */
  anchor: string | null;
  /** Next order sequence number. */
  seq: number;
  levels: GridLevel[];
  /** Σ net PnL of completed round trips (quote). */
  realizedPnl: string;
  roundTrips: number;
}

/**
 * Creates the grid strategy of a bot.
 * @param botId bot id (order ids derive from it, see {@link botOrderId})
 * @param config a validated configuration ({@link parseGridConfig})
 */
export function createGridStrategy(botId: string, config: GridConfig): Strategy<GridState> {
  const cfg = config;
  const one = new Dec(1);
  const spacing = new Dec(cfg.spacingPct).div(100);
  const offset = new Dec(cfg.sellOffsetPct).div(100);

  const levelPrice = (anchor: string, i: number, m: MarketInfo) => roundToStep(new Dec(anchor).mul(one.minus(spacing.mul(i + 1))), m.priceStep, 'down');

  const placeBuy = (s: GridState, lv: GridLevel, m: MarketInfo, out: Intent[]): boolean => {
    const price = levelPrice(s.anchor!, lv.index, m);
    if (price.lte(0)) return false;
    const raw = cfg.orderSize.mode === 'base' ? new Dec(cfg.orderSize.value) : new Dec(cfg.orderSize.value).div(price);
    const amount = roundToStep(raw, m.amountStep, 'down');
    if (amount.lte(0)) return false;
    const clientOrderId = botOrderId(botId, lv.cycle, 'b', s.seq++);
    const order: OrderRequest = { clientOrderId, symbol: cfg.symbol, side: 'buy', type: 'limit', amount: str(amount), price: str(price) };
    out.push({ type: 'place', order });
    lv.status = 'buying';
    lv.buyId = clientOrderId;
    return true;
  };

  const placeSell = (s: GridState, lv: GridLevel, m: MarketInfo, out: Intent[]) => {
    const e = lv.entry!;
    const price = roundToStep(new Dec(e.price).mul(one.plus(offset)), m.priceStep, 'up');
    const clientOrderId = botOrderId(botId, lv.cycle, 's', s.seq++);
    const order: OrderRequest = { clientOrderId, symbol: cfg.symbol, side: 'sell', type: 'limit', amount: e.amount, price: str(price) };
    if (m.type === 'swap') order.reduceOnly = true;
    out.push({ type: 'place', order });
    lv.sellId = clientOrderId;
  };

  /** Arms idle levels, nearest first, while held + open buys < maxOpenPositions. */
  const arm = (s: GridState, m: MarketInfo, out: Intent[]) => {
    if (s.anchor === null) return;
    let budget = cfg.maxOpenPositions - s.levels.filter((l) => l.status !== 'idle').length;
    for (const lv of s.levels) {
      if (budget <= 0) break;
      if (lv.status === 'idle' && placeBuy(s, lv, m, out)) budget--;
    }
  };

  const onFill = (s: GridState, f: Fill, m: MarketInfo, out: Intent[], closed: RoundTrip[]) => {
    const buyLv = s.levels.find((l) => l.buyId === f.clientOrderId && (l.status === 'buying' || l.status === 'cancelling'));
    if (buyLv) {
      const feeInBase = f.feeCurrency === m.base;
      const amount = feeInBase ? roundToStep(new Dec(f.amount).minus(f.fee), m.amountStep, 'down') : new Dec(f.amount);
      const fee = feeInBase ? new Dec(f.fee).mul(f.price) : new Dec(f.fee);
      buyLv.status = 'holding';
      buyLv.buyId = null;
      buyLv.entry = { clientOrderId: f.clientOrderId!, price: f.price, amount: str(amount), fee: str(fee), ts: f.ts };
      placeSell(s, buyLv, m, out);
      return;
    }
    const sellLv = s.levels.find((l) => l.status === 'holding' && l.sellId === f.clientOrderId);
    if (!sellLv) return;
    const e = sellLv.entry!;
    const exitFee = f.feeCurrency === m.base ? new Dec(f.fee).mul(f.price) : new Dec(f.fee);
    const pnl = new Dec(f.price).minus(e.price).mul(f.amount).minus(e.fee).minus(exitFee);
    closed.push({
      symbol: cfg.symbol,
      side: 'long',
      entryClientOrderId: e.clientOrderId,
      exitClientOrderId: f.clientOrderId!,
      amount: f.amount,
      entryPrice: e.price,
      exitPrice: f.price,
      entryFee: e.fee,
      exitFee: str(exitFee),
      pnl: str(pnl),
      openedAt: e.ts,
      closedAt: f.ts,
    });
    s.realizedPnl = str(new Dec(s.realizedPnl).plus(pnl));
    s.roundTrips++;
    sellLv.status = 'idle';
    sellLv.sellId = null;
    sellLv.entry = null;
    sellLv.cycle++;
    arm(s, m, out);
  };

  const onCandle = (s: GridState, close: number, m: MarketInfo, out: Intent[]) => {
    const price = new Dec(close);
    if (s.anchor === null) s.anchor = str(price);
    else if (cfg.repricePct > 0 && price.minus(s.anchor).abs().div(s.anchor).mul(100).gt(cfg.repricePct)) {
      s.anchor = str(price);
      for (const lv of s.levels) {
        if (lv.status !== 'buying') continue;
        out.push({ type: 'cancel', clientOrderId: lv.buyId!, symbol: cfg.symbol });
        lv.status = 'cancelling';
      }
    }
    for (const lv of s.levels) if (lv.status === 'holding' && lv.sellId === null) placeSell(s, lv, m, out);
    arm(s, m, out);
  };

  return {
    type: 'grid',
    botId,
    symbols: [cfg.symbol],
    initialState(): GridState {
      const levels: GridLevel[] = [];
      for (let i = 0; i < cfg.levels; i++) levels.push({ index: i, cycle: 0, status: 'idle', buyId: null, sellId: null, entry: null });
      return { anchor: null, seq: 0, levels, realizedPnl: '0', roundTrips: 0 };
    },
    step(state: GridState, event: StrategyEvent, ctx: StrategyContext): StepResult<GridState> {
      const s = structuredClone(state);
      const intents: Intent[] = [];
      const closed: RoundTrip[] = [];
      const m = ctx.markets[cfg.symbol];
      if (!m) throw new GridConfigError('symbol', `unknown market ${cfg.symbol}`);
      switch (event.type) {
        case 'start':
          break;
        case 'candle':
          if (event.symbol === cfg.symbol && event.closed) onCandle(s, event.candle.close, m, intents);
          break;
        case 'fill':
          if (event.fill.symbol === cfg.symbol) onFill(s, event.fill, m, intents, closed);
          break;
        case 'orderDead': {
          const buyLv = s.levels.find((l) => l.buyId === event.clientOrderId && (l.status === 'buying' || l.status === 'cancelling'));
          if (buyLv) {
            const wasCancelling = buyLv.status === 'cancelling';
            buyLv.status = 'idle';
            buyLv.buyId = null;
            if (wasCancelling) arm(s, m, intents);
            break;
          }
          const sellLv = s.levels.find((l) => l.status === 'holding' && l.sellId === event.clientOrderId);
          if (sellLv) sellLv.sellId = null;
          break;
        }
      }
      return { state: s, intents, closed };
    },
  };
}
