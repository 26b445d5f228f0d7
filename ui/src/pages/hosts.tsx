// The host table: every filter, the sort and the page live in the URL (shareable, back button),
// and the server does the filtering, sorting and paging, so 10,000 hosts cost one page of rows.
import { useEffect, useState } from 'preact/hooks';
import { apiGet } from '../api.js';
import { Async, OnlineDot, Pager, StatusBadge, useAsync } from '../components/common.js';
import { ago, exact } from '../format.js';
import { navigate } from '../router.js';
import type { HostSummary, Page } from '../types.js';

const COLUMNS: Array<{ key: string; label: string; sort?: string; num?: boolean }> = [
  { key: 'hostname', label: 'host', sort: 'hostname' },
  { key: 'status', label: 'status', sort: 'status' },
  { key: 'staleProcesses', label: 'stale processes', sort: 'staleProcesses', num: true },
  { key: 'services', label: 'services', num: true },
  { key: 'containers', label: 'containers', num: true },
  { key: 'sessions', label: 'sessions', num: true },
  { key: 'staleSince', label: 'pending since', sort: 'staleSince' },
  { key: 'lastSeenAt', label: 'last seen', sort: 'lastSeenAt' },
  { key: 'labels', label: 'labels' },
];
const PAGE_SIZES = [50, 100, 200];

export function HostsPage({ query }: { query: URLSearchParams }) {
  const q = {
    search: query.get('search') ?? '',
    status: query.get('status') ?? '',
    online: query.get('online') ?? '',
    label: query.get('label') ?? '',
    sort: query.get('sort') ?? 'hostname',
    order: query.get('order') ?? 'asc',
    page: Number(query.get('page') ?? 1) || 1,
    pageSize: Number(query.get('pageSize') ?? 50) || 50,
  };
  const key = query.toString();
  const state = useAsync(() => apiGet<Page<HostSummary>>('/api/v1/hosts', q), [key]);

  function update(changes: Partial<typeof q>) {
    const next = { ...q, page: 1, ...changes };
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(next)) {
      const isDefault =
        (k === 'sort' && v === 'hostname') ||
        (k === 'order' && v === 'asc') ||
        (k === 'page' && v === 1) ||
        (k === 'pageSize' && v === 50);
      if (v !== '' && !isDefault) params.set(k, String(v));
    }
    navigate(`/hosts${params.size ? `?${params}` : ''}`, { replace: !('page' in changes) });
  }

  // The search box updates the URL after a pause in typing, not on every key.
  const [text, setText] = useState(q.search);
  useEffect(() => setText(q.search), [q.search]);
  useEffect(() => {
    if (text === q.search) return;
    const timer = setTimeout(() => update({ search: text }), 250);
    return () => clearTimeout(timer);
  });

  function sortBy(column: string) {
    update({ sort: column, order: q.sort === column && q.order === 'asc' ? 'desc' : 'asc' });
  }

  return (
    <main>
      <h1>Hosts</h1>
      <form class="filters" aria-label="Host filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Hostname
          <input
            type="search"
            name="search"
            value={text}
            placeholder="part of a hostname"
            onInput={(e) => setText(e.currentTarget.value)}
          />
        </label>
        <label>
          Status
          <select name="status" value={q.status} onChange={(e) => update({ status: e.currentTarget.value })}>
            <option value="">any</option>
            <option value="ok">ok</option>
            <option value="restart">restart</option>
            <option value="reboot">reboot</option>
            <option value="unknown">not reported</option>
          </select>
        </label>
        <label>
          Connection
          <select name="online" value={q.online} onChange={(e) => update({ online: e.currentTarget.value })}>
            <option value="">any</option>
            <option value="true">online</option>
            <option value="false">offline</option>
          </select>
        </label>
        <label>
          Label
          <input
            name="label"
            value={q.label}
            placeholder="key:value"
            pattern="[A-Za-z0-9_.\-/]{1,63}:.*"
            onChange={(e) => update({ label: e.currentTarget.value })}
          />
        </label>
        <label>
          Rows
          <select
            name="pageSize"
            value={String(q.pageSize)}
            onChange={(e) => update({ pageSize: Number(e.currentTarget.value) })}
          >
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
      </form>
      <Async state={state} what="hosts">
        {(page) => (
          <>
            <p class="muted" data-testid="hosts-total">
              {page.total.toLocaleString('en-US')} hosts
            </p>
            <div class="table-wrap">
              <table class="table hosts" data-testid="hosts">
                <thead>
                  <tr>
                    {COLUMNS.map((c) => {
                      const sorted = c.sort && q.sort === c.sort;
                      return (
                        <th
                          key={c.key}
                          scope="col"
                          class={c.num ? 'num' : undefined}
                          aria-sort={sorted ? (q.order === 'asc' ? 'ascending' : 'descending') : undefined}
                        >
                          {c.sort ? (
                            <button type="button" class="sort" onClick={() => sortBy(c.sort!)}>
                              {c.label}
                              <span aria-hidden="true">
                                {sorted ? (q.order === 'asc' ? ' ▲' : ' ▼') : ''}
                              </span>
                            </button>
                          ) : (
                            c.label
                          )}
                        </th>
                      );
                    })}
                  </tr>
                </thead>
                <tbody>
                  {page.items.length === 0 && (
                    <tr>
                      <td colSpan={COLUMNS.length} class="muted">
                        No host matches.
                      </td>
                    </tr>
                  )}
                  {page.items.map((h) => (
                    <tr key={h.id}>
                      <td>
                        <OnlineDot online={h.online} /> <a href={`/hosts/${h.id}`}>{h.hostname}</a>
                      </td>
                      <td>
                        <StatusBadge status={h.status} />
                      </td>
                      <td class="num">{h.staleProcesses}</td>
                      <td class="num">{h.servicesToRestart}</td>
                      <td class="num">{h.containersToRestart}</td>
                      <td class="num">{h.sessions}</td>
                      <td title={exact(h.staleSince)}>{ago(h.staleSince)}</td>
                      <td title={exact(h.lastSeenAt)}>{ago(h.lastSeenAt)}</td>
                      <td class="labels">
                        {Object.entries(h.labels).map(([k, v]) => (
                          <span key={k} class="tag">
                            {k}={v}
                          </span>
                        ))}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager
              page={page.page}
              pageSize={page.pageSize}
              total={page.total}
              onPage={(n) => update({ page: n })}
            />
          </>
        )}
      </Async>
    </main>
  );
}
