// What an operator can do to a rollout in its state: approve (an admin when a protected group is
// touched: the button then says why it is disabled), pause, resume (a halted rollout needs a
// note: what was found), cancel (confirmed, with an optional reason). Viewers get no buttons.
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
            if (note.trim()) void act('resume', { note: note.trim() }, 'Resumed.');
          }}
        >
          <label>
            What was found (required to resume)
            <input value={note} maxLength={1024} onInput={(e) => setNote(e.currentTarget.value)} size={40} />
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
