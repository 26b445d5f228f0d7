// Metrics for node_exporter's textfile collector: the agent writes this to
// <dir>/afterpatch.prom (atomically, via a temp file and rename) and node_exporter serves it.
// Text exposition format 0.0.4: every family has HELP and TYPE, families are contiguous, no
// sample timestamps (the collector rejects them), label values escaped. Series are sorted so
// that two scans of an unchanged host produce identical files.

import { compareNatural } from '../../shared/compare-natural.js';
import type { ScanReport } from '../../shared/scan-report.js';

type Labels = ReadonlyArray<readonly [name: string, value: string]>;

interface Family {
  name: string;
  help: string;
  samples: Array<{ labels: Labels; value: number }>;
}

/** The scan as Prometheus text exposition format, ending with a newline. */
export function formatPrometheus(report: ScanReport): string {
  const families: Family[] = [
    {
      name: 'afterpatch_reboot_required',
      help: 'Whether the host must reboot to run its updated kernel or core packages (1) or not (0).',
      samples: [{ labels: [], value: report.reboot.required || report.status === 'reboot' ? 1 : 0 }],
    },
    {
      name: 'afterpatch_reboot_reason',
      help: 'One series with value 1 per reason the host must reboot.',
      samples: [...new Set(report.reboot.reasons.map((r) => r.code))]
        .sort(compareNatural)
        .map((code) => ({ labels: [['code', code]], value: 1 })),
    },
    {
      name: 'afterpatch_stale_processes',
      help: 'Processes still running code that was replaced or deleted on disk.',
      samples: [{ labels: [], value: report.processes.length }],
    },
    {
      name: 'afterpatch_restart_required',
      help: 'One series with value 1 per thing to restart, re-execute or log out, by kind.',
      samples: restartSamples(report),
    },
    {
      name: 'afterpatch_stale_package',
      help: 'Processes running code left behind by each updated package.',
      samples: packageSamples(report),
    },
    {
      name: 'afterpatch_scanned_processes',
      help: 'Processes whose memory maps were read.',
      samples: [{ labels: [], value: report.scan.processesScanned }],
    },
    {
      name: 'afterpatch_unreadable_processes',
      help: 'Processes that could not be read (permissions): the scan says nothing about them.',
      samples: [{ labels: [], value: report.unreadable.length }],
    },
    {
      name: 'afterpatch_scan_duration_seconds',
      help: 'How long the scan took.',
      samples: [{ labels: [], value: report.scan.durationMs / 1000 }],
    },
    {
      name: 'afterpatch_last_scan_timestamp_seconds',
      help: 'When the scan started, in seconds since the Unix epoch.',
      samples: finite(Date.parse(report.scan.startedAt) / 1000),
    },
    {
      name: 'afterpatch_kernel_info',
      help: 'The running kernel release and the newest installed one (empty when unknown).',
      samples: [
        {
          labels: [
            ['running', report.kernel.runningRelease],
            ['newest', report.kernel.newestInstalled ?? ''],
          ],
          value: 1,
        },
      ],
    },
  ];
  return families.map(renderFamily).join('');
}

function restartSamples(report: ScanReport): Family['samples'] {
  const { actions } = report;
  const series: Labels[] = [];
  if (actions.pid1Reexec) series.push([['kind', 'pid1']]);
  for (const s of actions.services)
    series.push([
      ['kind', 'service'],
      ['unit', s.unit],
    ]);
  // uid is part of the identity: two users can each run pipewire.service.
  for (const s of actions.userServices) {
    series.push([
      ['kind', 'user-service'],
      ['unit', s.unit],
      ['uid', String(s.uid)],
    ]);
  }
  for (const m of actions.userManagers) {
    series.push([
      ['kind', 'user-manager'],
      ['unit', `user@${m.uid}.service`],
      ['uid', String(m.uid)],
    ]);
  }
  for (const c of actions.containers)
    series.push([
      ['kind', 'container'],
      ['runtime', c.runtime],
      ['id', c.id],
    ]);
  for (const s of actions.sessions) {
    const uid = s.uid === undefined ? [] : [['uid', String(s.uid)] as const];
    series.push([['kind', 'session'], ['session', s.session], ...uid]);
  }
  return unique(series.map((labels) => ({ labels, value: 1 })));
}

function packageSamples(report: ScanReport): Family['samples'] {
  const samples = report.packages.map((pkg) => ({
    labels: [
      ['name', pkg.name],
      ['installed_version', pkg.installedVersion ?? ''],
      ['previous_version', pkg.previousVersion ?? ''],
    ] as Labels,
    value: new Set(pkg.pids).size,
  }));
  return unique(samples, (a, b) => a + b);
}

/**
 * Sorted, with one sample per label set: a duplicate series makes node_exporter reject the whole
 * file. Duplicates are merged with `merge` (default: keep the first).
 */
function unique(samples: Family['samples'], merge = (a: number, _b: number) => a): Family['samples'] {
  const byKey = new Map<string, Family['samples'][number]>();
  for (const sample of samples) {
    const key = renderLabels(sample.labels);
    const seen = byKey.get(key);
    byKey.set(key, seen ? { labels: seen.labels, value: merge(seen.value, sample.value) } : sample);
  }
  return [...byKey.entries()].sort(([a], [b]) => compareNatural(a, b)).map(([, sample]) => sample);
}

function finite(value: number): Family['samples'] {
  return Number.isFinite(value) ? [{ labels: [], value }] : [];
}

function renderFamily(family: Family): string {
  let text = `# HELP ${family.name} ${escapeHelp(family.help)}\n# TYPE ${family.name} gauge\n`;
  for (const sample of family.samples) {
    text += `${family.name}${renderLabels(sample.labels)} ${renderValue(sample.value)}\n`;
  }
  return text;
}

function renderLabels(labels: Labels): string {
  if (labels.length === 0) return '';
  return `{${labels.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',')}}`;
}

/** Label values escape backslash, double quote and line feed; everything else is plain UTF-8. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (char) => (char === '\n' ? '\\n' : `\\${char}`));
}

/** HELP text escapes only backslash and line feed. */
function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (char) => (char === '\n' ? '\\n' : '\\\\'));
}

function renderValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}
