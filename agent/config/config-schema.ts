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
  },
  { additionalProperties: false },
);
export type AgentDaemonConfigFile = Static<typeof AgentDaemonConfigFile>;

export const AgentConfigFile = Type.Object(
  { scan: Type.Optional(ScanConfigFile), agent: Type.Optional(AgentDaemonConfigFile) },
  { additionalProperties: false },
);
export type AgentConfigFile = Static<typeof AgentConfigFile>;
