import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveGroupMembers } from '../../../../server/rollouts/planner/group-membership.js';
import { PlanInputError } from '../../../../server/rollouts/planner/plan-input-error.js';
import type { PlanGroup, PlanHost } from '../../../../shared/rollout-plan.js';

const needs = { units: [], containers: [], reexecPid1: false, reboot: false };
const host = (id: string, labels: Record<string, string> = {}, groups?: string[]): PlanHost => ({
  id,
  labels,
  needs,
  ...(groups ? { groups } : {}),
});

describe('resolveGroupMembers', () => {
  const hosts = [
    host('a', { role: 'web', rack: 'r1' }),
    host('b', { role: 'web', rack: 'r2' }, ['special']),
    host('c', { role: 'db', rack: 'r1' }),
  ];
  it('combines explicit ids, label selectors and memberships listed on hosts, without duplicates', () => {
    const groups: PlanGroup[] = [
      { name: 'web-r1', selector: { labels: { role: 'web', rack: 'r1' } }, limit: {} },
      { name: 'r1', selector: { labels: { rack: 'r1' } }, hosts: ['a'], limit: {} },
      { name: 'special', hosts: ['c'], limit: {} },
      { name: 'everyone', selector: { labels: {} }, limit: {} },
    ];
    const { membersOf, groupsOf } = resolveGroupMembers(groups, hosts);
    assert.deepEqual(membersOf.get('web-r1'), ['a']);
    assert.deepEqual(membersOf.get('r1'), ['a', 'c']);
    assert.deepEqual(membersOf.get('special'), ['b', 'c']);
    assert.deepEqual(membersOf.get('everyone'), ['a', 'b', 'c']);
    assert.deepEqual(groupsOf.get('c'), ['everyone', 'r1', 'special']);
  });

  it('refuses unknown hosts, unknown groups and duplicates, saying where', () => {
    const cases: [PlanGroup[], PlanHost[], string][] = [
      [[{ name: 'g', hosts: ['a', 'zz'], limit: {} }], hosts, '/groups/0/hosts/1'],
      [[{ name: 'g', limit: {} }], [host('a', {}, ['nope'])], '/hosts/0/groups/0'],
      [[{ name: 'g', limit: {} }], [host('a'), host('a')], '/hosts/1/id'],
      [
        [
          { name: 'g', limit: {} },
          { name: 'g', limit: {} },
        ],
        hosts,
        '/groups/1/name',
      ],
    ];
    for (const [groups, hs, path] of cases) {
      assert.throws(
        () => resolveGroupMembers(groups, hs),
        (err: unknown) => err instanceof PlanInputError && err.path === path,
      );
    }
  });
});
