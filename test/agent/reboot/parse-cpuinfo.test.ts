import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { cpuSignature, parseCpuinfo } from '../../../agent/reboot/parse-cpuinfo.js';
import { fixturePath } from '../../helpers/paths.js';

const fixture = (name: string): string => readFileSync(fixturePath('reboot', name), 'utf8');

describe('parseCpuinfo', () => {
  it('reads the first Intel CPU', () => {
    assert.deepEqual(parseCpuinfo(fixture('cpuinfo-intel-kaby-lake.txt')), {
      vendor: 'GenuineIntel',
      family: 6,
      model: 142,
      stepping: 10,
      microcode: 0xf0,
      hypervisor: false,
    });
  });

  it('reads an AMD CPU and a guest with the hypervisor flag', () => {
    assert.equal(parseCpuinfo(fixture('cpuinfo-amd-milan.txt'))?.microcode, 0xa0011d1);
    const guest = parseCpuinfo(fixture('cpuinfo-kvm-guest.txt'));
    assert.equal(guest?.hypervisor, true);
    assert.equal(guest?.family, 26);
  });

  it('leaves microcode out when the kernel shows none', () => {
    const cpu = parseCpuinfo(fixture('cpuinfo-guest-no-microcode.txt'));
    assert.ok(cpu);
    assert.equal('microcode' in cpu, false);
  });

  it('returns undefined without the identity fields (non-x86 cpuinfo)', () => {
    assert.equal(parseCpuinfo('processor\t: 0\nBogoMIPS\t: 50.00\nCPU implementer\t: 0x41\n'), undefined);
    assert.equal(parseCpuinfo(''), undefined);
  });
});

describe('cpuSignature', () => {
  it('rebuilds CPUID(1).EAX from family/model/stepping', () => {
    assert.equal(cpuSignature({ family: 6, model: 0x8e, stepping: 0xa }), 0x000806ea); // Kaby Lake
    assert.equal(cpuSignature({ family: 6, model: 0x55, stepping: 7 }), 0x00050657); // Cascade Lake
    assert.equal(cpuSignature({ family: 15, model: 4, stepping: 1 }), 0x00000f41); // Pentium 4
    assert.equal(cpuSignature({ family: 0x17, model: 0x31, stepping: 0 }), 0x00830f10); // Zen 2 Rome
    assert.equal(cpuSignature({ family: 0x19, model: 0x01, stepping: 1 }), 0x00a00f11); // Zen 3 Milan
    assert.equal(cpuSignature({ family: 0x1a, model: 0x02, stepping: 1 }), 0x00b00f21); // Zen 5
    assert.equal(cpuSignature({ family: 5, model: 2, stepping: 0xc }), 0x0000052c); // Pentium
  });
});
