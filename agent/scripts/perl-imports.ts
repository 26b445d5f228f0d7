// The modules a perl source file loads, read from its text: `use`/`no`/`require` of a module
// name, `require`/`do` of a literal file, the classes of `use parent`/`use base`, the module of
// `use if COND, Module`, and the directories of `use lib` and of -I on the #! line (they change
// @INC for what follows). POD, __END__/__DATA__, heredocs and comments are skipped; strings are
// blanked per line, so an odd quote in a regex cannot swallow the rest of the file.
import { blankLineStrings } from './blank-line-strings.js';
import { perlShebangIncludeDirs } from './perl-argv.js';

export type PerlImport =
  | { kind: 'module'; name: string }
  | { kind: 'file'; path: string }
  | { kind: 'lib'; dirs: string[] };

const MODULE_NAME = /^[A-Za-z_]\w*(?:::\w+)*$/;
const USE = /(?:^|[;{}])\s*(use|no)\s+([A-Za-z_]\w*(?:::\w+)*)(?=[\s;(]|$)([^;]*)/gm;
const REQUIRE = /(?<![\w$@%&:>-])require\s+(?:([A-Za-z_]\w*(?:::\w+)*)|\uE000(\d+)\uE000)/g;
const DO_FILE = /(?<![\w$@%&:>-])do\s+\uE000(\d+)\uE000/g;
const HEREDOC = /<<(~?)(?:\uE000(\d+)\uE000|([A-Za-z_]\w*))/g;

interface Tokenized {
  code: string;
  strings: string[];
}

function tokenize(source: string): Tokenized {
  const strings: string[] = [];
  const lines: string[] = [];
  const heredocs: { end: string; indented: boolean }[] = [];
  let inPod = false;
  const all = source.split(/\r?\n/);
  // A heredoc whose terminator never comes is a misread shift (`1<<FOO`): ignoring it keeps the
  // rest of the file readable.
  const exact = new Set(all);
  const trimmed = new Set(all.map((l) => l.trim()));
  for (const line of all) {
    const heredoc = heredocs[0];
    if (heredoc) {
      if ((heredoc.indented ? line.trim() : line) === heredoc.end) heredocs.shift();
      continue;
    }
    if (inPod) {
      if (/^=cut\b/.test(line)) inPod = false;
      continue;
    }
    if (/^=[A-Za-z]/.test(line)) {
      inPod = !/^=cut\b/.test(line);
      continue;
    }
    if (/^__(?:END|DATA)__\b/.test(line)) break;
    // $#array is the last index of @array, no comment.
    const code = blankLineStrings(line, strings, (text, at) => text[at - 1] !== '$');
    for (const match of code.matchAll(HEREDOC)) {
      const end = match[2] !== undefined ? (strings[Number(match[2])] ?? '') : (match[3] ?? '');
      const indented = match[1] === '~';
      if ((indented ? trimmed : exact).has(end)) heredocs.push({ end, indented });
    }
    lines.push(code);
  }
  return { code: lines.join('\n'), strings };
}

/** Literal strings and qw() words of a list expression; undefined entries for interpolated ones. */
function listWords(text: string, strings: string[]): string[] {
  const words: string[] = [];
  const pattern = /\uE000(\d+)\uE000|\bqw\s*(?:\(([^)]*)\)|\[([^\]]*)\]|\{([^}]*)\}|\/([^/]*)\/)/g;
  for (const match of text.matchAll(pattern)) {
    if (match[1] !== undefined) words.push(strings[Number(match[1])] ?? '');
    else words.push(...(match[2] ?? match[3] ?? match[4] ?? match[5] ?? '').split(/\s+/).filter(Boolean));
  }
  return words;
}

function useStatement(
  keyword: string,
  name: string,
  rest: string,
  strings: string[],
  out: PerlImport[],
): void {
  if (/^v\d/.test(name)) return; // `use v5.36`: a version, not a module
  out.push({ kind: 'module', name });
  if (keyword !== 'use') return;
  if (name === 'lib') {
    // Interpolated directories are kept when they only use FindBin, which the resolver expands.
    const dirs = listWords(rest, strings).filter(
      (d) => !/[$@]/.test(d.replace(/\$\{?(?:FindBin::)?(?:Real)?Bin\}?/g, '')),
    );
    if (dirs.length > 0) out.push({ kind: 'lib', dirs });
  } else if (name === 'parent' || name === 'base') {
    if (/-norequire\b/.test(rest)) return; // the classes are defined in this file
    const words = listWords(rest, strings);
    if (words.includes('-norequire')) return;
    for (const word of words) if (MODULE_NAME.test(word)) out.push({ kind: 'module', name: word });
  } else if (name === 'if') {
    const match = /,\s*(?:\uE000(\d+)\uE000|([A-Za-z_]\w*(?:::\w+)*))/.exec(rest);
    const module = match?.[1] !== undefined ? strings[Number(match[1])] : match?.[2];
    if (module !== undefined && MODULE_NAME.test(module)) out.push({ kind: 'module', name: module });
  }
}

/** Pure: what a perl source text loads, in order of appearance per kind of statement. */
export function extractPerlImports(source: string): PerlImport[] {
  const imports: PerlImport[] = [];
  const firstLine = source.split('\n', 1)[0] ?? '';
  if (firstLine.startsWith('#!')) {
    const dirs = perlShebangIncludeDirs(firstLine);
    if (dirs.length > 0) imports.push({ kind: 'lib', dirs });
  }
  const { code, strings } = tokenize(source);
  for (const match of code.matchAll(USE)) {
    useStatement(match[1] ?? '', match[2] ?? '', match[3] ?? '', strings, imports);
  }
  for (const match of code.matchAll(REQUIRE)) {
    if (match[1] !== undefined) {
      if (!/^v\d/.test(match[1])) imports.push({ kind: 'module', name: match[1] });
      continue;
    }
    const path = strings[Number(match[2])] ?? '';
    if (path !== '' && !/[$@]/.test(path)) imports.push({ kind: 'file', path });
  }
  for (const match of code.matchAll(DO_FILE)) {
    const path = strings[Number(match[1])] ?? '';
    if (path !== '' && !/[$@]/.test(path)) imports.push({ kind: 'file', path });
  }
  return imports;
}
