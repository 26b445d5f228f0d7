// Where a perl process starts and how its `use`/`require` resolve: the program file from argv,
// -M modules, @INC = -I dirs, then `use lib` dirs as they are met (FindBin's $Bin expanded to
// the script's real directory, the common `use lib "$FindBin::Bin/../lib"`), then the built-in
// directories. Relative @INC entries count from the cwd, as perl resolves them at require time.
import { posix } from 'node:path';
import type { InterpreterExe } from './detect-interpreter.js';
import { parsePerlArgv } from './perl-argv.js';
import { extractPerlImports, type PerlImport } from './perl-imports.js';
import { perlSearchPath } from './perl-search-paths.js';
import { resolvePath, type ScriptLookup } from './script-lookup.js';
import type { ScriptFile, ScriptPlan } from './script-plan.js';

/** `perl -S name` searches PATH; the process's PATH is not trusted, so the default one is used. */
const DEFAULT_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
const MAX_LIB_DIRS = 64;

function findInDirs(lookup: ScriptLookup, dirs: readonly string[], relative: string): string | undefined {
  for (const dir of dirs) {
    const path = resolvePath(dir, relative);
    if (lookup.file(path)) return path;
  }
  return undefined;
}

interface FindBinDirs {
  /** $FindBin::Bin: the script's directory, resolved. */
  bin: string;
  /** $FindBin::RealBin: the directory of the script after following its own symlinks too. */
  realBin: string;
}

/** `$FindBin::Bin/../lib` -> /opt/app/bin/../lib, normalized. */
function expandLibDir(dir: string, findBin: FindBinDirs, cwd: string): string {
  const expanded = dir.replace(/\$\{?(?:FindBin::)?(Real)?Bin\}?/g, (_, real) =>
    real ? findBin.realBin : findBin.bin,
  );
  return resolvePath(cwd, expanded);
}

export function planPerl(
  lookup: ScriptLookup,
  exe: InterpreterExe,
  argv: readonly string[],
  cwd: string,
): ScriptPlan<PerlImport> {
  const invocation = parsePerlArgv(argv);
  const builtin = perlSearchPath(lookup, exe);
  let front = invocation.includeDirs.map((dir) => resolvePath(cwd, dir));
  const entries: ScriptFile[] = [];

  let script: string | undefined;
  if (invocation.script !== undefined) {
    const name = invocation.script;
    script =
      invocation.searchPath && !name.includes('/')
        ? (findInDirs(lookup, DEFAULT_PATH, name) ?? resolvePath(cwd, name))
        : resolvePath(cwd, name);
    entries.push({ path: script, kind: 'script' });
  }
  const findBin: FindBinDirs =
    script === undefined
      ? { bin: cwd, realBin: cwd }
      : { bin: lookup.realPath(posix.dirname(script)), realBin: posix.dirname(lookup.realPath(script)) };
  const inc = () => [...front, ...builtin];
  const moduleFile = (name: string) => findInDirs(lookup, inc(), `${name.replace(/::/g, '/')}.pm`);

  for (const name of invocation.modules) {
    const path = moduleFile(name);
    if (path !== undefined) entries.push({ path, kind: 'module' });
  }

  const plan: ScriptPlan<PerlImport> = {
    entries,
    extract: extractPerlImports,
    resolve(ref) {
      if (ref.kind === 'lib') {
        // `use lib` prepends to the global @INC for everything compiled after it.
        const added = ref.dirs.map((dir) => expandLibDir(dir, findBin, cwd));
        front = [...new Set([...added, ...front])].slice(0, MAX_LIB_DIRS);
        return [];
      }
      if (ref.kind === 'module') {
        const path = moduleFile(ref.name);
        return path === undefined ? [] : [path];
      }
      // require/do of a file: absolute, ./relative to the cwd, or searched in @INC.
      const path =
        ref.path.startsWith('/') || /^\.\.?\//.test(ref.path)
          ? resolvePath(cwd, ref.path)
          : findInDirs(lookup, inc(), ref.path);
      return path === undefined ? [] : [path];
    },
    parses: (path) => !path.endsWith('.so'),
  };
  if (invocation.code !== undefined) plan.inline = { code: invocation.code, importer: `${cwd}/-e` };
  return plan;
}
