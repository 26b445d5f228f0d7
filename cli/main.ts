// `afterpatch <command>`: dispatches to the subcommands. Each command module is imported only
// when used, so `afterpatch scan` never loads the server's dependencies and starts fast.
import { type CommandTable, runCli, usageOf } from './run-cli.js';

export type { Command } from './run-cli.js';
export { EXIT_INTERNAL_ERROR } from './run-cli.js';

const COMMANDS: CommandTable = {
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
  rescan: {
    summary: 'tell the agent running on this host to scan now (used by the APT and dnf hooks)',
    load: async () => (await import('../agent/cli/rescan-command.js')).rescanCommand,
  },
  config: {
    summary: 'config check [--agent|--server] [FILE]: validate and print the effective configuration',
    load: async () => (await import('./config-check-command.js')).configCommand,
  },
  hosts: {
    summary: 'hosts list | hosts show HOST: the fleet through the REST API (--server, --token)',
    load: async () => (await import('./operator/hosts-command.js')).hostsCommand,
  },
  audit: {
    summary: 'audit tail [--follow]: the audit log through the REST API (admin)',
    load: async () => (await import('./operator/audit-command.js')).auditCommand,
  },
};

export function usage(): string {
  return usageOf(COMMANDS);
}

export function main(argv: string[]): Promise<number> {
  return runCli(COMMANDS, argv);
}
