#!/usr/bin/env node
// Entry point of the self-contained agent bundle (dist/afterpatch-agent.mjs, built by `npm run
// bundle:agent`): only what runs on a fleet host — scan, agent, rescan, config check — so one
// file with everything bundled in (ws, typebox) runs on a stock Node.js >= 20 without
// node_modules. The operator and server commands live in the full CLI (cli/main.ts).
import { type CommandTable, runCli } from './run-cli.js';

export const AGENT_COMMANDS: CommandTable = {
  scan: {
    summary: 'find processes running replaced code and whether a reboot is needed (this host)',
    load: async () => (await import('../agent/cli/scan-command.js')).scanCommand,
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
};

process.exitCode = await runCli(AGENT_COMMANDS, process.argv.slice(2));
