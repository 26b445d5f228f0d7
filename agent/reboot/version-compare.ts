// Debian's version ordering (dpkg's verrevcmp), used to find the newest installed kernel. A
// plain string or numeric sort gets `6.1.0-9` vs `6.1.0-21` and `~rc` pre-releases wrong;
// dpkg's rule is the one Debian, Ubuntu and (for these strings) RPM distributions agree on.

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isAlpha(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** dpkg's `order()`: `~` sorts before everything, even the end; letters before other symbols. */
function order(code: number): number {
  if (code === 0 || isDigit(code)) return 0;
  if (isAlpha(code)) return code;
  if (code === 126) return -1; // '~'
  return code + 256;
}

/** Char code at `i`, or 0 past the end (dpkg walks NUL-terminated strings). */
function at(s: string, i: number): number {
  return i < s.length ? s.charCodeAt(i) : 0;
}

/**
 * dpkg's verrevcmp on one version part (upstream version or revision): alternating runs of
 * non-digits (compared by `order`) and digits (compared as numbers). Negative, 0 or positive.
 */
export function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigit(at(a, i))) || (j < b.length && !isDigit(at(b, j)))) {
      const ac = order(at(a, i));
      const bc = order(at(b, j));
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (at(a, i) === 48) i++;
    while (at(b, j) === 48) j++;
    while (isDigit(at(a, i)) && isDigit(at(b, j))) {
      if (firstDiff === 0) firstDiff = at(a, i) - at(b, j);
      i++;
      j++;
    }
    if (isDigit(at(a, i))) return 1;
    if (isDigit(at(b, j))) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

interface DebianVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

/** Splits `[epoch:]upstream[-revision]` the way dpkg's parseversion does. */
function parseVersion(version: string): DebianVersion {
  const v = version.trim();
  let epoch = 0;
  let rest = v;
  const colon = v.indexOf(':');
  if (colon > 0 && /^\d+$/.test(v.slice(0, colon))) {
    epoch = Number(v.slice(0, colon));
    rest = v.slice(colon + 1);
  }
  const hyphen = rest.lastIndexOf('-');
  if (hyphen < 0) return { epoch, upstream: rest, revision: '' };
  return { epoch, upstream: rest.slice(0, hyphen), revision: rest.slice(hyphen + 1) };
}

/**
 * Compares two Debian versions (epoch, upstream version, revision) like
 * `dpkg --compare-versions`. Returns a negative number when a < b, 0 when equal, positive when
 * a > b. Kernel releases (`6.1.0-21-amd64`, `5.14.0-427.el9.x86_64`) order correctly with it.
 */
export function compareVersions(a: string, b: string): number {
  const va = parseVersion(a);
  const vb = parseVersion(b);
  if (va.epoch !== vb.epoch) return va.epoch > vb.epoch ? 1 : -1;
  return verrevcmp(va.upstream, vb.upstream) || verrevcmp(va.revision, vb.revision);
}
