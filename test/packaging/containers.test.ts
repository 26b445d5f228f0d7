// docker-compose.yml and the Dockerfiles, checked without a Docker engine: docker-compose
// validates the compose file; the rest is read here (every COPY source exists, images run
// non-root where they can, health checks and volumes are declared).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../helpers/paths.js';
import { cleanEnv } from '../helpers/run-cli.js';
import { skipWithout } from './tools.js';

const COMPOSE = readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8');

/** The top-level services with the text of their block (the file is plain two-space YAML). */
function services(): Map<string, string> {
  const body = /^services:\n([\s\S]*?)(?=^\S)/m.exec(COMPOSE)?.[1] ?? '';
  const blocks = new Map<string, string>();
  for (const match of body.matchAll(/^ {2}([a-z][\w-]*):\n((?: {4}.*\n|\s*\n)*)/gm))
    blocks.set(match[1]!, match[2]!);
  return blocks;
}

interface Stage {
  from: string;
  instructions: Array<{ op: string; args: string }>;
}

function dockerfileStages(path: string): Stage[] {
  const logical = readFileSync(path, 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of logical) {
    const [op, ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (op!.toUpperCase() === 'FROM') stages.push({ from: args, instructions: [] });
    else stages.at(-1)!.instructions.push({ op: op!.toUpperCase(), args });
  }
  return stages;
}

describe('docker-compose.yml', () => {
  it('is valid for docker-compose', { skip: skipWithout('docker-compose') }, () => {
    const result = spawnSync('docker-compose', ['-f', join(repoRoot, 'docker-compose.yml'), 'config', '-q'], {
      encoding: 'utf8',
      env: cleanEnv(),
    });
    assert.equal(result.status, 0, result.stderr);
  });

  it('has postgres, server and agent, each with a health check; volumes declared; Dockerfiles exist', () => {
    const all = services();
    assert.deepEqual([...all.keys()].sort(), ['agent', 'postgres', 'server']);
    for (const [name, block] of all) assert.match(block, /^ {4}healthcheck:/m, `${name} has a health check`);
    assert.match(all.get('server')!, /\/healthz/);
    const declared = new Set(
      [...(/^volumes:\n((?: {2}.*\n?)*)/m.exec(COMPOSE)?.[1] ?? '').matchAll(/^ {2}([\w-]+):/gm)].map(
        (m) => m[1],
      ),
    );
    for (const [name, block] of all) {
      const mounts = /^ {4}volumes:\n((?: {6}- .*\n)*)/m.exec(block)?.[1] ?? '';
      for (const m of mounts.matchAll(/^ {6}- ([\w-]+):\/\S+$/gm)) {
        assert.ok(declared.has(m[1]!), `${name}: volume ${m[1]} is declared`);
      }
      const dockerfile = /dockerfile: (\S+)/.exec(block)?.[1];
      if (dockerfile) assert.ok(existsSync(join(repoRoot, dockerfile)), `${name}: ${dockerfile} exists`);
    }
    const agent = all.get('agent')!;
    assert.match(agent, /^ {4}pid: host$/m);
    assert.match(agent, /- \/:\/host:ro$/m);
    assert.match(agent, /- SYS_PTRACE\n\s+- DAC_READ_SEARCH/);
    assert.match(agent, /- --root\n\s+- \/host/);
  });
});

describe('Dockerfiles', () => {
  for (const [name, finalUser] of [
    ['server.Dockerfile', 'node'],
    ['agent.Dockerfile', 'root'],
  ] as const) {
    it(`${name}: multi-stage, COPY sources exist, final stage as ${finalUser}, health check`, () => {
      const stages = dockerfileStages(join(repoRoot, 'packaging/docker', name));
      assert.ok(stages.length >= 2, 'a build stage and a small run stage');
      for (const stage of stages) assert.match(stage.from, /^node:20-bookworm-slim\b/);
      for (const stage of stages) {
        for (const { op, args } of stage.instructions) {
          if (op !== 'COPY' || args.includes('--from=')) continue;
          const sources = args.split(/\s+/).slice(0, -1);
          for (const source of sources)
            assert.ok(existsSync(join(repoRoot, source)), `COPY ${source} exists`);
        }
      }
      const last = stages.at(-1)!;
      assert.equal(last.instructions.filter((i) => i.op === 'USER').at(-1)?.args, finalUser);
      assert.ok(last.instructions.some((i) => i.op === 'HEALTHCHECK'));
      const runs = last.instructions.filter((i) => i.op === 'RUN').map((i) => i.args);
      for (const run of runs) if (run.includes('npm ci')) assert.match(run, /--omit=dev/);
    });
  }
});
