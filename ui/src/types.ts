// The API's answers as the UI uses them (the OpenAPI document at /docs/json is the reference).
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

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

export interface Counts {
  hosts: number;
  online: number;
  needRestart: number;
  needReboot: number;
  oldestStaleSince: string | null;
}
export interface FleetSummary extends Counts {
  unknown: number;
  byLabel: Array<Counts & { key: string; value: string }>;
}

export interface StalePackage {
  name: string;
  hosts: number;
  processes: number;
  installedVersions: string[];
  previousVersions: string[];
}
export interface PackageHost {
  hostId: string;
  hostname: string;
  online: boolean;
  status: HostStatus;
  installedVersion: string | null;
  previousVersion: string | null;
  processCount: number;
  files: string[];
}

export interface TimelinePoint {
  at: string;
  ok: number;
  restart: number;
  reboot: number;
  unknown: number;
}

interface PackageRef {
  name: string;
  source?: string;
  installedVersion?: string;
  previousVersion?: string;
}
export interface StaleFile {
  path: string;
  kind: string;
  reason: string;
  detail: string;
  package?: PackageRef;
}
export interface StaleProcess {
  pid: number;
  ppid: number;
  uid?: number;
  comm: string;
  exe: string;
  cmdline: string[];
  startedAt: string;
  inContainer: boolean;
  attribution: {
    kind: string;
    unit?: string;
    uid?: number;
    session?: string;
    runtime?: string;
    containerId?: string;
    podUid?: string;
  };
  files: StaleFile[];
}
export interface ScanReport {
  host: { hostname: string; os?: string; bootTime: string; packageManager: string };
  scan: { startedAt: string; durationMs: number; processesScanned: number };
  status: HostStatus;
  kernel: { runningRelease: string; newestInstalled?: string };
  reboot: { required: boolean; reasons: Array<{ code: string; message: string; packages?: string[] }> };
  processes: StaleProcess[];
  actions: {
    services: Array<{ unit: string; pids: number[]; packages: string[]; denied: boolean }>;
    userServices: Array<{ unit: string; uid: number; pids: number[]; packages: string[] }>;
    userManagers: Array<{ uid: number; pids: number[]; packages: string[] }>;
    pid1Reexec: boolean;
    containers: Array<{ runtime: string; id: string; podUid?: string; pids: number[]; packages: string[] }>;
    sessions: Array<{ session: string; uid?: number; pids: number[]; packages: string[] }>;
    processes: Array<{ pid: number; comm: string; unit?: string; packages: string[] }>;
  };
  packages: Array<{
    name: string;
    installedVersion?: string;
    previousVersion?: string;
    files: string[];
    pids: number[];
  }>;
  unreadable: unknown[];
  warnings: string[];
}
export interface HostDetail extends HostSummary {
  machineId: string | null;
  bootId: string | null;
  reportSeq: number;
  report: ScanReport | null;
}
export interface HistoryRow {
  id: string;
  at: string;
  status: HostStatus;
  reportHash: string;
  summary: {
    staleProcesses?: number;
    servicesToRestart?: number;
    containersToRestart?: number;
    sessions?: number;
    stalePackages?: number;
    rebootRequired?: boolean;
  };
}

export interface AuditEvent {
  id: string;
  at: string;
  actorType: string;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  details: Record<string, unknown>;
}
