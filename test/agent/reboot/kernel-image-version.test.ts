import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseKernelImageVersion,
  splitKernelVersionString,
} from '../../../agent/reboot/kernel-image-version.js';
import { buildKernelImage } from './build-firmware.js';

const DEBIAN =
  '6.1.0-21-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.90-1 (2024-05-03)';
const UBUNTU =
  '6.8.0-31-generic (buildd@lcy02-amd64-080) #31-Ubuntu SMP PREEMPT_DYNAMIC Sat Apr 20 00:40:06 UTC 2024';
const FEDORA =
  '6.9.4-200.fc40.x86_64 (mockbuild@c4f6a8ba7ae44d7d8f3b2f0b4a3f1f4a) #1 SMP PREEMPT_DYNAMIC Wed Jun 12 18:47:07 UTC 2024';

describe('parseKernelImageVersion', () => {
  it('reads release and uname -v from a Debian bzImage header', () => {
    assert.deepEqual(parseKernelImageVersion(buildKernelImage(DEBIAN)), {
      release: '6.1.0-21-amd64',
      version: '#1 SMP PREEMPT_DYNAMIC Debian 6.1.90-1 (2024-05-03)',
    });
  });

  it('reads Ubuntu and Fedora strings, wherever the pointer puts them', () => {
    assert.deepEqual(parseKernelImageVersion(buildKernelImage(UBUNTU, { pointer: 0x1234 })), {
      release: '6.8.0-31-generic',
      version: '#31-Ubuntu SMP PREEMPT_DYNAMIC Sat Apr 20 00:40:06 UTC 2024',
    });
    assert.equal(
      parseKernelImageVersion(buildKernelImage(FEDORA, { pointer: 0xfff0 }))?.release,
      '6.9.4-200.fc40.x86_64',
    );
  });

  it('returns undefined without the HdrS magic (arm64 Image, other architectures)', () => {
    assert.equal(parseKernelImageVersion(buildKernelImage(DEBIAN, { magic: false })), undefined);
  });

  it('returns undefined when the pointer is 0, points past the data, or the buffer is tiny', () => {
    assert.equal(parseKernelImageVersion(buildKernelImage(DEBIAN, { pointer: 0 })), undefined);
    const image = buildKernelImage(DEBIAN);
    image.writeUInt16LE(0xfff0, 0x20e);
    assert.equal(parseKernelImageVersion(image.subarray(0, 0x1000)), undefined);
    assert.equal(parseKernelImageVersion(Buffer.alloc(16)), undefined);
  });

  it('rejects a string that is not a kernel release', () => {
    assert.equal(parseKernelImageVersion(buildKernelImage('garbage here #1')), undefined);
  });

  it('stops at 256 bytes without a NUL and replaces control characters', () => {
    const long = `6.1.0-1-amd64 (a@b) #1 ${'x'.repeat(400)}`;
    const parsed = parseKernelImageVersion(buildKernelImage(long));
    assert.ok(parsed);
    assert.ok(parsed.version.length < 256);
    const withEscape = parseKernelImageVersion(buildKernelImage('6.1.0-1-amd64 (a@b) #1 SMP \x1b[31mred'));
    assert.equal(withEscape?.version, '#1 SMP ?[31mred');
  });
});

describe('splitKernelVersionString', () => {
  it('finds UTS_VERSION after a builder that contains spaces or #', () => {
    assert.deepEqual(splitKernelVersionString('6.6.30 (me@host with space #2) #7 SMP Tue'), {
      release: '6.6.30',
      version: '#7 SMP Tue',
    });
  });

  it('falls back to the first " #" and to an empty version', () => {
    assert.deepEqual(splitKernelVersionString('6.6.30 #3 SMP'), { release: '6.6.30', version: '#3 SMP' });
    assert.deepEqual(splitKernelVersionString('6.6.30'), { release: '6.6.30', version: '' });
  });
});
