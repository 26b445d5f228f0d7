// Admin: webhooks that receive rollout notifications (server/notify/webhook-notifier.ts).
import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { DateTime } from '../../shared/api/fields.js';
import { recordAudit } from '../audit/record-audit.js';
import { apiError } from '../errors.js';
import { NOTIFICATION_EVENTS } from '../notify/webhook-notifier.js';
import { actorOf, principalOf } from '../plugins/auth.js';
import { errors, IdParams } from './schemas.js';

const EventName = Type.Union(NOTIFICATION_EVENTS.map((e) => Type.Literal(e)));
const Fields = {
  name: Type.String({ minLength: 1, maxLength: 100 }),
  url: Type.String({ minLength: 1, maxLength: 2048, pattern: '^https?://' }),
  /** json: the notification as is; slack: `{ text }` for Slack-compatible incoming webhooks. */
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('slack')])),
  /** Events to send; empty or absent: all. */
  events: Type.Optional(Type.Array(EventName, { maxItems: NOTIFICATION_EVENTS.length })),
  enabled: Type.Optional(Type.Boolean()),
};
const Body = Type.Object(Fields, { additionalProperties: false });
const Webhook = Type.Object({
  id: Type.String(),
  name: Type.String(),
  url: Type.String(),
  format: Type.String(),
  events: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  createdAt: DateTime,
});

function toWebhook(w: {
  id: string;
  name: string;
  url: string;
  format: string;
  events: unknown;
  enabled: boolean;
  createdAt: Date;
}) {
  return { ...w, events: w.events as string[], createdAt: w.createdAt.toISOString() };
}

export default async function webhookRoutes(app: FastifyInstance) {
  const prisma = app.db.prisma;
  const adminOnly = { minRole: 'admin' as const };

  app.get(
    '',
    {
      config: adminOnly,
      schema: {
        tags: ['webhooks'],
        response: { 200: Type.Object({ items: Type.Array(Webhook) }), ...errors(401, 403) },
      },
    },
    async function listWebhooks() {
      return { items: (await prisma.webhook.findMany({ orderBy: { createdAt: 'asc' } })).map(toWebhook) };
    },
  );

  app.post<{ Body: Static<typeof Body> }>(
    '',
    {
      config: adminOnly,
      schema: { tags: ['webhooks'], body: Body, response: { 201: Webhook, ...errors(400, 401, 403) } },
    },
    async function createWebhook(request, reply) {
      const principal = principalOf(request);
      const row = await prisma.$transaction(async (tx) => {
        const created = await tx.webhook.create({
          data: {
            name: request.body.name,
            url: request.body.url,
            format: request.body.format ?? 'json',
            events: request.body.events ?? [],
            enabled: request.body.enabled ?? true,
          },
        });
        // The URL may embed a secret (Slack's do): the audit keeps only its origin.
        await recordAudit(tx, actorOf(principal), {
          action: 'webhook.create',
          targetType: 'webhook',
          targetId: created.id,
          details: {
            name: created.name,
            origin: new URL(created.url).origin,
            events: request.body.events ?? [],
          },
        });
        return created;
      });
      return reply.code(201).send(toWebhook(row));
    },
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/:id',
    {
      config: adminOnly,
      schema: {
        tags: ['webhooks'],
        params: IdParams,
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async function deleteWebhook(request, reply) {
      const principal = principalOf(request);
      await prisma.$transaction(async (tx) => {
        const existing = await tx.webhook.findUnique({ where: { id: request.params.id } });
        if (!existing) throw apiError('AP_NOT_FOUND', 'no such webhook');
        await tx.webhook.delete({ where: { id: existing.id } });
        await recordAudit(tx, actorOf(principal), {
          action: 'webhook.delete',
          targetType: 'webhook',
          targetId: existing.id,
          details: { name: existing.name },
        });
      });
      return reply.code(204).send();
    },
  );
}
