// The agent runs without V8's JIT (agent/daemon/agent-node-flags.ts): every way of starting it
// passes the same flags, and with them a real scan leaves no memory that is both writable and
// executable — what lets the systemd unit set MemoryDenyWriteExecute=yes.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AGENT_NODE_FLAGS } from '../../agent/daemon/agent-node-flags.js';
import { repoRoot } from '../helpers/paths.js';
import { AGENT_BUNDLE, cleanEnv } from '../helpers/run-cli.js';
import { createScratch } from '../helpers/scratch.js';

// Loaded with -r before the agent: at exit, counts the anonymous mappings with execute permission
// (V8's code space when the JIT is on). File-backed code (the node binary, libc) does not count.
const EXEC_MAPPINGS_PROBE = `
process.on('exit', () => {
  const maps = require('node:fs').readFileSync('/proc/self/maps', 'utf8').split('\\n');
  const exec = maps.filter((line) => {
    const [, perms, , , , path] = line.split(/\\s+/);
    return perms?.[2] === 'x' && !(path ?? '').startsWith('/') && !/^\\[(vdso|vsyscall)\\]$/.test(path ?? '');
  });
  process.stderr.write('anonymous executable mappings: ' + exec.length + '\\n');
});
`;

function scanWith(flags: readonly string[], probe: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...flags, '-r', probe, AGENT_BUNDLE, 'scan', '--json', '--no-packages'],
      { env: cleanEnv(), timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
      (err, _stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stderr }),
    );
  });
}

describe('the agent without a JIT', { timeout: 120_000 }, () => {
  it('the installed wrapper and the container image pass exactly the agent flags', () => {
    const install = readFileSync(join(repoRoot, 'packaging/install.sh'), 'utf8');
    const exec = /^exec "\$node" (.*) "\$libdir\/afterpatch-agent\.mjs" "\\\$@"$/m.exec(install);
    assert.ok(exec, 'the wrapper line in install.sh');
    assert.deepEqual(exec[1]!.split(' '), AGENT_NODE_FLAGS);

    const dockerfile = readFileSync(join(repoRoot, 'packaging/docker/agent.Dockerfile'), 'utf8');
    const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile);
    assert.ok(entrypoint, 'the agent image has an ENTRYPOINT');
    const argv = JSON.parse(entrypoint[1]!) as string[];
    assert.deepEqual(argv.slice(1, -1), AGENT_NODE_FLAGS);
  });

  it('a scan under the agent flags maps nothing writable as executable and prints no warning', async (t) => {
    const probe = join(createScratch(t).dir, 'exec-mappings.cjs');
    writeFileSync(probe, EXEC_MAPPINGS_PROBE);
    const withJit = await scanWith([], probe);
    assert.ok([0, 1, 2].includes(withJit.code), withJit.stderr);
    // The control: V8's JIT does make such memory, so the probe can see it.
    assert.doesNotMatch(withJit.stderr, /anonymous executable mappings: 0\n/);

    const agent = await scanWith(AGENT_NODE_FLAGS, probe);
    assert.ok([0, 1, 2].includes(agent.code), agent.stderr);
    assert.equal(agent.stderr, 'anonymous executable mappings: 0\n');
  });
});
