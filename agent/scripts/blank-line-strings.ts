// Blanks the quoted strings of one line of perl or ruby and drops its trailing # comment. The
// quoting rules of both languages (q{}, %w[], regexes, interpolation) are far richer than this;
// working one line at a time keeps a misread quote from swallowing the rest of a file.

/** Brackets a blanked string's index in tokenized code; private use, so absent from code itself. */
export const STRING_MARK = '\uE000';

/**
 * '…' and "…" closed on the same line become STRING_MARK index STRING_MARK, with their text
 * appended to `strings`; `isComment(line, i)` says whether a # at i starts a comment.
 */
export function blankLineStrings(
  line: string,
  strings: string[],
  isComment: (line: string, i: number) => boolean,
): string {
  let code = '';
  let start = 0;
  // A quote left open once stays open to the line end: searching again from every later quote
  // of the same kind would cost O(n²) on a hostile line.
  const open = { '"': false, "'": false };
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '#' && isComment(line, i)) {
      return code + line.slice(start, i);
    }
    if ((ch !== '"' && ch !== "'") || open[ch]) continue;
    let j = i + 1;
    while (j < line.length && line[j] !== ch) j += line[j] === '\\' ? 2 : 1;
    if (j >= line.length) {
      open[ch] = true;
      continue;
    }
    code += `${line.slice(start, i)}${STRING_MARK}${strings.length}${STRING_MARK}`;
    strings.push(line.slice(i + 1, j));
    start = j + 1;
    i = j;
  }
  return code + line.slice(start);
}
