// sys.path of a python process, rebuilt from the interpreter's location and version without
// running it and without PYTHONPATH: running the target's python with its environment is what
// CVE-2024-48990 exploited. Covers Debian (dist-packages), RPM (lib64), source and container
// builds (prefix/lib/python3.X/site-packages), virtual environments (pyvenv.cfg) and the plain
// directory lines of .pth files (editable installs); sys.path[0] is added by the caller.
import { posix } from 'node:path';
import type { InterpreterExe } from './detect-interpreter.js';
import { parseInterpreterExe } from './detect-interpreter.js';
import { prefixOf, resolvePath, type ScriptLookup } from './script-lookup.js';
import { cacheSet } from './script-parse-cache.js';

export interface PythonSearchPath {
  /** 'X.Y' when known; unknown means stdlib directories could not be chosen safely. */
  version?: string;
  /** Stdlib and lib-dynload, then site directories: the order python searches them. */
  stdlib: string[];
  /** Site directories (dropped by `python -S`). */
  site: string[];
}

export interface VirtualEnv {
  dir: string;
  /** Prefix of the base interpreter (`home =` without its bin/). */
  homePrefix?: string;
  version?: string;
  includeSystemSite: boolean;
}

/** Facts the path is derived from; pythonPathCandidates turns them into directories. */
export interface PythonLayout {
  prefix: string;
  version?: string;
  flavor?: 'pypy';
  venv?: VirtualEnv;
}

const MAX_PTH_FILES = 50;

const MAX_PTH_BYTES = 64 * 1024;

/** Pure: `key = value` lines of a pyvenv.cfg. */
export function parsePyvenvCfg(text: string, dir: string): VirtualEnv {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^\s*([\w-]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (match) values.set((match[1] ?? '').toLowerCase(), match[2] ?? '');
  }
  const venv: VirtualEnv = {
    dir,
    includeSystemSite: values.get('include-system-site-packages')?.toLowerCase() === 'true',
  };
  const home = values.get('home');
  if (home?.startsWith('/')) venv.homePrefix = prefixOf(posix.normalize(home));
  const version = /^(\d+\.\d+)/.exec(values.get('version') ?? values.get('version_info') ?? '')?.[1];
  if (version !== undefined) venv.version = version;
  return venv;
}

function siteCandidates(prefix: string, name: string, major: string): string[] {
  return [
    `${prefix}/local/lib/${name}/dist-packages`,
    `${prefix}/lib/python${major}/dist-packages`,
    `${prefix}/lib/${name}/dist-packages`,
    `${prefix}/local/lib64/${name}/site-packages`,
    `${prefix}/local/lib/${name}/site-packages`,
    `${prefix}/lib64/${name}/site-packages`,
    `${prefix}/lib/${name}/site-packages`,
  ];
}

/** Pure: candidate directories in python's search order; the caller keeps the existing ones. */
export function pythonPathCandidates(layout: PythonLayout): { stdlib: string[]; site: string[] } {
  const version = layout.version;
  const major = version?.split('.')[0];
  if (version === undefined || !version.includes('.')) {
    // Without the minor version only the version-independent Debian directory is safe.
    return { stdlib: [], site: major ? [`${layout.prefix}/lib/python${major}/dist-packages`] : [] };
  }
  const name = `${layout.flavor === 'pypy' ? 'pypy' : 'python'}${version}`;
  const stdlibPrefix = layout.venv?.homePrefix ?? layout.prefix;
  const stdlib: string[] = [];
  for (const lib of ['lib64', 'lib']) {
    stdlib.push(`${stdlibPrefix}/${lib}/${name}`, `${stdlibPrefix}/${lib}/${name}/lib-dynload`);
  }
  const site: string[] = [];
  const venv = layout.venv;
  if (venv) {
    site.push(`${venv.dir}/lib/${name}/site-packages`, `${venv.dir}/lib64/${name}/site-packages`);
    if (venv.includeSystemSite) site.push(...siteCandidates(stdlibPrefix, name, major ?? '3'));
  } else {
    site.push(...siteCandidates(layout.prefix, name, major ?? '3'));
  }
  return { stdlib, site };
}

/** Pure: directory lines of a .pth file (lines starting with `import` run code: never followed). */
export function parsePthFile(text: string, siteDir: string): string[] {
  const dirs: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || /^import\s/.test(line)) continue;
    dirs.push(resolvePath(siteDir, line));
  }
  return dirs;
}

/** The X.Y of the only python stdlib under prefix/lib or lib64 that matches the major version. */
function versionByListing(lookup: ScriptLookup, layout: PythonLayout): string | undefined {
  const stem = layout.flavor === 'pypy' ? 'pypy' : 'python';
  const prefix = layout.venv?.homePrefix ?? layout.prefix;
  const found = new Set<string>();
  for (const lib of ['lib', 'lib64']) {
    for (const entry of lookup.list(`${prefix}/${lib}`) ?? []) {
      const version = new RegExp(`^${stem}(\\d+\\.\\d+)$`).exec(entry)?.[1];
      if (version === undefined) continue;
      if (layout.version !== undefined && !version.startsWith(`${layout.version}.`)) continue;
      if (lookup.list(`${prefix}/${lib}/${entry}`)?.has('os.py')) found.add(version);
    }
  }
  // Two installed versions (3.11 and 3.12) and a binary named just python3: choosing one would
  // check the wrong files, so choose none.
  return found.size === 1 ? [...found][0] : undefined;
}

/** pyvenv.cfg next to the executable or one level up, as CPython looks for it at start-up. */
function findVenv(lookup: ScriptLookup, binDirs: string[]): VirtualEnv | undefined {
  for (const binDir of binDirs) {
    for (const dir of [posix.dirname(binDir), binDir]) {
      const text = lookup.read(`${dir}/pyvenv.cfg`);
      if (text !== undefined) return parsePyvenvCfg(text, dir);
    }
  }
  return undefined;
}

function withPthDirs(lookup: ScriptLookup, siteDirs: string[]): string[] {
  const result: string[] = [];
  for (const dir of siteDirs) {
    result.push(dir);
    const entries = [...(lookup.list(dir) ?? [])].filter((e) => e.endsWith('.pth')).sort();
    for (const entry of entries.slice(0, MAX_PTH_FILES)) {
      const text = lookup.read(`${dir}/${entry}`);
      if (text !== undefined) result.push(...parsePthFile(text.slice(0, MAX_PTH_BYTES), dir));
    }
  }
  return result;
}

/**
 * The search path of a python process, minus sys.path[0]. A venv is seen through the
 * executable's directory or through argv[0] when it is a path: /proc/PID/exe of a venv's python
 * is the base interpreter the venv links to, only argv[0] still names the venv.
 */
export function pythonSearchPath(
  lookup: ScriptLookup,
  exe: InterpreterExe,
  argv0: string | undefined,
  cwd: string,
): PythonSearchPath {
  const binDirs = [posix.dirname(exe.path)];
  if (argv0?.includes('/') && parseInterpreterExe(argv0)?.interpreter === 'python') {
    binDirs.push(posix.dirname(resolvePath(cwd, argv0)));
  }
  const key = `${lookup.root.cacheKey}\0python\0${exe.path}\0${binDirs.join('\0')}`;
  const cached = lookup.cache.searchPaths.get(key) as PythonSearchPath | undefined;
  if (cached) return cached;

  const layout: PythonLayout = { prefix: prefixOf(binDirs[0] ?? '/') };
  if (exe.flavor) layout.flavor = exe.flavor;
  const venv = findVenv(lookup, binDirs);
  if (venv) layout.venv = venv;
  // `python3` says less than the venv's `version = 3.11.2`.
  const version = exe.version?.includes('.') ? exe.version : (venv?.version ?? exe.version);
  if (version !== undefined) layout.version = version;
  if (!layout.version?.includes('.')) {
    const listed = versionByListing(lookup, layout);
    if (listed !== undefined) layout.version = listed;
  }
  const candidates = pythonPathCandidates(layout);
  const existing = (dirs: string[]) => [...new Set(dirs)].filter((dir) => lookup.list(dir) !== undefined);
  const result: PythonSearchPath = {
    stdlib: existing(candidates.stdlib),
    site: existing(withPthDirs(lookup, existing(candidates.site))),
  };
  if (layout.version?.includes('.')) result.version = layout.version;
  cacheSet(lookup.cache.searchPaths, key, result);
  return result;
}
