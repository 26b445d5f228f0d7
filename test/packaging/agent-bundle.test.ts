// The agent as one file: copied ALONE into an empty directory (no node_modules anywhere above
// it), it must run its commands on a stock Node.js.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AGENT_BUNDLE, cleanEnv, runNode } from '../helpers/run-cli.js';
import { createScratch } from '../helpers/scratch.js';

describe('dist/afterpatch-agent.mjs', { timeout: 120_000 }, () => {
  it('runs --help, scan --json, config check and rescan from an empty directory', async (t) => {
    const dir = createScratch(t, '/tmp').dir;
    assert.ok(!existsSync(join(dir, 'node_modules')));
    const bundle = join(dir, 'afterpatch-agent.mjs');
    copyFileSync(AGENT_BUNDLE, bundle);
    const run = (args: string[]) => runNode(bundle, args, { cwd: dir, env: cleanEnv({ NODE_PATH: '' }) });

    const help = await run(['--help']);
    assert.equal(help.code, 0, help.stderr);
    for (const command of ['scan', 'agent', 'rescan', 'config'])
      assert.match(help.stdout, new RegExp(`^  ${command} `, 'm'));
    assert.doesNotMatch(
      help.stdout,
      /^ {2}(server|hosts|up) /m,
      'operator and server commands are not in the agent bundle',
    );

    const scan = await run(['scan', '--json', '--no-packages']);
    assert.ok([0, 1, 2].includes(scan.code), scan.stderr);
    const report = JSON.parse(scan.stdout) as {
      schemaVersion: number;
      tool: { name: string };
      scan: { processesSeen: number };
    };
    assert.equal(report.schemaVersion, 1);
    assert.equal(report.tool.name, 'afterpatch');
    assert.ok(report.scan.processesSeen > 0);

    const config = join(dir, 'agent.json');
    const agentHelp = await run(['agent', '--help']);
    assert.match(agentHelp.stdout, /--root DIR/);
    const check = await run(['config', 'check', '--agent', config]);
    assert.equal(check.code, 64);
    assert.match(check.stderr, /agent\.json: cannot read config file \(ENOENT\)/);

    const stateDir = join(dir, 'state');
    mkdirSync(stateDir, { mode: 0o700 });
    const rescan = await run(['rescan', '--state-dir', stateDir]);
    assert.equal(rescan.code, 0, rescan.stderr);
    assert.match(readFileSync(join(stateDir, 'rescan-request'), 'utf8'), /"reason":"manual"/);
  });

  it('bundles ws and its own dependencies: no import of a package outside node: built-ins', () => {
    const text = readFileSync(AGENT_BUNDLE, 'utf8');
    // Statements at the start of a line: typebox's code generator holds import lines in strings.
    const bare = [
      ...text.matchAll(
        /^\s*(?:import|export)\b[^\n]*?\bfrom\s*["']([^"'.][^"']*)["']|\bimport\(\s*["']([^"'.][^"']*)["']\s*\)/gm,
      ),
    ]
      .map((m) => m[1] ?? m[2]!)
      .filter((name) => !name.startsWith('node:'));
    assert.deepEqual([...new Set(bare)], []);
  });
});
