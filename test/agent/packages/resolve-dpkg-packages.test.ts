// A fake Debian root assembled from the fixtures: status, diversions, info/*.list, dpkg.log and
// dpkg.log.1, with a merged /usr.
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { resolveDpkgPackages } from '../../../agent/packages/resolve-dpkg-packages.js';
import { fixturePath } from '../../helpers/paths.js';

const base = mkdtempSync(join(tmpdir(), 'afterpatch-dpkgroot-'));
after(() => rmSync(base, { recursive: true, force: true }));

function makeRoot(name: string, options: { merged: boolean }): string {
  const root = join(base, name);
  const fixture = (file: string): string => fixturePath('packages', file);
  mkdirSync(join(root, 'var/lib/dpkg'), { recursive: true });
  mkdirSync(join(root, 'var/log'), { recursive: true });
  copyFileSync(fixture('dpkg-status.txt'), join(root, 'var/lib/dpkg/status'));
  copyFileSync(fixture('dpkg-diversions.txt'), join(root, 'var/lib/dpkg/diversions'));
  cpSync(fixture('dpkg-info'), join(root, 'var/lib/dpkg/info'), { recursive: true });
  copyFileSync(fixture('dpkg-log.txt'), join(root, 'var/log/dpkg.log'));
  copyFileSync(fixture('dpkg-log-1.txt'), join(root, 'var/log/dpkg.log.1'));
  // Compressed rotations are not read: this plain-text impostor must not count.
  writeFileSync(
    join(root, 'var/log/dpkg.log.2.gz'),
    '2023-11-01 08:00:00 upgrade bash:amd64 5.2.15-1 5.2.15-2+b8\n',
  );
  for (const dir of ['bin', 'sbin', 'lib', 'lib64']) {
    mkdirSync(join(root, 'usr', dir), { recursive: true });
    if (options.merged) symlinkSync(`usr/${dir}`, join(root, dir));
    else mkdirSync(join(root, dir));
  }
  mkdirSync(join(root, 'usr/lib/x86_64-linux-gnu'), { recursive: true });
  writeFileSync(join(root, 'usr/lib/x86_64-linux-gnu/libssl.so.3'), 'new');
  mkdirSync(join(root, 'usr/share/zoneinfo'), { recursive: true });
  symlinkSync('zoneinfo', join(root, 'usr/share/zoneinfo-link'));
  return root;
}

const merged = makeRoot('merged', { merged: true });
const local = (y: number, mo: number, d: number): number => new Date(y, mo - 1, d).getTime();

describe('resolveDpkgPackages on a fake merged-/usr root', () => {
  // The oldest stale process started on 20 January 2024, between the two libssl3 upgrades.
  const resolved = resolveDpkgPackages(
    merged,
    [
      '/usr/lib/x86_64-linux-gnu/libc.so.6',
      '/lib/i386-linux-gnu/libc.so.6',
      '/usr/lib/x86_64-linux-gnu/libssl.so.3',
      '/usr/lib/x86_64-linux-gnu/libcap.so.2.66',
      '/usr/bin/bash',
      '/usr/bin/dash',
      '/usr/bin/pg_config.libpq-dev',
      '/usr/bin/pg_config',
      '/usr/bin/bashbug',
      '/usr/bin/bashbug.dist',
      '/usr/lib/x86_64-linux-gnu/libbroken.so.1',
      '/usr/share/zoneinfo-link/UTC',
      '/opt/app/lib/libapp.so',
    ],
    local(2024, 1, 20),
  );

  it('finds a library the process maps under /usr that dpkg lists under /lib', async () => {
    const { owners, warnings } = await resolved;
    assert.deepEqual(warnings, []);
    // libc6 is installed for two architectures, so the name carries the architecture.
    assert.deepEqual(owners.get('/usr/lib/x86_64-linux-gnu/libc.so.6'), {
      name: 'libc6:amd64',
      source: 'glibc',
      installedVersion: '2.36-9+deb12u14',
      previousVersion: '2.36-9+deb12u10',
    });
    assert.deepEqual(owners.get('/lib/i386-linux-gnu/libc.so.6'), {
      name: 'libc6:i386',
      source: 'glibc',
      installedVersion: '2.36-9+deb12u14',
      previousVersion: '2.36-9+deb12u9',
    });
    assert.deepEqual(owners.get('/usr/lib/x86_64-linux-gnu/libcap.so.2.66'), {
      name: 'libcap2',
      installedVersion: '1:2.66-4+deb12u2+b2',
    });
    assert.deepEqual(owners.get('/usr/bin/bash'), { name: 'bash', installedVersion: '5.2.15-2+b8' });
  });

  it('takes the previous version from the first upgrade after the oldest process started', async () => {
    const { owners } = await resolved;
    assert.deepEqual(owners.get('/usr/lib/x86_64-linux-gnu/libssl.so.3'), {
      name: 'libssl3',
      source: 'openssl',
      installedVersion: '3.0.19-1~deb12u2',
      previousVersion: '3.0.11-1~deb12u2',
    });
    // dash was upgraded (dpkg.log.1) before that process started: nothing to say.
    assert.deepEqual(owners.get('/usr/bin/dash'), { name: 'dash', installedVersion: '0.5.12-2' });
  });

  it('follows diversions', async () => {
    const { owners } = await resolved;
    assert.equal(owners.get('/usr/bin/pg_config.libpq-dev')?.name, 'libpq-dev');
    assert.equal(owners.get('/usr/bin/pg_config')?.name, 'postgresql-common');
    // Locally diverted: the file in place is the administrator's; the package's moved aside.
    assert.equal(owners.has('/usr/bin/bashbug'), false);
    assert.equal(owners.get('/usr/bin/bashbug.dist')?.name, 'bash');
  });

  it('finds a deleted file through the real path of its directory', async () => {
    const { owners } = await resolved;
    assert.deepEqual(owners.get('/usr/share/zoneinfo-link/UTC'), {
      name: 'tzdata',
      installedVersion: '2025b-0+deb12u2',
      previousVersion: '2025a-0+deb12u1',
    });
  });

  it('gives no version for a half-installed package, and nothing for unknown files', async () => {
    const { owners } = await resolved;
    assert.deepEqual(owners.get('/usr/lib/x86_64-linux-gnu/libbroken.so.1'), { name: 'libbroken1' });
    assert.equal(owners.has('/opt/app/lib/libapp.so'), false);
    assert.equal(owners.size, 11);
  });

  it('reads dpkg.log.1 too, and takes the first upgrade after an older start', async () => {
    const { owners } = await resolveDpkgPackages(
      merged,
      ['/usr/bin/dash', '/usr/lib/x86_64-linux-gnu/libssl.so.3'],
      local(2023, 11, 1),
    );
    assert.equal(owners.get('/usr/bin/dash')?.previousVersion, '0.5.12-1');
    assert.equal(owners.get('/usr/lib/x86_64-linux-gnu/libssl.so.3')?.previousVersion, '3.0.11-1~deb12u1');
  });

  it('takes the most recent upgrade without a start time', async () => {
    const { owners } = await resolveDpkgPackages(merged, ['/usr/lib/x86_64-linux-gnu/libssl.so.3']);
    assert.equal(owners.get('/usr/lib/x86_64-linux-gnu/libssl.so.3')?.previousVersion, '3.0.11-1~deb12u2');
  });
});

describe('resolveDpkgPackages on a split /usr', () => {
  it('does not alias /usr/bin to /bin: they are different files there', async () => {
    const split = makeRoot('split', { merged: false });
    const { owners } = await resolveDpkgPackages(split, ['/usr/bin/bash', '/bin/bash']);
    assert.equal(owners.has('/usr/bin/bash'), false);
    assert.equal(owners.get('/bin/bash')?.name, 'bash');
  });
});

describe('resolveDpkgPackages with a damaged database', () => {
  it('warns about an unreadable status file and log, and still names the owners', async () => {
    const root = makeRoot('damaged', { merged: true });
    rmSync(join(root, 'var/lib/dpkg/status'));
    mkdirSync(join(root, 'var/lib/dpkg/status'));
    rmSync(join(root, 'var/log/dpkg.log'));
    mkdirSync(join(root, 'var/log/dpkg.log'));
    const { owners, warnings } = await resolveDpkgPackages(root, ['/usr/bin/bash']);
    assert.deepEqual(owners.get('/usr/bin/bash'), { name: 'bash' });
    assert.equal(warnings.length, 2);
    assert.match(warnings[0] ?? '', /cannot read .*\/var\/lib\/dpkg\/status: EINVAL/);
    assert.match(warnings[1] ?? '', /cannot read .*\/var\/log\/dpkg\.log: EINVAL/);
  });

  it('warns when the info directory is missing', async () => {
    const root = makeRoot('no-info', { merged: true });
    rmSync(join(root, 'var/lib/dpkg/info'), { recursive: true });
    const { owners, warnings } = await resolveDpkgPackages(root, ['/usr/bin/bash']);
    assert.equal(owners.size, 0);
    assert.match(warnings[0] ?? '', /cannot list .*info: ENOENT/);
  });
});
