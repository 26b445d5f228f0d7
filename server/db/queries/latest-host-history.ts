// "The latest history row of each host" as one DISTINCT ON query. Prisma 7 would answer the
// equivalent findMany({ distinct }) by reading every history row and filtering in memory; this
// reads one row per host through the (host_id, at DESC) index.
import { Prisma, type PrismaClient } from '../generated/client.js';
import type { HostStatus } from '../generated/enums.js';

export interface LatestHostHistory {
  hostId: string;
  id: bigint;
  at: Date;
  status: HostStatus;
  reportHash: string;
  summary: unknown;
}

/** Bound on `hostIds`, so that a caller cannot build an unbounded parameter list. */
export const MAX_HOST_IDS = 1000;

/** The newest row per host (ties on `at` broken by the later id), for all hosts or `hostIds`. */
export async function latestHostHistory(
  prisma: PrismaClient,
  hostIds?: readonly string[],
): Promise<LatestHostHistory[]> {
  if (hostIds !== undefined && hostIds.length > MAX_HOST_IDS) {
    throw new RangeError(`at most ${MAX_HOST_IDS} host ids per query, got ${hostIds.length}`);
  }
  if (hostIds !== undefined && hostIds.length === 0) return [];
  const filter =
    hostIds === undefined ? Prisma.empty : Prisma.sql`WHERE host_id = ANY(${[...hostIds]}::uuid[])`;
  return prisma.$queryRaw<LatestHostHistory[]>`
    SELECT DISTINCT ON (host_id)
           host_id::text AS "hostId", id, at, status::text AS status, report_hash AS "reportHash", summary
      FROM host_history
      ${filter}
     ORDER BY host_id, at DESC, id DESC`;
}
