/**
 * The dashboard (`dashboard.*`): one signed-in trader's picture across all of their exchange accounts — equity
 * and its curve, realized PnL over three windows and unrealized PnL now, open positions, running bots, recent
 * fills, active detector signals and alerts. Money is a decimal string in the quote currency (USDT); times are
 * Unix ms UTC on the market clock (the replay clock offline).
 */
import { z } from 'zod';
import type { BotStatus, BotType } from './bots.js';
import { unixMsSchema, type MarketSignal } from './market.js';
import type { AccountMode, DecimalString, FillView, MarketType, PositionSide } from './trading.js';

/** The quote currency dashboard money is summed in (every Osprey market is against USDT). */
export const DASHBOARD_QUOTE = 'USDT';

/**
 * Starts of the three PnL windows, Unix ms UTC (market clock), computed by the client in the trader's time zone:
 * `today` = 00:00 today, `week` = 00:00 six days before (7 calendar days with today), `month` = 00:00 29 days
 * before (30 days). Each must be a time between 1970 and 2100; `month` ≤ `week` ≤ `today`.
 */
export const dashboardWindowsSchema = z
  .object({
    today: unixMsSchema,
    week: unixMsSchema,
    month: unixMsSchema,
  })
  .superRefine((w, ctx) => {
    if (w.week > w.today) ctx.addIssue({ code: 'custom', path: ['week'], message: 'must not start after today' });
    if (w.month > w.week) ctx.addIssue({ code: 'custom', path: ['month'], message: 'must not start after the 7-day window' });
  });
/** Parsed {@link dashboardWindowsSchema}. */
export type DashboardWindows = z.infer<typeof dashboardWindowsSchema>;

/** Input of `dashboard.summary`: the PnL windows (alerts look back to `windows.week`). */
export const dashboardSummaryInputSchema = z.object({ windows: dashboardWindowsSchema });
/** Parsed {@link dashboardSummaryInputSchema}. */
export type DashboardSummaryInput = z.infer<typeof dashboardSummaryInputSchema>;

/**
 * Input of `dashboard.equity`: the summed equity curve from `from` (Unix ms, market clock) to now, on a grid of
 * at most `points` points (integer 10–2000, default 500; the grid step is a multiple of 15 minutes).
 */
export const dashboardEquityInputSchema = z.object({
  from: unixMsSchema,
  points: z.number().int('points must be a whole number').min(10, 'points must be at least 10').max(2000, 'points must be at most 2000').default(500),
});
/** Parsed {@link dashboardEquityInputSchema}. */
export type DashboardEquityInput = z.infer<typeof dashboardEquityInputSchema>;

/** One exchange account on the dashboard with its equity now. */
export interface DashboardAccount {
  id: string;
  name: string;
  exchange: string;
  marketType: MarketType;
  mode: AccountMode;
  /**
   * Equity in {@link DASHBOARD_QUOTE}: read from the venue now, or — when the venue cannot be asked — the last
   * equity snapshot (`stale` true); null when neither is available.
   */
  equity: DecimalString | null;
  /** When `equity` was measured (Unix ms, market clock); null with no equity. */
  equityAt: number | null;
  /** True when `equity` is the last snapshot because the venue did not answer. */
  stale: boolean;
  /** Why the venue could not be read (in words), else null. */
  error: string | null;
}

/** Realized PnL of one window, {@link DASHBOARD_QUOTE}, net of fees. */
export interface DashboardPnlWindow {
  /** Window start (Unix ms), as given. */
  from: number;
  /** `trades` + `bots`. */
  realized: DecimalString;
  /** Net realized PnL of manual, signal and pending-order trades closed at or after `from`. */
  trades: DecimalString;
  /** Net PnL of bot round trips closed at or after `from`. */
  bots: DecimalString;
  /** Closed trades plus round trips counted. */
  count: number;
}

/** An open position on one of the trader's accounts. Prices and PnL in the market's quote currency. */
export interface DashboardPosition {
  accountId: string;
  accountName: string;
  marketType: MarketType;
  symbol: string;
  side: PositionSide;
  /** Base amount held, positive. */
  amount: DecimalString;
  entryPrice: DecimalString;
  /** Mark price (perpetuals) or last price (spot); null when unknown. */
  markPrice: DecimalString | null;
  /** At `markPrice`; null when unknown. */
  unrealizedPnl: DecimalString | null;
  /** Perpetuals: isolated-margin liquidation price; null on spot or when the venue gives none. */
  liquidationPrice: DecimalString | null;
  /** Perpetuals: margin locked (quote); null on spot. */
  margin: DecimalString | null;
  /** Perpetuals: leverage; null on spot. */
  leverage: number | null;
  /** The market's price and amount steps (display precision); null when the market is unknown. */
  priceStep: DecimalString | null;
  amountStep: DecimalString | null;
  /** The active Osprey trade on this symbol, if any. */
  tradeId: string | null;
  /** The bot holding it (or, on perpetuals, a bot trading the symbol), if any. */
  botId: string | null;
  botName: string | null;
}

/** A bot worth watching (running, or stopped by an error) with its PnL, {@link DASHBOARD_QUOTE}. */
export interface DashboardBot {
  id: string;
  name: string;
  type: BotType;
  status: BotStatus;
  accountId: string;
  accountName: string;
  symbols: string[];
  /** Net PnL of its closed round trips. */
  realizedPnl: DecimalString;
  /** Of what it holds now at the mark/last price; null when it could not be read. */
  unrealizedPnl: DecimalString | null;
  /** `realizedPnl` + `unrealizedPnl` (unrealized counted 0 when unknown). */
  totalPnl: DecimalString;
  roundTrips: number;
  /** When the current run started (wall clock), null when not running. */
  startedAt: number | null;
  lastError: string | null;
}

/** A recent fill with the account (and bot) it belongs to. */
export interface DashboardFill extends FillView {
  accountId: string;
  accountName: string;
  /** The market's steps (display precision); null when unknown. */
  priceStep: DecimalString | null;
  amountStep: DecimalString | null;
  /** The bot whose order it filled (by its clientOrderId prefix), else null. */
  botId: string | null;
  botName: string | null;
}

/**
 * Kinds of dashboard alerts: a bot stopped by an error or reporting one (`bot_error`); a stop-loss or take-profit
 * order rejected or cancelled by the venue (`protection`); a pending trigger that fired but opened no trade
 * (`pending_failed`).
 */
export const DASHBOARD_ALERT_KINDS = ['bot_error', 'protection', 'pending_failed'] as const;
/** One of {@link DASHBOARD_ALERT_KINDS}. */
export type DashboardAlertKind = (typeof DASHBOARD_ALERT_KINDS)[number];

/** Something that needs the trader's attention. */
export interface DashboardAlert {
  /** Stable id, e.g. `bot:<id>`, `botEvent:<id>`, `order:<id>`, `pending:<id>`. */
  id: string;
  kind: DashboardAlertKind;
  /** When it happened (Unix ms): the event, the order's last update, or the trigger time. */
  ts: number;
  /** What went wrong, in words (the venue's or the runner's message). */
  message: string;
  accountId: string | null;
  accountName: string | null;
  symbol: string | null;
  botId: string | null;
  botName: string | null;
  tradeId: string | null;
  pendingId: string | null;
  /** `protection`: `stop_loss` or `take_profit`; else null. */
  orderKind: 'stop_loss' | 'take_profit' | null;
}

/** Everything `dashboard.summary` answers for the caller. */
export interface DashboardSummary {
  /** Market time of the answer (Unix ms UTC). */
  now: number;
  /** Always {@link DASHBOARD_QUOTE}. */
  quote: string;
  /** The caller's accounts, oldest first. */
  accounts: DashboardAccount[];
  /** Σ accounts' `equity` (unknown ones count 0). */
  equity: DecimalString;
  /** Realized PnL by window. */
  pnl: { today: DashboardPnlWindow; week: DashboardPnlWindow; month: DashboardPnlWindow };
  /** Σ `positions[].unrealizedPnl` now (unknown ones count 0). */
  unrealizedPnl: DecimalString;
  positions: DashboardPosition[];
  /** Running bots, then bots in `error`, each by name. */
  bots: DashboardBot[];
  /** The latest fills across accounts, newest first (at most 20). */
  fills: DashboardFill[];
  /** Detector signals not expired at `now`, newest first. */
  signals: MarketSignal[];
  /** Since `windows.week`, newest first (at most 50). */
  alerts: DashboardAlert[];
}

/** A point of the summed equity curve: Unix ms and equity ({@link DASHBOARD_QUOTE}). */
export interface DashboardEquityPoint {
  ts: number;
  equity: DecimalString;
}

/** What `dashboard.equity` answers. */
export interface DashboardEquityCurve {
  /** First grid time (Unix ms): the requested `from`, or where the snapshots begin when the history starts later. */
  from: number;
  /** Grid step, ms (a multiple of 15 minutes). */
  stepMs: number;
  /** Oldest first; empty when no account has a snapshot up to now. */
  points: DashboardEquityPoint[];
}
