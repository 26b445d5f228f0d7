#!/usr/bin/env node
// TEST DOUBLE at the systemd boundary: a `systemctl` stand-in for simulated hosts (this machine
// has no systemd as PID 1). The agent is configured (executor.systemctlPath) to run this file;
// it forwards restart / is-active / daemon-reexec / reboot to the host's supervisor over its
// unix socket (AFTERPATCH_SIM_SUPERVISOR, set in the agent's environment by the supervisor) and
// exits with the code systemctl would. The services it restarts are real processes.
import { type SimRequest, simRequest } from './sim-protocol.js';

function parse(argv: string[]): SimRequest | string {
  const [verb, ...rest] = argv;
  const names = rest[0] === '--' ? rest.slice(1) : rest;
  if (names.some((n) => n.startsWith('-'))) return `unexpected option in ${argv.join(' ')}`;
  switch (verb) {
    case 'restart':
    case 'is-active':
      if (names.length !== 1) return `${verb} takes exactly one unit here`;
      return { cmd: verb, unit: names[0]! };
    case 'daemon-reexec':
    case 'reboot':
      if (names.length !== 0) return `${verb} takes no arguments`;
      return { cmd: verb };
    default:
      return `unsupported command: ${argv.join(' ')}`;
  }
}

async function main(): Promise<number> {
  const request = parse(process.argv.slice(2));
  if (typeof request === 'string') {
    process.stderr.write(`systemctl (simulated): ${request}\n`);
    return 1;
  }
  const socketPath = process.env.AFTERPATCH_SIM_SUPERVISOR;
  if (!socketPath) {
    process.stderr.write('systemctl (simulated): AFTERPATCH_SIM_SUPERVISOR is not set\n');
    return 1;
  }
  const reply = await simRequest(socketPath, request);
  if (reply.output) process.stdout.write(`${reply.output}\n`);
  return reply.exitCode;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    process.stderr.write(`systemctl (simulated): ${err.message}\n`);
    process.exitCode = 1;
  },
);
