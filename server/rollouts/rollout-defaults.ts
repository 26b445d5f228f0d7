// What the server assumes where a rollout's options (shared/api/rollout-options.ts) say nothing.
export const ROLLOUT_DEFAULTS = Object.freeze({
  stepTimeoutSec: 1800,
  failureBudget: 0,
  delayBetweenStepsSec: 0,
  maxParallel: 1,
  /** Step durations assumed before any was learned. */
  restartSec: 60,
  rebootSec: 300,
});
