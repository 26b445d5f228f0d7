import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describePackage } from '../../../agent/output/wording.js';

it('names the source package an advisory would use when it differs', () => {
  const pkg = { name: 'libssl3', source: 'openssl', previousVersion: '3.0.11', installedVersion: '3.0.13' };
  assert.equal(describePackage(pkg, '→'), 'libssl3 (openssl) 3.0.11 → 3.0.13');
  assert.equal(
    describePackage({ name: 'openssl', source: 'openssl', installedVersion: '3.0.13' }, '->'),
    'openssl -> 3.0.13',
  );
});
