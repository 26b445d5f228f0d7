// What an operator can do to a rollout in its state: approve (an admin when a protected group is
// touched: the button then says why it is disabled), pause, resume (a halted rollout needs a
// note: what was found; its failure budget may be raised at the same time), cancel (confirmed,
// with an optional reason). Viewers get no buttons.
import { useState } from 'preact/hooks';
import { apiPost } from '../api.js';
import { hasRole } from '../session.js';
import type { RolloutDetail } from './types.js';

export function RolloutActions({
  rollout,
  onDone,
}: {
  rollout: RolloutDetail;
  onDone: (r: RolloutDetail) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [note, setNote] = useState('');
  const [budget, setBudget] = useState('');
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [reason, setReason] = useState('');
  const [status, setStatus] = useState('');
  const state = rollout.state;

  if (!hasRole('operator')) {
    return state === 'awaiting_approval' ? (
      <p class="muted" data-testid="approval-note">
        Waiting for approval by {rollout.requiresAdmin ? 'an admin' : 'an operator'}.
      </p>
    ) : null;
  }

  async function act(path: string, body: object, done: string) {
    setBusy(true);
    setError(undefined);
    try {
      const r = await apiPost<RolloutDetail>(`/api/v1/rollouts/${rollout.id}/${path}`, body);
      setStatus(done);
      setConfirmCancel(false);
      setNote('');
      setBudget('');
      onDone(r);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const adminNeeded = rollout.requiresAdmin && !hasRole('admin');
  const over = state === 'completed' || state === 'cancelled';
  return (
    <div class="rollout-actions">
      {state === 'awaiting_approval' && (
        <>
          <button
            type="button"
            class="primary"
            disabled={busy || adminNeeded}
            aria-describedby={adminNeeded ? 'approve-why' : undefined}
            onClick={() => void act('approve', {}, 'Approved.')}
          >
            Approve
          </button>
          {adminNeeded && (
            <span class="hint" id="approve-why">
              It touches a protected group: an admin must approve it.
            </span>
          )}
        </>
      )}
      {state === 'running' && (
        <button type="button" disabled={busy} onClick={() => void act('pause', {}, 'Paused.')}>
          Pause
        </button>
      )}
      {state === 'paused' && (
        <button type="button" disabled={busy} onClick={() => void act('resume', {}, 'Resumed.')}>
          Resume
        </button>
      )}
      {state === 'halted' && (
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (!note.trim()) return;
            // Empty: the budget stays as it is. The server refuses one below the failures so far.
            const failureBudget = budget.trim() === '' ? {} : { failureBudget: Number(budget) };
            void act('resume', { note: note.trim(), ...failureBudget }, 'Resumed.');
          }}
        >
          <label>
            What was found (required to resume)
            <input value={note} maxLength={1024} onInput={(e) => setNote(e.currentTarget.value)} size={40} />
          </label>
          <label>
            New failure budget (now {rollout.failureBudget})
            <input
              type="number"
              min={rollout.failures}
              max={100_000}
              step={1}
              value={budget}
              placeholder={String(rollout.failureBudget)}
              onInput={(e) => setBudget(e.currentTarget.value)}
              size={6}
            />
          </label>
          <button type="submit" disabled={busy || !note.trim()}>
            Resume
          </button>
        </form>
      )}
      {!over &&
        (confirmCancel ? (
          <form
            class="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              void act('cancel', reason.trim() ? { reason: reason.trim() } : {}, 'Cancelled.');
            }}
          >
            <label>
              Reason (optional)
              <input value={reason} maxLength={1024} onInput={(e) => setReason(e.currentTarget.value)} />
            </label>
            <button type="submit" class="danger" disabled={busy}>
              Yes, cancel the rollout
            </button>
            <button type="button" onClick={() => setConfirmCancel(false)}>
              Keep it
            </button>
          </form>
        ) : (
          <button type="button" disabled={busy} onClick={() => setConfirmCancel(true)}>
            Cancel rollout…
          </button>
        ))}
      <span class="sr-only" role="status">
        {status}
      </span>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
