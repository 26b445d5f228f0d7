import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareVersions, verrevcmp } from '../../../agent/reboot/version-compare.js';

const sign = (n: number): number => Math.sign(n);

describe('compareVersions', () => {
  // Each pair is a < b under `dpkg --compare-versions a lt b`.
  const ascending: [string, string][] = [
    ['1.0~rc1', '1.0'],
    ['1.0~~', '1.0~~a'],
    ['1.0~~a', '1.0~'],
    ['1.0~', '1.0'],
    ['1.0', '1.0a'],
    ['1.0a', '1.0b'],
    ['1.0a', '1.0+'], // letters sort before other symbols
    ['1.0a', '1.0.1'],
    ['1.2.3', '1.10'],
    ['1.9', '1.10'],
    ['2.0', '1:0.1'], // the epoch wins
    ['1:1.0', '2:0.1'],
    ['1.0-1', '1.0-2'],
    ['1.0-9', '1.0-10'],
    ['2.30-1', '2.30-1+deb12u1'],
    ['2.36-9', '2.36-9+deb12u4'],
    ['1.0-1~bpo12+1', '1.0-1'],
    ['0.9', '1.0~beta1'],
    ['7.6p1-4', '7.6p1-4ubuntu0.3'],
    ['6.1.0-18-amd64', '6.1.0-21-amd64'],
    ['6.1.0-9-amd64', '6.1.0-18-amd64'],
    ['6.1.0-21-amd64', '6.12.27+deb13-amd64'],
    ['6.9.0-1-amd64', '6.10.0-1-amd64'],
    ['5.14.0-362.8.1.el9_3.x86_64', '5.14.0-427.13.1.el9_4.x86_64'],
    ['6.8.5-301.fc40.x86_64', '6.9.4-200.fc40.x86_64'],
    ['6.5.0-35-generic', '6.8.0-31-generic'],
  ];

  for (const [a, b] of ascending) {
    it(`${a} < ${b}`, () => {
      assert.equal(sign(compareVersions(a, b)), -1);
      assert.equal(sign(compareVersions(b, a)), 1);
    });
  }

  it('treats equal versions as equal, ignoring leading zeros, a 0 epoch and a 0 revision', () => {
    assert.equal(compareVersions('1.001', '1.1'), 0);
    assert.equal(compareVersions('0:1.0', '1.0'), 0);
    assert.equal(compareVersions('1.0', '1.0-0'), 0);
    assert.equal(compareVersions('6.1.0-21-amd64', '6.1.0-21-amd64'), 0);
  });

  it('sorts a list the way dpkg does', () => {
    const list = ['1.0', '1.0~rc1', '1:0.5', '1.0-1', '0.9', '1.0+b1', '1.0a'];
    const sorted = [...list].sort(compareVersions);
    assert.deepEqual(sorted, ['0.9', '1.0~rc1', '1.0', '1.0-1', '1.0a', '1.0+b1', '1:0.5']);
  });
});

describe('verrevcmp', () => {
  it('compares digit runs numerically and `~` before the end of the string', () => {
    assert.equal(sign(verrevcmp('10', '9')), 1);
    assert.equal(sign(verrevcmp('a~', 'a')), -1);
    assert.equal(sign(verrevcmp('', '~')), 1);
    assert.equal(verrevcmp('', ''), 0);
    assert.equal(verrevcmp('000', ''), 0);
  });
});
