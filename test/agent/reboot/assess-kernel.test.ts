import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assessKernel } from '../../../agent/reboot/assess-kernel.js';
import type { KernelImage } from '../../../agent/reboot/find-installed-kernels.js';

const V18 = '#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)';
const V21 = '#1 SMP PREEMPT_DYNAMIC Debian 6.1.90-1 (2024-05-03)';

function image(release: string, version?: string): KernelImage {
  return { release, version, path: `/boot/vmlinuz-${release}` };
}

describe('assessKernel', () => {
  it('flags a newer installed kernel of the same flavour and lists installed newest first', () => {
    const result = assessKernel({
      runningRelease: '6.1.0-18-amd64',
      runningVersion: V18,
      images: [image('6.1.0-18-amd64', V18), image('6.1.0-21-amd64', V21), image('6.1.0-9-amd64')],
      moduleTrees: ['6.1.0-18-amd64', '6.1.0-21-amd64', '6.1.0-9-amd64'],
    });
    assert.deepEqual(result.kernel, {
      runningRelease: '6.1.0-18-amd64',
      runningVersion: V18,
      installed: ['6.1.0-21-amd64', '6.1.0-18-amd64', '6.1.0-9-amd64'],
      newestInstalled: '6.1.0-21-amd64',
    });
    assert.equal(result.reasons.length, 1);
    assert.equal(result.reasons[0]?.code, 'kernel-newer-installed');
    assert.match(
      result.reasons[0]?.message ?? '',
      /running kernel 6\.1\.0-18-amd64, newest installed is 6\.1\.0-21-amd64/,
    );
  });

  it('reports nothing when the running kernel is the newest and unchanged', () => {
    const result = assessKernel({
      runningRelease: '6.1.0-21-amd64',
      runningVersion: V21,
      images: [image('6.1.0-18-amd64', V18), image('6.1.0-21-amd64', V21)],
      moduleTrees: ['6.1.0-18-amd64', '6.1.0-21-amd64'],
    });
    assert.deepEqual(result.reasons, []);
    assert.equal(result.kernel.newestInstalled, '6.1.0-21-amd64');
  });

  it('does not compare with a newer kernel of another flavour', () => {
    const result = assessKernel({
      runningRelease: '6.1.0-21-amd64',
      runningVersion: V21,
      images: [image('6.1.0-21-amd64', V21), image('6.1.0-21-rt-amd64'), image('6.1.0-25-cloud-amd64')],
      moduleTrees: undefined,
    });
    assert.deepEqual(result.reasons, []);
    assert.equal(result.kernel.newestInstalled, '6.1.0-21-amd64');
    assert.deepEqual(result.kernel.installed, [
      '6.1.0-25-cloud-amd64',
      '6.1.0-21-rt-amd64',
      '6.1.0-21-amd64',
    ]);
  });

  it('sees a Debian dist-upgrade (+debNN releases) as the same flavour', () => {
    const result = assessKernel({
      runningRelease: '6.1.0-21-amd64',
      runningVersion: V21,
      images: [image('6.1.0-21-amd64', V21), image('6.12.27+deb13-amd64')],
      moduleTrees: undefined,
    });
    assert.deepEqual(
      result.reasons.map((r) => r.code),
      ['kernel-newer-installed'],
    );
  });

  it('flags a rebuilt kernel: same release, different build string', () => {
    const result = assessKernel({
      runningRelease: '6.1.0-21-amd64',
      runningVersion: V21,
      images: [image('6.1.0-21-amd64', '#1 SMP PREEMPT_DYNAMIC Debian 6.1.94-1 (2024-06-21)')],
      moduleTrees: ['6.1.0-21-amd64'],
    });
    assert.deepEqual(
      result.reasons.map((r) => r.code),
      ['kernel-rebuilt'],
    );
    assert.match(result.reasons[0]?.message ?? '', /6\.1\.90-1.*6\.1\.94-1/);
  });

  it('ignores whitespace differences and images whose build string is unknown', () => {
    const spaced = assessKernel({
      runningRelease: '6.1.0-21-amd64',
      runningVersion: ` ${V21.replace(' SMP', '  SMP')} `,
      images: [image('6.1.0-21-amd64', V21)],
      moduleTrees: ['6.1.0-21-amd64'],
    });
    assert.deepEqual(spaced.reasons, []);
    const noHeader = assessKernel({
      runningRelease: '6.1.0-21-arm64',
      runningVersion: '#1 SMP',
      images: [image('6.1.0-21-arm64')],
      moduleTrees: ['6.1.0-21-arm64'],
    });
    assert.deepEqual(noHeader.reasons, []);
  });

  it('flags missing modules of the running kernel when other module trees exist', () => {
    const result = assessKernel({
      runningRelease: '6.9.3-arch1-1',
      runningVersion: '#1 SMP PREEMPT_DYNAMIC Fri, 31 May 2024 15:14:45 +0000',
      images: [image('6.9.5-arch1-1')],
      moduleTrees: ['6.9.5-arch1-1'],
    });
    assert.deepEqual(
      result.reasons.map((r) => r.code),
      ['kernel-newer-installed', 'kernel-modules-missing'],
    );
    assert.match(
      result.reasons[1]?.message ?? '',
      /\/lib\/modules\/6\.9\.3-arch1-1 is missing .*6\.9\.5-arch1-1/,
    );
  });

  it('says nothing about modules when /lib/modules is absent or empty', () => {
    for (const moduleTrees of [undefined, []]) {
      const result = assessKernel({
        runningRelease: '6.1.0-21-amd64',
        runningVersion: V21,
        images: [image('6.1.0-21-amd64', V21)],
        moduleTrees,
      });
      assert.deepEqual(result.reasons, []);
    }
  });

  it('reports nothing and an empty list when no kernel image is installed (container, external kernel)', () => {
    const result = assessKernel({
      runningRelease: '6.18.44-fc-v657',
      runningVersion: '#1 SMP PREEMPT_DYNAMIC @0',
      images: [],
      moduleTrees: ['5.10.0-1-amd64'],
    });
    assert.deepEqual(result, {
      kernel: {
        runningRelease: '6.18.44-fc-v657',
        runningVersion: '#1 SMP PREEMPT_DYNAMIC @0',
        installed: [],
      },
      reasons: [],
    });
  });
});
