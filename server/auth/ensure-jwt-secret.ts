// The JWT signing secret: from the configuration when set, else one generated once and kept in the
// database, so every server instance sharing the database accepts the others' tokens and restarts
// keep sessions valid. Instances starting together race on INSERT … ON CONFLICT DO NOTHING and
// all read back the winner.
import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '../db/generated/client.js';

const KEY = 'jwt-secret';

export async function ensureJwtSecret(prisma: PrismaClient, configured?: string): Promise<string> {
  if (configured) return configured;
  const candidate = randomBytes(48).toString('base64url');
  await prisma.$executeRaw`
    INSERT INTO server_settings (key, value) VALUES (${KEY}, ${candidate}) ON CONFLICT (key) DO NOTHING`;
  const row = await prisma.serverSetting.findUniqueOrThrow({ where: { key: KEY }, select: { value: true } });
  return row.value;
}
