// The agent's identity on disk: <state-dir>/credentials.json, { serverUrl, hostId, credential }.
// The credential is a long-lived secret that lets anyone report as this host, so the file is
// 0600 in a 0700 directory, written atomically, and the agent refuses to start when it finds
// the file readable by others (someone may already have copied it: rotate it by re-enrolling).
import { chmodSync, lstatSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentError } from './agent-errors.js';
import { writeFileAtomic } from './write-file-atomic.js';

export interface AgentCredentials {
  serverUrl: string;
  hostId: string;
  credential: string;
}

export const CREDENTIALS_FILE = 'credentials.json';
const MAX_CREDENTIALS_BYTES = 64 * 1024;

/**
 * Creates the state directory with mode 0700, or checks an existing one: a directory others
 * can write to would let them replace the credentials or the outbox, so that is refused.
 * Group/world read bits are removed (the outbox holds the host's process list).
 */
export function prepareStateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = lstatSync(dir);
  if (!stat.isDirectory()) {
    throw new AgentError('AP_AGENT_STATE_INVALID', `state directory ${dir} is not a directory`);
  }
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) {
    throw new AgentError(
      'AP_AGENT_STATE_INSECURE',
      `state directory ${dir} is owned by uid ${stat.uid}, not by the agent (uid ${uid})`,
    );
  }
  if ((stat.mode & 0o022) !== 0) {
    throw new AgentError(
      'AP_AGENT_STATE_INSECURE',
      `state directory ${dir} is writable by group or others (mode ${octal(stat.mode)}); ` +
        `fix with: chmod 700 ${dir}`,
    );
  }
  if ((stat.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

/** The stored credentials, or undefined before the first enrolment. */
export function readCredentials(dir: string): AgentCredentials | undefined {
  const file = join(dir, CREDENTIALS_FILE);
  let stat: ReturnType<typeof lstatSync>;
  try {
    stat = lstatSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (!stat.isFile()) throw new AgentError('AP_AGENT_STATE_INVALID', `${file} is not a regular file`);
  if ((stat.mode & 0o077) !== 0) {
    throw new AgentError(
      'AP_AGENT_STATE_INSECURE',
      `${file} is readable by group or others (mode ${octal(stat.mode)}): the credential may have ` +
        `leaked. Refusing to start. Revoke the host on the server and re-enrol, or, if you are sure ` +
        `nobody read it: chmod 600 ${file}`,
    );
  }
  if (stat.size > MAX_CREDENTIALS_BYTES) {
    throw new AgentError('AP_AGENT_STATE_INVALID', `${file} is larger than ${MAX_CREDENTIALS_BYTES} bytes`);
  }
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new AgentError('AP_AGENT_STATE_INVALID', `${file} is not valid JSON`);
  }
  if (!isCredentials(value)) {
    throw new AgentError('AP_AGENT_STATE_INVALID', `${file} lacks serverUrl, hostId or credential`);
  }
  return { serverUrl: value.serverUrl, hostId: value.hostId, credential: value.credential };
}

export function writeCredentials(dir: string, credentials: AgentCredentials): void {
  const { serverUrl, hostId, credential } = credentials;
  writeFileAtomic(
    join(dir, CREDENTIALS_FILE),
    `${JSON.stringify({ serverUrl, hostId, credential }, null, 2)}\n`,
    0o600,
  );
}

function isCredentials(value: unknown): value is AgentCredentials {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.serverUrl === 'string' &&
    typeof v.hostId === 'string' &&
    v.hostId.length > 0 &&
    v.hostId.length <= 64 &&
    typeof v.credential === 'string' &&
    v.credential.length > 0
  );
}

function octal(mode: number): string {
  return (mode & 0o777).toString(8).padStart(4, '0');
}
