// The plan in numbers (steps, reboots, when it finishes, does it fit the deadline, the lower
// bound no plan can beat) and the hosts left out with the reason.
import { count, exact } from '../format.js';
import type { Plan } from './types.js';
import { durationText } from './types.js';

export function PlanSummary({ plan }: { plan: Plan }) {
  const s = plan.summary;
  return (
    <dl class="facts" data-testid="plan-summary">
      <dt>steps</dt>
      <dd>
        {count(s.steps)} ({count(s.restarts)} restarts, {count(s.reboots)} reboots) of {count(s.hosts)} hosts
      </dd>
      <dt>starts</dt>
      <dd>{exact(s.startAt)}</dd>
      <dt>finishes</dt>
      <dd>
        {exact(s.finishAt)} (after {durationText(s.durationSec)})
      </dd>
      <dt>lower bound</dt>
      <dd title="no valid plan of these steps can finish sooner">{durationText(s.lowerBoundSec)}</dd>
      {s.deadline && (
        <>
          <dt>deadline</dt>
          <dd data-testid="fits-deadline">
            {exact(s.deadline)}:{' '}
            {s.fitsDeadline ? (
              <span class="badge badge-ok">fits</span>
            ) : (
              <span class="badge badge-reboot">does not fit</span>
            )}
          </dd>
        </>
      )}
    </dl>
  );
}

export function Unscheduled({ plan }: { plan: Plan }) {
  if (plan.unscheduled.length === 0) return null;
  return (
    <details class="unscheduled">
      <summary>{count(plan.unscheduled.length)} hosts left out, with the reason</summary>
      <table class="table compact" data-testid="unscheduled">
        <thead>
          <tr>
            <th scope="col">host</th>
            <th scope="col">reason</th>
            <th scope="col">detail</th>
          </tr>
        </thead>
        <tbody>
          {plan.unscheduled.slice(0, 500).map((u) => (
            <tr key={u.hostId}>
              <td>{u.hostname ?? u.hostId}</td>
              <td>{u.reason}</td>
              <td>{u.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {plan.unscheduled.length > 500 && <p class="muted">First 500 shown.</p>}
    </details>
  );
}
