// The `afterpatch` command runner: dispatches argv to one command of a table, turns a
// UsageError into its one-line message and exit code 64 and anything else into exit code 70.
// Shared by the full CLI (cli/main.ts) and the agent-only bundle (cli/agent-main.ts), which
// differ only in their tables.
import { AFTERPATCH_VERSION } from '../shared/version.js';
import { UsageError } from './usage-error.js';

export interface Command {
  run(args: string[]): Promise<number>;
}

/** Each command module is imported only when used, so `afterpatch scan` starts fast. */
export type CommandTable = Record<string, { summary: string; load: () => Promise<Command> }>;

export const EXIT_INTERNAL_ERROR = 70;

export function usageOf(commands: CommandTable): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
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

export async function runCli(commands: CommandTable, argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(usageOf(commands));
    return name === undefined ? 64 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`afterpatch ${AFTERPATCH_VERSION}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`afterpatch: unknown command '${name}'\n\n${usageOf(commands)}`);
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
