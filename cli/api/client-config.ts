// Where an operator command finds its server and API token. First found wins, per value:
// the flag (--server, --token), the environment (AFTERPATCH_SERVER, AFTERPATCH_TOKEN), the CLI
// config file (AFTERPATCH_CLI_CONFIG, else $XDG_CONFIG_HOME/afterpatch/cli.json, else
// ~/.config/afterpatch/cli.json): { "server": "https://…", "token": "apt_…" } or "tokenFile".
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../usage-error.js';

export interface ClientConfig {
  server: string;
  token: string;
}

export interface ClientConfigSources {
  flags: { server?: string | undefined; token?: string | undefined };
  env?: NodeJS.ProcessEnv;
  /** For tests. */
  readFile?: (path: string) => string;
}

const MAX_FILE_BYTES = 64 * 1024;
const FILE_KEYS = new Set(['server', 'token', 'tokenFile']);

export function defaultCliConfigPath(env: NodeJS.ProcessEnv): string {
  if (env.AFTERPATCH_CLI_CONFIG) return env.AFTERPATCH_CLI_CONFIG;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'afterpatch', 'cli.json');
}

export function resolveClientConfig(sources: ClientConfigSources): ClientConfig {
  const env = sources.env ?? process.env;
  const read = sources.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const needFile =
    !(sources.flags.server ?? env.AFTERPATCH_SERVER) || !(sources.flags.token ?? env.AFTERPATCH_TOKEN);
  const file = needFile
    ? readCliConfigFile(defaultCliConfigPath(env), env.AFTERPATCH_CLI_CONFIG !== undefined, read)
    : {};
  const server = sources.flags.server ?? (env.AFTERPATCH_SERVER || undefined) ?? file.server;
  const token = sources.flags.token ?? (env.AFTERPATCH_TOKEN || undefined) ?? file.token;
  if (!server) {
    throw new UsageError(
      'no server: pass --server URL, set AFTERPATCH_SERVER, or put "server" in the CLI config file',
    );
  }
  if (!token) {
    throw new UsageError(
      'no API token: pass --token, set AFTERPATCH_TOKEN, or put "token" in the CLI config file',
    );
  }
  return { server: normaliseBaseUrl(server), token: token.trim() };
}

function readCliConfigFile(
  path: string,
  required: boolean,
  read: (path: string) => string,
): { server?: string; token?: string } {
  let text: string;
  try {
    text = read(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !required) return {};
    throw new UsageError(`${path}: cannot read the CLI config file (${code ?? (err as Error).message})`);
  }
  if (text.length > MAX_FILE_BYTES) throw new UsageError(`${path}: larger than ${MAX_FILE_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UsageError(`${path}: must hold a JSON object`);
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!FILE_KEYS.has(key))
      throw new UsageError(`${path}: /${key}: unknown key (allowed: server, token, tokenFile)`);
    if (typeof record[key] !== 'string' || record[key] === '')
      throw new UsageError(`${path}: /${key}: must be a non-empty string`);
  }
  const tokenFile = record.tokenFile as string | undefined;
  let token = record.token as string | undefined;
  if (token !== undefined) warnIfReadableByOthers(path);
  if (token === undefined && tokenFile !== undefined) {
    try {
      token = read(tokenFile).trim();
    } catch (err) {
      throw new UsageError(
        `${path}: /tokenFile: cannot read ${tokenFile} (${(err as NodeJS.ErrnoException).code})`,
      );
    }
  }
  return {
    ...(record.server !== undefined ? { server: record.server as string } : {}),
    ...(token ? { token } : {}),
  };
}

/** A token in a world-readable file is everyone's token: say so (once, on stderr). */
function warnIfReadableByOthers(path: string): void {
  try {
    if ((statSync(path).mode & 0o077) !== 0) {
      process.stderr.write(`warning: ${path} holds an API token and is readable by others: chmod 600 it\n`);
    }
  } catch {
    // A test's in-memory file, or it vanished: nothing to warn about.
  }
}

function normaliseBaseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--server must be a URL like https://afterpatch.example, not '${text}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--server must use http or https, not '${url.protocol.replace(':', '')}'`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new UsageError('--server must not contain a query, fragment, user or password');
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
