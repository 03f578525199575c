/**
 * The dashboard: one trader's picture across all of their exchange accounts, read through the services that own
 * each part (trading, bots, pending orders, market) and a few dashboard reads of the repos. Nothing here writes.
 *
 * - Equity: each account's equity now from its venue ({@link TradingService.equityNow}); an account whose venue
 *   does not answer counts with its last equity snapshot (marked stale, with the reason).
 * - Realized PnL per window: closed Osprey trades (manual, signal, pending; `trades.realized_pnl`, net of fees)
 *   plus bot round trips (`bot_trades.pnl`, net of both fees) whose close time is at or after the window start.
 * - Unrealized PnL now: the sum over the open positions listed — perpetuals: the venue's positions (bots'
 *   included); spot: open Osprey trades and the lots running (or errored) bots hold, at the last price.
 * - Alerts since `windows.week`: bots in `error` (always, while in that state) and `error` events of bots; stop-loss
 *   and take-profit orders the venue rejected, or cancelled/expired while their trade was active (the trade's
 *   `lastError` names the order: Osprey's own cancels never do); pending triggers that FAILED.
 * Every sum is exact (decimal.js); one account's venue failing never fails the whole answer.
 */
import Decimal from 'decimal.js';
import {
  DASHBOARD_QUOTE,
  type BotView,
  type DashboardAccount,
  type DashboardAlert,
  type DashboardBot,
  type DashboardEquityCurve,
  type DashboardFill,
  type DashboardPnlWindow,
  type DashboardPosition,
  type DashboardSummary,
  type DashboardWindows,
  type FillView,
  type MarketSignal,
  type PendingOrderView,
  type TradeView,
} from '@osprey/shared';
import type { Db } from '../adapters/db/client.js';
import { listAccountsByUser, type AccountRow } from '../adapters/db/repos/accounts-repo.js';
import { listBotEvents, listUserBotEvents, listUserRoundTripsSince } from '../adapters/db/repos/bots-repo.js';
import { lastEquitySnapshotAtOrBefore, listDeadProtectiveOrders, listEquitySnapshots, listTradesClosedSince } from '../adapters/db/repos/trading-repo.js';
import type { Logger } from '../adapters/log.js';
import { botOrderId } from '../domain/bots/strategy.js';
import type { MarketInfo } from '../domain/exchange/port.js';
import type { Clock } from '../domain/ports.js';
import { unrealizedPnl } from '../domain/trading/pnl.js';
import type { BotService } from './bot-service.js';
import { AppError } from './errors.js';
import type { MarketService } from './market-service.js';
import type { PendingService } from './pending-service.js';
import type { TradingService } from './trading-service.js';

/** Fills listed on the dashboard (newest first, across accounts). */
export const DASHBOARD_FILLS = 20;
/** Most alerts listed. */
export const DASHBOARD_ALERTS = 50;
/** How far back active signals are looked for (their candle time), ms. */
const SIGNAL_LOOKBACK_MS = 7 * 86_400_000;
/** Window starts may lie at most this far after market now (a client clock slightly ahead), ms. */
const WINDOW_SLACK_MS = 86_400_000;
/** Equity curve grid unit, ms. */
const M15 = 15 * 60_000;
/** Snapshot rows read per query while building the curve. */
const SNAPSHOT_PAGE = 10_000;

/** Options of {@link DashboardService}: the services it reads through. */
export interface DashboardServiceOptions {
  db: Db;
  /** Market clock (replay time offline): `now`, signal expiry. */
  clock: Clock;
  trading: Pick<TradingService, 'equityNow' | 'positions' | 'trades' | 'markets' | 'ticker' | 'fills'>;
  bots: Pick<BotService, 'list' | 'orders'>;
  pending: Pick<PendingService, 'list'>;
  market: Pick<MarketService, 'signals'>;
  log: Logger;
}

/** What one account contributes to the summary. */
interface AccountPart {
  account: DashboardAccount;
  positions: DashboardPosition[];
  active: TradeView[];
  fills: DashboardFill[];
  failedPending: PendingOrderView[];
}

/** A bot as the summary needs it: its view and, when it could be read, what it holds. */
interface BotPart {
  view: BotView;
  held: Array<{ symbol: string; side: 'long' | 'short'; amount: string; entryPrice: string; unrealizedPnl: string | null }> | null;
}

/** The dashboard reads (see the module doc). */
export class DashboardService {
  constructor(private readonly o: DashboardServiceOptions) {}

  /**
   * The caller's dashboard now (market clock): accounts with equity, PnL per window, positions, bots, recent
   * fills, active signals and alerts (see {@link DashboardSummary}). Only the caller's accounts and bots are read.
   * @param windows PnL window starts (Unix ms, `month` ≤ `week` ≤ `today`, as the shared schema checks)
   * @throws AppError VALIDATION naming `windows.<name>` when a start lies more than a day after market now
   */
  async summary(userId: string, windows: DashboardWindows): Promise<DashboardSummary> {
    const now = this.o.clock.now();
    for (const k of ['today', 'week', 'month'] as const) {
      if (windows[k] > now + WINDOW_SLACK_MS) throw new AppError('VALIDATION', `windows.${k}: starts after the market time now (${new Date(now).toISOString()})`);
    }
    const rows = await listAccountsByUser(this.o.db, userId);
    const accountIds = rows.map((r) => r.id);
    const names = new Map(rows.map((r) => [r.id, r.name]));
    const allBots = await this.o.bots.list(userId);
    const watched = allBots.filter((b) => b.status === 'running' || b.status === 'error');
    const botParts = await Promise.all(watched.map((b) => this.botPart(userId, b)));
    const prefixes = allBots.map((b) => ({ prefix: botPrefix(b.id), bot: b }));
    const parts = await Promise.all(rows.map((r) => this.accountPart(userId, r, now, botParts, prefixes)));

    const [trades, roundTrips, deadProtective, botErrors, signals] = await Promise.all([
      listTradesClosedSince(this.o.db, accountIds, windows.month),
      listUserRoundTripsSince(this.o.db, userId, windows.month),
      listDeadProtectiveOrders(this.o.db, accountIds, windows.week),
      listUserBotEvents(this.o.db, userId, { kind: 'error', since: windows.week, limit: DASHBOARD_ALERTS }),
      this.activeSignals(now),
    ]);
    const manual = trades.filter((t) => t.source !== 'bot');
    const pnlOf = (from: number): DashboardPnlWindow => {
      const ts = manual.filter((t) => (t.closedAt ?? 0) >= from);
      const rt = roundTrips.filter((t) => t.closedAt >= from);
      const tradesSum = sum(ts.map((t) => t.realizedPnl));
      const botsSum = sum(rt.map((t) => t.pnl));
      return { from, realized: tradesSum.plus(botsSum).toFixed(), trades: tradesSum.toFixed(), bots: botsSum.toFixed(), count: ts.length + rt.length };
    };

    const positions = parts.flatMap((p) => p.positions).sort((a, b) => a.accountName.localeCompare(b.accountName) || a.symbol.localeCompare(b.symbol) || a.side.localeCompare(b.side));
    const bots = botParts
      .map((b) => botView(b))
      .sort((a, b) => (a.status === b.status ? a.name.localeCompare(b.name) : a.status === 'running' ? -1 : 1));
    const fills = parts
      .flatMap((p) => p.fills)
      .sort((a, b) => b.ts - a.ts || b.id.localeCompare(a.id))
      .slice(0, DASHBOARD_FILLS);

    const alerts: DashboardAlert[] = [];
    const blank = { accountId: null, accountName: null, symbol: null, botId: null, botName: null, tradeId: null, pendingId: null, orderKind: null };
    // Bots stopped by an error: always listed, stamped with their newest error event (market time).
    const statusAlerted = new Map<string, string>();
    for (const b of watched.filter((x) => x.status === 'error')) {
      const last = (await listBotEvents(this.o.db, b.id, 50)).find((e) => e.kind === 'error');
      statusAlerted.set(b.id, b.lastError ?? last?.message ?? '');
      alerts.push({ ...blank, id: `bot:${b.id}`, kind: 'bot_error', ts: last?.ts ?? now, message: b.lastError ?? last?.message ?? 'stopped by an error', accountId: b.accountId, accountName: b.accountName, symbol: b.symbols.join(', '), botId: b.id, botName: b.name });
    }
    const botsById = new Map(allBots.map((b) => [b.id, b]));
    for (const e of botErrors) {
      const b = botsById.get(e.botId);
      if (!b || statusAlerted.get(e.botId) === e.message) continue;
      alerts.push({ ...blank, id: `botEvent:${e.id}`, kind: 'bot_error', ts: e.ts, message: e.message, accountId: b.accountId, accountName: b.accountName, symbol: b.symbols.join(', '), botId: b.id, botName: b.name });
    }
    const activeById = new Map(parts.flatMap((p) => p.active).map((t) => [t.id, t]));
    for (const o of deadProtective) {
      const trade = o.tradeId ? activeById.get(o.tradeId) : undefined;
      const kind = o.kind === 'take_profit' ? 'take_profit' : 'stop_loss';
      const word = kind === 'stop_loss' ? 'stop-loss' : 'take-profit';
      let message: string;
      if (o.status === 'rejected') {
        // Re-protected since (the trade is active and reports no problem any more): resolved.
        if (trade && !trade.lastError) continue;
        message = trade?.lastError ?? `${word} order ${o.clientOrderId} was rejected by the exchange`;
      } else {
        // Cancelled or expired: only the venue's doing counts — the active trade's lastError names the order.
        if (!trade?.lastError?.includes(o.clientOrderId)) continue;
        message = trade.lastError;
      }
      alerts.push({ ...blank, id: `order:${o.id}`, kind: 'protection', ts: o.updatedAt, message, accountId: o.accountId, accountName: names.get(o.accountId) ?? null, symbol: o.symbol, tradeId: o.tradeId, orderKind: kind });
    }
    for (const p of parts.flatMap((x) => x.failedPending)) {
      const ts = p.triggeredAt ?? p.createdAt;
      if (ts < windows.week) continue;
      alerts.push({ ...blank, id: `pending:${p.id}`, kind: 'pending_failed', ts, message: p.error ?? 'the trigger fired but no trade opened', accountId: p.accountId, accountName: names.get(p.accountId) ?? null, symbol: p.symbol, pendingId: p.id });
    }
    alerts.sort((a, b) => b.ts - a.ts || a.id.localeCompare(b.id));

    const accounts = parts.map((p) => p.account);
    return {
      now,
      quote: DASHBOARD_QUOTE,
      accounts,
      equity: sum(accounts.map((a) => a.equity ?? '0')).toFixed(),
      pnl: { today: pnlOf(windows.today), week: pnlOf(windows.week), month: pnlOf(windows.month) },
      unrealizedPnl: sum(positions.map((p) => p.unrealizedPnl ?? '0')).toFixed(),
      positions,
      bots,
      fills,
      signals,
      alerts: alerts.slice(0, DASHBOARD_ALERTS),
    };
  }

  /**
   * The caller's equity summed over all their accounts from `from` to market now. The grid starts at `from`, or —
   * when every account's history starts later — once the accounts that began within the first step all have their
   * first snapshot (a new trader's curve spans what there is), steps by `stepMs` (a multiple of 15 minutes giving at most `points` points) and ends with a point at now. At
   * each grid time an account counts with its latest snapshot at or before it (0 before its first). Equity is a
   * decimal string (USDT); no snapshot up to now gives no points.
   */
  async equityCurve(userId: string, from: number, points: number): Promise<DashboardEquityCurve> {
    const now = this.o.clock.now();
    const rows = from > now ? [] : await listAccountsByUser(this.o.db, userId);
    const series = await Promise.all(rows.map((r) => this.snapshotsOf(r.id, from, now)));
    const firsts = series.flatMap((s) => (s[0] ? [s[0].ts] : []));
    const first = Math.min(...firsts);
    const stepMs = Math.max(M15, Math.ceil((now - Math.max(from, Math.min(first, now))) / Math.max(1, points - 1) / M15) * M15);
    if (!Number.isFinite(first)) return { from, stepMs, points: [] };
    // A history younger than the window starts once every account that began within the first step has its
    // first snapshot (accounts added together start together; one added later shows as a step up).
    const start = first >= from ? Math.max(...firsts.filter((f) => f < first + stepMs)) : from;
    const grid: number[] = [];
    for (let t = start; t <= now; t += stepMs) grid.push(t);
    if (grid[grid.length - 1] !== now) grid.push(now);
    const idx = series.map(() => -1);
    const out: DashboardEquityCurve['points'] = [];
    for (const t of grid) {
      let total = new Decimal(0);
      let any = false;
      series.forEach((s, i) => {
        while (idx[i]! + 1 < s.length && s[idx[i]! + 1]!.ts <= t) idx[i]!++;
        const at = s[idx[i]!];
        if (at) {
          total = total.plus(at.equity);
          any = true;
        }
      });
      if (any) out.push({ ts: t, equity: total.toFixed() });
    }
    return { from: start, stepMs, points: out };
  }

  // ─── parts ───────────────────────────────────────────────────────────────────────────────────────────

  /** An account's snapshots from the last one at or before `from` up to `to`, oldest first. */
  private async snapshotsOf(accountId: string, from: number, to: number): Promise<Array<{ ts: number; equity: string }>> {
    const base = await lastEquitySnapshotAtOrBefore(this.o.db, accountId, from);
    const out: Array<{ ts: number; equity: string }> = base ? [{ ts: base.ts, equity: base.equity }] : [];
    let cursor = from + (base?.ts === from ? 1 : 0);
    for (let page = 0; page < 50; page++) {
      const rows = await listEquitySnapshots(this.o.db, { accountId, from: cursor, to, limit: SNAPSHOT_PAGE });
      for (const r of rows) out.push({ ts: r.ts, equity: r.equity });
      if (rows.length < SNAPSHOT_PAGE) break;
      cursor = rows[rows.length - 1]!.ts + 1;
    }
    return out;
  }

  /** A watched bot with what it holds (null when its account could not be read). */
  private async botPart(userId: string, view: BotView): Promise<BotPart> {
    try {
      return { view, held: (await this.o.bots.orders(userId, view.id)).positions };
    } catch (err) {
      this.o.log.warn({ botId: view.id, error: errorText(err) }, 'dashboard: reading the bot positions failed');
      return { view, held: null };
    }
  }

  /** One account: equity, positions, active trades, recent fills and failed pending orders. */
  private async accountPart(userId: string, row: AccountRow, now: number, bots: readonly BotPart[], prefixes: ReadonlyArray<{ prefix: string; bot: BotView }>): Promise<AccountPart> {
    const id = row.id;
    const account: DashboardAccount = { id, name: row.name, exchange: row.exchange, marketType: row.marketType, mode: row.mode, equity: null, equityAt: null, stale: false, error: null };
    try {
      account.equity = (await this.o.trading.equityNow(id)).equity;
      account.equityAt = now;
    } catch (err) {
      account.error = errorText(err);
      const last = await lastEquitySnapshotAtOrBefore(this.o.db, id, now);
      if (last) Object.assign(account, { equity: last.equity, equityAt: last.ts, stale: true });
    }
    const markets = new Map<string, MarketInfo>();
    if (!account.error) {
      try {
        for (const m of await this.o.trading.markets(userId, id)) markets.set(m.symbol, m);
      } catch (err) {
        account.error = errorText(err);
      }
    }
    const steps = (symbol: string) => ({ priceStep: markets.get(symbol)?.priceStep ?? null, amountStep: markets.get(symbol)?.amountStep ?? null });
    const active = await this.o.trading.trades(userId, id, 'active');
    const myBots = bots.filter((b) => b.view.accountId === id);
    const positions: DashboardPosition[] = [];
    const base = { accountId: id, accountName: row.name, marketType: row.marketType };
    if (row.marketType === 'swap') {
      if (!account.error) {
        try {
          for (const p of await this.o.trading.positions(userId, id)) {
            if (!new Decimal(p.amount).gt(0)) continue;
            const trade = active.find((t) => t.status === 'open' && t.symbol === p.symbol && t.side === p.side);
            const bot = myBots.find((b) => b.held?.some((h) => h.symbol === p.symbol && h.side === p.side)) ?? myBots.find((b) => b.view.symbols.includes(p.symbol));
            positions.push({
              ...base,
              symbol: p.symbol,
              side: p.side,
              amount: p.amount,
              entryPrice: p.entryPrice,
              markPrice: p.markPrice,
              unrealizedPnl: p.unrealizedPnl,
              liquidationPrice: p.liquidationPrice,
              margin: p.margin,
              leverage: p.leverage,
              ...steps(p.symbol),
              tradeId: trade?.id ?? null,
              botId: bot?.view.id ?? null,
              botName: bot?.view.name ?? null,
            });
          }
        } catch (err) {
          account.error = errorText(err);
        }
      }
    } else {
      const lastPrices = new Map<string, string | null>();
      const last = async (symbol: string) => {
        if (!lastPrices.has(symbol)) lastPrices.set(symbol, account.error ? null : await this.o.trading.ticker(userId, id, symbol).then((t) => t.last, () => null));
        return lastPrices.get(symbol) ?? null;
      };
      for (const t of active) {
        if (t.status !== 'open' || !t.entryPrice || !new Decimal(t.amount).gt(0)) continue;
        const mark = await last(t.symbol);
        positions.push({
          ...base,
          symbol: t.symbol,
          side: t.side,
          amount: t.amount,
          entryPrice: t.entryPrice,
          markPrice: mark,
          unrealizedPnl: mark ? unrealizedPnl(t.side, t.entryPrice, mark, t.amount).toFixed() : t.unrealizedPnl,
          liquidationPrice: null,
          margin: null,
          leverage: null,
          ...steps(t.symbol),
          tradeId: t.id,
          botId: null,
          botName: null,
        });
      }
      for (const b of myBots) {
        for (const lot of aggregateLots(b.held ?? [])) {
          positions.push({
            ...base,
            ...lot,
            markPrice: await last(lot.symbol),
            liquidationPrice: null,
            margin: null,
            leverage: null,
            ...steps(lot.symbol),
            tradeId: null,
            botId: b.view.id,
            botName: b.view.name,
          });
        }
      }
    }
    let fills: DashboardFill[] = [];
    try {
      fills = (await this.o.trading.fills(userId, id, DASHBOARD_FILLS)).map((f) => fillOf(f, row, steps(f.symbol), prefixes));
    } catch (err) {
      this.o.log.warn({ accountId: id, error: errorText(err) }, 'dashboard: reading fills failed');
    }
    const failedPending = await this.o.pending.list(userId, id, 'FAILED');
    return { account, positions, active, fills, failedPending };
  }

  /** Detector signals not expired at `now`, newest first. */
  private async activeSignals(now: number): Promise<MarketSignal[]> {
    try {
      return (await this.o.market.signals({ from: now - SIGNAL_LOOKBACK_MS, limit: 200 })).filter((s) => s.expiresAt > now);
    } catch (err) {
      this.o.log.warn({ error: errorText(err) }, 'dashboard: reading signals failed');
      return [];
    }
  }
}

/** Exact sum of decimal strings. */
function sum(values: readonly string[]): Decimal {
  return values.reduce((a, v) => a.plus(v), new Decimal(0));
}

/** The clientOrderId prefix of a bot's orders (`b` + 12 letters/digits of its id + `x`, see `botOrderId`). */
function botPrefix(botId: string): string {
  return botOrderId(botId, 0, 'a', 0).replace(/0a0$/, '');
}

/**
 * A bot's lots summed per symbol and side: total amount, amount-weighted entry price and unrealized PnL (null
 * when any lot's is unknown).
 */
function aggregateLots(lots: NonNullable<BotPart['held']>): Array<{ symbol: string; side: 'long' | 'short'; amount: string; entryPrice: string; unrealizedPnl: string | null }> {
  const by = new Map<string, { symbol: string; side: 'long' | 'short'; amount: Decimal; cost: Decimal; upnl: Decimal | null }>();
  for (const l of lots) {
    const k = `${l.symbol} ${l.side}`;
    const cur = by.get(k) ?? { symbol: l.symbol, side: l.side, amount: new Decimal(0), cost: new Decimal(0), upnl: new Decimal(0) };
    cur.amount = cur.amount.plus(l.amount);
    cur.cost = cur.cost.plus(new Decimal(l.amount).mul(l.entryPrice));
    cur.upnl = cur.upnl && l.unrealizedPnl !== null ? cur.upnl.plus(l.unrealizedPnl) : null;
    by.set(k, cur);
  }
  return [...by.values()]
    .filter((x) => x.amount.gt(0))
    .map((x) => ({ symbol: x.symbol, side: x.side, amount: x.amount.toFixed(), entryPrice: x.cost.div(x.amount).toDecimalPlaces(12).toFixed(), unrealizedPnl: x.upnl ? x.upnl.toFixed() : null }));
}

/** The dashboard row of a watched bot: realized from its round trips, unrealized from what it holds. */
function botView(b: BotPart): DashboardBot {
  const v = b.view;
  const upnl = b.held ? sum(b.held.map((h) => h.unrealizedPnl ?? '0')) : null;
  return {
    id: v.id,
    name: v.name,
    type: v.type,
    status: v.status,
    accountId: v.accountId,
    accountName: v.accountName,
    symbols: v.symbols,
    realizedPnl: v.realizedPnl,
    unrealizedPnl: upnl ? upnl.toFixed() : null,
    totalPnl: new Decimal(v.realizedPnl).plus(upnl ?? 0).toFixed(),
    roundTrips: v.roundTrips,
    startedAt: v.startedAt,
    lastError: v.lastError,
  };
}

/** A fill with its account, market steps and the bot whose clientOrderId prefix it carries. */
function fillOf(f: FillView, row: AccountRow, steps: { priceStep: string | null; amountStep: string | null }, prefixes: ReadonlyArray<{ prefix: string; bot: BotView }>): DashboardFill {
  const bot = f.clientOrderId ? prefixes.find((p) => p.bot.accountId === row.id && f.clientOrderId!.startsWith(p.prefix))?.bot : undefined;
  return { ...f, accountId: row.id, accountName: row.name, ...steps, botId: bot?.id ?? null, botName: bot?.name ?? null };
}

/** An error's message for the trader (AppErrors carry words already). */
function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
