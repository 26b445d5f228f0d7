import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DpkgDiversion } from '../../../agent/packages/parse-dpkg-diversions.js';
import { ownerAllowed, planDpkgLookups } from '../../../agent/packages/plan-dpkg-lookups.js';

const diversions: DpkgDiversion[] = [
  { from: '/usr/bin/pg_config', to: '/usr/bin/pg_config.libpq-dev', by: 'postgresql-common' },
  { from: '/usr/bin/bashbug', to: '/usr/bin/bashbug.dist' },
];

describe('planDpkgLookups', () => {
  it('looks every name up as it is when nothing is diverted', () => {
    assert.deepEqual(planDpkgLookups(['/usr/lib/x/libc.so.6', '/lib/x/libc.so.6'], diversions), [
      { listed: '/usr/lib/x/libc.so.6' },
      { listed: '/lib/x/libc.so.6' },
    ]);
  });

  it('finds a diverted-away file under its original name, from any package but the diverting one', () => {
    assert.deepEqual(planDpkgLookups(['/usr/bin/pg_config.libpq-dev'], diversions), [
      { listed: '/usr/bin/pg_config', excludeOwner: 'postgresql-common' },
      { listed: '/usr/bin/pg_config.libpq-dev' },
    ]);
  });

  it('gives the diverted name to the diverting package only', () => {
    assert.deepEqual(planDpkgLookups(['/usr/bin/pg_config'], diversions), [
      { listed: '/usr/bin/pg_config', requireOwner: 'postgresql-common' },
    ]);
  });

  it('treats the file at a local diversion source as the administrator’s', () => {
    assert.deepEqual(planDpkgLookups(['/usr/bin/bashbug'], diversions), []);
    assert.deepEqual(planDpkgLookups(['/usr/bin/bashbug.dist'], diversions), [
      { listed: '/usr/bin/bashbug' },
      { listed: '/usr/bin/bashbug.dist' },
    ]);
  });
});

describe('ownerAllowed', () => {
  it('applies the required and the excluded owner', () => {
    assert.equal(ownerAllowed({ listed: '/a' }, 'x'), true);
    assert.equal(ownerAllowed({ listed: '/a', requireOwner: 'x' }, 'x'), true);
    assert.equal(ownerAllowed({ listed: '/a', requireOwner: 'x' }, 'y'), false);
    assert.equal(ownerAllowed({ listed: '/a', excludeOwner: 'x' }, 'x'), false);
    assert.equal(ownerAllowed({ listed: '/a', excludeOwner: 'x' }, 'y'), true);
  });
});
