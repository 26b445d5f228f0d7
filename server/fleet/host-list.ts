// The host list's query: filters, sort and page turned into one findMany and one count, with
// the columns a HostSummary needs. Used by GET /api/v1/hosts and by bench/overview-queries.ts.

import type { HostStatus } from '../../shared/api/hosts.js';
import type { Prisma, PrismaClient } from '../db/generated/client.js';

export const HOST_SORTS = [
  'hostname',
  'lastSeenAt',
  'staleSince',
  'status',
  'staleProcesses',
  'enrolledAt',
] as const;

export interface HostListQuery {
  status?: HostStatus | undefined;
  online?: boolean | undefined;
  /** key:value (validated by the route) */
  label?: string | undefined;
  /** Hostname substring, case-insensitive (the trigram index). */
  search?: string | undefined;
  includeRevoked?: boolean | undefined;
  sort: (typeof HOST_SORTS)[number];
  order: 'asc' | 'desc';
  page: number;
  pageSize: number;
}

export const summarySelect = {
  id: true,
  hostname: true,
  labels: true,
  online: true,
  status: true,
  lastSeenAt: true,
  reportedAt: true,
  staleSince: true,
  staleProcesses: true,
  servicesToRestart: true,
  containersToRestart: true,
  sessions: true,
  rebootRequired: true,
  kernelRelease: true,
  agentVersion: true,
  enrolledAt: true,
  revokedAt: true,
} as const;
export type HostSummaryRow = Prisma.HostGetPayload<{ select: typeof summarySelect }>;

export async function listHostRows(
  prisma: PrismaClient,
  q: HostListQuery,
): Promise<{ items: HostSummaryRow[]; total: number }> {
  const where: Prisma.HostWhereInput = {};
  if (!q.includeRevoked) where.revokedAt = null;
  if (q.status) where.status = q.status;
  if (q.online !== undefined) where.online = q.online;
  if (q.search) where.hostname = { contains: q.search, mode: 'insensitive' };
  if (q.label) {
    const colon = q.label.indexOf(':');
    // host_labels rows (kept by a trigger): an index lookup, not a JSON path per host.
    where.labelPairs = { some: { key: q.label.slice(0, colon), value: q.label.slice(colon + 1) } };
  }
  // A unique tie-breaker keeps pages stable when many hosts share the sort value.
  const orderBy: Prisma.HostOrderByWithRelationInput[] = [
    {
      [q.sort]:
        q.sort === 'staleSince' || q.sort === 'lastSeenAt' ? { sort: q.order, nulls: 'last' } : q.order,
    },
    { id: 'asc' },
  ];
  const [items, total] = await Promise.all([
    prisma.host.findMany({
      where,
      orderBy,
      skip: (q.page - 1) * q.pageSize,
      take: q.pageSize,
      select: summarySelect,
    }),
    prisma.host.count({ where }),
  ]);
  return { items, total };
}
