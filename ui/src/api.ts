// Calls to the server's REST API with the session's token. A 401 ends the session (the app then
// shows the login page); every other error becomes an ApiError carrying the server's message.
import { getSession, setSession } from './session.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

async function request(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = {};
  const session = getSession();
  if (session) headers.authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ApiError(0, 'AP_NETWORK', 'The server cannot be reached.');
  }
  if (response.ok) return response;
  let code = 'AP_HTTP';
  let message = `${response.status} ${response.statusText}`;
  try {
    const error = ((await response.json()) as { error?: { code: string; message: string } }).error;
    if (error) ({ code, message } = error);
  } catch {
    // not JSON: keep the status line
  }
  // An expired or revoked session: back to the login page (but a failed login is only an error).
  if (response.status === 401 && session && path !== '/api/v1/auth/login') setSession(null);
  throw new ApiError(response.status, code, message);
}

export async function apiGet<T>(path: string, query?: Query): Promise<T> {
  return (await (await request('GET', withQuery(path, query))).json()) as T;
}

export async function apiPost<T>(path: string, body?: unknown): Promise<T> {
  const response = await request('POST', path, body ?? {});
  return (response.status === 204 ? undefined : await response.json()) as T;
}

/** Downloads a file the API produces (the token is a header, so a plain link would not do). */
export async function apiDownload(path: string, query: Query, fallbackName: string): Promise<void> {
  const response = await request('GET', withQuery(path, query));
  const disposition = response.headers.get('content-disposition') ?? '';
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
