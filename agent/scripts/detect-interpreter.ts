// Which interpreter a process runs, from the name of its executable alone. The name also carries
// the language version the search paths depend on (python3.11 -> 3.11), which is read here
// instead of asking the interpreter: running the target's interpreter is what gave needrestart
// its local-root CVEs.
import { posix } from 'node:path';

export type Interpreter = 'python' | 'perl' | 'ruby' | 'node' | 'java';

export interface InterpreterExe {
  interpreter: Interpreter;
  /** The executable's path without the marks procfs or a package manager add after an update. */
  path: string;
  /** Language version from the name: '3.11', '3', '5.36.0', '3.1'; undefined when the name has none. */
  version?: string;
  /** PyPy names its library directories lib/pypy3.X instead of lib/python3.X. */
  flavor?: 'pypy';
}

const NAME_PATTERNS: readonly { interpreter: Interpreter; pattern: RegExp }[] = [
  // python3.11d / python3.11-dbg are debug builds sharing the same library directories.
  { interpreter: 'python', pattern: /^(python|pypy|platform-python)(\d+(?:\.\d+)?)?(?:d|m|u|dm|-dbg)?$/ },
  { interpreter: 'perl', pattern: /^(perl)(5(?:\.\d+){0,2})?$/ },
  { interpreter: 'ruby', pattern: /^(ruby)(\d+(?:\.\d+){0,2})?$/ },
  { interpreter: 'node', pattern: /^(nodejs|node)(\d+)?$/ },
  { interpreter: 'java', pattern: /^(java)()$/ },
];

/**
 * Removes what procfs and package managers append to a name that was replaced while in use:
 * ` (deleted)`, rpm's `;5f3a2b1c`, dpkg's `.dpkg-new`/`.dpkg-tmp`. An upgraded interpreter is
 * exactly the case where this matters, and the version in its name is still the running one.
 */
export function cleanExePath(exePath: string): string {
  let path = exePath.endsWith(' (deleted)') ? exePath.slice(0, -' (deleted)'.length) : exePath;
  path = path.replace(/;[0-9a-f]{8,}$/i, '');
  return path.replace(/\.dpkg-(?:new|tmp)$/, '');
}

/** Interpreter, version and cleaned path from the executable's path; undefined for other programs. */
export function parseInterpreterExe(exePath: string): InterpreterExe | undefined {
  const path = cleanExePath(exePath);
  const base = posix.basename(path);
  for (const { interpreter, pattern } of NAME_PATTERNS) {
    const match = pattern.exec(base);
    if (!match) continue;
    const result: InterpreterExe = { interpreter, path };
    if (match[2] && interpreter !== 'node') result.version = match[2];
    if (match[1] === 'pypy') result.flavor = 'pypy';
    return result;
  }
  return undefined;
}

/** The interpreter a process runs, by the basename of its executable. */
export function detectInterpreter(exePath: string): Interpreter | undefined {
  return parseInterpreterExe(exePath)?.interpreter;
}
