// The module specifiers a JavaScript file loads, read from its text: require('x'),
// import … from 'x', import 'x', export … from 'x' and import('x') with literal specifiers. A
// tokenizer blanks comments, strings, template literals and regular expression literals first,
// so a specifier-looking text inside them is not taken for an import.

/** Brackets a blanked string's index in tokenized code; private use, so absent from code itself. */
const MARK = '\uE000';
/** After these, a `/` starts a regular expression rather than a division. */
const REGEX_AFTER_WORDS = new Set([
  'return',
  'typeof',
  'instanceof',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'case',
  'do',
  'else',
  'yield',
  'await',
]);
const SPECIFIER_PATTERNS = [
  /(?<![\w$.])require\s*\(\s*\uE000(\d+)\uE000\s*\)/g,
  /(?<![\w$.])import\s*\(\s*\uE000(\d+)\uE000/g,
  /(?<![\w$.])from\s*\uE000(\d+)\uE000/g,
  /(?<![\w$.])import\s*\uE000(\d+)\uE000/g,
];

/** [A-Za-z0-9_$] by char code: called per character, where a RegExp test costs a lot more. */
function isWordCode(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x5f ||
    c === 0x24
  );
}

function isSpaceCode(c: number): boolean {
  return (
    c === 0x20 ||
    c === 0x0a ||
    c === 0x09 ||
    c === 0x0d ||
    c === 0x0b ||
    c === 0x0c ||
    c === 0xa0 ||
    c === 0xfeff
  );
}

interface Tokenized {
  code: string;
  /** Literal strings; undefined for a template literal with substitutions. */
  strings: (string | undefined)[];
}

function readQuoted(source: string, start: number, quote: string): { text: string; end: number } {
  let j = start + 1;
  while (j < source.length && source[j] !== quote && source[j] !== '\n') j += source[j] === '\\' ? 2 : 1;
  return { text: source.slice(start + 1, j), end: Math.min(j + 1, source.length) };
}

function regexEnd(source: string, start: number): number {
  let j = start + 1;
  let inClass = false;
  while (j < source.length && source[j] !== '\n') {
    const ch = source[j];
    if (ch === '\\') j++;
    else if (ch === '[') inClass = true;
    else if (ch === ']') inClass = false;
    else if (ch === '/' && !inClass) {
      j++;
      while (j < source.length && /[a-z]/i.test(source[j] ?? '')) j++;
      return j;
    }
    j++;
  }
  return j;
}

function tokenize(source: string): Tokenized {
  const strings: (string | undefined)[] = [];
  let code = '';
  // Template literals nest through ${ … }: one entry per open template, counting its braces.
  const templates: number[] = [];
  let lastSignificant = '';
  let lastWord = '';
  const firstLineEnd = source.indexOf('\n');
  let i = source.startsWith('#!') ? (firstLineEnd < 0 ? source.length : firstLineEnd) : 0;
  const pushString = (text: string | undefined) => {
    code += `${MARK}${strings.length}${MARK}`;
    strings.push(text);
    lastSignificant = '"';
  };
  const readTemplate = (start: number): number => {
    // Reads template text from `start` to its end or to a `${`, whose code is tokenized normally.
    let j = start;
    let text = '';
    while (j < source.length && source[j] !== '`') {
      if (source[j] === '\\') {
        text += source.slice(j, j + 2);
        j += 2;
        continue;
      }
      if (source[j] === '$' && source[j + 1] === '{') {
        templates.push(0);
        pushString(undefined);
        return j + 2;
      }
      text += source[j];
      j++;
    }
    pushString(start > 0 && source[start - 1] === '}' ? undefined : text);
    return j + 1;
  };
  while (i < source.length) {
    const ch = source[i] as string;
    const next = source[i + 1];
    if (ch === '/' && next === '/') {
      while (i < source.length && source[i] !== '\n') i++;
      continue;
    }
    if (ch === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      i = end < 0 ? source.length : end + 2;
      code += ' ';
      continue;
    }
    if (ch === '"' || ch === "'") {
      const { text, end } = readQuoted(source, i, ch);
      pushString(text);
      i = end;
      continue;
    }
    if (ch === '`') {
      i = readTemplate(i + 1);
      continue;
    }
    if (templates.length > 0 && (ch === '{' || ch === '}')) {
      const depth = templates.length - 1;
      if (ch === '{') templates[depth] = (templates[depth] ?? 0) + 1;
      else if ((templates[depth] ?? 0) > 0) templates[depth] = (templates[depth] ?? 0) - 1;
      else {
        templates.pop();
        i = readTemplate(i + 1);
        continue;
      }
    }
    if (ch === '/') {
      const regexAllowed = lastSignificant === '' || /[(,=:[!&|?{};+\-*%<>~^]/.test(lastSignificant);
      if (regexAllowed || REGEX_AFTER_WORDS.has(lastWord)) {
        i = regexEnd(source, i);
        code += ' /r/ ';
        lastSignificant = 'r';
        lastWord = '';
        continue;
      }
    }
    if (isWordCode(source.charCodeAt(i))) {
      let end = i + 1;
      while (end < source.length && isWordCode(source.charCodeAt(end))) end++;
      const word = source.slice(i, end);
      code += word;
      i = end;
      lastSignificant = 'a';
      lastWord = word;
      continue;
    }
    if (!isSpaceCode(source.charCodeAt(i))) {
      lastSignificant = ch;
      lastWord = '';
    }
    code += ch;
    i++;
  }
  return { code, strings };
}

/** Pure: the literal module specifiers of a JavaScript source text, each once, in order found. */
export function extractNodeImports(source: string): string[] {
  // Most of a large dependency tree's files load nothing: no need to tokenize them.
  if (!source.includes('require') && !source.includes('import') && !source.includes('from')) return [];
  const { code, strings } = tokenize(source);
  const specifiers = new Set<string>();
  for (const pattern of SPECIFIER_PATTERNS) {
    for (const match of code.matchAll(pattern)) {
      const specifier = strings[Number(match[1])];
      if (specifier !== undefined && specifier !== '') specifiers.add(specifier);
    }
  }
  return [...specifiers];
}
