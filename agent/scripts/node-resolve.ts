// Turns a module specifier into the file node loads, after node's CommonJS algorithm: a path
// tries the exact file, then the .js/.json/.node/.mjs/.cjs extensions, then a directory's
// package.json "main" (only a plain string) or index file; a bare name walks up node_modules
// directories from the importing file, then the global folders. Built-in modules live in the
// binary and resolve to nothing; package.json "exports" maps are not read (the subpath is looked
// up as a path instead). Results are real paths, as node identifies modules by them.
import { builtinModules } from 'node:module';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolvePath, type ScriptLookup } from './script-lookup.js';
import { cacheSet } from './script-parse-cache.js';

const BUILTINS = new Set(builtinModules);
const EXTENSIONS = ['.js', '.json', '.node', '.mjs', '.cjs'];
const INDEXES = ['index.js', 'index.json', 'index.node'];

/** package.json "main" when it is a plain string; cached per file version. */
function packageMain(lookup: ScriptLookup, dir: string): string | undefined {
  const file = `${dir}/package.json`;
  const st = lookup.file(file);
  if (!st) return undefined;
  const key = `${lookup.root.cacheKey}\0package-main\0${file}\0${st.ino}\0${st.mtimeMs}`;
  if (lookup.cache.searchPaths.has(key)) return lookup.cache.searchPaths.get(key) as string | undefined;
  let main: string | undefined;
  try {
    const parsed: unknown = JSON.parse(lookup.read(file) ?? '');
    const value = (parsed as { main?: unknown } | null)?.main;
    if (typeof value === 'string' && value !== '') main = value;
  } catch {
    main = undefined;
  }
  cacheSet(lookup.cache.searchPaths, key, main);
  return main;
}

function asFile(lookup: ScriptLookup, path: string): string | undefined {
  if (lookup.file(path)) return path;
  return EXTENSIONS.map((ext) => path + ext).find((p) => lookup.file(p));
}

function asIndex(lookup: ScriptLookup, dir: string): string | undefined {
  return INDEXES.map((name) => `${dir}/${name}`).find((p) => lookup.file(p));
}

function asDirectory(lookup: ScriptLookup, dir: string): string | undefined {
  if (!lookup.list(dir)) return undefined;
  const main = packageMain(lookup, dir);
  if (main !== undefined) {
    const target = resolvePath(dir, main);
    const found = asFile(lookup, target) ?? asIndex(lookup, target);
    if (found) return found;
  }
  return asIndex(lookup, dir);
}

/** A path as node's require() loads it: file first, then directory. */
export function resolveNodePath(lookup: ScriptLookup, path: string): string | undefined {
  const found = asFile(lookup, path) ?? asDirectory(lookup, path);
  return found === undefined ? undefined : lookup.realPath(found);
}

/** `@scope/pkg/sub/path` -> ['@scope/pkg', 'sub/path']. */
function splitBare(specifier: string): [string, string] {
  const parts = specifier.split('/');
  const count = specifier.startsWith('@') ? 2 : 1;
  return [parts.slice(0, count).join('/'), parts.slice(count).join('/')];
}

/** node_modules directories from `fromDir` up to the root, as Module._nodeModulePaths lists them. */
export function nodeModulesDirs(fromDir: string): string[] {
  const dirs: string[] = [];
  let dir = fromDir;
  for (;;) {
    if (posix.basename(dir) !== 'node_modules')
      dirs.push(dir === '/' ? '/node_modules' : `${dir}/node_modules`);
    const parent = posix.dirname(dir);
    if (parent === dir) return dirs;
    dir = parent;
  }
}

/**
 * The file a specifier loads from a module in `fromDir`; undefined for built-ins, native
 * addons (mapped, so the maps check covers them), URLs and anything that does not resolve.
 */
export function resolveNodeSpecifier(
  lookup: ScriptLookup,
  specifier: string,
  fromDir: string,
  globalDirs: readonly string[],
): string | undefined {
  if (specifier.startsWith('node:') || BUILTINS.has(specifier)) return undefined;
  let found: string | undefined;
  if (specifier.startsWith('file:')) {
    try {
      found = resolveNodePath(lookup, fileURLToPath(specifier));
    } catch {
      return undefined;
    }
  } else if (specifier.startsWith('/') || /^\.\.?(?:\/|$)/.test(specifier)) {
    found = resolveNodePath(lookup, resolvePath(fromDir, specifier));
  } else if (/^[a-z][a-z0-9+.-]*:/i.test(specifier) || specifier.startsWith('#')) {
    return undefined; // data:, http:, package imports maps
  } else {
    const [name, subpath] = splitBare(specifier);
    const first = name.split('/', 1)[0] ?? name;
    for (const modulesDir of [...nodeModulesDirs(fromDir), ...globalDirs]) {
      if (!lookup.list(modulesDir)?.has(first)) continue;
      const pkgDir = `${modulesDir}/${name}`;
      found = resolveNodePath(lookup, subpath === '' ? pkgDir : `${pkgDir}/${subpath}`);
      if (found) break;
    }
  }
  return found?.endsWith('.node') ? undefined : found;
}
