// Reads and validates the agent's JSON config file. Every problem is reported with the file
// name and the JSON path of the bad value, before anything runs.
import { readFileSync } from 'node:fs';
import type { AgentConfigFile } from './config-schema.js';

export type { AgentConfigFile };

export const DEFAULT_CONFIG_PATH = '/etc/afterpatch/agent.json';
const MAX_CONFIG_BYTES = 1024 * 1024;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses config text; throws ConfigError naming `source` and each invalid field. */
export async function parseConfigText(text: string, source: string): Promise<AgentConfigFile> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${source}: not valid JSON (${(err as Error).message})`);
  }
  const validator = await loadValidator();
  if (validator.Check(value)) return value;
  const problems = [...validator.Errors(value)]
    .slice(0, 10)
    .map((e) => `  ${e.instancePath || '/'}: ${e.message}`)
    .join('\n');
  throw new ConfigError(`${source}: invalid configuration\n${problems}`);
}

/**
 * Loads `path`; when no path was given, the default file is optional and an empty config is
 * used if it does not exist. An explicitly named file must exist.
 */
export async function loadConfigFile(
  path: string | undefined,
): Promise<{ config: AgentConfigFile; source?: string }> {
  const file = path ?? DEFAULT_CONFIG_PATH;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (path === undefined && code === 'ENOENT') return { config: {} };
    throw new ConfigError(`${file}: cannot read config file (${code ?? (err as Error).message})`);
  }
  if (text.length > MAX_CONFIG_BYTES) throw new ConfigError(`${file}: larger than ${MAX_CONFIG_BYTES} bytes`);
  return { config: await parseConfigText(text, file), source: file };
}

async function loadValidator() {
  const [{ Compile }, { AgentConfigFile }] = await Promise.all([
    import('typebox/compile'),
    import('./config-schema.js'),
  ]);
  return Compile(AgentConfigFile);
}
