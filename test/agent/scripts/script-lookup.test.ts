import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createProcessFiles } from '../../../agent/host/process-files.js';
import { createScriptLookup, prefixOf, resolvePath } from '../../../agent/scripts/script-lookup.js';
import { createScriptParseCache } from '../../../agent/scripts/script-parse-cache.js';

describe('resolvePath and prefixOf', () => {
  it('resolves relative paths against a directory and normalizes', () => {
    assert.equal(resolvePath('/srv/app', 'main.py'), '/srv/app/main.py');
    assert.equal(resolvePath('/srv/app', '../lib/./x'), '/srv/lib/x');
    assert.equal(resolvePath('/srv/app', '/etc/x'), '/etc/x');
    assert.equal(resolvePath('/', '../../x'), '/x');
  });
  it('gives the prefix of a bin directory', () => {
    assert.equal(prefixOf('/usr/bin'), '/usr');
    assert.equal(prefixOf('/usr/local/bin'), '/usr/local');
    assert.equal(prefixOf('/bin'), '');
  });
});

describe('createScriptLookup', () => {
  const dir = mkdtempSync(join(tmpdir(), 'afterpatch-lookup-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'usr', 'bin'), { recursive: true });
  mkdirSync(join(dir, 'opt', 'tool'), { recursive: true });
  writeFileSync(join(dir, 'opt', 'tool', 'tool.py'), 'import os\n'.repeat(100));
  symlinkSync('/opt/tool/tool.py', join(dir, 'usr', 'bin', 'tool'));
  symlinkSync('../opt/tool', join(dir, 'usr', 'tooldir'));
  symlinkSync('loop-b', join(dir, 'loop-a'));
  symlinkSync('loop-a', join(dir, 'loop-b'));
  const lookup = createScriptLookup(
    createProcessFiles(),
    { prefix: dir, cacheKey: 't' },
    createScriptParseCache(),
    64,
  );

  it('follows absolute links inside the root and relative links through directories', () => {
    assert.equal(lookup.realPath('/usr/bin/tool'), '/opt/tool/tool.py');
    assert.equal(lookup.realPath('/usr/tooldir/tool.py'), '/opt/tool/tool.py');
    assert.equal(lookup.realPath('/usr/bin/../tooldir/./tool.py'), '/opt/tool/tool.py');
    assert.equal(lookup.realPath('/opt/tool/missing'), '/opt/tool/missing');
  });

  it('gives up on a symlink loop instead of hanging', () => {
    assert.equal(lookup.realPath('/loop-a'), '/loop-a');
  });

  it('reads regular files only, bounded', () => {
    assert.equal(lookup.read('/opt/tool/tool.py')?.length, 64);
    assert.equal(lookup.read('/opt/tool'), undefined);
    assert.ok(lookup.file('/usr/bin/tool'));
    assert.equal(lookup.file('/opt/tool'), undefined);
    assert.deepEqual([...(lookup.list('/opt/tool') ?? [])], ['tool.py']);
    assert.equal(lookup.list('/opt/tool/tool.py'), undefined);
  });
});
