// The process exit status of `afterpatch scan`, so that scripts and cron jobs can branch on the
// outcome without parsing output. 64 and 70 are sysexits.h's EX_USAGE and EX_SOFTWARE, kept
// clear of 0–2 so that a bad flag or a crash is never read as "restart needed" or "reboot".
// docs/scan-report.md lists the same table; a test keeps the two in step.
import type { HostStatus, ScanReport } from '../../shared/scan-report.js';

export const EXIT_CODES = Object.freeze({
  ok: 0,
  restart: 1,
  reboot: 2,
  usage: 64,
  internal: 70,
} as const);

const EXIT_CODE_BY_STATUS: Readonly<Record<HostStatus, number>> = Object.freeze({
  ok: EXIT_CODES.ok,
  restart: EXIT_CODES.restart,
  reboot: EXIT_CODES.reboot,
});

/** The exit status for a finished scan: 0 nothing to do, 1 restarts needed, 2 reboot required. */
export function exitCodeFor(report: ScanReport): number {
  return EXIT_CODE_BY_STATUS[report.status];
}
