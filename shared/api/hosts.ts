// The hosts API's answers: the host list, one host with its latest report, its history, and the
// host the label and revoke operations return. Served by server/routes/hosts.ts; read by the UI
// and the CLI (`afterpatch hosts`).
import Type, { type Static } from 'typebox';
import { HostStatus as ReportStatus } from '../scan-report.js';
import { DateTime, Labels, NullableDateTime, OpenObject } from './fields.js';
import { CursorPageOf, PageOf } from './pages.js';

/** The status of the host's latest report (ScanReport.status), or unknown before the first one. */
export const HostStatus = Type.Union([...ReportStatus.anyOf, Type.Literal('unknown')]);
export type HostStatus = Static<typeof HostStatus>;
export const HOST_STATUSES: readonly HostStatus[] = HostStatus.anyOf.map((s) => s.const);

export const HostSummary = Type.Object({
  id: Type.String(),
  hostname: Type.String(),
  labels: Labels,
  online: Type.Boolean(),
  status: HostStatus,
  lastSeenAt: NullableDateTime,
  reportedAt: NullableDateTime,
  staleSince: NullableDateTime,
  staleProcesses: Type.Integer(),
  servicesToRestart: Type.Integer(),
  containersToRestart: Type.Integer(),
  sessions: Type.Integer(),
  rebootRequired: Type.Boolean(),
  kernelRelease: Type.Union([Type.String(), Type.Null()]),
  agentVersion: Type.Union([Type.String(), Type.Null()]),
  enrolledAt: DateTime,
  revokedAt: NullableDateTime,
});
export type HostSummary = Static<typeof HostSummary>;

export const HostPage = PageOf(HostSummary);
export type HostPage = Static<typeof HostPage>;

export const HostDetail = Type.Object({
  ...HostSummary.properties,
  machineId: Type.Union([Type.String(), Type.Null()]),
  bootId: Type.Union([Type.String(), Type.Null()]),
  reportSeq: Type.Integer(),
  report: Type.Union([OpenObject, Type.Null()], {
    description: 'The latest ScanReport (docs/scan-report.md)',
  }),
});
export type HostDetail = Static<typeof HostDetail>;

/** A change of the host's findings. */
export const HistoryRow = Type.Object({
  id: Type.String(),
  at: DateTime,
  status: HostStatus,
  reportHash: Type.String(),
  summary: OpenObject,
});
export type HistoryRow = Static<typeof HistoryRow>;

export const HistoryPage = CursorPageOf(HistoryRow);
export type HistoryPage = Static<typeof HistoryPage>;
