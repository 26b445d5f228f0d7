// Building blocks every page uses: a data-loading hook with loading and error states, the status
// badge, and the pager.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { count } from '../format.js';
import type { HostStatus } from '../types.js';

export interface AsyncState<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` when `deps` change; an answer to an older request never overwrites a newer one. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): AsyncState<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const generation = useRef(0);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const mine = ++generation.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => mine === generation.current && setState({ data, loading: false }),
      (error: Error) =>
        mine === generation.current && setState((s) => ({ data: s.data, error, loading: false })),
    );
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

export function ErrorBox({ error, retry }: { error: Error; retry?: () => void }) {
  return (
    <div class="error" role="alert">
      <span>{error.message}</span>
      {retry && (
        <button type="button" onClick={retry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" aria-live="polite">
      Loading {what}…
    </p>
  );
}

/** Shows loading, error or the content; keeps showing old data while a reload runs. */
export function Async<T>({
  state,
  what,
  children,
}: {
  state: AsyncState<T>;
  what: string;
  children: (data: T) => ComponentChildren;
}) {
  if (state.error && !state.data) return <ErrorBox error={state.error} retry={state.reload} />;
  if (state.data === undefined) return <Loading what={what} />;
  return (
    <div class={state.loading ? 'stale' : undefined} aria-busy={state.loading}>
      {state.error && <ErrorBox error={state.error} retry={state.reload} />}
      {children(state.data)}
    </div>
  );
}

const STATUS_TEXT: Record<HostStatus, string> = {
  ok: 'ok',
  restart: 'restart',
  reboot: 'reboot',
  unknown: 'not reported',
};
export function StatusBadge({ status }: { status: HostStatus }) {
  return <span class={`badge badge-${status}`}>{STATUS_TEXT[status]}</span>;
}

export function OnlineDot({ online }: { online: boolean }) {
  return (
    <span class={online ? 'dot dot-on' : 'dot dot-off'} title={online ? 'online' : 'offline'}>
      <span class="sr-only">{online ? 'online' : 'offline'}</span>
    </span>
  );
}

export function Pager({
  page,
  pageSize,
  total,
  onPage,
}: {
  page: number;
  pageSize: number;
  total: number;
  onPage: (page: number) => void;
}) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  return (
    <nav class="pager" aria-label="Pages">
      <span>
        {count(first)}–{count(Math.min(total, page * pageSize))} of {count(total)}
      </span>
      <button type="button" disabled={page <= 1} onClick={() => onPage(1)} aria-label="First page">
        «
      </button>
      <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)} aria-label="Previous page">
        ‹
      </button>
      <span>
        page {page} / {pages}
      </span>
      <button type="button" disabled={page >= pages} onClick={() => onPage(page + 1)} aria-label="Next page">
        ›
      </button>
      <button type="button" disabled={page >= pages} onClick={() => onPage(pages)} aria-label="Last page">
        »
      </button>
    </nav>
  );
}
