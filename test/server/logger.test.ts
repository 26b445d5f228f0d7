import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger } from '../../server/logger.js';

test('secrets are redacted wherever they are logged', () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const log = createLogger('info', sink);
  log.info({ req: { headers: { authorization: 'Bearer secret-1', cookie: 'sid=secret-2' } } }, 'request');
  log.info({ body: { password: 'secret-3', token: 'secret-4', credential: 'apc_secret-5' } }, 'body');
  log.info({ enrollment: { enrollmentToken: 'ape_secret-6' }, config: { jwtSecret: 'secret-7' } }, 'misc');
  const text = lines.join('');
  for (let i = 1; i <= 7; i++) assert.ok(!text.includes(`secret-${i}`), `secret-${i} leaked: ${text}`);
  assert.equal((text.match(/\[redacted\]/g) ?? []).length, 7);
});
