// What a person has to do about a scan, grouped by the fix and ordered most disruptive first:
// reboot, re-exec PID 1, restart units, containers, end sessions, restart by hand. The text and
// Nagios outputs both render this list, so they can never disagree about what is needed.
// Within a group the order is fixed by sorting, not by the order the scanner found things in.
// Strings here may come from the scanned host: renderers must pass them through printable().

import { compareNatural } from '../../shared/compare-natural.js';
import type { RebootReason, RebootReasonCode, ScanReport, StaleProcess } from '../../shared/scan-report.js';
import { describePids, type PackageChange, shortContainerId } from './wording.js';

export type ToDoKind =
  | 'reboot'
  | 'pid1'
  | 'services'
  | 'user-services'
  | 'user-managers'
  | 'containers'
  | 'sessions'
  | 'processes';

export interface ToDoItem {
  /** What to act on: `nginx.service`, `docker 3f4e5a6b7c8d`, `session 4`, or a reboot reason's message. */
  target: string;
  /** Short facts shown in parentheses after the target: uid, pids, pod, unit. */
  facts: string[];
  /** The packages whose update made this necessary, with versions where the report has them. */
  packages: PackageChange[];
  /** The stale processes behind the item (empty for reboot reasons). */
  pids: number[];
  /** A warning that changes what to do, e.g. that the unit is on the deny list. */
  note?: string;
}

export interface ToDoGroup {
  kind: ToDoKind;
  /** Heading in the text output. */
  title: string;
  items: ToDoItem[];
}

export const DENIED_NOTE = 'not restarted automatically (deny list)';

// The schema's order: kernel reasons first, the generic reboot-required flag last.
const REASON_ORDER: readonly RebootReasonCode[] = [
  'kernel-newer-installed',
  'kernel-rebuilt',
  'kernel-modules-missing',
  'reboot-required-file',
  'core-package-updated',
  'microcode-newer',
];

/** The report's reboot reasons in a fixed order: kernel first, whatever order the agent found them in. */
export function orderedRebootReasons(report: ScanReport): RebootReason[] {
  // sort() is stable: reasons with the same code keep the agent's order.
  return [...report.reboot.reasons].sort(
    (a, b) => REASON_ORDER.indexOf(a.code) - REASON_ORDER.indexOf(b.code),
  );
}

/** The non-empty groups of things to do, most disruptive first. Empty when nothing is needed. */
export function listToDo(report: ScanReport): ToDoGroup[] {
  const packageOf = packageLookup(report);
  const changes = (names: readonly string[]): PackageChange[] =>
    [...new Set(names)].sort(compareNatural).map(packageOf);
  const { actions } = report;
  const groups: ToDoGroup[] = [];
  const add = (kind: ToDoKind, title: string, items: ToDoItem[]): void => {
    if (items.length > 0) groups.push({ kind, title, items });
  };

  add(
    'reboot',
    'Reboot required',
    orderedRebootReasons(report).map((reason) => ({
      target: reason.message,
      facts: [],
      packages: changes(reason.packages ?? []),
      pids: [],
    })),
  );
  // A report can say a reboot is required without giving a reason (an older or foreign agent):
  // the heading must still appear.
  if (report.reboot.required && report.reboot.reasons.length === 0) {
    add('reboot', 'Reboot required', [{ target: 'no reason given', facts: [], packages: [], pids: [] }]);
  }

  if (actions.pid1Reexec) {
    const pid1 = report.processes.filter((p) => p.attribution.kind === 'pid1');
    const pids = pid1.length > 0 ? pid1.map((p) => p.pid) : [1];
    add('pid1', 'Re-execute systemd (PID 1)', [
      {
        target: 'systemctl daemon-reexec',
        facts: pidFacts(pids),
        packages: changes(packageNames(pid1)),
        pids,
      },
    ]);
  }

  add(
    'services',
    'Restart services',
    [...actions.services]
      .sort((a, b) => compareNatural(a.unit, b.unit))
      .map((s) => ({
        target: s.unit,
        facts: pidFacts(s.pids),
        packages: changes(s.packages),
        pids: s.pids,
        ...(s.denied ? { note: DENIED_NOTE } : {}),
      })),
  );

  add(
    'user-services',
    'Restart user services',
    [...actions.userServices]
      .sort((a, b) => a.uid - b.uid || compareNatural(a.unit, b.unit))
      .map((s) => ({
        target: s.unit,
        facts: [`uid ${s.uid}`, ...pidFacts(s.pids)],
        packages: changes(s.packages),
        pids: s.pids,
      })),
  );

  add(
    'user-managers',
    'Re-execute user managers',
    [...actions.userManagers]
      .sort((a, b) => a.uid - b.uid)
      .map((m) => ({
        target: `user@${m.uid}.service`,
        facts: [`uid ${m.uid}`, ...pidFacts(m.pids)],
        packages: changes(m.packages),
        pids: m.pids,
      })),
  );

  add(
    'containers',
    'Restart containers',
    [...actions.containers]
      .sort((a, b) => compareNatural(a.runtime, b.runtime) || compareNatural(a.id, b.id))
      .map((c) => ({
        target: `${c.runtime} ${shortContainerId(c.id)}`,
        facts: [...(c.podUid ? [`pod ${c.podUid}`] : []), ...pidFacts(c.pids)],
        packages: changes(c.packages),
        pids: c.pids,
      })),
  );

  add(
    'sessions',
    'Sessions that must log out',
    [...actions.sessions]
      .sort((a, b) => compareNatural(a.session, b.session))
      .map((s) => ({
        target: `session ${s.session}`,
        facts: [...(s.uid === undefined ? [] : [`uid ${s.uid}`]), ...pidFacts(s.pids)],
        packages: changes(s.packages),
        pids: s.pids,
      })),
  );

  add(
    'processes',
    'Processes to restart by hand',
    [...actions.processes]
      .sort((a, b) => a.pid - b.pid)
      .map((p) => ({
        target: p.comm,
        facts: [`pid ${p.pid}`, ...(p.unit ? [p.unit] : [])],
        packages: changes(p.packages),
        pids: [p.pid],
      })),
  );

  return groups;
}

function pidFacts(pids: readonly number[]): string[] {
  const text = describePids(pids);
  return text ? [text] : [];
}

function packageNames(processes: readonly StaleProcess[]): string[] {
  return processes.flatMap((p) => p.files.flatMap((f) => (f.package ? [f.package.name] : [])));
}

/** Actions name packages only; the versions live in report.packages. */
function packageLookup(report: ScanReport): (name: string) => PackageChange {
  const byName = new Map<string, PackageChange>();
  for (const pkg of report.packages) {
    // Several entries can share a name (multi-arch): keep the first, the order the agent chose.
    if (!byName.has(pkg.name)) byName.set(pkg.name, pkg);
  }
  return (name) => {
    const pkg = byName.get(name);
    return { name, previousVersion: pkg?.previousVersion, installedVersion: pkg?.installedVersion };
  };
}
