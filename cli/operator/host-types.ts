// The shapes of the server's host answers that the CLI reads (server/routes/hosts.ts is the
// reference; the OpenAPI document at /docs/json has every field).
import type { ScanReport } from '../../shared/scan-report.js';

export type HostStatus = 'ok' | 'restart' | 'reboot' | 'unknown';

export interface HostSummary {
  id: string;
  hostname: string;
  labels: Record<string, string>;
  online: boolean;
  status: HostStatus;
  lastSeenAt: string | null;
  reportedAt: string | null;
  staleSince: string | null;
  staleProcesses: number;
  servicesToRestart: number;
  containersToRestart: number;
  sessions: number;
  rebootRequired: boolean;
  kernelRelease: string | null;
  agentVersion: string | null;
  enrolledAt: string;
  revokedAt: string | null;
}

export interface HostDetail extends HostSummary {
  machineId: string | null;
  bootId: string | null;
  reportSeq: number;
  report: ScanReport | null;
}

export interface HostPage {
  items: HostSummary[];
  page: number;
  pageSize: number;
  total: number;
}

export const HOST_STATUSES: readonly HostStatus[] = ['ok', 'restart', 'reboot', 'unknown'];
