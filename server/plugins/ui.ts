// The web UI: the single-page app that `npm run build` bundles into dist/ui (index.html plus
// content-hashed files under assets/). Served by the server itself, so it works without internet
// access. index.html answers every client route (the app routes in the browser) and is never
// cached; hashed assets are cached for a year as immutable. A strict Content-Security-Policy
// allows only this origin's scripts and styles: no inline script, no eval, no CDN.
// When dist/ui is missing (a build without the UI), `/` says so instead of failing the server.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { apiError } from '../errors.js';

export const UI_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The client routes of the app; each answers index.html. */
export const UI_ROUTES = [
  '/',
  '/login',
  '/hosts',
  '/hosts/*',
  '/packages',
  '/packages/*',
  '/audit',
  '/rollouts',
  '/rollouts/*',
];

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
};

/** dist/ui next to the running code: dist/server/plugins (tsc) or dist/bundle[/chunks] (esbuild). */
export function findUiDir(start = dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    for (const candidate of [join(dir, 'ui'), join(dir, 'dist', 'ui')]) {
      if (existsSync(join(candidate, 'index.html'))) return candidate;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', UI_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY');
}

export default fp<{ uiDir?: string }>(
  async function uiPlugin(app, options) {
    const found = options.uiDir ?? findUiDir();
    const dir = found && existsSync(join(found, 'index.html')) ? found : undefined;
    // Read once at start: the files are small and never change while the server runs.
    const index = dir ? readFileSync(join(dir, 'index.html')) : undefined;
    const assets = new Map<string, { body: Buffer; type: string }>();
    if (dir && existsSync(join(dir, 'assets'))) {
      for (const name of readdirSync(join(dir, 'assets'))) {
        const type = CONTENT_TYPES[extname(name)];
        if (type) assets.set(name, { body: readFileSync(join(dir, 'assets', name)), type });
      }
    }
    if (!dir) app.log.warn('no dist/ui found: the web UI is not served (run npm run build)');

    for (const url of UI_ROUTES) {
      app.get(
        url,
        { config: { minRole: 'public' }, schema: { hide: true } },
        async function uiIndex(_request, reply) {
          if (!index) {
            return reply
              .code(404)
              .type('text/plain; charset=utf-8')
              .send('The web UI is not built. Run `npm run build`.\n');
          }
          return securityHeaders(reply)
            .header('cache-control', 'no-cache')
            .type('text/html; charset=utf-8')
            .send(index);
        },
      );
    }

    app.get<{ Params: { file: string } }>(
      '/assets/:file',
      { config: { minRole: 'public' }, schema: { hide: true } },
      async function uiAsset(request, reply) {
        const asset = assets.get(request.params.file);
        if (!asset) throw apiError('AP_NOT_FOUND');
        return securityHeaders(reply)
          .header('cache-control', 'public, max-age=31536000, immutable')
          .type(asset.type)
          .send(asset.body);
      },
    );
  },
  { name: 'afterpatch-ui' },
);
