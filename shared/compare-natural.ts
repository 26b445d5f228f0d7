// Output order must not depend on the order the scanner happened to find things in, nor on the
// locale of the machine printing it (localeCompare does). Digit runs compare as numbers so that
// session 2 comes before session 10 and c9 before c10. Also why the agent never calls
// localeCompare: the first call pages ICU's collation data into every agent (~3 MB of RSS).

/** Locale-independent comparison where runs of digits compare by numeric value. */
export function compareNatural(a: string, b: string): number {
  const left = a.split(/(\d+)/);
  const right = b.split(/(\d+)/);
  const length = Math.min(left.length, right.length);
  for (let i = 0; i < length; i++) {
    const x = left[i] ?? '';
    const y = right[i] ?? '';
    if (x === y) continue;
    // split() with a capturing group puts the digit runs at odd indexes.
    if (i % 2 === 1) {
      const order = compareDigits(x, y);
      if (order !== 0) return order;
    }
    return x < y ? -1 : 1;
  }
  if (left.length !== right.length) return left.length - right.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareDigits(x: string, y: string): number {
  // No Number(): digit runs may exceed 2^53 (container ids, pod UIDs).
  const a = x.replace(/^0+(?=\d)/, '');
  const b = y.replace(/^0+(?=\d)/, '');
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
