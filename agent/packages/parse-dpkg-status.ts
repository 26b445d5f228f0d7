// Parses /var/lib/dpkg/status: RFC 822-like stanzas separated by blank lines, continuation lines
// starting with a space or tab. Only the fields needed to name a package and its version are
// kept; the file is read directly because dpkg-query is a program on the scanned host.

export interface DpkgPackage {
  name: string;
  /** `amd64`, `all`, ...; absent in very old databases. */
  arch?: string;
  /** With epoch when there is one (`1:2.66-4+deb12u2`), as dpkg prints it. */
  version?: string;
  /** Source package name (`openssl` for libssl3); absent when equal to `name`. */
  source?: string;
  /** The Status field as written: `want flag state`, e.g. `install ok installed`. */
  status: string;
  /** Whether this version's files are on disk (the package is unpacked at least). */
  filesPresent: boolean;
}

// Past `unpacked`, the new version's files are in place even if configuration failed or triggers
// are pending. `half-installed` is a failed or ongoing unpack: a mix of two versions.
const FILES_PRESENT_STATES = new Set([
  'installed',
  'unpacked',
  'half-configured',
  'triggers-awaited',
  'triggers-pending',
]);

const WANTED_FIELDS = new Set(['package', 'status', 'architecture', 'version', 'source']);

export function parseDpkgStatus(text: string): DpkgPackage[] {
  const packages: DpkgPackage[] = [];
  let fields = new Map<string, string>();
  const flush = (): void => {
    const name = fields.get('package');
    if (name) {
      const status = fields.get('status') ?? '';
      const pkg: DpkgPackage = {
        name,
        status,
        filesPresent: FILES_PRESENT_STATES.has(status.split(/\s+/)[2] ?? ''),
      };
      const arch = fields.get('architecture');
      if (arch) pkg.arch = arch;
      const version = fields.get('version');
      if (version) pkg.version = version;
      // `Source: openssl (3.0.11-1)` names the source and, when it differs, its version.
      const source = fields.get('source')?.split(/\s+/)[0];
      if (source && source !== name) pkg.source = source;
      packages.push(pkg);
    }
    fields = new Map();
  };
  for (const rawLine of text.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.trim() === '') {
      flush();
      continue;
    }
    if (line.startsWith(' ') || line.startsWith('\t')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).toLowerCase();
    if (WANTED_FIELDS.has(key)) fields.set(key, line.slice(colon + 1).trim());
  }
  flush();
  return packages;
}

/** Packages by name; a Multi-Arch: same package has one entry per architecture. */
export type DpkgIndex = ReadonlyMap<string, readonly DpkgPackage[]>;

export function indexDpkgPackages(packages: readonly DpkgPackage[]): DpkgIndex {
  const index = new Map<string, DpkgPackage[]>();
  for (const pkg of packages) {
    const list = index.get(pkg.name);
    if (list) list.push(pkg);
    else index.set(pkg.name, [pkg]);
  }
  return index;
}

/**
 * The database entry behind a `.list` file name (`libc6` or `libc6:amd64`): the one of that
 * architecture when the name has one, else the one whose files are on disk.
 */
export function findDpkgPackage(index: DpkgIndex, listName: string): DpkgPackage | undefined {
  const { name, arch } = splitPackageArch(listName);
  const entries = index.get(name) ?? [];
  const ofArch = arch === undefined ? entries : entries.filter((e) => e.arch === arch);
  return ofArch.find((e) => e.filesPresent) ?? ofArch[0];
}

/** `libc6:amd64` -> { name: 'libc6', arch: 'amd64' }. Package names never contain ':'. */
export function splitPackageArch(qualified: string): { name: string; arch?: string } {
  const colon = qualified.indexOf(':');
  if (colon < 0) return { name: qualified };
  return { name: qualified.slice(0, colon), arch: qualified.slice(colon + 1) };
}
