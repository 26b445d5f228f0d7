// Shell-style globs for config lists: `*` matches within one path segment, `**` across
// segments, `?` one character. Compiled once per pattern list.

export type GlobMatcher = (value: string) => boolean;

export function compileGlobs(patterns: readonly string[]): GlobMatcher {
  if (patterns.length === 0) return () => false;
  const regexes = patterns.map(globToRegExp);
  return (value) => regexes.some((re) => re.test(value));
}

/** A pattern ending in "/" means everything below that directory. */
export function globToRegExp(pattern: string): RegExp {
  const glob = pattern.endsWith('/') ? `${pattern}**` : pattern;
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*') {
      if (glob[i + 1] === '*') {
        source += '.*';
        i++;
      } else {
        source += '[^/]*';
      }
    } else if (ch === '?') {
      source += '[^/]';
    } else {
      source += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}
