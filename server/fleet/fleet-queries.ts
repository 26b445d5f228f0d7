// The fleet overview's aggregate queries, as raw SQL: one pass over the hosts table for the totals,
// host_labels joined to hosts for the per-label counts, GROUP BY over host_stale_packages for
// "who still runs the old glibc?".
// Revoked hosts are left out everywhere.
import { Prisma, type PrismaClient } from '../db/generated/client.js';

export interface FleetTotals {
  hosts: number;
  online: number;
  needRestart: number;
  needReboot: number;
  unknown: number;
  oldestStaleSince: Date | null;
}

export async function fleetTotals(prisma: PrismaClient): Promise<FleetTotals> {
  const rows = await prisma.$queryRaw<FleetTotals[]>`
    SELECT count(*)::int AS hosts,
           count(*) FILTER (WHERE online)::int AS online,
           count(*) FILTER (WHERE status = 'restart')::int AS "needRestart",
           count(*) FILTER (WHERE status = 'reboot' OR reboot_required)::int AS "needReboot",
           count(*) FILTER (WHERE status = 'unknown')::int AS unknown,
           min(stale_since) AS "oldestStaleSince"
      FROM hosts WHERE revoked_at IS NULL`;
  return rows[0]!;
}

export interface LabelCounts extends Omit<FleetTotals, 'unknown'> {
  key: string;
  value: string;
}

export const MAX_LABEL_GROUPS = 500;

/**
 * Totals per label key and value (a host with labels {env: prod, group: web} counts in both),
 * from host_labels (the rows a trigger keeps equal to hosts.labels): one hash join.
 */
export async function fleetByLabel(prisma: PrismaClient, key?: string): Promise<LabelCounts[]> {
  const filter = key === undefined ? Prisma.empty : Prisma.sql`AND l.key = ${key}`;
  return prisma.$queryRaw<LabelCounts[]>`
    SELECT l.key, l.value,
           count(*)::int AS hosts,
           count(*) FILTER (WHERE h.online)::int AS online,
           count(*) FILTER (WHERE h.status = 'restart')::int AS "needRestart",
           count(*) FILTER (WHERE h.status = 'reboot' OR h.reboot_required)::int AS "needReboot",
           min(h.stale_since) AS "oldestStaleSince"
      FROM host_labels l JOIN hosts h ON h.id = l.host_id
     WHERE h.revoked_at IS NULL ${filter}
     GROUP BY l.key, l.value
     ORDER BY l.key, l.value
     LIMIT ${MAX_LABEL_GROUPS}`;
}

export interface StalePackageCount {
  name: string;
  hosts: number;
  processes: number;
  installedVersions: string[];
  previousVersions: string[];
}

export async function fleetStalePackages(
  prisma: PrismaClient,
  options: { search?: string; limit: number; offset: number },
): Promise<{ items: StalePackageCount[]; total: number }> {
  const filter = options.search
    ? Prisma.sql`AND p.name ILIKE ${`%${escapeLike(options.search)}%`}`
    : Prisma.empty;
  // The total comes from a window over the groups, in the same pass (no second aggregation).
  const rows = await prisma.$queryRaw<Array<StalePackageCount & { total: number }>>`
    SELECT p.name,
           count(*)::int AS hosts,
           sum(p.process_count)::int AS processes,
           coalesce(array_agg(DISTINCT p.installed_version) FILTER (WHERE p.installed_version IS NOT NULL), '{}') AS "installedVersions",
           coalesce(array_agg(DISTINCT p.previous_version) FILTER (WHERE p.previous_version IS NOT NULL), '{}') AS "previousVersions",
           (count(*) OVER ())::int AS total
      FROM host_stale_packages p JOIN hosts h ON h.id = p.host_id
     WHERE h.revoked_at IS NULL ${filter}
     GROUP BY p.name
     ORDER BY hosts DESC, p.name
     LIMIT ${options.limit} OFFSET ${options.offset}`;
  const items = rows.map(({ total: _total, ...item }) => item);
  const total = rows[0]?.total ?? (options.offset > 0 ? await countStalePackages(prisma, filter) : 0);
  return { items, total };
}

// Only for a page past the end, where the window has no row to ride on.
async function countStalePackages(prisma: PrismaClient, filter: Prisma.Sql): Promise<number> {
  const rows = await prisma.$queryRaw<Array<{ total: number }>>`
    SELECT count(DISTINCT p.name)::int AS total
      FROM host_stale_packages p JOIN hosts h ON h.id = p.host_id
     WHERE h.revoked_at IS NULL ${filter}`;
  return rows[0]?.total ?? 0;
}

export interface PackageHost {
  hostId: string;
  hostname: string;
  online: boolean;
  status: string;
  installedVersion: string | null;
  previousVersion: string | null;
  processCount: number;
  files: unknown;
}

export async function hostsRunningStalePackage(
  prisma: PrismaClient,
  options: { name: string; limit: number; offset: number },
): Promise<{ items: PackageHost[]; total: number }> {
  // The total rides on the page's rows (a window over the same join), as in fleetStalePackages.
  const rows = await prisma.$queryRaw<Array<PackageHost & { total: number }>>`
    SELECT h.id::text AS "hostId", h.hostname, h.online, h.status::text AS status,
           p.installed_version AS "installedVersion", p.previous_version AS "previousVersion",
           p.process_count AS "processCount", p.files,
           (count(*) OVER ())::int AS total
      FROM host_stale_packages p JOIN hosts h ON h.id = p.host_id
     WHERE p.name = ${options.name} AND h.revoked_at IS NULL
     ORDER BY p.process_count DESC, h.hostname, h.id
     LIMIT ${options.limit} OFFSET ${options.offset}`;
  const items = rows.map(({ total: _total, ...item }) => item);
  const total = rows[0]?.total ?? (options.offset > 0 ? await countPackageHosts(prisma, options.name) : 0);
  return { items, total };
}

// Only for a page past the end, where the window has no row to ride on.
async function countPackageHosts(prisma: PrismaClient, name: string): Promise<number> {
  const rows = await prisma.$queryRaw<Array<{ total: number }>>`
    SELECT count(*)::int AS total FROM host_stale_packages p JOIN hosts h ON h.id = p.host_id
     WHERE p.name = ${name} AND h.revoked_at IS NULL`;
  return rows[0]?.total ?? 0;
}

/** Escapes LIKE's wildcards so a search for "lib_c" means those characters. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
