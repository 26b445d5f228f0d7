// The script an interpreted process runs and every module it imports, transitively, as files
// the scanner can judge (mtime after the process start, deleted, replaced). Breadth-first, so
// that when the file limit cuts the walk short the direct imports are the ones kept. Nothing
// is executed and the process's environment (PYTHONPATH, PERL5LIB, RUBYLIB, NODE_PATH) is
// never read: search paths come from the interpreter's location and version only.
import type { ProcessFiles, ProcessRoot } from '../host/process-files.js';
import { cleanExePath, type Interpreter, parseInterpreterExe } from './detect-interpreter.js';
import { planNode } from './plan-node.js';
import { planPerl } from './plan-perl.js';
import { planPython } from './plan-python.js';
import { planRuby } from './plan-ruby.js';
import { createScriptLookup, type ScriptLookup } from './script-lookup.js';
import { cacheSet, createScriptParseCache, type ScriptParseCache } from './script-parse-cache.js';
import type { ScriptFile, ScriptPlan } from './script-plan.js';

export { createScriptParseCache, type ScriptParseCache } from './script-parse-cache.js';
export type { ScriptFile } from './script-plan.js';

export interface FindScriptFilesInput {
  interpreter: Exclude<Interpreter, 'java'>;
  /** Interpreter binary as the process sees it, e.g. /usr/bin/python3.11 (version from its name). */
  exePath: string;
  /** /proc/PID/cmdline split on NUL. */
  argv: string[];
  /** readlink /proc/PID/cwd (path as the process sees it). */
  cwd: string;
  root: ProcessRoot;
  files: ProcessFiles;
  limits?: { maxFiles?: number; maxBytesPerFile?: number };
  /** Shared across the processes of one scan. */
  cache?: ScriptParseCache;
}

export const SCRIPT_FILE_DEFAULTS = Object.freeze({ maxFiles: 400, maxBytesPerFile: 64 * 1024 });

/** Imports followed per file, and import resolutions per process: a hostile file stays cheap. */
const MAX_IMPORTS_PER_FILE = 2000;
const RESOLUTIONS_PER_FILE_LIMIT = 25;

function buildPlan(input: FindScriptFilesInput, lookup: ScriptLookup): ScriptPlan<unknown> | undefined {
  const parsed = parseInterpreterExe(input.exePath);
  // A binary whose name says nothing (a renamed copy) still gets the caller's verdict, unversioned.
  const resolved =
    parsed?.interpreter === input.interpreter
      ? parsed
      : { interpreter: input.interpreter, path: cleanExePath(input.exePath) };
  const cwd = input.cwd.startsWith('/') ? input.cwd : '/';
  switch (input.interpreter) {
    case 'python':
      return planPython(lookup, resolved, input.argv, cwd) as ScriptPlan<unknown>;
    case 'perl':
      return planPerl(lookup, resolved, input.argv, cwd) as ScriptPlan<unknown>;
    case 'ruby':
      return planRuby(lookup, resolved, input.argv, cwd) as ScriptPlan<unknown>;
    case 'node':
      return planNode(lookup, resolved, input.argv, cwd) as ScriptPlan<unknown>;
    default:
      return undefined;
  }
}

/** Imports of one file, parsed once per scan for each version of the file. */
function importsOf(
  lookup: ScriptLookup,
  interpreter: string,
  plan: ScriptPlan<unknown>,
  path: string,
): readonly unknown[] {
  if (!plan.parses(path)) return [];
  const st = lookup.file(path);
  if (!st) return [];
  const key = `${lookup.root.cacheKey}\0${interpreter}\0${path}\0${st.ino}\0${st.size}\0${st.mtimeMs}`;
  const cached = lookup.cache.imports.get(key);
  if (cached) return cached;
  const text = lookup.read(path);
  // NUL bytes: a binary (a zipapp, a compiled file under a source name), not source text.
  const refs = text === undefined || text.includes('\u0000') ? [] : plan.extract(text);
  cacheSet(lookup.cache.imports, key, refs);
  return refs;
}

/** The main script (kind 'script') and the transitive imports that resolve to files (kind 'module'). */
export function findScriptFiles(input: FindScriptFilesInput): ScriptFile[] {
  const maxFiles = input.limits?.maxFiles ?? SCRIPT_FILE_DEFAULTS.maxFiles;
  const maxBytes = input.limits?.maxBytesPerFile ?? SCRIPT_FILE_DEFAULTS.maxBytesPerFile;
  const cache = input.cache ?? createScriptParseCache();
  const lookup = createScriptLookup(input.files, input.root, cache, maxBytes);
  const plan = buildPlan(input, lookup);
  if (!plan) return [];

  const result: ScriptFile[] = [];
  const seen = new Set<string>();
  const queue: string[] = [];
  let budget = maxFiles * RESOLUTIONS_PER_FILE_LIMIT;
  const add = (named: string, kind: ScriptFile['kind']) => {
    if (seen.has(named) || result.length >= maxFiles) return;
    seen.add(named);
    // Real paths: the caller judges them through the process's root, where an absolute symlink
    // would be resolved in the wrong root. Two names of one file count once.
    const path = lookup.realPath(named);
    if (path !== named && seen.has(path)) return;
    seen.add(path);
    if (!lookup.file(path)) return; // not there (any more): nothing to judge, nothing to follow
    result.push({ path, kind });
    queue.push(path);
  };
  const follow = (refs: readonly unknown[], importer: string) => {
    for (const ref of refs.slice(0, MAX_IMPORTS_PER_FILE)) {
      if (budget-- <= 0 || result.length >= maxFiles) return;
      for (const path of plan.resolve(ref, importer)) add(path, 'module');
    }
  };

  for (const entry of plan.entries) add(entry.path, entry.kind);
  if (plan.inline) follow(plan.extract(plan.inline.code.slice(0, maxBytes)), plan.inline.importer);
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    if (result.length >= maxFiles || budget <= 0) break;
    follow(importsOf(lookup, input.interpreter, plan, next), next);
  }
  return result;
}
