// What a perl command line runs, following perl.c's switch parsing: switches bundle (-wle),
// -e/-E/-I take the rest of the word or the next word, -M/-m take the rest of the word, and
// a word from a #! line may hold several switches separated by spaces ("-w -T"), because the
// kernel passes everything after the interpreter's name as one argument.

export interface PerlInvocation {
  /** The program file as written on the command line; absent for -e and stdin. */
  script?: string;
  /** -e / -E code, joined by newlines as perl does. */
  code?: string;
  /** -M / -m module names, loaded before the program. */
  modules: string[];
  /** -I directories, searched before the built-in @INC. */
  includeDirs: string[];
  /** -S: the program is looked up on PATH. */
  searchPath: boolean;
}

/** Switches whose argument is the rest of the word (possibly empty). */
const REST_OF_WORD = new Set(['x', 'i', 'd', 'D', 'F', 'V', 'C']);

/** `Foo::Bar=a,b`, `-Foo`, `Foo qw(a)` -> Foo::Bar / Foo. */
function moduleName(text: string): string | undefined {
  return /^-?([A-Za-z_][\w]*(?:::\w+)*)/.exec(text)?.[1];
}

interface SwitchState {
  result: PerlInvocation;
  code: string[];
}

/**
 * Parses one word of switches starting after its '-'; returns how many extra argv words it
 * consumed (0 or 1).
 */
function parseSwitchWord(word: string, next: string | undefined, state: SwitchState): number {
  let j = 1;
  while (j < word.length) {
    const option = word[j] as string;
    const rest = word.slice(j + 1);
    if (option === 'e' || option === 'E' || option === 'I') {
      const value = rest !== '' ? rest : next;
      if (value !== undefined) {
        if (option === 'I') state.result.includeDirs.push(value);
        else state.code.push(value);
      }
      return rest !== '' ? 0 : 1;
    }
    if (option === 'M' || option === 'm') {
      const name = moduleName(rest);
      if (name !== undefined) state.result.modules.push(name);
      return 0;
    }
    if (REST_OF_WORD.has(option)) return 0;
    if (option === '0') {
      j += 1 + (/^(?:x[0-9a-fA-F]*|[0-7]*)/.exec(rest)?.[0].length ?? 0);
      continue;
    }
    if (option === 'l') {
      j += 1 + (/^[0-7]*/.exec(rest)?.[0].length ?? 0);
      continue;
    }
    if (option === ' ' || option === '\t') {
      // "-w -T" from a #! line: more switches after the blank.
      const more = /^[ \t]*-/.exec(word.slice(j));
      if (!more) return 0;
      j += more[0].length;
      continue;
    }
    if (option === 'S') state.result.searchPath = true;
    j++;
  }
  return 0;
}

/** argv[0] is the interpreter itself and is skipped. */
export function parsePerlArgv(argv: readonly string[]): PerlInvocation {
  const state: SwitchState = { result: { modules: [], includeDirs: [], searchPath: false }, code: [] };
  let i = 1;
  for (; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      i++;
      break;
    }
    if (arg === '-' || !arg.startsWith('-')) break;
    i += parseSwitchWord(arg, argv[i + 1], state);
  }
  const { result } = state;
  if (state.code.length > 0) result.code = state.code.join('\n');
  else if (argv[i] !== undefined && argv[i] !== '-') result.script = argv[i];
  return result;
}

/** -I directories from a script's `#!/usr/bin/perl -w -I/opt/lib` line, which perl honours too. */
export function perlShebangIncludeDirs(firstLine: string): string[] {
  const match = /^#!.*?\bperl\S*[ \t]+(.*)$/.exec(firstLine.trim());
  if (!match) return [];
  const state: SwitchState = { result: { modules: [], includeDirs: [], searchPath: false }, code: [] };
  const words = (match[1] ?? '').split(/[ \t]+/);
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    if (!word.startsWith('-')) break;
    i += parseSwitchWord(word, words[i + 1], state);
  }
  return state.result.includeDirs;
}
