// The stale-host benchmark's results as Markdown, printed at the end of a run and pasted into
// BENCHMARKS.md: machine, wall times side by side, what each tool found, peak RSS, rescans and
// the targets with PASS/FAIL.
import { assessTargets } from './assess-targets.js';
import { formatKib, formatMs } from './format-ms.js';
import type { StaleHostResults, ToolResult, Verdict } from './stale-host-results.js';

export function formatStaleHostResults(results: StaleHostResults): string {
  const { host, options } = results;
  const packages = Object.entries(host.packages)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  const lines: string[] = [
    `## scan-stale-host, ${results.startedAt}`,
    '',
    `Machine: ${host.nproc} CPUs (${host.cpuModel}), ${host.memTotalMiB} MiB RAM, Linux ${host.kernelRelease}, ` +
      `${host.os}, Node ${host.node}, afterpatch ${host.afterpatch}; ${packages}.`,
    `Code: commit ${results.code.commit.slice(0, 12)}` +
      (results.code.changedFiles > 0 ? ` with ${results.code.changedFiles} changed files` : '') +
      '.',
    `Holders: ${results.holderPids} processes mapping ${results.library}, parent ${holderParentText(options.holderParent)}; ` +
      `runs ${options.runs} (needrestart ${options.needrestartRuns}), warm-up ${options.warmup}, rescans ${options.rescans}.`,
    '',
    '### Whole command, wall time',
    '',
    row(['Tool', 'Case', 'Median', 'Min', 'Max', 'Runs', 'Holders found', 'Other PIDs', 'Processes on host']),
    row(Array(9).fill('---')),
    ...results.tools.map(toolRow),
    '',
    'Commands:',
    ...uniqueCommands(results.tools).map((c) => `- \`${c}\``),
    '',
  ];
  if (results.peakRss.length > 0) {
    lines.push(
      '### afterpatch scan --json, peak RSS',
      '',
      row(['Command', 'Case', 'Median', 'Min', 'Max', 'Runs', 'Method', 'Processes on host']),
      row(Array(8).fill('---')),
      ...results.peakRss.map((r) =>
        row([
          `afterpatch scan --json${r.variant ? ` ${r.variant}` : ''}`,
          r.case,
          formatKib(r.kib.median),
          formatKib(r.kib.min),
          formatKib(r.kib.max),
          String(r.kib.n),
          r.method,
          range(r.processesOnHost),
        ]),
      ),
      '',
    );
  }
  if (results.rescans.length > 0) {
    lines.push(
      '### In-process rescan: scanHost() repeated in one Node process',
      '',
      row([
        'Case',
        'Median',
        'Min',
        'Max',
        'Scans',
        'First scan',
        'Holders found',
        'Processes seen',
        'RSS after',
      ]),
      row(Array(9).fill('---')),
      ...results.rescans.map((r) =>
        row([
          r.variant ? `${r.case} (${r.variant})` : r.case,
          formatMs(r.ms.median),
          formatMs(r.ms.min),
          formatMs(r.ms.max),
          String(r.ms.n),
          formatMs(r.warmup.ms),
          foundCell(r.verdict),
          range(r.processesOnHost),
          formatKib(r.memory.rssKib),
        ]),
      ),
      '',
    );
  }
  if (results.census.length > 0) {
    lines.push(
      'The host (other interpreter processes, whose scripts the scanner reads; load: other activity):',
      '',
    );
    for (const { when, census } of results.census) {
      const kinds = Object.entries(census.interpreters)
        .map(([kind, n]) => `${n} ${kind}`)
        .join(', ');
      const load = census.loadAverage.map((l) => l.toFixed(2)).join(' ');
      lines.push(`- ${when}: ${census.processes} processes; interpreters: ${kinds || 'none'}; load ${load}`);
    }
    // The census leaves out the benchmark and its parents: any interpreter counted is someone else's.
    const foreign = Math.max(...results.census.map((c) => sum(Object.values(c.census.interpreters))));
    if (foreign > 0) {
      lines.push(
        '',
        `**Note:** up to ${foreign} interpreter processes besides this benchmark were running. afterpatch ` +
          'reads the scripts and modules of every interpreter process, so its figures include that work ' +
          '(compare with the --no-scripts rows); rerun on an idle machine for comparable figures.',
      );
    }
    lines.push('');
  }
  if (results.failures.length > 0) {
    lines.push(
      '### Failed measurements',
      '',
      ...results.failures.map((f) => `- ${f.split('\n')[0]!.slice(0, 300)}`),
      '',
    );
  }
  lines.push('### Targets', '', row(['Target', 'Figure', 'Result']), row(['---', '---', '---']));
  for (const check of assessTargets(results)) {
    lines.push(row([check.target, check.figure, check.pass === null ? 'n/a' : check.pass ? 'PASS' : 'FAIL']));
  }
  lines.push('');
  return lines.join('\n');
}

function holderParentText(parent: StaleHostResults['options']['holderParent']): string {
  return parent === 'init' ? 'PID 1 (detached, like services)' : 'the benchmark process';
}

function toolRow(t: ToolResult): string {
  const m = t.measurement;
  if (m === undefined) {
    const why = (t.reason ?? '').split('\n')[0]!.slice(0, 120);
    return row([toolName(t), t.case, `${t.status}: ${why}`, '', '', '', '', '', '']);
  }
  return row([
    toolName(t),
    t.case,
    formatMs(m.wallMs.median),
    formatMs(m.wallMs.min),
    formatMs(m.wallMs.max),
    String(m.wallMs.n),
    t.verdict ? foundCell(t.verdict) : '?',
    t.verdict ? String(t.verdict.others.length) : '?',
    range(m.processesOnHost),
  ]);
}

function toolName(t: ToolResult): string {
  return t.variant ? `${t.tool} ${t.variant}` : t.tool;
}

function foundCell(v: Verdict): string {
  const count =
    v.holdersFound === v.largestHoldersFound || v.largestHoldersFound === null
      ? `${v.holdersFound ?? '?'}`
      : `${v.holdersFound}-${v.largestHoldersFound}`;
  const mark = v.ok ? '' : ' **NOT OK**';
  return `${count}/${v.expectedHolders}${mark}${v.note ? ` (${v.note})` : ''}`;
}

function uniqueCommands(tools: readonly ToolResult[]): string[] {
  const seen = new Set<string>();
  for (const t of tools) {
    if (t.measurement) seen.add(t.measurement.command.join(' '));
    if (t.pidCheck) seen.add(`${t.pidCheck.command.join(' ')} (once per case, untimed, to list its PIDs)`);
  }
  return [...seen];
}

function range(r: { min: number; max: number }): string {
  return r.min === r.max ? String(r.min) : `${r.min}-${r.max}`;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function row(cells: readonly string[]): string {
  return `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
}
