import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareFindings } from '../../../bench/lib/compare-findings.js';

describe('compareFindings', () => {
  const holders = new Set([100, 101, 102]);

  it('counts the holders found and missed, and lists the other PIDs sorted', () => {
    assert.deepEqual(compareFindings([900, 101, 100, 5], holders), {
      holdersFound: 2,
      holdersMissed: 1,
      others: [5, 900],
    });
  });

  it('counts a PID reported twice once', () => {
    assert.deepEqual(compareFindings([100, 100, 101, 102], holders), {
      holdersFound: 3,
      holdersMissed: 0,
      others: [],
    });
  });

  it('finds nothing in an empty report', () => {
    assert.deepEqual(compareFindings([], holders), { holdersFound: 0, holdersMissed: 3, others: [] });
  });
});
