import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createProcessFiles } from '../../../agent/host/process-files.js';
import { parseInterpreterExe } from '../../../agent/scripts/detect-interpreter.js';
import { perlIncCandidates, perlSearchPath } from '../../../agent/scripts/perl-search-paths.js';
import { createScriptLookup } from '../../../agent/scripts/script-lookup.js';
import { createScriptParseCache } from '../../../agent/scripts/script-parse-cache.js';
import { fixturePath } from '../../helpers/paths.js';

const layout = {
  prefix: '/usr',
  version: '5.36.0',
  minor: '5.36',
  triplets: ['x86_64-linux-gnu'],
  archnames: ['x86_64-linux'],
};

describe('perlIncCandidates', () => {
  it("is Debian's @INC for Debian", () => {
    assert.deepEqual(perlIncCandidates(layout, 'debian'), [
      '/etc/perl',
      '/usr/local/lib/x86_64-linux-gnu/perl/5.36.0',
      '/usr/local/share/perl/5.36.0',
      '/usr/lib/x86_64-linux-gnu/perl5/5.36',
      '/usr/share/perl5',
      '/usr/lib/x86_64-linux-gnu/perl-base',
      '/usr/lib/x86_64-linux-gnu/perl/5.36',
      '/usr/share/perl/5.36',
      '/usr/local/lib/site_perl',
    ]);
  });

  it("is Fedora's @INC for RPM, vendor_perl before the core directories", () => {
    assert.deepEqual(perlIncCandidates(layout, 'rpm'), [
      '/usr/local/lib64/perl5/5.36',
      '/usr/local/share/perl5/5.36',
      '/usr/local/lib64/perl5',
      '/usr/local/share/perl5',
      '/usr/lib64/perl5/vendor_perl',
      '/usr/share/perl5/vendor_perl',
      '/usr/lib64/perl5',
      '/usr/share/perl5',
    ]);
  });

  it('covers Arch, Alpine and source builds', () => {
    assert.ok(perlIncCandidates(layout, 'arch').includes('/usr/lib/perl5/5.36/core_perl'));
    assert.ok(perlIncCandidates(layout, 'alpine').includes('/usr/share/perl5/core_perl'));
    const source = perlIncCandidates({ ...layout, prefix: '/usr/local' }, 'source');
    assert.deepEqual(source.slice(-2), [
      '/usr/local/lib/perl5/5.36.0/x86_64-linux',
      '/usr/local/lib/perl5/5.36.0',
    ]);
  });

  it('drops versioned directories when the version is unknown', () => {
    const dirs = perlIncCandidates(
      { prefix: '/usr', triplets: ['x86_64-linux-gnu'], archnames: [] },
      'debian',
    );
    assert.ok(dirs.includes('/usr/lib/x86_64-linux-gnu/perl-base'));
    assert.ok(!dirs.some((d) => /5\.\d/.test(d)));
  });
});

describe('perlSearchPath', () => {
  it('finds the Debian layout and the version of a plain perl by listing', () => {
    const root = { prefix: fixturePath('scripts', 'perl-root'), cacheKey: 'perl-root' };
    const lookup = createScriptLookup(createProcessFiles(), root, createScriptParseCache(), 4096);
    const exe = parseInterpreterExe('/usr/bin/perl') ?? assert.fail();
    assert.deepEqual(perlSearchPath(lookup, exe), [
      '/etc/perl',
      '/usr/local/share/perl/5.36.0',
      '/usr/share/perl5',
      '/usr/lib/x86_64-linux-gnu/perl-base',
      '/usr/lib/x86_64-linux-gnu/perl/5.36',
      '/usr/share/perl/5.36',
    ]);
  });
});
