// perl's built-in @INC, rebuilt from the interpreter's location and version without running
// `perl -V` and without PERL5LIB (CVE-2024-48992 came from trusting the target's environment).
// The directory layout differs per distribution, so one is chosen by the directories that
// exist: Debian (perl-base), RPM (lib64/perl5, vendor_perl), Arch and Alpine (core_perl), or a
// source build such as the official container image (prefix/lib/perl5/5.36.0).
import { posix } from 'node:path';
import type { InterpreterExe } from './detect-interpreter.js';
import { listTriplets, prefixOf, type ScriptLookup } from './script-lookup.js';
import { cacheSet } from './script-parse-cache.js';

export interface PerlLayout {
  prefix: string;
  /** Full version, e.g. 5.36.0. */
  version?: string;
  /** Major.minor, e.g. 5.36. */
  minor?: string;
  /** Multiarch triplets found under prefix/lib, e.g. x86_64-linux-gnu. */
  triplets: string[];
  /** Perl archnames of a source build, e.g. x86_64-linux-gnu-thread-multi. */
  archnames: string[];
}

export type PerlDistribution = 'debian' | 'rpm' | 'arch' | 'alpine' | 'source';

/** Pure: @INC of one distribution's layout, in perl's search order. */
export function perlIncCandidates(layout: PerlLayout, distribution: PerlDistribution): string[] {
  const p = layout.prefix;
  const v = layout.version;
  const m = layout.minor;
  const dirs: (string | undefined)[] = [];
  switch (distribution) {
    case 'debian':
      if (p === '/usr' || p === '') dirs.push('/etc/perl');
      for (const t of layout.triplets) dirs.push(v && `${p}/local/lib/${t}/perl/${v}`);
      dirs.push(v && `${p}/local/share/perl/${v}`);
      for (const t of layout.triplets) dirs.push(m && `${p}/lib/${t}/perl5/${m}`);
      dirs.push(`${p}/share/perl5`);
      for (const t of layout.triplets) dirs.push(`${p}/lib/${t}/perl-base`);
      for (const t of layout.triplets) dirs.push(m && `${p}/lib/${t}/perl/${m}`);
      dirs.push(m && `${p}/share/perl/${m}`, `${p}/local/lib/site_perl`);
      break;
    case 'rpm':
      dirs.push(m && `${p}/local/lib64/perl5/${m}`, m && `${p}/local/share/perl5/${m}`);
      dirs.push(`${p}/local/lib64/perl5`, `${p}/local/share/perl5`);
      dirs.push(`${p}/lib64/perl5/vendor_perl`, `${p}/share/perl5/vendor_perl`);
      dirs.push(`${p}/lib64/perl5`, `${p}/share/perl5`);
      break;
    case 'arch':
      for (const kind of ['site_perl', 'vendor_perl', 'core_perl']) {
        dirs.push(m && `${p}/lib/perl5/${m}/${kind}`, `${p}/share/perl5/${kind}`);
      }
      break;
    case 'alpine':
      dirs.push(`${p}/local/lib/perl5/site_perl`, `${p}/local/share/perl5/site_perl`);
      dirs.push(`${p}/lib/perl5/vendor_perl`, `${p}/share/perl5/vendor_perl`);
      dirs.push(`${p}/lib/perl5/core_perl`, `${p}/share/perl5/core_perl`);
      break;
    case 'source':
      for (const kind of ['site_perl/', 'vendor_perl/', '']) {
        for (const a of layout.archnames) dirs.push(v && `${p}/lib/perl5/${kind}${v}/${a}`);
        dirs.push(v && `${p}/lib/perl5/${kind}${v}`);
      }
      break;
  }
  return [...new Set(dirs.filter((d): d is string => d !== undefined))];
}

/** Which layout the installation uses, told by directories only that layout has. */
function distributionOf(lookup: ScriptLookup, layout: PerlLayout): PerlDistribution {
  const p = layout.prefix;
  if (layout.triplets.some((t) => lookup.list(`${p}/lib/${t}/perl-base`))) return 'debian';
  if (lookup.list(`${p}/share/perl`)) return 'debian';
  if (lookup.list(`${p}/lib64/perl5`)) return 'rpm';
  if (lookup.list(`${p}/lib/perl5/core_perl`)) return 'alpine';
  if (lookup.list(`${p}/share/perl5/core_perl`)) return 'arch';
  if (lookup.list(`${p}/share/perl5/vendor_perl`)) return 'rpm';
  return 'source';
}

/**
 * The version from the name (perl5.36.0) or, for plain `perl`, from the versioned directories
 * that exist; several minor versions installed side by side leave it unknown.
 */
function findVersion(lookup: ScriptLookup, exe: InterpreterExe, prefix: string, triplets: string[]) {
  const named = exe.version?.split('.') ?? [];
  const wantedMinor = named.length >= 2 ? `${named[0]}.${named[1]}` : undefined;
  const dirs = [
    `${prefix}/share/perl`,
    `${prefix}/lib/perl5`,
    `${prefix}/local/lib64/perl5`,
    ...triplets.map((t) => `${prefix}/lib/${t}/perl`),
  ];
  const versions = new Set<string>();
  for (const dir of dirs) {
    for (const entry of lookup.list(dir) ?? []) if (/^5\.\d+(?:\.\d+)?$/.test(entry)) versions.add(entry);
  }
  const minorOf = (v: string) => v.split('.').slice(0, 2).join('.');
  const minors = new Set([...versions].map(minorOf).filter((m) => !wantedMinor || m === wantedMinor));
  const minor = wantedMinor ?? (minors.size === 1 ? [...minors][0] : undefined);
  if (minor === undefined) return {};
  const full =
    named.length === 3
      ? exe.version
      : [...versions].find((v) => minorOf(v) === minor && v.split('.').length === 3);
  return full === undefined ? { minor } : { minor, version: full };
}

/** Built-in @INC directories that exist, for the perl at exe.path. */
export function perlSearchPath(lookup: ScriptLookup, exe: InterpreterExe): string[] {
  const key = `${lookup.root.cacheKey}\0perl\0${exe.path}`;
  const cached = lookup.cache.searchPaths.get(key) as string[] | undefined;
  if (cached) return cached;
  const prefix = prefixOf(posix.dirname(exe.path));
  const triplets = listTriplets(lookup, `${prefix}/lib`);
  const layout: PerlLayout = {
    prefix,
    triplets,
    archnames: [],
    ...findVersion(lookup, exe, prefix, triplets),
  };
  if (layout.version) {
    layout.archnames = [...(lookup.list(`${prefix}/lib/perl5/${layout.version}`) ?? [])].filter((e) =>
      e.includes('-linux'),
    );
  }
  const result = perlIncCandidates(layout, distributionOf(lookup, layout)).filter((d) => lookup.list(d));
  cacheSet(lookup.cache.searchPaths, key, result);
  return result;
}
