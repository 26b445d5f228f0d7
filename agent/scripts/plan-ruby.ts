// Where a ruby process starts and how its requires resolve: the program file from argv, the -r
// libraries and, unless --disable=gems, what ruby's gem_prelude loads at start-up; a feature is
// looked up on -I dirs, then $LOAD_PATH, then the installed gems' lib directories.
import { posix } from 'node:path';
import type { InterpreterExe } from './detect-interpreter.js';
import { parseRubyArgv } from './ruby-argv.js';
import { extractRubyImports, type RubyImport } from './ruby-imports.js';
import { rubySearchPath } from './ruby-search-paths.js';
import { resolvePath, type ScriptLookup } from './script-lookup.js';
import type { ScriptFile, ScriptPlan } from './script-plan.js';

/** Loaded by gem_prelude.rb before the program, unless gems are disabled (missing ones are skipped). */
const PRELUDE = ['rubygems', 'error_highlight', 'did_you_mean', 'syntax_suggest/core_ext'];
const DEFAULT_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
const COMPILED = /\.(?:so|o|bundle|dll)$/;

/** Looks a relative path up in one directory, through the directory's cached listing first. */
function fileIn(lookup: ScriptLookup, dir: string, relative: string): string | undefined {
  const first = relative.split('/', 1)[0] ?? relative;
  if (!lookup.list(dir)?.has(first)) return undefined;
  const path = resolvePath(dir, relative);
  return lookup.file(path) ? path : undefined;
}

export function planRuby(
  lookup: ScriptLookup,
  exe: InterpreterExe,
  argv: readonly string[],
  cwd: string,
): ScriptPlan<RubyImport> {
  const invocation = parseRubyArgv(argv);
  const search = rubySearchPath(lookup, exe);
  const dirs = [
    ...invocation.includeDirs.map((dir) => resolvePath(cwd, dir)),
    ...search.loadPath,
    ...search.gems,
  ];

  /** `require 'x'`: x.rb along the path; an extension (x.so) found first ends the search. */
  const feature = (name: string): string | undefined => {
    if (COMPILED.test(name)) return undefined;
    const hasRb = name.endsWith('.rb');
    if (name.startsWith('/') || /^\.\.?\//.test(name) || name.startsWith('~')) {
      if (name.startsWith('~')) return undefined; // a home directory from the environment
      const path = resolvePath(cwd, hasRb ? name : `${name}.rb`);
      return lookup.file(path) ? path : undefined;
    }
    for (const dir of dirs) {
      const found = fileIn(lookup, dir, hasRb ? name : `${name}.rb`);
      if (found) return found;
      if (!hasRb && fileIn(lookup, dir, `${name}.so`)) return undefined;
    }
    return undefined;
  };

  const entries: ScriptFile[] = [];
  if (invocation.script !== undefined) {
    const name = invocation.script;
    const fromPath = invocation.searchPath && !name.includes('/');
    const script = fromPath
      ? (DEFAULT_PATH.map((d) => `${d}/${name}`).find((p) => lookup.file(p)) ?? resolvePath(cwd, name))
      : resolvePath(cwd, name);
    entries.push({ path: script, kind: 'script' });
  }
  for (const name of [...(invocation.gems ? PRELUDE : []), ...invocation.requires]) {
    const path = feature(name);
    if (path !== undefined) entries.push({ path, kind: 'module' });
  }

  const plan: ScriptPlan<RubyImport> = {
    entries,
    extract: extractRubyImports,
    resolve(ref, importer) {
      let path: string | undefined;
      if (ref.kind === 'feature') path = feature(ref.name);
      else if (ref.kind === 'relative') {
        const target = resolvePath(posix.dirname(importer), ref.path);
        path = [target, `${target}.rb`].find((p) => /\.rb$/.test(p) && lookup.file(p));
      } else {
        // load: exact name, on $LOAD_PATH first, then from the cwd.
        path = ref.path.startsWith('/')
          ? ref.path
          : dirs.map((d) => fileIn(lookup, d, ref.path)).find(Boolean);
        path ??= resolvePath(cwd, ref.path);
        if (!lookup.file(path)) path = undefined;
      }
      return path === undefined ? [] : [path];
    },
    parses: (path) => !COMPILED.test(path),
  };
  if (invocation.code !== undefined) plan.inline = { code: invocation.code, importer: `${cwd}/-e` };
  return plan;
}
