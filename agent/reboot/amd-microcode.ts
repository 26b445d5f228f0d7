// AMD microcode containers (/lib/firmware/amd-ucode/microcode_amd*.bin), as the kernel's
// arch/x86/kernel/cpu/microcode/amd.c reads them: magic 0x00414d44, an equivalence table
// section (type 0) mapping CPUID signatures to a 16-bit equivalence id, then patch sections
// (type 1) whose header names the equivalence id (processor_rev_id) and the patch level.
// Several containers may follow each other in one file (the early-load initrd blob does that);
// an equivalence id only means something inside its own container.

const MAGIC = 0x00414d44;
const EQUIV_TABLE_TYPE = 0;
const PATCH_TYPE = 1;
const CONTAINER_HEADER_SIZE = 12;
const SECTION_HEADER_SIZE = 8;
const EQUIV_ENTRY_SIZE = 16;
const PATCH_HEADER_MIN = 28;

export interface AmdEquivalence {
  /** CPUID leaf 1 EAX. */
  signature: number;
  equivId: number;
}

export interface AmdPatch {
  /** The patch level, as /proc/cpuinfo's `microcode` shows it. */
  patchId: number;
  equivId: number;
}

export interface AmdContainer {
  equivalences: AmdEquivalence[];
  patches: AmdPatch[];
}

export interface AmdMicrocodeFile {
  containers: AmdContainer[];
  /** Why parsing stopped early, when it did. */
  error?: string;
}

export function parseAmdMicrocode(buf: Buffer): AmdMicrocodeFile {
  const containers: AmdContainer[] = [];
  let offset = 0;
  while (buf.length - offset >= 4) {
    if (buf.subarray(offset).every((byte) => byte === 0)) break; // zero padding at the end
    if (buf.length - offset < CONTAINER_HEADER_SIZE || buf.readUInt32LE(offset) !== MAGIC) {
      return { containers, error: `no container magic at offset ${offset}` };
    }
    if (buf.readUInt32LE(offset + 4) !== EQUIV_TABLE_TYPE) {
      return { containers, error: `no equivalence table at offset ${offset}` };
    }
    const tableSize = buf.readUInt32LE(offset + 8);
    const tableStart = offset + CONTAINER_HEADER_SIZE;
    if (tableStart + tableSize > buf.length) {
      return { containers, error: `truncated equivalence table at offset ${offset}` };
    }
    const container: AmdContainer = { equivalences: [], patches: [] };
    containers.push(container);
    for (let at = tableStart; at + EQUIV_ENTRY_SIZE <= tableStart + tableSize; at += EQUIV_ENTRY_SIZE) {
      const signature = buf.readUInt32LE(at);
      if (signature === 0) break; // the table ends with an all-zero entry
      container.equivalences.push({ signature, equivId: buf.readUInt16LE(at + 12) });
    }
    offset = tableStart + tableSize;

    while (buf.length - offset >= SECTION_HEADER_SIZE && buf.readUInt32LE(offset) === PATCH_TYPE) {
      const size = buf.readUInt32LE(offset + 4);
      const patch = offset + SECTION_HEADER_SIZE;
      if (patch + size > buf.length) return { containers, error: `truncated patch at offset ${offset}` };
      if (size >= PATCH_HEADER_MIN) {
        container.patches.push({
          patchId: buf.readUInt32LE(patch + 4),
          equivId: buf.readUInt16LE(patch + 24),
        });
      }
      offset = patch + size;
    }
  }
  return { containers };
}

/** The highest patch level in the file for the CPU with this signature, or undefined. */
export function newestAmdRevision(file: AmdMicrocodeFile, signature: number): number | undefined {
  let newest: number | undefined;
  for (const container of file.containers) {
    const ids = new Set(
      container.equivalences.filter((e) => e.signature === signature).map((e) => e.equivId),
    );
    for (const patch of container.patches) {
      if (!ids.has(patch.equivId)) continue;
      if (newest === undefined || patch.patchId > newest) newest = patch.patchId;
    }
  }
  return newest;
}
