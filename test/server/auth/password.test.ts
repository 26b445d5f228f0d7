import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashPassword, verifyPassword } from '../../../server/auth/password.js';

test('a password verifies against its scrypt hash, a wrong one does not', async () => {
  const hash = await hashPassword('s3cret password');
  assert.match(hash, /^scrypt\$16384\$8\$1\$[\w-]+\$[\w-]+$/);
  assert.equal(await verifyPassword('s3cret password', hash), true);
  assert.equal(await verifyPassword('s3cret passwore', hash), false);
});

test('each hash has its own salt', async () => {
  assert.notEqual(await hashPassword('same'), await hashPassword('same'));
});

test('a malformed stored hash never verifies and never throws', async () => {
  for (const stored of [
    '',
    'plain',
    'scrypt$1$2$3',
    'scrypt$x$8$1$abc$def',
    'bcrypt$16384$8$1$abc$def',
    'scrypt$16384$8$1$abc$short',
  ]) {
    assert.equal(await verifyPassword('anything', stored), false, stored);
  }
});
