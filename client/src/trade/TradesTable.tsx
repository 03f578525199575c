import { useCallback, useMemo, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { positiveDecimalSchema, type TradeView } from '@osprey/shared';
import { useTRPC } from '../lib/trpc.js';
import { useI18n } from '../lib/i18n.js';
import { showToast } from '../lib/toast.js';
import { formatPrice } from '../lib/format.js';
import { fractionToPercent } from './ticket.js';
import { chartSymbolFor, formatSigned, pnlClass, unrealizedPnl } from './trades.js';
import type { PositionRow } from './types.js';

/** Subscribes to the 15m candle stream of `symbol` and reports each tick's close (renders nothing). */
function PriceStream({ symbol, onPrice }: { symbol: string; onPrice: (symbol: string, price: number) => void }) {
  const trpc = useTRPC();
  useSubscription(
    trpc.market.onCandle.subscriptionOptions(
      { symbol, timeframe: '15m' },
      { onData: (u) => onPrice(symbol, u.candle.close), onError: () => undefined },
    ),
  );
  return null;
}

/** The inline amount prompt of Reduce / Add. */
type AmountPrompt = { tradeId: string; action: 'reduce' | 'add' } | null;

/**
 * Active trades (`trade-row`, with `data-trade-id` and `data-unrealized`): symbol, side, status, amount,
 * entry, mark/last (live from `market.onCandle` of the symbol's spot market, else the venue's position mark),
 * unrealized PnL (live, coloured), realized PnL, stop-loss, targets, and Close (`trade-close`), Reduce
 * (`trade-reduce`, amount prompt), Add (`trade-add`) — or Cancel for an unfilled entry. Clicking a row
 * selects the trade (chart lines and the SL/TP form).
 */
export function TradesTable({
  trades,
  positions,
  selectedId,
  onSelect,
  quote,
}: {
  trades: readonly TradeView[];
  positions: readonly PositionRow[];
  selectedId: string | null;
  onSelect: (trade: TradeView) => void;
  /** Quote currency label of PnL columns. */
  quote: string;
}) {
  const { t, tx } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [prices, setPrices] = useState<Record<string, number>>({});
  const [prompt, setPrompt] = useState<AmountPrompt>(null);
  const [amount, setAmount] = useState('');
  const [amountError, setAmountError] = useState<string | null>(null);

  const onPrice = useCallback((symbol: string, price: number) => setPrices((p) => (p[symbol] === price ? p : { ...p, [symbol]: price })), []);
  const symbols = useMemo(() => [...new Set(trades.map((tr) => chartSymbolFor(tr.symbol)))].sort(), [trades]);

  const refresh = (accountId: string) => {
    void queryClient.invalidateQueries({ queryKey: trpc.trading.trades.queryKey({ accountId }) });
    void queryClient.invalidateQueries({ queryKey: trpc.trading.orders.queryKey({ accountId }) });
  };
  const close = useMutation(
    trpc.trading.close.mutationOptions({
      onSuccess: (tr, vars) => {
        showToast('success', vars.amount ? 'trades.reduced' : 'trades.closed', { symbol: tr.symbol, amount: vars.amount ?? tr.amount });
        setPrompt(null);
        refresh(tr.accountId);
      },
    }),
  );
  const add = useMutation(
    trpc.trading.add.mutationOptions({
      onSuccess: (tr, vars) => {
        showToast('success', 'trades.added', { symbol: tr.symbol, amount: vars.amount });
        setPrompt(null);
        refresh(tr.accountId);
      },
    }),
  );
  const cancelEntry = useMutation(
    trpc.trading.cancelEntry.mutationOptions({
      onSuccess: (tr) => {
        showToast('success', 'trades.entryCancelled', { symbol: tr.symbol });
        refresh(tr.accountId);
      },
    }),
  );
  const busy = close.isPending || add.isPending || cancelEntry.isPending;

  const openPrompt = (tradeId: string, action: 'reduce' | 'add') => {
    setPrompt({ tradeId, action });
    setAmount('');
    setAmountError(null);
  };
  const submitAmount = (e: FormEvent, trade: TradeView) => {
    e.preventDefault();
    if (!prompt) return;
    const v = amount.trim();
    const parsed = positiveDecimalSchema.safeParse(v);
    if (!parsed.success) {
      setAmountError(parsed.error.issues[0]?.message ?? 'invalid');
      return;
    }
    if (prompt.action === 'reduce') close.mutate({ tradeId: trade.id, amount: v, reason: 'manual' });
    else add.mutate({ tradeId: trade.id, amount: v });
  };

  return (
    <>
      {symbols.map((s) => (
        <PriceStream key={s} symbol={s} onPrice={onPrice} />
      ))}
      <div className="table-scroll">
        <table className="table table-compact table-hover" data-testid="trades-table">
          <thead>
            <tr>
              <th>{t('trades.symbol')}</th>
              <th>{t('trades.side')}</th>
              <th className="num">{t('trades.amount')}</th>
              <th className="num">{t('trades.entry')}</th>
              <th className="num">{t('trades.mark')}</th>
              <th className="num">{t('trades.unrealized', { quote })}</th>
              <th className="num">{t('trades.realized', { quote })}</th>
              <th className="num">{t('trades.stopLoss')}</th>
              <th>{t('trades.targets')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {trades.map((tr) => {
              const pos = positions.find((p) => p.symbol === tr.symbol && p.side === tr.side);
              const live = prices[chartSymbolFor(tr.symbol)] ?? null;
              const markStr = pos?.markPrice ?? null;
              const mark = live ?? (markStr !== null ? Number(markStr) : null);
              const localPnl = tr.status === 'open' ? unrealizedPnl(tr.side, tr.entryPrice, tr.amount, mark) : null;
              const serverPnl = tr.unrealizedPnl !== null ? Number(tr.unrealizedPnl) : null;
              const upnl = localPnl ?? serverPnl;
              const realized = Number(tr.realizedPnl);
              const opening = tr.status === 'opening';
              const promptHere = prompt?.tradeId === tr.id ? prompt : null;
              return (
                <tr
                  key={tr.id}
                  className={`clickable ${selectedId === tr.id ? 'selected' : ''}`}
                  data-testid="trade-row"
                  data-trade-id={tr.id}
                  data-symbol={tr.symbol}
                  data-side={tr.side}
                  data-status={tr.status}
                  data-amount={tr.amount}
                  data-unrealized={upnl !== null && Number.isFinite(upnl) ? upnl.toFixed(6) : ''}
                  onClick={() => onSelect(tr)}
                >
                  <td className="nowrap strong">{tr.symbol}</td>
                  <td>
                    <span className={`dir dir-${tr.side}`}>
                      {tr.side === 'long' ? '▲' : '▼'} {t(`side.${tr.side}`)}
                    </span>
                    {tr.leverage > 1 && <span className="muted small"> {tr.leverage}×</span>}
                    {opening && <span className="badge badge-opening">{t('trades.opening')}</span>}
                    {tr.lastError && (
                      <span className="warn-mark" data-testid="trade-error" title={tx(tr.lastError)}>
                        {' '}
                        ⚠
                      </span>
                    )}
                  </td>
                  <td className="num">{tr.amount}</td>
                  <td className="num">{tr.entryPrice ? formatPrice(Number(tr.entryPrice)) : '—'}</td>
                  <td className="num" data-testid="trade-mark">
                    {mark !== null ? formatPrice(mark) : '—'}
                  </td>
                  <td className={`num pnl-${pnlClass(upnl)}`} data-testid="trade-unrealized">
                    {formatSigned(upnl)}
                  </td>
                  <td className={`num pnl-${pnlClass(realized)}`}>{formatSigned(realized)}</td>
                  <td className="num">{tr.stopLoss ? formatPrice(Number(tr.stopLoss)) : '—'}</td>
                  <td className="targets-cell">
                    {tr.takeProfits.length === 0
                      ? '—'
                      : tr.takeProfits.map((tp, i) => (
                          <span
                            key={i}
                            className={`tp-chip ${tp.done ? 'done' : ''} ${tp.held && !tp.done ? 'held' : ''}`}
                            data-testid={tp.held && !tp.done ? 'tp-held' : undefined}
                            title={tp.done ? t('trades.tpDone') : tp.held ? t('trades.tpHeldTitle') : undefined}
                          >
                            {formatPrice(Number(tp.price))} · {fractionToPercent(tp.share)}%{tp.done ? ' ✓' : ''}
                            {tp.held && !tp.done && <span className="tp-held-mark"> · {t('trades.tpHeld')}</span>}
                          </span>
                        ))}
                  </td>
                  <td className="actions nowrap" onClick={(e) => e.stopPropagation()}>
                    {promptHere ? (
                      <form className="amount-prompt" onSubmit={(e) => submitAmount(e, tr)} noValidate>
                        <input
                          className={`input input-sm num ${amountError ? 'invalid' : ''}`}
                          inputMode="decimal"
                          autoFocus
                          data-testid="trade-amount-input"
                          aria-label={t(promptHere.action === 'reduce' ? 'trades.reduceAmount' : 'trades.addAmount')}
                          placeholder={promptHere.action === 'reduce' ? t('trades.max', { amount: tr.amount }) : t('trades.amount')}
                          title={amountError ? tx(amountError) : undefined}
                          value={amount}
                          onChange={(e) => {
                            setAmount(e.target.value);
                            setAmountError(null);
                          }}
                        />
                        <button type="submit" className="btn btn-sm btn-primary" data-testid="trade-amount-confirm" disabled={busy}>
                          {t(promptHere.action === 'reduce' ? 'trades.reduce' : 'trades.add')}
                        </button>
                        <button type="button" className="btn btn-sm btn-ghost" data-testid="trade-amount-cancel" onClick={() => setPrompt(null)}>
                          ×
                        </button>
                        {amountError && (
                          <span className="field-error" data-testid="trade-amount-error">
                            {tx(amountError)}
                          </span>
                        )}
                      </form>
                    ) : opening ? (
                      <button type="button" className="btn btn-sm" data-testid="trade-cancel-entry" disabled={busy} onClick={() => cancelEntry.mutate({ tradeId: tr.id })}>
                        {t('trades.cancelEntry')}
                      </button>
                    ) : (
                      <>
                        <button type="button" className="btn btn-sm btn-danger" data-testid="trade-close" disabled={busy} onClick={() => close.mutate({ tradeId: tr.id, reason: 'manual' })}>
                          {t('trades.close')}
                        </button>
                        <button type="button" className="btn btn-sm" data-testid="trade-reduce" disabled={busy} onClick={() => openPrompt(tr.id, 'reduce')}>
                          {t('trades.reduce')}
                        </button>
                        <button type="button" className="btn btn-sm" data-testid="trade-add" disabled={busy} onClick={() => openPrompt(tr.id, 'add')}>
                          {t('trades.add')}
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}
