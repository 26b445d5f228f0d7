// Package managers install a new file under a temporary name and rename it over the old one; a
// process that mapped the file while it still had that name keeps reporting it. The name without
// the suffix is the one the package database knows.

// rpm writes `NAME;XXXXXXXX` (hex of the transaction time, 8 digits or more), dpkg writes
// `NAME.dpkg-new` / `NAME.dpkg-tmp`, prelink `NAME.#prelink#.XXXXXX` (mkstemp, 6 characters).
// Each needs a non-empty name before it in the last path component: a file literally named
// `.dpkg-new` is not a renamed one.
const TEMP_SUFFIXES: readonly RegExp[] = [
  /(?<=[^/]);[0-9a-fA-F]{8,}$/,
  /(?<=[^/])\.dpkg-(?:new|tmp)$/,
  /(?<=[^/])\.#prelink#\.[A-Za-z0-9]{6}$/,
];

/** Removes a package manager's temporary-name suffix; `renamed` says whether there was one. */
export function stripTempSuffix(path: string): { path: string; renamed: boolean } {
  for (const suffix of TEMP_SUFFIXES) {
    const match = suffix.exec(path);
    if (match) return { path: path.slice(0, match.index), renamed: true };
  }
  return { path, renamed: false };
}
