import { useEffect, useMemo, useRef } from 'react';
import { skipToken, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { TIMEFRAMES, type MarketSignal, type Timeframe } from '@osprey/shared';
import { useTRPC } from '../lib/trpc.js';
import { useI18n } from '../lib/i18n.js';
import { errorMessage } from '../lib/errors.js';
import { showToast } from '../lib/toast.js';
import { usePersistentState, useThrottledValue } from '../lib/hooks.js';
import { formatPrice } from '../lib/format.js';
import { Placeholder, Spinner } from '../components/Feedback.js';
import { MarketChart, type MarketChartHandle } from '../market/MarketChart.js';
import { SignalsList } from '../market/SignalsList.js';
import { DetectResult } from '../market/DetectResult.js';
import { useFeed } from '../market/feed.js';
import { chartCandles, chartThrottleMs, prependSignal, signalsInput } from '../market/live.js';
import { useLiveCandles } from '../market/use-live-candles.js';
import { prefillFromSignal, prefillToHash, type PrefillTarget } from '../trade/prefill.js';

const isString = (v: unknown): v is string => typeof v === 'string';
const isTimeframe = (v: unknown): v is Timeframe => typeof v === 'string' && (TIMEFRAMES as readonly string[]).includes(v);

/**
 * Market workspace: symbol/timeframe pickers, the live chart (candles, overlays, RSI, MACD, signal
 * markers), "Detect now", and the signal list for the symbol (ACTIVE/EXPIRED against feed time).
 */
export function MarketPage() {
  const { t } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { feed } = useFeed();
  const overview = useQuery(trpc.market.overview.queryOptions());
  const [savedSymbol, setSymbol] = usePersistentState('osprey.market.symbol', '', isString);
  const [savedTimeframe, setTimeframe] = usePersistentState<Timeframe>('osprey.market.timeframe', '15m', isTimeframe);

  const symbols = overview.data?.symbols ?? [];
  const timeframes = TIMEFRAMES.filter((tf) => !overview.data || overview.data.timeframes.includes(tf));
  const symbol = symbols.includes(savedSymbol) ? savedSymbol : (symbols[0] ?? null);
  const timeframe = timeframes.includes(savedTimeframe) ? savedTimeframe : (timeframes[0] ?? '15m');

  const { query: candlesQuery, status: liveStatus } = useLiveCandles(symbol, timeframe);
  const signalsQuery = useQuery(trpc.market.signals.queryOptions(symbol ? signalsInput(symbol) : skipToken));

  const candles = useMemo(() => (candlesQuery.data ? chartCandles(candlesQuery.data) : []), [candlesQuery.data]);
  const signals = useMemo(() => signalsQuery.data ?? [], [signalsQuery.data]);
  const loading = !!symbol && candlesQuery.isPending;
  const key = `${symbol}|${timeframe}`;
  const snapshot = useMemo(() => ({ key, timeframe, candles, signals, loading }), [key, timeframe, candles, signals, loading]);
  const shown = useThrottledValue(snapshot, chartThrottleMs(candles.length), key);

  const chartRef = useRef<MarketChartHandle>(null);

  const detect = useMutation(
    trpc.market.detectNow.mutationOptions({
      onSuccess: (res) => {
        const signal = res.signal;
        if (signal) queryClient.setQueryData(trpc.market.signals.queryKey(signalsInput(signal.symbol)), (old) => (old ? prependSignal(old, signal) : old));
      },
    }),
  );
  const resetDetect = detect.reset;
  useEffect(() => resetDetect(), [symbol, resetDetect]);

  const onSelectSignal = (s: MarketSignal) => {
    if (!chartRef.current?.zoomToTs(s.candleTs)) showToast('info', 'market.outOfRange');
  };
  // "Trade this" / "pending at trigger": hand the signal to the trade page through the hash.
  const onTradeSignal = (s: MarketSignal, target: PrefillTarget) => {
    location.hash = prefillToHash(prefillFromSignal(s, target));
  };

  const last = candles.at(-1);
  const prev = candles.at(-2);

  if (overview.isPending) {
    return (
      <div className="page market-page">
        <Placeholder>
          <Spinner label={t('app.loading')} />
        </Placeholder>
      </div>
    );
  }
  if (overview.error) {
    return (
      <div className="page market-page">
        <Placeholder>{errorMessage(overview.error)}</Placeholder>
      </div>
    );
  }

  return (
    <div className="page market-page">
      <div className="toolbar">
        <label className="toolbar-field">
          <span>{t('market.symbol')}</span>
          <select className="select" data-testid="symbol-select" value={symbol ?? ''} onChange={(e) => setSymbol(e.target.value)} disabled={!symbols.length}>
            {symbols.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label className="toolbar-field">
          <span>{t('market.timeframe')}</span>
          <select className="select" data-testid="timeframe-select" value={timeframe} onChange={(e) => setTimeframe(e.target.value as Timeframe)}>
            {timeframes.map((tf) => (
              <option key={tf} value={tf}>
                {tf}
              </option>
            ))}
          </select>
        </label>
        <div className="toolbar-info">
          <span className="muted">{overview.data.exchange}</span>
          {last && (
            <span className={`last-price ${prev && last.close < prev.close ? 'down' : 'up'}`} data-testid="last-price" title={t('market.lastClose')}>
              {formatPrice(last.close)}
            </span>
          )}
          <span className={`live-dot live-${liveStatus}`} data-testid="live-status" data-status={liveStatus}>
            {t(liveStatus === 'pending' ? 'market.live' : liveStatus === 'error' ? 'market.offline' : 'market.connecting')}
          </span>
          {!loading && candles.length > 0 && <span className="muted">{t('market.candles', { count: candles.length })}</span>}
        </div>
        <button
          type="button"
          className="btn btn-primary"
          data-testid="detect-now"
          disabled={!symbol || detect.isPending}
          onClick={() => symbol && detect.mutate({ symbol })}
        >
          {detect.isPending ? t('market.detecting') : t('market.detectNow')}
        </button>
      </div>

      {!symbol ? (
        <Placeholder testId="market-chart">{t('market.noSymbols')}</Placeholder>
      ) : (
        <div className="market-body">
          <section className="panel chart-panel">
            <MarketChart ref={chartRef} timeframe={shown.timeframe} candles={shown.candles} signals={shown.signals} resetKey={shown.key} loading={shown.loading} />
          </section>
          <aside className="panel side-panel">
            {detect.data && <DetectResult result={detect.data} />}
            <h2 className="panel-title">
              {t('signals.title')} <span className="muted">{symbol}</span>
            </h2>
            <SignalsList signals={signals} now={feed?.now ?? null} loading={signalsQuery.isPending} onSelect={onSelectSignal} onTrade={onTradeSignal} />
          </aside>
        </div>
      )}
    </div>
  );
}
