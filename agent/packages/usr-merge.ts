// On a merged-/usr system (/lib -> usr/lib, ...) one file has two names. The kernel reports the
// canonical one (/usr/lib/x86_64-linux-gnu/libc.so.6) while dpkg's lists keep the name the
// package shipped (/lib/x86_64-linux-gnu/libc.so.6). The aliases are only applied where the root
// really is merged: on a split /usr, /bin/foo and /usr/bin/foo are different files that can
// belong to different packages.
import { resolveUnderRoot } from './resolve-under-root.js';

const MERGEABLE_DIRS = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'] as const;

/** The top-level directories (`bin`, `lib`, ...) that are the same directory as their /usr twin. */
export function detectUsrMerge(root: string): Set<string> {
  const merged = new Set<string>();
  for (const dir of MERGEABLE_DIRS) {
    // Compared after resolution so that chains such as Fedora's /sbin -> usr/sbin -> bin count.
    const top = resolveUnderRoot(root, `/${dir}`);
    if (top !== undefined && top === resolveUnderRoot(root, `/usr/${dir}`)) merged.add(dir);
  }
  return merged;
}

/** The other names of `path` on a root whose `merged` top-level directories link into /usr. */
export function usrMergeAliases(path: string, merged: ReadonlySet<string>): string[] {
  const parts = path.split('/');
  // '/usr/lib/x/y' -> ['', 'usr', 'lib', 'x', 'y']; '/lib/x/y' -> ['', 'lib', 'x', 'y']
  if (parts[1] === 'usr' && parts.length > 3 && merged.has(parts[2]!)) {
    return [`/${parts.slice(2).join('/')}`];
  }
  if (parts.length > 2 && merged.has(parts[1]!)) return [`/usr${path}`];
  return [];
}
