// One host: what to restart and why (grouped as the agent decided: services, user services and
// managers, PID 1, containers, sessions, processes to restart by hand), each process with its
// stale files and their packages, the reboot reasons, and the history of its findings.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError, apiGet, apiPost } from '../api.js';
import { Async, OnlineDot, StatusBadge, useAsync } from '../components/common.js';
import { ago, exact } from '../format.js';
import { hasRole } from '../session.js';
import type { CursorPage, HistoryRow, HostDetail, ScanReport, StaleProcess } from '../types.js';

function Pids({ pids }: { pids: number[] }) {
  return <span class="mono">{pids.join(', ')}</span>;
}
function Packages({ names }: { names: string[] }) {
  return names.length ? (
    names.map((n) => (
      <a key={n} class="tag" href={`/packages/${encodeURIComponent(n)}`}>
        {n}
      </a>
    ))
  ) : (
    <span class="muted">—</span>
  );
}

function ActionTable({ title, head, rows }: { title: string; head: string[]; rows: ComponentChildren[][] }) {
  if (rows.length === 0) return null;
  return (
    <section aria-label={title} class="action-group">
      <h3>
        {title} <span class="count">{rows.length}</span>
      </h3>
      <table class="table compact">
        <thead>
          <tr>
            {head.map((h) => (
              <th key={h} scope="col">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((cells, i) => (
            <tr key={i}>
              {cells.map((c, j) => (
                <td key={j}>{c}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Actions({ report }: { report: ScanReport }) {
  const a = report.actions;
  const nothing =
    !a.pid1Reexec &&
    [a.services, a.userServices, a.userManagers, a.containers, a.sessions, a.processes].every(
      (l) => l.length === 0,
    );
  if (nothing) return <p class="muted">Nothing to restart.</p>;
  return (
    <div data-testid="actions">
      {a.pid1Reexec && (
        <p class="callout">
          PID 1 runs stale code: <code>systemctl daemon-reexec</code>
        </p>
      )}
      <ActionTable
        title="Services"
        head={['unit', 'processes', 'packages', '']}
        rows={a.services.map((s) => [
          <span class="mono">{s.unit}</span>,
          <Pids pids={s.pids} />,
          <Packages names={s.packages} />,
          s.denied ? <span class="tag warn">never restarted automatically</span> : '',
        ])}
      />
      <ActionTable
        title="User services"
        head={['unit', 'uid', 'processes', 'packages']}
        rows={a.userServices.map((s) => [
          <span class="mono">{s.unit}</span>,
          s.uid,
          <Pids pids={s.pids} />,
          <Packages names={s.packages} />,
        ])}
      />
      <ActionTable
        title="User managers to re-execute"
        head={['uid', 'processes', 'packages']}
        rows={a.userManagers.map((m) => [m.uid, <Pids pids={m.pids} />, <Packages names={m.packages} />])}
      />
      <ActionTable
        title="Containers"
        head={['runtime', 'container', 'pod', 'processes', 'packages']}
        rows={a.containers.map((c) => [
          c.runtime,
          <span class="mono" title={c.id}>
            {c.id.slice(0, 12)}
          </span>,
          c.podUid ?? '—',
          <Pids pids={c.pids} />,
          <Packages names={c.packages} />,
        ])}
      />
      <ActionTable
        title="Sessions (the user must log out)"
        head={['session', 'uid', 'processes', 'packages']}
        rows={a.sessions.map((s) => [
          s.session,
          s.uid ?? '—',
          <Pids pids={s.pids} />,
          <Packages names={s.packages} />,
        ])}
      />
      <ActionTable
        title="Processes to restart by hand"
        head={['pid', 'name', 'scope', 'packages']}
        rows={a.processes.map((p) => [
          p.pid,
          <span class="mono">{p.comm}</span>,
          p.unit ?? '—',
          <Packages names={p.packages} />,
        ])}
      />
    </div>
  );
}

function owner(p: StaleProcess): string {
  const a = p.attribution;
  switch (a.kind) {
    case 'container':
      return `container ${a.runtime ?? ''} ${(a.containerId ?? '').slice(0, 12)}`;
    case 'session':
      return `session ${a.session ?? '?'}`;
    default:
      return a.unit ? `${a.kind} ${a.unit}` : a.kind;
  }
}

function Processes({ report }: { report: ScanReport }) {
  if (report.processes.length === 0) return null;
  return (
    <section aria-labelledby="processes-title">
      <h2 id="processes-title">Processes and their stale files</h2>
      <table class="table compact" data-testid="processes">
        <thead>
          <tr>
            <th scope="col">pid</th>
            <th scope="col">process</th>
            <th scope="col">owner</th>
            <th scope="col">stale file</th>
            <th scope="col">why</th>
            <th scope="col">package: running → installed</th>
          </tr>
        </thead>
        <tbody>
          {report.processes.flatMap((p) =>
            p.files.map((f, i) => (
              <tr key={`${p.pid}:${f.path}`} class={i === 0 ? 'group-start' : undefined}>
                <td class="mono">{i === 0 ? p.pid : ''}</td>
                <td class="mono" title={i === 0 ? p.cmdline.join(' ') : undefined}>
                  {i === 0 ? p.comm : ''}
                </td>
                <td>{i === 0 ? owner(p) : ''}</td>
                <td class="mono small">{f.path}</td>
                <td title={f.detail}>
                  {f.kind}, {f.reason}
                </td>
                <td class="mono small">
                  {f.package
                    ? `${f.package.name}: ${f.package.previousVersion ?? '?'} → ${f.package.installedVersion ?? '?'}`
                    : '—'}
                </td>
              </tr>
            )),
          )}
        </tbody>
      </table>
    </section>
  );
}

function History({ hostId }: { hostId: string }) {
  const [rows, setRows] = useState<HistoryRow[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const first = useAsync(async () => {
    const page = await apiGet<CursorPage<HistoryRow>>(`/api/v1/hosts/${hostId}/history`, {
      limit: 20,
    });
    setRows(page.items);
    setCursor(page.nextCursor);
    return page;
  }, [hostId]);
  async function more() {
    if (!cursor) return;
    const page = await apiGet<CursorPage<HistoryRow>>(`/api/v1/hosts/${hostId}/history`, {
      limit: 20,
      before: cursor,
    });
    setRows((r) => [...r, ...page.items]);
    setCursor(page.nextCursor);
  }
  return (
    <Async state={first} what="history">
      {() =>
        rows.length === 0 ? (
          <p class="muted">No report yet.</p>
        ) : (
          <>
            <table class="table compact" data-testid="history">
              <thead>
                <tr>
                  <th scope="col">when</th>
                  <th scope="col">status</th>
                  <th scope="col" class="num">
                    stale processes
                  </th>
                  <th scope="col" class="num">
                    services
                  </th>
                  <th scope="col" class="num">
                    containers
                  </th>
                  <th scope="col" class="num">
                    packages
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.id}>
                    <td title={exact(r.at)}>{ago(r.at)}</td>
                    <td>
                      <StatusBadge status={r.status} />
                    </td>
                    <td class="num">{r.summary.staleProcesses ?? '—'}</td>
                    <td class="num">{r.summary.servicesToRestart ?? '—'}</td>
                    <td class="num">{r.summary.containersToRestart ?? '—'}</td>
                    <td class="num">{r.summary.stalePackages ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {cursor && (
              <button type="button" onClick={more}>
                Older changes
              </button>
            )}
          </>
        )
      }
    </Async>
  );
}

function RescanButton({ hostId, online }: { hostId: string; online: boolean }) {
  const [state, setState] = useState<{ busy?: boolean; message?: string; error?: string }>({});
  async function rescan() {
    setState({ busy: true });
    try {
      await apiPost(`/api/v1/hosts/${hostId}/scan`);
      setState({ message: 'Scan requested; the new report appears when the agent has sent it.' });
    } catch (e) {
      setState({
        error:
          e instanceof ApiError && e.status === 404
            ? 'The host’s agent is not connected.'
            : (e as Error).message,
      });
    }
  }
  return (
    <span class="rescan">
      <button
        type="button"
        class="primary"
        disabled={state.busy || !online}
        onClick={rescan}
        title={online ? '' : 'offline'}
      >
        Rescan now
      </button>
      <span role="status">
        {state.message}
        {state.error && <span class="error-text">{state.error}</span>}
      </span>
    </span>
  );
}

export function HostDetailPage({ id }: { id: string }) {
  const host = useAsync(() => apiGet<HostDetail>(`/api/v1/hosts/${id}`), [id]);
  return (
    <main>
      <p class="crumbs">
        <a href="/hosts">Hosts</a> /
      </p>
      <Async state={host} what="the host">
        {(h) => {
          const report = h.report;
          return (
            <>
              <div class="section-head">
                <h1>
                  <OnlineDot online={h.online} /> {h.hostname} <StatusBadge status={h.status} />
                </h1>
                <span>
                  <button type="button" onClick={host.reload}>
                    Refresh
                  </button>{' '}
                  {hasRole('operator') && <RescanButton hostId={h.id} online={h.online} />}
                </span>
              </div>
              <dl class="facts">
                <dt>last seen</dt>
                <dd title={exact(h.lastSeenAt)}>{h.online ? 'online now' : ago(h.lastSeenAt)}</dd>
                <dt>last report</dt>
                <dd title={exact(h.reportedAt)}>{ago(h.reportedAt)}</dd>
                <dt>pending since</dt>
                <dd title={exact(h.staleSince)}>{ago(h.staleSince)}</dd>
                <dt>kernel</dt>
                <dd class="mono">{h.kernelRelease ?? '—'}</dd>
                <dt>OS</dt>
                <dd>{report?.host.os ?? '—'}</dd>
                <dt>agent</dt>
                <dd>{h.agentVersion ?? '—'}</dd>
                <dt>labels</dt>
                <dd>
                  {Object.entries(h.labels).map(([k, v]) => (
                    <span key={k} class="tag">
                      {k}={v}
                    </span>
                  ))}
                </dd>
              </dl>
              {!report ? (
                <p class="muted">This host has not reported yet.</p>
              ) : (
                <>
                  {report.reboot.required && (
                    <section aria-labelledby="reboot-title" class="callout reboot">
                      <h2 id="reboot-title">Reboot needed</h2>
                      <ul data-testid="reboot-reasons">
                        {report.reboot.reasons.map((r) => (
                          <li key={r.code + r.message}>
                            {r.message} {r.packages && <Packages names={r.packages} />}
                          </li>
                        ))}
                      </ul>
                    </section>
                  )}
                  <section aria-labelledby="actions-title">
                    <h2 id="actions-title">What to restart</h2>
                    <Actions report={report} />
                  </section>
                  <Processes report={report} />
                  {report.packages.length > 0 && (
                    <section aria-labelledby="pkg-title">
                      <h2 id="pkg-title">Updated packages still running old code</h2>
                      <table class="table compact" data-testid="host-packages">
                        <thead>
                          <tr>
                            <th scope="col">package</th>
                            <th scope="col">running → installed</th>
                            <th scope="col">processes</th>
                            <th scope="col">files</th>
                          </tr>
                        </thead>
                        <tbody>
                          {report.packages.map((p) => (
                            <tr key={p.name}>
                              <td>
                                <a href={`/packages/${encodeURIComponent(p.name)}`}>{p.name}</a>
                              </td>
                              <td class="mono">
                                {p.previousVersion ?? '?'} → {p.installedVersion ?? '?'}
                              </td>
                              <td class="mono">{p.pids.join(', ')}</td>
                              <td class="mono small">{p.files.join(' ')}</td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    </section>
                  )}
                  {report.warnings.length > 0 && (
                    <details>
                      <summary>{report.warnings.length} scan warnings</summary>
                      <ul>
                        {report.warnings.map((w) => (
                          <li key={w}>{w}</li>
                        ))}
                      </ul>
                    </details>
                  )}
                </>
              )}
              <section aria-labelledby="history-title">
                <div class="section-head">
                  <h2 id="history-title">History</h2>
                  {hasRole('admin') && <a href={`/audit?targetId=${h.id}`}>audit entries for this host →</a>}
                </div>
                <History hostId={h.id} />
              </section>
            </>
          );
        }}
      </Async>
    </main>
  );
}
