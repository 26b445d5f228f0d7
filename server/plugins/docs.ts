// OpenAPI: @fastify/swagger builds the document from the routes' TypeBox schemas; it is served at
// /docs/json, and @fastify/swagger-ui serves a readable page at /docs from its own bundled files
// (no CDN: servers often have no internet access).
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import { AFTERPATCH_VERSION } from '../../shared/version.js';

export default fp(
  async function docsPlugin(app) {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'afterpatch server API',
          version: AFTERPATCH_VERSION,
          description:
            'Fleet overview, users, tokens and the agent link. Errors are `{ error: { code, message } }`; see docs/api.md.',
        },
        components: {
          securitySchemes: {
            bearer: { type: 'http', scheme: 'bearer', description: 'A login JWT or an API token (apt_…)' },
          },
        },
        security: [{ bearer: [] }],
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  },
  { name: 'afterpatch-docs' },
);
