import { useMemo, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { PENDING_DIRECTIONS, type MarketType, type PendingDirection, type PendingOrderView, type PositionSide } from '@osprey/shared';
import { useTRPC } from '../lib/trpc.js';
import { useI18n } from '../lib/i18n.js';
import { errorMessage, fieldErrors, humanizeFieldPaths } from '../lib/errors.js';
import { parseServerFieldErrors, type FieldErrors } from '../lib/form.js';
import { showToast } from '../lib/toast.js';
import { formatPrice } from '../lib/format.js';
import { formatDuration, formatMonthDayTime, formatDateTimeShort } from '../lib/time.js';
import { FieldError } from '../components/FieldError.js';
import { Placeholder } from '../components/Feedback.js';
import { TargetsEditor } from './TargetsEditor.js';
import { newestFirst } from './trades.js';
import { PENDING_EXPIRIES, SIZING_MODES, effectiveDirection, fractionToPercent, validatePending, type PendingFormState, type SizingState } from './ticket.js';
import type { MarketRow } from './types.js';

const PENDING_FIELDS = new Set(['side', 'sizing', 'triggerPrice', 'direction', 'leverage', 'stopLoss', 'takeProfits', 'expiresInMs', 'symbol', 'sourceSignalId']);

/** How often the form refreshes the current price it defaults the direction from (ms). */
const PRICE_REFRESH_MS = 10_000;

/** `0.5 %` / `100 USDT` / `0.01 BTC` for a pending row's sizing (the estimated base amount when it has none). */
function describeSizing(p: PendingOrderView, market: MarketRow | null): string {
  if (p.sizing) {
    const unit = p.sizing.mode === 'risk' ? '%' : p.sizing.mode === 'base' ? (market?.base ?? '') : (market?.quote ?? '');
    return `${p.sizing.value} ${unit}`.trim();
  }
  return `${p.amount} ${market?.base ?? ''}`.trim();
}

/**
 * Pending (price-triggered) orders: a create form (trigger price, direction "crosses above / below" — prefilled
 * from the current price (`trading.ticker`) until the trader picks one, then the trader's choice is sent — side
 * (long only on spot), sizing, leverage on swap, stop-loss, targets, expiry; `pending-create` submits
 * `trading.pendingCreate`, server refusals show under their field or in `pending-error`) and the list, newest
 * first (`pending-row` with `data-status`; a FAILED row shows why in `pending-row-error`; `pending-cancel` on
 * PENDING rows). The form state is owned by the page so a signal's "pending at trigger" can prefill it.
 */
export function PendingPanel({
  accountId,
  marketType,
  symbol,
  market,
  form,
  onChange,
  rows,
  now,
}: {
  accountId: string;
  marketType: MarketType;
  symbol: string;
  market: MarketRow | null;
  form: PendingFormState;
  onChange: (next: PendingFormState) => void;
  rows: readonly PendingOrderView[];
  /** Feed/wall time (Unix ms) for "expires in". */
  now: number;
}) {
  const { t, tx } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const ctx = useMemo(() => ({ accountId, symbol, marketType }), [accountId, symbol, marketType]);
  const ticker = useQuery(trpc.trading.ticker.queryOptions({ accountId, symbol }, { refetchInterval: PRICE_REFRESH_MS, meta: { silent: true }, retry: false }));
  const current = ticker.data?.last ?? null;
  const direction = effectiveDirection(form, current);
  const validated = useMemo(() => validatePending(form, ctx, current), [form, ctx, current]);
  const sorted = useMemo(() => newestFirst(rows, (p) => p.createdAt), [rows]);
  const errors: FieldErrors = { ...(submitted && !validated.ok ? validated.errors : {}), ...serverErrors };

  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.trading.pendingList.queryKey({ accountId }) });
  const create = useMutation(
    trpc.trading.pendingCreate.mutationOptions({
      onSuccess: () => {
        showToast('success', 'pending.created', { symbol });
        setSubmitted(false);
        onChange({ ...form, triggerPrice: '', direction: null, stopLoss: '', takeProfits: [], sourceSignalId: null, sourceSignalLabel: null });
        refresh();
      },
      onError: (err) => {
        const zod = fieldErrors(err);
        setServerErrors(Object.keys(zod).length ? zod : parseServerFieldErrors(errorMessage(err), PENDING_FIELDS));
      },
    }),
  );
  const cancel = useMutation(
    trpc.trading.pendingCancel.mutationOptions({
      onSuccess: () => {
        showToast('success', 'pending.cancelled', {});
        refresh();
      },
    }),
  );

  const update = (patch: Partial<PendingFormState>) => {
    setServerErrors({});
    onChange({ ...form, ...patch });
  };
  const setSizing = (sizing: SizingState) => update({ sizing });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    setServerErrors({});
    if (validated.ok) create.mutate(validated.input);
  };
  const spot = marketType === 'spot';

  return (
    <div className="pending-panel">
      <form className="form pending-form" onSubmit={submit} noValidate data-testid="pending-form">
        <div className="form-row">
          <label className="field">
            <span>{t('pending.trigger')}</span>
            <input
              className={`input num ${errors.triggerPrice ? 'invalid' : ''}`}
              inputMode="decimal"
              data-testid="pending-trigger"
              placeholder={market?.quote ?? ''}
              value={form.triggerPrice}
              onChange={(e) => update({ triggerPrice: e.target.value })}
            />
            <FieldError errors={errors} field="triggerPrice" />
          </label>
          <label className="field">
            <span>{t('pending.direction')}</span>
            <select
              className={`select ${errors.direction ? 'invalid' : ''}`}
              data-testid="pending-direction"
              data-chosen={form.direction ? 'true' : 'false'}
              value={direction ?? ''}
              onChange={(e) => update({ direction: (e.target.value || null) as PendingDirection | null })}
            >
              {!direction && <option value="">{t('pending.direction.choose')}</option>}
              {PENDING_DIRECTIONS.map((d) => (
                <option key={d} value={d}>
                  {t(`pending.direction.${d}`)}
                </option>
              ))}
            </select>
            {current && (
              <span className="muted small" data-testid="pending-current-price" data-price={current}>
                {t('pending.currentPrice', { price: formatPrice(Number(current)) })}
              </span>
            )}
            <FieldError errors={errors} field="direction" />
          </label>
        </div>
        <label className="field">
          <span>{t('ticket.side')}</span>
          <select
            className={`select ${errors.side ? 'invalid' : ''}`}
            data-testid="pending-side"
            value={form.side}
            disabled={spot && form.side === 'long'}
            title={spot ? t('ticket.spotLongOnly') : undefined}
            onChange={(e) => update({ side: e.target.value as PositionSide })}
          >
            <option value="long">{t('side.long')}</option>
            {!spot && <option value="short">{t('side.short')}</option>}
          </select>
          <FieldError errors={errors} field="side" />
        </label>
        <div className="field">
          <span>{t('ticket.size')}</span>
          <div className="input-group">
            <select
              className="select"
              data-testid="pending-sizing-mode"
              aria-label={t('ticket.sizingMode')}
              value={form.sizing.mode}
              onChange={(e) => setSizing({ ...form.sizing, mode: e.target.value as SizingState['mode'] })}
            >
              {SIZING_MODES.map((m) => (
                <option key={m} value={m}>
                  {t(`ticket.sizing.${m}`)}
                </option>
              ))}
            </select>
            <input
              className={`input num grow ${errors['sizing.value'] ? 'invalid' : ''}`}
              inputMode="decimal"
              data-testid="pending-sizing-value"
              aria-label={t('ticket.sizingValue')}
              value={form.sizing.value}
              onChange={(e) => setSizing({ ...form.sizing, value: e.target.value })}
            />
          </div>
          <FieldError errors={errors} field="sizing.value" />
        </div>
        <div className="form-row">
          <label className="field">
            <span>{t('ticket.leverage')}</span>
            <input
              className={`input num ${errors.leverage ? 'invalid' : ''}`}
              type="number"
              min={1}
              max={market?.maxLeverage ?? 125}
              data-testid="pending-leverage"
              disabled={spot}
              value={spot ? 1 : form.leverage}
              onChange={(e) => update({ leverage: Math.trunc(Number(e.target.value) || 0) })}
            />
            <FieldError errors={errors} field="leverage" />
          </label>
          <label className="field">
            <span>{t('pending.expiry')}</span>
            <select className="select" data-testid="pending-expiry" value={form.expiresInMs} onChange={(e) => update({ expiresInMs: Number(e.target.value) })}>
              {PENDING_EXPIRIES.map((ms) => (
                <option key={ms} value={ms}>
                  {formatDuration(ms)}
                </option>
              ))}
            </select>
          </label>
        </div>
        <label className="field">
          <span>{t('ticket.stopLoss')}</span>
          <input
            className={`input num ${errors.stopLoss ? 'invalid' : ''}`}
            inputMode="decimal"
            data-testid="pending-stop-loss"
            placeholder={t('ticket.optional')}
            value={form.stopLoss}
            onChange={(e) => update({ stopLoss: e.target.value })}
          />
          <FieldError errors={errors} field="stopLoss" />
        </label>
        <div className="field">
          <span>{t('ticket.takeProfits')}</span>
          <TargetsEditor rows={form.takeProfits} onChange={(takeProfits) => update({ takeProfits })} prefix="pending-tp" errors={errors} />
        </div>
        {form.sourceSignalId && (
          <div className="signal-chip" data-testid="pending-signal" data-signal-id={form.sourceSignalId}>
            <span>{t('ticket.fromSignal')}</span>
            <span className="strong" title={form.sourceSignalId}>
            {form.sourceSignalLabel ?? form.sourceSignalId}
          </span>
            <button type="button" className="btn btn-ghost btn-icon" aria-label={t('ticket.clearSignal')} onClick={() => update({ sourceSignalId: null, sourceSignalLabel: null })}>
              ×
            </button>
          </div>
        )}
        {(errors.form || errors.symbol) && (
          <div className="form-error" role="alert" data-testid="pending-error">
            {tx(errors.form ?? errors.symbol ?? '')}
          </div>
        )}
        <button type="submit" className="btn btn-primary" data-testid="pending-create" disabled={create.isPending}>
          {create.isPending ? t('pending.creating') : t('pending.create', { symbol })}
        </button>
      </form>

      {sorted.length === 0 ? (
        <Placeholder testId="pending-empty">{t('pending.none')}</Placeholder>
      ) : (
        <div className="table-scroll">
          <table className="table table-compact" data-testid="pending-table">
            <thead>
              <tr>
                <th>{t('orders.time')}</th>
                <th>{t('trades.symbol')}</th>
                <th>{t('trades.side')}</th>
                <th className="num">{t('pending.trigger')}</th>
                <th className="num">{t('ticket.size')}</th>
                <th className="num">{t('trades.stopLoss')}</th>
                <th>{t('pending.expires')}</th>
                <th>{t('orders.status')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {sorted.map((p) => (
                <tr
                  key={p.id}
                  data-testid="pending-row"
                  data-pending-id={p.id}
                  data-status={p.status}
                  data-side={p.side}
                  data-trigger={p.triggerPrice}
                  data-trade-id={p.tradeId ?? ''}
                >
                  <td className="num nowrap" title={formatDateTimeShort(p.createdAt)}>
                    {formatMonthDayTime(p.createdAt)}
                  </td>
                  <td className="nowrap">{p.symbol}</td>
                  <td>
                    <span className={`dir dir-${p.side}`}>
                      {p.side === 'long' ? '▲' : '▼'} {t(`side.${p.side}`)}
                    </span>
                  </td>
                  <td className="num">
                    {p.direction === 'above' ? '≥ ' : p.direction === 'below' ? '≤ ' : ''}
                    {formatPrice(Number(p.triggerPrice))}
                  </td>
                  <td className="num">{describeSizing(p, market)}</td>
                  <td className="num" title={p.takeProfits.map((tp) => `${tp.price} (${fractionToPercent(tp.share)}%)`).join(', ')}>
                    {p.stopLoss ? formatPrice(Number(p.stopLoss)) : '—'}
                  </td>
                  <td className="num nowrap" title={formatDateTimeShort(p.expiresAt)}>
                    {p.status === 'PENDING' ? (p.expiresAt > now ? t('pending.in', { d: formatDuration(p.expiresAt - now) }) : formatMonthDayTime(p.expiresAt)) : formatMonthDayTime(p.expiresAt)}
                  </td>
                  <td className="pending-status">
                    <span className={`badge badge-pending-${p.status.toLowerCase()}`}>{t(`pending.status.${p.status}`)}</span>
                    {p.error && (
                      <div className="pending-reason field-error" data-testid="pending-row-error">
                        {t('pending.noTrade', { reason: humanizeFieldPaths(tx(p.error)) })}
                      </div>
                    )}
                  </td>
                  <td className="actions">
                    {p.status === 'PENDING' && (
                      <button
                        type="button"
                        className="btn btn-sm"
                        data-testid="pending-cancel"
                        disabled={cancel.isPending && cancel.variables?.id === p.id}
                        onClick={() => cancel.mutate({ id: p.id })}
                      >
                        {t('orders.cancel')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
