// Which lines to look for in dpkg's .list files to find the owner of one file, given the names
// that file has (its own, its merged-/usr aliases, its canonical path) and the diversions.
import type { DpkgDiversion } from './parse-dpkg-diversions.js';

export interface DpkgLookup {
  /** The path as a .list file would name it. */
  listed: string;
  /** Only this package (bare name) can own it: `listed` is diverted away and replaced by it. */
  requireOwner?: string;
  /** This package lists `listed` but does not own the file: it diverted the original away. */
  excludeOwner?: string;
}

export function planDpkgLookups(
  names: readonly string[],
  diversions: readonly DpkgDiversion[],
): DpkgLookup[] {
  const lookups: DpkgLookup[] = [];
  for (const name of names) {
    const divertedTo = diversions.find((d) => d.to === name);
    if (divertedTo) {
      // The file at `to` is the original package's: listed under `from`, by every package
      // except the diverting one.
      lookups.push(
        divertedTo.by
          ? { listed: divertedTo.from, excludeOwner: divertedTo.by }
          : { listed: divertedTo.from },
      );
    }
    const divertedFrom = diversions.find((d) => d.from === name);
    if (!divertedFrom) {
      lookups.push({ listed: name });
    } else if (divertedFrom.by) {
      lookups.push({ listed: name, requireOwner: divertedFrom.by });
    }
    // A local diversion's `from` holds the administrator's own file: no package owns it.
  }
  return lookups;
}

export function ownerAllowed(lookup: DpkgLookup, packageName: string): boolean {
  if (lookup.requireOwner !== undefined && lookup.requireOwner !== packageName) return false;
  return lookup.excludeOwner !== packageName;
}
