import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { skipToken, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { FILL_MODELS, TIMEFRAMES, symbolSchema, type BacktestRunView, type CandleTimeframe, type FillModel, type Timeframe } from '@osprey/shared';
import { useTRPC } from '../lib/trpc.js';
import { useI18n } from '../lib/i18n.js';
import { showToast } from '../lib/toast.js';
import { useDebouncedValue } from '../lib/hooks.js';
import { formatDateTimeShort, localTimeZone } from '../lib/time.js';
import { errorUnder, type FieldErrors } from '../lib/form.js';
import { FieldError } from '../components/FieldError.js';
import { BotConfigEditor, BotField } from './BotConfigEditor.js';
import { configFieldKeys, splitSymbols, type ConfigFormState } from './bot-form.js';
import { BACKTEST_FIELD_KEYS, defaultRange, detailOptions, msToZonedInput, validateBacktestForm, type BacktestFormState } from './backtest-form.js';
import { serverFieldErrors } from './server-errors.js';
import { useFeed } from '../market/feed.js';

/** The symbols a config editor state trades (as typed), valid ones only — for the coverage query. */
function typedSymbols(c: ConfigFormState): string[] {
  const list = c.type === 'grid' ? [c.grid.symbol] : c.type === 'spread' ? [c.spread.symbolA, c.spread.symbolB] : splitSymbols(c.signal.symbols);
  return [...new Set(list.map((s) => s.trim().toUpperCase()))].filter((s) => symbolSchema.safeParse(s).success);
}

/**
 * The backtest run form (`data-testid="bt-form"`): run name (`bt-name`), the shared bot config editor with
 * the market type chosen directly, then the settings — timeframe (`bt-timeframe`), starting USDT
 * (`bt-balance`), optional maker/taker fees (`bt-fee-maker`, `bt-fee-taker`), slippage (`bt-slippage`), the
 * fill model (`bt-fill-model`: path / conservative), detail candles (`bt-detail`: none or a stored timeframe
 * shorter than the stepped one; cleared when the timeframe no longer allows it) and
 * the range (`bt-from`, `bt-to`, in the user's time zone; defaulting to the 30 days of the config's stored
 * candles (shown in `bt-coverage`) that end at the market clock — the replay's `now` from the feed, read
 * when the form opens and again on "reset to default" — not at the end of the stored candles) — and Run
 * (`bt-run`). Validated with
 * `backtestStartInputSchema`; errors under their fields. Mount with a `key` to reset it to `initial`.
 */
export function BacktestForm({ initial, feedSymbols, onStarted }: { initial: BacktestFormState; feedSymbols: readonly string[]; onStarted: (run: BacktestRunView) => void }) {
  const { t, tx } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const timeZone = localTimeZone();
  const [form, setForm] = useState<BacktestFormState>(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [rangeTouched, setRangeTouched] = useState(!!(initial.from && initial.to));
  const feedNow = useFeed().feed?.now ?? null;
  // The market clock the default range ends at: taken once known, so the dates do not creep while typing.
  const [clock, setClock] = useState<number | null>(feedNow);
  useEffect(() => {
    if (clock === null && feedNow !== null) setClock(feedNow);
  }, [clock, feedNow]);

  const symbols = useMemo(() => typedSymbols(form.config), [form.config]);
  const symbolsKey = symbols.join(',');
  const debounced = useDebouncedValue(symbols, 400, symbolsKey);
  const coverage = useQuery(trpc.backtests.coverage.queryOptions(debounced.length ? { symbols: debounced } : skipToken, { meta: { silent: true }, staleTime: 60_000 }));
  const range = useMemo(() => (coverage.data && clock !== null ? defaultRange(coverage.data, form.timeframe, 30, clock) : null), [coverage.data, form.timeframe, clock]);

  // Until the user picks dates, the range follows the stored candles of the chosen symbols.
  useEffect(() => {
    if (rangeTouched || !range) return;
    setForm((f) => ({ ...f, from: msToZonedInput(range.from, timeZone), to: msToZonedInput(range.to, timeZone) }));
  }, [range, rangeTouched, timeZone]);

  const known = [...BACKTEST_FIELD_KEYS, ...configFieldKeys(form.config.type)];
  const start = useMutation(
    trpc.backtests.start.mutationOptions({
      meta: { silent: true },
      onSuccess: (run) => {
        showToast('info', 'bt.started', { name: run.name });
        queryClient.setQueryData(trpc.backtests.list.queryKey(), (old) => (old && !old.some((r) => r.id === run.id) ? [run, ...old] : old));
        void queryClient.invalidateQueries({ queryKey: trpc.backtests.list.queryKey() });
        onStarted(run);
      },
      onError: (err) => setErrors(serverFieldErrors(err, known)),
    }),
  );

  const set = <K extends keyof BacktestFormState>(key: K, value: BacktestFormState[K]) => setForm((f) => ({ ...f, [key]: value }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const r = validateBacktestForm(form, timeZone);
    if (!r.ok) {
      setErrors(r.errors);
      return;
    }
    setErrors({});
    start.mutate(r.input);
  };

  const text = (key: 'balance' | 'feeMaker' | 'feeTaker' | 'slippageBps', testId: string, errorKey: string, label: string, help: string, placeholder: string, suffix?: string) => (
    <BotField label={label} help={help} errors={errors} field={errorKey}>
      <div className="input-suffix">
        <input
          className={`input num ${errorUnder(errors, errorKey) ? 'invalid' : ''}`}
          data-testid={testId}
          inputMode="decimal"
          autoComplete="off"
          placeholder={placeholder}
          value={form[key]}
          onChange={(e) => set(key, e.target.value)}
        />
        {suffix && <span>{suffix}</span>}
      </div>
    </BotField>
  );

  const date = (key: 'from' | 'to', testId: string, label: string) => (
    <BotField label={label} errors={errors} field={key} nested={false}>
      <input
        type="datetime-local"
        className={`input ${errors[key] ? 'invalid' : ''}`}
        data-testid={testId}
        value={form[key]}
        onChange={(e) => {
          setRangeTouched(true);
          set(key, e.target.value);
        }}
      />
    </BotField>
  );

  return (
    <form className="form bt-form" onSubmit={submit} noValidate data-testid="bt-form">
      <label className="field">
        <span>{t('bt.runName')}</span>
        <input className={`input ${errors.name ? 'invalid' : ''}`} data-testid="bt-name" autoComplete="off" maxLength={80} placeholder={t('bt.runNamePlaceholder')} value={form.name} onChange={(e) => set('name', e.target.value)} />
        <FieldError errors={errors} field="name" />
      </label>

      <BotConfigEditor value={form.config} onChange={(config) => set('config', config)} errors={errors} feedSymbols={feedSymbols} marketTypeSource="select" />

      <fieldset className="fieldset" data-testid="bt-settings">
        <legend>{t('bt.settings')}</legend>
        <div className="bot-grid-fields">
          <BotField label={t('market.timeframe')} help={t('bt.h.timeframe')} errors={errors} field="settings.timeframe">
            <select
              className="select"
              data-testid="bt-timeframe"
              value={form.timeframe}
              onChange={(e) => {
                const tf = e.target.value as Timeframe;
                setForm((f) => ({ ...f, timeframe: tf, detail: f.detail && detailOptions(tf).includes(f.detail) ? f.detail : '' }));
              }}
            >
              {TIMEFRAMES.map((tf) => (
                <option key={tf} value={tf}>
                  {tf}
                </option>
              ))}
            </select>
          </BotField>
          {text('balance', 'bt-balance', 'settings.balances', t('bt.balance'), t('bt.h.balance'), '10000', 'USDT')}
          {text('feeMaker', 'bt-fee-maker', 'settings.fees.maker', t('bt.feeMaker'), t('bt.h.fees'), form.config.marketType === 'swap' ? '0.0002' : '0.001')}
          {text('feeTaker', 'bt-fee-taker', 'settings.fees.taker', t('bt.feeTaker'), t('bt.h.fees'), form.config.marketType === 'swap' ? '0.0005' : '0.001')}
          {text('slippageBps', 'bt-slippage', 'settings.slippageBps', t('bt.slippage'), t('bt.h.slippage'), '5', 'bps')}
          <BotField label={t('bt.fillModel')} help={t('bt.h.fillModel')} errors={errors} field="settings.fillModel">
            <select className="select" data-testid="bt-fill-model" value={form.fillModel} onChange={(e) => set('fillModel', e.target.value as FillModel)}>
              {FILL_MODELS.map((m) => (
                <option key={m} value={m}>
                  {t(`bt.fillModel.${m}`)}
                </option>
              ))}
            </select>
          </BotField>
          <BotField label={t('bt.detail')} help={t('bt.h.detail')} errors={errors} field="settings.detail">
            <select className="select" data-testid="bt-detail" value={form.detail} onChange={(e) => set('detail', e.target.value as CandleTimeframe | '')}>
              <option value="">{t('bt.detail.none')}</option>
              {detailOptions(form.timeframe).map((tf) => (
                <option key={tf} value={tf}>
                  {tf}
                </option>
              ))}
            </select>
          </BotField>
        </div>
        <div className="form-row">
          {date('from', 'bt-from', t('bt.from'))}
          {date('to', 'bt-to', t('bt.to'))}
        </div>
        <p className="hint" data-testid="bt-coverage" data-ready={range ? 'true' : 'false'}>
          {t('bt.timeZone', { zone: timeZone })}
          {coverage.data?.map((c) => (
            <span key={c.symbol} className="coverage-item">
              {' · '}
              {c.symbol}: {c.from !== null && c.to !== null ? `${formatDateTimeShort(c.from)} → ${formatDateTimeShort(c.to)} (${c.count})` : t('bt.noCandles')}
            </span>
          ))}
          {clock !== null && (
            <span className="coverage-item" data-testid="bt-range-clock" data-clock={clock}>
              {' · '}
              {t('bt.rangeClock', { time: formatDateTimeShort(clock, timeZone) })}
            </span>
          )}
          {rangeTouched && range && (
            <>
              {' · '}
              <button
                type="button"
                className="link-btn"
                data-testid="bt-range-reset"
                onClick={() => {
                  setRangeTouched(false);
                  // Re-read the market clock: the default range ends at the replay's time now.
                  const now = feedNow ?? clock;
                  const next = coverage.data && now !== null ? defaultRange(coverage.data, form.timeframe, 30, now) : range;
                  setClock(now);
                  if (next) setForm((f) => ({ ...f, from: msToZonedInput(next.from, timeZone), to: msToZonedInput(next.to, timeZone) }));
                }}
              >
                {t('bt.rangeDefault')}
              </button>
            </>
          )}
        </p>
      </fieldset>

      {errors.form && (
        <div className="form-error" role="alert" data-testid="bt-form-error">
          {tx(errors.form)}
        </div>
      )}
      <div className="form-actions">
        {/* While the default range is still loading (coverage or market clock, no dates yet), Run would only report empty dates. */}
        <button type="submit" className="btn btn-primary" data-testid="bt-run" disabled={start.isPending || (!form.from && !form.to && (coverage.isFetching || clock === null || symbolsKey !== debounced.join(',')))}>
          ▶ {start.isPending ? t('bt.starting') : t('bt.run')}
        </button>
      </div>
    </form>
  );
}
