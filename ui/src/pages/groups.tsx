// Rollout groups: the list (members, limit, windows, dependencies, checks) and, for operators, a
// form to create or edit one. Protected groups are the admins' (the server says so too).
import { useState } from 'preact/hooks';
import { apiDelete, apiGet } from '../api.js';
import { Async, ErrorBox, useAsync } from '../components/common.js';
import { GroupForm } from '../rollouts/group-form.js';
import { fieldsOf, type GroupFormFields } from '../rollouts/group-form-model.js';
import { hostnamesOf } from '../rollouts/resolve-hosts.js';
import { limitText, type RolloutGroup } from '../rollouts/types.js';
import { hasRole } from '../session.js';

type Editing = { group?: RolloutGroup; fields?: GroupFormFields } | null;

export function GroupsPage() {
  const groups = useAsync(() => apiGet<{ items: RolloutGroup[] }>('/api/v1/groups'), []);
  const [editing, setEditing] = useState<Editing>(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<Error>();
  const operator = hasRole('operator');
  const admin = hasRole('admin');

  async function edit(g: RolloutGroup) {
    setEditing({ group: g, fields: fieldsOf(g, await hostnamesOf(g.hostIds)) });
  }
  async function remove(g: RolloutGroup) {
    if (!window.confirm(`Delete the group ${g.name}? Running rollouts keep their copy.`)) return;
    setError(undefined);
    try {
      await apiDelete(`/api/v1/groups/${g.id}`);
      setStatus(`Group ${g.name} deleted.`);
      groups.reload();
    } catch (e) {
      setError(e as Error);
    }
  }

  return (
    <main>
      <div class="section-head">
        <h1>Rollout groups</h1>
        {operator && !editing && (
          <button type="button" class="primary" onClick={() => setEditing({})}>
            New group
          </button>
        )}
      </div>
      <p class="muted">
        Redundant hosts with a limit on how many may be out at once. A host in several groups must satisfy
        every limit. <a href="/rollouts">Rollouts →</a>
      </p>
      <p class="sr-only" role="status">
        {status}
      </p>
      {error && <ErrorBox error={error} />}
      {editing && (
        <GroupForm
          key={editing.group?.id ?? 'new'}
          {...(editing.group ? { editing: editing.group } : {})}
          {...(editing.fields ? { initial: editing.fields } : {})}
          others={(groups.data?.items ?? []).filter((g) => g.id !== editing.group?.id)}
          onSaved={(g) => {
            setEditing(null);
            setStatus(`Group ${g.name} saved.`);
            groups.reload();
          }}
          onCancel={() => setEditing(null)}
        />
      )}
      <Async state={groups} what="the groups">
        {({ items }) =>
          items.length === 0 ? (
            <p class="muted">No group yet.</p>
          ) : (
            <table class="table" data-testid="groups">
              <thead>
                <tr>
                  <th scope="col">group</th>
                  <th scope="col">members</th>
                  <th scope="col">limit</th>
                  <th scope="col">windows</th>
                  <th scope="col">depends on</th>
                  <th scope="col">checks</th>
                  {operator && <th scope="col">actions</th>}
                </tr>
              </thead>
              <tbody>
                {items.map((g) => {
                  const mayChange = operator && (!g.protected || admin);
                  return (
                    <tr key={g.id}>
                      <td>
                        {g.name} {g.protected && <span class="tag">protected</span>}
                      </td>
                      <td>
                        {[
                          g.selector &&
                            Object.entries(g.selector)
                              .map(([k, v]) => `${k}=${v}`)
                              .join(', '),
                          g.hostIds.length ? `${g.hostIds.length} listed hosts` : '',
                        ]
                          .filter(Boolean)
                          .join(' + ')}
                      </td>
                      <td>{limitText(g.limit)}</td>
                      <td class="small">
                        {g.windows.length
                          ? g.windows
                              .map((w) => `${w.days.join(',')} ${w.start}–${w.end} ${w.timeZone}`)
                              .join('; ')
                          : 'always'}
                      </td>
                      <td>{g.dependsOn.join(', ') || '—'}</td>
                      <td class="small">
                        {g.healthChecks.length
                          ? `${g.healthChecks.map((c) => (c.kind === 'http' ? c.url : c.name)).join(', ')} (hold ${g.holdSec} s)`
                          : '—'}
                      </td>
                      {operator && (
                        <td class="nowrap">
                          {mayChange ? (
                            <>
                              <button
                                type="button"
                                onClick={() => void edit(g)}
                                aria-label={`Edit ${g.name}`}
                              >
                                Edit
                              </button>{' '}
                              <button
                                type="button"
                                onClick={() => void remove(g)}
                                aria-label={`Delete ${g.name}`}
                              >
                                Delete
                              </button>
                            </>
                          ) : (
                            <span class="muted">admins only</span>
                          )}
                        </td>
                      )}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )
        }
      </Async>
    </main>
  );
}
