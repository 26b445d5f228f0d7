// The server's group and rollout answers as the CLI reads them: the types of shared/api/groups.ts
// and rollouts.ts, the schemas server/routes/groups.ts and rollouts.ts answer with (the OpenAPI
// document at /docs/json has every field).
import type { RolloutDetail as RolloutDetailAnswer } from '../../shared/api/rollouts.js';
import type { Plan } from '../../shared/rollout-plan.js';

export type { RolloutGroup } from '../../shared/api/groups.js';
export {
  ROLLOUT_STATES,
  type RolloutPreview,
  type RolloutState,
  type RolloutStep,
  type RolloutSummary,
} from '../../shared/api/rollouts.js';

// The route's schema says a record: it is the Plan stored at creation, read without trusting it whole.
export type RolloutDetail = Omit<RolloutDetailAnswer, 'plan'> & {
  plan: Partial<Plan> & Record<string, unknown>;
};

/** What `rollout follow` waits for: completed is success, the others need a person. */
export const FINAL_STATES: ReadonlySet<string> = new Set(['completed', 'cancelled', 'halted']);
