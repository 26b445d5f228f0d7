import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAgentLogger } from '../../../agent/daemon/agent-logger.js';

describe('agent logger', () => {
  it('writes one JSON object per line in pino shape, with child bindings', () => {
    const lines: string[] = [];
    const logger = createAgentLogger({ write: (line) => lines.push(line) }).child({ module: 'outbox' });
    logger.info({ seq: 3 }, 'queued');
    logger.debug('not shown at info');
    assert.equal(lines.length, 1);
    assert.ok(lines[0]!.endsWith('\n'));
    const entry = JSON.parse(lines[0]!);
    assert.equal(entry.level, 30);
    assert.equal(entry.msg, 'queued');
    assert.equal(entry.module, 'outbox');
    assert.equal(entry.seq, 3);
    assert.equal(typeof entry.time, 'number');
  });

  it('redacts credentials and tokens at any depth, and flattens errors', () => {
    const lines: string[] = [];
    const logger = createAgentLogger({ write: (line) => lines.push(line) });
    const err = Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
    logger.error(
      { credential: 'apc_x', nested: { token: 'jwt', headers: { authorization: 'Bearer y' } }, err },
      'x',
    );
    const text = lines.join('');
    for (const secret of ['apc_x', 'jwt', 'Bearer y']) assert.ok(!text.includes(secret), secret);
    const entry = JSON.parse(text);
    assert.equal(entry.credential, '[Redacted]');
    assert.equal(entry.nested.headers.authorization, '[Redacted]');
    assert.deepEqual(entry.err, { type: 'Error', message: 'refused', code: 'ECONNREFUSED' });
  });
});
