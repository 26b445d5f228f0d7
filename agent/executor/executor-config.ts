// The executor's configuration: one frozen object from defaults and the config file's
// `executor` section. Everything that runs on the host is named here, never by the server: the
// binaries (fixed absolute paths, so a PATH change cannot swap them), the hooks and the
// commands a health check may name.
import type { ExecutorConfigFile } from '../config/config-schema.js';

export interface HostCommand {
  readonly name: string;
  readonly argv: readonly [string, ...string[]];
  readonly timeoutSeconds: number;
}

export interface ExecutorConfig {
  readonly enabled: boolean;
  readonly allowRestartUnit: boolean;
  readonly allowRestartContainer: boolean;
  readonly allowReexecPid1: boolean;
  readonly allowReboot: boolean;
  readonly allowUnits: readonly string[];
  readonly denyUnits: readonly string[];
  readonly systemctlPath: string;
  readonly dockerPath: string;
  readonly podmanPath: string;
  readonly preHooks: readonly HostCommand[];
  readonly postHooks: readonly HostCommand[];
  readonly healthCommands: ReadonlyMap<string, HostCommand>;
  readonly operationTimeoutSeconds: number;
  readonly healthCheckTimeoutSeconds: number;
  readonly healthCheckIntervalSeconds: number;
  readonly journalMaxEntries: number;
  readonly journalMaxAgeDays: number;
}

export const EXECUTOR_DEFAULTS = Object.freeze({
  enabled: true,
  allowRestartUnit: true,
  allowRestartContainer: true,
  allowReexecPid1: true,
  allowReboot: true,
  allowUnits: ['*'],
  systemctlPath: '/usr/bin/systemctl',
  dockerPath: '/usr/bin/docker',
  podmanPath: '/usr/bin/podman',
  operationTimeoutSeconds: 300,
  hookTimeoutSeconds: 300,
  healthCheckTimeoutSeconds: 10,
  healthCheckIntervalSeconds: 5,
  journalMaxEntries: 500,
  journalMaxAgeDays: 30,
});

/**
 * Units a step may never restart unless the config names its own deny list: restarting them
 * ends sessions or cuts the agent off from its server. Restarting the agent's own unit would
 * kill the step that runs it.
 */
export const DEFAULT_EXECUTOR_DENY_UNITS = [
  'afterpatch-agent.service',
  'dbus.service',
  'dbus-broker.service',
  'systemd-logind.service',
  'user@*.service',
  'getty@*.service',
  'serial-getty@*.service',
];

export function buildExecutorConfig(file: ExecutorConfigFile = {}): ExecutorConfig {
  const hookTimeout = file.hookTimeoutSeconds ?? EXECUTOR_DEFAULTS.hookTimeoutSeconds;
  const healthTimeout = file.healthCheckTimeoutSeconds ?? EXECUTOR_DEFAULTS.healthCheckTimeoutSeconds;
  const named = (list: ExecutorConfigFile['preHooks'], timeoutSeconds: number): readonly HostCommand[] =>
    Object.freeze(
      (list ?? []).map((hook) =>
        Object.freeze({
          name: hook.name,
          argv: Object.freeze([...hook.argv]) as unknown as readonly [string, ...string[]],
          timeoutSeconds: hook.timeoutSeconds ?? timeoutSeconds,
        }),
      ),
    );
  const healthCommands = new Map<string, HostCommand>();
  for (const [name, command] of Object.entries(file.healthCommands ?? {})) {
    healthCommands.set(name, {
      name,
      argv: Object.freeze([...command.argv]) as unknown as readonly [string, ...string[]],
      timeoutSeconds: command.timeoutSeconds ?? healthTimeout,
    });
  }
  return Object.freeze({
    enabled: file.enabled ?? EXECUTOR_DEFAULTS.enabled,
    allowRestartUnit: file.allowRestartUnit ?? EXECUTOR_DEFAULTS.allowRestartUnit,
    allowRestartContainer: file.allowRestartContainer ?? EXECUTOR_DEFAULTS.allowRestartContainer,
    allowReexecPid1: file.allowReexecPid1 ?? EXECUTOR_DEFAULTS.allowReexecPid1,
    allowReboot: file.allowReboot ?? EXECUTOR_DEFAULTS.allowReboot,
    allowUnits: Object.freeze([...(file.allowUnits ?? EXECUTOR_DEFAULTS.allowUnits)]),
    denyUnits: Object.freeze([...(file.denyUnits ?? DEFAULT_EXECUTOR_DENY_UNITS)]),
    systemctlPath: file.systemctlPath ?? EXECUTOR_DEFAULTS.systemctlPath,
    dockerPath: file.dockerPath ?? EXECUTOR_DEFAULTS.dockerPath,
    podmanPath: file.podmanPath ?? EXECUTOR_DEFAULTS.podmanPath,
    preHooks: named(file.preHooks, hookTimeout),
    postHooks: named(file.postHooks, hookTimeout),
    healthCommands,
    operationTimeoutSeconds: file.operationTimeoutSeconds ?? EXECUTOR_DEFAULTS.operationTimeoutSeconds,
    healthCheckTimeoutSeconds: healthTimeout,
    healthCheckIntervalSeconds:
      file.healthCheckIntervalSeconds ?? EXECUTOR_DEFAULTS.healthCheckIntervalSeconds,
    journalMaxEntries: file.journalMaxEntries ?? EXECUTOR_DEFAULTS.journalMaxEntries,
    journalMaxAgeDays: file.journalMaxAgeDays ?? EXECUTOR_DEFAULTS.journalMaxAgeDays,
  });
}
