import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findOpenJars } from '../../../agent/scripts/java-jars.js';

describe('findOpenJars', () => {
  it('keeps jar paths and tells deleted ones', () => {
    const jars = findOpenJars([
      { fd: '0', target: '/dev/null' },
      { fd: '3', target: '/usr/lib/jvm/java-17/lib/modules' },
      { fd: '4', target: '/opt/app/lib/app.jar' },
      { fd: '5', target: '/opt/app/lib/guava-32.jar (deleted)' },
      { fd: '6', target: 'socket:[12345]' },
      { fd: '7', target: 'pipe:[999]' },
      { fd: '8', target: 'anon_inode:[eventpoll]' },
      { fd: '9', target: '/opt/app/lib/UPPER.JAR' },
      { fd: '10', target: '/opt/app/data/report.jar.tmp' },
      { fd: '11', target: '/memfd:foo.jar (deleted)' },
      { fd: '12', target: '/opt/app/dir with space/x.jar' },
    ]);
    assert.deepEqual(jars, [
      { fd: '4', path: '/opt/app/lib/app.jar', deleted: false },
      { fd: '5', path: '/opt/app/lib/guava-32.jar', deleted: true },
      { fd: '9', path: '/opt/app/lib/UPPER.JAR', deleted: false },
      { fd: '12', path: '/opt/app/dir with space/x.jar', deleted: false },
    ]);
  });

  it('reports a jar opened twice once, and an old and a new copy of one path separately', () => {
    const jars = findOpenJars([
      { fd: '4', target: '/opt/a.jar' },
      { fd: '7', target: '/opt/a.jar' },
      { fd: '9', target: '/opt/a.jar (deleted)' },
    ]);
    assert.deepEqual(jars, [
      { fd: '4', path: '/opt/a.jar', deleted: false },
      { fd: '9', path: '/opt/a.jar', deleted: true },
    ]);
  });

  it('returns nothing for no descriptors', () => assert.deepEqual(findOpenJars([]), []));
});
