// The counts the fleet overview shows for a report, kept on the host row and in each history row
// so lists and charts never parse whole reports.
import type { ScanReport } from '../../shared/scan-report.js';

export interface ReportSummary {
  status: ScanReport['status'];
  staleProcesses: number;
  servicesToRestart: number;
  containersToRestart: number;
  sessions: number;
  rebootRequired: boolean;
  stalePackages: number;
}

export function summarizeReport(report: ScanReport): ReportSummary {
  const a = report.actions;
  return {
    status: report.status,
    staleProcesses: report.processes.length,
    // System and user services both need a restart by an operator or a rollout.
    servicesToRestart:
      a.services.length + a.userServices.length + a.userManagers.length + (a.pid1Reexec ? 1 : 0),
    containersToRestart: a.containers.length,
    sessions: a.sessions.length,
    rebootRequired: report.reboot.required,
    stalePackages: report.packages.length,
  };
}
