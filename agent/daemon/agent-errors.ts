// Every failure the agent reports on purpose, built once here with a code (AP_AGENT_…) so a log
// line can be searched for and docs/agent.md can list them.
export const AGENT_ERRORS = Object.freeze({
  AP_AGENT_STATE_INSECURE: 'the state directory or credentials file is readable by others',
  AP_AGENT_STATE_INVALID: 'a file in the state directory is not what the agent wrote',
  AP_AGENT_NOT_ENROLLED: 'no credential yet and no enrolment token to get one',
  AP_ENROLLMENT_TOKEN_INVALID: 'the server refused the enrolment token',
  AP_AGENT_CREDENTIAL_INVALID: 'the server refused the credential (revoked host?)',
  AP_AGENT_SERVER_UNREACHABLE: 'the server could not be reached',
  AP_AGENT_SERVER_ERROR: 'the server answered with an unexpected status or body',
});

export type AgentErrorCode = keyof typeof AGENT_ERRORS;

export class AgentError extends Error {
  override readonly name = 'AgentError';
  constructor(
    readonly code: AgentErrorCode,
    message: string,
    /** The HTTP status when the server answered, 0 when it could not be reached. */
    readonly status?: number,
  ) {
    super(message);
  }
}
