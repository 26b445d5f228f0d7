// The systemd units: verified by systemd-analyze (every key known, every value parsed, the
// executables present) in a staging root, and the hardening choices the docs promise.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../helpers/paths.js';
import { cleanEnv } from '../helpers/run-cli.js';
import { createScratch } from '../helpers/scratch.js';
import { skipWithout } from './tools.js';

const UNITS = join(repoRoot, 'packaging', 'systemd');

/** Section → key → values (a key may repeat). */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = new Map();
      sections.set(header[1]!, current);
      continue;
    }
    const eq = line.indexOf('=');
    assert.ok(current && eq > 0, `not a key=value line: ${line}`);
    const key = line.slice(0, eq);
    current.set(key, [...(current.get(key) ?? []), line.slice(eq + 1)]);
  }
  return sections;
}

const unit = (name: string) => parseUnit(readFileSync(join(UNITS, name), 'utf8'));
const service = (name: string) => unit(name).get('Service')!;
const one = (s: Map<string, string[]>, key: string) => s.get(key)?.at(-1);

describe('systemd units', () => {
  it('agent: root with only CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH, read-only system, its state dir', () => {
    const s = service('afterpatch-agent.service');
    assert.equal(one(s, 'CapabilityBoundingSet'), 'CAP_SYS_PTRACE CAP_DAC_READ_SEARCH');
    assert.equal(one(s, 'ExecStart'), '/usr/bin/afterpatch-agent agent');
    assert.equal(one(s, 'StateDirectory'), 'afterpatch-agent');
    assert.equal(one(s, 'StateDirectoryMode'), '0700');
    assert.equal(one(s, 'ProtectSystem'), 'strict');
    assert.equal(one(s, 'ProtectHome'), 'read-only');
    assert.equal(one(s, 'NoNewPrivileges'), 'yes');
    // The wrapper runs node --jitless: nothing writable is ever executable (agent-node-flags.test.ts).
    assert.equal(one(s, 'MemoryDenyWriteExecute'), 'yes');
    assert.equal(s.get('ProtectProc'), undefined, 'the scan must see every process');
    assert.equal(s.get('ProcSubset'), undefined, 'the scan reads /proc/cpuinfo and /proc/stat');
    assert.equal(unit('afterpatch-agent.service').get('Install')?.get('WantedBy')?.[0], 'multi-user.target');
  });

  it('server: a dynamic user without capabilities, its state dir, W^X off for V8', () => {
    const s = service('afterpatch-server.service');
    assert.equal(one(s, 'DynamicUser'), 'yes');
    assert.equal(one(s, 'CapabilityBoundingSet'), '');
    assert.equal(one(s, 'StateDirectory'), 'afterpatch');
    assert.match(one(s, 'ExecStart')!, /server --data-dir \/var\/lib\/afterpatch$/);
    assert.equal(one(s, 'MemoryDenyWriteExecute'), 'no');
    assert.equal(one(s, 'NoNewPrivileges'), 'yes');
  });

  it('both pass systemd-analyze verify without a warning', { skip: skipWithout('systemd-analyze') }, (t) => {
    // A staging root with systemd's own units (for the targets ours refer to) and stand-ins for
    // the executables (verify checks that ExecStart exists and is executable).
    const root = createScratch(t).dir;
    cpSync('/usr/lib/systemd/system', join(root, 'usr/lib/systemd/system'), { recursive: true });
    mkdirSync(join(root, 'etc/systemd/system'), { recursive: true });
    for (const name of ['afterpatch-agent.service', 'afterpatch-server.service']) {
      cpSync(join(UNITS, name), join(root, 'etc/systemd/system', name));
    }
    for (const exe of ['usr/bin/afterpatch-agent', 'usr/bin/node']) {
      mkdirSync(join(root, exe, '..'), { recursive: true });
      writeFileSync(join(root, exe), '#!/bin/sh\n');
      chmodSync(join(root, exe), 0o755);
    }
    for (const name of ['afterpatch-agent.service', 'afterpatch-server.service']) {
      const result = spawnSync(
        'systemd-analyze',
        ['verify', `--root=${root}`, `/etc/systemd/system/${name}`],
        {
          encoding: 'utf8',
          env: cleanEnv({ SYSTEMD_LOG_COLOR: '0' }),
        },
      );
      assert.equal(result.status, 0, `${name}: ${result.stderr}`);
      assert.equal(result.stderr.trim(), '', `${name}: ${result.stderr}`);
    }
  });
});
