/**
 * CSV exports of an account's trades, orders, fills and equity, a bot's fills, round trips and orders, and a
 * backtest run's round trips, fills and equity — one builder for the tRPC procedure (`exports.csv`) and the CLI
 * (`pnpm osprey export`).
 *
 * - Rows oldest first within `[from, to)` on each row's main time (fills and equity: their time; trades: opened;
 *   orders: created; round trips: closed), at most `maxRows` ({@link EXPORT_MAX_ROWS}); more is reported as
 *   `truncated` (the oldest rows are kept, so a later `from` gets the rest).
 * - Every time field gives two columns: `<label> (<zone>)` in the chosen IANA zone (ISO 8601 with the offset) and
 *   `<label>_unix_ms`, the exact stored value. Money and amounts are the stored decimal strings, never floats.
 * - Ownership: with a user id, another user's account, bot or run is NOT_FOUND like a missing one; the CLI (an
 *   operator with the database) passes `null` and reads any.
 * - Reads the database only (no exchange adapter, no feed), so the CLI needs no running server.
 */
import { and, asc, eq, gte, like, lt, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { EXPORT_MAX_ROWS, exportInputSchema, exportSourceOf, type ExportInput, type ExportKind, type ExportRequest, type ExportResult, type RoundTripView } from '@osprey/shared';
import type { Db } from '../adapters/db/client.js';
import { backtestRuns, botTrades, bots, equitySnapshots, exchangeAccounts, fills, orders, trades } from '../adapters/db/schema/index.js';
import { toCsv, timeColumns, type CsvColumn } from '../domain/csv-export.js';
import { botOrderId } from '../domain/bots/strategy.js';
import { AppError } from './errors.js';

/** Options of {@link ExportService}. */
export interface ExportServiceOptions {
  db: Db;
  /** Row cap per export (default {@link EXPORT_MAX_ROWS}). */
  maxRows?: number;
}

type FillRow = typeof fills.$inferSelect;
type OrderRow = typeof orders.$inferSelect;
type TradeRow = typeof trades.$inferSelect;
type EquityRow = { ts: number; equity: string };
type RunFill = { ts: number; symbol: string; side: string; price: string; amount: string; fee: string; feeCurrency?: string; clientOrderId: string | null };

/** The stored trade machine's fields a trade row mirrors (the machine's value wins, as in the trades table). */
interface MachineView {
  amount?: string;
  entryPrice?: string | null;
  stopLoss?: { price: string } | null;
}

/** What an export reads from, once ownership is checked. */
type Source =
  | { kind: 'account'; id: string; name: string }
  | { kind: 'bot'; id: string; name: string; accountId: string }
  | { kind: 'run'; id: string; name: string; result: Record<string, unknown> | null; status: string };

/** Builds CSV exports (see the module doc). */
export class ExportService {
  private readonly maxRows: number;

  constructor(private readonly o: ExportServiceOptions) {
    this.maxRows = o.maxRows ?? EXPORT_MAX_ROWS;
  }

  /**
   * Builds one export.
   * @param userId the caller, whose account/bot/run it must be; `null` (CLI) reads any
   * @param input validated with the shared `exportInputSchema` (also when it comes from the CLI)
   * @throws AppError NOT_FOUND naming `accountId`/`botId`/`runId` (missing or another user's); CONFLICT naming
   *   `runId` for a run without a result yet; ZodError for invalid input
   */
  async csv(userId: string | null, input: ExportInput): Promise<ExportResult> {
    const req = exportInputSchema.parse(input);
    const source = await this.source(userId, req);
    const { columns, rows, truncated } = await this.table(source, req);
    return { filename: filenameOf(source, req), csv: toCsv(columns as CsvColumn<unknown>[], rows), rows: rows.length, truncated, maxRows: this.maxRows };
  }

  private async source(userId: string | null, req: ExportRequest): Promise<Source> {
    const db = this.o.db;
    switch (exportSourceOf(req)) {
      case 'account': {
        const id = req.accountId!;
        const [r] = await db
          .select({ id: exchangeAccounts.id, name: exchangeAccounts.name })
          .from(exchangeAccounts)
          .where(and(eq(exchangeAccounts.id, id), userId === null ? undefined : eq(exchangeAccounts.userId, userId)))
          .limit(1);
        if (!r) throw new AppError('NOT_FOUND', 'accountId: no such account');
        return { kind: 'account', id: r.id, name: r.name };
      }
      case 'bot': {
        const id = req.botId!;
        const [r] = await db
          .select({ id: bots.id, name: bots.name, accountId: bots.accountId })
          .from(bots)
          .where(and(eq(bots.id, id), userId === null ? undefined : eq(bots.userId, userId)))
          .limit(1);
        if (!r) throw new AppError('NOT_FOUND', 'botId: no such bot');
        return { kind: 'bot', ...r };
      }
      case 'run': {
        const id = req.runId!;
        const [r] = await db
          .select({ id: backtestRuns.id, name: backtestRuns.name, status: backtestRuns.status, result: backtestRuns.result })
          .from(backtestRuns)
          .where(and(eq(backtestRuns.id, id), userId === null ? undefined : eq(backtestRuns.userId, userId)))
          .limit(1);
        if (!r) throw new AppError('NOT_FOUND', 'runId: no such backtest');
        if (!r.result) throw new AppError('CONFLICT', `runId: the backtest has no result (it is ${r.status})`);
        return { kind: 'run', ...r };
      }
    }
  }

  /** Reads up to maxRows + 1 rows, oldest first, to tell a cut-off. */
  private async read<T>(q: (limit: number) => Promise<T[]>): Promise<{ rows: T[]; truncated: boolean }> {
    const rows = await q(this.maxRows + 1);
    return rows.length > this.maxRows ? { rows: rows.slice(0, this.maxRows), truncated: true } : { rows, truncated: false };
  }

  private inMemory<T>(all: readonly T[], time: (r: T) => number, req: ExportRequest): { rows: T[]; truncated: boolean } {
    const rows = all.filter((r) => inRange(time(r), req));
    return rows.length > this.maxRows ? { rows: rows.slice(0, this.maxRows), truncated: true } : { rows, truncated: false };
  }

  private async table(source: Source, req: ExportRequest): Promise<{ columns: CsvColumn<never>[]; rows: unknown[]; truncated: boolean }> {
    const db = this.o.db;
    const tz = req.timeZone;
    const what: ExportKind = req.what;
    if (source.kind === 'run') {
      const result = source.result as { fills?: RunFill[]; trades?: RoundTripView[]; equity?: EquityRow[] };
      if (what === 'fills') return { columns: runFillColumns(tz), ...this.inMemory(result.fills ?? [], (f) => f.ts, req) };
      if (what === 'roundTrips') return { columns: roundTripColumns(tz), ...this.inMemory(result.trades ?? [], (t) => t.closedAt, req) };
      return { columns: equityColumns(tz), ...this.inMemory(result.equity ?? [], (e) => e.ts, req) };
    }
    const accountId = source.kind === 'account' ? source.id : source.accountId;
    // A bot's orders and fills are those of its account whose clientOrderId carries the bot's prefix.
    const prefix = source.kind === 'bot' ? `${botOrderId(source.id, 0, 'a', 0).replace(/0a0$/, '')}%` : null;
    switch (what) {
      case 'fills':
        return {
          columns: fillColumns(tz),
          ...(await this.read((limit) =>
            db
              .select()
              .from(fills)
              .where(and(eq(fills.accountId, accountId), prefix ? like(fills.clientOrderId, prefix) : undefined, ...range(fills.ts, req)))
              .orderBy(asc(fills.ts), asc(fills.id))
              .limit(limit),
          )),
        };
      case 'orders':
        return {
          columns: orderColumns(tz),
          ...(await this.read((limit) =>
            db
              .select()
              .from(orders)
              .where(and(eq(orders.accountId, accountId), prefix ? like(orders.clientOrderId, prefix) : undefined, ...range(orders.createdAt, req)))
              .orderBy(asc(orders.createdAt), asc(orders.id))
              .limit(limit),
          )),
        };
      case 'trades':
        return {
          columns: tradeColumns(tz),
          ...(await this.read((limit) =>
            db
              .select()
              .from(trades)
              .where(and(eq(trades.accountId, accountId), ...range(trades.openedAt, req)))
              .orderBy(asc(trades.openedAt), asc(trades.id))
              .limit(limit),
          )),
        };
      case 'equity':
        return {
          columns: equityColumns(tz),
          ...(await this.read((limit) =>
            db
              .select({ ts: equitySnapshots.ts, equity: equitySnapshots.equity })
              .from(equitySnapshots)
              .where(and(eq(equitySnapshots.accountId, accountId), ...range(equitySnapshots.ts, req)))
              .orderBy(asc(equitySnapshots.ts))
              .limit(limit),
          )),
        };
      case 'roundTrips':
        return {
          columns: roundTripColumns(tz),
          ...(await this.read((limit) =>
            db
              .select()
              .from(botTrades)
              .where(and(eq(botTrades.botId, source.id), ...range(botTrades.closedAt, req)))
              .orderBy(asc(botTrades.id))
              .limit(limit),
          )),
        };
    }
  }
}

const inRange = (t: number, req: ExportRequest) => (req.from === undefined || t >= req.from) && (req.to === undefined || t < req.to);

function range(col: AnyPgColumn, req: ExportRequest): (SQL | undefined)[] {
  return [req.from !== undefined ? gte(col, req.from) : undefined, req.to !== undefined ? lt(col, req.to) : undefined];
}

/** Letters and digits of a name, lower case, runs of anything else as one `-`, at most 40 characters. */
function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
}

const KIND_FILE: Record<ExportKind, string> = { trades: 'trades', orders: 'orders', fills: 'fills', equity: 'equity', roundTrips: 'round-trips' };

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10).replace(/-/g, '');

/** `osprey-<source>-<name or id>-<what>[-<from>-<to>].csv`, e.g. `osprey-bot-btc-grid-round-trips.csv`. */
function filenameOf(source: Source, req: ExportRequest): string {
  const name = slug(source.name) || source.id.slice(0, 8);
  const span = req.from !== undefined || req.to !== undefined ? `-${req.from !== undefined ? day(req.from) : 'start'}-${req.to !== undefined ? day(req.to) : 'now'}` : '';
  return `osprey-${source.kind}-${name}-${KIND_FILE[req.what]}${span}.csv`;
}

// ─── columns ──────────────────────────────────────────────────────────────────────────────────────────────

/** Columns of an account's (or a bot's) fills. */
function fillColumns(tz: string): CsvColumn<FillRow>[] {
  return [
    ...timeColumns<FillRow>('time', tz, (f) => f.ts),
    { header: 'symbol', value: (f) => f.symbol },
    { header: 'side', value: (f) => f.side },
    { header: 'price', value: (f) => f.price },
    { header: 'amount', value: (f) => f.amount },
    { header: 'fee', value: (f) => f.fee },
    { header: 'fee_currency', value: (f) => f.feeCurrency },
    { header: 'liquidity', value: (f) => f.liquidity },
    { header: 'fill_id', value: (f) => f.exchangeFillId },
    { header: 'order_id', value: (f) => f.orderId },
    { header: 'client_order_id', value: (f) => f.clientOrderId },
  ];
}

/** Prefix of the clientOrderId stored for venue orders that have none (as in the trading service's order view). */
const EXTERNAL_CID = 'ext:';

/** Columns of orders (`order_id` is the venue's id, Osprey's row id until the venue acknowledged it, as the API lists it). */
function orderColumns(tz: string): CsvColumn<OrderRow>[] {
  return [
    ...timeColumns<OrderRow>('created', tz, (o) => o.createdAt),
    ...timeColumns<OrderRow>('updated', tz, (o) => o.updatedAt),
    { header: 'order_id', value: (o) => o.exchangeOrderId ?? o.id },
    { header: 'client_order_id', value: (o) => (o.clientOrderId.startsWith(EXTERNAL_CID) ? null : o.clientOrderId) },
    { header: 'symbol', value: (o) => o.symbol },
    { header: 'side', value: (o) => o.side },
    { header: 'type', value: (o) => o.type },
    { header: 'kind', value: (o) => o.kind },
    { header: 'status', value: (o) => o.status },
    { header: 'amount', value: (o) => o.amount },
    { header: 'filled', value: (o) => o.filled },
    { header: 'price', value: (o) => o.price },
    { header: 'average', value: (o) => o.average },
    { header: 'trigger_price', value: (o) => o.triggerPrice },
    { header: 'reduce_only', value: (o) => o.reduceOnly },
    { header: 'fee', value: (o) => o.fee },
    { header: 'fee_currency', value: (o) => o.feeCurrency },
    { header: 'trade_id', value: (o) => o.tradeId },
  ];
}

const machineOf = (t: TradeRow): MachineView | null => {
  const s = t.state as { version?: unknown; machine?: MachineView } | null;
  return s && s.version === 1 && s.machine ? s.machine : null;
};

/** Columns of managed trades (amount, entry and stop from the trade machine's state when stored, as the trades table shows them). */
function tradeColumns(tz: string): CsvColumn<TradeRow>[] {
  return [
    ...timeColumns<TradeRow>('opened', tz, (t) => t.openedAt),
    ...timeColumns<TradeRow>('closed', tz, (t) => t.closedAt),
    { header: 'trade_id', value: (t) => t.id },
    { header: 'symbol', value: (t) => t.symbol },
    { header: 'side', value: (t) => t.side },
    { header: 'status', value: (t) => t.status },
    { header: 'leverage', value: (t) => t.leverage },
    { header: 'amount', value: (t) => machineOf(t)?.amount ?? t.amount },
    { header: 'closed_amount', value: (t) => t.closedAmount },
    { header: 'entry_price', value: (t) => { const m = machineOf(t); return m && m.entryPrice !== undefined ? m.entryPrice : t.entryPrice; } },
    { header: 'stop_loss', value: (t) => { const m = machineOf(t); return m ? (m.stopLoss?.price ?? null) : (t.stopLoss?.price ?? null); } },
    { header: 'realized_pnl', value: (t) => t.realizedPnl },
    { header: 'realized_pnl_pct', value: (t) => t.realizedPnlPct },
    { header: 'fees', value: (t) => t.fees },
    { header: 'source', value: (t) => t.source },
    { header: 'source_ref', value: (t) => t.sourceRef },
    { header: 'close_reason', value: (t) => t.closeReason },
  ];
}

/** Columns of equity points (quote, USDT). */
function equityColumns(tz: string): CsvColumn<EquityRow>[] {
  return [...timeColumns<EquityRow>('time', tz, (e) => e.ts), { header: 'equity', value: (e) => e.equity }];
}

type RoundTripRow = Pick<RoundTripView, 'symbol' | 'side' | 'amount' | 'entryPrice' | 'exitPrice' | 'entryFee' | 'exitFee' | 'pnl' | 'openedAt' | 'closedAt' | 'entryClientOrderId' | 'exitClientOrderId'>;

/** Columns of round trips (bots' stored ones and backtests'); `pnl` net of both fees. */
function roundTripColumns(tz: string): CsvColumn<RoundTripRow>[] {
  return [
    ...timeColumns<RoundTripRow>('opened', tz, (t) => t.openedAt),
    ...timeColumns<RoundTripRow>('closed', tz, (t) => t.closedAt),
    { header: 'symbol', value: (t) => t.symbol },
    { header: 'side', value: (t) => t.side },
    { header: 'amount', value: (t) => t.amount },
    { header: 'entry_price', value: (t) => t.entryPrice },
    { header: 'exit_price', value: (t) => t.exitPrice },
    { header: 'entry_fee', value: (t) => t.entryFee },
    { header: 'exit_fee', value: (t) => t.exitFee },
    { header: 'pnl', value: (t) => t.pnl },
    { header: 'entry_client_order_id', value: (t) => t.entryClientOrderId },
    { header: 'exit_client_order_id', value: (t) => t.exitClientOrderId },
  ];
}

/** Columns of a backtest's fills. */
function runFillColumns(tz: string): CsvColumn<RunFill>[] {
  return [
    ...timeColumns<RunFill>('time', tz, (f) => f.ts),
    { header: 'symbol', value: (f) => f.symbol },
    { header: 'side', value: (f) => f.side },
    { header: 'price', value: (f) => f.price },
    { header: 'amount', value: (f) => f.amount },
    { header: 'fee', value: (f) => f.fee },
    { header: 'fee_currency', value: (f) => f.feeCurrency },
    { header: 'client_order_id', value: (f) => f.clientOrderId },
  ];
}
