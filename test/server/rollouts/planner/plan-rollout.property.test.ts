// Property-based tests of the planner on random fleets (test/server/rollouts/planner/random-fleet.ts).
// The seed is fixed so that a run is repeatable; fast-check prints the seed and the shrunk
// counterexample on failure. PLANNER_PROPERTY_SEED and PLANNER_PROPERTY_RUNS explore further.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { maxOutAllowed } from '../../../../server/rollouts/planner/group-limits.js';
import { resolveGroupMembers } from '../../../../server/rollouts/planner/group-membership.js';
import { planRollout } from '../../../../server/rollouts/planner/plan-rollout.js';
import { verifyPlan } from '../../../../server/rollouts/planner/verify-plan.js';
import { randomFleet } from './random-fleet.js';

const seed = Number(process.env.PLANNER_PROPERTY_SEED ?? 20240331);
const numRuns = Number(process.env.PLANNER_PROPERTY_RUNS ?? 300);
const settings = { seed, numRuns };

describe(`planRollout on random fleets (seed ${seed}, ${numRuns} runs)`, () => {
  it('produces plans that verifyPlan finds no violation in', () => {
    fc.assert(
      fc.property(randomFleet(), (input) => {
        const plan = planRollout(input, { horizonDays: 14 });
        assert.deepEqual(verifyPlan(input, plan), []);
      }),
      settings,
    );
  });

  it('plans every host that needs a fix, unless excluded, pinned, offline, not allowed to reboot or blocked', () => {
    fc.assert(
      fc.property(randomFleet(), (input) => {
        const plan = planRollout(input, { horizonDays: 14 });
        const planned = new Set(plan.steps.map((s) => s.hostId));
        for (const u of plan.unscheduled) {
          assert.ok(!planned.has(u.hostId));
          assert.ok(u.detail.length > 0);
        }
        for (const host of input.hosts) {
          const n = host.needs;
          const needsFix = n.reboot || n.reexecPid1 || n.units.length > 0 || n.containers.length > 0;
          const u = plan.unscheduled.find((x) => x.hostId === host.id);
          if (needsFix && !host.excluded) {
            assert.ok(planned.has(host.id) || (u !== undefined && u.reason !== 'nothing-to-do'), host.id);
          } else {
            assert.ok(u !== undefined, `${host.id} has nothing to do or is excluded but is planned`);
          }
        }
        assert.equal(plan.summary.steps, plan.steps.length);
        assert.ok(plan.summary.lowerBoundSec <= plan.summary.durationSec);
      }),
      settings,
    );
  });

  it('blocks no host when there are no windows and no dependencies and every group has room', () => {
    fc.assert(
      fc.property(randomFleet({ simple: true }), (input) => {
        const plan = planRollout(input, { horizonDays: 400 });
        const { membersOf } = resolveGroupMembers(input.groups, input.hosts);
        const hopeless = input.groups.some((g) => {
          const members = membersOf.get(g.name)!;
          const gone = members.filter((id) => {
            const h = input.hosts.find((x) => x.id === id)!;
            return h.online === false && h.expectedOnlineAt === undefined;
          }).length;
          return maxOutAllowed(g.limit, members.length) - gone < 1;
        });
        fc.pre(!hopeless);
        assert.deepEqual(
          plan.unscheduled.filter((u) => u.reason === 'blocked'),
          [],
        );
        assert.deepEqual(verifyPlan(input, plan), []);
      }),
      settings,
    );
  });

  it('is deterministic: the same input gives the same plan', () => {
    fc.assert(
      fc.property(randomFleet(), (input) => {
        const copy = structuredClone(input);
        assert.deepEqual(planRollout(copy, { horizonDays: 14 }), planRollout(input, { horizonDays: 14 }));
      }),
      { ...settings, numRuns: Math.ceil(numRuns / 3) },
    );
  });

  it('explains every wait with a sentence, ending no later than the step starts', () => {
    fc.assert(
      fc.property(randomFleet(), (input) => {
        const plan = planRollout(input, { horizonDays: 14 });
        for (const step of plan.steps) {
          for (const wait of step.waits) {
            assert.ok(wait.detail.length > 10, wait.detail);
            assert.ok(Date.parse(wait.until) <= Date.parse(step.plannedStart), `${step.hostId} ${wait.kind}`);
          }
        }
      }),
      settings,
    );
  });
});
