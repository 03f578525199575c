import { useMemo, useState, type FormEvent } from 'react';
import { keepPreviousData, skipToken, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ORDER_TYPES, type MarketType, type OpenTradeInput, type TradeEstimate } from '@osprey/shared';
import { useTRPC } from '../lib/trpc.js';
import { useI18n } from '../lib/i18n.js';
import { errorMessage, fieldErrors } from '../lib/errors.js';
import { parseServerFieldErrors, type FieldErrors } from '../lib/form.js';
import { useDebouncedValue } from '../lib/hooks.js';
import { showToast } from '../lib/toast.js';
import { formatMoney, formatPrice } from '../lib/format.js';
import { FieldError } from '../components/FieldError.js';
import { TargetsEditor } from './TargetsEditor.js';
import { SIZING_MODES, validateTicket, type SizingState, type TicketState } from './ticket.js';
import { tradeQueries } from './account-stream.js';
import type { MarketRow } from './types.js';

/** Input paths of the ticket that have their own field (server errors on others go to the form line). */
const TICKET_FIELDS = new Set(['side', 'sizing', 'leverage', 'entryType', 'entryPrice', 'stopLoss', 'takeProfits', 'breakevenAfterTp1', 'symbol', 'accountId', 'sourceSignalId']);

/** Debounce of the live estimate while typing (ms). */
const ESTIMATE_DEBOUNCE_MS = 400;

/** The unit a sizing value is in: base currency, quote currency, or % of equity. */
function sizingUnit(mode: SizingState['mode'], market: MarketRow | null): string {
  if (mode === 'risk') return '%';
  if (!market) return '';
  return mode === 'base' ? market.base : market.quote;
}

/**
 * The order ticket, validated with the shared `openTradeInputSchema`: long/short (long only on spot accounts:
 * no Short button there), sizing (base / quote /
 * risk %) and value, leverage (swap only; 1 on spot), market/limit entry (+ price), stop-loss, take-profit
 * rows (shares in %), "stop to breakeven after TP1". A debounced `trading.estimate` previews amount,
 * notional, fee, margin, liquidation price and warnings (`ticket-estimate`); submit calls `trading.open`.
 * Errors appear under their field (`field-error-<path>`) once the user has tried to submit, plus a toast.
 */
export function OrderTicket({
  accountId,
  marketType,
  symbol,
  market,
  ticket,
  onChange,
  onSizingChange,
}: {
  accountId: string;
  marketType: MarketType;
  symbol: string;
  market: MarketRow | null;
  ticket: TicketState;
  onChange: (next: TicketState) => void;
  /** The user changed the size by hand (remembered as the usual size for signal prefills). */
  onSizingChange: (sizing: SizingState) => void;
}) {
  const { t, tx } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});

  const ctx = useMemo(() => ({ accountId, symbol, marketType }), [accountId, symbol, marketType]);
  const validated = useMemo(() => validateTicket(ticket, ctx), [ticket, ctx]);
  const clientErrors = validated.ok ? {} : validated.errors;
  const errors: FieldErrors = { ...(submitted ? clientErrors : {}), ...serverErrors };

  const liveInput: OpenTradeInput | null = validated.ok ? validated.input : null;
  const estimateInput = useDebouncedValue(liveInput, ESTIMATE_DEBOUNCE_MS, JSON.stringify(liveInput));
  const estimate = useQuery({
    ...trpc.trading.estimate.queryOptions(estimateInput ?? skipToken, { meta: { silent: true }, retry: false, staleTime: 5_000 }),
    placeholderData: keepPreviousData,
  });

  const update = (patch: Partial<TicketState>) => {
    setServerErrors({});
    onChange({ ...ticket, ...patch });
  };
  const setSizing = (sizing: SizingState) => {
    update({ sizing });
    onSizingChange(sizing);
  };

  const open = useMutation(
    trpc.trading.open.mutationOptions({
      onSuccess: (trade) => {
        showToast('success', 'ticket.opened', { side: t(`side.${trade.side}`), symbol: trade.symbol, amount: trade.amount });
        setSubmitted(false);
        onChange({ ...ticket, entryPrice: '', stopLoss: '', takeProfits: [], breakevenAfterTp1: false, sourceSignalId: null, sourceSignalLabel: null });
        for (const status of ['active', 'all'] as const) void queryClient.invalidateQueries({ queryKey: trpc.trading.trades.queryKey(tradeQueries.trades(accountId, status)) });
        void queryClient.invalidateQueries({ queryKey: trpc.trading.orders.queryKey({ accountId }) });
        void queryClient.invalidateQueries({ queryKey: trpc.trading.balances.queryKey({ accountId }) });
      },
      onError: (err) => {
        const zod = fieldErrors(err);
        setServerErrors(Object.keys(zod).length ? zod : parseServerFieldErrors(errorMessage(err), TICKET_FIELDS));
      },
    }),
  );

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    setServerErrors({});
    if (!validated.ok) return;
    open.mutate(validated.input);
  };

  const spot = marketType === 'spot';
  const maxLeverage = market?.maxLeverage ?? 125;
  const estimateError = estimate.error ? errorMessage(estimate.error) : null;
  const est: TradeEstimate | undefined = estimate.data;
  const estimateStale = !!liveInput && (estimate.isFetching || estimateInput !== liveInput);
  const sideLabel = t(`side.${ticket.side}`);

  return (
    <form className="form ticket" onSubmit={submit} noValidate data-testid="order-ticket" data-side={ticket.side}>
      <div className="side-toggle" role="group" aria-label={t('ticket.side')}>
        <button
          type="button"
          className={`btn side-btn side-long ${ticket.side === 'long' ? 'active' : ''}`}
          data-testid="ticket-side-long"
          aria-pressed={ticket.side === 'long'}
          onClick={() => update({ side: 'long' })}
        >
          ▲ {t('side.long')}
        </button>
        {spot ? (
          <span className="muted small side-note" data-testid="ticket-spot-long-only">
            {t('ticket.spotLongOnly')}
          </span>
        ) : (
          <button
            type="button"
            className={`btn side-btn side-short ${ticket.side === 'short' ? 'active' : ''}`}
            data-testid="ticket-side-short"
            aria-pressed={ticket.side === 'short'}
            onClick={() => update({ side: 'short' })}
          >
            ▼ {t('side.short')}
          </button>
        )}
      </div>
      <FieldError errors={errors} field="side" />

      {ticket.sourceSignalId && (
        <div className="signal-chip" data-testid="ticket-signal" data-signal-id={ticket.sourceSignalId}>
          <span>{t('ticket.fromSignal')}</span>
          <span className="strong" title={ticket.sourceSignalId}>
            {ticket.sourceSignalLabel ?? ticket.sourceSignalId}
          </span>
          <button type="button" className="btn btn-ghost btn-icon" aria-label={t('ticket.clearSignal')} onClick={() => update({ sourceSignalId: null, sourceSignalLabel: null })}>
            ×
          </button>
        </div>
      )}

      <div className="field">
        <span>{t('ticket.size')}</span>
        <div className="input-group">
          <select
            className="select"
            data-testid="ticket-sizing-mode"
            aria-label={t('ticket.sizingMode')}
            value={ticket.sizing.mode}
            onChange={(e) => setSizing({ ...ticket.sizing, mode: e.target.value as SizingState['mode'] })}
          >
            {SIZING_MODES.map((m) => (
              <option key={m} value={m}>
                {t(`ticket.sizing.${m}`)}
              </option>
            ))}
          </select>
          <div className="input-suffix grow">
            <input
              className={`input num ${errors['sizing.value'] ? 'invalid' : ''}`}
              inputMode="decimal"
              data-testid="ticket-sizing-value"
              aria-label={t('ticket.sizingValue')}
              value={ticket.sizing.value}
              onChange={(e) => setSizing({ ...ticket.sizing, value: e.target.value })}
            />
            <span>{sizingUnit(ticket.sizing.mode, market)}</span>
          </div>
        </div>
        <FieldError errors={errors} field="sizing.value" />
        <FieldError errors={errors} field="sizing.mode" />
      </div>

      <div className="form-row">
        <label className="field">
          <span>{t('ticket.leverage')}</span>
          <div className="input-suffix">
            <input
              className={`input num ${errors.leverage ? 'invalid' : ''}`}
              type="number"
              min={1}
              max={maxLeverage}
              step={1}
              data-testid="ticket-leverage"
              disabled={spot}
              title={spot ? t('ticket.leverageSpot') : t('ticket.leverageMax', { max: maxLeverage })}
              value={spot ? 1 : ticket.leverage}
              onChange={(e) => update({ leverage: Math.trunc(Number(e.target.value) || 0) })}
            />
            <span>×</span>
          </div>
          <FieldError errors={errors} field="leverage" />
        </label>
        <label className="field">
          <span>{t('ticket.entry')}</span>
          <select className="select" data-testid="ticket-entry-type" value={ticket.entryType} onChange={(e) => update({ entryType: e.target.value as TicketState['entryType'] })}>
            {ORDER_TYPES.map((o) => (
              <option key={o} value={o}>
                {t(`ticket.entry.${o}`)}
              </option>
            ))}
          </select>
        </label>
      </div>

      {ticket.entryType === 'limit' && (
        <label className="field">
          <span>{t('ticket.limitPrice')}</span>
          <input
            className={`input num ${errors.entryPrice ? 'invalid' : ''}`}
            inputMode="decimal"
            data-testid="ticket-entry-price"
            placeholder={market ? market.quote : ''}
            value={ticket.entryPrice}
            onChange={(e) => update({ entryPrice: e.target.value })}
          />
          <FieldError errors={errors} field="entryPrice" />
        </label>
      )}

      <label className="field">
        <span>{t('ticket.stopLoss')}</span>
        <input
          className={`input num ${errors.stopLoss ? 'invalid' : ''}`}
          inputMode="decimal"
          data-testid="ticket-stop-loss"
          placeholder={t('ticket.optional')}
          value={ticket.stopLoss}
          onChange={(e) => update({ stopLoss: e.target.value })}
        />
        <FieldError errors={errors} field="stopLoss" />
      </label>

      <div className="field">
        <span>{t('ticket.takeProfits')}</span>
        <TargetsEditor rows={ticket.takeProfits} onChange={(takeProfits) => update({ takeProfits })} prefix="ticket-tp" errors={errors} />
      </div>

      <label className="check">
        <input type="checkbox" data-testid="ticket-breakeven" checked={ticket.breakevenAfterTp1} onChange={(e) => update({ breakevenAfterTp1: e.target.checked })} />
        <span>{t('ticket.breakeven')}</span>
      </label>

      <div
        className={`estimate ${estimateStale ? 'stale' : ''}`}
        data-testid="ticket-estimate"
        data-state={!liveInput ? 'incomplete' : estimateStale ? 'loading' : estimateError ? 'error' : est ? 'ready' : 'loading'}
        data-amount={est?.amount ?? ''}
        data-notional={est?.notional ?? ''}
        data-fee={est?.fee ?? ''}
        data-margin={est?.margin ?? ''}
        data-liquidation={est?.liquidationPrice ?? ''}
        aria-live="polite"
      >
        {!liveInput ? (
          <span className="muted">{t('ticket.estimateIncomplete')}</span>
        ) : estimateError ? (
          <span className="field-error">{tx(estimateError)}</span>
        ) : !est ? (
          <span className="muted">{t('ticket.estimating')}</span>
        ) : (
          <>
            <dl className="kv">
              <dt>{t('ticket.estAmount')}</dt>
              <dd className="num">
                {est.amount} {market?.base ?? ''}
              </dd>
              <dt>{t('ticket.estPrice')}</dt>
              <dd className="num">{formatPrice(Number(est.price))}</dd>
              <dt>{t(spot ? 'ticket.estCost' : 'ticket.estNotional')}</dt>
              <dd className="num" title={est.notional}>
                {formatMoney(est.notional)} {market?.quote ?? ''}
              </dd>
              <dt>{t('ticket.estFee')}</dt>
              <dd className="num" title={est.fee}>
                {formatMoney(est.fee)}
              </dd>
              {!spot && (
                <>
                  <dt>{t('ticket.estMargin')}</dt>
                  <dd className="num" title={est.margin}>
                    {formatMoney(est.margin)}
                  </dd>
                  <dt>{t('ticket.estLiquidation')}</dt>
                  <dd className="num">{est.liquidationPrice ? formatPrice(Number(est.liquidationPrice)) : '—'}</dd>
                </>
              )}
            </dl>
            {est.warnings.length > 0 && (
              <ul className="warnings" data-testid="ticket-warnings">
                {est.warnings.map((w) => (
                  <li key={w}>⚠ {tx(w)}</li>
                ))}
              </ul>
            )}
          </>
        )}
      </div>

      {(errors.form || errors.symbol || errors.accountId) && (
        <div className="form-error" role="alert" data-testid="ticket-error">
          {tx(errors.form ?? errors.symbol ?? errors.accountId ?? '')}
        </div>
      )}
      <button type="submit" className={`btn btn-block submit-${ticket.side}`} data-testid="ticket-submit" disabled={open.isPending}>
        {open.isPending ? t('ticket.submitting') : t('ticket.submit', { side: sideLabel, symbol })}
      </button>
    </form>
  );
}
