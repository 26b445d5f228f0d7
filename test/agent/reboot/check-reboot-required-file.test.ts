import assert from 'node:assert/strict';
import { utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkRebootRequiredFile } from '../../../agent/reboot/check-reboot-required-file.js';
import { createHostFiles } from '../../../agent/reboot/host-files.js';
import { makeTree, removeTree } from './temp-tree.js';

const FLAG = '*** System restart required ***\n';
const HOUR = 3600_000;

describe('checkRebootRequiredFile', () => {
  it('reports the flag with the deduplicated package list', async () => {
    const root = await makeTree({
      'run/reboot-required': FLAG,
      'run/reboot-required.pkgs': 'libc6\nlinux-image-6.1.0-21-amd64\nlibc6\n',
    });
    try {
      const reason = await checkRebootRequiredFile(root, Date.now() - HOUR, createHostFiles());
      assert.deepEqual(reason, {
        code: 'reboot-required-file',
        message:
          'package updates asked for a reboot (/run/reboot-required), requested by libc6 and linux-image-6.1.0-21-amd64',
        packages: ['libc6', 'linux-image-6.1.0-21-amd64'],
      });
    } finally {
      await removeTree(root);
    }
  });

  it('finds the flag in /var/run alone, without a package list', async () => {
    const root = await makeTree({ 'var/run/reboot-required': FLAG });
    try {
      const reason = await checkRebootRequiredFile(root, Date.now() - HOUR, createHostFiles());
      assert.equal(reason?.code, 'reboot-required-file');
      assert.match(reason?.message ?? '', /\/var\/run\/reboot-required exists/);
      assert.equal(reason?.packages, undefined);
    } finally {
      await removeTree(root);
    }
  });

  it('reads /var/run -> /run once', async () => {
    const root = await makeTree({
      'run/reboot-required': FLAG,
      'run/reboot-required.pkgs': 'dbus\n',
      'var/run': { symlink: '../run' },
    });
    try {
      const files = createHostFiles();
      const reason = await checkRebootRequiredFile(root, Date.now() - HOUR, files);
      assert.deepEqual(reason?.packages, ['dbus']);
      assert.deepEqual(files.warnings, []);
    } finally {
      await removeTree(root);
    }
  });

  it('ignores a flag older than the boot (a persistent /var/run), with a warning', async () => {
    const root = await makeTree({
      'var/run/reboot-required': FLAG,
      'var/run/reboot-required.pkgs': 'libc6\n',
    });
    try {
      const old = new Date(Date.now() - 48 * HOUR);
      await utimes(join(root, 'var/run/reboot-required'), old, old);
      const files = createHostFiles();
      assert.equal(await checkRebootRequiredFile(root, Date.now() - HOUR, files), undefined);
      assert.match(
        files.warnings.join('\n'),
        /ignored \/var\/run\/reboot-required: it was written before the last boot/,
      );
    } finally {
      await removeTree(root);
    }
  });

  it('returns undefined when there is no flag, even with a leftover package list', async () => {
    const root = await makeTree({ 'run/reboot-required.pkgs': 'libc6\n' });
    try {
      const files = createHostFiles();
      assert.equal(await checkRebootRequiredFile(root, Date.now() - HOUR, files), undefined);
      assert.deepEqual(files.warnings, []);
    } finally {
      await removeTree(root);
    }
  });
});
