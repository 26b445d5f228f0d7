import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareNatural } from '../../shared/compare-natural.js';

describe('compareNatural', () => {
  test('orders digit runs by value', () => {
    assert.deepEqual(['10', '2', 'c10', 'c9', '1'].sort(compareNatural), ['1', '2', '10', 'c9', 'c10']);
    assert.deepEqual(['worker@10.service', 'worker@2.service', 'nginx.service'].sort(compareNatural), [
      'nginx.service',
      'worker@2.service',
      'worker@10.service',
    ]);
  });

  test('compares digit runs longer than a double can hold', () => {
    assert.ok(compareNatural('x99999999999999999999', 'x100000000000000000000') < 0);
  });

  test('is a total order that does not depend on the locale', () => {
    assert.equal(compareNatural('a', 'a'), 0);
    assert.ok(compareNatural('B', 'a') < 0, 'code unit order: upper case first');
    assert.ok(compareNatural('007', '7') !== 0, 'equal values with different text still differ');
    assert.equal(Math.sign(compareNatural('007', '7')), -Math.sign(compareNatural('7', '007')));
    assert.ok(compareNatural('a', 'a1') < 0);
  });
});
