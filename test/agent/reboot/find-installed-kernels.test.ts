import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findInstalledKernels } from '../../../agent/reboot/find-installed-kernels.js';
import { createHostFiles } from '../../../agent/reboot/host-files.js';
import { buildKernelImage } from './build-firmware.js';
import { makeTree, removeTree } from './temp-tree.js';

const deb = (release: string, build: string): Buffer =>
  buildKernelImage(`${release} (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian ${build}`);

describe('findInstalledKernels', () => {
  let root = '';
  before(async () => {
    root = await makeTree({
      'boot/vmlinuz-6.1.0-18-amd64': deb('6.1.0-18-amd64', '6.1.76-1 (2024-02-01)'),
      'boot/vmlinuz-6.1.0-21-amd64': deb('6.1.0-21-amd64', '6.1.90-1 (2024-05-03)'),
      'boot/vmlinuz': { symlink: 'vmlinuz-6.1.0-21-amd64' },
      'boot/vmlinuz.old': { symlink: 'vmlinuz-6.1.0-18-amd64' },
      'boot/vmlinuz-0-rescue-0123456789abcdef': deb('5.10.0-28-amd64', '5.10.209-2 (2024-01-31)'),
      'boot/vmlinuz-6.1.0-18-amd64.dpkg-bak': deb('6.1.0-17-amd64', 'x'),
      // Arch names the image after the package: the header tells the release.
      'boot/vmlinuz-linux': buildKernelImage(
        '6.9.5-arch1-1 (linux@archlinux) #1 SMP PREEMPT_DYNAMIC Sat, 15 Jun 2024',
      ),
      // No x86 header and a name that is no release: skipped.
      'boot/vmlinuz-lts': Buffer.from('not a kernel'),
      // No x86 header (arm64): the release comes from the name, without a build string.
      'boot/vmlinuz-6.1.0-30-arm64': buildKernelImage('ignored', { magic: false }),
      'boot/vmlinuz-6.1.0-99-amd64': { dir: true },
      'boot/config-6.1.0-21-amd64': 'CONFIG_X86=y\n',
      'lib/modules/6.1.0-21-amd64/modules.dep': '',
      'lib/modules/6.1.0-21-amd64/kernel/fs/ext4/ext4.ko': '',
      // A removed kernel's leftover: only DKMS output remains, no module tree.
      'lib/modules/6.1.0-9-amd64/updates/dkms/zfs.ko': '',
      // Fedora keeps the image in the module tree too.
      'usr/lib/modules/6.9.4-200.fc40.x86_64/vmlinuz': buildKernelImage(
        '6.9.4-200.fc40.x86_64 (mockbuild@fedora) #1 SMP PREEMPT_DYNAMIC Wed Jun 12 18:47:07 UTC 2024',
      ),
      'usr/lib/modules/6.9.4-200.fc40.x86_64/kernel/drivers/x.ko': '',
    });
  });
  after(() => removeTree(root));

  it('lists /boot images by header release, then images in the module trees', async () => {
    const files = createHostFiles();
    const found = await findInstalledKernels(root, files);
    assert.deepEqual(found.images, [
      {
        release: '6.1.0-18-amd64',
        version: '#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)',
        path: '/boot/vmlinuz-6.1.0-18-amd64',
      },
      {
        release: '6.1.0-21-amd64',
        version: '#1 SMP PREEMPT_DYNAMIC Debian 6.1.90-1 (2024-05-03)',
        path: '/boot/vmlinuz-6.1.0-21-amd64',
      },
      { release: '6.1.0-30-arm64', path: '/boot/vmlinuz-6.1.0-30-arm64' },
      {
        release: '6.9.5-arch1-1',
        version: '#1 SMP PREEMPT_DYNAMIC Sat, 15 Jun 2024',
        path: '/boot/vmlinuz-linux',
      },
      {
        release: '6.9.4-200.fc40.x86_64',
        version: '#1 SMP PREEMPT_DYNAMIC Wed Jun 12 18:47:07 UTC 2024',
        path: '/usr/lib/modules/6.9.4-200.fc40.x86_64/vmlinuz',
      },
    ]);
    assert.deepEqual(found.moduleTrees, ['6.1.0-21-amd64', '6.9.4-200.fc40.x86_64']);
    assert.deepEqual(files.warnings, []);
  });

  it('finds nothing in an empty tree and reports no module directory', async () => {
    const empty = await makeTree({ 'etc/hostname': 'box\n' });
    try {
      const found = await findInstalledKernels(empty, createHostFiles());
      assert.deepEqual(found, { images: [], moduleTrees: undefined });
    } finally {
      await removeTree(empty);
    }
  });

  it('does not hang on a FIFO planted as a kernel image', {
    skip: !existsSync('/usr/bin/mkfifo') && 'no mkfifo',
  }, async () => {
    const tree = await makeTree({ 'boot/.keep': '' });
    try {
      execFileSync('/usr/bin/mkfifo', [join(tree, 'boot/vmlinuz-6.1.0-1-amd64')]);
      const found = await findInstalledKernels(tree, createHostFiles());
      assert.deepEqual(found.images, []);
    } finally {
      await removeTree(tree);
    }
  });
});
