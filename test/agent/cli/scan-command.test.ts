// The `afterpatch` command as users call it: the real bin script, the real bundle.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CAPTURED_BTIME, CapturedTree } from '../../helpers/captured-tree.js';
import { repoRoot } from '../../helpers/paths.js';

const execFileAsync = promisify(execFile);
const bin = join(repoRoot, 'bin', 'afterpatch.js');

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('afterpatch command', () => {
  it('prints usage and the version', async () => {
    const help = await run(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: afterpatch <command>/);
    assert.match(help.stdout, /scan/);
    const version = await run(['--version']);
    assert.match(version.stdout, /^afterpatch \d+\.\d+\.\d+\n$/);
  });

  it('rejects an unknown command with exit code 64', async () => {
    const result = await run(['frobnicate']);
    assert.equal(result.code, 64);
    assert.match(result.stderr, /unknown command 'frobnicate'/);
  });
});

describe('afterpatch scan', () => {
  const tree = new CapturedTree();
  const out = mkdtempSync(join(tmpdir(), 'afterpatch-cli-'));
  before(() => {
    const old = new Date((CAPTURED_BTIME - 86_400) * 1000);
    tree.write('/usr/sbin/sshd', 'sshd', old);
    tree.addProcess({
      pid: 10,
      comm: 'sshd',
      exe: '/usr/sbin/sshd',
      maps: ['/usr/sbin/sshd', { path: '/usr/lib/libcrypto.so.3', inode: 77, deleted: true }],
      cgroup: '/system.slice/ssh.service',
    });
  });
  after(() => {
    tree.remove();
    rmSync(out, { recursive: true, force: true });
  });

  it('summarises what to restart and exits 1', async () => {
    const result = await run(['scan', '--root', tree.root, '--no-color']);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /Restart services\n {2}ssh\.service \(pid 10\)/);
  });

  it('prints the JSON report, compact on request', async () => {
    const result = await run(['scan', '--root', tree.root, '--json', '--compact']);
    assert.equal(result.code, 1);
    assert.equal(result.stdout.trim().split('\n').length, 1);
    const report = JSON.parse(result.stdout);
    assert.deepEqual(
      report.processes.map((p: { pid: number }) => p.pid),
      [10],
    );
    assert.equal(report.processes[0].files[0].path, '/usr/lib/libcrypto.so.3');
  });

  it('speaks the Nagios plugin protocol', async () => {
    const result = await run(['scan', '--root', tree.root, '--nagios']);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^AFTERPATCH WARNING - /);
  });

  it('writes Prometheus metrics to a file atomically', async () => {
    const file = join(out, 'afterpatch.prom');
    const result = await run(['scan', '--root', tree.root, '--prometheus', '-o', file]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.match(readFileSync(file, 'utf8'), /^afterpatch_stale_processes 1$/m);
  });

  it('honours --deny-unit and --ignore-unit', async () => {
    const denied = JSON.parse(
      (await run(['scan', '--root', tree.root, '--json', '--deny-unit', 'ssh.*'])).stdout,
    );
    assert.equal(denied.actions.services[0].denied, true);
    const ignored = await run(['scan', '--root', tree.root, '--json', '--ignore-unit', 'ssh.service']);
    assert.equal(ignored.code, 0);
    assert.deepEqual(JSON.parse(ignored.stdout).processes, []);
  });

  it('reads the config file named by --config or AFTERPATCH_CONFIG', async () => {
    const config = join(out, 'agent.json');
    writeFileSync(config, JSON.stringify({ scan: { ignorePaths: ['/usr/lib/**'] } }));
    assert.equal((await run(['scan', '--root', tree.root, '--json', '-c', config])).code, 0);
    assert.equal((await run(['scan', '--root', tree.root, '--json'], { AFTERPATCH_CONFIG: config })).code, 0);
  });

  it('fails clearly on bad input, with exit code 64', async () => {
    const cases: [string[], RegExp][] = [
      [['scan', '--json', '--nagios'], /choose one output format/],
      [['scan', '--tmp-policy', 'sometimes'], /--tmp-policy must be one of smart, ignore, report/],
      [['scan', '--pid', 'abc'], /--pid takes a process id, not 'abc'/],
      [['scan', '--bogus'], /Unknown option '--bogus'/],
      [['scan', '-c', join(out, 'missing.json')], /cannot read config file \(ENOENT\)/],
    ];
    for (const [args, message] of cases) {
      const result = await run(args);
      assert.equal(result.code, 64, args.join(' '));
      assert.match(result.stderr, message);
      assert.match(result.stderr, /afterpatch scan --help/);
    }
    writeFileSync(join(out, 'bad.json'), '{"scan":{"tempPolicy":1}}');
    const bad = await run(['scan', '-c', join(out, 'bad.json')]);
    assert.equal(bad.code, 64);
    assert.match(bad.stderr, /bad\.json: invalid configuration\n {2}\/scan\/tempPolicy/);
  });

  it('documents its options and exit codes in --help', async () => {
    const help = await run(['scan', '--help']);
    assert.equal(help.code, 0);
    for (const option of [
      '--json',
      '--nagios',
      '--prometheus',
      '--pid',
      '--root',
      '--tmp-policy',
      'Exit codes',
    ]) {
      assert.ok(help.stdout.includes(option), option);
    }
  });
});
