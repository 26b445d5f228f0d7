import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { findDpkgOwners } from '../../../agent/packages/find-dpkg-owners.js';
import type { DpkgLookup } from '../../../agent/packages/plan-dpkg-lookups.js';

const base = mkdtempSync(join(tmpdir(), 'afterpatch-lists-'));
after(() => rmSync(base, { recursive: true, force: true }));

function infoDir(name: string, lists: Record<string, string[]>): string {
  const dir = join(base, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, lines] of Object.entries(lists)) writeFileSync(join(dir, file), `${lines.join('\n')}\n`);
  return dir;
}

function plain(...paths: string[]): Map<string, DpkgLookup[]> {
  return new Map(paths.map((p) => [p, [{ listed: p }]]));
}

const lists = {
  'a-first.list': ['/.', '/usr/bin/a'],
  'bash.list': ['/.', '/bin/bash'],
  'libc6:amd64.list': ['/.', '/lib/x86_64-linux-gnu/libc.so.6', '/usr/share/doc/libc6/copyright'],
  'libc6:i386.list': ['/.', '/lib/i386-linux-gnu/libc.so.6', '/usr/share/doc/libc6/copyright'],
  'postgresql-common.list': ['/usr/bin/pg_config'],
  'libpq-dev.list': ['/usr/bin/pg_config'],
  'zz-last.list': ['/usr/bin/z'],
  'bash.md5sums': ['0123  usr/bin/not-a-list'],
};

describe('findDpkgOwners', () => {
  const dir = infoDir('main', lists);

  it('names the .list file that lists each path, with its architecture', async () => {
    const { owners, warnings } = await findDpkgOwners(
      dir,
      plain('/bin/bash', '/lib/i386-linux-gnu/libc.so.6', '/nope'),
    );
    assert.deepEqual(Object.fromEntries(owners), {
      '/bin/bash': 'bash',
      '/lib/i386-linux-gnu/libc.so.6': 'libc6:i386',
    });
    assert.deepEqual(warnings, []);
  });

  it('reads only .list files', async () => {
    const { owners } = await findDpkgOwners(dir, plain('/usr/bin/not-a-list'));
    assert.equal(owners.size, 0);
  });

  it('stops reading as soon as every path has an owner', async () => {
    const early = await findDpkgOwners(dir, plain('/usr/bin/a'));
    assert.equal(early.listsRead, 1);
    const all = await findDpkgOwners(dir, plain('/usr/bin/z'));
    assert.equal(all.listsRead, 7);
  });

  it('reads nothing when there is nothing to find', async () => {
    const { owners, warnings, listsRead } = await findDpkgOwners(join(base, 'missing'), new Map());
    assert.equal(owners.size, 0);
    assert.deepEqual(warnings, []);
    assert.equal(listsRead, 0);
  });

  it('takes the first list in name order when two list one path', async () => {
    const { owners } = await findDpkgOwners(dir, plain('/usr/share/doc/libc6/copyright'));
    assert.equal(owners.get('/usr/share/doc/libc6/copyright'), 'libc6:amd64');
  });

  it('tries every name of a file and honours owner constraints', async () => {
    const lookups = new Map<string, DpkgLookup[]>([
      [
        '/usr/lib/x86_64-linux-gnu/libc.so.6',
        [{ listed: '/usr/lib/x86_64-linux-gnu/libc.so.6' }, { listed: '/lib/x86_64-linux-gnu/libc.so.6' }],
      ],
      ['/usr/bin/pg_config.libpq-dev', [{ listed: '/usr/bin/pg_config', excludeOwner: 'postgresql-common' }]],
      ['/usr/bin/pg_config', [{ listed: '/usr/bin/pg_config', requireOwner: 'postgresql-common' }]],
    ]);
    const { owners } = await findDpkgOwners(dir, lookups);
    assert.deepEqual(Object.fromEntries(owners), {
      '/usr/lib/x86_64-linux-gnu/libc.so.6': 'libc6:amd64',
      '/usr/bin/pg_config.libpq-dev': 'libpq-dev',
      '/usr/bin/pg_config': 'postgresql-common',
    });
  });

  it('turns an unreadable database into warnings', async () => {
    const missing = await findDpkgOwners(join(base, 'missing'), plain('/bin/bash'));
    assert.equal(missing.owners.size, 0);
    assert.match(missing.warnings[0] ?? '', /cannot list .*missing: ENOENT/);

    const broken = infoDir('broken', { 'bash.list': ['/bin/bash'] });
    mkdirSync(join(broken, 'weird.list'));
    const result = await findDpkgOwners(broken, plain('/bin/bash', '/nope'));
    assert.equal(result.owners.get('/bin/bash'), 'bash');
    assert.equal(result.warnings.length, 1);
    assert.match(result.warnings[0] ?? '', /cannot read 1 dpkg \.list file\(s\).*weird\.list: EINVAL/);
  });
});
