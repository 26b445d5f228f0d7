// The audit log's answer: events newest first, paged by id cursor. Served by
// server/routes/audit.ts; read by the UI and the CLI (`afterpatch audit tail`).
import Type, { type Static } from 'typebox';
import { DateTime, OpenObject } from './fields.js';
import { CursorPageOf } from './pages.js';

export const AuditEvent = Type.Object({
  id: Type.String(),
  at: DateTime,
  actorType: Type.String(),
  actorId: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  targetType: Type.Union([Type.String(), Type.Null()]),
  targetId: Type.Union([Type.String(), Type.Null()]),
  details: OpenObject,
});
export type AuditEvent = Static<typeof AuditEvent>;

export const AuditPage = CursorPageOf(AuditEvent);
export type AuditPage = Static<typeof AuditPage>;
