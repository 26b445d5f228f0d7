import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  countNoun,
  describeDuration,
  describePackage,
  describePids,
  shortContainerId,
} from '../../../agent/output/wording.js';

describe('wording', () => {
  test('countNoun', () => {
    assert.equal(countNoun(1, 'process', 'processes'), '1 process');
    assert.equal(countNoun(0, 'process', 'processes'), '0 processes');
  });

  test('describePids sorts and cuts long lists', () => {
    assert.equal(describePids([]), '');
    assert.equal(describePids([7]), 'pid 7');
    assert.equal(describePids([813, 812]), 'pids 812, 813');
    assert.equal(describePids([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]), 'pids 1, 2, 3, 4, 5, 6, 7, 8 and 2 more');
  });

  test('describePackage with whatever versions are known', () => {
    assert.equal(
      describePackage({ name: 'openssl', previousVersion: '3.0.11', installedVersion: '3.0.13' }, '→'),
      'openssl 3.0.11 → 3.0.13',
    );
    assert.equal(describePackage({ name: 'openssl', installedVersion: '3.0.13' }, '->'), 'openssl -> 3.0.13');
    assert.equal(
      describePackage({ name: 'openssl', previousVersion: '3.0.11' }, '->'),
      'openssl (was 3.0.11)',
    );
    assert.equal(describePackage({ name: 'openssl' }, '->'), 'openssl');
  });

  test('describeDuration', () => {
    assert.equal(describeDuration(38.4), '38 ms');
    assert.equal(describeDuration(999.4), '999 ms');
    assert.equal(describeDuration(1840), '1.8 s');
  });

  test('shortContainerId shortens hex ids only', () => {
    assert.equal(shortContainerId('3f4e5a6b7c8d9e0f1a2b3c4d5e6f7081'), '3f4e5a6b7c8d');
    assert.equal(shortContainerId('web-frontend-1'), 'web-frontend-1');
    assert.equal(shortContainerId('abc123'), 'abc123');
  });
});
