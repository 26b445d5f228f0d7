import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffCeilingMs, backoffDelayMs } from '../../../agent/daemon/backoff.js';

const options = { baseMs: 1000, capMs: 300_000 };

describe('reconnect backoff', () => {
  it('doubles the ceiling from the base up to the cap', () => {
    const ceilings = Array.from({ length: 12 }, (_, attempt) => backoffCeilingMs(attempt, options));
    assert.deepEqual(
      ceilings,
      [1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000, 300000, 300000, 300000],
    );
    assert.equal(backoffCeilingMs(10_000, options), 300_000, 'huge attempt counts stay at the cap');
    assert.equal(backoffCeilingMs(-3, options), 1000);
  });

  it('draws each delay uniformly between 0 and the ceiling (full jitter)', () => {
    assert.equal(backoffDelayMs(5, { ...options, random: () => 0 }), 0);
    assert.equal(backoffDelayMs(5, { ...options, random: () => 0.5 }), 16_000);
    assert.equal(backoffDelayMs(20, { ...options, random: () => 0.999999 }), 299_999);
    for (let attempt = 0; attempt < 30; attempt++) {
      const delay = backoffDelayMs(attempt, options);
      assert.ok(delay >= 0 && delay <= backoffCeilingMs(attempt, options), `attempt ${attempt}: ${delay}`);
    }
  });

  it('spreads a fleet evenly over the window instead of synchronising it', () => {
    // 10,000 agents at the cap: each 30-second slice of the 5-minute window gets about a tenth.
    const slices = new Array(10).fill(0);
    for (let i = 0; i < 10_000; i++) slices[Math.floor(backoffDelayMs(50, options) / 30_000)]++;
    for (const count of slices) assert.ok(count > 800 && count < 1200, `slice count ${count}`);
  });
});
