// The fleet at a glance: counts per state (each a link to the filtered host table), the fleet over
// time, the groups, and the packages whose old code still runs most widely.
import { useState } from 'preact/hooks';
import { ApiError, apiGet } from '../api.js';
import { Async, useAsync } from '../components/common.js';
import { TimelineChart } from '../components/timeline-chart.js';
import { ago, count, exact } from '../format.js';
import { ActiveRollouts } from '../rollouts/active-rollouts.js';
import type { FleetPackage, FleetSummary, Page, TimelinePoint } from '../types.js';
import { PackagesTable } from './packages.js';

function Card({ label, value, href, tone }: { label: string; value: number; href: string; tone: string }) {
  return (
    <a class={`card card-${tone}`} href={href} data-testid={`count-${tone}`}>
      <span class="card-value">{count(value)}</span>
      <span class="card-label">{label}</span>
    </a>
  );
}

export function OverviewPage() {
  const summary = useAsync(() => apiGet<FleetSummary>('/api/v1/fleet/summary'), []);
  const [bucket, setBucket] = useState<'day' | 'hour'>('day');
  const timeline = useAsync(
    () => apiGet<{ points: TimelinePoint[] }>('/api/v1/fleet/timeline', { bucket }),
    [bucket],
  );
  const packages = useAsync(() => apiGet<Page<FleetPackage>>('/api/v1/fleet/packages', { pageSize: 10 }), []);

  return (
    <main>
      <h1>Fleet overview</h1>
      <Async state={summary} what="the fleet summary">
        {(s) => (
          <section aria-label="Host counts">
            <div class="cards">
              <Card
                tone="ok"
                label="need nothing"
                value={s.hosts - s.needRestart - s.needReboot - s.unknown}
                href="/hosts?status=ok"
              />
              <Card
                tone="restart"
                label="need a service restart"
                value={s.needRestart}
                href="/hosts?status=restart"
              />
              <Card tone="reboot" label="need a reboot" value={s.needReboot} href="/hosts?status=reboot" />
              <Card tone="offline" label="offline" value={s.hosts - s.online} href="/hosts?online=false" />
              <Card tone="unknown" label="not reported yet" value={s.unknown} href="/hosts?status=unknown" />
            </div>
            <p class="muted">
              {count(s.hosts)} hosts, {count(s.online)} online.
              {s.oldestStaleSince && (
                <>
                  {' '}
                  Oldest pending since{' '}
                  <time title={exact(s.oldestStaleSince)}>{ago(s.oldestStaleSince)}</time>.
                </>
              )}
            </p>
          </section>
        )}
      </Async>

      <ActiveRollouts />

      <section aria-labelledby="timeline-title">
        <div class="section-head">
          <h2 id="timeline-title">The fleet over time</h2>
          <fieldset class="segmented">
            <legend class="sr-only">Resolution</legend>
            {(['day', 'hour'] as const).map((b) => (
              <label key={b}>
                <input type="radio" name="bucket" checked={bucket === b} onChange={() => setBucket(b)} />
                {b === 'day' ? '30 days' : '48 hours'}
              </label>
            ))}
          </fieldset>
        </div>
        <Async state={timeline} what="the timeline">
          {(t) => <TimelineChart points={t.points} bucket={bucket} />}
        </Async>
      </section>

      <div class="columns">
        <section aria-labelledby="groups-title">
          <h2 id="groups-title">Groups</h2>
          <GroupsPanel summary={summary.data} />
        </section>
        <section aria-labelledby="packages-title">
          <div class="section-head">
            <h2 id="packages-title">Stale packages</h2>
            <a href="/packages">all packages →</a>
          </div>
          <Async state={packages} what="stale packages">
            {(p) => <PackagesTable items={p.items} />}
          </Async>
        </section>
      </div>
    </main>
  );
}

// Rollout groups (name, members' selector, limits) arrive with the rollout engine's
// /api/v1/groups. Until the server has that route (404), hosts are grouped by their labels.
interface RolloutGroup {
  id: string;
  name: string;
  selector?: Record<string, string> | null;
  limit?: { maxOut?: number; maxOutPercent?: number; minUp?: number };
  protected?: boolean;
}

function limitText(limit: RolloutGroup['limit']): string {
  if (!limit) return '—';
  const parts = [];
  if (limit.maxOut !== undefined) parts.push(`≤ ${limit.maxOut} out`);
  if (limit.maxOutPercent !== undefined) parts.push(`≤ ${limit.maxOutPercent}% out`);
  if (limit.minUp !== undefined) parts.push(`≥ ${limit.minUp} up`);
  return parts.join(', ') || '—';
}

function GroupsPanel({ summary }: { summary: FleetSummary | undefined }) {
  const groups = useAsync(async () => {
    try {
      const body = await apiGet<{ items?: RolloutGroup[] } | RolloutGroup[]>('/api/v1/groups');
      return Array.isArray(body) ? body : (body.items ?? []);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  }, []);
  const labels = summary?.byLabel ?? [];
  if (groups.data && groups.data.length > 0) {
    return (
      <table class="table" data-testid="rollout-groups">
        <thead>
          <tr>
            <th scope="col">group</th>
            <th scope="col">members</th>
            <th scope="col">limit</th>
          </tr>
        </thead>
        <tbody>
          {groups.data.map((g) => (
            <tr key={g.id}>
              <td>
                {g.name} {g.protected && <span class="tag">protected</span>}
              </td>
              <td>
                {g.selector
                  ? Object.entries(g.selector)
                      .map(([k, v]) => `${k}=${v}`)
                      .join(', ')
                  : 'listed hosts'}
              </td>
              <td>{limitText(g.limit)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  }
  if (groups.error) return <p class="error">{groups.error.message}</p>;
  if (!summary) return null;
  if (labels.length === 0)
    return <p class="muted">No labels yet: label hosts (e.g. group=web) to see them grouped.</p>;
  return (
    <table class="table" data-testid="label-groups">
      <thead>
        <tr>
          <th scope="col">label</th>
          <th scope="col" class="num">
            hosts
          </th>
          <th scope="col" class="num">
            offline
          </th>
          <th scope="col" class="num">
            restart
          </th>
          <th scope="col" class="num">
            reboot
          </th>
        </tr>
      </thead>
      <tbody>
        {labels.map((l) => {
          const filter = `/hosts?label=${encodeURIComponent(`${l.key}:${l.value}`)}`;
          return (
            <tr key={`${l.key}=${l.value}`}>
              <td>
                <a href={filter}>
                  {l.key}={l.value}
                </a>
              </td>
              <td class="num">{count(l.hosts)}</td>
              <td class="num">{count(l.hosts - l.online)}</td>
              <td class="num">{count(l.needRestart)}</td>
              <td class="num">{count(l.needReboot)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
