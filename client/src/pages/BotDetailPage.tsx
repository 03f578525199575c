import { useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { TIMEFRAME_MS, type FillView, type MarketSignal, type OrderView } from '@osprey/shared';
import { useTRPC } from '../lib/trpc.js';
import { useI18n } from '../lib/i18n.js';
import { errorMessage, trpcCode } from '../lib/errors.js';
import { useThrottledValue } from '../lib/hooks.js';
import { addDecimal } from '../lib/decimal.js';
import { formatDateTimeShort } from '../lib/time.js';
import { Placeholder, Spinner } from '../components/Feedback.js';
import { MarketChart } from '../market/MarketChart.js';
import { chartCandles, chartThrottleMs } from '../market/live.js';
import { useLiveCandles } from '../market/use-live-candles.js';
import { formatSigned, pnlClass } from '../trade/trades.js';
import { buildBotOverlay } from '../charts/bot-overlay.js';
import { BotRunControls, BotStatusBadge, CloseLeftoversButton } from '../bots/BotControls.js';
import { BotOrdersTable, BotPositionsTable, EventsTable, FillsTable, RoundTripsTable } from '../bots/BotTables.js';
import { ExportButton } from '../components/ExportButton.js';
import { SpreadChart } from '../bots/BotCharts.js';
import { botChartSymbol, botChartSymbols, configEntries, formatUptime } from '../bots/bot-view.js';
import { backtestPrefillHash } from '../bots/backtest-form.js';
import { useNow } from '../bots/hooks.js';

/** Fallback refresh of the detail queries when a push is missed (ms). */
const DETAIL_REFETCH_MS = 5000;
const NO_ORDERS: OrderView[] = [];
const NO_FILLS: FillView[] = [];
const NO_SIGNALS: MarketSignal[] = [];

/**
 * One bot (`data-testid="bot-detail"`, `data-bot-id`, `data-status`): header (status with last error,
 * uptime, realized PnL, round trips, Start/Stop, "Backtest"), the 15m candle chart of its symbol with its
 * fills (▲/▼) and — for grid bots — its open order prices as lines (`bot-chart`, `data-fill-markers`,
 * `data-lines`), the spread chart of spread bots (`bot-spread-chart`), and the tables: open orders, fills,
 * positions, round trips, events. Live through `bots.onChange` (the page's stream refetches) plus a 5 s
 * fallback refetch.
 */
export function BotDetailPage({ id, streamStatus }: { id: string; streamStatus: string }) {
  const { t, tx } = useI18n();
  const trpc = useTRPC();
  const detail = useQuery(trpc.bots.get.queryOptions({ id }, { refetchInterval: DETAIL_REFETCH_MS, meta: { silent: true } }));
  const orders = useQuery(trpc.bots.orders.queryOptions({ id }, { refetchInterval: DETAIL_REFETCH_MS, meta: { silent: true } }));
  const overview = useQuery(trpc.market.overview.queryOptions(undefined, { meta: { silent: true } }));
  const bot = detail.data?.bot ?? null;
  const now = useNow(1000, bot?.status === 'running');

  const chartSymbols = bot ? botChartSymbols(bot.config) : [];
  const [picked, setPicked] = useState<string | null>(null);
  const chartSymbol = picked && chartSymbols.includes(picked) ? picked : (chartSymbols[0] ?? null);
  const charted = !!chartSymbol && !!overview.data?.symbols.includes(chartSymbol);
  const { query: candlesQuery, status: liveStatus } = useLiveCandles(charted ? chartSymbol : null, '15m');
  const candles = useMemo(() => (candlesQuery.data ? chartCandles(candlesQuery.data) : []), [candlesQuery.data]);
  const loading = charted && candlesQuery.isPending;
  const key = `${id}|${chartSymbol}`;
  const snapshot = useMemo(() => ({ key, candles, loading }), [key, candles, loading]);
  const shown = useThrottledValue(snapshot, chartThrottleMs(candles.length), key);
  const openOrders = orders.data?.open ?? NO_ORDERS;
  const fills = orders.data?.fills ?? NO_FILLS;
  const isGrid = bot?.type === 'grid';
  const overlay = useMemo(
    () =>
      buildBotOverlay({
        orders: openOrders,
        fills,
        candles: shown.candles,
        periodMs: TIMEFRAME_MS['15m'],
        chartSymbol: chartSymbol ?? '',
        showOrders: isGrid,
        labels: { buy: t('orders.side.buy'), sell: t('orders.side.sell') },
      }),
    [openOrders, fills, shown.candles, chartSymbol, isGrid, t],
  );

  const back = (
    <a className="btn btn-sm btn-ghost" href="#/bots" data-testid="bot-back">
      ← {t('bots.back')}
    </a>
  );

  if (detail.isPending) {
    return (
      <div className="page bot-detail-page">
        <Placeholder>
          <Spinner label={t('app.loading')} />
        </Placeholder>
      </div>
    );
  }
  if (detail.error || !bot) {
    return (
      <div className="page bot-detail-page">
        <div>{back}</div>
        <Placeholder testId="bot-detail-missing">{trpcCode(detail.error) === 'NOT_FOUND' ? t('bots.notFound') : tx(errorMessage(detail.error))}</Placeholder>
      </div>
    );
  }

  const pnl = Number(bot.realizedPnl);
  const { trades, events, series } = detail.data;
  const positions = orders.data?.positions ?? [];
  const priced = positions.filter((p) => p.unrealizedPnl !== null);
  const unrealized = priced.length ? priced.reduce((s, p) => addDecimal(s, p.unrealizedPnl!), '0') : null;
  const total = unrealized ? addDecimal(unrealized, bot.realizedPnl) : bot.realizedPnl;

  return (
    <div className="page bot-detail-page" data-testid="bot-detail" data-bot-id={bot.id} data-status={bot.status} data-type={bot.type}>
      <section className="panel bot-header">
        <div className="bot-header-top">
          {back}
          <h2 className="bot-title" data-testid="bot-detail-name">
            {bot.name}
          </h2>
          <BotStatusBadge bot={bot} />
          <span className="muted">
            {t(`bots.type.${bot.type}`)} · {bot.symbols.join(', ')} · {bot.accountName}
          </span>
          <span className={`live-dot live-${streamStatus}`} data-testid="bots-stream-status" data-status={streamStatus}>
            {t(streamStatus === 'pending' ? 'market.live' : streamStatus === 'error' ? 'market.offline' : 'market.connecting')}
          </span>
          <div className="grow" />
          <a className="btn btn-sm" href={backtestPrefillHash(bot.config, bot.name)} data-testid="bot-detail-backtest" title={t('bots.backtestThisHint')}>
            ↺ {t('bots.backtestThis')}
          </a>
          {bot.status !== 'running' && positions.length > 0 && <CloseLeftoversButton bot={bot} size="md" />}
          <BotRunControls bot={bot} size="md" />
        </div>
        <dl className="stat-row">
          <div className="stat">
            <dt>{t('bots.uptime')}</dt>
            <dd className="num" data-testid="bot-detail-uptime">
              {formatUptime(bot.startedAt, now)}
            </dd>
          </div>
          <div className="stat">
            <dt>{t('bots.realizedPnl')}</dt>
            <dd className={`num pnl-${pnlClass(pnl)}`} data-testid="bot-detail-realized" title={bot.realizedPnl}>
              {formatSigned(pnl)}
            </dd>
          </div>
          <div className="stat">
            <dt>{t('bots.unrealizedPnl')}</dt>
            <dd className={`num pnl-${pnlClass(Number(unrealized ?? 0))}`} data-testid="bot-detail-unrealized" title={unrealized ?? ''}>
              {unrealized ? formatSigned(Number(unrealized)) : '—'}
            </dd>
          </div>
          <div className="stat">
            <dt>{t('bots.totalPnl')}</dt>
            <dd className={`num pnl-${pnlClass(Number(total))}`} data-testid="bot-detail-total" title={total}>
              {formatSigned(Number(total))}
            </dd>
          </div>
          <div className="stat">
            <dt>{t('bots.roundTrips')}</dt>
            <dd className="num" data-testid="bot-detail-round-trips">
              {bot.roundTrips}
            </dd>
          </div>
          <div className="stat">
            <dt>{t('orders.open')}</dt>
            <dd className="num" data-testid="bot-detail-open-orders">
              {openOrders.length}
            </dd>
          </div>
          {bot.startedAt !== null && (
            <div className="stat">
              <dt>{t('bots.startedAt')}</dt>
              <dd className="num">{formatDateTimeShort(bot.startedAt)}</dd>
            </div>
          )}
        </dl>
        {bot.lastError && (
          <div className="form-error bot-last-error" role="alert" data-testid="bot-last-error">
            {t('bots.lastError')}: {tx(bot.lastError)}
          </div>
        )}
      </section>

      <section className="panel chart-panel bot-chart-panel" data-testid="bot-chart" data-symbol={chartSymbol ?? ''} data-fill-markers={overlay.fillCount} data-lines={overlay.lineCount}>
        {charted ? (
          <MarketChart timeframe="15m" candles={shown.candles} signals={NO_SIGNALS} resetKey={shown.key} loading={shown.loading} overlay={overlay} />
        ) : (
          <Placeholder testId="bot-chart-unavailable">{overview.isPending ? <Spinner label={t('app.loading')} /> : t('trade.noChart', { symbol: chartSymbol ?? botChartSymbol(bot.config) })}</Placeholder>
        )}
        {charted && (
          <span className={`live-dot live-${liveStatus} chart-live`} data-status={liveStatus}>
            {chartSymbols.length > 1 ? (
              <select className="select select-sm" aria-label={t('bots.chartSymbol')} data-testid="bot-chart-symbol" value={chartSymbol ?? ''} onChange={(e) => setPicked(e.target.value)}>
                {chartSymbols.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            ) : (
              chartSymbol
            )}{' '}
            · 15m
          </span>
        )}
      </section>

      {bot.config.type === 'spread' && (
        <section className="panel">
          <h2 className="panel-title">
            {t('bots.spreadTitle')}{' '}
            <span className="muted">
              {bot.config.spread.symbolA} − {bot.config.spread.symbolB}
            </span>
          </h2>
          <SpreadChart series={series} entryPct={bot.config.spread.entryPct} testId="bot-spread-chart" />
        </section>
      )}

      <div className="bot-lower">
        <section className="panel">
          <div className="panel-head">
            <h2 className="panel-title">
              {t('orders.open')} <span className="muted">{openOrders.length}</span>
            </h2>
            <ExportButton target={{ botId: bot.id }} kinds={['orders']} testId="export-bot-orders" />
          </div>
          {orders.error ? <Placeholder>{tx(errorMessage(orders.error))}</Placeholder> : <BotOrdersTable orders={openOrders} botType={bot.type} />}
        </section>
        <section className="panel">
          <div className="panel-head">
            <h2 className="panel-title">
              {t('bots.fills')} <span className="muted">{fills.length}</span>
            </h2>
            <ExportButton target={{ botId: bot.id }} kinds={['fills']} testId="export-bot-fills" />
          </div>
          <FillsTable fills={fills} />
        </section>
        <section className="panel">
          <h2 className="panel-title">
            {t('bots.positions')} <span className="muted">{orders.data?.positions.length ?? 0}</span>
          </h2>
          <BotPositionsTable positions={positions} />
        </section>
        <section className="panel">
          <div className="panel-head">
            <h2 className="panel-title">
              {t('bots.trips')} <span className="muted">{trades.length}</span>
            </h2>
            <ExportButton target={{ botId: bot.id }} kinds={['roundTrips']} testId="export-bot-trips" />
          </div>
          <RoundTripsTable trips={trades} />
        </section>
      </div>
      <section className="panel" data-testid="bot-settings">
        <h2 className="panel-title">{t('bots.settings')}</h2>
        <dl className="kv-grid">
          {configEntries(bot.config).map(([k, v]) => (
            <div key={k} className="kv" data-key={k}>
              <dt className="muted small">{k}</dt>
              <dd className="num">{v}</dd>
            </div>
          ))}
        </dl>
      </section>
      <section className="panel">
        <h2 className="panel-title">
          {t('bots.eventsTitle')} <span className="muted">{events.length}</span>
        </h2>
        <EventsTable events={events} />
      </section>
    </div>
  );
}
