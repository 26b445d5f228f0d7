// The two REST calls the agent makes: enrolment (once per host) and fetching a short-lived
// agent JWT (before each WebSocket connection). Every outcome is either the parsed body or an
// AgentError whose code says what to do next: a refused token or credential is permanent until
// a person acts, an unreachable server is retried with backoff.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { AgentError } from './agent-errors.js';

export interface EnrollRequest {
  serverUrl: string;
  enrollmentToken: string;
  hostname: string;
  machineId?: string | undefined;
  timeoutMs: number;
}

export interface AgentToken {
  token: string;
  /** ms since the epoch. */
  expiresAtMs: number;
}

const MAX_RESPONSE_BYTES = 64 * 1024;

export async function enrollAgent(request: EnrollRequest): Promise<{ hostId: string; credential: string }> {
  const body = await postJson(
    `${request.serverUrl}/api/v1/agents/enroll`,
    {
      enrollmentToken: request.enrollmentToken,
      hostname: request.hostname,
      ...(request.machineId ? { machineId: request.machineId } : {}),
    },
    request.timeoutMs,
    'AP_ENROLLMENT_TOKEN_INVALID',
  );
  const { hostId, credential } = body as { hostId?: unknown; credential?: unknown };
  if (typeof hostId !== 'string' || typeof credential !== 'string' || !hostId || !credential) {
    throw new AgentError('AP_AGENT_SERVER_ERROR', 'enrolment answer lacks hostId or credential');
  }
  return { hostId, credential };
}

export async function requestAgentToken(request: {
  serverUrl: string;
  hostId: string;
  credential: string;
  timeoutMs: number;
}): Promise<AgentToken> {
  const body = await postJson(
    `${request.serverUrl}/api/v1/agents/token`,
    { hostId: request.hostId, credential: request.credential },
    request.timeoutMs,
    'AP_AGENT_CREDENTIAL_INVALID',
  );
  const { token, expiresAt } = body as { token?: unknown; expiresAt?: unknown };
  const expiresAtMs = typeof expiresAt === 'string' ? Date.parse(expiresAt) : Number.NaN;
  if (typeof token !== 'string' || !token || Number.isNaN(expiresAtMs)) {
    throw new AgentError('AP_AGENT_SERVER_ERROR', 'token answer lacks token or expiresAt');
  }
  return { token, expiresAtMs };
}

/**
 * One JSON POST with node:http(s), not fetch: ws loads node:http(s) anyway, while fetch would
 * load undici, about 8 MB more resident memory for two small requests per quarter hour.
 * Redirects are not followed (an agent must talk to the server it was configured for).
 */
async function postJson(
  url: string,
  payload: unknown,
  timeoutMs: number,
  unauthorizedCode: 'AP_ENROLLMENT_TOKEN_INVALID' | 'AP_AGENT_CREDENTIAL_INVALID',
): Promise<unknown> {
  let response: { status: number; text: string };
  try {
    response = await post(url, JSON.stringify(payload), timeoutMs);
  } catch (err) {
    if (err instanceof AgentError) throw err;
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new AgentError('AP_AGENT_SERVER_UNREACHABLE', `POST ${url} failed: ${reason}`, 0);
  }
  let body: unknown;
  try {
    body = JSON.parse(response.text);
  } catch {
    body = undefined;
  }
  const { status } = response;
  if (status >= 200 && status < 300 && body !== undefined) return body;
  const serverMessage = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
  const detail = serverMessage ? `${serverMessage.code}: ${serverMessage.message}` : `HTTP ${status}`;
  if (status === 401 || status === 403) {
    throw new AgentError(unauthorizedCode, `POST ${url} refused: ${detail}`, status);
  }
  // 5xx and 429 are the server's passing trouble: the caller retries with backoff.
  const code = status >= 500 || status === 429 ? 'AP_AGENT_SERVER_UNREACHABLE' : 'AP_AGENT_SERVER_ERROR';
  throw new AgentError(code, `POST ${url} failed: ${detail}`, status);
}

function post(url: string, body: string, timeoutMs: number): Promise<{ status: number; text: string }> {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        'content-length': Buffer.byteLength(body),
      },
      timeout: timeoutMs,
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) {
          req.destroy(
            new AgentError('AP_AGENT_SERVER_ERROR', `answer from ${url} is too large`, res.statusCode),
          );
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.end(body);
  });
}
