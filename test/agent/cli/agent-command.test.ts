// `afterpatch agent` as users run it: the real bin script and bundle, a real scan of this
// host, against FakeAgentServer (a TEST DOUBLE of the real server, see its header). The
// assertions are about delivery, not about what this machine's scan finds.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { FakeAgentServer, waitFor } from '../../helpers/fake-agent-server.js';
import { fixturePath, repoRoot } from '../../helpers/paths.js';
import { createScratch } from '../../helpers/scratch.js';

const execFileAsync = promisify(execFile);
const bin = join(repoRoot, 'bin', 'afterpatch.js');
const ENV = { PATH: process.env.PATH, AFTERPATCH_CONFIG: fixturePath('integration', 'empty-config.json') };

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [bin, 'agent', ...args], {
      env: { ...ENV, ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function pendingFiles(stateDir: string): string[] {
  return readdirSync(join(stateDir, 'outbox')).filter((n) => /^\d+\.json$/.test(n));
}

describe('afterpatch agent', () => {
  it('rejects bad options with exit code 64 and a clear message', async (t) => {
    const stateDir = join(createScratch(t).dir, 'state');
    const cases: Array<[string[], RegExp]> = [
      [[], /--server URL is required/],
      [['--server', 'fleet.example'], /must be a URL/],
      [['--server', 'http://127.0.0.1:9', '--scan-interval-seconds', '5'], /whole seconds between 10/],
      [['--server', 'http://127.0.0.1:9', '--bogus'], /Unknown option '--bogus'/],
      [['--server', 'http://127.0.0.1:9', '--state-dir', stateDir], /not enrolled yet/],
      [
        ['--server', 'http://127.0.0.1:9', '--enroll-token-file', join(stateDir, 'absent')],
        /cannot read the enrolment token file/,
      ],
    ];
    for (const [args, message] of cases) {
      const result = await run(args);
      assert.equal(result.code, 64, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
    }
  });

  it('--once: keeps the report when the server is down, delivers everything in order later', async (t) => {
    const server = new FakeAgentServer();
    await server.listen();
    t.after(() => server.close());
    await server.close();
    const stateDir = join(createScratch(t).dir, 'state');
    const args = ['--once', '--server', server.url, '--state-dir', stateDir];

    const down = await run(args, { AFTERPATCH_ENROLL_TOKEN: 'enroll-ok' });
    assert.equal(down.code, 1, down.stderr);
    assert.deepEqual(pendingFiles(stateDir), ['1.json']);

    await server.listen();
    const up = await run(args, { AFTERPATCH_ENROLL_TOKEN: 'enroll-ok' });
    assert.equal(up.code, 0, up.stdout + up.stderr);
    const host = server.onlyHost();
    assert.equal(host.reportSeq, 2);
    assert.equal(host.reports[0]?.seq, 1);
    assert.deepEqual(pendingFiles(stateDir), []);
    assert.equal(host.reports[0]?.report.tool.name, 'afterpatch');

    const again = await run(args);
    assert.equal(again.code, 0, 'no token needed once enrolled');
    assert.equal(host.reportSeq, 3);
    assert.equal(server.counts.enroll, 1);
  });

  it('names the boot id of agent.bootIdFile in its hello AND its reports (they must agree)', async (t) => {
    // Regression: the scan read /proc's boot id while hello used agent.bootIdFile, so a host whose
    // boot id file differs from /proc's (a container, a simulated host) flipped between two boot
    // ids on the server, and a reboot step there could never be verified.
    const server = new FakeAgentServer();
    await server.listen();
    t.after(() => server.close());
    const scratch = createScratch(t).dir;
    const bootIdFile = join(scratch, 'boot_id');
    writeFileSync(bootIdFile, '0b00b1d0-0000-4000-8000-00000000b007\n');
    const config = join(scratch, 'agent.json');
    writeFileSync(config, JSON.stringify({ agent: { bootIdFile } }));
    const result = await run(['--once', '--server', server.url, '--state-dir', join(scratch, 'state')], {
      AFTERPATCH_CONFIG: config,
      AFTERPATCH_ENROLL_TOKEN: 'enroll-ok',
    });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const host = server.onlyHost();
    assert.deepEqual(
      host.hellos.map((h) => h.bootId),
      ['0b00b1d0-0000-4000-8000-00000000b007'],
    );
    assert.equal(host.reports[0]?.report.host.bootId, '0b00b1d0-0000-4000-8000-00000000b007');
  });

  it('runs as a daemon, stops on SIGTERM with exit 0 and close code 1001, resumes its seq', async (t) => {
    const server = new FakeAgentServer();
    await server.listen();
    t.after(() => server.close());
    const scratch = createScratch(t).dir;
    const stateDir = join(scratch, 'state');
    const tokenFile = join(scratch, 'token');
    writeFileSync(tokenFile, 'enroll-ok\n', { mode: 0o600 });
    const start = () =>
      spawn(
        process.execPath,
        [bin, 'agent', '--server', server.url, '--state-dir', stateDir, '--enroll-token-file', tokenFile],
        {
          env: ENV,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
    const capture = async (child: ChildProcess) => {
      let stdout = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      return {
        async kill() {
          child.kill('SIGTERM');
          return { code: await exited, stdout };
        },
      };
    };

    const first = start();
    t.after(() => first.kill('SIGKILL'));
    const firstHandle = await capture(first);
    await waitFor(() => server.hosts.size === 1 && server.onlyHost().reportSeq === 1, 30_000, 'first report');
    const firstExit = await firstHandle.kill();
    assert.equal(firstExit.code, 0);
    await waitFor(() => server.closeCodes.length === 1, 5000, 'close seen by the server');
    assert.deepEqual(server.closeCodes, [1001]);
    const lines = firstExit.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.ok(lines.some((l) => l.msg === 'agent stopped'));
    assert.ok(!firstExit.stdout.includes(server.onlyHost().credential), 'no credential in the log');

    const second = start();
    t.after(() => second.kill('SIGKILL'));
    const secondHandle = await capture(second);
    await waitFor(() => server.onlyHost().reportSeq === 2, 30_000, 'startup report of the second run');
    assert.equal((await secondHandle.kill()).code, 0);
    assert.deepEqual(
      server.onlyHost().hellos.map((h) => h.lastAckedSeq),
      [0, 1],
    );
    assert.equal(server.onlyHost().reports[1]?.trigger, 'startup');
    assert.equal(server.counts.enroll, 1);
  });
});
