// Create or edit a rollout group: members (labels and/or hosts), the limit, windows, dependencies,
// protection, health checks. Checked in the browser first (one message per field), then by the
// server, whose answer is shown next to the form.
import { useState } from 'preact/hooks';
import { apiPost, apiPut } from '../api.js';
import { hasRole } from '../session.js';
import { EMPTY_GROUP, type GroupFormFields, parseGroupFields } from './group-form-model.js';
import { resolveHosts } from './resolve-hosts.js';
import type { RolloutGroup } from './types.js';

export function GroupForm({
  editing,
  initial,
  others,
  onSaved,
  onCancel,
}: {
  editing?: RolloutGroup;
  initial?: GroupFormFields;
  others: RolloutGroup[];
  onSaved: (group: RolloutGroup) => void;
  onCancel: () => void;
}) {
  const [f, setF] = useState<GroupFormFields>(initial ?? EMPTY_GROUP);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [serverError, setServerError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const admin = hasRole('admin');

  const text = (name: keyof GroupFormFields) => ({
    id: `group-${name}`,
    name,
    value: f[name] as string,
    'aria-invalid': errors[name] ? true : undefined,
    'aria-describedby': errors[name] ? `group-${name}-error` : undefined,
    onInput: (e: Event) => setF({ ...f, [name]: (e.currentTarget as HTMLInputElement).value }),
  });
  const error = (name: string) =>
    errors[name] && (
      <span class="error-text" id={`group-${name}-error`}>
        {errors[name]}
      </span>
    );

  async function submit(event: Event) {
    event.preventDefault();
    setServerError(undefined);
    const parsed = parseGroupFields(f);
    setErrors(parsed.errors);
    if (!parsed.body) return;
    setBusy(true);
    try {
      const { hostNames, ...rest } = parsed.body;
      const body = { ...rest, hostIds: await resolveHosts(hostNames) };
      const saved = editing
        ? await apiPut<RolloutGroup>(`/api/v1/groups/${editing.id}`, body)
        : await apiPost<RolloutGroup>('/api/v1/groups', body);
      onSaved(saved);
    } catch (e) {
      setServerError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      class="panel-form"
      onSubmit={submit}
      aria-label={editing ? `Edit group ${editing.name}` : 'New group'}
      noValidate
    >
      <h2>{editing ? `Edit ${editing.name}` : 'New group'}</h2>
      <div class="form-grid">
        <label for="group-name">Name</label>
        <div>
          <input {...text('name')} required />
          {error('name')}
        </div>
        <label for="group-selector">Members by labels</label>
        <div>
          <input {...text('selector')} placeholder="role=web, env=prod" />
          <span class="hint">hosts whose labels include all of these</span>
          {error('selector')}
        </div>
        <label for="group-hosts">Members by name</label>
        <div>
          <textarea {...text('hosts')} rows={2} placeholder="one hostname or host id a line" />
        </div>
        <span class="label">Limit</span>
        <div class="inline-fields">
          <label>
            at most out <input {...text('maxOut')} inputMode="numeric" size={5} />
          </label>
          <label>
            at most % out <input {...text('maxOutPercent')} inputMode="decimal" size={5} />
          </label>
          <label>
            at least up <input {...text('minUp')} inputMode="numeric" size={5} />
          </label>
          {error('maxOut')}
          {error('maxOutPercent')}
          {error('minUp')}
        </div>
        <label for="group-windows">Windows</label>
        <div>
          <textarea {...text('windows')} rows={2} placeholder="sat,sun 02:00-04:00 Europe/Paris" />
          <span class="hint">one a line: days, local start-end, IANA time zone; none = always open</span>
          {error('windows')}
        </div>
        <span class="label">Depends on</span>
        <div class="inline-fields">
          {others.length === 0 && <span class="muted">no other group</span>}
          {others.map((g) => (
            <label key={g.id}>
              <input
                type="checkbox"
                checked={f.dependsOn.includes(g.name)}
                onChange={(e) =>
                  setF({
                    ...f,
                    dependsOn: e.currentTarget.checked
                      ? [...f.dependsOn, g.name]
                      : f.dependsOn.filter((n) => n !== g.name),
                  })
                }
              />
              {g.name}
            </label>
          ))}
        </div>
        <label for="group-healthChecks">Health checks</label>
        <div>
          <textarea {...text('healthChecks')} rows={2} placeholder="http http://127.0.0.1/health 200" />
          <span class="hint">one a line: http URL [status], or command NAME (from the agent's config)</span>
          {error('healthChecks')}
        </div>
        <span class="label">Timing</span>
        <div class="inline-fields">
          <label>
            hold checks (s) <input {...text('holdSec')} inputMode="numeric" size={6} />
          </label>
          <label>
            delay between steps (s) <input {...text('delayBetweenStepsSec')} inputMode="numeric" size={6} />
          </label>
          {error('holdSec')}
          {error('delayBetweenStepsSec')}
        </div>
        <span class="label">Options</span>
        <div class="inline-fields">
          <label>
            <input
              type="checkbox"
              checked={f.hooks}
              onChange={(e) => setF({ ...f, hooks: e.currentTarget.checked })}
            />
            run pre/post hooks
          </label>
          <label>
            <input
              type="checkbox"
              checked={f.protected}
              disabled={!admin}
              aria-describedby={admin ? undefined : 'protected-why'}
              onChange={(e) => setF({ ...f, protected: e.currentTarget.checked })}
            />
            protected (an admin approves its rollouts)
          </label>
          {!admin && (
            <span class="hint" id="protected-why">
              only admins manage protected groups
            </span>
          )}
        </div>
      </div>
      {serverError && (
        <p class="error" role="alert" data-testid="group-error">
          {serverError}
        </p>
      )}
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          {editing ? 'Save group' : 'Create group'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
