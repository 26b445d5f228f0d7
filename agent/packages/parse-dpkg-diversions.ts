// Parses /var/lib/dpkg/diversions: groups of three lines, `from`, `to`, and the diverting
// package (`:` for a local diversion made by the administrator). A diverted file is listed by
// its package under the ORIGINAL name while it lives at `to` (libpq-dev's pg_config lives at
// /usr/bin/pg_config.libpq-dev), and `from` then holds the diverting package's file.

export interface DpkgDiversion {
  from: string;
  to: string;
  /** The diverting package, or undefined for a local diversion. */
  by?: string;
}

export function parseDpkgDiversions(text: string): DpkgDiversion[] {
  const lines = text.split('\n');
  const diversions: DpkgDiversion[] = [];
  for (let i = 0; i + 2 < lines.length; i += 3) {
    const from = lines[i]!;
    const to = lines[i + 1]!;
    const by = lines[i + 2]!;
    if (!from.startsWith('/') || !to.startsWith('/') || by === '') break; // not the expected layout
    diversions.push(by === ':' ? { from, to } : { from, to, by });
  }
  return diversions;
}
