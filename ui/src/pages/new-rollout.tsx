// A new rollout: what to touch (every host that needs a fix, some groups, some hosts), the
// options, then PREVIEW (the plan as a timeline, nothing stored) and CREATE (it then awaits
// approval on its own page).
import { useState } from 'preact/hooks';
import { apiGet, apiPost } from '../api.js';
import { ErrorBox, useAsync } from '../components/common.js';
import { PlanSummary, Unscheduled } from '../rollouts/plan-summary.js';
import { PlanTimeline } from '../rollouts/plan-timeline.js';
import { resolveHosts } from '../rollouts/resolve-hosts.js';
import type { Plan, RolloutDetail, RolloutGroup, RolloutOptions } from '../rollouts/types.js';
import { navigate } from '../router.js';
import { hasRole } from '../session.js';

type Scope = 'all' | 'groups' | 'hosts';

function toIso(local: string): string | undefined {
  return local ? new Date(local).toISOString() : undefined;
}
function names(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function NewRolloutPage() {
  const groups = useAsync(() => apiGet<{ items: RolloutGroup[] }>('/api/v1/groups'), []);
  const [name, setName] = useState(`patch ${new Date().toISOString().slice(0, 10)}`);
  const [scope, setScope] = useState<Scope>('all');
  const [chosen, setChosen] = useState<string[]>([]);
  const [hosts, setHosts] = useState('');
  const [exclude, setExclude] = useState('');
  const [allowReboot, setAllowReboot] = useState(true);
  const [failureBudget, setFailureBudget] = useState('0');
  const [maxParallel, setMaxParallel] = useState('1');
  const [startAt, setStartAt] = useState('');
  const [deadline, setDeadline] = useState('');
  const [preview, setPreview] = useState<{ plan: Plan; requiresAdmin: boolean; options: RolloutOptions }>();
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);

  async function options(): Promise<RolloutOptions> {
    const body: RolloutOptions = { name: name.trim(), allowReboot };
    if (!body.name) throw new Error('give the rollout a name');
    if (scope === 'groups') {
      if (chosen.length === 0) throw new Error('choose at least one group');
      body.groups = chosen;
    }
    if (scope === 'hosts') {
      const ids = await resolveHosts(names(hosts));
      if (ids.length === 0) throw new Error('name at least one host');
      body.hosts = ids;
    }
    const excluded = await resolveHosts(names(exclude));
    if (excluded.length) body.exclude = excluded;
    const budget = Number(failureBudget);
    const parallel = Number(maxParallel);
    if (!Number.isInteger(budget) || budget < 0) throw new Error('the failure budget is a whole number ≥ 0');
    if (!Number.isInteger(parallel) || parallel < 1)
      throw new Error('at most in parallel is a whole number ≥ 1');
    body.failureBudget = budget;
    body.maxParallel = parallel;
    const start = toIso(startAt);
    const end = toIso(deadline);
    if (start) body.startAt = start;
    if (end) body.deadline = end;
    return body;
  }

  async function run(what: () => Promise<void>) {
    setError(undefined);
    setBusy(true);
    try {
      await what();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  }

  const doPreview = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      const body = await options();
      const answer = await apiPost<{ plan: Plan; requiresAdmin: boolean }>('/api/v1/rollouts/preview', body);
      setPreview({ ...answer, options: body });
    });
  };
  const create = () =>
    void run(async () => {
      if (!preview) return;
      const created = await apiPost<RolloutDetail>('/api/v1/rollouts', preview.options);
      navigate(`/rollouts/${created.id}`);
    });

  // Any change to the form makes the preview out of date.
  const changed =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setPreview(undefined);
    };
  const groupItems = groups.data?.items ?? [];

  return (
    <main>
      <p class="crumbs">
        <a href="/rollouts">Rollouts</a> / new
      </p>
      <h1>New rollout</h1>
      <form class="panel-form" onSubmit={doPreview} aria-label="New rollout">
        <div class="form-grid">
          <label for="rollout-name">Name</label>
          <input id="rollout-name" value={name} onInput={(e) => changed(setName)(e.currentTarget.value)} />
          <span class="label">Scope</span>
          <fieldset class="scope">
            <legend class="sr-only">Scope</legend>
            <label>
              <input
                type="radio"
                name="scope"
                checked={scope === 'all'}
                onChange={() => changed(setScope)('all')}
              />
              every host that needs a fix
            </label>
            <label>
              <input
                type="radio"
                name="scope"
                checked={scope === 'groups'}
                onChange={() => changed(setScope)('groups')}
              />
              members of groups
            </label>
            <label>
              <input
                type="radio"
                name="scope"
                checked={scope === 'hosts'}
                onChange={() => changed(setScope)('hosts')}
              />
              these hosts
            </label>
            {scope === 'groups' && (
              <fieldset class="inline-fields scope-groups">
                <legend class="sr-only">Groups</legend>
                {groupItems.length === 0 && (
                  <span class="muted">
                    no group yet: <a href="/rollouts/groups">create one</a>
                  </span>
                )}
                {groupItems.map((g) => (
                  <label key={g.id}>
                    <input
                      type="checkbox"
                      checked={chosen.includes(g.name)}
                      onChange={(e) =>
                        changed(setChosen)(
                          e.currentTarget.checked ? [...chosen, g.name] : chosen.filter((n) => n !== g.name),
                        )
                      }
                    />
                    {g.name}
                  </label>
                ))}
              </fieldset>
            )}
            {scope === 'hosts' && (
              <label>
                Hosts
                <textarea
                  rows={2}
                  value={hosts}
                  onInput={(e) => changed(setHosts)(e.currentTarget.value)}
                  placeholder="hostnames or ids"
                />
              </label>
            )}
          </fieldset>
          <label for="rollout-exclude">Never touch</label>
          <input
            id="rollout-exclude"
            value={exclude}
            placeholder="hostnames or ids (optional)"
            onInput={(e) => changed(setExclude)(e.currentTarget.value)}
          />
          <span class="label">Options</span>
          <div class="inline-fields">
            <label>
              <input
                type="checkbox"
                checked={allowReboot}
                onChange={(e) => changed(setAllowReboot)(e.currentTarget.checked)}
              />
              allow reboots
            </label>
            <label>
              failure budget{' '}
              <input
                size={4}
                inputMode="numeric"
                value={failureBudget}
                onInput={(e) => changed(setFailureBudget)(e.currentTarget.value)}
              />
            </label>
            <label>
              at most in parallel{' '}
              <input
                size={4}
                inputMode="numeric"
                value={maxParallel}
                onInput={(e) => changed(setMaxParallel)(e.currentTarget.value)}
              />
            </label>
          </div>
          <span class="label">When</span>
          <div class="inline-fields">
            <label>
              start at{' '}
              <input
                type="datetime-local"
                value={startAt}
                onInput={(e) => changed(setStartAt)(e.currentTarget.value)}
              />
            </label>
            <label>
              deadline{' '}
              <input
                type="datetime-local"
                value={deadline}
                onInput={(e) => changed(setDeadline)(e.currentTarget.value)}
              />
            </label>
            <span class="hint">empty start: as soon as approved</span>
          </div>
        </div>
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            Preview
          </button>
        </div>
      </form>
      {error && <ErrorBox error={error} />}
      {preview && (
        <section aria-labelledby="preview-title" data-testid="preview">
          <h2 id="preview-title">The plan</h2>
          <PlanSummary plan={preview.plan} />
          {preview.requiresAdmin && (
            <p class="callout">It touches a protected group: an admin must approve it.</p>
          )}
          <PlanTimeline plan={preview.plan} groups={groupItems} />
          <Unscheduled plan={preview.plan} />
          {hasRole('operator') && (
            <div class="actions">
              <button
                type="button"
                class="primary"
                disabled={busy || preview.plan.steps.length === 0}
                onClick={create}
              >
                Create rollout
              </button>
              <span class="hint">it then waits for approval</span>
            </div>
          )}
        </section>
      )}
    </main>
  );
}
