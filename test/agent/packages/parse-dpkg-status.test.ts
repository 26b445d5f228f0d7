import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  findDpkgPackage,
  indexDpkgPackages,
  parseDpkgStatus,
  splitPackageArch,
} from '../../../agent/packages/parse-dpkg-status.js';
import { fixturePath } from '../../helpers/paths.js';

const text = readFileSync(fixturePath('packages', 'dpkg-status.txt'), 'utf8');

describe('parseDpkgStatus', () => {
  const packages = parseDpkgStatus(text);

  it('reads every stanza with its name, architecture, version and status', () => {
    assert.equal(packages.length, 11);
    assert.deepEqual(
      packages.find((p) => p.name === 'libssl3'),
      {
        name: 'libssl3',
        arch: 'amd64',
        version: '3.0.19-1~deb12u2',
        source: 'openssl',
        status: 'install ok installed',
        filesPresent: true,
      },
    );
  });

  it('keeps the epoch and ignores continuation lines that look like fields', () => {
    assert.equal(packages.find((p) => p.name === 'libcap2')?.version, '1:2.66-4+deb12u2+b2');
    const bash = packages.find((p) => p.name === 'bash');
    assert.equal(bash?.version, '5.2.15-2+b8');
    // `Source: bash (5.2.15-2)` names the package itself: no separate source.
    assert.equal(bash?.source, undefined);
  });

  it('reads the source name without its version', () => {
    assert.equal(packages.find((p) => p.name === 'libcap2')?.source, undefined);
    assert.equal(packages.find((p) => p.name === 'libpq-dev')?.source, 'postgresql-15');
  });

  it('marks packages whose files are not (fully) on disk', () => {
    assert.equal(packages.find((p) => p.name === 'libbroken1')?.filesPresent, false);
    assert.equal(packages.find((p) => p.name === 'oldtool')?.filesPresent, false);
    assert.equal(packages.find((p) => p.name === 'oldtool')?.status, 'deinstall ok config-files');
  });

  it('accepts every state that has the new files unpacked', () => {
    for (const state of [
      'installed',
      'unpacked',
      'half-configured',
      'triggers-awaited',
      'triggers-pending',
    ]) {
      const [pkg] = parseDpkgStatus(`Package: a\nStatus: install ok ${state}\nVersion: 1\n`);
      assert.equal(pkg?.filesPresent, true, state);
    }
  });

  it('handles CRLF line ends, a missing final newline and blank-looking separators', () => {
    const parsed = parseDpkgStatus(
      'Package: a\r\nStatus: install ok installed\r\nVersion: 1\r\n \r\nPackage: b\nVersion: 2',
    );
    assert.deepEqual(
      parsed.map((p) => [p.name, p.version, p.filesPresent]),
      [
        ['a', '1', true],
        ['b', '2', false],
      ],
    );
  });

  it('returns nothing for empty or unrelated text', () => {
    assert.deepEqual(parseDpkgStatus(''), []);
    assert.deepEqual(parseDpkgStatus('hello\nworld\n'), []);
  });
});

describe('findDpkgPackage', () => {
  const index = indexDpkgPackages(parseDpkgStatus(text));

  it('picks the architecture named by a pkg:arch .list file', () => {
    assert.equal(findDpkgPackage(index, 'libc6:i386')?.arch, 'i386');
    assert.equal(findDpkgPackage(index, 'libc6:amd64')?.arch, 'amd64');
    assert.equal(findDpkgPackage(index, 'libc6:arm64'), undefined);
  });

  it('finds a package by its bare .list name', () => {
    assert.equal(findDpkgPackage(index, 'postgresql-common')?.version, '248+deb12u2');
    assert.equal(findDpkgPackage(index, 'unknown'), undefined);
  });
});

describe('splitPackageArch', () => {
  it('splits at the colon', () => {
    assert.deepEqual(splitPackageArch('libssl3:amd64'), { name: 'libssl3', arch: 'amd64' });
    assert.deepEqual(splitPackageArch('bash'), { name: 'bash' });
  });
});
