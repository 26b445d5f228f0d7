import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { detectUsrMerge, usrMergeAliases } from '../../../agent/packages/usr-merge.js';

const base = mkdtempSync(join(tmpdir(), 'afterpatch-usrmerge-'));
after(() => rmSync(base, { recursive: true, force: true }));

describe('detectUsrMerge', () => {
  it('finds the directories linked into /usr (Debian 12)', () => {
    const root = join(base, 'debian');
    for (const dir of ['bin', 'sbin', 'lib', 'lib64']) {
      mkdirSync(join(root, 'usr', dir), { recursive: true });
      symlinkSync(`usr/${dir}`, join(root, dir));
    }
    assert.deepEqual([...detectUsrMerge(root)].sort(), ['bin', 'lib', 'lib64', 'sbin']);
  });

  it('follows chains such as Fedora’s /sbin -> usr/sbin -> bin', () => {
    const root = join(base, 'fedora');
    mkdirSync(join(root, 'usr/bin'), { recursive: true });
    symlinkSync('bin', join(root, 'usr/sbin'));
    symlinkSync('usr/bin', join(root, 'bin'));
    symlinkSync('usr/sbin', join(root, 'sbin'));
    assert.deepEqual([...detectUsrMerge(root)].sort(), ['bin', 'sbin']);
  });

  it('finds nothing on a split /usr', () => {
    const root = join(base, 'split');
    for (const dir of ['bin', 'lib', 'usr/bin', 'usr/lib']) mkdirSync(join(root, dir), { recursive: true });
    assert.deepEqual([...detectUsrMerge(root)], []);
  });
});

describe('usrMergeAliases', () => {
  const merged = new Set(['bin', 'sbin', 'lib', 'lib64']);

  it('maps /usr/X/... to /X/... and back', () => {
    assert.deepEqual(usrMergeAliases('/usr/lib/x86_64-linux-gnu/libc.so.6', merged), [
      '/lib/x86_64-linux-gnu/libc.so.6',
    ]);
    assert.deepEqual(usrMergeAliases('/lib/x86_64-linux-gnu/libc.so.6', merged), [
      '/usr/lib/x86_64-linux-gnu/libc.so.6',
    ]);
    assert.deepEqual(usrMergeAliases('/usr/bin/bash', merged), ['/bin/bash']);
    assert.deepEqual(usrMergeAliases('/sbin/ldconfig', merged), ['/usr/sbin/ldconfig']);
    assert.deepEqual(usrMergeAliases('/lib64/ld-linux-x86-64.so.2', merged), [
      '/usr/lib64/ld-linux-x86-64.so.2',
    ]);
  });

  it('leaves directories that are not merged, and look-alike names', () => {
    assert.deepEqual(usrMergeAliases('/usr/lib32/libc.so.6', merged), []);
    assert.deepEqual(usrMergeAliases('/usr/libexec/foo', merged), []);
    assert.deepEqual(usrMergeAliases('/library/x', merged), []);
    assert.deepEqual(usrMergeAliases('/usr/local/bin/x', merged), []);
    assert.deepEqual(usrMergeAliases('/opt/bin/x', merged), []);
    assert.deepEqual(usrMergeAliases('/usr/bin/bash', new Set()), []);
  });
});
