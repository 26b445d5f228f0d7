// The files a ruby source file loads, read from its text: `require 'x'` (searched on
// $LOAD_PATH), `require_relative 'x'`, `load 'x'`, and the common spellings of a path next to
// the file (`require File.expand_path('../x', __FILE__)`, `File.join(__dir__, 'x')`). Comments,
// =begin/=end blocks, heredocs and everything after __END__ are skipped; strings are blanked per
// line. `autoload` is left out: it names files that load only if the constant is used.
import { blankLineStrings } from './blank-line-strings.js';

export type RubyImport =
  | { kind: 'feature'; name: string }
  | { kind: 'relative'; path: string }
  | { kind: 'load'; path: string };

const CALL = String.raw`(?<![\w.:$@])(require|require_relative|load)\b\s*\(?\s*`;
const DIR_OF_FILE = String.raw`(?:__dir__|File\.dirname\(\s*__FILE__\s*\))`;
const LITERAL = new RegExp(`${CALL}\\uE000(\\d+)\\uE000`, 'g');
const EXPAND_PATH = new RegExp(
  `${CALL}File\\.expand_path\\(\\s*\\uE000(\\d+)\\uE000\\s*,\\s*(__FILE__|${DIR_OF_FILE})\\s*\\)`,
  'g',
);
const JOIN = new RegExp(
  `${CALL}File\\.join\\(\\s*${DIR_OF_FILE}\\s*((?:,\\s*\\uE000\\d+\\uE000\\s*)+)\\)`,
  'g',
);
const HEREDOC = /<<([~-]?)(?:\uE000(\d+)\uE000|([A-Za-z_]\w*))/g;

function tokenize(source: string): { code: string; strings: string[] } {
  const strings: string[] = [];
  const lines: string[] = [];
  const all = source.split(/\r?\n/);
  // A heredoc whose terminator never comes is a misread shift: ignore it.
  const exact = new Set(all);
  const trimmed = new Set(all.map((l) => l.trim()));
  const heredocs: { end: string; indented: boolean }[] = [];
  let inComment = false;
  for (const line of all) {
    const heredoc = heredocs[0];
    if (heredoc) {
      if ((heredoc.indented ? line.trim() : line) === heredoc.end) heredocs.shift();
      continue;
    }
    if (inComment) {
      if (/^=end\b/.test(line)) inComment = false;
      continue;
    }
    if (/^=begin\b/.test(line)) {
      inComment = true;
      continue;
    }
    if (/^__END__\s*$/.test(line)) break;
    const code = blankLineStrings(line, strings, () => true);
    for (const match of code.matchAll(HEREDOC)) {
      const end = match[2] !== undefined ? (strings[Number(match[2])] ?? '') : (match[3] ?? '');
      const indented = match[1] !== '';
      if ((indented ? trimmed : exact).has(end)) heredocs.push({ end, indented });
    }
    lines.push(code);
  }
  return { code: lines.join('\n'), strings };
}

function add(out: RubyImport[], call: string | undefined, path: string, relativeToFile: boolean): void {
  if (path === '' || path.includes('#{')) return; // interpolated: unknown at rest
  if (relativeToFile || call === 'require_relative') out.push({ kind: 'relative', path });
  else if (call === 'load') out.push({ kind: 'load', path });
  else out.push({ kind: 'feature', name: path });
}

/** Pure: what a ruby source text requires or loads. */
export function extractRubyImports(source: string): RubyImport[] {
  const { code, strings } = tokenize(source);
  const imports: RubyImport[] = [];
  for (const match of code.matchAll(LITERAL)) add(imports, match[1], strings[Number(match[2])] ?? '', false);
  for (const match of code.matchAll(EXPAND_PATH)) {
    const path = strings[Number(match[2])] ?? '';
    // expand_path('../x', __FILE__) treats the file as a directory: '..' steps out of the file.
    const fromFile = match[3] === '__FILE__';
    if (fromFile && !path.startsWith('../') && path !== '..') continue;
    add(imports, match[1], fromFile ? path.slice(3) : path, true);
  }
  for (const match of code.matchAll(JOIN)) {
    const parts = [...(match[2] ?? '').matchAll(/\uE000(\d+)\uE000/g)].map(
      (m) => strings[Number(m[1])] ?? '',
    );
    add(imports, match[1], parts.join('/'), true);
  }
  return imports;
}
