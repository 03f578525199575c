import { useCallback, useEffect, useRef, useState } from 'react';

/**
 * `useState` persisted as JSON in localStorage under `key`. Values failing `isValid` (or unreadable
 * storage) fall back to `initial`.
 */
export function usePersistentState<T>(key: string, initial: T, isValid: (v: unknown) => v is T): [T, (v: T) => void] {
  const [value, setValue] = useState<T>(() => {
    try {
      const raw = localStorage.getItem(key);
      if (raw !== null) {
        const parsed: unknown = JSON.parse(raw);
        if (isValid(parsed)) return parsed;
      }
    } catch {
      /* storage unavailable or corrupt */
    }
    return initial;
  });
  const set = useCallback(
    (v: T) => {
      setValue(v);
      try {
        localStorage.setItem(key, JSON.stringify(v));
      } catch {
        /* storage unavailable */
      }
    },
    [key],
  );
  return [value, set];
}

/**
 * `value`, but updated at most once per `ms` (trailing edge: the latest value always lands), except that
 * a change of `resetKey` passes through at once. Keeps expensive consumers (the 20 000-candle chart) from
 * re-rendering on every live tick. `value` should be memoised, since every new identity schedules an update.
 */
export function useThrottledValue<T>(value: T, ms: number, resetKey?: string): T {
  const [throttled, setThrottled] = useState(value);
  const lastRun = useRef(0);
  const lastKey = useRef(resetKey);
  useEffect(() => {
    const keyChanged = lastKey.current !== resetKey;
    lastKey.current = resetKey;
    const wait = lastRun.current + ms - performance.now();
    if (keyChanged || wait <= 0) {
      lastRun.current = performance.now();
      setThrottled(value);
      return;
    }
    const id = setTimeout(() => {
      lastRun.current = performance.now();
      setThrottled(value);
    }, wait);
    return () => clearTimeout(id);
  }, [value, ms, resetKey]);
  return throttled;
}

/** The current `location.hash` route (`#/users` → `users`), updating on `hashchange`. */
export function useHashRoute(fallback: string): [string, (route: string) => void] {
  const read = useCallback(() => location.hash.replace(/^#\/?/, '').split('?')[0] || fallback, [fallback]);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onChange = () => setRoute(read());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, [read]);
  const navigate = useCallback((next: string) => {
    location.hash = `#/${next}`;
  }, []);
  return [route, navigate];
}

/**
 * `value` once it has stopped changing for `ms` (trailing debounce), compared by `key` (e.g. a JSON of
 * the value) so that equal values with a new identity do not restart the wait.
 */
export function useDebouncedValue<T>(value: T, ms: number, key: string): T {
  const [state, setState] = useState<{ key: string; value: T }>({ key, value });
  const latest = useRef(value);
  latest.current = value;
  useEffect(() => {
    if (key === state.key) return;
    const id = setTimeout(() => setState({ key, value: latest.current }), ms);
    return () => clearTimeout(id);
  }, [key, ms, state.key]);
  return state.value;
}
