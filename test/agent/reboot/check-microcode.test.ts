import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkMicrocode } from '../../../agent/reboot/check-microcode.js';
import { createHostFiles } from '../../../agent/reboot/host-files.js';
import { fixturePath } from '../../helpers/paths.js';
import { buildAmdContainer, buildIntelUpdate } from './build-firmware.js';
import { makeTree, removeTree, type TreeEntry } from './temp-tree.js';

const cpuinfo = (name: string): string => readFileSync(fixturePath('reboot', name), 'utf8');
const KABY = 0x000806ea;
const MILAN = 0x00a00f11;

async function withTree<T>(
  entries: Record<string, TreeEntry>,
  run: (root: string) => Promise<T>,
): Promise<T> {
  const root = await makeTree(entries);
  try {
    return await run(root);
  } finally {
    await removeTree(root);
  }
}

describe('checkMicrocode', () => {
  it('flags a newer Intel revision in intel-ucode/FF-MM-SS', async () => {
    const reason = await withTree(
      {
        'proc/cpuinfo': cpuinfo('cpuinfo-intel-kaby-lake.txt'),
        'lib/firmware/intel-ucode/06-8e-0a': Buffer.concat([
          buildIntelUpdate({ revision: 0xf0, signature: KABY }),
          buildIntelUpdate({ revision: 0xf6, signature: KABY }),
        ]),
      },
      (root) => checkMicrocode(root, join(root, 'proc'), createHostFiles()),
    );
    assert.equal(reason?.code, 'microcode-newer');
    assert.equal(
      reason?.message,
      'CPU microcode revision 0xf0 is running, /lib/firmware/intel-ucode/06-8e-0a has revision 0xf6 for this CPU ' +
        '(family 0x6, model 0x8e, stepping 10); it is loaded at the next boot',
    );
  });

  it('says nothing when the running Intel revision is the newest', async () => {
    const reason = await withTree(
      {
        'proc/cpuinfo': cpuinfo('cpuinfo-intel-kaby-lake.txt'),
        'usr/lib/firmware/intel-ucode/06-8e-0a': buildIntelUpdate({ revision: 0xf0, signature: KABY }),
      },
      (root) => checkMicrocode(root, join(root, 'proc'), createHostFiles()),
    );
    assert.equal(reason, undefined);
  });

  it('uses the platform flags from sysfs when present', async () => {
    const reason = await withTree(
      {
        'proc/cpuinfo': cpuinfo('cpuinfo-intel-kaby-lake.txt'),
        'sys/devices/system/cpu/cpu0/microcode/processor_flags': '0x80\n',
        'lib/firmware/intel-ucode/06-8e-0a': buildIntelUpdate({
          revision: 0xf6,
          signature: KABY,
          processorFlags: 0x02,
        }),
      },
      (root) => checkMicrocode(root, join(root, 'proc'), createHostFiles()),
    );
    assert.equal(reason, undefined);
  });

  it('flags a newer AMD patch found through the equivalence table', async () => {
    const files = createHostFiles();
    const reason = await withTree(
      {
        'proc/cpuinfo': cpuinfo('cpuinfo-amd-milan.txt'),
        'lib/firmware/amd-ucode/microcode_amd_fam19h.bin': buildAmdContainer({
          equivalences: [{ signature: MILAN, equivId: 0xa011 }],
          patches: [{ patchId: 0x0a0011d5, equivId: 0xa011 }],
        }),
        'lib/firmware/amd-ucode/microcode_amd_fam17h.bin': Buffer.from('garbage, not a container'),
        'lib/firmware/amd-ucode/README': 'not microcode',
      },
      (root) => checkMicrocode(root, join(root, 'proc'), files),
    );
    assert.equal(reason?.code, 'microcode-newer');
    assert.match(
      reason?.message ?? '',
      /0xa0011d1 is running, \/lib\/firmware\/amd-ucode\/microcode_amd_fam19h\.bin has revision 0xa0011d5/,
    );
    assert.deepEqual(files.warnings, [
      '/lib/firmware/amd-ucode/microcode_amd_fam17h.bin: no container magic at offset 0',
    ]);
  });

  it('reports nothing in a guest, even with newer microcode installed', async () => {
    const reason = await withTree(
      {
        'proc/cpuinfo': cpuinfo('cpuinfo-kvm-guest.txt'),
        'lib/firmware/amd-ucode/microcode_amd_fam1ah.bin': buildAmdContainer({
          equivalences: [{ signature: 0x00b00f21, equivId: 0xb021 }],
          patches: [{ patchId: 0x0b002199, equivId: 0xb021 }],
        }),
      },
      (root) => checkMicrocode(root, join(root, 'proc'), createHostFiles()),
    );
    assert.equal(reason, undefined);
  });

  it('reports nothing without a microcode line, cpuinfo or firmware', async () => {
    const trees: Record<string, TreeEntry>[] = [
      { 'proc/cpuinfo': cpuinfo('cpuinfo-guest-no-microcode.txt') },
      { 'etc/hostname': 'x' },
      { 'proc/cpuinfo': cpuinfo('cpuinfo-intel-kaby-lake.txt') },
    ];
    for (const entries of trees) {
      const files = createHostFiles();
      const reason = await withTree(entries, (root) => checkMicrocode(root, join(root, 'proc'), files));
      assert.equal(reason, undefined);
      assert.deepEqual(files.warnings, []);
    }
  });
});
