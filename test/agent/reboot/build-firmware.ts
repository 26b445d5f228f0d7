// Builders for the binary formats the reboot checks read, so tests synthesize small images
// instead of committing kernels or microcode blobs.

/**
 * A bzImage head: "HdrS" at 0x202, the version pointer at 0x20e, the string at 0x200 + pointer.
 * `magic: false` builds an image without the x86 boot header (arm64 `Image`, for instance).
 */
export function buildKernelImage(
  versionString: string,
  options: { magic?: boolean; pointer?: number } = {},
): Buffer {
  const pointer = options.pointer ?? 0x3000;
  const text = Buffer.from(`${versionString}\0`, 'latin1');
  const buf = Buffer.alloc(Math.max(0x200 + pointer + text.length, 0x400) + 512, 0x90);
  buf.writeUInt8(0x55, 0x1fe);
  buf.writeUInt8(0xaa, 0x1ff);
  if (options.magic !== false) buf.write('HdrS', 0x202, 'latin1');
  buf.writeUInt16LE(0x020f, 0x206); // boot protocol 2.15
  buf.writeUInt16LE(pointer, 0x20e);
  text.copy(buf, 0x200 + pointer);
  return buf;
}

export interface IntelUpdateSpec {
  revision: number;
  signature: number;
  processorFlags?: number;
  /** 0 builds the legacy fixed layout (2000 data bytes, 2048 total). */
  dataSize?: number;
  extended?: { signature: number; processorFlags: number }[];
}

/** One Intel microcode update: 48-byte header, data, optional extended signature table. */
export function buildIntelUpdate(spec: IntelUpdateSpec): Buffer {
  const dataSize = spec.dataSize ?? 16;
  const realData = dataSize === 0 ? 2000 : dataSize;
  const ext = spec.extended ?? [];
  const extSize = ext.length > 0 ? 20 + 12 * ext.length : 0;
  const total = 48 + realData + extSize;
  const buf = Buffer.alloc(total);
  buf.writeUInt32LE(1, 0); // header version
  buf.writeUInt32LE(spec.revision >>> 0, 4);
  buf.writeUInt32LE(0x20240312, 8); // date
  buf.writeUInt32LE(spec.signature >>> 0, 12);
  buf.writeUInt32LE(1, 20); // loader version
  buf.writeUInt32LE((spec.processorFlags ?? 0xff) >>> 0, 24);
  buf.writeUInt32LE(dataSize, 28);
  buf.writeUInt32LE(dataSize === 0 ? 0 : total, 32);
  if (ext.length > 0) {
    const at = 48 + realData;
    buf.writeUInt32LE(ext.length, at);
    ext.forEach((e, i) => {
      buf.writeUInt32LE(e.signature >>> 0, at + 20 + i * 12);
      buf.writeUInt32LE(e.processorFlags >>> 0, at + 20 + i * 12 + 4);
    });
  }
  return buf;
}

export interface AmdContainerSpec {
  equivalences: { signature: number; equivId: number }[];
  patches: { patchId: number; equivId: number; size?: number }[];
}

/** One AMD container: magic, equivalence table (zero-terminated), patch sections. */
export function buildAmdContainer(spec: AmdContainerSpec): Buffer {
  const table = Buffer.alloc((spec.equivalences.length + 1) * 16);
  spec.equivalences.forEach((e, i) => {
    table.writeUInt32LE(e.signature >>> 0, i * 16);
    table.writeUInt16LE(e.equivId, i * 16 + 12);
  });
  const header = Buffer.alloc(12);
  header.writeUInt32LE(0x00414d44, 0);
  header.writeUInt32LE(0, 4);
  header.writeUInt32LE(table.length, 8);
  const sections = spec.patches.map((p) => {
    const size = p.size ?? 64;
    const section = Buffer.alloc(8 + size);
    section.writeUInt32LE(1, 0);
    section.writeUInt32LE(size, 4);
    if (size >= 28) {
      section.writeUInt32LE(0x20240116, 8); // data_code
      section.writeUInt32LE(p.patchId >>> 0, 8 + 4);
      section.writeUInt16LE(p.equivId, 8 + 24);
    }
    return section;
  });
  return Buffer.concat([header, table, ...sections]);
}
