// A rollout's state as a badge, and its progress (settled steps of all) as a bar with text.
import { type RolloutState, STATE_TEXT } from './types.js';

export function RolloutStateBadge({ state }: { state: RolloutState }) {
  return (
    <span class={`badge state-${state}`} data-testid="rollout-state">
      {STATE_TEXT[state]}
    </span>
  );
}

export function Progress({ done, total, percent }: { done: number; total: number; percent: number }) {
  return (
    <span class="progress" data-testid="progress">
      <progress max={100} value={percent} aria-label={`${percent} % done`} />
      <span>
        {percent} % ({done}/{total})
      </span>
    </span>
  );
}
