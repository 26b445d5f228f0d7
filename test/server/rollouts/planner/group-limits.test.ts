import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  canHostGoOut,
  describeLimit,
  groupsBlockingHost,
  maxOutAllowed,
} from '../../../../server/rollouts/planner/group-limits.js';

describe('maxOutAllowed', () => {
  it('takes the smallest of the bounds given', () => {
    assert.equal(maxOutAllowed({ maxOut: 2 }, 10), 2);
    assert.equal(maxOutAllowed({ maxOutPercent: 30 }, 10), 3);
    assert.equal(maxOutAllowed({ minUp: 8 }, 10), 2);
    assert.equal(maxOutAllowed({ maxOut: 5, maxOutPercent: 30, minUp: 9 }, 10), 1);
    assert.equal(maxOutAllowed({}, 7), 7);
  });

  it('rounds a percentage down but to at least 1, and 0% to none', () => {
    assert.equal(maxOutAllowed({ maxOutPercent: 10 }, 5), 1);
    assert.equal(maxOutAllowed({ maxOutPercent: 25 }, 7), 1);
    assert.equal(maxOutAllowed({ maxOutPercent: 33.3 }, 3), 1);
    assert.equal(maxOutAllowed({ maxOutPercent: 0 }, 100), 0);
    assert.equal(maxOutAllowed({ maxOutPercent: 100 }, 4), 4);
    assert.equal(maxOutAllowed({ maxOutPercent: 50 }, 0), 0);
  });

  it('never goes below 0 when minUp exceeds the group', () => {
    assert.equal(maxOutAllowed({ minUp: 5 }, 3), 0);
  });

  it('names the binding bound', () => {
    assert.equal(describeLimit({ maxOut: 2 }, 10), 'maxOut 2');
    assert.equal(describeLimit({ maxOut: 5, minUp: 9 }, 10), 'minUp 9 of 10');
    assert.equal(describeLimit({ maxOutPercent: 25 }, 8), 'maxOutPercent 25% of 8');
  });
});

describe('groupsBlockingHost', () => {
  const web = { name: 'web', limit: { maxOut: 2 }, size: 10 };
  it('lets a host go while every group has room, and says which group is full', () => {
    assert.ok(canHostGoOut('w3', [{ ...web, out: new Set(['w1']) }]));
    const full = groupsBlockingHost('w3', [
      { ...web, out: new Set(['w1', 'w2']) },
      { name: 'rack', limit: {}, size: 4, out: new Set() },
    ]);
    assert.deepEqual(
      full.map((f) => f.detail),
      ['web: 2 of 10 already out (limit maxOut 2)'],
    );
  });

  it('counts an offline host as out, but does not count a host already out twice', () => {
    const quorum = { name: 'etcd', limit: { maxOut: 1 }, size: 3 };
    assert.ok(!canHostGoOut('e2', [{ ...quorum, out: new Set(['e1-offline']) }]));
    assert.ok(canHostGoOut('e1', [{ ...quorum, out: new Set(['e1']) }]));
  });
});
