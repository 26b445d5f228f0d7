// verifyPlan must catch what a broken planner would do: these plans are tampered by hand.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planRollout } from '../../../../server/rollouts/planner/plan-rollout.js';
import { verifyPlan } from '../../../../server/rollouts/planner/verify-plan.js';
import type { PlanInput } from '../../../../shared/rollout-plan.js';

const needs = { units: ['nginx.service'], containers: [], reexecPid1: false, reboot: false };
const input: PlanInput = {
  version: 1,
  start: '2025-01-06T10:00:00Z',
  hosts: [
    { id: 'a', needs },
    { id: 'b', needs },
    { id: 'c', needs },
    { id: 'off', online: false, needs },
  ],
  groups: [
    { name: 'pair', hosts: ['a', 'b', 'off'], limit: { maxOut: 2 } },
    { name: 'after', hosts: ['c'], limit: {}, dependsOn: ['pair'], delayBetweenStepsSec: 0 },
    {
      name: 'win',
      hosts: ['c'],
      limit: {},
      windows: [{ days: ['mon'], start: '00:00', end: '00:00', timeZone: 'UTC' }],
    },
  ],
};

describe('verifyPlan', () => {
  it('accepts the planner’s plan', () => {
    assert.deepEqual(verifyPlan(input, planRollout(input)), []);
  });

  it('catches a limit broken by an offline host, a dependency, a window, a missing and a duplicate host', () => {
    const plan = planRollout(input);
    const kinds = (p: typeof plan) => verifyPlan(input, p).map((v) => v.kind);
    const clone = () => structuredClone(plan);

    const parallel = clone();
    parallel.steps.find((s) => s.hostId === 'b')!.plannedStart = '2025-01-06T10:00:00.000Z';
    parallel.steps.find((s) => s.hostId === 'b')!.plannedEnd = '2025-01-06T10:01:00.000Z';
    assert.ok(kinds(parallel).includes('limit'));

    const early = clone();
    const c = early.steps.find((s) => s.hostId === 'c')!;
    c.plannedStart = '2025-01-06T10:00:30.000Z';
    c.plannedEnd = '2025-01-06T10:01:30.000Z';
    assert.ok(kinds(early).includes('dependency'));

    const outside = clone();
    const c2 = outside.steps.find((s) => s.hostId === 'c')!;
    c2.plannedStart = '2025-01-06T23:59:30.000Z';
    c2.plannedEnd = '2025-01-07T00:00:30.000Z';
    assert.ok(kinds(outside).includes('window'));

    const missing = clone();
    missing.steps.pop();
    assert.ok(kinds(missing).includes('missing-host'));

    const twice = clone();
    twice.steps.push(structuredClone(twice.steps[0]!));
    assert.ok(kinds(twice).includes('duplicate-host'));

    const wrongReason = clone();
    wrongReason.unscheduled[0]!.reason = 'excluded';
    assert.ok(kinds(wrongReason).includes('wrong-reason'));
  });
});
