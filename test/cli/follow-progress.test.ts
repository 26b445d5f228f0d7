// The pure half of `rollout follow`: which step events tell something new, and the tally.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isStepAdvance, type Progress, tally } from '../../cli/operator/follow-progress.js';

describe('isStepAdvance', () => {
  it('takes a step it did not know, in any state', () => {
    assert.equal(isStepAdvance(undefined, 'dispatched'), true);
    assert.equal(isStepAdvance(undefined, 'succeeded'), true);
  });

  it('takes a step moving forward', () => {
    assert.equal(isStepAdvance('pending', 'dispatched'), true);
    assert.equal(isStepAdvance('dispatched', 'succeeded'), true);
    assert.equal(isStepAdvance('dispatched', 'failed'), true);
    assert.equal(isStepAdvance('pending', 'skipped'), true);
  });

  it('ignores a repeat and a late event that would move a step back', () => {
    // The stream is opened before the fetch: the fetch may already show what the event says.
    assert.equal(isStepAdvance('dispatched', 'dispatched'), false);
    assert.equal(isStepAdvance('succeeded', 'dispatched'), false);
    assert.equal(isStepAdvance('succeeded', 'succeeded'), false);
    assert.equal(isStepAdvance('failed', 'pending'), false);
    // A settled step never changes again.
    assert.equal(isStepAdvance('succeeded', 'failed'), false);
  });
});

describe('tally', () => {
  it('counts each state, settled ones as done', () => {
    const states = ['pending', 'dispatched', 'succeeded', 'succeeded', 'failed', 'skipped'];
    const p: Progress = {
      id: 'r',
      name: 'r',
      state: 'running',
      haltReason: null,
      startedAt: null,
      failures: 1,
      failureBudget: 1,
      steps: new Map(states.map((state, i) => [`s${i}`, { hostname: `h${i}`, state }])),
    };
    assert.deepEqual(tally(p), {
      total: 6,
      done: 4,
      succeeded: 2,
      failed: 1,
      inFlight: 1,
      pending: 1,
      skipped: 1,
    });
  });
});
