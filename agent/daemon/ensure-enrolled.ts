// The agent's identity for this server: the stored credentials when they are for this server,
// otherwise a fresh enrolment with the enrolment token (once; later starts need no token).

import { AgentError } from './agent-errors.js';
import type { AgentLogger } from './agent-logger.js';
import { type AgentCredentials, readCredentials, writeCredentials } from './credentials-store.js';
import type { HostIdentity } from './host-identity.js';
import { enrollAgent } from './server-api.js';

export interface EnsureEnrolledOptions {
  stateDir: string;
  serverUrl: string;
  enrollToken: string | undefined;
  identity: Pick<HostIdentity, 'hostname' | 'machineId'>;
  timeoutMs: number;
  logger: AgentLogger;
  enroll?: typeof enrollAgent;
}

/** Throws AgentError: AP_AGENT_NOT_ENROLLED, AP_ENROLLMENT_TOKEN_INVALID, AP_AGENT_SERVER_UNREACHABLE, … */
export async function ensureEnrolled(options: EnsureEnrolledOptions): Promise<AgentCredentials> {
  const { stateDir, serverUrl, enrollToken, logger } = options;
  const stored = readCredentials(stateDir);
  if (stored && stored.serverUrl === serverUrl) return stored;
  assertEnrollable(stateDir, serverUrl, enrollToken);
  if (stored) logger.warn({ from: stored.serverUrl, to: serverUrl }, 'server changed: enrolling again');
  const enroll = options.enroll ?? enrollAgent;
  // assertEnrollable() guarantees the token.
  const token = enrollToken!;
  const { hostId, credential } = await enroll({
    serverUrl,
    enrollmentToken: token,
    hostname: options.identity.hostname,
    machineId: options.identity.machineId,
    timeoutMs: options.timeoutMs,
  });
  const credentials = { serverUrl, hostId, credential };
  writeCredentials(stateDir, credentials);
  logger.info({ hostId, serverUrl }, 'enrolled; the enrolment token is no longer needed');
  return credentials;
}

/**
 * Throws AP_AGENT_NOT_ENROLLED when the agent has no credential for `serverUrl` and no token
 * to get one: checked at start, before the first scan, so the mistake is reported at once.
 */
export function assertEnrollable(stateDir: string, serverUrl: string, enrollToken: string | undefined): void {
  const stored = readCredentials(stateDir);
  if ((stored && stored.serverUrl === serverUrl) || enrollToken !== undefined) return;
  throw new AgentError(
    'AP_AGENT_NOT_ENROLLED',
    stored
      ? `the stored credentials are for ${stored.serverUrl}, not ${serverUrl}; ` +
          'give an enrolment token for the new server (--enroll-token-file or AFTERPATCH_ENROLL_TOKEN)'
      : 'this host is not enrolled yet: give an enrolment token (--enroll-token-file, --enroll-token ' +
          'or AFTERPATCH_ENROLL_TOKEN)',
  );
}
