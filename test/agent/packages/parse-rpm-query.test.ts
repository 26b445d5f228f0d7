import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parsePackageLine, parseRpmQuery, withEpoch } from '../../../agent/packages/parse-rpm-query.js';
import { fixturePath } from '../../helpers/paths.js';

// Captured from rpm 4.18 (see test/fixtures/packages/README.md): /usr/share/demo/shared.txt has
// two owners, /usr/bin/notowned and /nonexistent/x do not exist, /etc/hostname is not owned.
const stdout = readFileSync(fixturePath('packages', 'rpm-qf-stdout.txt'), 'utf8');
const stderr = readFileSync(fixturePath('packages', 'rpm-qf-stderr.txt'), 'utf8');
const capturedPaths = [
  '/usr/lib64/libssl.so.3',
  '/usr/bin/notowned',
  '/usr/share/demo/shared.txt',
  '/usr/sbin/nginx',
  '/nonexistent/x',
  '/etc/hostname',
  '/usr/lib64/libssl.so.3',
];
const openssl = { name: 'openssl-libs', version: '1:3.0.7-25.el9', arch: 'x86_64' };
const nginx = { name: 'nginx-core', version: '1.20.1-14.el9', arch: 'x86_64' };

describe('parseRpmQuery', () => {
  it('refuses to guess when a file has two owners (more answers than paths)', () => {
    assert.deepEqual(parseRpmQuery(capturedPaths, stdout, stderr), {
      owners: new Map(),
      consistent: false,
      errors: [],
    });
  });

  it('matches answers to paths by position, skipping the paths rpm complains about', () => {
    // The same output without the doubly-owned file: what rpm prints for those six paths.
    const paths = capturedPaths.filter((p) => p !== '/usr/share/demo/shared.txt');
    const out = stdout.split('\n');
    out.splice(1, 2); // shared.txt's two lines
    const result = parseRpmQuery(paths, out.join('\n'), stderr);
    assert.equal(result.consistent, true);
    assert.deepEqual(Object.fromEntries(result.owners), {
      '/usr/lib64/libssl.so.3': openssl,
      '/usr/sbin/nginx': nginx,
    });
  });

  it('gives a single path its first owner, whatever rpm printed', () => {
    const result = parseRpmQuery(
      ['/usr/share/demo/shared.txt'],
      `${nginx.name}\t(none)\t1.20.1-14.el9\tx86_64\nopenssl-libs\t1\t3.0.7-25.el9\tx86_64\n`,
      '',
    );
    assert.deepEqual(result, {
      owners: new Map([['/usr/share/demo/shared.txt', nginx]]),
      consistent: true,
      errors: [],
    });
    assert.deepEqual(
      parseRpmQuery(['/etc/hostname'], 'file /etc/hostname is not owned by any package\n', ''),
      {
        owners: new Map(),
        consistent: true,
        errors: [],
      },
    );
  });

  it('knows that no answer line means no owner, even when rpm says nothing about the paths', () => {
    assert.deepEqual(parseRpmQuery(['/a', '/b', '/c'], '', ''), {
      owners: new Map(),
      consistent: true,
      errors: [],
    });
  });

  it("collects rpm's own errors (here from a database that is not one)", () => {
    const err = [
      'error: file /usr/bin/x: No such file or directory',
      "error: sqlite failure: CREATE TABLE IF NOT EXISTS 'Packages' (hnum INTEGER PRIMARY KEY AUTOINCREMENT,blob BLOB NOT NULL): file is not a database",
      'error: cannot open Packages database in /srv/root/var/lib/rpm',
      '',
    ].join('\n');
    const result = parseRpmQuery(
      ['/etc/hostname', '/usr/bin/x'],
      'file /etc/hostname is not owned by any package\n',
      err,
    );
    assert.equal(result.consistent, true);
    assert.equal(result.owners.size, 0);
    assert.deepEqual(result.errors, err.split('\n').slice(1, 3));
  });

  it('recognises complaints on either stream, and paths with spaces or colons', () => {
    const paths = ['/opt/a b/lib: x.so', '/usr/lib64/libssl.so.3'];
    const result = parseRpmQuery(
      paths,
      'openssl-libs\t1\t3.0.7-25.el9\tx86_64\n',
      'error: file /opt/a b/lib: x.so: No such file or directory\n',
    );
    assert.equal(result.consistent, true);
    assert.deepEqual([...result.owners.keys()], ['/usr/lib64/libssl.so.3']);
  });
});

describe('parsePackageLine', () => {
  it('reads name, epoch, version-release and arch', () => {
    assert.deepEqual(parsePackageLine('openssl-libs\t1\t3.0.7-25.el9\tx86_64'), openssl);
    assert.deepEqual(parsePackageLine('nginx-core\t(none)\t1.20.1-14.el9\tx86_64'), nginx);
  });

  it('accepts the three-field format without arch', () => {
    assert.deepEqual(parsePackageLine('bash\t(none)\t5.1.8-6.el9'), { name: 'bash', version: '5.1.8-6.el9' });
  });

  it('rejects anything else', () => {
    for (const line of [
      '',
      'file /x is not owned by any package',
      'a\tb',
      'a\tnot-an-epoch\t1-1',
      '\t1\t1-1',
      'a\t1\t1-1\tx\ty',
    ]) {
      assert.equal(parsePackageLine(line), undefined, line);
    }
  });
});

describe('withEpoch', () => {
  it('omits a missing or zero epoch, as dnf does', () => {
    assert.equal(withEpoch('(none)', '1.0-1'), '1.0-1');
    assert.equal(withEpoch('0', '1.0-1'), '1.0-1');
    assert.equal(withEpoch('2', '1.0-1'), '2:1.0-1');
  });
});
