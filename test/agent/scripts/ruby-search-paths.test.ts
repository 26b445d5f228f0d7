import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createProcessFiles } from '../../../agent/host/process-files.js';
import { parseInterpreterExe } from '../../../agent/scripts/detect-interpreter.js';
import {
  newestGems,
  rubyGemDirCandidates,
  rubyLoadPathCandidates,
  rubySearchPath,
} from '../../../agent/scripts/ruby-search-paths.js';
import { createScriptLookup } from '../../../agent/scripts/script-lookup.js';
import { createScriptParseCache } from '../../../agent/scripts/script-parse-cache.js';
import { fixturePath } from '../../helpers/paths.js';

describe('rubyLoadPathCandidates', () => {
  it("keeps Debian's $LOAD_PATH order: site, vendor, stdlib", () => {
    const dirs = rubyLoadPathCandidates({
      prefix: '/usr',
      version: '3.1.0',
      triplets: ['x86_64-linux-gnu'],
      archs: [],
    });
    const debian = [
      '/usr/local/lib/site_ruby/3.1.0',
      '/usr/local/lib/x86_64-linux-gnu/site_ruby',
      '/usr/local/lib/site_ruby',
      '/usr/lib/ruby/vendor_ruby/3.1.0',
      '/usr/lib/x86_64-linux-gnu/ruby/vendor_ruby/3.1.0',
      '/usr/lib/ruby/vendor_ruby',
      '/usr/lib/ruby/3.1.0',
      '/usr/lib/x86_64-linux-gnu/ruby/3.1.0',
    ];
    assert.deepEqual(
      dirs.filter((d) => debian.includes(d)),
      debian,
    );
    assert.ok(dirs.indexOf('/usr/share/ruby/vendor_ruby') < dirs.indexOf('/usr/share/ruby'));
  });

  it('adds the arch directory of a source build', () => {
    const dirs = rubyLoadPathCandidates({
      prefix: '/usr/local',
      version: '3.2.0',
      triplets: [],
      archs: ['x86_64-linux'],
    });
    assert.ok(dirs.includes('/usr/local/lib/ruby/3.2.0/x86_64-linux'));
    assert.ok(
      rubyGemDirCandidates({ prefix: '/usr/local', version: '3.2.0', triplets: [], archs: [] }).includes(
        '/usr/local/lib/ruby/gems/3.2.0/gems',
      ),
    );
  });
});

describe('newestGems', () => {
  it('keeps the newest version of each gem across directories', () => {
    const gems = newestGems([
      { dir: '/a', entries: ['rack-2.2.8', 'rack-3.0.10', 'json-2.6.1', 'not_a_gem'] },
      { dir: '/b', entries: ['rack-3.0.9', 'json-2.10.0', 'nokogiri-1.15.0-x86_64-linux'] },
    ]);
    assert.equal(gems.get('rack'), '/a/rack-3.0.10');
    assert.equal(gems.get('json'), '/b/json-2.10.0');
    assert.equal(gems.get('nokogiri'), '/b/nokogiri-1.15.0-x86_64-linux');
    assert.equal(gems.has('not_a_gem'), false);
  });
});

describe('rubySearchPath', () => {
  it('keeps the existing directories of the fixture', () => {
    const root = { prefix: fixturePath('scripts', 'ruby-root'), cacheKey: 'ruby-root' };
    const lookup = createScriptLookup(createProcessFiles(), root, createScriptParseCache(), 4096);
    const path = rubySearchPath(lookup, parseInterpreterExe('/usr/bin/ruby3.1') ?? assert.fail());
    assert.deepEqual(path.loadPath, [
      '/usr/lib/ruby/vendor_ruby/3.1.0',
      '/usr/lib/ruby/vendor_ruby',
      '/usr/lib/ruby/3.1.0',
      '/usr/lib/x86_64-linux-gnu/ruby/3.1.0',
    ]);
    assert.deepEqual(path.gems.sort(), [
      '/usr/lib/ruby/gems/3.1.0/gems/did_you_mean-1.6.1/lib',
      '/var/lib/gems/3.1.0/gems/sinatra-3.0.1/lib',
    ]);
  });
});
