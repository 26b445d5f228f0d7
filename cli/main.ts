// `afterpatch <command>`: dispatches to the subcommands. Each command module is imported only
// when used, so `afterpatch scan` never loads the server's dependencies and starts fast.
import { AFTERPATCH_VERSION } from '../shared/version.js';
import { UsageError } from './usage-error.js';

export interface Command {
  run(args: string[]): Promise<number>;
}

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  up: {
    summary: 'run the whole thing here: the server on its embedded database and a local agent',
    load: async () => (await import('./up-command.js')).upCommand,
  },
  scan: {
    summary: 'find processes running replaced code and whether a reboot is needed (this host)',
    load: async () => (await import('../agent/cli/scan-command.js')).scanCommand,
  },
  server: {
    summary: 'run the server that agents report to and operators query (--port, --data-dir)',
    load: async () => (await import('../server/cli/server-command.js')).serverCommand,
  },
  plan: {
    summary: 'plan a rolling restart/reboot of a fleet from a JSON document, offline (--input FILE)',
    load: async () => (await import('../server/cli/plan-command.js')).planCommand,
  },
  agent: {
    summary: 'run the agent: scan on a schedule and after upgrades, deliver reports to the server',
    load: async () => (await import('../agent/cli/agent-command.js')).agentCommand,
  },
};

export const EXIT_INTERNAL_ERROR = 70;

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: afterpatch <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `afterpatch <command> --help` for the options of a command.',
    '',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(usage());
    return name === undefined ? 64 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`afterpatch ${AFTERPATCH_VERSION}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`afterpatch: unknown command '${name}'\n\n${usage()}`);
    return 64;
  }
  try {
    return await (await command.load()).run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(
        `afterpatch ${name}: ${err.message}\nRun \`afterpatch ${name} --help\` for usage.\n`,
      );
      return err.exitCode;
    }
    process.stderr.write(`afterpatch ${name}: internal error: ${(err as Error).stack ?? String(err)}\n`);
    return EXIT_INTERNAL_ERROR;
  }
}
