import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { queryRpmCorePackages } from '../../../agent/reboot/query-rpm-core-packages.js';
import { makeTree, removeTree } from './temp-tree.js';

// Fake rpm programs: the real boundary is "run a program, read its stdout and exit status".
const FAKE_RPM = `#!/bin/sh
printf '%s\\n' "$@" > "$(dirname "$0")/args.txt"
echo "glibc 2.39-15.fc40 1718268100"
echo "package hal is not installed"
echo "systemd 255.8-1.fc40 1718268200"
exit 2
`;
const BROKEN_RPM = `#!/bin/sh
echo "error: cannot open Packages index using db5 - No such file or directory (2)" >&2
echo "error: cannot open Packages database in /var/lib/rpm" >&2
exit 1
`;
const SLOW_RPM = `#!/bin/sh
exec sleep 5
`;
// More than the 1 MiB output cap.
const CHATTY_RPM = `#!/bin/sh
exec head -c 3000000 /dev/zero
`;

describe('queryRpmCorePackages', () => {
  let dir = '';
  before(async () => {
    dir = await makeTree({
      'fake/rpm': FAKE_RPM,
      'broken/rpm': BROKEN_RPM,
      'slow/rpm': SLOW_RPM,
      'chatty/rpm': CHATTY_RPM,
    });
    for (const name of ['fake', 'broken', 'slow', 'chatty']) await chmod(join(dir, name, 'rpm'), 0o755);
  });
  after(() => removeTree(dir));

  it('passes --root and the query format, and parses stdout despite the non-zero exit', async () => {
    const result = await queryRpmCorePackages('/srv/capture', {
      rpmPaths: [join(dir, 'missing/rpm'), join(dir, 'fake/rpm')],
    });
    assert.deepEqual(result, {
      ok: true,
      packages: [
        { name: 'glibc', version: '2.39-15.fc40', installTimeSec: 1718268100 },
        { name: 'systemd', version: '255.8-1.fc40', installTimeSec: 1718268200 },
      ],
    });
    const args = (await readFile(join(dir, 'fake/args.txt'), 'utf8')).split('\n');
    assert.deepEqual(args.slice(0, 4), ['--root', '/srv/capture', '-q', '--qf']);
    assert.equal(args[4], '%{NAME} %{VERSION}-%{RELEASE} %{INSTALLTIME}');
    assert.ok(args.includes('glibc') && args.includes('kernel-core') && args.includes('dbus-broker'));
  });

  it('turns a database error into a warning', async () => {
    const result = await queryRpmCorePackages('/', { rpmPaths: [join(dir, 'broken/rpm')] });
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.warning, /failed \(exit 1\): error: cannot open Packages index/);
  });

  it('warns when rpm is missing', async () => {
    const result = await queryRpmCorePackages('/', { rpmPaths: [join(dir, 'none/rpm')] });
    assert.deepEqual(result, {
      ok: false,
      warning: `rpm not found at ${join(dir, 'none/rpm')}: core package updates were not checked`,
    });
  });

  it('stops rpm at the timeout with a warning', async () => {
    const started = Date.now();
    const result = await queryRpmCorePackages('/', { rpmPaths: [join(dir, 'slow/rpm')], timeoutMs: 200 });
    assert.ok(Date.now() - started < 4000);
    assert.match(result.ok ? '' : result.warning, /was stopped after the timeout/);
  });

  it('stops reading at the output cap with a warning', async () => {
    const result = await queryRpmCorePackages('/', { rpmPaths: [join(dir, 'chatty/rpm')] });
    assert.match(result.ok ? '' : result.warning, /failed \(ERR_CHILD_PROCESS_STDIO_MAXBUFFER\)/);
  });

  it('queries the real rpm without failing', {
    skip: !existsSync('/usr/bin/rpm') && !existsSync('/bin/rpm') && 'rpm is not installed on this machine',
  }, async () => {
    const result = await queryRpmCorePackages('/');
    // A Debian host with rpm installed has an empty rpm database: no packages, no error.
    if (result.ok) for (const pkg of result.packages) assert.ok(pkg.installTimeSec > 0);
    else assert.match(result.warning, /rpm/);
  });
});
