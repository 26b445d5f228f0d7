import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { resolveUnderRoot } from '../../../agent/packages/resolve-under-root.js';

const root = mkdtempSync(join(tmpdir(), 'afterpatch-root-'));
after(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(join(root, 'usr/lib/x86_64-linux-gnu'), { recursive: true });
mkdirSync(join(root, 'usr/lib/jvm/java-17/lib'), { recursive: true });
writeFileSync(join(root, 'usr/lib/x86_64-linux-gnu/libc.so.6'), '');
symlinkSync('usr/lib', join(root, 'lib')); // relative, as Debian makes it
symlinkSync('/usr/lib/jvm/java-17', join(root, 'usr/lib/jvm/default-java')); // absolute
symlinkSync('../../../../..', join(root, 'usr/lib/jvm/java-17/lib/escape')); // climbs above the root
symlinkSync('loop-b', join(root, 'loop-a'));
symlinkSync('loop-a', join(root, 'loop-b'));

describe('resolveUnderRoot', () => {
  it('resolves relative links', () => {
    assert.equal(
      resolveUnderRoot(root, '/lib/x86_64-linux-gnu/libc.so.6'),
      '/usr/lib/x86_64-linux-gnu/libc.so.6',
    );
  });

  it('resolves absolute links inside the root, never on the scanning host', () => {
    assert.equal(resolveUnderRoot(root, '/usr/lib/jvm/default-java/lib'), '/usr/lib/jvm/java-17/lib');
  });

  it('keeps `..` from climbing above the root', () => {
    assert.equal(resolveUnderRoot(root, '/usr/lib/jvm/java-17/lib/escape/lib'), '/usr/lib');
    assert.equal(resolveUnderRoot(root, '/../../lib/./x86_64-linux-gnu'), '/usr/lib/x86_64-linux-gnu');
  });

  it('resolves the parent of a deleted file and keeps its name', () => {
    assert.equal(
      resolveUnderRoot(root, '/lib/x86_64-linux-gnu/libssl.so.3'),
      '/usr/lib/x86_64-linux-gnu/libssl.so.3',
    );
  });

  it('gives up on a missing directory or a link loop', () => {
    assert.equal(resolveUnderRoot(root, '/opt/app/lib.so'), undefined);
    assert.equal(resolveUnderRoot(root, '/loop-a/x'), undefined);
  });

  it('returns / for the root itself', () => {
    assert.equal(resolveUnderRoot(root, '/'), '/');
  });
});
