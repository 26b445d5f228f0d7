import assert from 'node:assert/strict';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { detectPackageManager, findRpmDbPath } from '../../../agent/packages/detect-package-manager.js';
import { findRpmProgram } from '../../../agent/packages/query-rpm-owners.js';
import { resolvePackages } from '../../../agent/packages/resolve-packages.js';

describe('resolvePackages', () => {
  it('does nothing without paths or without a package manager', async () => {
    const missingRoot = '/nonexistent/afterpatch-root';
    assert.deepEqual(await resolvePackages({ root: missingRoot, packageManager: 'dpkg', paths: [] }), {
      owners: new Map(),
      warnings: [],
    });
    assert.deepEqual(
      await resolvePackages({ root: missingRoot, packageManager: 'none', paths: ['/usr/bin/x'] }),
      {
        owners: new Map(),
        warnings: [],
      },
    );
    // Relative paths are not host paths: ignored rather than looked up.
    assert.deepEqual(
      await resolvePackages({ root: missingRoot, packageManager: 'dpkg', paths: ['usr/bin/x'] }),
      {
        owners: new Map(),
        warnings: [],
      },
    );
  });

  it('turns a missing database into warnings, never a throw', async () => {
    const dpkg = await resolvePackages({
      root: '/nonexistent/afterpatch-root',
      packageManager: 'dpkg',
      paths: ['/usr/bin/x'],
    });
    assert.equal(dpkg.owners.size, 0);
    assert.equal(dpkg.warnings.length, 1);
    const rpm = await resolvePackages({
      root: '/nonexistent/afterpatch-root',
      packageManager: 'rpm',
      paths: ['/usr/bin/x'],
    });
    assert.equal(rpm.owners.size, 0);
    assert.equal(rpm.warnings.length, 1);
  });
});

// Live: this machine's own dpkg database (Debian 12 in CI). The expected answer is read from the
// database files here with plain string handling, independently of the code under test.
function liveLibc(): { path: string; version: string; name: string } | undefined {
  if (!existsSync('/var/lib/dpkg/status')) return undefined;
  const info = '/var/lib/dpkg/info';
  const listFile = readdirSync(info).find((f) => /^libc6(:[a-z0-9]+)?\.list$/.test(f));
  if (!listFile) return undefined;
  const path = readFileSync(join(info, listFile), 'utf8')
    .split('\n')
    .find((line) => line.endsWith('/libc.so.6'));
  if (!path) return undefined;
  const arch = listFile.match(/^libc6:([a-z0-9]+)\.list$/)?.[1];
  const stanzas = readFileSync('/var/lib/dpkg/status', 'utf8')
    .split('\n\n')
    .filter((s) => /^Package: libc6$/m.test(s) && /^Status: \S+ ok installed$/m.test(s));
  const stanza = stanzas.find(
    (s) => arch === undefined || new RegExp(`^Architecture: ${arch}$`, 'm').test(s),
  );
  const version = stanza?.match(/^Version: (.+)$/m)?.[1];
  if (!version) return undefined;
  return { path, version, name: stanzas.length > 1 ? `libc6:${arch}` : 'libc6' };
}

describe('resolvePackages on this machine (dpkg)', () => {
  const libc = liveLibc();
  const skip = libc === undefined ? 'no dpkg database with libc6 on this machine' : false;

  it('names libc6 and its installed version for the path dpkg lists', { skip }, async () => {
    assert.equal(detectPackageManager('/'), 'dpkg');
    const { owners, warnings } = await resolvePackages({
      root: '/',
      packageManager: 'dpkg',
      paths: [libc!.path],
    });
    assert.deepEqual(warnings, []);
    assert.equal(owners.get(libc!.path)?.name, libc!.name);
    assert.equal(owners.get(libc!.path)?.installedVersion, libc!.version);
  });

  it('names libc6 for the path this process maps (merged /usr: /usr/lib/... vs /lib/...)', {
    skip,
  }, async () => {
    const mapped = readFileSync('/proc/self/maps', 'utf8')
      .split('\n')
      .map((line) => line.slice(line.indexOf('/')))
      .find((p) => p.startsWith('/') && p.endsWith('/libc.so.6'));
    const usrPath =
      libc!.path.startsWith('/lib/') && lstatSync('/lib').isSymbolicLink() ? `/usr${libc!.path}` : undefined;
    const paths = [mapped, usrPath].filter((p): p is string => p !== undefined);
    if (paths.length === 0) return; // a static Node with a split /usr: nothing more to try
    const { owners } = await resolvePackages({ root: '/', packageManager: 'dpkg', paths });
    for (const path of paths) {
      assert.equal(owners.get(path)?.name, libc!.name, path);
      assert.equal(owners.get(path)?.installedVersion, libc!.version, path);
    }
  });
});

describe('resolvePackages on this machine (rpm)', () => {
  const rpm = findRpmProgram();
  const skip =
    rpm === undefined
      ? 'rpm is not installed on this machine (/usr/bin/rpm, /bin/rpm)'
      : findRpmDbPath('/') === undefined
        ? 'no rpm database on this machine'
        : false;

  it('names the package of the rpm program itself', { skip }, async () => {
    const { owners, warnings } = await resolvePackages({ root: '/', packageManager: 'rpm', paths: [rpm!] });
    assert.deepEqual(warnings, []);
    assert.match(owners.get(rpm!)?.name ?? '', /^rpm/);
    assert.match(owners.get(rpm!)?.installedVersion ?? '', /^(\d+:)?[\w.~^+]+-[\w.~^+]+$/);
  });
});
