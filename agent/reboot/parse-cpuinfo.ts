// The first CPU's identity and running microcode revision from /proc/cpuinfo (x86), and the
// CPUID signature the microcode files are keyed by.

export interface CpuIdentity {
  vendor: string;
  family: number;
  model: number;
  stepping: number;
  /** Running microcode revision, when the kernel shows one (guests often do not). */
  microcode?: number;
  /** The CPUID "hypervisor" flag: a guest, whose kernel never loads microcode itself. */
  hypervisor: boolean;
}

function parseNumber(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  const n = /^0x[0-9a-f]+$/i.test(v)
    ? Number.parseInt(v.slice(2), 16)
    : /^\d+$/.test(v)
      ? Number(v)
      : Number.NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Parses the first processor block; undefined when vendor, family, model or stepping are missing. */
export function parseCpuinfo(text: string): CpuIdentity | undefined {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (fields.size > 0) break; // end of the first processor's block
      continue;
    }
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim();
    if (!fields.has(key)) fields.set(key, line.slice(colon + 1).trim());
  }
  const vendor = fields.get('vendor_id');
  const family = parseNumber(fields.get('cpu family'));
  const model = parseNumber(fields.get('model'));
  const stepping = parseNumber(fields.get('stepping'));
  if (!vendor || family === undefined || model === undefined || stepping === undefined) return undefined;
  const cpu: CpuIdentity = {
    vendor,
    family,
    model,
    stepping,
    hypervisor: (fields.get('flags') ?? '').split(/\s+/).includes('hypervisor'),
  };
  const microcode = parseNumber(fields.get('microcode'));
  if (microcode !== undefined) cpu.microcode = microcode;
  return cpu;
}

/**
 * CPUID leaf 1 EAX rebuilt from the displayed family/model/stepping (the kernel adds the
 * extended family when the base family is 0xf, and shifts in the extended model for family 6
 * and 0xf and above). Processor type bits are 0 on every CPU microcode is shipped for.
 */
export function cpuSignature(cpu: Pick<CpuIdentity, 'family' | 'model' | 'stepping'>): number {
  const baseFamily = Math.min(cpu.family, 0xf);
  const extFamily = Math.max(cpu.family - 0xf, 0);
  const usesExtModel = cpu.family === 6 || cpu.family >= 0xf;
  const baseModel = usesExtModel ? cpu.model & 0xf : cpu.model;
  const extModel = usesExtModel ? cpu.model >> 4 : 0;
  return (
    (((extFamily & 0xff) << 20) |
      ((extModel & 0xf) << 16) |
      ((baseFamily & 0xf) << 8) |
      ((baseModel & 0xf) << 4) |
      (cpu.stepping & 0xf)) >>>
    0
  );
}
