// `afterpatch agent`: the per-host daemon that scans on a schedule, after package upgrades and
// when the server asks, and delivers every report to the afterpatch server through a durable
// outbox. This file only turns the command line into validated options and runs the daemon
// (agent/daemon/) as a process: signals, exit code, the one logger.
import { readFileSync } from 'node:fs';
import type { Command } from '../../cli/main.js';
import { parseOptions } from '../../cli/parse-options.js';
import { UsageError } from '../../cli/usage-error.js';
import { ConfigError, loadConfigFile } from '../config/load-config-file.js';
import { buildScanConfig } from '../config/scan-config.js';
import { AgentError } from '../daemon/agent-errors.js';
import { createAgentLogger } from '../daemon/agent-logger.js';
import { AgentOptionsError, DEFAULT_STATE_DIR, resolveAgentOptions } from '../daemon/agent-options.js';
import { readHostIdentity } from '../daemon/host-identity.js';
import { buildExecutorConfig } from '../executor/executor-config.js';
import { createScanMemory, scanHost } from '../scan/scan-host.js';

export const AGENT_HELP = `Usage: afterpatch agent --server URL [options]

Runs the afterpatch agent: scans this host every interval, right after a package upgrade and
when the server asks, and delivers each report to the server. Reports wait in a durable outbox
until the server confirms them. See docs/agent.md.

  --server URL                 the afterpatch server, http(s)://host:port
  --enroll-token TOKEN         enrolment token for the first start (visible in ps: prefer
                               --enroll-token-file or AFTERPATCH_ENROLL_TOKEN)
  --enroll-token-file FILE     read the enrolment token from FILE
  --state-dir DIR              credentials and outbox (default ${DEFAULT_STATE_DIR})
  --scan-interval-seconds N    seconds between scheduled scans (default 3600, minimum 10)
  --root DIR                   the host's filesystem mounted at DIR (in a container:
                               / of the host mounted read-only at /host, see docs/deployment.md)
  --proc-root DIR              the host's procfs (default /proc, or DIR/proc with --root)
  -c, --config FILE            JSON config; its "agent" and "scan" sections
                               (default /etc/afterpatch/agent.json when present)
  --once                       enrol if needed, scan, deliver everything, exit (for cron)
  -h, --help                   this text

Environment: AFTERPATCH_ENROLL_TOKEN, AFTERPATCH_CONFIG.
Exit codes: 0 stopped by SIGTERM/SIGINT (or --once: all delivered), 1 error (or --once:
something still pending), 64 usage or configuration error.
`;

const OPTIONS = {
  server: { type: 'string' },
  'enroll-token': { type: 'string' },
  'enroll-token-file': { type: 'string' },
  'state-dir': { type: 'string' },
  'scan-interval-seconds': { type: 'string' },
  root: { type: 'string' },
  'proc-root': { type: 'string' },
  config: { type: 'string', short: 'c' },
  once: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const MAX_TOKEN_FILE_BYTES = 8192;

export const agentCommand: Command = {
  async run(args) {
    const values = parseOptions(args, OPTIONS);
    if (values.help) {
      process.stdout.write(AGENT_HELP);
      return 0;
    }
    const { options, scanConfig, executor } = await loadOptions(values);
    const logger = createAgentLogger({ level: options.logLevel }).child({ name: 'afterpatch-agent' });
    const scope = scanScope(values);
    const memory = createScanMemory();
    const deps = {
      // One ScanMemory for the daemon's lifetime: rescans reuse parsed imports and package owners.
      // The reports name the boot id from the same file as the hello and the reboot evidence.
      scan: () => scanHost({ config: scanConfig, memory, ...scope, bootIdFile: options.bootIdFile }),
      logger,
      identity: readHostIdentity(scope.root, options.bootIdFile),
      executor,
    };
    try {
      if (options.once) {
        const { runAgentOnce } = await import('../daemon/run-agent-once.js');
        return await runAgentOnce(options, deps);
      }
      const { startAgentDaemon } = await import('../daemon/agent-daemon.js');
      const daemon = await startAgentDaemon(options, deps);
      // Every timer in the daemon is unref()'d; this one handle is what keeps the process up.
      const keepAlive = setInterval(() => {}, 1 << 30);
      const onSignal = (signal: NodeJS.Signals): void => {
        logger.info({ signal }, 'stopping');
        void daemon.stop();
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      const code = await daemon.done;
      clearInterval(keepAlive);
      process.removeListener('SIGTERM', onSignal);
      process.removeListener('SIGINT', onSignal);
      return code;
    } catch (err) {
      if (err instanceof AgentError) {
        logger.error({ code: err.code }, err.message);
        // A missing token is a mistake in how the agent was started, like a missing option.
        if (err.code === 'AP_AGENT_NOT_ENROLLED') throw new UsageError(err.message);
        process.stderr.write(`afterpatch agent: ${err.code}: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
  },
};

/** --root and --proc-root, checked like every other option before anything runs. */
function scanScope(values: { root?: string | undefined; 'proc-root'?: string | undefined }) {
  for (const [flag, dir] of [
    ['--root', values.root],
    ['--proc-root', values['proc-root']],
  ] as const) {
    if (dir !== undefined && !dir.startsWith('/'))
      throw new UsageError(`${flag} must be absolute, not '${dir}'`);
  }
  return {
    ...(values.root !== undefined ? { root: values.root } : {}),
    ...(values['proc-root'] !== undefined ? { procRoot: values['proc-root'] } : {}),
  };
}

async function loadOptions(values: ReturnType<typeof parseOptions<typeof OPTIONS>>) {
  try {
    const { config } = await loadConfigFile(values.config ?? process.env.AFTERPATCH_CONFIG);
    // First found wins: the flag, the flag's file, the environment, the config file's file.
    const configTokenFile = config.agent?.enrollTokenFile;
    const enrollToken =
      values['enroll-token'] ??
      (values['enroll-token-file'] !== undefined ? readTokenFile(values['enroll-token-file']) : undefined) ??
      (process.env.AFTERPATCH_ENROLL_TOKEN || undefined) ??
      (configTokenFile !== undefined ? readTokenFile(configTokenFile, true) : undefined);
    const options = resolveAgentOptions({
      flags: {
        server: values.server,
        enrollToken,
        stateDir: values['state-dir'],
        scanIntervalSeconds: values['scan-interval-seconds'],
        once: values.once,
      },
      file: config.agent,
    });
    return {
      options,
      scanConfig: buildScanConfig(config.scan),
      executor: buildExecutorConfig(config.executor),
    };
  } catch (err) {
    if (err instanceof ConfigError || err instanceof AgentOptionsError) throw new UsageError(err.message);
    throw err;
  }
}

/** The token file is optional when the config file names it (it is deleted after enrolment). */
function readTokenFile(file: string, optional = false): string | undefined {
  try {
    const text = readFileSync(file, 'utf8');
    if (text.length > MAX_TOKEN_FILE_BYTES)
      throw new UsageError(`${file}: larger than ${MAX_TOKEN_FILE_BYTES} bytes`);
    return text.trim() || undefined;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (optional && code === 'ENOENT') return undefined;
    throw new UsageError(`cannot read the enrolment token file ${file} (${code ?? (err as Error).message})`);
  }
}
