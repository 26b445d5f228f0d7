// The REST client shared by the operator commands (`afterpatch hosts`, `audit`, and the rollout
// commands to come): base URL + API token, JSON in and out, the server's error envelope turned
// into ApiError, network failures into ServerUnreachableError. Nothing command-specific here.
import { ApiError, ServerUnreachableError } from './api-errors.js';

export type Query = Record<string, string | number | boolean | undefined>;

export interface ApiClientOptions {
  /** http(s)://host:port[/base], no trailing slash. */
  server: string;
  /** An API token (apt_…) or a login JWT. */
  token: string;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const API_PREFIX = '/api/v1';

export class ApiClient {
  readonly server: string;
  private readonly token: string;
  private readonly timeoutMs: number;

  constructor(options: ApiClientOptions) {
    this.server = options.server;
    this.token = options.token;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  get<T>(path: string, query: Query = {}): Promise<T> {
    return this.request<T>('GET', path, query);
  }

  post<T>(path: string, body: unknown, query: Query = {}): Promise<T> {
    return this.request<T>('POST', path, query, body);
  }

  /** `path` is below /api/v1, e.g. `/hosts`. */
  async request<T>(method: string, path: string, query: Query, body?: unknown): Promise<T> {
    const url = new URL(`${this.server}${API_PREFIX}${path}`);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        redirect: 'error',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new ServerUnreachableError(`cannot reach ${this.server}: ${networkReason(err)}`);
    }
    const text = await response.text();
    const parsed = parseJson(text);
    if (!response.ok) {
      const error = (parsed as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
      throw new ApiError(
        response.status,
        typeof error?.code === 'string' ? error.code : `HTTP_${response.status}`,
        typeof error?.message === 'string' ? error.message : response.statusText || 'request failed',
      );
    }
    if (parsed === undefined && text !== '') {
      throw new ServerUnreachableError(
        `${this.server} answered with something that is not JSON: is it an afterpatch server?`,
      );
    }
    return parsed as T;
  }
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** fetch hides the real cause (ECONNREFUSED, ENOTFOUND, a TLS error) in err.cause. */
function networkReason(err: unknown): string {
  if ((err as Error).name === 'TimeoutError') return 'no answer in time';
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}
