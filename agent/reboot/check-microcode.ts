// Compares the running CPU microcode revision with the newest one installed for this CPU.
// The kernel applies installed microcode at boot (early loading from the initramfs), so a
// newer installed revision means security fixes that only a reboot activates.
import { join } from 'node:path';
import type { RebootReason } from '../../shared/scan-report.js';
import { newestAmdRevision, parseAmdMicrocode } from './amd-microcode.js';
import type { HostFiles } from './host-files.js';
import { newestIntelRevision, parseIntelMicrocode } from './intel-microcode.js';
import { type CpuIdentity, cpuSignature, parseCpuinfo } from './parse-cpuinfo.js';
import { limitText } from './reason-text.js';

const CPUINFO_MAX_BYTES = 64 * 1024; // only the first processor's block is needed
const UCODE_FILE_MAX_BYTES = 16 * 1024 * 1024;
const MAX_AMD_FILES = 16;
const FIRMWARE_DIRS = ['/lib/firmware', '/usr/lib/firmware'];

interface Candidate {
  revision: number;
  path: string;
}

const hex = (n: number): string => `0x${n.toString(16)}`;
const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

async function newestIntel(root: string, cpu: CpuIdentity, files: HostFiles): Promise<Candidate | undefined> {
  const name = `${hex2(cpu.family)}-${hex2(cpu.model)}-${hex2(cpu.stepping)}`;
  // The platform id lives in an MSR; the kernel shows it as 1 << id in sysfs. Without it
  // (a captured tree), updates for other platforms of the same signature are not excluded.
  const flagsText = await files.readHead(
    join(root, 'sys/devices/system/cpu/cpu0/microcode/processor_flags'),
    64,
  );
  const flags = flagsText ? Number.parseInt(flagsText.toString('latin1').trim(), 16) : Number.NaN;
  for (const dir of FIRMWARE_DIRS) {
    const path = `${dir}/intel-ucode/${name}`;
    const file = await files.readSmallFile(join(root, path), UCODE_FILE_MAX_BYTES);
    if (file === undefined) continue;
    const parsed = parseIntelMicrocode(file.data);
    if (parsed.error) files.warnings.push(`${path}: ${parsed.error}`);
    const revision = newestIntelRevision(parsed, cpuSignature(cpu), Number.isNaN(flags) ? undefined : flags);
    return revision === undefined ? undefined : { revision, path };
  }
  return undefined;
}

async function newestAmd(root: string, cpu: CpuIdentity, files: HostFiles): Promise<Candidate | undefined> {
  let best: Candidate | undefined;
  for (const dir of FIRMWARE_DIRS) {
    const names = await files.list(join(root, dir, 'amd-ucode'), 256);
    if (names === undefined) continue;
    for (const name of names.filter((n) => /^microcode_amd.*\.bin$/.test(n)).slice(0, MAX_AMD_FILES)) {
      const path = `${dir}/amd-ucode/${name}`;
      const file = await files.readSmallFile(join(root, path), UCODE_FILE_MAX_BYTES);
      if (file === undefined) continue;
      const parsed = parseAmdMicrocode(file.data);
      if (parsed.error) files.warnings.push(`${path}: ${parsed.error}`);
      const revision = newestAmdRevision(parsed, cpuSignature(cpu));
      if (revision !== undefined && (best === undefined || revision > best.revision))
        best = { revision, path };
    }
    return best; // /usr/lib/firmware only when /lib/firmware has no amd-ucode
  }
  return best;
}

export async function checkMicrocode(
  root: string,
  procRoot: string,
  files: HostFiles,
): Promise<RebootReason | undefined> {
  const text = await files.readHead(join(procRoot, 'cpuinfo'), CPUINFO_MAX_BYTES);
  const cpu = text ? parseCpuinfo(text.toString('latin1')) : undefined;
  // No revision shown, or a guest: the hypervisor owns microcode and the guest kernel never
  // loads any, so a reboot of the guest would change nothing.
  if (cpu?.microcode === undefined || cpu.hypervisor) return undefined;

  let newest: Candidate | undefined;
  if (cpu.vendor === 'GenuineIntel') newest = await newestIntel(root, cpu, files);
  else if (cpu.vendor === 'AuthenticAMD' || cpu.vendor === 'HygonGenuine')
    newest = await newestAmd(root, cpu, files);
  if (newest === undefined || newest.revision <= cpu.microcode) return undefined;
  return {
    code: 'microcode-newer',
    message: limitText(
      `CPU microcode revision ${hex(cpu.microcode)} is running, ${newest.path} has revision ` +
        `${hex(newest.revision)} for this CPU (family ${hex(cpu.family)}, model ${hex(cpu.model)}, ` +
        `stepping ${cpu.stepping}); it is loaded at the next boot`,
    ),
  };
}
