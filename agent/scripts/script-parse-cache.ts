// What finding script files learns once per scan and reuses for every process: the import list
// of each file (keyed by its identity, so an edited or replaced file is parsed again), the
// entries of each directory on a search path, and each interpreter's search path. Six hundred
// python processes importing the same stdlib parse ssl.py once.

/** A cache that lives for one scan; create one per scan with createScriptParseCache(). */
export interface ScriptParseCache {
  /** Parsed imports, keyed by root cacheKey + interpreter + path + inode + size + mtime. */
  readonly imports: Map<string, readonly unknown[]>;
  /** Directory entries (undefined: not a directory), keyed by root cacheKey + path. */
  readonly listings: Map<string, ReadonlySet<string> | undefined>;
  /** Search paths and package.json "main" fields, keyed by root cacheKey + what they came from. */
  readonly searchPaths: Map<string, unknown>;
  /** Symlink targets (null: not a link), keyed by root cacheKey + path. */
  readonly links: Map<string, string | null>;
}

/** Entries kept per map, so that a scan of a host with thousands of containers stays bounded. */
export const SCRIPT_CACHE_MAX_ENTRIES = 100_000;

/**
 * A fresh cache for one scan. `imports` may be carried over from the previous scan of a
 * long-running agent: its keys include each file's inode, size and mtime, so a changed file is
 * parsed again. Listings, search paths and links describe the filesystem now and never carry over.
 */
export function createScriptParseCache(imports: ScriptParseCache['imports'] = new Map()): ScriptParseCache {
  return { imports, listings: new Map(), searchPaths: new Map(), links: new Map() };
}

/** Stores unless the map is full: a full cache costs speed, never correctness. */
export function cacheSet<K, V>(map: Map<K, V>, key: K, value: V): void {
  if (map.size < SCRIPT_CACHE_MAX_ENTRIES || map.has(key)) map.set(key, value);
}
