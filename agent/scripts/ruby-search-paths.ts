// ruby's $LOAD_PATH and gem directories, rebuilt from the interpreter's location and version
// without running it and without RUBYLIB/GEM_PATH (CVE-2024-48991 came from trusting the
// target's environment). Debian (vendor_ruby, rubygems-integration, /var/lib/gems), RPM
// (/usr/share/ruby, /usr/share/gems) and source builds (prefix/lib/ruby/3.1.0) are covered.
// Gems: the lib directory of the newest installed version of each gem, as rubygems activates
// a gem without a Gemfile.lock; best effort, bundler's lock file is not read.
import { posix } from 'node:path';
import { compareNatural } from '../../shared/compare-natural.js';
import type { InterpreterExe } from './detect-interpreter.js';
import { listTriplets, prefixOf, type ScriptLookup } from './script-lookup.js';
import { cacheSet } from './script-parse-cache.js';

export interface RubyLayout {
  prefix: string;
  /** ABI version, e.g. 3.1.0. */
  version?: string;
  triplets: string[];
  /** Ruby's arch directory name of a source build, e.g. x86_64-linux. */
  archs: string[];
}

export interface RubySearchPath {
  loadPath: string[];
  /** lib directories of installed gems, searched after loadPath. */
  gems: string[];
}

const MAX_GEM_DIRS = 1000;

/** Pure: $LOAD_PATH candidates in ruby's order (site, vendor, stdlib), all layouts merged. */
export function rubyLoadPathCandidates(layout: RubyLayout): string[] {
  const p = layout.prefix;
  const v = layout.version;
  const dirs: (string | undefined)[] = [];
  const versioned = (base: string) => {
    if (!v) return;
    dirs.push(`${base}/${v}`);
    for (const a of layout.archs) dirs.push(`${base}/${v}/${a}`);
  };
  dirs.push(v && `${p}/local/lib/site_ruby/${v}`);
  for (const t of layout.triplets) dirs.push(`${p}/local/lib/${t}/site_ruby`);
  dirs.push(`${p}/local/lib/site_ruby`);
  versioned(`${p}/lib/ruby/site_ruby`);
  dirs.push(`${p}/lib/ruby/site_ruby`, `${p}/local/share/ruby/site_ruby`, `${p}/local/lib64/ruby/site_ruby`);
  versioned(`${p}/lib/ruby/vendor_ruby`);
  for (const t of layout.triplets) dirs.push(v && `${p}/lib/${t}/ruby/vendor_ruby/${v}`);
  dirs.push(`${p}/lib/ruby/vendor_ruby`, `${p}/share/ruby/vendor_ruby`, `${p}/lib64/ruby/vendor_ruby`);
  dirs.push(`${p}/share/rubygems`);
  versioned(`${p}/lib/ruby`);
  for (const t of layout.triplets) dirs.push(v && `${p}/lib/${t}/ruby/${v}`);
  dirs.push(`${p}/share/ruby`, `${p}/lib64/ruby`);
  return [...new Set(dirs.filter((d): d is string => d !== undefined))];
}

/** Pure: directories holding one subdirectory per installed gem (name-version). */
export function rubyGemDirCandidates(layout: RubyLayout): string[] {
  const p = layout.prefix;
  const v = layout.version;
  const dirs: (string | undefined)[] = [
    v && `/var/lib/gems/${v}/gems`,
    v && `${p}/local/lib/ruby/gems/${v}/gems`,
    v && `${p}/lib/ruby/gems/${v}/gems`,
    ...layout.triplets.map((t) => v && `${p}/lib/${t}/ruby/gems/${v}/gems`),
    v && `${p}/share/rubygems-integration/${v}/gems`,
    `${p}/share/rubygems-integration/all/gems`,
    ...layout.triplets.map((t) => v && `${p}/lib/${t}/rubygems-integration/${v}/gems`),
    `${p}/local/share/gems/gems`,
    `${p}/share/gems/gems`,
  ];
  return [...new Set(dirs.filter((d): d is string => d !== undefined))];
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '0';
    const y = pb[i] ?? '0';
    const diff = /^\d+$/.test(x) && /^\d+$/.test(y) ? Number(x) - Number(y) : compareNatural(x, y);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** Pure: `name-1.2.3` entries of gem directories -> the path of the newest version of each gem. */
export function newestGems(dirs: readonly { dir: string; entries: Iterable<string> }[]): Map<string, string> {
  const newest = new Map<string, { version: string; path: string }>();
  for (const { dir, entries } of dirs) {
    for (const entry of entries) {
      // name-1.2.3, or name-1.2.3-x86_64-linux for a platform gem.
      const match = /^(.+)-(\d+(?:\.\w+)*)(?:-[a-z][\w.-]*)?$/.exec(entry);
      if (!match) continue;
      const [, name = '', version = ''] = match;
      const seen = newest.get(name);
      if (!seen || compareVersions(version, seen.version) > 0)
        newest.set(name, { version, path: `${dir}/${entry}` });
    }
  }
  return new Map([...newest].map(([name, { path }]) => [name, path]));
}

function findVersion(lookup: ScriptLookup, exe: InterpreterExe, prefix: string): string | undefined {
  const named = exe.version?.split('.') ?? [];
  if (named.length >= 2) return `${named[0]}.${named[1]}.0`;
  const found = new Set<string>();
  for (const dir of [`${prefix}/lib/ruby`, `${prefix}/lib64/ruby`]) {
    for (const entry of lookup.list(dir) ?? []) if (/^\d+\.\d+\.\d+$/.test(entry)) found.add(entry);
  }
  return found.size === 1 ? [...found][0] : undefined;
}

/** The existing $LOAD_PATH and gem lib directories of the ruby at exe.path. */
export function rubySearchPath(lookup: ScriptLookup, exe: InterpreterExe): RubySearchPath {
  const key = `${lookup.root.cacheKey}\0ruby\0${exe.path}`;
  const cached = lookup.cache.searchPaths.get(key) as RubySearchPath | undefined;
  if (cached) return cached;
  const prefix = prefixOf(posix.dirname(exe.path));
  const layout: RubyLayout = { prefix, triplets: listTriplets(lookup, `${prefix}/lib`), archs: [] };
  const version = findVersion(lookup, exe, prefix);
  if (version !== undefined) {
    layout.version = version;
    layout.archs = [...(lookup.list(`${prefix}/lib/ruby/${version}`) ?? [])].filter((e) =>
      e.includes('-linux'),
    );
  }
  const gemDirs = rubyGemDirCandidates(layout).map((dir) => ({ dir, entries: lookup.list(dir) ?? [] }));
  const gems = [...newestGems(gemDirs).values()].slice(0, MAX_GEM_DIRS).map((path) => `${path}/lib`);
  const result: RubySearchPath = {
    loadPath: rubyLoadPathCandidates(layout).filter((d) => lookup.list(d)),
    gems,
  };
  cacheSet(lookup.cache.searchPaths, key, result);
  return result;
}
