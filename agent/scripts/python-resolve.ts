// Turns a python import into the files the import system would load, following importlib's
// FileFinder order inside each directory: a package directory with __init__.py, then a compiled
// extension, then name.py, then a sourceless name.pyc; a directory without __init__ is a
// portion of a namespace package. Extensions end the search without a file: they are mapped
// into the process and checked through /proc/PID/maps already.
import { posix } from 'node:path';
import type { PythonImport } from './python-imports.js';
import type { ScriptLookup } from './script-lookup.js';

export type PythonFound =
  | { kind: 'package'; file: string; path: string[] }
  | { kind: 'namespace'; path: string[] }
  | { kind: 'module'; file: string }
  | { kind: 'compiled' };

/** Names after `from x import` tried as submodules, per import statement. */
const MAX_FROM_NAMES = 200;

const extensionIndexes = new WeakMap<ReadonlySet<string>, Map<string, Set<string>>>();

/**
 * Module names that have a loadable extension in a directory: name.so, name.abi3.so and
 * name.cpython-3XY-*.so (only this version's tag loads; any tag when the version is unknown).
 * Built once per listing, because dist-packages can hold a thousand entries.
 */
function extensionNames(entries: ReadonlySet<string>, version: string | undefined): Set<string> {
  let byVersion = extensionIndexes.get(entries);
  if (!byVersion) {
    byVersion = new Map();
    extensionIndexes.set(entries, byVersion);
  }
  const tagKey = version ?? '';
  const cached = byVersion.get(tagKey);
  if (cached) return cached;
  const tag = version ? `cpython-${version.replace('.', '')}-` : 'cpython-';
  const names = new Set<string>();
  for (const entry of entries) {
    if (!entry.endsWith('.so')) continue;
    const [stem, ...rest] = entry.slice(0, -3).split('.');
    if (stem === undefined) continue;
    const middle = rest.join('.');
    if (middle === '' || middle === 'abi3' || (rest.length === 1 && middle.startsWith(tag))) names.add(stem);
  }
  byVersion.set(tagKey, names);
  return names;
}

/** One name looked up along a search path, as importlib's PathFinder does. */
export function findPythonModule(
  lookup: ScriptLookup,
  name: string,
  paths: readonly string[],
  version: string | undefined,
): PythonFound | undefined {
  const portions: string[] = [];
  for (const dir of paths) {
    const entries = lookup.list(dir);
    if (!entries) continue;
    if (entries.has(name)) {
      const pkgDir = `${dir}/${name}`;
      const pkgEntries = lookup.list(pkgDir);
      if (pkgEntries?.has('__init__.py') && lookup.file(`${pkgDir}/__init__.py`)) {
        return { kind: 'package', file: `${pkgDir}/__init__.py`, path: [pkgDir] };
      }
      if (pkgEntries && [...pkgEntries].some((e) => e.startsWith('__init__.'))) return { kind: 'compiled' };
      if (pkgEntries) portions.push(pkgDir);
    }
    if (extensionNames(entries, version).has(name)) return { kind: 'compiled' };
    if (entries.has(`${name}.py`) && lookup.file(`${dir}/${name}.py`)) {
      return { kind: 'module', file: `${dir}/${name}.py` };
    }
    if (entries.has(`${name}.pyc`)) return { kind: 'compiled' };
  }
  return portions.length > 0 ? { kind: 'namespace', path: portions } : undefined;
}

export interface Walked {
  files: string[];
  /** The module the whole dotted name resolved to, when every part did. */
  last?: PythonFound;
}

/** `a.b.c`: a's __init__.py, then b inside a's path, then c: every file along the way. */
export function walkPythonModule(
  lookup: ScriptLookup,
  parts: string[],
  start: readonly string[],
  version?: string,
): Walked {
  const files: string[] = [];
  let paths = start;
  let found: PythonFound | undefined;
  for (const part of parts) {
    if (found && found.kind !== 'package' && found.kind !== 'namespace') return { files };
    found = findPythonModule(lookup, part, paths, version);
    if (!found) return { files };
    if ('file' in found) files.push(found.file);
    if ('path' in found) paths = found.path;
  }
  return found ? { files, last: found } : { files };
}

export interface PythonResolveContext {
  /** sys.path, sys.path[0] included. */
  syspath: readonly string[];
  version?: string;
}

/** Files one import statement loads, in load order; [] when nothing resolves to a source file. */
export function resolvePythonImport(
  lookup: ScriptLookup,
  ref: PythonImport,
  importer: string,
  context: PythonResolveContext,
): string[] {
  let walked: Walked;
  const parts = ref.module === '' ? [] : ref.module.split('.');
  if (ref.level > 0) {
    // Relative to the importer's package, which is its directory (for __init__.py too).
    let base = posix.dirname(importer);
    for (let up = 1; up < ref.level; up++) base = posix.dirname(base);
    walked =
      parts.length === 0
        ? { files: [], last: { kind: 'namespace', path: [base] } }
        : walkPythonModule(lookup, parts, [base], context.version);
  } else {
    walked = walkPythonModule(lookup, parts, context.syspath, context.version);
  }
  const last = walked.last;
  if (ref.names && last && 'path' in last) {
    for (const name of ref.names.slice(0, MAX_FROM_NAMES)) {
      // `from pkg import name`: a submodule when such a file exists, otherwise an attribute.
      const found = walkPythonModule(lookup, name.split('.'), last.path, context.version);
      walked.files.push(...found.files);
    }
  }
  return walked.files;
}
