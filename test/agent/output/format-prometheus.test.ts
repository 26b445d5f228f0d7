import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatPrometheus } from '../../../agent/output/format-prometheus.js';
import type { ScanReport } from '../../../shared/scan-report.js';
import { docExample } from './docs-examples.js';
import {
  cleanHostReport,
  deniedUnitReport,
  rebootReport,
  SAMPLE_REPORTS,
  servicesReport,
} from './sample-reports.js';

// Text exposition format 0.0.4. Label values: anything but an unescaped backslash, quote or
// newline. No timestamps: node_exporter's textfile collector rejects them.
const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const VALUE = '(?:[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]Inf|NaN)';
const SAMPLE_LINE = new RegExp(`^(${NAME})(\\{${LABEL}(?:,${LABEL})*\\})? (${VALUE})$`);
const HELP_LINE = new RegExp(`^# HELP (${NAME}) (?:[^\\\\\\n]|\\\\[\\\\n])*$`);
const TYPE_LINE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the exposition text, asserting on every line that it is well-formed. */
function parse(text: string): { samples: Sample[]; families: string[] } {
  assert.ok(text.endsWith('\n'), 'ends with a newline');
  const helped = new Set<string>();
  const typed = new Set<string>();
  const families: string[] = [];
  const seenSeries = new Set<string>();
  const samples: Sample[] = [];
  for (const line of text.slice(0, -1).split('\n')) {
    const help = HELP_LINE.exec(line);
    const type = TYPE_LINE.exec(line);
    if (help) {
      const name = help[1]!;
      assert.ok(!helped.has(name), `one HELP for ${name}`);
      assert.ok(!families.includes(name), `family ${name} is contiguous`);
      helped.add(name);
      families.push(name);
      continue;
    }
    if (type) {
      const name = type[1]!;
      assert.equal(families.at(-1), name, `TYPE for ${name} follows its HELP`);
      assert.ok(!typed.has(name), `one TYPE for ${name}`);
      typed.add(name);
      continue;
    }
    const match = SAMPLE_LINE.exec(line);
    assert.ok(match, `well-formed sample line: ${JSON.stringify(line)}`);
    const name = match[1]!;
    assert.equal(families.at(-1), name, `${name} sample sits in its own family, after HELP and TYPE`);
    assert.ok(typed.has(name), `${name} has a TYPE`);
    const series = `${name}${match[2] ?? ''}`;
    assert.ok(!seenSeries.has(series), `series ${series} appears once`);
    seenSeries.add(series);
    samples.push({ name, labels: parseLabels(match[2] ?? ''), value: Number(match[3]) });
  }
  return { samples, families };
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [, name, raw] of text.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
    labels[name!] = raw!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

function find(samples: Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value),
  );
}

function metricValue(
  report: ScanReport,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const found = find(parse(formatPrometheus(report)).samples, name, labels);
  assert.ok(found.length <= 1, `at most one ${name} ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

describe('formatPrometheus', () => {
  test('every sample report gives well-formed output with every family present', () => {
    for (const build of Object.values(SAMPLE_REPORTS)) {
      const { families } = parse(formatPrometheus(build()));
      assert.deepEqual(families, [
        'afterpatch_reboot_required',
        'afterpatch_reboot_reason',
        'afterpatch_stale_processes',
        'afterpatch_restart_required',
        'afterpatch_stale_package',
        'afterpatch_scanned_processes',
        'afterpatch_unreadable_processes',
        'afterpatch_scan_duration_seconds',
        'afterpatch_last_scan_timestamp_seconds',
        'afterpatch_kernel_info',
      ]);
    }
  });

  test('a clean host', () => {
    const { samples } = parse(formatPrometheus(cleanHostReport()));
    assert.deepEqual(find(samples, 'afterpatch_reboot_required'), [
      { name: 'afterpatch_reboot_required', labels: {}, value: 0 },
    ]);
    assert.deepEqual(find(samples, 'afterpatch_reboot_reason'), []);
    assert.deepEqual(find(samples, 'afterpatch_restart_required'), []);
    assert.equal(metricValue(cleanHostReport(), 'afterpatch_stale_processes'), 0);
    assert.equal(metricValue(cleanHostReport(), 'afterpatch_scanned_processes'), 598);
    assert.equal(metricValue(cleanHostReport(), 'afterpatch_scan_duration_seconds'), 0.0317);
    assert.equal(metricValue(cleanHostReport(), 'afterpatch_last_scan_timestamp_seconds'), 1715679000.125);
    assert.deepEqual(find(samples, 'afterpatch_kernel_info'), [
      {
        name: 'afterpatch_kernel_info',
        labels: { running: '6.1.0-21-amd64', newest: '6.1.0-21-amd64' },
        value: 1,
      },
    ]);
  });

  test('restart_required names services, containers and sessions', () => {
    const text = formatPrometheus(servicesReport());
    const restart = text.split('\n').filter((l) => l.startsWith('afterpatch_restart_required'));
    assert.deepEqual(restart, [
      'afterpatch_restart_required{kind="container",runtime="docker",id="3f4e5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081"} 1',
      'afterpatch_restart_required{kind="service",unit="nginx.service"} 1',
      'afterpatch_restart_required{kind="service",unit="ssh.service"} 1',
      'afterpatch_restart_required{kind="session",session="4",uid="1000"} 1',
    ]);
    assert.equal(metricValue(servicesReport(), 'afterpatch_stale_processes'), 7);
  });

  test('restart_required names PID 1, user services and user managers', () => {
    const reboot = parse(formatPrometheus(rebootReport())).samples;
    assert.deepEqual(find(reboot, 'afterpatch_restart_required', { kind: 'user-service' })[0]?.labels, {
      kind: 'user-service',
      unit: 'dbus-broker.service',
      uid: '1000',
    });
    assert.deepEqual(find(reboot, 'afterpatch_restart_required', { kind: 'user-manager' })[0]?.labels, {
      kind: 'user-manager',
      unit: 'user@1000.service',
      uid: '1000',
    });
    const denied = parse(formatPrometheus(deniedUnitReport())).samples;
    assert.equal(find(denied, 'afterpatch_restart_required', { kind: 'pid1' }).length, 1);
    assert.equal(find(denied, 'afterpatch_restart_required', { kind: 'service' }).length, 4);
  });

  test('reboot and its reasons', () => {
    const { samples } = parse(formatPrometheus(rebootReport()));
    assert.equal(find(samples, 'afterpatch_reboot_required')[0]?.value, 1);
    assert.deepEqual(
      find(samples, 'afterpatch_reboot_reason').map((s) => [s.labels.code, s.value]),
      [
        ['core-package-updated', 1],
        ['kernel-newer-installed', 1],
      ],
    );
    assert.equal(metricValue(rebootReport(), 'afterpatch_unreadable_processes'), 5);
    assert.deepEqual(find(samples, 'afterpatch_kernel_info')[0]?.labels, {
      running: '5.14.0-362.8.1.el9_3.x86_64',
      newest: '5.14.0-427.16.1.el9_4.x86_64',
    });
  });

  test('stale packages count their processes, with both versions', () => {
    assert.match(
      formatPrometheus(servicesReport()),
      /^afterpatch_stale_package\{name="libssl3",installed_version="3\.0\.13-1~deb12u1",previous_version="3\.0\.11-1~deb12u2"\} 6$/m,
    );
    assert.equal(metricValue(deniedUnitReport(), 'afterpatch_stale_package', { name: 'libc6' }), 7);
  });

  test('label values escape backslash, double quote and newline', () => {
    const report = servicesReport();
    report.actions.services[0]!.unit = 'systemd-cryptsetup@luks\\x2d1.service';
    report.actions.sessions[0]!.session = 'c"1\nx';
    report.kernel.runningRelease = '6.1.0 "custom"\\';
    const text = formatPrometheus(report);
    assert.ok(text.includes('unit="systemd-cryptsetup@luks\\\\x2d1.service"'));
    assert.ok(text.includes('session="c\\"1\\nx"'));
    assert.ok(text.includes('running="6.1.0 \\"custom\\"\\\\"'));
    const { samples } = parse(text);
    assert.equal(find(samples, 'afterpatch_restart_required', { session: 'c"1\nx' }).length, 1);
    assert.equal(find(samples, 'afterpatch_kernel_info', { running: '6.1.0 "custom"\\' }).length, 1);
  });

  test('duplicate entries never produce duplicate series', () => {
    const report = servicesReport();
    report.actions.services.push({ ...report.actions.services[0]! });
    report.packages.push({ ...report.packages[0]!, pids: [9001, 9002] });
    const { samples } = parse(formatPrometheus(report));
    assert.equal(find(samples, 'afterpatch_stale_package', { name: 'libssl3' })[0]?.value, 8);
  });

  test('a missing newest kernel gives an empty label, an unparsable time no sample', () => {
    const report = cleanHostReport();
    delete report.kernel.newestInstalled;
    report.scan.startedAt = 'not a date';
    const { samples } = parse(formatPrometheus(report));
    assert.equal(find(samples, 'afterpatch_kernel_info')[0]?.labels.newest, '');
    assert.deepEqual(find(samples, 'afterpatch_last_scan_timestamp_seconds'), []);
  });

  test('output does not depend on the order of the report', () => {
    const shuffled = deniedUnitReport();
    shuffled.actions.services.reverse();
    assert.equal(formatPrometheus(shuffled), formatPrometheus(deniedUnitReport()));
  });

  test('the example in docs/scan-report.md is what it prints', () => {
    assert.equal(docExample('prometheus servicesReport'), formatPrometheus(servicesReport()));
  });
});
