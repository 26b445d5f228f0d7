import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PlanInputError } from '../../../../server/rollouts/planner/plan-input-error.js';
import { planRollout } from '../../../../server/rollouts/planner/plan-rollout.js';
import { verifyPlan } from '../../../../server/rollouts/planner/verify-plan.js';
import type { HostNeeds, PlanHost, PlanInput } from '../../../../shared/rollout-plan.js';

const restart: HostNeeds = { units: ['nginx.service'], containers: [], reexecPid1: false, reboot: false };
const reboot: HostNeeds = { units: ['nginx.service'], containers: [], reexecPid1: true, reboot: true };
const host = (id: string, extra: Partial<PlanHost> = {}): PlanHost => ({ id, needs: restart, ...extra });
const START = '2025-01-06T10:00:00.000Z';

function plan(input: Omit<PlanInput, 'version' | 'start'> & { start?: string }) {
  const full: PlanInput = { version: 1, start: START, ...input };
  const result = planRollout(full);
  assert.deepEqual(verifyPlan(full, result), []);
  return result;
}

const startOf = (p: ReturnType<typeof plan>, id: string) =>
  p.steps.find((s) => s.hostId === id)?.plannedStart;

describe('planRollout', () => {
  it('plans one step per host: a reboot covers everything, else every restart', () => {
    const p = plan({
      hosts: [
        host('a', { needs: reboot }),
        host('b', {
          needs: {
            units: ['nginx.service', 'ssh.service'],
            containers: [{ runtime: 'docker', id: 'redis' }],
            reexecPid1: true,
            reboot: false,
          },
        }),
      ],
      groups: [],
    });
    assert.deepEqual(
      p.steps.map((s) => [s.hostId, s.action, s.operations, s.durationSec]),
      [
        ['a', 'reboot', [{ kind: 'reboot' }], 300],
        [
          'b',
          'restart',
          [
            { kind: 'reexec-pid1' },
            { kind: 'restart-unit', unit: 'nginx.service' },
            { kind: 'restart-unit', unit: 'ssh.service' },
            { kind: 'restart-container', runtime: 'docker', id: 'redis' },
          ],
          60,
        ],
      ],
    );
    assert.deepEqual(p.summary, {
      hosts: 2,
      steps: 2,
      reboots: 1,
      restarts: 1,
      startAt: START,
      finishAt: '2025-01-06T10:05:00.000Z',
      durationSec: 300,
      lowerBoundSec: 300,
    });
  });

  it('keeps a group within its limit and says why a host waited', () => {
    const p = plan({
      hosts: ['w1', 'w2', 'w3', 'w4'].map((id) => host(id)),
      groups: [{ name: 'web', hosts: ['w1', 'w2', 'w3', 'w4'], limit: { maxOut: 2 } }],
    });
    assert.deepEqual(
      p.steps.map((s) => [s.hostId, s.plannedStart]),
      [
        ['w1', START],
        ['w2', START],
        ['w3', '2025-01-06T10:01:00.000Z'],
        ['w4', '2025-01-06T10:01:00.000Z'],
      ],
    );
    assert.deepEqual(p.steps[2]!.waits, [
      {
        kind: 'limit',
        group: 'web',
        until: '2025-01-06T10:01:00.000Z',
        detail: 'web: 2 of 4 already out (limit maxOut 2)',
      },
    ]);
    assert.equal(p.summary.lowerBoundSec, 120);
  });

  it('holds every overlapping limit at once, counting offline hosts as out', () => {
    const p = plan({
      hosts: [
        host('e1'),
        host('e2'),
        host('e3', { online: false, expectedOnlineAt: '2025-01-06T10:30:00Z' }),
        host('x', { online: false }),
      ],
      groups: [
        { name: 'etcd', hosts: ['e1', 'e2', 'e3'], limit: { maxOut: 1 } },
        { name: 'rack', hosts: ['e1', 'x'], limit: { maxOut: 1 } },
      ],
    });
    // e1's rack is full for good (x offline, no return): blocked. e2 waits for e3 to return.
    assert.equal(startOf(p, 'e2'), '2025-01-06T10:30:00.000Z');
    assert.equal(startOf(p, 'e3'), '2025-01-06T10:31:00.000Z');
    assert.deepEqual(
      p.unscheduled.map((u) => [u.hostId, u.reason, u.detail]),
      [
        ['e1', 'blocked', 'rack: 1 members offline with no expected return fill the limit (maxOut 1)'],
        ['x', 'offline', 'offline with no expected return (counts as out for its groups)'],
      ],
    );
    assert.deepEqual(
      p.steps.find((s) => s.hostId === 'e3')!.waits.map((w) => [w.kind, w.until, w.detail]),
      [
        ['offline', '2025-01-06T10:30:00.000Z', 'offline, expected back at 2025-01-06T10:30:00.000Z'],
        ['limit', '2025-01-06T10:31:00.000Z', 'etcd: 1 of 3 already out (limit maxOut 1)'],
      ],
    );
  });

  it('starts a group only after the groups it depends on have finished, and respects delays', () => {
    const p = plan({
      hosts: [host('db1'), host('db2'), host('app1'), host('app2')],
      groups: [
        { name: 'db', hosts: ['db1', 'db2'], limit: { maxOut: 1 } },
        { name: 'app', hosts: ['app1', 'app2'], limit: {}, dependsOn: ['db'], delayBetweenStepsSec: 600 },
      ],
    });
    assert.equal(startOf(p, 'app1'), '2025-01-06T10:02:00.000Z');
    assert.equal(startOf(p, 'app2'), '2025-01-06T10:12:00.000Z');
    assert.deepEqual(
      p.steps.find((s) => s.hostId === 'app2')!.waits.map((w) => [w.kind, w.group, w.until, w.detail]),
      [
        ['dependency', 'db', '2025-01-06T10:02:00.000Z', "waits for group 'db' to finish"],
        ['delay', 'app', '2025-01-06T10:12:00.000Z', 'app: 600 s between step starts in this group'],
      ],
    );
  });

  it('fits steps inside windows, and blocks a host no window is long enough for', () => {
    const p = plan({
      hosts: [host('a'), host('b', { needs: reboot, durationSec: 7200 })],
      groups: [
        {
          name: 'night',
          hosts: ['a', 'b'],
          limit: {},
          windows: [{ days: ['mon', 'tue'], start: '22:00', end: '23:00', timeZone: 'Europe/Paris' }],
        },
      ],
    });
    assert.equal(startOf(p, 'a'), '2025-01-06T21:00:00.000Z');
    assert.deepEqual(p.steps[0]!.waits[0], {
      kind: 'window',
      group: 'night',
      until: '2025-01-06T21:00:00.000Z',
      detail:
        'night: the next maintenance window span with room for a 60 s step begins at 2025-01-06T21:00:00.000Z',
    });
    assert.deepEqual(p.unscheduled[0], {
      hostId: 'b',
      reason: 'blocked',
      detail: 'night: no maintenance window with room for 7200 s within the 30-day horizon',
    });
  });

  it('leaves out excluded, pinned, idle and not-allowed hosts with the reason', () => {
    const p = plan({
      allowReboot: false,
      hosts: [
        host('ex', { excluded: true }),
        host('pin', { pinnedUntil: '2025-03-01T00:00:00Z', pinReason: 'audit' }),
        host('soon', { pinnedUntil: '2025-01-06T12:00:00Z' }),
        host('idle', { needs: { units: [], containers: [], reexecPid1: false, reboot: false } }),
        host('rb', { needs: reboot }),
      ],
      groups: [],
    });
    assert.deepEqual(
      p.unscheduled.map((u) => [u.hostId, u.reason]),
      [
        ['ex', 'excluded'],
        ['pin', 'pinned'],
        ['idle', 'nothing-to-do'],
        ['rb', 'reboot-not-allowed'],
      ],
    );
    assert.equal(startOf(p, 'soon'), '2025-01-06T12:00:00.000Z');
    assert.equal(p.unscheduled[1]!.detail, 'pinned until 2025-03-01T00:00:00.000Z: audit');
  });

  it('blocks the hosts of a group whose dependency cannot finish', () => {
    const p = plan({
      hosts: [host('db1'), host('app1')],
      groups: [
        { name: 'db', hosts: ['db1'], limit: { maxOut: 0 } },
        { name: 'app', hosts: ['app1'], limit: {}, dependsOn: ['db'] },
      ],
    });
    assert.deepEqual(
      p.unscheduled.map((u) => [u.hostId, u.detail]),
      [
        ['db1', 'db: its limit allows no member out (maxOut 0)'],
        ['app1', "group 'db' cannot finish: db1 is blocked (db: its limit allows no member out (maxOut 0))"],
      ],
    );
  });

  it('reports whether the plan fits the deadline', () => {
    const hosts = [host('a'), host('b')];
    const groups = [{ name: 'g', hosts: ['a', 'b'], limit: { maxOut: 1 } }];
    assert.equal(plan({ hosts, groups, deadline: '2025-01-06T10:02:00Z' }).summary.fitsDeadline, true);
    assert.equal(plan({ hosts, groups, deadline: '2025-01-06T10:01:59Z' }).summary.fitsDeadline, false);
  });

  it('refuses dependency cycles, unknown time zones and unit names a step would refuse', () => {
    const cycles: PlanInput = {
      version: 1,
      start: START,
      hosts: [],
      groups: [
        { name: 'a', limit: {}, dependsOn: ['b'] },
        { name: 'b', limit: {}, dependsOn: ['a'] },
      ],
    };
    assert.throws(() => planRollout(cycles), /dependency cycle: a -> b -> a/);
    assert.throws(
      () =>
        planRollout({
          version: 1,
          start: START,
          hosts: [],
          groups: [
            {
              name: 'a',
              limit: {},
              windows: [{ days: ['mon'], start: '01:00', end: '02:00', timeZone: 'Nowhere/City' }],
            },
          ],
        }),
      (err: unknown) => err instanceof PlanInputError && err.path === '/groups/0/windows/0/timeZone',
    );
    assert.throws(
      () =>
        planRollout({
          version: 1,
          start: START,
          hosts: [host('a', { needs: { ...restart, units: ['--force'] } })],
          groups: [],
        }),
      (err: unknown) => err instanceof PlanInputError && err.path === '/hosts/0/needs/units/0',
    );
  });
});
