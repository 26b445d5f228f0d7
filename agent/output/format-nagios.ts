// Output for Nagios, Icinga, Naemon and anything else speaking the monitoring-plugin protocol
// (https://nagios-plugins.org/doc/guidelines.html): one status line with performance data after
// a `|`, long output on the following lines, and the state as the exit code. Our own wording is
// ASCII (no arrows or dashes that NRPE and old web UIs mangle), and host-derived text is freed of
// `|` (which would start performance data) and of newlines and control characters.
import type { ScanReport } from '../../shared/scan-report.js';
import {
  listToDo,
  orderedRebootReasons,
  type ToDoGroup,
  type ToDoItem,
  type ToDoKind,
} from './list-to-do.js';
import { printable } from './printable.js';
import { countNoun, describePackage, describePids } from './wording.js';

export type NagiosState = 0 | 1 | 2 | 3;

export const NAGIOS_STATE = Object.freeze({ ok: 0, warning: 1, critical: 2, unknown: 3 } as const);

const STATE_NAME: Readonly<Record<NagiosState, string>> = {
  0: 'OK',
  1: 'WARNING',
  2: 'CRITICAL',
  3: 'UNKNOWN',
};

/** Long output stops here: NRPE truncates large outputs, and nobody reads line 500 in a web UI. */
export const MAX_LONG_OUTPUT_LINES = 50;

const LONG_OUTPUT_VERB: Readonly<Record<ToDoKind, string>> = {
  reboot: 'Reboot',
  pid1: 'Re-execute',
  services: 'Restart service',
  'user-services': 'Restart user service',
  'user-managers': 'Re-execute user manager',
  containers: 'Restart container',
  sessions: 'Log out',
  processes: 'Restart by hand',
};

/**
 * The plugin output and its exit code: 0 OK (nothing to do), 1 WARNING (restarts needed),
 * 2 CRITICAL (reboot required), 3 UNKNOWN (not one process could be read, so "nothing to
 * restart" would be a guess). A required reboot is known without reading any process, so
 * CRITICAL wins over UNKNOWN.
 */
export function formatNagios(report: ScanReport): { text: string; exitCode: NagiosState } {
  const groups = listToDo(report);
  const exitCode = stateOf(report);
  const summary = summarize(report, groups);
  const first = `AFTERPATCH ${STATE_NAME[exitCode]} - ${safe(summary)} | ${perfdata(report)}`;
  return { text: `${[first, ...longOutput(report, groups)].join('\n')}\n`, exitCode };
}

function stateOf(report: ScanReport): NagiosState {
  if (report.status === 'reboot') return NAGIOS_STATE.critical;
  if (allUnreadable(report)) return NAGIOS_STATE.unknown;
  if (report.status === 'restart') return NAGIOS_STATE.warning;
  return NAGIOS_STATE.ok;
}

function allUnreadable(report: ScanReport): boolean {
  return report.scan.processesScanned === 0 && report.unreadable.length > 0;
}

function summarize(report: ScanReport, groups: readonly ToDoGroup[]): string {
  const { actions } = report;
  const blind = allUnreadable(report);
  const parts: string[] = [];
  if (report.status === 'reboot') parts.push(`reboot required${rebootDetail(report)}`);
  if (blind) {
    parts.push(
      `could not read any of ${countNoun(report.unreadable.length, 'process', 'processes')} (run as root)`,
    );
  }
  if (actions.pid1Reexec) parts.push('systemd (PID 1) to re-execute');
  if (actions.services.length > 0) {
    const denied = actions.services.filter((s) => s.denied).length;
    const services = `${countNoun(actions.services.length, 'service', 'services')} to restart`;
    parts.push(denied > 0 ? `${services} (${denied} on the deny list)` : services);
  }
  if (actions.userServices.length > 0) {
    parts.push(`${countNoun(actions.userServices.length, 'user service', 'user services')} to restart`);
  }
  if (actions.userManagers.length > 0) {
    parts.push(`${countNoun(actions.userManagers.length, 'user manager', 'user managers')} to re-execute`);
  }
  if (actions.containers.length > 0) {
    parts.push(`${countNoun(actions.containers.length, 'container', 'containers')} to restart`);
  }
  if (actions.sessions.length > 0) {
    parts.push(`${countNoun(actions.sessions.length, 'session', 'sessions')} to log out`);
  }
  if (actions.processes.length > 0) {
    parts.push(`${countNoun(actions.processes.length, 'process', 'processes')} to restart by hand`);
  }
  if (report.status === 'restart' && groups.length === 0) parts.push('restart needed');
  if (report.status === 'ok' && !blind) parts.unshift('nothing to restart, no reboot needed');
  if (report.unreadable.length > 0 && !blind) {
    parts.push(`${countNoun(report.unreadable.length, 'process', 'processes')} unreadable`);
  }
  return parts.join('; ');
}

function rebootDetail(report: ScanReport): string {
  const details = orderedRebootReasons(report).map((reason) => {
    switch (reason.code) {
      case 'kernel-newer-installed':
        return report.kernel.newestInstalled
          ? `kernel ${report.kernel.runningRelease} -> ${report.kernel.newestInstalled}`
          : 'newer kernel installed';
      case 'kernel-rebuilt':
        return 'kernel rebuilt';
      case 'kernel-modules-missing':
        return 'kernel modules missing';
      case 'reboot-required-file':
        return 'reboot-required flag';
      case 'core-package-updated':
        return reason.packages?.length
          ? `core packages ${reason.packages.join(', ')}`
          : 'core package updated';
      case 'microcode-newer':
        return 'newer CPU microcode';
    }
    return reason.code;
  });
  const unique = [...new Set(details)];
  return unique.length > 0 ? ` (${unique.join(', ')})` : '';
}

function perfdata(report: ScanReport): string {
  const { actions } = report;
  const seconds = String(Number((report.scan.durationMs / 1000).toFixed(3)));
  return [
    `reboot=${report.reboot.required || report.status === 'reboot' ? 1 : 0};;;0;1`,
    `services=${actions.services.length};;;0`,
    `containers=${actions.containers.length};;;0`,
    `sessions=${actions.sessions.length};;;0`,
    `processes=${report.processes.length};;;0`,
    `unreadable=${report.unreadable.length};;;0`,
    `duration=${seconds}s`,
  ].join(' ');
}

function longOutput(report: ScanReport, groups: readonly ToDoGroup[]): string[] {
  const lines = groups.flatMap((group) =>
    group.items.map((item) => `${LONG_OUTPUT_VERB[group.kind]}: ${safe(describeItem(item))}`),
  );
  if (report.unreadable.length > 0) {
    lines.push(`Unreadable: ${describePids(report.unreadable.map((u) => u.pid))}`);
  }
  for (const warning of report.warnings) lines.push(`Warning: ${safe(warning)}`);
  if (lines.length <= MAX_LONG_OUTPUT_LINES) return lines;
  const shown = lines.slice(0, MAX_LONG_OUTPUT_LINES - 1);
  return [...shown, `... and ${lines.length - shown.length} more lines (afterpatch scan --json)`];
}

function describeItem(item: ToDoItem): string {
  let text = item.target;
  if (item.facts.length > 0) text += ` (${item.facts.join(', ')})`;
  if (item.packages.length > 0) text += ` - ${item.packages.map((p) => describePackage(p, '->')).join(', ')}`;
  if (item.note) text += ` [${item.note}]`;
  return text;
}

/** Host-derived text made safe for one plugin output line. */
function safe(text: string): string {
  return printable(text).replaceAll('|', '/');
}
