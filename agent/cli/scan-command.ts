// `afterpatch scan`: one scan of this host (or of a captured tree), printed for a person, a
// script (--json), a monitoring system (--nagios) or a metrics scraper (--prometheus).
import { renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Command } from '../../cli/main.js';
import { parseOptions } from '../../cli/parse-options.js';
import { UsageError } from '../../cli/usage-error.js';
import type { ScanReport } from '../../shared/scan-report.js';
import { ConfigError, loadConfigFile } from '../config/load-config-file.js';
import { buildScanConfig, type TempPolicy } from '../config/scan-config.js';
import { exitCodeFor } from '../output/exit-code.js';
import { formatJson } from '../output/format-json.js';
import { formatNagios } from '../output/format-nagios.js';
import { formatPrometheus } from '../output/format-prometheus.js';
import { formatText } from '../output/format-text.js';
import { scanHost } from '../scan/scan-host.js';

export const SCAN_HELP = `Usage: afterpatch scan [options]

Finds the processes that still run deleted, replaced or modified executables, libraries and
scripts, groups them by what to do (restart a unit, a container, end a session), and says
whether the host must reboot and why. Run as root to see every process.

Output (default: a readable summary):
  --json                 the versioned JSON report (docs/scan-report.md)
  --nagios               Nagios/Icinga plugin line, perfdata and exit codes 0-3
  --prometheus           node_exporter textfile-collector metrics
  -o, --output FILE      write to FILE atomically (temp file + rename) instead of stdout
  --compact              one-line JSON (default: indented)
  -v, --verbose          list every stale process and file in the summary
  --no-color             no ANSI colours (default: colours on a terminal, unless NO_COLOR)

Scope:
  -p, --pid PID          scan only this process; repeatable (reboot checks still run)
  --root DIR             scan a captured filesystem tree rooted at DIR
  --proc-root DIR        read procfs from DIR (default /proc, or DIR/proc with --root)

Policy (added to the config file's lists):
  -c, --config FILE      JSON config (default /etc/afterpatch/agent.json when present)
  --ignore-path GLOB     never report files matching GLOB (e.g. '/opt/legacy/**'); repeatable
  --ignore-process GLOB  never report processes whose name or executable matches; repeatable
  --ignore-unit GLOB     never report processes of matching units; repeatable
  --deny-unit GLOB       report matching units but mark them "not restarted automatically"
  --tmp-policy POLICY    smart (default) | ignore | report: files under /tmp, /var/tmp, /run
  --no-scripts           skip interpreted scripts and modules (python, perl, ruby, node)
  --no-packages          skip looking up the owning packages

Exit codes: 0 nothing to do, 1 processes must be restarted, 2 reboot required,
64 usage or configuration error, 70 internal error. With --nagios: 0 OK, 1 WARNING,
2 CRITICAL, 3 UNKNOWN.
`;

const OPTIONS = {
  json: { type: 'boolean' },
  nagios: { type: 'boolean' },
  prometheus: { type: 'boolean' },
  output: { type: 'string', short: 'o' },
  compact: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  'no-color': { type: 'boolean' },
  pid: { type: 'string', short: 'p', multiple: true },
  root: { type: 'string' },
  'proc-root': { type: 'string' },
  config: { type: 'string', short: 'c' },
  'ignore-path': { type: 'string', multiple: true },
  'ignore-process': { type: 'string', multiple: true },
  'ignore-unit': { type: 'string', multiple: true },
  'deny-unit': { type: 'string', multiple: true },
  'tmp-policy': { type: 'string' },
  'no-scripts': { type: 'boolean' },
  'no-packages': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const TEMP_POLICIES: readonly TempPolicy[] = ['smart', 'ignore', 'report'];

export const scanCommand: Command = {
  async run(args) {
    const values = parseOptions(args, OPTIONS);
    if (values.help) {
      process.stdout.write(SCAN_HELP);
      return 0;
    }
    const formats = (['json', 'nagios', 'prometheus'] as const).filter((f) => values[f]);
    if (formats.length > 1) throw new UsageError(`choose one output format, not ${formats.join(' and ')}`);
    const tempPolicy = values['tmp-policy'];
    if (tempPolicy !== undefined && !TEMP_POLICIES.includes(tempPolicy as TempPolicy)) {
      throw new UsageError(`--tmp-policy must be one of ${TEMP_POLICIES.join(', ')}, not '${tempPolicy}'`);
    }

    let fileConfig: Awaited<ReturnType<typeof loadConfigFile>>;
    try {
      fileConfig = await loadConfigFile(values.config ?? process.env.AFTERPATCH_CONFIG);
    } catch (err) {
      if (err instanceof ConfigError) throw new UsageError(err.message);
      throw err;
    }
    const config = buildScanConfig(fileConfig.config.scan, {
      ...(tempPolicy !== undefined ? { tempPolicy: tempPolicy as TempPolicy } : {}),
      ...(values['ignore-path'] ? { ignorePaths: values['ignore-path'] } : {}),
      ...(values['ignore-process'] ? { ignoreProcesses: values['ignore-process'] } : {}),
      ...(values['ignore-unit'] ? { ignoreUnits: values['ignore-unit'] } : {}),
      ...(values['deny-unit'] ? { denyUnits: values['deny-unit'] } : {}),
      ...(values['no-scripts'] ? { scripts: false } : {}),
      ...(values['no-packages'] ? { packages: false } : {}),
    });

    const report = await scanHost({
      config,
      ...(values.root !== undefined ? { root: values.root } : {}),
      ...(values['proc-root'] !== undefined ? { procRoot: values['proc-root'] } : {}),
      ...(values.pid ? { pids: values.pid.map(parsePid) } : {}),
      ...progressReporter(),
    });

    const toTerminal = values.output === undefined && process.stdout.isTTY === true;
    const rendered = render(report, {
      format: formats[0] ?? 'text',
      pretty: !values.compact,
      color: toTerminal && !values['no-color'] && process.env.NO_COLOR === undefined,
      verbose: values.verbose === true,
    });
    if (values.output !== undefined) writeAtomically(values.output, rendered.text);
    else process.stdout.write(rendered.text);
    for (const warning of report.warnings) process.stderr.write(`warning: ${warning}\n`);
    return rendered.exitCode;
  },
};

function parsePid(text: string): number {
  const pid = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(pid) || pid < 1) {
    throw new UsageError(`--pid takes a process id, not '${text}'`);
  }
  return pid;
}

interface RenderOptions {
  format: 'text' | 'json' | 'nagios' | 'prometheus';
  pretty: boolean;
  color: boolean;
  verbose: boolean;
}

function render(report: ScanReport, options: RenderOptions): { text: string; exitCode: number } {
  switch (options.format) {
    case 'json':
      return { text: formatJson(report, { pretty: options.pretty }), exitCode: exitCodeFor(report) };
    case 'nagios':
      return formatNagios(report);
    case 'prometheus':
      return { text: formatPrometheus(report), exitCode: exitCodeFor(report) };
    default:
      return {
        text: formatText(report, { color: options.color, verbose: options.verbose }),
        exitCode: exitCodeFor(report),
      };
  }
}

/** A scrape must never see half a file: write beside the target, then rename over it. */
function writeAtomically(file: string, text: string): void {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, text, { mode: 0o644 });
    renameSync(temp, file);
  } catch (err) {
    throw new UsageError(
      `cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}

/** Progress on a terminal for hosts large enough to notice: only after half a second. */
function progressReporter(): { onProgress?: (done: number, total: number) => void } {
  if (!process.stderr.isTTY) return {};
  const started = Date.now();
  let shown = false;
  return {
    onProgress(done, total) {
      if (done === total) {
        if (shown) process.stderr.write('\r\x1b[K');
        return;
      }
      if (Date.now() - started < 500) return;
      shown = true;
      process.stderr.write(`\rscanning processes: ${done}/${total}`);
    },
  };
}
