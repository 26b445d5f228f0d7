// `?access_token=` for the one route that cannot send headers (EventSource, GET /api/v1/events).
// The token is taken out of the URL before Fastify routes or logs the request (fastify's
// rewriteUrl), kept on the raw request, and accepted only by routes that allow it.
import type { IncomingMessage } from 'node:http';

const QUERY_TOKEN = Symbol('afterpatch.queryToken');

/** fastify `rewriteUrl`: the URL without `access_token`, which is kept on the request. */
export function stripAccessToken(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  if (q < 0 || !url.includes('access_token=')) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  const token = params.get('access_token');
  params.delete('access_token');
  if (token) (req as IncomingMessage & { [QUERY_TOKEN]?: string })[QUERY_TOKEN] = token;
  const rest = params.toString();
  return rest ? `${url.slice(0, q)}?${rest}` : url.slice(0, q);
}

export function queryToken(req: IncomingMessage): string | undefined {
  return (req as IncomingMessage & { [QUERY_TOKEN]?: string })[QUERY_TOKEN];
}
