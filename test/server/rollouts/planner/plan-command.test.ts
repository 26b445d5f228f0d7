// `afterpatch plan` through the real bin (run `npm run build` first): the documented example,
// the JSON output, and every exit code.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { verifyPlan } from '../../../../server/rollouts/planner/verify-plan.js';
import type { Plan, PlanInput } from '../../../../shared/rollout-plan.js';
import { repoRoot } from '../../../helpers/paths.js';
import { createScratch } from '../../../helpers/scratch.js';

const run = promisify(execFile);
const bin = join(repoRoot, 'bin', 'afterpatch.js');
const example = join(repoRoot, 'docs', 'examples', 'fleet.json');

async function plan(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, 'plan', ...args], {
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('afterpatch plan', { timeout: 60_000 }, () => {
  it('plans the documented example and prints the Plan document with --json', async () => {
    const result = await plan('--input', example, '--json');
    assert.equal(result.code, 0, result.stderr);
    const output = JSON.parse(result.stdout) as Plan;
    const input = JSON.parse(readFileSync(example, 'utf8')) as PlanInput;
    assert.deepEqual(verifyPlan(input, output), []);
    assert.equal(output.summary.fitsDeadline, true);
    assert.deepEqual(
      output.unscheduled.map((u) => [u.hostId, u.reason]),
      [
        ['bastion-1', 'excluded'],
        ['build-1', 'offline'],
      ],
    );
  });

  it('prints a summary that says when the plan misses the deadline, and still exits 0', async () => {
    const result = await plan('--input', example, '--deadline', '2025-03-30T00:30:00Z');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Does NOT fit the deadline 2025-03-30T00:30Z: finishes 31 min late/);
    assert.match(result.stdout, /Steps per group:\n {2}db /);
    assert.match(result.stdout, /Longest waits:/);
    assert.match(result.stdout, /limit: web: 2 of 8 already out \(limit maxOutPercent 25% of 8\)/);
  });

  it('exits 65 with the JSON path of each problem for an invalid input', async (t) => {
    const { dir } = createScratch(t);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ version: 1, start: 'soon', hosts: [{ id: 'a' }], groups: [] }));
    const result = await plan('--input', bad);
    assert.equal(result.code, 65);
    assert.match(result.stderr, /\/start: must match format "date-time"/);
    assert.match(result.stderr, /\/hosts\/0: must have required properties needs/);

    const cycle = join(dir, 'cycle.json');
    writeFileSync(
      cycle,
      JSON.stringify({
        version: 1,
        start: '2025-01-01T00:00:00Z',
        hosts: [],
        groups: [
          { name: 'a', limit: {}, dependsOn: ['b'] },
          { name: 'b', limit: {}, dependsOn: ['a'] },
        ],
      }),
    );
    const cyclic = await plan('--input', cycle);
    assert.equal(cyclic.code, 65);
    assert.match(cyclic.stderr, /dependency cycle: a -> b -> a/);

    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, '{ hosts: ');
    assert.equal((await plan('--input', notJson)).code, 65);
  });

  it('exits 66 for an unreadable file and 64 for a bad command line', async () => {
    assert.equal((await plan('--input', '/nonexistent/fleet.json')).code, 66);
    assert.equal((await plan()).code, 64);
    assert.equal((await plan('--input', example, '--start', 'tomorrow')).code, 64);
    assert.equal((await plan('--input', example, '--frobnicate')).code, 64);
  });
});
