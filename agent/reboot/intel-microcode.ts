// Intel microcode update files (/lib/firmware/intel-ucode/FF-MM-SS): one or more updates back
// to back, each a 48-byte header (Intel SDM vol. 3, "Microcode Update Format"; the kernel's
// struct microcode_header_intel), the data, and an optional extended signature table.

const HEADER_SIZE = 48;
const DEFAULT_DATA_SIZE = 2000;
const DEFAULT_TOTAL_SIZE = 2048;
const EXT_HEADER_SIZE = 20;
const EXT_SIGNATURE_SIZE = 12;

export interface IntelSignature {
  signature: number;
  /** Platform bit mask the update applies to (1 << platform id). */
  processorFlags: number;
}

export interface IntelMicrocodeUpdate {
  revision: number;
  /** The header's signature first, then the extended signature table's. */
  signatures: IntelSignature[];
}

export interface IntelMicrocodeFile {
  updates: IntelMicrocodeUpdate[];
  /** Why parsing stopped early, when it did. */
  error?: string;
}

export function parseIntelMicrocode(buf: Buffer): IntelMicrocodeFile {
  const updates: IntelMicrocodeUpdate[] = [];
  let offset = 0;
  while (offset < buf.length) {
    if (buf.length - offset < HEADER_SIZE) return { updates, error: `truncated header at offset ${offset}` };
    const headerVersion = buf.readUInt32LE(offset);
    const loaderVersion = buf.readUInt32LE(offset + 20);
    if (headerVersion !== 1 || loaderVersion !== 1) {
      return { updates, error: `unknown header version ${headerVersion} at offset ${offset}` };
    }
    const rawDataSize = buf.readUInt32LE(offset + 28);
    // A data size of 0 means the original fixed layout: 2000 bytes of data, 2048 in total.
    const dataSize = rawDataSize === 0 ? DEFAULT_DATA_SIZE : rawDataSize;
    const totalSize = rawDataSize === 0 ? DEFAULT_TOTAL_SIZE : buf.readUInt32LE(offset + 32);
    if (totalSize < HEADER_SIZE + dataSize || totalSize % 4 !== 0) {
      return { updates, error: `bad sizes (data ${dataSize}, total ${totalSize}) at offset ${offset}` };
    }
    if (offset + totalSize > buf.length) return { updates, error: `truncated update at offset ${offset}` };

    const signatures: IntelSignature[] = [
      { signature: buf.readUInt32LE(offset + 12), processorFlags: buf.readUInt32LE(offset + 24) },
    ];
    const extOffset = offset + HEADER_SIZE + dataSize;
    const extEnd = offset + totalSize;
    if (extEnd - extOffset >= EXT_HEADER_SIZE) {
      const count = buf.readUInt32LE(extOffset);
      for (let i = 0; i < count; i++) {
        const at = extOffset + EXT_HEADER_SIZE + i * EXT_SIGNATURE_SIZE;
        if (at + EXT_SIGNATURE_SIZE > extEnd) break;
        signatures.push({ signature: buf.readUInt32LE(at), processorFlags: buf.readUInt32LE(at + 4) });
      }
    }
    updates.push({ revision: buf.readUInt32LE(offset + 4), signatures });
    offset += totalSize;
  }
  return { updates };
}

/**
 * Whether a signature entry applies to the CPU, as the kernel's intel_cpu_signatures_match:
 * equal signatures and overlapping platform flags. Without the CPU's platform flags (no sysfs),
 * the flags are not checked.
 */
function applies(entry: IntelSignature, signature: number, cpuFlags: number | undefined): boolean {
  if (entry.signature !== signature) return false;
  if (cpuFlags === undefined) return true;
  return (entry.processorFlags === 0 && cpuFlags === 0) || (entry.processorFlags & cpuFlags) !== 0;
}

/** The highest revision in the file for this CPU, or undefined when none applies. */
export function newestIntelRevision(
  file: IntelMicrocodeFile,
  signature: number,
  processorFlags?: number,
): number | undefined {
  let newest: number | undefined;
  for (const update of file.updates) {
    if (!update.signatures.some((entry) => applies(entry, signature, processorFlags))) continue;
    if (newest === undefined || update.revision > newest) newest = update.revision;
  }
  return newest;
}
