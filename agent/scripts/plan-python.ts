// Where a python process starts and how its imports resolve: the script (or -m module, or -c
// code) from argv, sys.path[0] as CPython computes it (the script's real directory, the cwd for
// -m and -c, nothing under -P/-I), then the interpreter's own directories.
import { posix } from 'node:path';
import type { InterpreterExe } from './detect-interpreter.js';
import { parsePythonArgv } from './python-argv.js';
import { extractPythonImports, type PythonImport } from './python-imports.js';
import {
  findPythonModule,
  type PythonResolveContext,
  resolvePythonImport,
  walkPythonModule,
} from './python-resolve.js';
import { pythonSearchPath } from './python-search-paths.js';
import { resolvePath, type ScriptLookup } from './script-lookup.js';
import type { ScriptFile, ScriptPlan } from './script-plan.js';

/** Files that are not python source: extensions are mapped (maps check), archives are opaque. */
function parsesPython(path: string): boolean {
  return !/\.(?:so|pyc|pyz|zip|egg|whl)$/.test(path);
}

/** `-m a.b`: a/__init__.py as a module, then b.py (or b/__main__.py for a package) as the script. */
function moduleEntries(lookup: ScriptLookup, module: string, context: PythonResolveContext): ScriptFile[] {
  const walked = walkPythonModule(lookup, module.split('.'), context.syspath, context.version);
  const entries: ScriptFile[] = walked.files.map((path) => ({ path, kind: 'module' }));
  const last = walked.last;
  if (last?.kind === 'module') {
    const script = entries[entries.length - 1];
    if (script) script.kind = 'script';
  } else if (last && 'path' in last) {
    const main = findPythonModule(lookup, '__main__', last.path, context.version);
    if (main?.kind === 'module') entries.push({ path: main.file, kind: 'script' });
  }
  return entries;
}

export function planPython(
  lookup: ScriptLookup,
  exe: InterpreterExe,
  argv: readonly string[],
  cwd: string,
): ScriptPlan<PythonImport> {
  const invocation = parsePythonArgv(argv);
  const search = pythonSearchPath(lookup, exe, argv[0], cwd);
  const entries: ScriptFile[] = [];
  let path0: string | undefined = invocation.safePath ? undefined : cwd;
  let mainScript: string | undefined;

  if (invocation.script !== undefined) {
    const given = resolvePath(cwd, invocation.script);
    if (lookup.list(given) !== undefined) {
      mainScript = `${given}/__main__.py`;
      path0 = invocation.safePath ? undefined : given;
    } else {
      mainScript = given;
      // CPython follows the script's symlinks for sys.path[0]: /usr/bin/tool -> /usr/share/tool/tool.py.
      if (!invocation.safePath) path0 = posix.dirname(lookup.realPath(given));
    }
    entries.push({ path: mainScript, kind: 'script' });
  }

  const syspath = [...(path0 === undefined ? [] : [path0]), ...search.stdlib];
  if (!invocation.noSite) syspath.push(...search.site);
  const context: PythonResolveContext = { syspath };
  if (search.version !== undefined) context.version = search.version;
  if (invocation.module !== undefined) {
    const moduleFiles = moduleEntries(lookup, invocation.module, context);
    mainScript = moduleFiles.find((f) => f.kind === 'script')?.path;
    entries.push(...moduleFiles);
  }
  const inlineImporter = `${cwd}/-c`;
  // Importers arrive as real paths.
  const program = mainScript === undefined ? inlineImporter : lookup.realPath(mainScript);

  const plan: ScriptPlan<PythonImport> = {
    entries,
    extract: extractPythonImports,
    resolve(ref, importer) {
      const isProgram = importer === program || importer === inlineImporter;
      // Function-level and __main__-only imports of a module run rarely or never; the program's
      // own run: its main() is what the process does.
      if ((ref.lazy || ref.mainOnly) && !isProgram) return [];
      // A script run by path is no package: its relative imports fail in python too.
      if (ref.level > 0 && importer === program && invocation.module === undefined) return [];
      return resolvePythonImport(lookup, ref, importer, context);
    },
    parses: parsesPython,
  };
  if (invocation.code !== undefined) plan.inline = { code: invocation.code, importer: inlineImporter };
  return plan;
}
