// `afterpatch rescan`: asks the agent daemon running on this host to scan now. Package-manager
// hooks call it after every transaction, so it must be fast, must never hang and must be
// harmless when no agent runs: it only writes a request file into the agent's state directory,
// which the daemon watches (agent/daemon/rescan-request.ts).
import { existsSync } from 'node:fs';
import type { Command } from '../../cli/main.js';
import { parseOptions } from '../../cli/parse-options.js';
import { UsageError } from '../../cli/usage-error.js';
import { ConfigError, loadConfigFile } from '../config/load-config-file.js';
import { DEFAULT_STATE_DIR } from '../daemon/agent-options.js';
import { writeRescanRequest } from '../daemon/rescan-request.js';

export const RESCAN_HELP = `Usage: afterpatch rescan [options]

Tells the agent daemon on this host to scan now (it watches a request file in its state
directory). Used by the APT and dnf hooks after package upgrades. Does nothing harmful when no
agent runs: the request is picked up at the agent's next start, which scans anyway.

  --state-dir DIR    the agent's state directory (default: the config file's agent.stateDir,
                     else ${DEFAULT_STATE_DIR})
  -c, --config FILE  JSON config (default /etc/afterpatch/agent.json when present)
  --reason TEXT      recorded in the request file (default "manual")
  -q, --quiet        print nothing on success or when no agent is installed
  -h, --help         this text

Environment: AFTERPATCH_CONFIG.
Exit codes: 0 requested, or no agent state directory (nothing to do); 1 the request could not
be written; 64 usage or configuration error.
`;

const OPTIONS = {
  'state-dir': { type: 'string' },
  config: { type: 'string', short: 'c' },
  reason: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const rescanCommand: Command = {
  async run(args) {
    const values = parseOptions(args, OPTIONS);
    if (values.help) {
      process.stdout.write(RESCAN_HELP);
      return 0;
    }
    const stateDir = values['state-dir'] ?? (await stateDirFromConfig(values.config)) ?? DEFAULT_STATE_DIR;
    if (!stateDir.startsWith('/')) throw new UsageError(`--state-dir must be absolute, not '${stateDir}'`);
    const say = (text: string): void => {
      if (!values.quiet) process.stdout.write(`${text}\n`);
    };
    if (!existsSync(stateDir)) {
      say(`no agent state directory at ${stateDir}: no agent has run here; nothing to do`);
      return 0;
    }
    try {
      const path = writeRescanRequest(stateDir, values.reason ?? 'manual');
      say(`rescan requested (${path})`);
      return 0;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      process.stderr.write(`afterpatch rescan: cannot write the request in ${stateDir} (${code})\n`);
      return 1;
    }
  },
};

async function stateDirFromConfig(path: string | undefined): Promise<string | undefined> {
  try {
    const { config } = await loadConfigFile(path ?? process.env.AFTERPATCH_CONFIG);
    return config.agent?.stateDir;
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
}
