// The exact program and arguments for each operation. Always an argv array for execFile, never a
// shell line; a `--` before every name the server sent, so that no unit name or container id
// can ever be read as an option even if it slipped past the protocol's pattern.
import type { StepOperation } from '../../shared/agent-protocol.js';
import type { ExecutorConfig } from './executor-config.js';

export interface CommandLine {
  readonly file: string;
  readonly args: readonly string[];
  /** For evidence and logs: "restart nginx.service". */
  readonly what: string;
}

export function buildOperationArgv(operation: StepOperation, config: ExecutorConfig): CommandLine {
  switch (operation.kind) {
    case 'restart-unit':
      return {
        file: config.systemctlPath,
        args: ['restart', '--', operation.unit],
        what: `restart ${operation.unit}`,
      };
    case 'restart-container': {
      const file = runtimeBinary(operation.runtime, config);
      return {
        file,
        args: ['restart', '--', operation.id],
        what: `restart ${operation.runtime} container ${operation.id}`,
      };
    }
    case 'reexec-pid1':
      return { file: config.systemctlPath, args: ['daemon-reexec'], what: 'reexec PID 1' };
    case 'reboot':
      return { file: config.systemctlPath, args: ['reboot'], what: 'reboot' };
  }
}

function runtimeBinary(runtime: string, config: ExecutorConfig): string {
  if (runtime === 'docker') return config.dockerPath;
  if (runtime === 'podman') return config.podmanPath;
  // The policy refuses every other runtime before argv is built; reaching this is a bug.
  throw new Error(`no restart command for ${runtime} containers`);
}
