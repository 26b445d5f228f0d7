// A file's identity and age, decoded once from a bigint stat so that inode numbers above 2^53
// (XFS, btrfs) and device numbers keep every bit.
import type { BigIntStats } from 'node:fs';

export interface DeviceNumber {
  major: number;
  minor: number;
}

export interface FileStat {
  dev: DeviceNumber;
  ino: bigint;
  mtimeMs: number;
  ctimeMs: number;
  /** Inode creation time from statx; 0 where the filesystem does not record it. */
  birthtimeMs: number;
  size: number;
  isFile: boolean;
}

/** Splits a Linux dev_t the way glibc's gnu_dev_major/gnu_dev_minor do. */
export function decodeDevice(dev: bigint): DeviceNumber {
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  return { major: Number(major), minor: Number(minor) };
}

export function toFileStat(st: BigIntStats): FileStat {
  return {
    dev: decodeDevice(st.dev),
    ino: st.ino,
    mtimeMs: Number(st.mtimeNs / 1_000_000n),
    ctimeMs: Number(st.ctimeNs / 1_000_000n),
    birthtimeMs: Number(st.birthtimeNs / 1_000_000n),
    size: Number(st.size),
    isFile: st.isFile(),
  };
}

/**
 * Whether two device numbers can be compared at all. Overlayfs, btrfs, tmpfs and NFS report
 * anonymous devices (major 0) that differ between procfs and stat for the same file.
 */
export function devicesComparable(a: DeviceNumber, b: DeviceNumber): boolean {
  return a.major !== 0 && b.major !== 0;
}

export function sameFile(held: { dev: DeviceNumber; inode: bigint }, current: FileStat): boolean {
  if (held.inode !== current.ino) return false;
  if (!devicesComparable(held.dev, current.dev)) return true;
  return held.dev.major === current.dev.major && held.dev.minor === current.dev.minor;
}
