import { useCallback, useEffect, useRef, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { BacktestProgress } from '@osprey/shared';
import { useTRPC } from '../lib/trpc.js';
import { useI18n } from '../lib/i18n.js';
import { errorMessage } from '../lib/errors.js';
import { showToast } from '../lib/toast.js';
import { Placeholder, Spinner } from '../components/Feedback.js';
import { BacktestForm } from '../bots/BacktestForm.js';
import { BacktestResult } from '../bots/BacktestResult.js';
import { BacktestCompare } from '../bots/BacktestCompare.js';
import { RunsTable } from '../bots/RunsTable.js';
import { configToForm, defaultConfigForm, symbolSuggestions } from '../bots/bot-form.js';
import { emptyBacktestForm, parseBacktestPrefill, type BacktestFormState } from '../bots/backtest-form.js';
import { MAX_COMPARE, isActiveRun, toggleCompare } from '../bots/metrics.js';
import { useBacktestProgress } from '../bots/hooks.js';

/** Fallback refresh of the runs list while a run is in progress (ms). */
const RUNS_REFETCH_MS = 5000;

/** The run form's initial state: from a "backtest this config" hash, else defaults on spot. */
function initialForm(feedSymbols: readonly string[]): { form: BacktestFormState; fromHash: boolean } {
  const prefill = parseBacktestPrefill(location.hash);
  if (prefill) return { form: emptyBacktestForm(configToForm(prefill.config, symbolSuggestions(feedSymbols, prefill.config.marketType)), prefill.name), fromHash: true };
  return { form: emptyBacktestForm(defaultConfigForm('spot', symbolSuggestions(feedSymbols, 'spot'))), fromHash: false };
}

/** Drops the hash query (the prefill) so a reload does not apply it again; `replaceState` fires no hashchange. */
function clearHashQuery() {
  if (location.hash.includes('?')) history.replaceState(null, '', `${location.pathname}${location.search}#/backtests`);
}

/** Brings the runs and the selected run's result (with the progress of a run just started) into view. */
function showResults(main: HTMLElement | null) {
  main?.scrollIntoView({ behavior: 'smooth', block: 'start' });
}

/**
 * Backtests, results first: the main column holds the history of runs with live progress
 * (`backtests.onProgress`), the comparison of the ticked runs (two up to {@link MAX_COMPARE}) and the
 * result of the selected run; the run form (a bot config + simulation settings) sits beside it in its own
 * scroll with Run always at hand (below the results on narrow screens). Pressing Run selects the new run
 * and brings the runs and its progress into view. A `#/backtests?config=…` hash (the bot form's
 * "Backtest this config") prefills the form.
 */
export function BacktestsPage() {
  const { t, tx } = useI18n();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const overview = useQuery(trpc.market.overview.queryOptions(undefined, { meta: { silent: true } }));
  const runs = useQuery(
    trpc.backtests.list.queryOptions(undefined, {
      refetchInterval: (q) => (q.state.data?.some(isActiveRun) ? RUNS_REFETCH_MS : false),
    }),
  );
  const [form, setForm] = useState<{ key: number; state: BacktestFormState } | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [compare, setCompare] = useState<string[]>([]);
  const [started, setStarted] = useState<string | null>(null);
  const mainRef = useRef<HTMLDivElement>(null);
  const feedReady = overview.isSuccess || overview.isError;
  const feedSymbols = overview.data?.symbols;

  const loadForm = useCallback(
    (symbols: readonly string[]) => {
      const init = initialForm(symbols);
      setForm((f) => ({ key: (f?.key ?? 0) + 1, state: init.form }));
      if (init.fromHash) {
        clearHashQuery();
        showToast('info', 'bt.prefilled');
        setTimeout(() => document.querySelector('[data-testid="bt-form"]')?.scrollIntoView({ behavior: 'smooth', block: 'start' }), 50);
      }
    },
    [],
  );

  // Build the form once the feed symbols are known, and again on every "backtest this config" hand-off.
  useEffect(() => {
    if (!feedReady) return;
    const symbols = feedSymbols ?? [];
    if (!form) loadForm(symbols);
    const onHash = () => {
      if (parseBacktestPrefill(location.hash)) loadForm(symbols);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [feedReady, feedSymbols, form, loadForm]);

  const onFinished = (p: BacktestProgress) => {
    const name = runs.data?.find((r) => r.id === p.id)?.name ?? '';
    if (p.status === 'failed') showToast('error', 'bt.failed', { name, message: p.error ?? '' });
    else showToast('success', 'bt.done', { name });
  };
  const progressStatus = useBacktestProgress(onFinished);

  const remove = useMutation(
    trpc.backtests.remove.mutationOptions({
      onSuccess: (_r, vars) => {
        setCompare((c) => c.filter((id) => id !== vars.id));
        if (selectedId === vars.id) setSelectedId(null);
        void queryClient.invalidateQueries({ queryKey: trpc.backtests.list.queryKey() });
      },
    }),
  );

  const list = runs.data ?? [];
  const selected = list.find((r) => r.id === selectedId) ?? null;
  const compared = compare.map((id) => list.find((r) => r.id === id)).filter((r) => r !== undefined);

  // Once the run just started is in the list (and its result panel rendered), show it where the trader looks.
  const startedShown = !!started && selected?.id === started;
  useEffect(() => {
    if (!startedShown) return;
    showResults(mainRef.current);
    setStarted(null);
  }, [startedShown]);

  const formPanel = (
    <section className="panel bt-form-panel" data-testid="bt-form-panel">
      <h2 className="panel-title">{t('bt.newRun')}</h2>
      {!form ? (
        <Placeholder>
          <Spinner label={t('app.loading')} />
        </Placeholder>
      ) : (
        <BacktestForm
          key={form.key}
          initial={form.state}
          feedSymbols={feedSymbols ?? []}
          onStarted={(run) => {
            setSelectedId(run.id);
            setStarted(run.id);
          }}
        />
      )}
    </section>
  );

  return (
    <div className="page backtests-page">
      <div className="bt-layout">
        <div className="bt-main" ref={mainRef} data-testid="bt-main">
          <section className="panel bt-runs-panel" data-testid="bt-runs-panel">
            <div className="panel-head">
              <h2 className="panel-title">
                {t('bt.history')} <span className="muted">{list.length}</span>
              </h2>
              <span className={`live-dot live-${progressStatus}`} data-testid="bt-stream-status" data-status={progressStatus}>
                {t(progressStatus === 'pending' ? 'market.live' : progressStatus === 'error' ? 'market.offline' : 'market.connecting')}
              </span>
            </div>
            <p className="hint bt-runs-hint">{t('bt.compareHint', { max: MAX_COMPARE })}</p>
            {runs.isPending ? (
              <Placeholder>
                <Spinner label={t('app.loading')} />
              </Placeholder>
            ) : runs.error ? (
              <Placeholder>{tx(errorMessage(runs.error))}</Placeholder>
            ) : (
              <RunsTable
                runs={list}
                selectedId={selectedId}
                compare={compare}
                onSelect={setSelectedId}
                onToggleCompare={(id) => setCompare((c) => toggleCompare(c, id))}
                onDelete={(id) => remove.mutate({ id })}
                deleting={remove.isPending}
              />
            )}
          </section>

          {compared.length >= 2 && <BacktestCompare key={compared.map((r) => r.id).join(',')} runs={compared} onClose={() => setCompare([])} />}
          {selected ? (
            <BacktestResult key={selected.id} run={selected} onEditConfig={(hash) => (location.hash = hash)} />
          ) : (
            list.length > 0 && <Placeholder testId="bt-result-none">{t('bt.pickRun')}</Placeholder>
          )}
        </div>
        <aside className="bt-side" data-testid="bt-side">
          {formPanel}
        </aside>
      </div>
    </div>
  );
}
