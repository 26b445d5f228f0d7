// Where a node process starts and how its requires and imports resolve: the entry script from
// argv, the -r/--import preloads (resolved from the cwd, as node does), then every literal
// specifier of every loaded file. Never NODE_PATH: the process's environment is not trusted.
import { posix } from 'node:path';
import type { InterpreterExe } from './detect-interpreter.js';
import { parseNodeArgv } from './node-argv.js';
import { extractNodeImports } from './node-imports.js';
import { resolveNodePath, resolveNodeSpecifier } from './node-resolve.js';
import { listTriplets, prefixOf, resolvePath, type ScriptLookup } from './script-lookup.js';
import type { ScriptFile, ScriptPlan } from './script-plan.js';

/** Node's global folders: $PREFIX/lib/node, plus the ones Debian's nodejs adds for node-* packages. */
function globalDirs(lookup: ScriptLookup, exe: InterpreterExe): string[] {
  const prefix = prefixOf(posix.dirname(exe.path));
  const dirs = [`${prefix}/lib/node`];
  if (prefix === '/usr') {
    dirs.push('/usr/share/nodejs', '/usr/lib/nodejs');
    for (const t of listTriplets(lookup, '/usr/lib')) dirs.push(`/usr/lib/${t}/nodejs`);
  }
  return dirs;
}

export function planNode(
  lookup: ScriptLookup,
  exe: InterpreterExe,
  argv: readonly string[],
  cwd: string,
): ScriptPlan<string> {
  const invocation = parseNodeArgv(argv);
  const globals = globalDirs(lookup, exe);
  const entries: ScriptFile[] = [];
  for (const specifier of [...invocation.requires, ...invocation.imports]) {
    const path = resolveNodeSpecifier(lookup, specifier, cwd, globals);
    if (path !== undefined) entries.push({ path, kind: 'module' });
  }
  if (invocation.script !== undefined) {
    const given = resolvePath(cwd, invocation.script);
    entries.unshift({ path: resolveNodePath(lookup, given) ?? given, kind: 'script' });
  }
  const plan: ScriptPlan<string> = {
    entries,
    extract: extractNodeImports,
    resolve: (specifier, importer) => {
      const path = resolveNodeSpecifier(lookup, specifier, posix.dirname(importer), globals);
      return path === undefined ? [] : [path];
    },
    parses: (path) => !/\.(?:json|node|wasm)$/.test(path),
  };
  if (invocation.code !== undefined) plan.inline = { code: invocation.code, importer: `${cwd}/[eval]` };
  return plan;
}
