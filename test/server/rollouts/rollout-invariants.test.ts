// The audit-trail invariant checker the end-to-end rollout test relies on: a good trail passes,
// and each kind of bad trail (over a limit, twice dispatched, settled twice or without dispatch,
// two steps out on one host, a failed host still out while the rollout is halted) is caught.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type AuditRecord,
  allowedOut,
  checkRolloutInvariants,
  type GroupLimitSpec,
  outIntervals,
} from '../../helpers/rollout-invariants.js';

const T0 = Date.parse('2025-03-01T02:00:00Z');

function ev(
  action: string,
  targetId: string,
  second: number,
  details: Record<string, unknown> = {},
): AuditRecord {
  const iso = new Date(T0 + second * 1000).toISOString();
  return { action, targetId, createdAt: iso, details: { rolloutId: 'r1', at: iso, ...details } };
}
const dispatch = (step: string, host: string, s: number) =>
  ev('rollout.step.dispatch', step, s, { hostId: host, hostname: host });
const succeed = (step: string, host: string, s: number) =>
  ev('rollout.step.succeed', step, s, { hostId: host, hostname: host });
const fail = (step: string, host: string, s: number) =>
  ev('rollout.step.fail', step, s, { hostId: host, hostname: host });

const pool: GroupLimitSpec = { name: 'pool', members: ['a', 'b', 'c', 'd'], maxOut: 2 };
const rackA: GroupLimitSpec = { name: 'rack-a', members: ['a', 'b'], minUp: 1 };

test('allowedOut: every bound given must hold', () => {
  assert.equal(allowedOut({ name: 'g', members: ['a', 'b', 'c'], maxOut: 2 }), 2);
  assert.equal(allowedOut({ name: 'g', members: ['a', 'b', 'c'], minUp: 2 }), 1);
  assert.equal(allowedOut({ name: 'g', members: ['a', 'b', 'c'], maxOut: 2, minUp: 2 }), 1);
  assert.equal(allowedOut({ name: 'g', members: Array.from({ length: 10 }, String), maxOutPercent: 30 }), 3);
  assert.equal(allowedOut({ name: 'g', members: ['a'], maxOutPercent: 10 }), 1);
  assert.equal(allowedOut({ name: 'g', members: ['a'], minUp: 2 }), 0);
});

test('a trail within every limit has no violations', () => {
  const trail = [
    dispatch('s1', 'a', 0),
    dispatch('s3', 'c', 1),
    succeed('s1', 'a', 5),
    dispatch('s2', 'b', 5),
    succeed('s3', 'c', 6),
    dispatch('s4', 'd', 7),
    succeed('s2', 'b', 9),
    succeed('s4', 'd', 10),
    ev('rollout.complete', 'r1', 11),
  ];
  assert.deepEqual(checkRolloutInvariants(trail, [pool, rackA]), []);
  const { intervals } = outIntervals(trail);
  assert.equal(intervals.length, 4);
  assert.ok(intervals.every((i) => i.outcome === 'succeeded'));
});

test('more hosts out than a limit is a violation, in each group concerned', () => {
  const trail = [
    dispatch('s1', 'a', 0),
    dispatch('s2', 'b', 1), // rack-a allows 1
    dispatch('s3', 'c', 2), // pool allows 2: now 3
    succeed('s1', 'a', 3),
    succeed('s2', 'b', 3),
    succeed('s3', 'c', 3),
  ];
  const violations = checkRolloutInvariants(trail, [pool, rackA]);
  assert.equal(violations.length, 2, violations.join('\n'));
  assert.ok(violations.some((v) => v.startsWith('group rack-a: 2 hosts out (allowed 1)')));
  assert.ok(violations.some((v) => v.startsWith('group pool: 3 hosts out (allowed 2)')));
});

test('a step dispatched twice, settled twice, or settled without a dispatch is a violation', () => {
  const trail = [
    dispatch('s1', 'a', 0),
    dispatch('s1', 'a', 2),
    succeed('s1', 'a', 3),
    succeed('s1', 'a', 4),
    fail('s9', 'd', 5),
  ];
  const violations = checkRolloutInvariants(trail, [pool]);
  assert.ok(violations.some((v) => v.includes('s1') && v.includes('dispatched more than once')));
  assert.ok(violations.some((v) => v.includes('s1') && v.includes('settled more than once')));
  assert.ok(violations.some((v) => v.includes('s9') && v.includes('without a dispatch')));
});

test('a host with two steps out at once is a violation', () => {
  const other = {
    ...ev('rollout.step.dispatch', 'x1', 1, { hostId: 'a' }),
    details: {} as Record<string, unknown>,
  };
  other.details = { rolloutId: 'r2', hostId: 'a', hostname: 'a', at: new Date(T0 + 1000).toISOString() };
  const trail = [dispatch('s1', 'a', 0), other, succeed('s1', 'a', 3), succeed('x1', 'a', 4)];
  const violations = checkRolloutInvariants(trail, []);
  assert.equal(violations.length, 1);
  assert.match(violations[0]!, /host a had 2 steps out/);
});

test('a failed host stays out while its rollout is halted, and is released when it is cancelled', () => {
  const halted = [
    dispatch('s1', 'a', 0),
    fail('s1', 'a', 2),
    ev('rollout.halt', 'r1', 2),
    dispatch('s2', 'b', 10), // rack-a: a is still out (failed, rollout not over)
    succeed('s2', 'b', 12),
  ];
  const violations = checkRolloutInvariants(halted, [rackA]);
  assert.equal(violations.length, 1, violations.join('\n'));
  assert.match(violations[0]!, /group rack-a: 2 hosts out/);

  const cancelled = [
    dispatch('s1', 'a', 0),
    fail('s1', 'a', 2),
    ev('rollout.halt', 'r1', 2),
    ev('rollout.cancel', 'r1', 5),
    dispatch('s2', 'b', 10),
    succeed('s2', 'b', 12),
  ];
  assert.deepEqual(checkRolloutInvariants(cancelled, [rackA]), []);
});

test('records as GET /api/v1/audit answers them (`at`, no details.at on rollout events) are timed right', () => {
  // Regression: the checker read only `createdAt`, which the REST API does not have; the cancel
  // and complete events (no details.at) got a NaN instant, so a failed host was never counted
  // out and the trail below passed.
  const api = (e: AuditRecord): AuditRecord => {
    const { createdAt, ...rest } = e;
    const details = { ...e.details };
    if (e.action.startsWith('rollout.') && !e.action.startsWith('rollout.step.')) delete details.at;
    return { ...rest, at: createdAt!, details };
  };
  const trail = [
    dispatch('s1', 'a', 0),
    fail('s1', 'a', 2),
    ev('rollout.halt', 'r1', 2),
    dispatch('s2', 'b', 10), // rack-a: a is still out until the cancel below
    succeed('s2', 'b', 12),
    ev('rollout.cancel', 'r1', 20),
  ].map(api);
  const violations = checkRolloutInvariants(trail, [rackA]);
  assert.equal(violations.length, 1, violations.join('\n'));
  assert.match(violations[0]!, /group rack-a: 2 hosts out/);
});

test('an event without a usable time is an error, not a pass', () => {
  const untimed: AuditRecord = { action: 'rollout.cancel', targetId: 'r1', details: {} };
  assert.throws(() => checkRolloutInvariants([dispatch('s1', 'a', 0), untimed], [rackA]), /no usable time/);
});
