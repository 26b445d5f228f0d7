// Admin: users. Create, list, change role, disable or enable, set a password. The last enabled
// admin cannot be demoted or disabled (nobody could administer the server any more).
import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { NullableDateTime } from '../../shared/api/fields.js';
import { recordAudit } from '../audit/record-audit.js';
import { hashPassword } from '../auth/password.js';
import { sqlStateOf } from '../db/errors.js';
import type { Prisma } from '../db/generated/client.js';
import { apiError } from '../errors.js';
import { actorOf, principalOf } from '../plugins/auth.js';
import { errors, IdParams, iso, RoleSchema } from './schemas.js';

const User = Type.Object({
  id: Type.String(),
  username: Type.String(),
  role: RoleSchema,
  createdAt: Type.String({ format: 'date-time' }),
  disabledAt: NullableDateTime,
});
const CreateUserBody = Type.Object(
  {
    username: Type.String({ pattern: '^[A-Za-z0-9_.@\\-]{1,64}$' }),
    password: Type.String({ minLength: 12, maxLength: 1024 }),
    role: RoleSchema,
  },
  { additionalProperties: false },
);
const UpdateUserBody = Type.Object(
  {
    role: Type.Optional(RoleSchema),
    disabled: Type.Optional(Type.Boolean()),
    password: Type.Optional(Type.String({ minLength: 12, maxLength: 1024 })),
  },
  { additionalProperties: false, minProperties: 1 },
);

const userSelect = { id: true, username: true, role: true, createdAt: true, disabledAt: true } as const;
type UserRow = Prisma.UserGetPayload<{ select: typeof userSelect }>;
const toUser = (u: UserRow) => ({
  ...u,
  createdAt: u.createdAt.toISOString(),
  disabledAt: iso(u.disabledAt),
});

export default async function userRoutes(app: FastifyInstance) {
  const adminOnly = { minRole: 'admin' as const };

  app.get(
    '',
    {
      config: adminOnly,
      schema: {
        tags: ['users'],
        response: { 200: Type.Object({ items: Type.Array(User) }), ...errors(401, 403) },
      },
    },
    async function listUsers() {
      const users = await app.db.prisma.user.findMany({
        select: userSelect,
        orderBy: { username: 'asc' },
        take: 1000,
      });
      return { items: users.map(toUser) };
    },
  );

  app.post<{ Body: Static<typeof CreateUserBody> }>(
    '',
    {
      config: adminOnly,
      schema: {
        tags: ['users'],
        body: CreateUserBody,
        response: { 201: User, ...errors(400, 401, 403, 409) },
      },
    },
    async function createUser(request, reply) {
      const principal = principalOf(request);
      const { username, password, role } = request.body;
      const passwordHash = await hashPassword(password);
      try {
        const user = await app.db.prisma.$transaction(async (tx) => {
          const created = await tx.user.create({
            data: { username, passwordHash, role },
            select: userSelect,
          });
          await recordAudit(tx, actorOf(principal), {
            action: 'user.create',
            targetType: 'user',
            targetId: created.id,
            details: { username, role },
          });
          return created;
        });
        return reply.code(201).send(toUser(user));
      } catch (err) {
        if (sqlStateOf(err) === '23505' || (err as { code?: string }).code === 'P2002') {
          throw apiError('AP_CONFLICT', `a user named '${username}' exists`);
        }
        throw err;
      }
    },
  );

  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof UpdateUserBody> }>(
    '/:id',
    {
      config: adminOnly,
      schema: {
        tags: ['users'],
        params: IdParams,
        body: UpdateUserBody,
        response: { 200: User, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async function updateUser(request) {
      const principal = principalOf(request);
      const { role, disabled, password } = request.body;
      const passwordHash = password === undefined ? undefined : await hashPassword(password);
      const user = await app.db.prisma.$transaction(async (tx) => {
        const before = await tx.user.findUnique({ where: { id: request.params.id }, select: userSelect });
        if (!before) throw apiError('AP_NOT_FOUND', 'no such user');
        const losesAdmin =
          before.role === 'admin' && !before.disabledAt && ((role && role !== 'admin') || disabled === true);
        if (losesAdmin) {
          const admins = await tx.user.count({ where: { role: 'admin', disabledAt: null } });
          if (admins <= 1) throw apiError('AP_CONFLICT', 'this is the last enabled admin');
        }
        const data: Prisma.UserUpdateInput = {};
        if (role !== undefined) data.role = role;
        if (disabled !== undefined) data.disabledAt = disabled ? (before.disabledAt ?? new Date()) : null;
        if (passwordHash !== undefined) data.passwordHash = passwordHash;
        // A reset password or a disabled account ends the user's login sessions: a token taken
        // with the old password (or before the disable) must not come back with a re-enable.
        const endsSessions = passwordHash !== undefined || disabled === true;
        if (endsSessions) data.sessionEpoch = { increment: 1 };
        const after = await tx.user.update({ where: { id: before.id }, data, select: userSelect });
        await recordAudit(tx, actorOf(principal), {
          action: 'user.update',
          targetType: 'user',
          targetId: before.id,
          details: {
            username: before.username,
            ...(role !== undefined ? { role: { from: before.role, to: role } } : {}),
            ...(disabled !== undefined ? { disabled } : {}),
            ...(password !== undefined ? { passwordReset: true } : {}),
            ...(endsSessions ? { sessionsEnded: true } : {}),
          },
        });
        return after;
      });
      return toUser(user);
    },
  );
}
