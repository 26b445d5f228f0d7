// One rollout, live: the server pushes rollout and step changes (Server-Sent Events) and the page
// reloads the rollout on each (coalesced), so states, evidence and progress move without a
// manual refresh. The timeline shows the actual bars over the planned ones; failed steps come
// first with their evidence; each step's row says why a pending step waits right now.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, apiGet } from '../api.js';
import { ErrorBox, Loading } from '../components/common.js';
import { exact } from '../format.js';
import { coalesce, LiveBadge, useLiveEvents } from '../rollouts/live-events.js';
import { PlanSummary, Unscheduled } from '../rollouts/plan-summary.js';
import { PlanTimeline } from '../rollouts/plan-timeline.js';
import { RolloutActions } from '../rollouts/rollout-actions.js';
import { Progress, RolloutStateBadge } from '../rollouts/state-badge.js';
import { StepEvidence } from '../rollouts/step-evidence.js';
import { progressOf, type RolloutDetail, type RolloutGroup, type RolloutStep } from '../rollouts/types.js';
import { hasRole } from '../session.js';

export function RolloutDetailPage({ id }: { id: string }) {
  const [rollout, setRollout] = useState<RolloutDetail>();
  const [error, setError] = useState<Error>();
  const [groups, setGroups] = useState<RolloutGroup[]>([]);
  const [now, setNow] = useState(Date.now());
  const reload = useMemo(
    () =>
      coalesce(async () => {
        try {
          setRollout(await apiGet<RolloutDetail>(`/api/v1/rollouts/${id}`));
          setError(undefined);
          setNow(Date.now());
        } catch (e) {
          setError(e as Error);
        }
      }),
    [id],
  );
  useEffect(() => {
    setRollout(undefined);
    reload();
    apiGet<{ items: RolloutGroup[] }>('/api/v1/groups').then(
      (g) => setGroups(g.items),
      () => undefined,
    );
  }, [id]);
  const live = useLiveEvents((e) => {
    if (e.name === 'open' || (e.data.rolloutId === id && e.name !== 'host.changed')) reload();
  });
  // In-flight bars grow while the rollout runs.
  const running = rollout?.state === 'running';
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => setNow(Date.now()), 2000);
    return () => clearInterval(timer);
  }, [running]);

  if (!rollout) {
    if (error) return <ErrorBox error={error} retry={reload} />;
    return <Loading what="the rollout" />;
  }
  const progress = progressOf(rollout.counts);
  const failed = rollout.steps.filter((s) => s.state === 'failed');
  return (
    <main>
      <p class="crumbs">
        <a href="/rollouts">Rollouts</a> / {rollout.name}
      </p>
      <h1>
        {rollout.name} <RolloutStateBadge state={rollout.state} /> <LiveBadge status={live} />
      </h1>
      {error && !(error instanceof ApiError && error.status === 404) && (
        <ErrorBox error={error} retry={reload} />
      )}
      <div class="rollout-head">
        <Progress {...progress} />
        <RolloutActions rollout={rollout} onDone={setRollout} />
      </div>
      {rollout.haltReason && (
        <div class="callout reboot" role="alert" data-testid="halt-reason">
          <strong>Halted:</strong> {rollout.haltReason} ({rollout.failures} failures, budget{' '}
          {rollout.failureBudget}). The failed hosts are not retried; resume with a note once you know why.
        </div>
      )}
      <dl class="facts">
        <dt>created</dt>
        <dd>
          {exact(rollout.createdAt)} by {rollout.createdBy ?? '—'}
        </dd>
        <dt>approved</dt>
        <dd>
          {rollout.approvedAt
            ? `${exact(rollout.approvedAt)} by ${rollout.approvedBy ?? '—'}`
            : rollout.requiresAdmin
              ? 'not yet (an admin must: a protected group is touched)'
              : 'not yet'}
        </dd>
        {rollout.startedAt && (
          <>
            <dt>started</dt>
            <dd>{exact(rollout.startedAt)}</dd>
          </>
        )}
        {rollout.finishedAt && (
          <>
            <dt>finished</dt>
            <dd>{exact(rollout.finishedAt)}</dd>
          </>
        )}
        <dt>failures</dt>
        <dd>
          {rollout.failures} (budget {rollout.failureBudget})
        </dd>
        {hasRole('admin') && (
          <>
            <dt>audit</dt>
            <dd>
              <a href={`/audit?targetId=${rollout.id}`} data-testid="audit-link">
                this rollout's audit entries
              </a>
            </dd>
          </>
        )}
      </dl>

      {failed.length > 0 && (
        <section aria-labelledby="failures-title" class="failures" data-testid="failures">
          <h2 id="failures-title">Failures</h2>
          {failed.map((s) => (
            <div key={s.id} class="callout reboot">
              <h3>
                <a href={`/hosts/${s.hostId}`}>{s.hostname}</a>: {s.action}
              </h3>
              <StepEvidence step={s} />
            </div>
          ))}
        </section>
      )}

      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">Timeline: planned and actual</h2>
        <PlanTimeline plan={rollout.plan} groups={groups} steps={rollout.steps} now={now} />
        <PlanSummary plan={rollout.plan} />
        <Unscheduled plan={rollout.plan} />
      </section>

      <section aria-labelledby="steps-title">
        <h2 id="steps-title">Steps</h2>
        <StepsTable steps={rollout.steps} />
      </section>
    </main>
  );
}

function StepsTable({ steps }: { steps: RolloutStep[] }) {
  return (
    <table class="table compact" data-testid="steps">
      <thead>
        <tr>
          <th scope="col" class="num">
            #
          </th>
          <th scope="col">host</th>
          <th scope="col">action</th>
          <th scope="col">state</th>
          <th scope="col">now</th>
          <th scope="col">evidence</th>
        </tr>
      </thead>
      <tbody>
        {steps.map((s) => (
          <tr key={s.id} class={s.state === 'failed' ? 'row-failed' : undefined} data-host={s.hostname}>
            <td class="num">{s.position}</td>
            <td>
              <a href={`/hosts/${s.hostId}`}>{s.hostname}</a>
            </td>
            <td>
              <span class={`badge badge-${s.action}`}>{s.action}</span>
            </td>
            <td>
              <span class={`badge step-${s.state}`} data-testid="step-state">
                {s.state}
              </span>
            </td>
            <td class="small">
              {s.state === 'pending'
                ? (s.hold?.detail ?? 'waiting for its turn')
                : s.state === 'dispatched'
                  ? `${s.agentState ?? 'sent'}${s.agentMessage && s.agentMessage !== s.agentState ? `: ${s.agentMessage}` : ''} since ${exact(s.dispatchedAt)}`
                  : s.finishedAt
                    ? exact(s.finishedAt)
                    : ''}
            </td>
            <td>
              {s.state !== 'pending' && s.state !== 'skipped' && (
                <details>
                  <summary>evidence</summary>
                  <StepEvidence step={s} />
                </details>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
