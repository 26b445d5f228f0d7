// The overview's "active rollouts" card: those not over yet (awaiting approval, approved,
// running, paused, halted) with their progress; live like the rollouts page.
import { useMemo } from 'preact/hooks';
import { ApiError, apiGet } from '../api.js';
import { useAsync } from '../components/common.js';
import { coalesce, useLiveEvents } from './live-events.js';
import { Progress, RolloutStateBadge } from './state-badge.js';
import { ACTIVE_STATES, progressOf, type RolloutSummary } from './types.js';

export function ActiveRollouts() {
  const list = useAsync(async () => {
    try {
      const { items } = await apiGet<{ items: RolloutSummary[] }>('/api/v1/rollouts', { limit: 100 });
      return items.filter((r) => ACTIVE_STATES.includes(r.state));
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return [];
      throw error;
    }
  }, []);
  const reload = useMemo(() => coalesce(async () => list.reload()), [list.reload]);
  useLiveEvents((e) => {
    if (e.name === 'rollout.changed') reload();
  });
  const items = list.data ?? [];
  return (
    <section class="card-panel" aria-labelledby="active-rollouts-title" data-testid="active-rollouts">
      <div class="section-head">
        <h2 id="active-rollouts-title">Active rollouts</h2>
        <a href="/rollouts">all rollouts →</a>
      </div>
      {list.error && <p class="error-text">{list.error.message}</p>}
      {list.data && items.length === 0 && <p class="muted">None: nothing is being restarted.</p>}
      {items.length > 0 && (
        <ul class="plain">
          {items.slice(0, 5).map((r) => (
            <li key={r.id}>
              <a href={`/rollouts/${r.id}`}>{r.name}</a> <RolloutStateBadge state={r.state} />{' '}
              <Progress {...progressOf(r.counts)} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
