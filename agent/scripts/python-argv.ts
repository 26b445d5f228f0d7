// What a python command line runs, following CPython's own option parser (Python/getopt.c):
// short options may be bundled (-Bu), those taking an argument take the rest of the word or
// the next word (-Wignore, -W ignore), and -c / -m end option parsing.

export interface PythonInvocation {
  /** The file (or directory or zip) to run, as written on the command line. */
  script?: string;
  /** `-m module`. */
  module?: string;
  /** `-c code`: no script file, but its imports are real. */
  code?: string;
  /** -S: the site module does not run, so no site-packages on the path. */
  noSite: boolean;
  /** -P or -I: neither the script's directory nor the cwd goes first on sys.path. */
  safePath: boolean;
}

/** Short options that take an argument (-Q is Python 2's division option). */
const WITH_ARGUMENT = new Set(['W', 'X', 'Q']);
const LONG_WITH_ARGUMENT = new Set(['--check-hash-based-pycs']);

/** argv[0] is the interpreter itself and is skipped. */
export function parsePythonArgv(argv: readonly string[]): PythonInvocation {
  const result: PythonInvocation = { noSite: false, safePath: false };
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      if (argv[i + 1] !== undefined && argv[i + 1] !== '-') result.script = argv[i + 1];
      return result;
    }
    if (arg === '-') return result; // program read from stdin
    if (arg.startsWith('--')) {
      const name = arg.split('=', 1)[0] ?? arg;
      if (LONG_WITH_ARGUMENT.has(name) && !arg.includes('=')) i++;
      continue;
    }
    if (!arg.startsWith('-')) {
      result.script = arg;
      return result;
    }
    for (let j = 1; j < arg.length; j++) {
      const option = arg[j] ?? '';
      if (option === 'c' || option === 'm') {
        const value = j + 1 < arg.length ? arg.slice(j + 1) : argv[++i];
        if (value !== undefined) {
          if (option === 'c') result.code = value;
          else result.module = value;
        }
        return result;
      }
      if (WITH_ARGUMENT.has(option)) {
        if (j + 1 === arg.length) i++;
        break;
      }
      if (option === 'S') result.noSite = true;
      if (option === 'P' || option === 'I') result.safePath = true;
    }
  }
  return result;
}
