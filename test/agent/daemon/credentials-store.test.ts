import assert from 'node:assert/strict';
import { chmodSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AgentError } from '../../../agent/daemon/agent-errors.js';
import {
  prepareStateDir,
  readCredentials,
  writeCredentials,
} from '../../../agent/daemon/credentials-store.js';
import { createScratch } from '../../helpers/scratch.js';

const CREDENTIALS = { serverUrl: 'https://s.example', hostId: 'b3c1…', credential: 'apc_secret' };

describe('credentials store', () => {
  it('creates the state directory 0700 and the file 0600, atomically', (t) => {
    const dir = join(createScratch(t).dir, 'state');
    prepareStateDir(dir);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(readCredentials(dir), undefined);
    writeCredentials(dir, CREDENTIALS);
    assert.equal(statSync(join(dir, 'credentials.json')).mode & 0o777, 0o600);
    assert.deepEqual(readCredentials(dir), CREDENTIALS);
    assert.deepEqual(readdirSync(dir), ['credentials.json'], 'no temp file left behind');
  });

  it('refuses a credentials file readable by group or others', (t) => {
    const dir = createScratch(t).dir;
    chmodSync(dir, 0o700);
    writeCredentials(dir, CREDENTIALS);
    chmodSync(join(dir, 'credentials.json'), 0o644);
    assert.throws(
      () => readCredentials(dir),
      (err: Error) =>
        err instanceof AgentError &&
        err.code === 'AP_AGENT_STATE_INSECURE' &&
        /readable by group or others \(mode 0644\)/.test(err.message) &&
        !err.message.includes('apc_secret'),
    );
  });

  it('refuses a state directory others can write to, and tightens one others can read', (t) => {
    const scratch = createScratch(t).dir;
    const open = join(scratch, 'open');
    prepareStateDir(open);
    chmodSync(open, 0o777);
    assert.throws(() => prepareStateDir(open), /writable by group or others/);
    const readable = join(scratch, 'readable');
    prepareStateDir(readable);
    chmodSync(readable, 0o755);
    prepareStateDir(readable);
    assert.equal(statSync(readable).mode & 0o777, 0o700);
  });

  it('reports a damaged file clearly', (t) => {
    const dir = createScratch(t).dir;
    writeFileSync(join(dir, 'credentials.json'), '{"hostId":', { mode: 0o600 });
    assert.throws(() => readCredentials(dir), /not valid JSON/);
    writeFileSync(join(dir, 'credentials.json'), '{"hostId":"x"}', { mode: 0o600 });
    assert.throws(() => readCredentials(dir), /lacks serverUrl, hostId or credential/);
  });
});
