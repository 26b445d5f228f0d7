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

export const AgentConfigFile = Type.Object(
  { scan: Type.Optional(ScanConfigFile) },
  { additionalProperties: false },
);
export type AgentConfigFile = Static<typeof AgentConfigFile>;
