import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type PackageUpgrade,
  selectPreviousVersion,
  upgradesOf,
} from '../../../agent/packages/package-upgrade.js';

const T0 = Date.UTC(2024, 0, 1);
const HOUR = 3_600_000;

function upgrade(oldVersion: string, newVersion: string, hours: number, arch = 'amd64'): PackageUpgrade {
  return {
    name: 'libssl3',
    arch,
    oldVersion,
    newVersion,
    atMs: T0 + hours * HOUR,
    replacedAtMs: T0 + hours * HOUR + 3000,
  };
}

// 3.0.11 -> 3.0.12 at T0+10h, 3.0.12 -> 3.0.13 at T0+20h (listed out of order on purpose).
const history = [upgrade('3.0.12', '3.0.13', 20), upgrade('3.0.11', '3.0.12', 10)];

describe('selectPreviousVersion', () => {
  it('without a start time, takes the most recent upgrade', () => {
    assert.equal(selectPreviousVersion(history), '3.0.12');
  });

  it('for a process older than both upgrades, takes the first upgrade after its start', () => {
    assert.equal(selectPreviousVersion(history, T0), '3.0.11');
  });

  it('for a process started between the upgrades, takes the later one', () => {
    assert.equal(selectPreviousVersion(history, T0 + 15 * HOUR), '3.0.12');
  });

  it('gives nothing when every upgrade predates the process', () => {
    assert.equal(selectPreviousVersion(history, T0 + 30 * HOUR), undefined);
    assert.equal(selectPreviousVersion([], T0), undefined);
    assert.equal(selectPreviousVersion([]), undefined);
  });

  it('counts an upgrade whose files were replaced within the same second the process started', () => {
    const u = upgrade('1', '2', 10);
    assert.equal(selectPreviousVersion([u], u.replacedAtMs + 999), '1');
    assert.equal(selectPreviousVersion([u], u.replacedAtMs + 1000), undefined);
  });

  it('uses the time the files were replaced, not the time the upgrade began', () => {
    const slow: PackageUpgrade = { ...upgrade('1', '2', 10), replacedAtMs: T0 + 10 * HOUR + 60_000 };
    // Started while the package was still unpacking: it loaded the old files.
    assert.equal(selectPreviousVersion([slow], T0 + 10 * HOUR + 30_000), '1');
  });
});

describe('upgradesOf', () => {
  it('matches name and architecture; an entry without architecture matches any', () => {
    const all: PackageUpgrade[] = [
      upgrade('a', 'b', 1, 'amd64'),
      upgrade('c', 'd', 2, 'i386'),
      { ...upgrade('e', 'f', 3), arch: undefined },
      { ...upgrade('g', 'h', 4), name: 'other' },
    ];
    assert.deepEqual(
      upgradesOf(all, 'libssl3', 'amd64').map((u) => u.oldVersion),
      ['a', 'e'],
    );
    assert.deepEqual(
      upgradesOf(all, 'libssl3').map((u) => u.oldVersion),
      ['a', 'c', 'e'],
    );
  });
});
