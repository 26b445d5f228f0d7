import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseDpkgLog } from '../../../agent/packages/parse-dpkg-log.js';
import { fixturePath } from '../../helpers/paths.js';

// dpkg writes local time; the expected values are built the same way so that the test holds in
// any time zone.
const local = (y: number, mo: number, d: number, h: number, mi: number, s: number): number =>
  new Date(y, mo - 1, d, h, mi, s).getTime();

describe('parseDpkgLog', () => {
  const upgrades = parseDpkgLog(readFileSync(fixturePath('packages', 'dpkg-log.txt'), 'utf8'));

  it('reads upgrade lines only: not installs, removals, configures or other lines', () => {
    assert.deepEqual(
      upgrades.map((u) => `${u.name}:${u.arch} ${u.oldVersion} -> ${u.newVersion}`),
      [
        'libssl3:amd64 3.0.11-1~deb12u1 -> 3.0.11-1~deb12u2',
        'libssl3:amd64 3.0.11-1~deb12u2 -> 3.0.19-1~deb12u2',
        'libc6:amd64 2.36-9+deb12u10 -> 2.36-9+deb12u14',
        'libc6:i386 2.36-9+deb12u9 -> 2.36-9+deb12u14',
        'tzdata:all 2025a-0+deb12u1 -> 2025b-0+deb12u2',
      ],
    );
  });

  it('reads times as local time, and the replacement time from the new version being unpacked', () => {
    const [first, second] = upgrades;
    assert.equal(first?.atMs, local(2024, 1, 10, 9, 0, 1));
    // `status unpacked libssl3:amd64 3.0.11-1~deb12u1` (the OLD version) must not count.
    assert.equal(first?.replacedAtMs, local(2024, 1, 10, 9, 0, 3));
    assert.equal(second?.atMs, local(2024, 2, 1, 10, 0, 0));
    assert.equal(second?.replacedAtMs, local(2024, 2, 1, 10, 0, 5));
  });

  it('keeps the upgrade time when no unpacked line follows (log cut short)', () => {
    const [u] = parseDpkgLog('2024-03-01 12:00:00 upgrade foo:amd64 1.0 1.1\n');
    assert.equal(u?.replacedAtMs, local(2024, 3, 1, 12, 0, 0));
  });

  it('accepts pre-multiarch lines without an architecture', () => {
    assert.deepEqual(parseDpkgLog('2011-05-01 08:00:00 upgrade libc6 2.11.2-10 2.11.2-11\n'), [
      {
        name: 'libc6',
        oldVersion: '2.11.2-10',
        newVersion: '2.11.2-11',
        atMs: local(2011, 5, 1, 8, 0, 0),
        replacedAtMs: local(2011, 5, 1, 8, 0, 0),
      },
    ]);
  });

  it('ignores malformed lines', () => {
    assert.deepEqual(
      parseDpkgLog(
        [
          '2024-03-01 12:00:00 upgrade foo:amd64 1.0', // a version missing
          '2024-03-01 upgrade foo:amd64 1.0 1.1', // no time
          'upgrade foo:amd64 1.0 1.1',
          '2024-03-01 12:00:00 upgrade foo:amd64 <none> 1.1',
          '',
        ].join('\n'),
      ),
      [],
    );
  });
});
