// What a ruby command line runs, following ruby.c's proc_options: switches bundle (-wrjson),
// -e/-r/-I/-C/-E take the rest of the word or the next word, and --disable=gems keeps rubygems
// from loading at start-up. -C needs nothing more: the cwd procfs reports is already the one -C
// chose.

export interface RubyInvocation {
  /** The program file as written on the command line; absent for -e and stdin. */
  script?: string;
  /** -e code, joined by newlines. */
  code?: string;
  /** -r libraries, required before the program. */
  requires: string[];
  /** -I directories, first on $LOAD_PATH. */
  includeDirs: string[];
  /** -S: the program is looked up on PATH. */
  searchPath: boolean;
  /** Whether rubygems (and the gems it preloads) load at start-up. */
  gems: boolean;
}

/** Switches with an argument in the rest of the word or the next word. */
const WITH_ARGUMENT = new Set(['e', 'r', 'I', 'C', 'X', 'E']);
/** Switches whose optional argument is the rest of the word. */
const REST_OF_WORD = new Set(['x', 'i', 'F', 'W', 'T', 'K', '0']);
/** Long options that take the next word when written without `=`. */
const LONG_WITH_ARGUMENT = new Set(['--encoding', '--external-encoding', '--internal-encoding']);

function longOption(arg: string, result: RubyInvocation): void {
  const disabled = /^--disable[-=](.*)$/.exec(arg)?.[1];
  if (disabled === undefined) return;
  const features = disabled.split(',');
  if (features.includes('gems') || features.includes('all')) result.gems = false;
}

/** argv[0] is the interpreter itself and is skipped. */
export function parseRubyArgv(argv: readonly string[]): RubyInvocation {
  const result: RubyInvocation = { requires: [], includeDirs: [], searchPath: false, gems: true };
  const code: string[] = [];
  let i = 1;
  for (; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      i++;
      break;
    }
    if (arg === '-' || !arg.startsWith('-')) break;
    if (arg.startsWith('--')) {
      longOption(arg, result);
      if (LONG_WITH_ARGUMENT.has(arg)) i++;
      continue;
    }
    for (let j = 1; j < arg.length; j++) {
      const option = arg[j] as string;
      if (WITH_ARGUMENT.has(option)) {
        const rest = arg.slice(j + 1);
        const value = rest !== '' ? rest : argv[++i];
        if (value === undefined) break;
        if (option === 'e') code.push(value);
        else if (option === 'r') result.requires.push(value);
        else if (option === 'I') result.includeDirs.push(value);
        break;
      }
      if (REST_OF_WORD.has(option)) break;
      if (option === 'S') result.searchPath = true;
    }
  }
  if (code.length > 0) result.code = code.join('\n');
  else if (argv[i] !== undefined && argv[i] !== '-') result.script = argv[i];
  return result;
}
