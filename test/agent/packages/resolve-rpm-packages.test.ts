import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { RpmRunner } from '../../../agent/packages/query-rpm-owners.js';
import { resolveRpmPackages } from '../../../agent/packages/resolve-rpm-packages.js';
import { fixturePath } from '../../helpers/paths.js';

const root = mkdtempSync(join(tmpdir(), 'afterpatch-rpmroot-'));
after(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(join(root, 'usr/lib/sysimage/rpm'), { recursive: true });
writeFileSync(join(root, 'usr/lib/sysimage/rpm/rpmdb.sqlite'), '');
mkdirSync(join(root, 'usr/lib64'), { recursive: true });
mkdirSync(join(root, 'usr/bin'), { recursive: true });
symlinkSync('usr/lib64', join(root, 'lib64'));
symlinkSync('usr/bin', join(root, 'bin'));
mkdirSync(join(root, 'var/log'), { recursive: true });
copyFileSync(fixturePath('packages', 'dnf-rpm-log.txt'), join(root, 'var/log/dnf.rpm.log'));

// The rpm program is the boundary: this one knows three files of the test root's database.
const DB: Record<string, string> = {
  '/usr/lib64/libssl.so.3': 'openssl-libs\t1\t3.0.7-27.el9\tx86_64',
  '/usr/lib64/libc.so.6': 'glibc\t(none)\t2.34-100.el9\tx86_64',
  '/bin/bash': 'bash\t(none)\t5.1.8-6.el9\tx86_64',
};
const calls: string[][] = [];
const run: RpmRunner = async (args) => {
  calls.push([...args]);
  const paths = args.slice(args.indexOf('--qf') + 2);
  return {
    stdout: paths.map((p) => (DB[p] ? `${DB[p]}\n` : `file ${p} is not owned by any package\n`)).join(''),
    stderr: '',
  };
};

describe('resolveRpmPackages', () => {
  it('names owner, installed and previous version, trying the other names of unowned files', async () => {
    calls.length = 0;
    const { owners, warnings } = await resolveRpmPackages(
      root,
      ['/usr/lib64/libssl.so.3', '/lib64/libc.so.6', '/usr/bin/bash', '/opt/local.so'],
      Date.UTC(2024, 0, 1),
      run,
    );
    assert.deepEqual(warnings, []);
    assert.deepEqual(Object.fromEntries(owners), {
      // Upgraded twice since the process started: it still runs the first version.
      '/usr/lib64/libssl.so.3': {
        name: 'openssl-libs',
        installedVersion: '1:3.0.7-27.el9',
        previousVersion: '1:3.0.7-24.el9',
      },
      // Found through the canonical path; the log names the i686 and x86_64 twins apart.
      '/lib64/libc.so.6': { name: 'glibc', installedVersion: '2.34-100.el9', previousVersion: '2.34-83.el9' },
      '/usr/bin/bash': { name: 'bash', installedVersion: '5.1.8-6.el9', previousVersion: '5.1.8-6.el9' },
    });
    assert.equal(calls.length, 2);
    assert.deepEqual(calls[0]?.slice(0, 4), ['--root', root, '--dbpath', '/usr/lib/sysimage/rpm']);
    assert.deepEqual(calls[1]?.slice(7).sort(), ['/bin/bash', '/usr/lib64/libc.so.6']);
  });

  it('takes the most recent upgrade when no start time is given', async () => {
    const { owners } = await resolveRpmPackages(root, ['/usr/lib64/libssl.so.3'], undefined, run);
    assert.equal(owners.get('/usr/lib64/libssl.so.3')?.previousVersion, '1:3.0.7-25.el9');
  });

  it('warns instead of throwing when there is no database', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'afterpatch-rpmempty-'));
    try {
      const { owners, warnings } = await resolveRpmPackages(
        empty,
        ['/usr/lib64/libssl.so.3'],
        undefined,
        run,
      );
      assert.equal(owners.size, 0);
      assert.match(warnings[0] ?? '', /no rpm database/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
