// The human summary `afterpatch scan` prints on a terminal: what to do, most disruptive first,
// then which packages left stale code behind, then anything the scan could not see. It must
// never look clean when processes could not be read. Pure: colour and verbosity are decided by
// the caller (TTY, NO_COLOR, flags), not here.

import { compareNatural } from '../../shared/compare-natural.js';
import type { ScanReport, StaleProcess } from '../../shared/scan-report.js';
import { listToDo, type ToDoGroup, type ToDoItem } from './list-to-do.js';
import { printable } from './printable.js';
import { countNoun, describeDuration, describePackage } from './wording.js';

export interface TextOptions {
  /** Wrap headings and warnings in ANSI colour codes. */
  color: boolean;
  /** Under each item, list its processes with their stale files and why each is stale. */
  verbose: boolean;
}

const ARROW = '→';
const DASH = '—';

type Paint = (text: string) => string;
interface Palette {
  reboot: Paint;
  heading: Paint;
  section: Paint;
  good: Paint;
  warn: Paint;
  dim: Paint;
}

function palette(color: boolean): Palette {
  const sgr =
    (codes: string): Paint =>
    (text) =>
      color ? `\x1b[${codes}m${text}\x1b[0m` : text;
  return {
    reboot: sgr('1;31'),
    heading: sgr('1;33'),
    section: sgr('1'),
    good: sgr('32'),
    warn: sgr('33'),
    dim: sgr('2'),
  };
}

/** The readable summary of a scan, ending with a newline. */
export function formatText(report: ScanReport, options: TextOptions): string {
  const paint = palette(options.color);
  const processByPid = new Map(report.processes.map((p) => [p.pid, p]));
  const blocks: string[][] = [];

  const groups = listToDo(report);
  for (const group of groups) {
    blocks.push(renderGroup(group, paint, options.verbose ? processByPid : undefined));
  }
  if (groups.length === 0) blocks.push([nothingToDo(report, paint)]);
  if (report.packages.length > 0) blocks.push(renderPackages(report, paint, options.verbose));
  blocks.push(renderFooter(report, paint, options.verbose));

  return `${blocks.map((lines) => lines.join('\n')).join('\n\n')}\n`;
}

function nothingToDo(report: ScanReport, paint: Palette): string {
  if (report.status !== 'ok') {
    return paint.warn(`Status is "${report.status}", but the report names nothing to do.`);
  }
  // Not one process was read: "nothing to restart" would be a guess, not a finding.
  if (report.scan.processesScanned === 0 && report.unreadable.length > 0) {
    return paint.warn('No reboot needed, but no process could be read: restarts unknown.');
  }
  return paint.good('Nothing to restart, no reboot needed.');
}

function renderGroup(
  group: ToDoGroup,
  paint: Palette,
  processByPid: ReadonlyMap<number, StaleProcess> | undefined,
): string[] {
  const lines = [(group.kind === 'reboot' ? paint.reboot : paint.heading)(group.title)];
  for (const item of group.items) {
    lines.push(`  ${renderItem(item, paint)}`);
    if (processByPid) lines.push(...renderProcesses(item.pids, processByPid));
  }
  return lines;
}

function renderItem(item: ToDoItem, paint: Palette): string {
  let line = printable(item.target);
  if (item.facts.length > 0) line += ` (${printable(item.facts.join(', '))})`;
  if (item.packages.length > 0) {
    line += ` ${DASH} ${printable(item.packages.map((p) => describePackage(p, ARROW)).join(', '))}`;
  }
  if (item.note) line += ` ${DASH} ${paint.warn(item.note)}`;
  return line;
}

function renderProcesses(pids: readonly number[], processByPid: ReadonlyMap<number, StaleProcess>): string[] {
  const lines: string[] = [];
  for (const pid of [...pids].sort((a, b) => a - b)) {
    const process = processByPid.get(pid);
    if (!process) continue;
    lines.push(`    pid ${pid} ${printable(process.comm)}`);
    const files = [...process.files].sort((a, b) => compareNatural(a.path, b.path));
    for (const file of files) {
      const why = file.detail ? `${file.reason}: ${file.detail}` : file.reason;
      lines.push(`      ${printable(file.path)} (${file.kind}, ${printable(why)})`);
    }
  }
  return lines;
}

function renderPackages(report: ScanReport, paint: Palette, verbose: boolean): string[] {
  const lines = [paint.section('Stale packages')];
  const packages = [...report.packages].sort(
    (a, b) =>
      compareNatural(a.name, b.name) || compareNatural(a.installedVersion ?? '', b.installedVersion ?? ''),
  );
  for (const pkg of packages) {
    const processes = countNoun(new Set(pkg.pids).size, 'process', 'processes');
    lines.push(`  ${printable(describePackage(pkg, ARROW))}: ${processes}`);
    if (verbose) {
      for (const path of [...pkg.files].sort(compareNatural)) lines.push(`    ${printable(path)}`);
    }
  }
  return lines;
}

function renderFooter(report: ScanReport, paint: Palette, verbose: boolean): string[] {
  const lines: string[] = [];
  const { unreadable } = report;
  if (unreadable.length > 0) {
    // Permission errors are the common case (not root); other errors would make the hint wrong.
    const permission = unreadable.some((u) => u.error === 'EACCES' || u.error === 'EPERM');
    const processes = countNoun(unreadable.length, 'process', 'processes');
    lines.push(paint.warn(`Could not read ${processes}${permission ? ' (run as root)' : ''}`));
    if (verbose) {
      for (const u of [...unreadable].sort((a, b) => a.pid - b.pid)) {
        lines.push(
          `  pid ${u.pid}${u.comm === undefined ? '' : ` ${printable(u.comm)}`}: ${printable(u.error)}`,
        );
      }
    }
  }
  for (const warning of report.warnings) lines.push(paint.warn(`Warning: ${printable(warning)}`));
  const scanned = countNoun(report.scan.processesScanned, 'process', 'processes');
  lines.push(paint.dim(`Scanned ${scanned} in ${describeDuration(report.scan.durationMs)}`));
  return lines;
}
