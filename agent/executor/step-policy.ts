// The host's own word on a step, before anything runs: the server may ask, but the operator of
// this host decides which operations are allowed here. Pure: config and step in, verdict out.
import type { StepOperation, StepPayload } from '../../shared/agent-protocol.js';
import { compileGlobs } from '../detect/glob.js';
import type { ExecutorConfig } from './executor-config.js';

export type PolicyVerdict = { allowed: true } | { allowed: false; reason: string };

/** Runtimes whose containers the agent restarts itself; the others belong to an orchestrator. */
export const RESTARTABLE_RUNTIMES = ['docker', 'podman'] as const;

export function checkStepPolicy(step: StepPayload, config: ExecutorConfig): PolicyVerdict {
  if (!config.enabled) return refuse('step execution is disabled on this host (executor.enabled: false)');
  const allowUnit = compileGlobs(config.allowUnits);
  const denyUnit = compileGlobs(config.denyUnits);
  for (const operation of step.operations) {
    const reason = refusalFor(operation, config, allowUnit, denyUnit);
    if (reason !== undefined) return refuse(reason);
  }
  return { allowed: true };
}

function refusalFor(
  operation: StepOperation,
  config: ExecutorConfig,
  allowUnit: (unit: string) => boolean,
  denyUnit: (unit: string) => boolean,
): string | undefined {
  switch (operation.kind) {
    case 'restart-unit':
      if (!config.allowRestartUnit)
        return 'unit restarts are disabled on this host (executor.allowRestartUnit)';
      if (operation.unit.startsWith('-')) return `'${operation.unit}' is not a unit name`;
      if (denyUnit(operation.unit))
        return `restarting ${operation.unit} is denied on this host (executor.denyUnits)`;
      if (!allowUnit(operation.unit))
        return `restarting ${operation.unit} is not allowed on this host (executor.allowUnits)`;
      return undefined;
    case 'restart-container':
      if (!config.allowRestartContainer)
        return 'container restarts are disabled on this host (executor.allowRestartContainer)';
      if (!(RESTARTABLE_RUNTIMES as readonly string[]).includes(operation.runtime)) {
        return `${operation.runtime} containers are restarted by their orchestrator, not by the agent`;
      }
      if (operation.id.startsWith('-')) return `'${operation.id}' is not a container id`;
      return undefined;
    case 'reexec-pid1':
      return config.allowReexecPid1
        ? undefined
        : 'PID 1 re-execution is disabled on this host (executor.allowReexecPid1)';
    case 'reboot':
      return config.allowReboot ? undefined : 'reboots are disabled on this host (executor.allowReboot)';
  }
}

function refuse(reason: string): PolicyVerdict {
  return { allowed: false, reason };
}
