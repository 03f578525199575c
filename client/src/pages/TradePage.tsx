import { useCallback, useEffect, useMemo, useState } from 'react';
import { skipToken, useQuery } from '@tanstack/react-query';
import { TIMEFRAMES, TIMEFRAME_MS, type PublicAccount, type Timeframe, type TradeView } from '@osprey/shared';
import { useTRPC } from '../lib/trpc.js';
import { useI18n } from '../lib/i18n.js';
import { errorMessage } from '../lib/errors.js';
import { showToast } from '../lib/toast.js';
import { usePersistentState, useThrottledValue } from '../lib/hooks.js';
import { formatPrice } from '../lib/format.js';
import { roundToStep } from '../lib/decimal.js';
import { Placeholder, Spinner } from '../components/Feedback.js';
import { MarketChart } from '../market/MarketChart.js';
import { useFeed } from '../market/feed.js';
import { chartCandles, chartThrottleMs, signalsInput } from '../market/live.js';
import { useLiveCandles } from '../market/use-live-candles.js';
import { buildTradeOverlay } from '../charts/trade-overlay.js';
import { tradeQueries, useAccountStream } from '../trade/account-stream.js';
import { applyPrefillToPending, applyPrefillToTicket, parsePrefillHash, resolveSymbol, type TradePrefill } from '../trade/prefill.js';
import { DEFAULT_SIZING, SIZING_MODES, emptyPendingForm, emptyTicket, type PendingFormState, type SizingState, type TicketState } from '../trade/ticket.js';
import { chartSymbolFor } from '../trade/trades.js';
import { OrderTicket } from '../trade/OrderTicket.js';
import { TradesTable } from '../trade/TradesTable.js';
import { ExportButton } from '../components/ExportButton.js';
import { ProtectForm } from '../trade/ProtectForm.js';
import { OpenOrdersTable, OrderHistoryTable, TradeHistoryTable } from '../trade/OrdersTables.js';
import { PendingPanel } from '../trade/PendingPanel.js';
import { BalancesPanel } from '../trade/BalancesPanel.js';
import { BotHoldingsPanel } from '../bots/BotHoldingsPanel.js';
import type { MarketRow } from '../trade/types.js';

const isString = (v: unknown): v is string => typeof v === 'string';
const isTimeframe = (v: unknown): v is Timeframe => typeof v === 'string' && (TIMEFRAMES as readonly string[]).includes(v);
const isSizing = (v: unknown): v is SizingState =>
  !!v && typeof v === 'object' && (SIZING_MODES as readonly unknown[]).includes((v as SizingState).mode) && typeof (v as SizingState).value === 'string';

/** The "trade this" prefill in the current hash, read on load and on every hash change. */
function useHashPrefill(): [TradePrefill | null, () => void] {
  const [prefill, setPrefill] = useState<TradePrefill | null>(() => parsePrefillHash(location.hash));
  useEffect(() => {
    const onHash = () => {
      const p = parsePrefillHash(location.hash);
      if (p) setPrefill(p);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const clear = useCallback(() => {
    setPrefill(null);
    // Drop the query so a reload does not apply it again (replaceState fires no hashchange).
    if (location.hash.includes('?')) history.replaceState(null, '', `${location.pathname}${location.search}#/trade`);
  }, []);
  return [prefill, clear];
}

/**
 * Trading workspace. Picks an account (`accounts.list`) and renders {@link TradeWorkspace} for it, or says
 * how to add one. A `#/trade?…` prefill from a detector signal is passed down and applied once.
 */
export function TradePage() {
  const { t, tx } = useI18n();
  const trpc = useTRPC();
  const accounts = useQuery(trpc.accounts.list.queryOptions());
  const [savedAccount, setAccount] = usePersistentState('osprey.trade.account', '', isString);
  const [prefill, clearPrefill] = useHashPrefill();

  if (accounts.isPending) {
    return (
      <div className="page trade-page">
        <Placeholder>
          <Spinner label={t('app.loading')} />
        </Placeholder>
      </div>
    );
  }
  if (accounts.error) {
    return (
      <div className="page trade-page">
        <Placeholder>{tx(errorMessage(accounts.error))}</Placeholder>
      </div>
    );
  }
  const account = accounts.data.find((a) => a.id === savedAccount) ?? accounts.data[0] ?? null;
  if (!account) {
    return (
      <div className="page trade-page">
        <Placeholder testId="trade-no-accounts">
          <div className="stack">
            <p>{t('trade.noAccounts')}</p>
            <a className="btn btn-primary" href="#/accounts" data-testid="trade-go-accounts">
              {t('trade.addAccount')}
            </a>
          </div>
        </Placeholder>
      </div>
    );
  }
  return <TradeWorkspace key={account.id} account={account} accounts={accounts.data} onAccount={setAccount} prefill={prefill} onPrefillApplied={clearPrefill} />;
}

/**
 * One account's workspace: toolbar (account, symbol, timeframe, last price, live status), the chart of the
 * symbol (spot candles for a perpetual) with the active trades' entry/SL/TP lines and fill markers, the
 * order ticket, active trades with the SL/TP editor of the selected trade, balances and equity, open orders,
 * pending orders, trade history and order history. Everything stays live through `trading.onAccount`
 * (cache patches, see `useAccountStream`) and `market.onCandle` (prices).
 */
function TradeWorkspace({
  account,
  accounts,
  onAccount,
  prefill,
  onPrefillApplied,
}: {
  account: PublicAccount;
  accounts: readonly PublicAccount[];
  onAccount: (id: string) => void;
  prefill: TradePrefill | null;
  onPrefillApplied: () => void;
}) {
  const { t, tx } = useI18n();
  const trpc = useTRPC();
  const { feed } = useFeed();
  const accountId = account.id;
  const acct = tradeQueries.account(accountId);

  const markets = useQuery(trpc.trading.markets.queryOptions(acct, { staleTime: 5 * 60_000 }));
  const overview = useQuery(trpc.market.overview.queryOptions());
  const [savedSymbol, setSymbol] = usePersistentState('osprey.trade.symbol', '', isString);
  const [timeframe, setTimeframe] = usePersistentState<Timeframe>('osprey.trade.timeframe', '15m', isTimeframe);
  const [usualSizing, setUsualSizing] = usePersistentState<SizingState>('osprey.trade.sizing', DEFAULT_SIZING, isSizing);
  const [ticket, setTicket] = useState<TicketState>(() => emptyTicket(usualSizing));
  const [pendingForm, setPendingForm] = useState<PendingFormState>(() => emptyPendingForm(usualSizing));
  const [selectedTradeId, setSelectedTradeId] = useState<string | null>(null);

  const marketList: MarketRow[] = useMemo(() => markets.data ?? [], [markets.data]);
  const symbol = marketList.some((m) => m.symbol === savedSymbol) ? savedSymbol : (marketList[0]?.symbol ?? null);
  const market = marketList.find((m) => m.symbol === symbol) ?? null;

  // Apply a signal's prefill once the account's markets are known.
  useEffect(() => {
    if (!prefill || !markets.data) return;
    const resolved = resolveSymbol(prefill.symbol, markets.data);
    if (!resolved) {
      showToast('error', 'trade.prefillNoMarket', { symbol: prefill.symbol, account: account.name });
    } else if (prefill.side === 'short' && account.marketType === 'spot') {
      // A short signal cannot be taken on spot (and turning it into a long would trade against the signal).
      showToast('error', 'trade.prefillShortSpot', { symbol: resolved, account: account.name });
    } else {
      setSymbol(resolved);
      // Prices from the signal (a float close) are snapped to the market's tick.
      const step = markets.data.find((m) => m.symbol === resolved)?.priceStep;
      const snap = (v: string | null) => (v && step ? roundToStep(v, step) : v);
      const p = { ...prefill, stopLoss: snap(prefill.stopLoss), triggerPrice: snap(prefill.triggerPrice) };
      if (p.target === 'ticket') setTicket((tk) => applyPrefillToTicket(tk, p, usualSizing));
      else {
        setPendingForm((f) => applyPrefillToPending(f, p, usualSizing));
        setTimeout(() => document.querySelector('[data-testid="pending-form"]')?.scrollIntoView({ behavior: 'smooth', block: 'center' }), 50);
      }
      showToast('info', prefill.target === 'ticket' ? 'trade.prefilled' : 'trade.prefilledPending', { symbol: resolved });
    }
    onPrefillApplied();
  }, [prefill, markets.data, account.name, account.marketType, setSymbol, usualSizing, onPrefillApplied]);

  const streamStatus = useAccountStream(accountId);
  const activeTrades = useQuery(trpc.trading.trades.queryOptions(tradeQueries.trades(accountId, 'active')));
  const closedTrades = useQuery(trpc.trading.trades.queryOptions(tradeQueries.trades(accountId, 'closed')));
  const openOrders = useQuery(trpc.trading.orders.queryOptions(tradeQueries.orders(accountId, 'open')));
  const orderHistory = useQuery(trpc.trading.orders.queryOptions(tradeQueries.orders(accountId, 'history')));
  const fills = useQuery(trpc.trading.fills.queryOptions(tradeQueries.fills(accountId)));
  const positions = useQuery(trpc.trading.positions.queryOptions(acct, { meta: { silent: true } }));
  const balances = useQuery(trpc.trading.balances.queryOptions(acct));
  const equity = useQuery(trpc.trading.equity.queryOptions(acct));
  const pending = useQuery(trpc.trading.pendingList.queryOptions(acct));

  // Chart: the symbol's spot candles from the market feed, when the feed tracks them.
  const chartSymbol = symbol ? chartSymbolFor(symbol) : null;
  const charted = !!chartSymbol && !!overview.data?.symbols.includes(chartSymbol);
  const { query: candlesQuery, status: liveStatus } = useLiveCandles(charted ? chartSymbol : null, timeframe);
  const signalsQuery = useQuery(trpc.market.signals.queryOptions(charted && chartSymbol ? signalsInput(chartSymbol) : skipToken));
  const candles = useMemo(() => (candlesQuery.data ? chartCandles(candlesQuery.data) : []), [candlesQuery.data]);
  const signals = useMemo(() => signalsQuery.data ?? [], [signalsQuery.data]);
  const trades: TradeView[] = useMemo(() => activeTrades.data ?? [], [activeTrades.data]);
  const fillList = useMemo(() => fills.data ?? [], [fills.data]);
  const loading = charted && candlesQuery.isPending;
  const key = `${accountId}|${chartSymbol}|${timeframe}`;
  const snapshot = useMemo(() => ({ key, timeframe, candles, signals, loading }), [key, timeframe, candles, signals, loading]);
  const shown = useThrottledValue(snapshot, chartThrottleMs(candles.length), key);
  const overlay = useMemo(
    () =>
      buildTradeOverlay(trades, fillList, shown.candles, TIMEFRAME_MS[shown.timeframe], chartSymbol ?? '', {
        entry: t('chart.entry'),
        sl: t('chart.sl'),
        tp: t('chart.tp'),
        held: t('chart.tpHeld'),
      }),
    [trades, fillList, shown.candles, shown.timeframe, chartSymbol, t],
  );

  const pendingRows = useMemo(() => [...(pending.data ?? [])].sort((a, b) => b.createdAt - a.createdAt), [pending.data]);

  const selectedTrade =
    trades.find((tr) => tr.id === selectedTradeId) ?? trades.find((tr) => tr.symbol === symbol && tr.status === 'open') ?? null;
  const onSelectTrade = (tr: TradeView) => {
    setSelectedTradeId(tr.id);
    if (tr.symbol !== symbol && marketList.some((m) => m.symbol === tr.symbol)) setSymbol(tr.symbol);
  };

  const last = candles.at(-1);
  const prev = candles.at(-2);
  const quote = market?.quote ?? 'USDT';

  return (
    <div className="page trade-page" data-account-id={accountId} data-market-type={account.marketType}>
      <div className="toolbar">
        <label className="toolbar-field">
          <span>{t('trade.account')}</span>
          <select className="select" data-testid="trade-account" value={accountId} onChange={(e) => onAccount(e.target.value)}>
            {accounts.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name} · {a.exchange} {t(`accounts.marketType.${a.marketType}`)} · {t(`accounts.mode.${a.mode}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="toolbar-field">
          <span>{t('market.symbol')}</span>
          <select className="select" data-testid="trade-symbol" value={symbol ?? ''} onChange={(e) => setSymbol(e.target.value)} disabled={!marketList.length}>
            {marketList.map((m) => (
              <option key={m.symbol} value={m.symbol}>
                {m.symbol}
              </option>
            ))}
          </select>
        </label>
        <label className="toolbar-field">
          <span>{t('market.timeframe')}</span>
          <select className="select" data-testid="trade-timeframe" value={timeframe} onChange={(e) => setTimeframe(e.target.value as Timeframe)}>
            {TIMEFRAMES.map((tf) => (
              <option key={tf} value={tf}>
                {tf}
              </option>
            ))}
          </select>
        </label>
        <div className="toolbar-info">
          <span className={`badge badge-mode-${account.mode}`}>{t(`accounts.mode.${account.mode}`)}</span>
          {last && (
            <span className={`last-price ${prev && last.close < prev.close ? 'down' : 'up'}`} data-testid="trade-last-price" title={t('market.lastClose')}>
              {formatPrice(last.close)}
            </span>
          )}
          {charted && (
            <span className={`live-dot live-${liveStatus}`} data-testid="trade-live-status" data-status={liveStatus}>
              {t(liveStatus === 'pending' ? 'market.live' : liveStatus === 'error' ? 'market.offline' : 'market.connecting')}
            </span>
          )}
          <span className={`live-dot live-${streamStatus}`} data-testid="account-stream-status" data-status={streamStatus} title={t('trade.accountStream')}>
            {t('trade.account')}
          </span>
        </div>
      </div>

      {markets.error ? (
        <Placeholder testId="trade-markets-error">{tx(errorMessage(markets.error))}</Placeholder>
      ) : markets.isPending ? (
        <Placeholder>
          <Spinner label={t('app.loading')} />
        </Placeholder>
      ) : !symbol ? (
        <Placeholder>{t('trade.noMarkets')}</Placeholder>
      ) : (
        <>
          <div className="trade-grid">
            <div className="trade-main">
              <section
                className="panel chart-panel trade-chart-panel"
                data-testid="trade-chart"
                data-symbol={chartSymbol ?? ''}
                data-lines={overlay.lineCount}
                data-held-lines={overlay.heldCount}
                data-fill-markers={overlay.fillCount}
              >
                {charted ? (
                  <MarketChart timeframe={shown.timeframe} candles={shown.candles} signals={shown.signals} resetKey={shown.key} loading={shown.loading} overlay={overlay} />
                ) : (
                  <Placeholder testId="trade-chart-unavailable">{t('trade.noChart', { symbol: chartSymbol ?? '' })}</Placeholder>
                )}
              </section>

              <section className="panel">
                <h2 className="panel-title">
                  {t('trades.title')} <span className="muted">{trades.length}</span>
                </h2>
                {activeTrades.isPending ? (
                  <Placeholder>
                    <Spinner label={t('app.loading')} />
                  </Placeholder>
                ) : trades.length === 0 ? (
                  <Placeholder testId="trades-empty">{t('trades.none')}</Placeholder>
                ) : (
                  <TradesTable trades={trades} positions={positions.data ?? []} selectedId={selectedTrade?.id ?? null} onSelect={onSelectTrade} quote={quote} />
                )}
                {selectedTrade && selectedTrade.status === 'open' && (
                  <div className="protect-box">
                    <h3 className="sub-title">
                      {t('protect.title')}{' '}
                      <span className="muted">
                        {selectedTrade.symbol} · {t(`side.${selectedTrade.side}`)} {selectedTrade.amount}
                      </span>
                    </h3>
                    <ProtectForm key={selectedTrade.id} trade={selectedTrade} />
                  </div>
                )}
              </section>
            </div>

            <aside className="trade-side">
              <section className="panel ticket-panel">
                <h2 className="panel-title">
                  {t('ticket.title')} <span className="muted">{symbol}</span>
                </h2>
                <OrderTicket
                  accountId={accountId}
                  marketType={account.marketType}
                  symbol={symbol}
                  market={market}
                  ticket={ticket}
                  onChange={setTicket}
                  onSizingChange={setUsualSizing}
                />
              </section>
              <section className="panel">
                <div className="panel-head">
                  <h2 className="panel-title">{t('balances.title')}</h2>
                  <ExportButton target={{ accountId }} kinds={['equity']} testId="export-equity" />
                </div>
                <BalancesPanel balances={balances.data ?? []} equity={equity.data ?? []} />
              </section>
            </aside>
          </div>

          <div className="trade-lower">
            <BotHoldingsPanel accountId={accountId} />
            <section className="panel">
              <h2 className="panel-title">
                {t('orders.open')} <span className="muted">{openOrders.data?.length ?? 0}</span>
              </h2>
              <OpenOrdersTable accountId={accountId} orders={openOrders.data ?? []} />
            </section>
            <section className="panel">
              <h2 className="panel-title">
                {t('pending.title')} <span className="muted">{pending.data?.filter((p) => p.status === 'PENDING').length ?? 0}</span>
              </h2>
              <PendingPanel
                accountId={accountId}
                marketType={account.marketType}
                symbol={symbol}
                market={market}
                form={pendingForm}
                onChange={setPendingForm}
                rows={pendingRows}
                now={feed?.now ?? Date.now()}
              />
            </section>
            <section className="panel">
              <div className="panel-head">
                <h2 className="panel-title">{t('history.title')}</h2>
                <ExportButton target={{ accountId }} kinds={['trades']} testId="export-trades" />
              </div>
              <TradeHistoryTable trades={closedTrades.data ?? []} />
            </section>
            <section className="panel">
              <div className="panel-head">
                <h2 className="panel-title">{t('orders.history')}</h2>
                <ExportButton target={{ accountId }} kinds={['orders', 'fills']} testId="export-orders" />
              </div>
              <OrderHistoryTable orders={orderHistory.data ?? []} />
            </section>
          </div>
        </>
      )}
    </div>
  );
}
