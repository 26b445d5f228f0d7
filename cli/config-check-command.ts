// `afterpatch config check [--server|--agent] [FILE]`: validates a configuration the way the
// server or the agent would at start, and prints the effective result (defaults, file,
// environment merged; secrets masked), or the first problems with the field that holds them.
import type { ConfigError as AgentConfigError } from '../agent/config/load-config-file.js';
import type { Command } from './main.js';
import { parseCommandLine } from './parse-options.js';
import { UsageError } from './usage-error.js';

export const CONFIG_HELP = `Usage: afterpatch config check [--agent | --server] [FILE]

Validates a configuration as the agent (default) or the server would at start and prints the
effective configuration as JSON: defaults, then FILE, then the environment (the server's
AFTERPATCH_* variables and DATABASE_URL). Secrets are masked.

  --agent     FILE is an agent config (default FILE: $AFTERPATCH_CONFIG, else
              /etc/afterpatch/agent.json when it exists)
  --server    FILE is a server config (default FILE: $AFTERPATCH_CONFIG; none is fine)
  -h, --help  this text

Exit codes: 0 valid, 64 invalid or unreadable (the message names the file and the field).
`;

const OPTIONS = {
  agent: { type: 'boolean' },
  server: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const MASK = '********';

export const configCommand: Command = {
  async run(args) {
    const [sub, ...rest] = args;
    if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
      process.stdout.write(CONFIG_HELP);
      return sub === undefined ? 64 : 0;
    }
    if (sub !== 'check') throw new UsageError(`unknown subcommand '${sub}' (check)`);
    const { values, positionals } = parseCommandLine(rest, OPTIONS, 1);
    if (values.help) {
      process.stdout.write(CONFIG_HELP);
      return 0;
    }
    if (values.agent && values.server) throw new UsageError('choose --agent or --server, not both');
    const file = positionals[0];
    try {
      const effective = values.server ? await checkServer(file) : await checkAgent(file);
      process.stdout.write(`${JSON.stringify(effective.config, null, 2)}\n`);
      for (const note of effective.notes) process.stderr.write(`note: ${note}\n`);
      process.stderr.write(`afterpatch config check: ${effective.source}: valid\n`);
      return 0;
    } catch (err) {
      if ((err as Error).name === 'ConfigError' || (err as Error).name === 'AgentOptionsError') {
        process.stderr.write(`afterpatch config check: ${(err as AgentConfigError).message}\n`);
        return 64;
      }
      throw err;
    }
  },
};

interface Checked {
  source: string;
  config: Record<string, unknown>;
  notes: string[];
}

async function checkAgent(file: string | undefined): Promise<Checked> {
  const [{ loadConfigFile }, { buildScanConfig }, { resolveAgentOptions, AGENT_DEFAULTS }] =
    await Promise.all([
      import('../agent/config/load-config-file.js'),
      import('../agent/config/scan-config.js'),
      import('../agent/daemon/agent-options.js'),
    ]);
  const { config, source } = await loadConfigFile(file ?? process.env.AFTERPATCH_CONFIG);
  const notes: string[] = [];
  const envToken = process.env.AFTERPATCH_ENROLL_TOKEN;
  let agent: Record<string, unknown>;
  if (config.agent?.serverUrl !== undefined) {
    const options = resolveAgentOptions({ flags: {}, file: config.agent, enrollTokenFallback: envToken });
    agent = { ...options, enrollToken: options.enrollToken ? MASK : undefined };
    delete agent.once;
  } else {
    agent = { ...AGENT_DEFAULTS, ...config.agent, serverUrl: undefined };
    notes.push('agent.serverUrl is not set: `afterpatch agent` then needs --server URL');
  }
  if (config.agent?.enrollTokenFile !== undefined) agent.enrollTokenFile = config.agent.enrollTokenFile;
  return {
    source: source ?? 'no config file (defaults)',
    config: { agent, scan: buildScanConfig(config.scan) },
    notes,
  };
}

async function checkServer(file: string | undefined): Promise<Checked> {
  // Loaded here: the agent side never needs the server's schema.
  const { loadServerConfig } = await import('../server/config/server-config.js');
  const source = file ?? process.env.AFTERPATCH_CONFIG;
  const config = loadServerConfig(file !== undefined ? { configFile: file } : {});
  return {
    source: source ?? 'no config file (defaults and environment)',
    config: maskServerSecrets(config),
    notes: [],
  };
}

/** jwtSecret and adminPassword masked; the password inside DATABASE_URL masked. */
export function maskServerSecrets(config: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const masked: Record<string, unknown> = { ...config };
  for (const key of ['jwtSecret', 'adminPassword']) if (masked[key] !== undefined) masked[key] = MASK;
  if (typeof masked.databaseUrl === 'string') masked.databaseUrl = maskUrlPassword(masked.databaseUrl);
  return masked;
}

function maskUrlPassword(text: string): string {
  try {
    const url = new URL(text);
    if (url.password) url.password = MASK;
    return url.toString();
  } catch {
    return MASK;
  }
}
