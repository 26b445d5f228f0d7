// The server's group and rollout answers as the CLI reads them: the types of shared/api/groups.ts
// and rollouts.ts, the schemas server/routes/groups.ts and rollouts.ts answer with (the OpenAPI
// document at /docs/json has every field).
export type { RolloutGroup } from '../../shared/api/groups.js';
export {
  ROLLOUT_STATES,
  type RolloutDetail,
  type RolloutPreview,
  type RolloutState,
  type RolloutStep,
  type RolloutSummary,
} from '../../shared/api/rollouts.js';

/** What `rollout follow` waits for: completed is success, the others need a person. */
export const FINAL_STATES: ReadonlySet<string> = new Set(['completed', 'cancelled', 'halted']);
