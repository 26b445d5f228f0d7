import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { chmod, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Value from 'typebox/value';
import {
  checkReboot,
  type RebootCheckInput,
  type RebootCheckResult,
} from '../../../agent/reboot/check-reboot.js';
import { KernelInfo, RebootReason } from '../../../shared/scan-report.js';
import { fixturePath } from '../../helpers/paths.js';
import { buildIntelUpdate, buildKernelImage } from './build-firmware.js';
import { makeTree, removeTree } from './temp-tree.js';

const HOUR = 3600_000;
const V18_RUNNING = '#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)';
const V18_REBUILT = '#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1+b1 (2024-02-20)';
const V21 = '#1 SMP PREEMPT_DYNAMIC Debian 6.1.90-1 (2024-05-03)';
/** The result must fit the scan report's schema as it is. */
function assertSchema(result: RebootCheckResult): void {
  assert.ok(Value.Check(KernelInfo, result.kernel), 'KernelInfo');
  for (const reason of result.reasons) assert.ok(Value.Check(RebootReason, reason), reason.code);
}

const debImage = (release: string, version: string): Buffer =>
  buildKernelImage(`${release} (debian-kernel@lists.debian.org) ${version}`);

describe('checkReboot on a Debian host tree', () => {
  let root = '';
  before(async () => {
    root = await makeTree({
      'boot/vmlinuz-6.1.0-18-amd64': debImage('6.1.0-18-amd64', V18_REBUILT),
      'boot/vmlinuz-6.1.0-21-amd64': debImage('6.1.0-21-amd64', V21),
      'boot/initrd.img-6.1.0-21-amd64': 'initramfs',
      // 6.1.0-18's modules were removed; only DKMS leftovers remain.
      'lib/modules/6.1.0-18-amd64/updates/dkms/wireguard.ko': '',
      'lib/modules/6.1.0-21-amd64/modules.dep': '',
      'lib/modules/6.1.0-21-amd64/kernel/fs/ext4/ext4.ko': '',
      'run/reboot-required': '*** System restart required ***\n',
      'run/reboot-required.pkgs': 'linux-image-6.1.0-21-amd64\nintel-microcode\nlinux-image-6.1.0-21-amd64\n',
      'proc/cpuinfo': readFileSync(fixturePath('reboot', 'cpuinfo-intel-kaby-lake.txt')),
      'lib/firmware/intel-ucode/06-8e-0a': buildIntelUpdate({ revision: 0xf6, signature: 0x000806ea }),
    });
  });
  after(() => removeTree(root));

  it('reports every reason with a sentence that says why', async () => {
    const result = await checkReboot({
      root,
      procRoot: join(root, 'proc'),
      bootTimeMs: Date.now() - HOUR,
      runningRelease: '6.1.0-18-amd64\n',
      runningVersion: V18_RUNNING,
      packageManager: 'dpkg',
    });
    assert.deepEqual(result.warnings, []);
    assertSchema(result);
    assert.deepEqual(result.kernel, {
      runningRelease: '6.1.0-18-amd64',
      runningVersion: V18_RUNNING,
      installed: ['6.1.0-21-amd64', '6.1.0-18-amd64'],
      newestInstalled: '6.1.0-21-amd64',
    });
    assert.deepEqual(
      result.reasons.map((r) => r.code),
      [
        'kernel-newer-installed',
        'kernel-rebuilt',
        'kernel-modules-missing',
        'reboot-required-file',
        'microcode-newer',
      ],
    );
    const byCode = new Map(result.reasons.map((r) => [r.code, r]));
    assert.equal(
      byCode.get('kernel-newer-installed')?.message,
      'running kernel 6.1.0-18-amd64, newest installed is 6.1.0-21-amd64 (/boot/vmlinuz-6.1.0-21-amd64); ' +
        'the new kernel only takes effect after a reboot',
    );
    assert.match(
      byCode.get('kernel-rebuilt')?.message ?? '',
      /6\.1\.76-1 \(2024-02-01\).*6\.1\.76-1\+b1 \(2024-02-20\)/,
    );
    assert.match(
      byCode.get('kernel-modules-missing')?.message ?? '',
      /^\/lib\/modules\/6\.1\.0-18-amd64 is missing/,
    );
    assert.deepEqual(byCode.get('reboot-required-file')?.packages, [
      'linux-image-6.1.0-21-amd64',
      'intel-microcode',
    ]);
    assert.match(byCode.get('microcode-newer')?.message ?? '', /0xf0 is running.*0xf6/);
  });

  it('reports nothing on the running newest kernel once the flag is gone', async () => {
    const clean = await makeTree({
      'boot/vmlinuz-6.1.0-21-amd64': debImage('6.1.0-21-amd64', V21),
      'lib/modules/6.1.0-21-amd64/modules.dep': '',
      'proc/cpuinfo': readFileSync(fixturePath('reboot', 'cpuinfo-intel-kaby-lake.txt')),
    });
    try {
      const result = await checkReboot({
        root: clean,
        procRoot: join(clean, 'proc'),
        bootTimeMs: Date.now() - HOUR,
        runningRelease: '6.1.0-21-amd64',
        runningVersion: V21,
        packageManager: 'dpkg',
      });
      assert.deepEqual(result, {
        kernel: {
          runningRelease: '6.1.0-21-amd64',
          runningVersion: V21,
          installed: ['6.1.0-21-amd64'],
          newestInstalled: '6.1.0-21-amd64',
        },
        reasons: [],
        warnings: [],
      });
    } finally {
      await removeTree(clean);
    }
  });
});

describe('checkReboot without kernels (container, VM booted from an external kernel)', () => {
  it('raises no false alarm', async () => {
    const root = await makeTree({
      'etc/os-release': 'ID=debian\n',
      'proc/cpuinfo': readFileSync(fixturePath('reboot', 'cpuinfo-kvm-guest.txt')),
    });
    try {
      const result = await checkReboot({
        root,
        procRoot: join(root, 'proc'),
        bootTimeMs: Date.now() - HOUR,
        runningRelease: '6.18.44-fc-v657',
        runningVersion: '#1 SMP PREEMPT_DYNAMIC @0',
        packageManager: 'none',
      });
      assert.deepEqual(result, {
        kernel: {
          runningRelease: '6.18.44-fc-v657',
          runningVersion: '#1 SMP PREEMPT_DYNAMIC @0',
          installed: [],
        },
        reasons: [],
        warnings: [],
      });
    } finally {
      await removeTree(root);
    }
  });
});

describe('checkReboot on an RPM host', () => {
  let root = '';
  const input = (over: Partial<RebootCheckInput>): RebootCheckInput => ({
    root,
    procRoot: join(root, 'proc'),
    bootTimeMs: 1718000000 * 1000,
    runningRelease: '6.8.5-301.fc40.x86_64',
    runningVersion: '#1 SMP PREEMPT_DYNAMIC Thu Apr 11 20:00:00 UTC 2024',
    packageManager: 'rpm',
    ...over,
  });
  before(async () => {
    root = await makeTree({
      'fake/rpm': `#!/bin/sh\ncat "${fixturePath('reboot', 'rpm-query-fedora40.txt')}"\nexit 9\n`,
    });
    await chmod(join(root, 'fake/rpm'), 0o755);
  });
  after(() => removeTree(root));

  it('reports core packages installed after the boot', async () => {
    const result = await checkReboot(input({ rpm: { rpmPaths: [join(root, 'fake/rpm')] } }));
    assert.deepEqual(result.warnings, []);
    assertSchema(result);
    assert.deepEqual(result.reasons, [
      {
        code: 'core-package-updated',
        message:
          'core packages were installed after the last boot (2024-06-10T06:13:20.000Z): glibc 2.39-15.fc40, ' +
          'kernel 6.9.4-200.fc40, kernel-core 6.9.4-200.fc40 and systemd 255.8-1.fc40; ' +
          'running programs keep the old versions until a reboot',
        packages: ['glibc', 'kernel', 'kernel-core', 'systemd'],
      },
    ]);
  });

  it('warns instead of throwing when rpm cannot run', async () => {
    const result = await checkReboot(input({ rpm: { rpmPaths: [join(root, 'nowhere/rpm')] } }));
    assert.deepEqual(result.reasons, []);
    assert.equal(result.warnings.length, 1);
    assert.match(result.warnings[0] ?? '', /rpm not found/);
  });

  it('does not compare install times with an unknown boot time', async () => {
    const result = await checkReboot(input({ bootTimeMs: 0, rpm: { rpmPaths: [join(root, 'fake/rpm')] } }));
    assert.deepEqual(result.reasons, []);
    assert.deepEqual(result.warnings, ['the boot time is unknown: core package updates were not checked']);
  });

  it('does not run rpm on a dpkg host', async () => {
    const result = await checkReboot(
      input({ packageManager: 'dpkg', rpm: { rpmPaths: [join(root, 'fake/rpm')] } }),
    );
    assert.deepEqual(result.reasons, []);
    assert.deepEqual(result.warnings, []);
  });
});

describe('checkReboot on this machine', () => {
  it('completes without throwing', async () => {
    const release = await readFile('/proc/sys/kernel/osrelease', 'utf8').catch(() => '');
    const result = await checkReboot({
      root: '/',
      procRoot: '/proc',
      bootTimeMs: Date.now() - HOUR,
      runningRelease: release,
      runningVersion: '',
      packageManager: 'none',
    });
    assertSchema(result);
    assert.equal(result.kernel.runningRelease, release.trim());
  });
});
