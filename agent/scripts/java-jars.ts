// The jars a JVM has open, from the readlink targets of /proc/PID/fd/*. A JVM keeps every jar
// on its class path open for its whole life and loads classes from it lazily, so a jar replaced
// by an update (` (deleted)`) or rewritten in place serves a mix of old and new classes.

export interface OpenJar {
  fd: string;
  /** The jar's path without the ` (deleted)` mark. */
  path: string;
  /** procfs marked the name as unlinked. */
  deleted: boolean;
}

const DELETED = ' (deleted)';

/** Pure: open jars, one per path and deletion state (a jar opened twice is reported once). */
export function findOpenJars(fdTargets: { fd: string; target: string }[]): OpenJar[] {
  const jars: OpenJar[] = [];
  const seen = new Set<string>();
  for (const { fd, target } of fdTargets) {
    const deleted = target.endsWith(DELETED);
    const path = deleted ? target.slice(0, -DELETED.length) : target;
    // Sockets, pipes and anon inodes have no leading slash; a memfd is no file on disk.
    if (!path.startsWith('/') || path.startsWith('/memfd:') || !/\.jar$/i.test(path)) continue;
    const key = `${deleted}\0${path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    jars.push({ fd, path, deleted });
  }
  return jars;
}
