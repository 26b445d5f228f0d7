import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { API_ERRORS, ApiError } from '../../server/errors.js';
import { CLOSE_CODES } from '../../shared/agent-protocol.js';
import { repoRoot } from '../helpers/paths.js';

const apiDoc = readFileSync(join(repoRoot, 'docs', 'api.md'), 'utf8');

test('docs/api.md lists every error code with its HTTP status', () => {
  for (const [code, { statusCode }] of Object.entries(API_ERRORS)) {
    assert.match(apiDoc, new RegExp(`\\| \`${code}\`\\s*\\| ${statusCode} `), code);
  }
});

test('docs/api.md lists every WebSocket close code', () => {
  for (const [name, code] of Object.entries(CLOSE_CODES)) {
    assert.match(apiDoc, new RegExp(`\\| ${code}\\s*\\|`), `${name} ${code}`);
  }
});

test('an ApiError carries its code, status and default message', () => {
  const err = new ApiError('AP_RATE_LIMITED', undefined, { retryAfterSeconds: 7 });
  assert.equal(err.statusCode, 429);
  assert.equal(err.message, API_ERRORS.AP_RATE_LIMITED.message);
  assert.equal(err.retryAfterSeconds, 7);
});
