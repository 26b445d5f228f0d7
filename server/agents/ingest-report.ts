// Stores one agent report: the host's current state (status, counts, staleSince), a history row
// only when the report's meaningful content changed (reportFingerprint), and the host's stale
// packages, all in one transaction that locks the host row, so two frames for the same host can
// never interleave. The caller acknowledges the report only after this resolves (committed).
// A seq at or below the stored one is a retransmission: acknowledged again, stored once.
import type { ReportPayload, UnchangedPayload } from '../../shared/agent-protocol.js';
import { reportFingerprint } from '../../shared/report-fingerprint.js';
import type { Prisma, PrismaClient } from '../db/generated/client.js';
import { summarizeReport } from './summarize-report.js';

export type IngestResult = 'stored' | 'unchanged' | 'duplicate';

/** The host was revoked or deleted while its agent was connected. */
export class HostGoneError extends Error {
  override readonly name = 'HostGoneError';
}

interface LockedHost {
  report_seq: bigint;
  report_hash: string | null;
  stale_since: Date | null;
  revoked_at: Date | null;
}

async function lockHost(tx: Prisma.TransactionClient, hostId: string): Promise<LockedHost> {
  const rows = await tx.$queryRaw<LockedHost[]>`
    SELECT report_seq, report_hash, stale_since, revoked_at FROM hosts WHERE id = ${hostId}::uuid FOR UPDATE`;
  const host = rows[0];
  if (!host || host.revoked_at) throw new HostGoneError(`host ${hostId} is unknown or revoked`);
  return host;
}

export async function ingestReport(
  prisma: PrismaClient,
  hostId: string,
  payload: ReportPayload,
  now: Date = new Date(),
): Promise<IngestResult> {
  const { report } = payload;
  const hash = reportFingerprint(report);
  const summary = summarizeReport(report);
  return prisma.$transaction(async (tx) => {
    const host = await lockHost(tx, hostId);
    if (BigInt(payload.seq) <= BigInt(host.report_seq)) return 'duplicate';
    const reportedAt = earlier(new Date(report.scan.startedAt), now);
    if (host.report_hash === hash) {
      await tx.host.update({
        where: { id: hostId },
        data: { reportSeq: payload.seq, reportedAt, lastSeenAt: now },
      });
      return 'unchanged';
    }
    const staleSince = summary.status === 'ok' ? null : (host.stale_since ?? reportedAt);
    await tx.host.update({
      where: { id: hostId },
      data: {
        status: summary.status,
        reportHash: hash,
        reportedAt,
        reportSeq: payload.seq,
        lastSeenAt: now,
        staleSince,
        staleProcesses: summary.staleProcesses,
        servicesToRestart: summary.servicesToRestart,
        containersToRestart: summary.containersToRestart,
        sessions: summary.sessions,
        rebootRequired: summary.rebootRequired,
        ...(report.host.bootId ? { bootId: report.host.bootId } : {}),
        kernelRelease: report.kernel.runningRelease,
      },
    });
    await tx.hostReport.upsert({
      where: { hostId },
      create: { hostId, report: report as unknown as Prisma.InputJsonObject },
      update: { report: report as unknown as Prisma.InputJsonObject },
    });
    await tx.hostHistory.create({
      data: {
        hostId,
        at: reportedAt,
        status: summary.status,
        reportHash: hash,
        report: report as unknown as Prisma.InputJsonObject,
        summary: { ...summary } as unknown as Prisma.InputJsonObject,
      },
    });
    await tx.hostStalePackage.deleteMany({ where: { hostId } });
    const packages = stalePackageRows(hostId, report.packages);
    if (packages.length > 0) await tx.hostStalePackage.createMany({ data: packages });
    return 'stored';
  });
}

/**
 * An `unchanged` frame: the findings of the last stored report still hold at `scannedAt`. Most
 * frames of a steady fleet are these, so it is ONE statement, not a transaction: the UPDATE
 * locks the row itself, and its `report_seq < seq` condition is re-checked after waiting for a
 * concurrent writer (READ COMMITTED), so a retransmission is never applied twice.
 */
export async function ingestUnchanged(
  prisma: PrismaClient,
  hostId: string,
  payload: UnchangedPayload,
  now: Date = new Date(),
): Promise<IngestResult> {
  const reportedAt = earlier(new Date(payload.scannedAt), now);
  const rows = await prisma.$queryRaw<Array<{ active: boolean | null; updated: boolean }>>`
    WITH updated AS (
      UPDATE hosts SET report_seq = ${payload.seq}::bigint, reported_at = ${reportedAt}, last_seen_at = ${now}
       WHERE id = ${hostId}::uuid AND revoked_at IS NULL AND report_seq < ${payload.seq}::bigint
      RETURNING 1)
    SELECT (SELECT revoked_at IS NULL FROM hosts WHERE id = ${hostId}::uuid) AS active,
           EXISTS (SELECT 1 FROM updated) AS updated`;
  const row = rows[0];
  if (row?.updated) return 'unchanged';
  if (!row?.active) throw new HostGoneError(`host ${hostId} is unknown or revoked`);
  return 'duplicate';
}

// One row per package name (the table's key); a report naming a package twice is merged.
function stalePackageRows(
  hostId: string,
  packages: ReportPayload['report']['packages'],
): Prisma.HostStalePackageCreateManyInput[] {
  const byName = new Map<
    string,
    { row: Prisma.HostStalePackageCreateManyInput; pids: Set<number>; files: Set<string> }
  >();
  for (const p of packages) {
    let entry = byName.get(p.name);
    if (!entry) {
      entry = {
        row: {
          hostId,
          name: p.name,
          installedVersion: p.installedVersion ?? null,
          previousVersion: p.previousVersion ?? null,
          processCount: 0,
          files: [],
        },
        pids: new Set(),
        files: new Set(),
      };
      byName.set(p.name, entry);
    }
    for (const pid of p.pids) entry.pids.add(pid);
    for (const file of p.files) entry.files.add(file);
  }
  return [...byName.values()].map(({ row, pids, files }) => ({
    ...row,
    processCount: pids.size,
    files: [...files],
  }));
}

// A report's time comes from the agent's clock: never later than the server's now.
function earlier(a: Date, b: Date): Date {
  return Number.isNaN(a.getTime()) || a > b ? b : a;
}
