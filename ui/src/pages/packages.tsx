// Stale packages across the fleet ("who still runs the old glibc?") and, for one package, the
// hosts and processes still running its old files.
import { useEffect, useState } from 'preact/hooks';
import { apiGet } from '../api.js';
import { Async, OnlineDot, Pager, StatusBadge, useAsync } from '../components/common.js';
import { count } from '../format.js';
import { navigate } from '../router.js';
import type { FleetPackage, PackageHost, Page } from '../types.js';

function versions(previous: string[], installed: string[]): string {
  return `${previous.join(', ') || '?'} → ${installed.join(', ') || '?'}`;
}

export function PackagesTable({ items }: { items: FleetPackage[] }) {
  if (items.length === 0) return <p class="muted">No stale package anywhere.</p>;
  return (
    <table class="table" data-testid="packages">
      <thead>
        <tr>
          <th scope="col">package</th>
          <th scope="col" class="num">
            hosts
          </th>
          <th scope="col" class="num">
            processes
          </th>
          <th scope="col">running → installed</th>
        </tr>
      </thead>
      <tbody>
        {items.map((p) => (
          <tr key={p.name}>
            <td>
              <a href={`/packages/${encodeURIComponent(p.name)}`}>{p.name}</a>
            </td>
            <td class="num">{count(p.hosts)}</td>
            <td class="num">{count(p.processes)}</td>
            <td class="mono">{versions(p.previousVersions, p.installedVersions)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function PackagesPage({ query }: { query: URLSearchParams }) {
  const search = query.get('search') ?? '';
  const page = Number(query.get('page') ?? 1) || 1;
  const [text, setText] = useState(search);
  useEffect(() => {
    const timer = setTimeout(() => {
      if (text !== search)
        navigate(`/packages?${new URLSearchParams(text ? { search: text } : {})}`, { replace: true });
    }, 250);
    return () => clearTimeout(timer);
  }, [text, search]);
  const state = useAsync(
    () => apiGet<Page<FleetPackage>>('/api/v1/fleet/packages', { search, page, pageSize: 50 }),
    [search, page],
  );
  return (
    <main>
      <h1>Stale packages</h1>
      <div class="filters">
        <label>
          Package
          <input
            type="search"
            value={text}
            placeholder="e.g. libc6"
            onInput={(e) => setText(e.currentTarget.value)}
          />
        </label>
      </div>
      <Async state={state} what="stale packages">
        {(p) => (
          <>
            <PackagesTable items={p.items} />
            <Pager
              page={p.page}
              pageSize={p.pageSize}
              total={p.total}
              onPage={(n) =>
                navigate(
                  `/packages?${new URLSearchParams({ ...(search ? { search } : {}), page: String(n) })}`,
                )
              }
            />
          </>
        )}
      </Async>
    </main>
  );
}

export function PackageHostsPage({ name }: { name: string }) {
  const [page, setPage] = useState(1);
  const state = useAsync(
    () =>
      apiGet<Page<PackageHost>>(`/api/v1/fleet/packages/${encodeURIComponent(name)}/hosts`, {
        page,
        pageSize: 100,
      }),
    [name, page],
  );
  return (
    <main>
      <p class="crumbs">
        <a href="/packages">Stale packages</a> /
      </p>
      <h1>
        Who still runs the old <span class="mono">{name}</span>?
      </h1>
      <Async state={state} what="hosts">
        {(p) => (
          <>
            <table class="table" data-testid="package-hosts">
              <thead>
                <tr>
                  <th scope="col">host</th>
                  <th scope="col">status</th>
                  <th scope="col" class="num">
                    processes
                  </th>
                  <th scope="col">running → installed</th>
                  <th scope="col">stale files</th>
                </tr>
              </thead>
              <tbody>
                {p.items.map((h) => (
                  <tr key={h.hostId}>
                    <td>
                      <OnlineDot online={h.online} /> <a href={`/hosts/${h.hostId}`}>{h.hostname}</a>
                    </td>
                    <td>
                      <StatusBadge status={h.status} />
                    </td>
                    <td class="num">{h.processCount}</td>
                    <td class="mono">
                      {h.previousVersion ?? '?'} → {h.installedVersion ?? '?'}
                    </td>
                    <td class="mono small">{h.files.join(' ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager page={p.page} pageSize={p.pageSize} total={p.total} onPage={setPage} />
          </>
        )}
      </Async>
    </main>
  );
}
