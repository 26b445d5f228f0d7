// The audit log (admins): filter by actor, host, action and time; page back with a cursor;
// export the whole filtered log as CSV or JSON (the server writes the file).
import { useEffect, useState } from 'preact/hooks';
import { apiDownload, apiGet, type Query } from '../api.js';
import { Async, useAsync } from '../components/common.js';
import { exact } from '../format.js';
import { navigate } from '../router.js';
import type { AuditEvent, CursorPage, HostSummary, Page } from '../types.js';

const ACTIONS = [
  'auth.',
  'auth.login.success',
  'auth.login.failure',
  'user.',
  'api-token.',
  'enrollment-token.',
  'agent.',
  'agent.enroll',
  'host.',
  'host.scan-request',
  'host.labels.update',
  'host.credential.revoke',
  'group.',
  'rollout.',
  'rollout.step.',
];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// datetime-local inputs are in the browser's time zone; the API takes ISO instants.
function toIso(local: string): string | undefined {
  return local ? new Date(local).toISOString() : undefined;
}

/** A host filter typed as a hostname becomes the host's id (exact hostname match). */
async function resolveHost(text: string): Promise<string | undefined> {
  if (!text) return undefined;
  if (UUID.test(text)) return text;
  const page = await apiGet<Page<HostSummary>>('/api/v1/hosts', {
    search: text,
    pageSize: 200,
    includeRevoked: true,
  });
  const host = page.items.find((h) => h.hostname === text);
  if (!host) throw new Error(`no host is named ${text}`);
  return host.id;
}

export function AuditPage({ query }: { query: URLSearchParams }) {
  const filters = {
    actorId: query.get('actorId') ?? '',
    actorType: query.get('actorType') ?? '',
    action: query.get('action') ?? '',
    host: query.get('host') ?? query.get('targetId') ?? '',
    from: query.get('from') ?? '',
    to: query.get('to') ?? '',
  };
  const [form, setForm] = useState(filters);
  const key = query.toString();
  useEffect(() => setForm(filters), [key]);
  const users = useAsync(
    () =>
      apiGet<Array<{ id: string; username: string }> | { items: Array<{ id: string; username: string }> }>(
        '/api/v1/users',
      ),
    [],
  );
  const userList = Array.isArray(users.data) ? users.data : (users.data?.items ?? []);
  const names = new Map(userList.map((u) => [u.id, u.username]));

  const [events, setEvents] = useState<AuditEvent[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [apiQuery, setApiQuery] = useState<Query>({});
  const first = useAsync(async () => {
    const q: Query = {
      actorId: filters.actorId,
      actorType: filters.actorType,
      action: filters.action,
      targetId: await resolveHost(filters.host),
      from: toIso(filters.from),
      to: toIso(filters.to),
    };
    const page = await apiGet<CursorPage<AuditEvent>>('/api/v1/audit', {
      ...q,
      limit: 100,
    });
    setApiQuery(q);
    setEvents(page.items);
    setCursor(page.nextCursor);
    return page;
  }, [key]);

  async function more() {
    if (!cursor) return;
    const page = await apiGet<CursorPage<AuditEvent>>('/api/v1/audit', {
      ...apiQuery,
      limit: 100,
      before: cursor,
    });
    setEvents((e) => [...e, ...page.items]);
    setCursor(page.nextCursor);
  }

  function apply(event: Event) {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) if (v) params.set(k, v);
    navigate(`/audit${params.size ? `?${params}` : ''}`);
  }

  const [exportError, setExportError] = useState<string>();
  async function download(format: 'csv' | 'json') {
    setExportError(undefined);
    try {
      await apiDownload('/api/v1/audit/export', { ...apiQuery, format }, `afterpatch-audit.${format}`);
    } catch (e) {
      setExportError((e as Error).message);
    }
  }

  const field = (name: keyof typeof form) => ({
    name,
    value: form[name],
    onInput: (e: Event) => setForm({ ...form, [name]: (e.currentTarget as HTMLInputElement).value }),
  });

  return (
    <main>
      <h1>Audit log</h1>
      <form class="filters" onSubmit={apply} aria-label="Audit filters">
        <label>
          Actor
          <select
            {...field('actorId')}
            onChange={(e) => setForm({ ...form, actorId: e.currentTarget.value })}
          >
            <option value="">anyone</option>
            {userList.map((u) => (
              <option key={u.id} value={u.id}>
                {u.username}
              </option>
            ))}
          </select>
        </label>
        <label>
          Actor type
          <select
            {...field('actorType')}
            onChange={(e) => setForm({ ...form, actorType: e.currentTarget.value })}
          >
            <option value="">any</option>
            <option value="user">user</option>
            <option value="token">API token</option>
            <option value="agent">agent</option>
            <option value="system">system</option>
          </select>
        </label>
        <label>
          Action
          <input {...field('action')} list="audit-actions" placeholder="e.g. auth. or host.scan-request" />
          <datalist id="audit-actions">
            {ACTIONS.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </label>
        <label>
          Host
          <input {...field('host')} placeholder="hostname or id" />
        </label>
        <label>
          From
          <input type="datetime-local" {...field('from')} />
        </label>
        <label>
          To
          <input type="datetime-local" {...field('to')} />
        </label>
        <button type="submit" class="primary">
          Filter
        </button>
        <span class="spacer" />
        <button type="button" onClick={() => download('csv')}>
          Export CSV
        </button>
        <button type="button" onClick={() => download('json')}>
          Export JSON
        </button>
      </form>
      {exportError && (
        <p class="error" role="alert">
          {exportError}
        </p>
      )}
      <Async state={first} what="the audit log">
        {() => (
          <>
            <table class="table compact" data-testid="audit">
              <thead>
                <tr>
                  <th scope="col">when</th>
                  <th scope="col">actor</th>
                  <th scope="col">action</th>
                  <th scope="col">target</th>
                  <th scope="col">details</th>
                </tr>
              </thead>
              <tbody>
                {events.length === 0 && (
                  <tr>
                    <td colSpan={5} class="muted">
                      No entry matches.
                    </td>
                  </tr>
                )}
                {events.map((e) => {
                  const { actorName, ...details } = e.details;
                  const actor =
                    (typeof actorName === 'string' ? actorName : undefined) ??
                    (e.actorId && names.get(e.actorId)) ??
                    e.actorId;
                  return (
                    <tr key={e.id}>
                      <td class="nowrap">{exact(e.at)}</td>
                      <td>
                        {e.actorType}
                        {actor ? `: ${actor}` : ''}
                      </td>
                      <td class="mono">{e.action}</td>
                      <td>
                        {e.targetType === 'host' && e.targetId ? (
                          <a href={`/hosts/${e.targetId}`}>host {e.targetId.slice(0, 8)}</a>
                        ) : e.targetType === 'rollout' && e.targetId ? (
                          <a href={`/rollouts/${e.targetId}`}>rollout {e.targetId.slice(0, 8)}</a>
                        ) : (
                          [e.targetType, e.targetId].filter(Boolean).join(' ')
                        )}
                      </td>
                      <td class="mono small">{Object.keys(details).length ? JSON.stringify(details) : ''}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            {cursor && (
              <button type="button" onClick={more}>
                Older entries
              </button>
            )}
          </>
        )}
      </Async>
    </main>
  );
}
