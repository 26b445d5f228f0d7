// What every operator command (hosts, audit, and the rollout commands to come) shares: the
// connection options, the subcommand dispatch, and turning API failures into one clear line on
// stderr with a distinct exit code (cli/api/api-errors.ts).
import { ApiClient } from '../api/api-client.js';
import { ApiError, describeApiError, ServerUnreachableError } from '../api/api-errors.js';
import { resolveClientConfig } from '../api/client-config.js';
import { UsageError } from '../usage-error.js';

/** The options every operator subcommand accepts (merge into its own option table). */
export const CONNECTION_OPTIONS = {
  server: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const CONNECTION_HELP = `Connection (first found wins): --server URL or AFTERPATCH_SERVER; --token TOKEN
(visible in ps: prefer the variable) or AFTERPATCH_TOKEN; else the CLI config file
AFTERPATCH_CLI_CONFIG or ~/.config/afterpatch/cli.json: {"server": "…", "token": "apt_…"}.
Exit codes: 0 done, 1 the server refused the request (e.g. not found), 64 usage error,
69 server unreachable or failing (5xx), 77 token refused (401) or role too low (403).`;

export interface Subcommand {
  summary: string;
  run(args: string[]): Promise<number>;
}

/** `afterpatch <group> <sub> …`: runs the subcommand or explains what exists. */
export async function dispatch(
  group: string,
  subcommands: Record<string, Subcommand>,
  args: string[],
): Promise<number> {
  const [name, ...rest] = args;
  const help = (): string => {
    const width = Math.max(...Object.keys(subcommands).map((n) => n.length));
    const lines = Object.entries(subcommands).map(([n, s]) => `  ${n.padEnd(width)}  ${s.summary}`);
    return `Usage: afterpatch ${group} <subcommand> [options]\n\nSubcommands:\n${lines.join('\n')}\n\nRun \`afterpatch ${group} <subcommand> --help\` for its options.\n`;
  };
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help());
    return name === undefined ? 64 : 0;
  }
  const sub = subcommands[name];
  if (!sub) throw new UsageError(`unknown subcommand '${name}' (${Object.keys(subcommands).join(', ')})`);
  return sub.run(rest);
}

/** Builds the client from the options and runs `body`; API failures become exit codes. */
export async function withApiClient(
  values: { server?: string | undefined; token?: string | undefined },
  body: (client: ApiClient) => Promise<number>,
): Promise<number> {
  const config = resolveClientConfig({ flags: { server: values.server, token: values.token } });
  const client = new ApiClient(config);
  try {
    return await body(client);
  } catch (err) {
    if (err instanceof ApiError) {
      process.stderr.write(`afterpatch: ${describeApiError(err, client.server)}\n`);
      return err.exitCode;
    }
    if (err instanceof ServerUnreachableError) {
      process.stderr.write(`afterpatch: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
}

export function writeJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
