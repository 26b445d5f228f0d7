// The rollouts: state, progress, who created and approved them; updated live from the server's
// events. Operators start a new one from here.
import { useMemo } from 'preact/hooks';
import { apiGet } from '../api.js';
import { Async, useAsync } from '../components/common.js';
import { ago, exact } from '../format.js';
import { coalesce, LiveBadge, useLiveEvents } from '../rollouts/live-events.js';
import { Progress, RolloutStateBadge } from '../rollouts/state-badge.js';
import { progressOf, type RolloutSummary } from '../rollouts/types.js';
import { hasRole } from '../session.js';

export function RolloutsPage() {
  const list = useAsync(() => apiGet<{ items: RolloutSummary[] }>('/api/v1/rollouts', { limit: 100 }), []);
  const reload = useMemo(() => coalesce(async () => list.reload()), [list.reload]);
  const live = useLiveEvents((e) => {
    if (e.name === 'rollout.changed' || e.name === 'step.changed') reload();
  });
  return (
    <main>
      <div class="section-head">
        <h1>
          Rollouts <LiveBadge status={live} />
        </h1>
        <span>
          <a href="/rollouts/groups">Groups</a>{' '}
          {hasRole('operator') && (
            <a class="button primary" href="/rollouts/new">
              New rollout
            </a>
          )}
        </span>
      </div>
      <Async state={list} what="the rollouts">
        {({ items }) =>
          items.length === 0 ? (
            <p class="muted">No rollout yet.</p>
          ) : (
            <table class="table" data-testid="rollouts">
              <thead>
                <tr>
                  <th scope="col">name</th>
                  <th scope="col">state</th>
                  <th scope="col">progress</th>
                  <th scope="col" class="num">
                    failures
                  </th>
                  <th scope="col">created</th>
                  <th scope="col">approved</th>
                </tr>
              </thead>
              <tbody>
                {items.map((r) => (
                  <tr key={r.id}>
                    <td>
                      <a href={`/rollouts/${r.id}`}>{r.name}</a>
                    </td>
                    <td>
                      <RolloutStateBadge state={r.state} />
                    </td>
                    <td>
                      <Progress {...progressOf(r.counts)} />
                    </td>
                    <td class="num">
                      {r.failures} / {r.failureBudget}
                    </td>
                    <td>
                      <time title={exact(r.createdAt)}>{ago(r.createdAt)}</time> by {r.createdBy ?? '—'}
                    </td>
                    <td>{r.approvedBy ? `by ${r.approvedBy}` : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Async>
    </main>
  );
}
