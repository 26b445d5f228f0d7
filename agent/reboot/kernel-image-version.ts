// The version string an x86 kernel image carries in its boot-protocol header
// (Documentation/arch/x86/boot.rst): "HdrS" at 0x202 and, at 0x20e, a 16-bit offset to a
// NUL-terminated string at 0x200 + offset. The string is
// `UTS_RELEASE " (" user@host ") " UTS_VERSION`, so it yields both `uname -r` and `uname -v`
// of the kernel that image will boot, without trusting the file name (needrestart reads the
// same field).

const HDRS_MAGIC_OFFSET = 0x202;
const KERNEL_VERSION_POINTER = 0x20e;
const SETUP_BASE = 0x200;
/** Longest version string accepted; real ones are about 120 bytes. */
const MAX_VERSION_LENGTH = 256;

/** Bytes of an image's head that always contain the header and the version string. */
export const KERNEL_IMAGE_HEAD_BYTES = SETUP_BASE + 0x10000 + MAX_VERSION_LENGTH;

export interface KernelImageVersion {
  /** `uname -r` of the image, e.g. `6.1.0-21-amd64`. */
  release: string;
  /** `uname -v` of the image, e.g. `#1 SMP PREEMPT_DYNAMIC Debian 6.1.90-1 (2024-05-03)`; may be empty. */
  version: string;
}

/** Replaces anything but printable ASCII: the string ends up in reports and terminals. */
function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?');
}

/**
 * Reads the version from the head of a bzImage. Undefined when the image is not an x86
 * boot-protocol image (arm64 `Image`, compressed `vmlinuz` on other architectures) or the
 * string does not look like a kernel release.
 */
export function parseKernelImageVersion(head: Buffer): KernelImageVersion | undefined {
  if (head.length < KERNEL_VERSION_POINTER + 2) return undefined;
  if (head.toString('latin1', HDRS_MAGIC_OFFSET, HDRS_MAGIC_OFFSET + 4) !== 'HdrS') return undefined;
  const pointer = head.readUInt16LE(KERNEL_VERSION_POINTER);
  if (pointer === 0) return undefined;
  const start = SETUP_BASE + pointer;
  if (start >= head.length) return undefined;
  const window = head.subarray(start, Math.min(head.length, start + MAX_VERSION_LENGTH));
  const nul = window.indexOf(0);
  const raw = printable(window.toString('latin1', 0, nul < 0 ? window.length : nul)).trim();
  return splitKernelVersionString(raw);
}

/**
 * Splits `6.1.0-21-amd64 (debian-kernel@lists.debian.org) #1 SMP ...` into release and
 * `uname -v`. UTS_VERSION starts with `#` and follows the `(user@host)` part.
 */
export function splitKernelVersionString(raw: string): KernelImageVersion | undefined {
  const release = raw.split(' ', 1)[0] ?? '';
  if (!/^\d+\.\d+/.test(release)) return undefined;
  const rest = raw.slice(release.length);
  // The builder part is `(user@host)`; the first `#` after it starts UTS_VERSION.
  const afterBuilder = rest.indexOf(') #');
  const hash = afterBuilder >= 0 ? afterBuilder + 2 : rest.indexOf(' #') + 1;
  const version = hash > 0 ? rest.slice(hash).trim() : '';
  return { release, version };
}
