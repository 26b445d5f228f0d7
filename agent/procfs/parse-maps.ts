// /proc/PID/maps: "start-end perms offset MM:mm inode      path". Only EXECUTABLE file-backed
// mappings matter: code that must be reloaded. A data file mapped read-only (a deleted database,
// a log) is not stale code, and counting it raises false alarms. Skipping non-exec lines before
// parsing them is also what keeps a full scan cheap: most lines of a big process are data.
import type { DeviceNumber } from '../host/file-stat.js';

export const DELETED_SUFFIX = ' (deleted)';

export interface ExecMapping {
  /** The path exactly as procfs shows it, suffix included. */
  rawPath: string;
  /** The path with a trailing ` (deleted)` removed. */
  path: string;
  /** procfs marked the name as unlinked (or the file's real name ends in " (deleted)"). */
  deleted: boolean;
  dev: DeviceNumber;
  inode: bigint;
}

/** Parses the exec mappings with an inode, one entry per distinct (path, inode). */
export function parseExecMappings(text: string): ExecMapping[] {
  const result: ExecMapping[] = [];
  const seen = new Set<string>();
  let lineStart = 0;
  while (lineStart < text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const mapping = parseExecLine(text, lineStart, lineEnd);
    lineStart = lineEnd + 1;
    if (!mapping) continue;
    const key = `${mapping.inode}:${mapping.rawPath}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(mapping);
  }
  return result;
}

function parseExecLine(text: string, start: number, end: number): ExecMapping | undefined {
  const permsAt = text.indexOf(' ', start) + 1;
  if (permsAt <= 0 || permsAt >= end) return undefined;
  if (text.charCodeAt(permsAt + 2) !== 0x78 /* x */) return undefined;
  const offsetAt = permsAt + 5;
  const devAt = text.indexOf(' ', offsetAt) + 1;
  const inodeAt = text.indexOf(' ', devAt) + 1;
  const inodeEnd = text.indexOf(' ', inodeAt);
  if (devAt <= 0 || inodeAt <= 0 || inodeEnd < 0 || inodeEnd > end) return undefined;
  const inodeText = text.slice(inodeAt, inodeEnd);
  if (inodeText === '0') return undefined;
  let pathAt = inodeEnd;
  while (pathAt < end && text.charCodeAt(pathAt) === 0x20) pathAt++;
  if (pathAt >= end) return undefined;
  const rawPath = decodeMapsPath(text.slice(pathAt, end));
  const dev = parseDevice(text.slice(devAt, inodeAt - 1));
  if (!dev) return undefined;
  const deleted = rawPath.endsWith(DELETED_SUFFIX);
  return {
    rawPath,
    path: deleted ? rawPath.slice(0, -DELETED_SUFFIX.length) : rawPath,
    deleted,
    dev,
    inode: BigInt(inodeText),
  };
}

/** The kernel escapes only a newline in a mapped path, as the octal "\012". */
export function decodeMapsPath(path: string): string {
  return path.includes('\\012') ? path.replaceAll('\\012', '\n') : path;
}

/** "fd:01" -> { major: 253, minor: 1 } (hex; the minor may exceed two digits). */
export function parseDevice(text: string): DeviceNumber | undefined {
  const colon = text.indexOf(':');
  if (colon < 1) return undefined;
  const major = Number.parseInt(text.slice(0, colon), 16);
  const minor = Number.parseInt(text.slice(colon + 1), 16);
  if (Number.isNaN(major) || Number.isNaN(minor)) return undefined;
  return { major, minor };
}
