// The agent config file's schema: validated once at start-up, loaded only when a config file
// exists (the schema library costs start-up time that a plain `afterpatch scan` does not need).
import Type, { type Static } from 'typebox';

export const TempPolicy = Type.Union(
  [Type.Literal('smart'), Type.Literal('ignore'), Type.Literal('report')],
  {
    description:
      'smart: ignore JIT/trampoline files in temp dirs but report real libraries there; ' +
      'ignore: ignore everything under temp dirs (needrestart and checkrestart behaviour); report: report all.',
  },
);
export type TempPolicy = Static<typeof TempPolicy>;

const GlobList = Type.Array(Type.String({ minLength: 1, maxLength: 4096 }), { maxItems: 1000 });
const AbsolutePath = Type.String({ minLength: 2, maxLength: 4096, pattern: '^/' });

/** The `scan` section of the agent config file (all keys optional). */
export const ScanConfigFile = Type.Object(
  {
    tempPolicy: Type.Optional(TempPolicy),
    tempDirs: Type.Optional(GlobList),
    jitPatterns: Type.Optional(GlobList),
    ignorePaths: Type.Optional(GlobList),
    ignoreProcesses: Type.Optional(GlobList),
    ignoreUnits: Type.Optional(GlobList),
    denyUnits: Type.Optional(GlobList),
    scripts: Type.Optional(Type.Boolean()),
    packages: Type.Optional(Type.Boolean()),
    modifiedToleranceSeconds: Type.Optional(Type.Number({ minimum: 0, maximum: 3600 })),
  },
  { additionalProperties: false },
);
export type ScanConfigFile = Static<typeof ScanConfigFile>;

/** The `agent` section: how `afterpatch agent` reaches its server (all keys optional; flags win). */
export const AgentDaemonConfigFile = Type.Object(
  {
    /** http(s)://host:port of the afterpatch server; the WebSocket URL is derived from it. */
    serverUrl: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
    /** A file holding the enrolment token (the token itself never belongs in a config file). */
    enrollTokenFile: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
    stateDir: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
    scanIntervalSeconds: Type.Optional(Type.Integer({ minimum: 10, maximum: 7 * 24 * 3600 })),
    /** Seconds a package database stays quiet before the post-update scan runs. */
    packageChangeDebounceSeconds: Type.Optional(Type.Number({ minimum: 0, maximum: 3600 })),
    outboxMaxReports: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    outboxMaxBytes: Type.Optional(Type.Integer({ minimum: 1024 * 1024, maximum: 10 * 1024 * 1024 * 1024 })),
    reconnectBaseSeconds: Type.Optional(Type.Number({ minimum: 0.1, maximum: 60 })),
    reconnectCapSeconds: Type.Optional(Type.Number({ minimum: 1, maximum: 3600 })),
    logLevel: Type.Optional(
      Type.Union([Type.Literal('debug'), Type.Literal('info'), Type.Literal('warn'), Type.Literal('error')]),
    ),
    /**
     * Where the boot id is read (default /proc/sys/kernel/random/boot_id): for containers whose
     * /proc is not the host's, and for test harnesses that simulate reboots.
     */
    bootIdFile: Type.Optional(AbsolutePath),
  },
  { additionalProperties: false },
);
export type AgentDaemonConfigFile = Static<typeof AgentDaemonConfigFile>;

/** A command configured on the host: an argv array run without a shell, and its time limit. */
const HostCommand = Type.Object(
  {
    argv: Type.Array(Type.String({ minLength: 1, maxLength: 4096 }), { minItems: 1, maxItems: 256 }),
    timeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
  },
  { additionalProperties: false },
);
const NamedHostCommand = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 128 }),
    argv: Type.Array(Type.String({ minLength: 1, maxLength: 4096 }), { minItems: 1, maxItems: 256 }),
    timeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
  },
  { additionalProperties: false },
);

/**
 * The `executor` section: what this host lets a rollout step do, and how. The server only ever
 * names operations; binaries, hooks and health-check commands come from here.
 */
export const ExecutorConfigFile = Type.Object(
  {
    /** false: every step is refused (the host only reports). Default true. */
    enabled: Type.Optional(Type.Boolean()),
    allowRestartUnit: Type.Optional(Type.Boolean()),
    allowRestartContainer: Type.Optional(Type.Boolean()),
    allowReexecPid1: Type.Optional(Type.Boolean()),
    allowReboot: Type.Optional(Type.Boolean()),
    /** Globs on unit names a step may restart (default every unit). */
    allowUnits: Type.Optional(GlobList),
    /** Globs on unit names a step may never restart; wins over allowUnits. */
    denyUnits: Type.Optional(GlobList),
    /** Absolute paths of the programs the executor runs. */
    systemctlPath: Type.Optional(AbsolutePath),
    dockerPath: Type.Optional(AbsolutePath),
    podmanPath: Type.Optional(AbsolutePath),
    /** Run in this order before the operations when a step asks for hooks (e.g. drain). */
    preHooks: Type.Optional(Type.Array(NamedHostCommand, { maxItems: 32 })),
    /** Run in this order after the operations (after a reboot: on the next boot). */
    postHooks: Type.Optional(Type.Array(NamedHostCommand, { maxItems: 32 })),
    /** Commands a `command` health check may name. */
    healthCommands: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 128 }), HostCommand)),
    operationTimeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
    hookTimeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
    healthCheckTimeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
    healthCheckIntervalSeconds: Type.Optional(Type.Number({ minimum: 0.1, maximum: 600 })),
    journalMaxEntries: Type.Optional(Type.Integer({ minimum: 10, maximum: 100_000 })),
    journalMaxAgeDays: Type.Optional(Type.Number({ minimum: 1, maximum: 3650 })),
  },
  { additionalProperties: false },
);
export type ExecutorConfigFile = Static<typeof ExecutorConfigFile>;

export const AgentConfigFile = Type.Object(
  {
    scan: Type.Optional(ScanConfigFile),
    agent: Type.Optional(AgentDaemonConfigFile),
    executor: Type.Optional(ExecutorConfigFile),
  },
  { additionalProperties: false },
);
export type AgentConfigFile = Static<typeof AgentConfigFile>;
