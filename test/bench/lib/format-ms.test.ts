import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatKib, formatMs } from '../../../bench/lib/format-ms.js';

describe('formatMs', () => {
  it('keeps a decimal below 100 ms, rounds up to 10 s, then shows seconds', () => {
    assert.equal(formatMs(0.84), '0.8 ms');
    assert.equal(formatMs(42.26), '42.3 ms');
    assert.equal(formatMs(312.4), '312 ms');
    assert.equal(formatMs(9999), '9999 ms');
    assert.equal(formatMs(39_312), '39.3 s');
  });

  it('says n/a for a missing figure', () => {
    assert.equal(formatMs(Number.NaN), 'n/a');
  });
});

describe('formatKib', () => {
  it('shows MiB with one decimal', () => {
    assert.equal(formatKib(53_350), '52.1 MiB');
    assert.equal(formatKib(Number.NaN), 'n/a');
  });
});
