// The PIDs an afterpatch scan report lists as stale, and those among them that were flagged for
// one particular file (the benchmark's replaced library), parsed from `scan --json` output.
import type { ScanReport } from '../../shared/scan-report.js';

export interface AfterpatchFindings {
  /** Every PID in report.processes. */
  readonly pids: readonly number[];
  /** PIDs with `path` among their stale files. */
  readonly pidsWithFile: readonly number[];
  readonly processesSeen: number;
  readonly status: string;
}

/** Throws when `json` is not a scan report (a crashed or truncated run must not count). */
export function parseAfterpatchReport(json: string, path: string): AfterpatchFindings {
  const report = JSON.parse(json) as ScanReport;
  if (!Array.isArray(report?.processes) || typeof report.scan?.processesSeen !== 'number') {
    throw new Error('not a scan report: no processes[] or scan.processesSeen');
  }
  return findingsOf(report, path);
}

export function findingsOf(report: ScanReport, path: string): AfterpatchFindings {
  return {
    pids: report.processes.map((p) => p.pid),
    pidsWithFile: report.processes.filter((p) => p.files.some((f) => f.path === path)).map((p) => p.pid),
    processesSeen: report.scan.processesSeen,
    status: report.status,
  };
}
