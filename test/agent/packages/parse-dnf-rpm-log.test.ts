import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseDnfRpmLog, parseNevra } from '../../../agent/packages/parse-dnf-rpm-log.js';
import { fixturePath } from '../../helpers/paths.js';

describe('parseDnfRpmLog', () => {
  const upgrades = parseDnfRpmLog(readFileSync(fixturePath('packages', 'dnf-rpm-log.txt'), 'utf8'));

  it('reads the packages that upgrades, downgrades and reinstalls replaced', () => {
    assert.deepEqual(
      upgrades.map((u) => `${u.name}.${u.arch} ${u.oldVersion}`),
      [
        'openssl-libs.x86_64 1:3.0.7-24.el9',
        'glibc.i686 2.34-60.el9',
        'glibc.x86_64 2.34-83.el9',
        'openssl-libs.x86_64 1:3.0.7-25.el9',
        'nginx-core.x86_64 1:1.20.1-14.el9',
        'bash.x86_64 5.1.8-6.el9',
        'tzdata.noarch 2023c-1.el9',
      ],
    );
  });

  it('applies the time zone written in the log', () => {
    assert.equal(upgrades[0]?.atMs, Date.UTC(2024, 0, 15, 8, 12, 41));
    assert.equal(upgrades[3]?.atMs, Date.UTC(2024, 1, 1, 9, 0, 0)); // +0100
    assert.equal(upgrades[6]?.atMs, Date.UTC(2024, 1, 1, 10, 0, 5)); // Z
    assert.equal(upgrades[0]?.replacedAtMs, upgrades[0]?.atMs);
  });

  it('reads a time without zone as local time', () => {
    const [u] = parseDnfRpmLog('2024-02-01T10:00:00 SUBDEBUG Upgraded: a-1-1.noarch\n');
    assert.equal(u?.atMs, new Date(2024, 1, 1, 10, 0, 0).getTime());
  });
});

describe('parseNevra', () => {
  it('splits name, [epoch:]version-release and arch', () => {
    assert.deepEqual(parseNevra('openssl-libs-1:3.0.7-24.el9.x86_64'), {
      name: 'openssl-libs',
      version: '1:3.0.7-24.el9',
      arch: 'x86_64',
    });
    assert.deepEqual(parseNevra('python3-libs-3.9.18-1.el9_3.1.x86_64'), {
      name: 'python3-libs',
      version: '3.9.18-1.el9_3.1',
      arch: 'x86_64',
    });
    assert.deepEqual(parseNevra('tzdata-0:2024a-1.fc40.noarch'), {
      name: 'tzdata',
      version: '2024a-1.fc40',
      arch: 'noarch',
    });
  });

  it('rejects what is not a NEVRA', () => {
    for (const s of ['not-a-nevra', 'noarch', 'a-1.x86_64', '-1-1.x86_64'])
      assert.equal(parseNevra(s), undefined, s);
  });
});
