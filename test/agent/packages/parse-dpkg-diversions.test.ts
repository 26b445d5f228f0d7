import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseDpkgDiversions } from '../../../agent/packages/parse-dpkg-diversions.js';
import { fixturePath } from '../../helpers/paths.js';

describe('parseDpkgDiversions', () => {
  const diversions = parseDpkgDiversions(
    readFileSync(fixturePath('packages', 'dpkg-diversions.txt'), 'utf8'),
  );

  it('reads from / to / package triples', () => {
    assert.equal(diversions.length, 9);
    assert.deepEqual(
      diversions.find((d) => d.from === '/usr/bin/pg_config'),
      { from: '/usr/bin/pg_config', to: '/usr/bin/pg_config.libpq-dev', by: 'postgresql-common' },
    );
    assert.deepEqual(
      diversions.find((d) => d.from === '/bin/sh'),
      { from: '/bin/sh', to: '/bin/sh.distrib', by: 'dash' },
    );
  });

  it('reads a local diversion (package `:`) as having no package', () => {
    assert.deepEqual(
      diversions.find((d) => d.from === '/usr/bin/bashbug'),
      { from: '/usr/bin/bashbug', to: '/usr/bin/bashbug.dist' },
    );
  });

  it('stops at anything that is not a triple of two paths and a name', () => {
    assert.deepEqual(parseDpkgDiversions(''), []);
    assert.deepEqual(parseDpkgDiversions('/a\n/b\n'), []);
    assert.deepEqual(parseDpkgDiversions('/a\n/b\npkg\nnot-a-path\n/c\npkg\n'), [
      { from: '/a', to: '/b', by: 'pkg' },
    ]);
  });
});
