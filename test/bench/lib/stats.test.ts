import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarize } from '../../../bench/lib/stats.js';

describe('summarize', () => {
  it('takes the middle sample of an odd count, whatever the order', () => {
    assert.deepEqual(summarize([30, 10, 20, 50, 40]), { n: 5, median: 30, min: 10, max: 50 });
  });

  it('averages the two middle samples of an even count', () => {
    assert.deepEqual(summarize([4, 1, 3, 2]), { n: 4, median: 2.5, min: 1, max: 4 });
  });

  it('summarizes a single sample', () => {
    assert.deepEqual(summarize([7]), { n: 1, median: 7, min: 7, max: 7 });
  });

  it('refuses an empty list', () => {
    assert.throws(() => summarize([]), RangeError);
  });

  it("does not reorder the caller's array", () => {
    const samples = [3, 1, 2];
    summarize(samples);
    assert.deepEqual(samples, [3, 1, 2]);
  });
});
