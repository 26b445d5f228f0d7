// The API's answers as the UI uses them: the types of the schemas the server answers with
// (shared/api/), imported as types only so that the bundle carries no TypeBox code. Where the
// UI knows more than a route's schema says, the type is narrowed here, with the reason.
import type { PackageHost as FleetPackageHost } from '../../shared/api/fleet.js';
import type {
  HostDetail as HostDetailAnswer,
  HistoryRow as HostHistoryRow,
  HostStatus,
} from '../../shared/api/hosts.js';
import type { ScanReport } from '../../shared/scan-report.js';

export type { AuditEvent } from '../../shared/api/audit.js';
export type { FleetPackage, FleetSummary, TimelinePoint } from '../../shared/api/fleet.js';
export type { HostStatus, HostSummary } from '../../shared/api/hosts.js';
export type { CursorPage, Page } from '../../shared/api/pages.js';
export type { ScanReport, StaleProcess } from '../../shared/scan-report.js';

// The route's schema says "an object" (the report is stored as the agent sent it): a ScanReport.
export type HostDetail = Omit<HostDetailAnswer, 'report'> & { report: ScanReport | null };

// The route's schema says "an object": it holds the counts of server/agents/summarize-report.ts.
export type HistoryRow = Omit<HostHistoryRow, 'summary'> & {
  summary: {
    staleProcesses?: number;
    servicesToRestart?: number;
    containersToRestart?: number;
    sessions?: number;
    stalePackages?: number;
    rebootRequired?: boolean;
  };
};

// The route's schema says a string: it is the host's status column.
export type PackageHost = Omit<FleetPackageHost, 'status'> & { status: HostStatus };
