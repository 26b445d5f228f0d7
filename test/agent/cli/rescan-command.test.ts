// `afterpatch rescan`: writes the request the daemon watches; harmless without an agent.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { rescanCommand } from '../../../agent/cli/rescan-command.js';
import { UsageError } from '../../../cli/usage-error.js';
import { createScratch } from '../../helpers/scratch.js';

async function quietly(fn: () => Promise<number>): Promise<number> {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await fn();
  } finally {
    process.stdout.write = write;
  }
}

describe('afterpatch rescan', () => {
  it('writes the request file into the state directory, with the reason', async (t) => {
    const stateDir = join(createScratch(t).dir, 'state');
    mkdirSync(stateDir, { mode: 0o700 });
    assert.equal(
      await quietly(() => rescanCommand.run(['--state-dir', stateDir, '--reason', 'apt', '-q'])),
      0,
    );
    const request = JSON.parse(readFileSync(join(stateDir, 'rescan-request'), 'utf8'));
    assert.equal(request.reason, 'apt');
    assert.ok(!Number.isNaN(Date.parse(request.at)));
  });

  it('exits 0 and creates nothing when no agent state directory exists', async (t) => {
    const stateDir = join(createScratch(t).dir, 'never-ran');
    assert.equal(await quietly(() => rescanCommand.run(['--state-dir', stateDir])), 0);
    assert.equal(existsSync(stateDir), false);
  });

  it('takes the state directory from the config file; refuses relative paths', async (t) => {
    const dir = createScratch(t).dir;
    const stateDir = join(dir, 'from-config');
    mkdirSync(stateDir);
    const config = join(dir, 'agent.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(config, JSON.stringify({ agent: { stateDir } }));
    assert.equal(await quietly(() => rescanCommand.run(['-c', config, '-q'])), 0);
    assert.ok(existsSync(join(stateDir, 'rescan-request')));
    await assert.rejects(rescanCommand.run(['--state-dir', 'relative']), UsageError);
  });
});
