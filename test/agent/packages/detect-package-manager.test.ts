import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { detectPackageManager, findRpmDbPath } from '../../../agent/packages/detect-package-manager.js';

const base = mkdtempSync(join(tmpdir(), 'afterpatch-pm-'));
after(() => rmSync(base, { recursive: true, force: true }));

function makeRoot(name: string, files: string[], dirs: string[] = []): string {
  const root = join(base, name);
  mkdirSync(root, { recursive: true });
  for (const dir of dirs) mkdirSync(join(root, dir), { recursive: true });
  for (const file of files) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), '');
  }
  return root;
}

describe('detectPackageManager', () => {
  it('finds dpkg by its status file', () => {
    assert.equal(detectPackageManager(makeRoot('deb', ['var/lib/dpkg/status'])), 'dpkg');
  });

  it('finds rpm by a database in /var/lib/rpm or /usr/lib/sysimage/rpm', () => {
    const el9 = makeRoot('el9', ['var/lib/rpm/rpmdb.sqlite']);
    assert.equal(detectPackageManager(el9), 'rpm');
    assert.equal(findRpmDbPath(el9), '/var/lib/rpm');
    const fedora = makeRoot('fedora', ['usr/lib/sysimage/rpm/rpmdb.sqlite']);
    assert.equal(detectPackageManager(fedora), 'rpm');
    assert.equal(findRpmDbPath(fedora), '/usr/lib/sysimage/rpm');
    assert.equal(detectPackageManager(makeRoot('el7', ['var/lib/rpm/Packages'])), 'rpm');
    assert.equal(detectPackageManager(makeRoot('suse', ['usr/lib/sysimage/rpm/Packages.db'])), 'rpm');
  });

  it('does not count an empty rpm directory (the rpm tool installed on Debian)', () => {
    assert.equal(detectPackageManager(makeRoot('empty-rpm', [], ['var/lib/rpm'])), 'none');
  });

  it('prefers dpkg when both are present', () => {
    assert.equal(
      detectPackageManager(makeRoot('both', ['var/lib/dpkg/status', 'var/lib/rpm/rpmdb.sqlite'])),
      'dpkg',
    );
  });

  it('says none for a root without a database, or a missing root', () => {
    assert.equal(detectPackageManager(makeRoot('bare', [], ['etc'])), 'none');
    assert.equal(detectPackageManager(join(base, 'does-not-exist')), 'none');
    assert.equal(findRpmDbPath(join(base, 'does-not-exist')), undefined);
  });
});
