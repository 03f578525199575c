import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { useMutation } from '@tanstack/react-query';
import { EXPORT_MAX_ROWS, type ExportKind, type ExportResult } from '@osprey/shared';
import { useI18n } from '../lib/i18n.js';
import { showToast } from '../lib/toast.js';
import { localTimeZone } from '../lib/time.js';
import { useTRPCClient } from '../lib/trpc.js';
import './export-button.css';

/** What a table exports from: one of the caller's accounts, bots or backtest runs. */
export type ExportTarget = { accountId: string } | { botId: string } | { runId: string };

/** Which zone the export menu last used: the browser's or UTC (kept in localStorage). */
type ZoneChoice = 'local' | 'utc';
const ZONE_KEY = 'osprey.exportZone';

function savedZone(): ZoneChoice {
  try {
    return localStorage.getItem(ZONE_KEY) === 'utc' ? 'utc' : 'local';
  } catch {
    return 'local';
  }
}

/** The zone choice shared by every export menu on the page (changing it in one changes all), persisted. */
let zoneChoice: ZoneChoice | null = null;
const zoneListeners = new Set<() => void>();
const getZone = (): ZoneChoice => (zoneChoice ??= savedZone());
const subscribeZone = (l: () => void) => {
  zoneListeners.add(l);
  return () => void zoneListeners.delete(l);
};
function setZoneChoice(c: ZoneChoice): void {
  zoneChoice = c;
  try {
    localStorage.setItem(ZONE_KEY, c);
  } catch {
    /* storage unavailable */
  }
  for (const l of zoneListeners) l();
}

/**
 * Saves a server-built export as a file: a `text/csv` Blob behind a temporary object URL, clicked as a download
 * link named `result.filename`. Browser only.
 */
export function saveCsv(result: Pick<ExportResult, 'filename' | 'csv'>): void {
  const url = URL.createObjectURL(new Blob([result.csv], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = result.filename;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * The "Export CSV" menu of a table's panel (`data-testid={testId}`): the time zone (this browser's or UTC,
 * shared by every menu and remembered) and one button per table kind (`{testId}-{kind}`). The server builds the file (`exports.csv`);
 * it is saved with {@link saveCsv} and a toast says how many rows it holds, or that the row cap cut it off.
 * A failure shows the usual request-failed toast.
 */
export function ExportButton({ target, kinds, testId = 'export' }: { target: ExportTarget; kinds: readonly ExportKind[]; testId?: string }) {
  const { t } = useI18n();
  const client = useTRPCClient();
  const ref = useRef<HTMLDetailsElement>(null);
  const [open, setOpen] = useState(false);
  const zone = useSyncExternalStore(subscribeZone, getZone);
  const local = localTimeZone();
  const zones: { choice: ZoneChoice; label: string }[] = local === 'UTC' ? [{ choice: 'utc', label: 'UTC' }] : [{ choice: 'local', label: t('export.localZone', { zone: local }) }, { choice: 'utc', label: 'UTC' }];
  const timeZone = zone === 'utc' || local === 'UTC' ? 'UTC' : local;

  const run = useMutation({
    mutationFn: (what: ExportKind) => client.exports.csv.query({ what, ...target, timeZone }),
    onSuccess: (r) => {
      saveCsv(r);
      showToast('success', 'export.done', { file: r.filename, rows: r.rows });
      if (r.truncated) showToast('info', 'export.truncated', { max: r.maxRows });
    },
  });

  // Close on a click outside or Escape.
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  return (
    <details ref={ref} className="export-menu" data-testid={testId} open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary className="btn btn-sm" title={t('export.title')} data-testid={`${testId}-open`}>
        ⤓ {run.isPending ? t('export.working') : t('export.button')}
      </summary>
      <div className="export-pop">
        <fieldset>
          <legend>{t('export.timesIn')}</legend>
          {zones.map((z) => (
            <label key={z.choice}>
              <input type="radio" name={`${testId}-zone`} checked={timeZone === (z.choice === 'utc' ? 'UTC' : local)} onChange={() => setZoneChoice(z.choice)} data-testid={`${testId}-zone-${z.choice}`} />
              {z.label}
            </label>
          ))}
        </fieldset>
        <div className="export-kinds">
          {kinds.map((k) => (
            <button
              key={k}
              type="button"
              className="btn btn-sm btn-primary"
              disabled={run.isPending}
              data-testid={`${testId}-${k}`}
              onClick={() => {
                run.mutate(k);
                setOpen(false);
              }}
            >
              {t(`export.kind.${k}`)}
            </button>
          ))}
        </div>
        <span className="muted small">{t('export.hint', { max: EXPORT_MAX_ROWS.toLocaleString() })}</span>
      </div>
    </details>
  );
}
