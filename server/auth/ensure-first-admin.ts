// Creates the first admin when the database has no user at all. The password comes from the
// configuration (AFTERPATCH_ADMIN_PASSWORD) or is generated and written ONCE to
// <dataDir>/initial-admin-password with mode 0600; only the file's path is logged. The file is
// written inside the transaction that creates the user: if it cannot be written, no user exists
// whose password nobody knows; if another instance created the admin first, the file is removed.
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordAudit, SYSTEM_ACTOR } from '../audit/record-audit.js';
import { sqlStateOf } from '../db/errors.js';
import type { PrismaClient } from '../db/generated/client.js';
import { hashPassword } from './password.js';

export const INITIAL_ADMIN_USERNAME = 'admin';
export const INITIAL_ADMIN_PASSWORD_FILE = 'initial-admin-password';

export interface FirstAdminLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export type FirstAdminResult =
  | { created: false }
  | { created: true; username: string; passwordFile?: string };

export async function ensureFirstAdmin(options: {
  prisma: PrismaClient;
  dataDir: string;
  password?: string;
  logger: FirstAdminLogger;
}): Promise<FirstAdminResult> {
  const { prisma, logger } = options;
  if ((await prisma.user.count()) > 0) return { created: false };
  const password = options.password ?? randomBytes(18).toString('base64url');
  const passwordHash = await hashPassword(password);
  const passwordFile = options.password ? undefined : join(options.dataDir, INITIAL_ADMIN_PASSWORD_FILE);
  let wroteFile = false;
  try {
    await prisma.$transaction(async (tx) => {
      if ((await tx.user.count()) > 0) throw new AlreadyCreated();
      const user = await tx.user.create({
        data: { username: INITIAL_ADMIN_USERNAME, passwordHash, role: 'admin' },
        select: { id: true },
      });
      await recordAudit(tx, SYSTEM_ACTOR, {
        action: 'user.create',
        targetType: 'user',
        targetId: user.id,
        details: { username: INITIAL_ADMIN_USERNAME, role: 'admin', initial: true },
      });
      if (passwordFile) {
        // 'wx': never overwrite a file a person may already have read.
        writeFileSync(passwordFile, `${password}\n`, { mode: 0o600, flag: 'wx' });
        wroteFile = true;
      }
    });
  } catch (err) {
    if (wroteFile && passwordFile) rmSync(passwordFile, { force: true });
    if (err instanceof AlreadyCreated || sqlStateOf(err) === '23505') return { created: false };
    throw err;
  }
  if (passwordFile) {
    logger.warn(
      { username: INITIAL_ADMIN_USERNAME, passwordFile },
      'created the first admin; its password is in the file (read it, log in, change it, delete the file)',
    );
  } else {
    logger.info(
      { username: INITIAL_ADMIN_USERNAME },
      'created the first admin with AFTERPATCH_ADMIN_PASSWORD',
    );
  }
  return passwordFile
    ? { created: true, username: INITIAL_ADMIN_USERNAME, passwordFile }
    : { created: true, username: INITIAL_ADMIN_USERNAME };
}

class AlreadyCreated extends Error {}
