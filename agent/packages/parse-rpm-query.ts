// Parses the output of
//   rpm --root R -qf --qf '%{NAME}\t%{EPOCH}\t%{VERSION}-%{RELEASE}\t%{ARCH}\n' PATH...
// rpm prints one line per owning package and nothing that says which PATH it answers, so the
// lines are matched to the paths by position: the paths rpm complains about ("not owned",
// "error: file ...: No such file") name themselves, the rest take the package lines in order.
// That only works when each remaining path has exactly one owner; otherwise the caller asks
// again with fewer paths (see queryRpmOwners).

export interface RpmPackage {
  name: string;
  /** `[epoch:]version-release`, the epoch only when set and non-zero, as dnf prints it. */
  version: string;
  arch?: string;
}

export interface RpmQueryResult {
  owners: Map<string, RpmPackage>;
  /** False when the package lines cannot be matched to the paths one to one. */
  consistent: boolean;
  /** rpm's own `error:` lines other than "no such file" (an unreadable database, ...). */
  errors: string[];
}

const NOT_OWNED = /^file (.+) is not owned by any package$/;
const NO_FILE = /^error: file (.+): [^:]+$/;

export function parseRpmQuery(paths: readonly string[], stdout: string, stderr: string): RpmQueryResult {
  const packages: RpmPackage[] = [];
  const unanswered = new Set<string>();
  const errors: string[] = [];
  for (const line of `${stdout}\n${stderr}`.split('\n')) {
    const complaint = NOT_OWNED.exec(line) ?? NO_FILE.exec(line);
    if (complaint) {
      unanswered.add(complaint[1]!);
      continue;
    }
    if (line.startsWith('error: ')) {
      errors.push(line);
      continue;
    }
    const pkg = parsePackageLine(line);
    if (pkg) packages.push(pkg);
  }
  const owners = new Map<string, RpmPackage>();
  // Every owned path prints at least one line: no line means no owner, whatever the paths. And
  // a single path is unambiguous whatever rpm printed: its first owner.
  if (packages.length === 0 || paths.length === 1) {
    if (packages[0]) owners.set(paths[0]!, packages[0]);
    return { owners, consistent: true, errors };
  }
  const answered = paths.filter((p) => !unanswered.has(p));
  if (answered.length !== packages.length) return { owners: new Map(), consistent: false, errors };
  answered.forEach((path, i) => {
    owners.set(path, packages[i]!);
  });
  return { owners, consistent: true, errors };
}

/** `NAME\tEPOCH\tVERSION-RELEASE[\tARCH]`; undefined for anything else (warnings, blank lines). */
export function parsePackageLine(line: string): RpmPackage | undefined {
  const fields = line.split('\t');
  if (fields.length < 3 || fields.length > 4) return undefined;
  const [name, epoch, versionRelease, arch] = fields as [string, string, string, string | undefined];
  if (name === '' || versionRelease === '' || !/^(?:\(none\)|\d+)$/.test(epoch)) return undefined;
  const pkg: RpmPackage = { name, version: withEpoch(epoch, versionRelease) };
  if (arch && arch !== '(none)') pkg.arch = arch;
  return pkg;
}

/** rpm prints `(none)` for a package without an epoch; dnf omits a zero epoch. */
export function withEpoch(epoch: string, versionRelease: string): string {
  return epoch === '(none)' || epoch === '0' || epoch === '' ? versionRelease : `${epoch}:${versionRelease}`;
}
