// The modules a python source file imports, read from its text. A small tokenizer first blanks
// out comments and string literals (an `import x` inside a docstring is not an import) and joins
// logical lines (backslash continuations, open brackets), so that `from a import (b,\n c)` and
// `import os; import sys` come out as whole statements. Indentation tells which block an import
// sits in: one in a function body runs only when the function is called (lazy), one under
// `if __name__ == '__main__':` only in the main script, and one under `if TYPE_CHECKING:` or a
// Windows/macOS-only condition never on Linux. The stdlib is full of the first two: following
// them from every module would report hundreds of files the process never loaded.

export interface PythonImport {
  /** Dotted module name; '' for `from . import x`. */
  module: string;
  /** Leading dots of a relative import: 0 for absolute. */
  level: number;
  /** Names after `from … import`: each may be a submodule. Absent for `import a.b`. */
  names?: string[];
  /** Inside a function body: loaded when the function first runs, not on import. */
  lazy?: true;
  /** Under `if __name__ == '__main__':`: loaded only when this file is the program. */
  mainOnly?: true;
}

/** Brackets a blanked string's index in tokenized code; private use, so absent from code itself. */
const STRING_MARK = '\uE000';
const DOTTED = /^[\p{L}_][\p{L}\p{N}_]*(?:\.[\p{L}_][\p{L}\p{N}_]*)*$/u;
const IMPORT_STATEMENT = /(?:^|:)\s*import\s+(.+)$/;
const FROM_STATEMENT = /(?:^|:)\s*from\s+(\.*)\s*([\p{L}_][\p{L}\p{N}_.\s]*?)?\s*\bimport\b\s*(.*)$/u;
const DYNAMIC_IMPORT = /\b(?:import_module|__import__)\s*\(\s*\uE000(\d+)\uE000/g;

interface Tokenized {
  code: string;
  strings: string[];
}

/** Where a string literal opened at `from` ends: its closing quote, or the line end if unterminated. */
function stringEnd(source: string, from: number, quote: string): { end: number; closed: boolean } {
  // A one-quote string cannot pass its line end; searched once, or escaped quotes cost O(n²).
  const eol = quote.length === 1 ? source.indexOf('\n', from) : -1;
  let j = from;
  for (;;) {
    const close = source.indexOf(quote, j);
    if (eol >= 0 && (close < 0 || eol < close)) return { end: eol, closed: false };
    if (close < 0) return { end: source.length, closed: false };
    let backslashes = 0;
    while (close - backslashes - 1 >= from && source.charCodeAt(close - backslashes - 1) === 92)
      backslashes++;
    if (backslashes % 2 === 0) return { end: close, closed: true };
    j = close + 1;
  }
}

/**
 * Comments removed, strings replaced by marks, one logical line per physical line. Text is
 * copied in slices between the characters that change it: this runs over every line of every
 * imported file.
 */
function tokenize(source: string): Tokenized {
  const strings: string[] = [];
  const code: string[] = [];
  let depth = 0;
  let start = 0;
  let i = 0;
  while (i < source.length) {
    const ch = source.charCodeAt(i);
    if (ch === 35 /* # */) {
      code.push(source.slice(start, i));
      const eol = source.indexOf('\n', i);
      i = start = eol < 0 ? source.length : eol;
    } else if (ch === 34 /* " */ || ch === 39 /* ' */) {
      code.push(source.slice(start, i));
      const one = source[i] as string;
      const quote = source.startsWith(one.repeat(3), i) ? one.repeat(3) : one;
      const { end, closed } = stringEnd(source, i + quote.length, quote);
      code.push(`${STRING_MARK}${strings.length}${STRING_MARK}`);
      strings.push(source.slice(i + quote.length, end));
      i = start = closed ? end + quote.length : end;
    } else if (ch === 92 /* \ */ && source.charCodeAt(i + 1) === 10) {
      // A backslash before a newline continues the logical line.
      code.push(source.slice(start, i), ' ');
      i = start = i + 2;
    } else if (ch === 10 && depth > 0) {
      code.push(source.slice(start, i), ' ');
      i = start = i + 1;
    } else {
      if (ch === 40 || ch === 91 || ch === 123) depth++;
      else if ((ch === 41 || ch === 93 || ch === 125) && depth > 0) depth--;
      i++;
    }
  }
  code.push(source.slice(start));
  return { code: code.join(''), strings };
}

type BlockKind = 'def' | 'main' | 'never' | 'other';

/** Conditions that are false on Linux. */
const NOT_LINUX = new Set(['win32', 'cygwin', 'darwin', 'win', 'nt', 'java', 'emscripten', 'wasi', 'ios']);
const PLATFORM_TEST =
  /^(?:el)?if\s+(?:sys\.platform\s*==\s*|sys\.platform\.startswith\(\s*|os\.name\s*==\s*)\uE000(\d+)\uE000\s*\)?\s*:/;

/** The kind of block a statement opens; undefined when it opens none. */
function blockKind(statement: string, strings: string[]): BlockKind | undefined {
  if (!/^[a-z]/.test(statement)) return undefined;
  if (/^(?:async\s+)?def\b/.test(statement)) return 'def';
  if (/^(?:el)?if\s+(?:typing\.)?TYPE_CHECKING\s*:/.test(statement)) return 'never';
  const main = /^if\s+__name__\s*==\s*\uE000(\d+)\uE000\s*:/.exec(statement);
  if (main && strings[Number(main[1])] === '__main__') return 'main';
  const platform = PLATFORM_TEST.exec(statement);
  if (platform && NOT_LINUX.has(strings[Number(platform[1])] ?? '')) return 'never';
  if (/^(?:if|elif|else|try|except|finally|for|while|with|class|async)\b/.test(statement)) return 'other';
  return undefined;
}

function dotted(text: string): string | undefined {
  const name = text.replace(/\s*\.\s*/g, '.').trim();
  return DOTTED.test(name) ? name : undefined;
}

/** `a.b as c, d` -> ['a.b', 'd']; parentheses and `*` dropped. */
function nameList(text: string): string[] {
  const names: string[] = [];
  for (const part of text.replace(/[()]/g, ' ').split(',')) {
    const name = dotted(part.trim().split(/\s+as\s+/)[0] ?? '');
    if (name !== undefined) names.push(name);
  }
  return names;
}

function parseStatement(statement: string, out: PythonImport[]): void {
  const from = FROM_STATEMENT.exec(statement);
  if (from) {
    const level = (from[1] ?? '').length;
    const module = from[2] ? dotted(from[2]) : '';
    if (module === undefined || (level === 0 && module === '')) return;
    out.push({ module, level, names: nameList(from[3] ?? '') });
    return;
  }
  const plain = IMPORT_STATEMENT.exec(statement);
  if (plain) for (const module of nameList(plain[1] ?? '')) out.push({ module, level: 0 });
}

/** importlib.import_module('a.b') / __import__('a.b') with a literal name. */
function parseDynamic(line: string, strings: string[], out: PythonImport[]): void {
  for (const match of line.matchAll(DYNAMIC_IMPORT)) {
    const literal = strings[Number(match[1])] ?? '';
    const level = /^\.*/.exec(literal)?.[0].length ?? 0;
    const module = dotted(literal.slice(level));
    if (module !== undefined) out.push({ module, level });
  }
}

/** Pure: the import statements of a python source text, in order of appearance. */
export function extractPythonImports(source: string): PythonImport[] {
  const { code, strings } = tokenize(source.replace(/\r\n?/g, '\n'));
  const imports: PythonImport[] = [];
  const blocks: { indent: number; kind: BlockKind }[] = [];
  for (const line of code.split('\n')) {
    const body = line.trim();
    if (body === '') continue;
    const indent = line.length - line.trimStart().length;
    while ((blocks[blocks.length - 1]?.indent ?? -1) >= indent) blocks.pop();
    const header = blockKind(body, strings);
    if (header) blocks.push({ indent, kind: header });
    // Most lines import nothing: skip them before any regular expression runs.
    const hasImport = body.includes('import');
    const hasDynamic = hasImport && (body.includes('import_module') || body.includes('__import__'));
    if (!hasImport) continue;
    // The header's own line may carry its body (`if TYPE_CHECKING: import x`): blocks includes it.
    if (blocks.some((b) => b.kind === 'never')) continue;
    const found: PythonImport[] = [];
    for (const statement of body.split(';')) parseStatement(statement.trim(), found);
    if (hasDynamic) parseDynamic(body, strings, found);
    const lazy = blocks.some((b) => b.kind === 'def');
    const mainOnly = blocks.some((b) => b.kind === 'main');
    for (const ref of found) {
      if (lazy) ref.lazy = true;
      if (mainOnly) ref.mainOnly = true;
      imports.push(ref);
    }
  }
  return imports;
}
