// Symlink resolution confined to a root. path.join(root, realpath) is wrong for a captured tree:
// an absolute link such as `lib -> /usr/lib` would be followed on the scanning host. Here an
// absolute target restarts at `root`, and `..` never climbs above it, as in a chroot.
import { lstatSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

const MAX_SYMLINKS = 40; // Linux's MAXSYMLINKS

/**
 * The canonical absolute path (as seen inside `root`) of `path`. When only the last component is
 * missing (a deleted file), its resolved parent plus that name. Undefined when a directory on
 * the way is missing or links loop.
 */
export function resolveUnderRoot(root: string, path: string): string | undefined {
  const pending = path.split('/').filter((part) => part !== '');
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const here = join(root, ...resolved, part);
    let isLink: boolean;
    try {
      isLink = lstatSync(here).isSymbolicLink();
    } catch {
      if (pending.length === 0) return `/${[...resolved, part].join('/')}`;
      return undefined;
    }
    if (!isLink) {
      resolved.push(part);
      continue;
    }
    if (++links > MAX_SYMLINKS) return undefined;
    let target: string;
    try {
      target = readlinkSync(here);
    } catch {
      return undefined;
    }
    if (target.startsWith('/')) resolved.length = 0;
    pending.unshift(...target.split('/').filter((p) => p !== ''));
  }
  return `/${resolved.join('/')}`;
}
