// `afterpatch server`: runs the server. Flags override the config file and the environment.
import type { Command } from '../../cli/main.js';
import { parseOptions } from '../../cli/parse-options.js';
import { UsageError } from '../../cli/usage-error.js';
import { ConfigError, loadServerConfig } from '../config/server-config.js';

export const SERVER_HELP = `Usage: afterpatch server --data-dir DIR [options]

Runs the afterpatch server: agents connect to it, operators read the fleet from it.

Options:
  --port PORT        TCP port (default 8080; env AFTERPATCH_PORT)
  --host ADDR        listen address (default 0.0.0.0; env AFTERPATCH_HOST)
  --data-dir DIR     data directory: the PGlite database, its lock, the first admin's
                     password file (env AFTERPATCH_DATA_DIR)
  --config FILE      JSON config file (env AFTERPATCH_CONFIG); keys as in docs/api.md
  --log-level LEVEL  fatal|error|warn|info|debug|trace|silent (default info)

Environment: DATABASE_URL=postgres://… uses PostgreSQL instead of PGlite;
AFTERPATCH_ADMIN_PASSWORD sets the first admin's password; AFTERPATCH_JWT_SECRET the token
signing secret (else one is generated and kept in the database).
`;

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  'data-dir': { type: 'string' },
  config: { type: 'string', short: 'c' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const serverCommand: Command = {
  async run(args) {
    const values = parseOptions(args, OPTIONS);
    if (values.help) {
      process.stdout.write(SERVER_HELP);
      return 0;
    }
    let config: ReturnType<typeof loadServerConfig>;
    try {
      config = loadServerConfig({
        flags: {
          port: values.port,
          host: values.host,
          dataDir: values['data-dir'],
          logLevel: values['log-level'],
        },
        ...(values.config ? { configFile: values.config } : {}),
      });
    } catch (err) {
      if (err instanceof ConfigError) throw new UsageError(err.message);
      throw err;
    }
    // Imported here so that a usage error never loads Fastify and Prisma.
    const { runServer } = await import('../server.js');
    return runServer(config);
  },
};
