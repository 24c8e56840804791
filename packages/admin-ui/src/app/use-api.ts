// Loading data and running actions from components: each keeps its own loading, error and busy state, so
// every view says what is happening and what went wrong in the same way.

import { useCallback, useEffect, useState } from 'preact/hooks';
import { apiRequest, describeError } from './api.ts';

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  reload: () => Promise<void>;
}

/** GETs `path` now and whenever it changes; `reload` fetches it again (after a change). */
export function useApi<T>(path: string | null): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(path !== null);
  const load = useCallback(async () => {
    if (path === null) return;
    setLoading(true);
    try {
      setData(await apiRequest<T>('GET', path));
      setError(undefined);
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setLoading(false);
    }
  }, [path]);
  useEffect(() => {
    void load();
  }, [load]);
  return { data, error, loading, reload: load };
}

export interface Action {
  busy: boolean;
  error: string | undefined;
  /** Runs `work`; its failure is kept to show, not thrown. Resolves true when it succeeded. */
  run: (work: () => Promise<unknown>) => Promise<boolean>;
  clearError: () => void;
}

export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const run = useCallback(async (work: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
      return true;
    } catch (failure) {
      setError(describeError(failure));
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run, clearError: () => setError(undefined) };
}

/** Calls `reload` every `everyMs` while the page is visible (statuses change behind the page's back). */
export function usePolling(reload: () => Promise<void>, everyMs: number): void {
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void reload();
    }, everyMs);
    return () => clearInterval(timer);
  }, [reload, everyMs]);
}
