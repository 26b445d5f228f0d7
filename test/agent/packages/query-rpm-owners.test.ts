import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  createRpmRunner,
  findRpmProgram,
  queryRpmOwners,
  RPM_LIMITS,
  RPM_QUERY_FORMAT,
  type RpmRunner,
} from '../../../agent/packages/query-rpm-owners.js';

/**
 * Stands in for the rpm program (the process boundary): answers -qf the way rpm 4.18 does,
 * one line per owner on stdout, "not owned" on stdout, missing files on stderr.
 */
function fakeRpm(
  db: Record<string, string[]>,
  existing: string[] = [],
): { run: RpmRunner; calls: string[][] } {
  const calls: string[][] = [];
  const run: RpmRunner = async (args) => {
    calls.push([...args]);
    const paths = args.slice(args.indexOf('--qf') + 2);
    let stdout = '';
    let stderr = '';
    for (const path of paths) {
      const owners = db[path];
      if (owners) stdout += owners.map((o) => `${o}\n`).join('');
      else if (existing.includes(path)) stdout += `file ${path} is not owned by any package\n`;
      else stderr += `error: file ${path}: No such file or directory\n`;
    }
    return { stdout, stderr };
  };
  return { run, calls };
}

const SSL = 'openssl-libs\t1\t3.0.7-25.el9\tx86_64';
const NGINX = 'nginx-core\t(none)\t1.20.1-14.el9\tx86_64';

describe('queryRpmOwners', () => {
  it('asks once for a batch and passes root, database and format as separate arguments', async () => {
    const { run, calls } = fakeRpm({ '/usr/lib64/libssl.so.3': [SSL], '/usr/sbin/nginx': [NGINX] }, [
      '/etc/hostname',
    ]);
    const { owners, warnings } = await queryRpmOwners(
      '/srv/capture',
      '/var/lib/rpm',
      ['/usr/lib64/libssl.so.3', '/etc/hostname', '/gone', '/usr/sbin/nginx'],
      run,
    );
    assert.deepEqual(calls, [
      [
        '--root',
        '/srv/capture',
        '--dbpath',
        '/var/lib/rpm',
        '-qf',
        '--qf',
        RPM_QUERY_FORMAT,
        '/usr/lib64/libssl.so.3',
        '/etc/hostname',
        '/gone',
        '/usr/sbin/nginx',
      ],
    ]);
    assert.deepEqual(Object.fromEntries(owners), {
      '/usr/lib64/libssl.so.3': { name: 'openssl-libs', version: '1:3.0.7-25.el9', arch: 'x86_64' },
      '/usr/sbin/nginx': { name: 'nginx-core', version: '1.20.1-14.el9', arch: 'x86_64' },
    });
    assert.deepEqual(warnings, []);
  });

  it('splits a batch until a file with two owners can be told apart', async () => {
    const paths = ['/a', '/shared', '/b', '/c'];
    const { run, calls } = fakeRpm({ '/a': [SSL], '/shared': [NGINX, SSL], '/b': [NGINX], '/c': [SSL] });
    const { owners } = await queryRpmOwners('/', '/var/lib/rpm', paths, run);
    assert.deepEqual(
      [...owners].map(([path, pkg]) => `${path}=${pkg.name}`),
      ['/a=openssl-libs', '/shared=nginx-core', '/b=nginx-core', '/c=openssl-libs'],
    );
    // [a shared b c] -> [a shared] -> [a] [shared]; [b c]
    assert.equal(calls.length, 5);
  });

  it('sends at most 200 paths per run, and no path that would break the line protocol', async () => {
    const paths = Array.from({ length: 450 }, (_, i) => `/usr/lib64/lib${i}.so`);
    const { run, calls } = fakeRpm({});
    await queryRpmOwners('/', '/var/lib/rpm', [...paths, '/bad\nname', 'relative/path', paths[0]!], run);
    assert.deepEqual(
      calls.map((c) => c.length - 7),
      [200, 200, 50],
    );
    assert.ok(calls.every((c) => !c.includes('/bad\nname') && !c.includes('relative/path')));
  });

  it('turns a failed run into a warning', async () => {
    const run: RpmRunner = async () => ({ stdout: '', stderr: '', failure: '/usr/bin/rpm: ENOENT' });
    const { owners, warnings } = await queryRpmOwners('/', '/var/lib/rpm', ['/a', '/b'], run);
    assert.equal(owners.size, 0);
    assert.deepEqual(warnings, ['rpm query failed for 2 file(s): /usr/bin/rpm: ENOENT']);
  });

  it('reports a broken database once and does not retry path by path', async () => {
    let runs = 0;
    const run: RpmRunner = async () => {
      runs++;
      return { stdout: '', stderr: 'error: cannot open Packages database in /srv/root/var/lib/rpm\n' };
    };
    const { owners, warnings } = await queryRpmOwners('/srv/root', '/var/lib/rpm', ['/a', '/b', '/c'], run);
    assert.equal(owners.size, 0);
    assert.equal(runs, 1);
    assert.deepEqual(warnings, ['rpm: error: cannot open Packages database in /srv/root/var/lib/rpm']);
  });

  it('bounds the number of runs when answers never line up', async () => {
    let runs = 0;
    const run: RpmRunner = async (args) => {
      runs++;
      const n = args.length - 7;
      return { stdout: `${SSL}\n`.repeat(n + 1), stderr: '' }; // always one answer too many
    };
    const paths = Array.from({ length: 200 }, (_, i) => `/p${i}`);
    const { warnings } = await queryRpmOwners('/', '/var/lib/rpm', paths, run);
    assert.equal(runs, RPM_LIMITS.runs);
    assert.match(warnings[0] ?? '', /gave up after 64 runs/);
  });
});

describe('createRpmRunner', () => {
  it('reports a missing program as a failure, not a throw', async () => {
    const run = createRpmRunner('/nonexistent/bin/rpm');
    const result = await run(['--version']);
    assert.match(result.failure ?? '', /ENOENT/);
  });

  const rpm = findRpmProgram();
  it('runs the real rpm with a clean environment', {
    skip: rpm === undefined ? 'rpm is not installed on this machine (/usr/bin/rpm, /bin/rpm)' : false,
  }, async () => {
    const result = await createRpmRunner(rpm!)(['--version']);
    assert.equal(result.failure, undefined);
    assert.match(result.stdout, /RPM version/);
  });

  it('only uses fixed absolute program paths', () => {
    const found = findRpmProgram();
    assert.ok(found === undefined || (['/usr/bin/rpm', '/bin/rpm'].includes(found) && existsSync(found)));
  });
});
