import { useSyncExternalStore } from 'react';
import { useI18n, type MessageKey, type MessageParams } from './i18n.js';

/** Visual kind of a toast. */
export type ToastKind = 'info' | 'success' | 'error' | 'long' | 'short';

/** A queued toast: a translatable message id with parameters. */
export interface Toast {
  id: number;
  kind: ToastKind;
  key: MessageKey;
  params?: MessageParams;
}

const DISMISS_MS: Record<ToastKind, number> = { info: 4000, success: 4000, error: 8000, long: 8000, short: 8000 };
const MAX_TOASTS = 5;

let toasts: readonly Toast[] = [];
let nextId = 1;
const listeners = new Set<() => void>();

function emit(next: readonly Toast[]): void {
  toasts = next;
  for (const l of listeners) l();
}

/** Removes a toast by id (no-op when already gone). */
export function dismissToast(id: number): void {
  emit(toasts.filter((t) => t.id !== id));
}

/**
 * Shows a toast outside or inside React (query-cache callbacks use it). Toasts auto-dismiss after 4–8 s;
 * at most five are kept, oldest dropped first. Returns the toast id.
 */
export function showToast(kind: ToastKind, key: MessageKey, params?: MessageParams): number {
  const id = nextId++;
  emit([...toasts, { id, kind, key, params }].slice(-MAX_TOASTS));
  setTimeout(() => dismissToast(id), DISMISS_MS[kind]);
  return id;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Renders the toast stack (bottom-right). Mount once near the root. */
export function Toaster() {
  const list = useSyncExternalStore(subscribe, () => toasts);
  const { t } = useI18n();
  return (
    <div className="toasts" role="status" aria-live="polite">
      {list.map((toast) => (
        <div key={toast.id} className={`toast toast-${toast.kind}`} data-testid="toast" data-kind={toast.kind}>
          <span>{t(toast.key, toast.params)}</span>
          <button type="button" className="toast-close" aria-label={t('toast.dismiss')} onClick={() => dismissToast(toast.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
