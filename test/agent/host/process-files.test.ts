import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { decodeDevice } from '../../../agent/host/file-stat.js';
import { createProcessFiles, readHead } from '../../../agent/host/process-files.js';

describe('process files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'afterpatch-pf-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads only the head of a file', () => {
    writeFileSync(join(dir, 'big.txt'), 'x'.repeat(10_000));
    assert.equal(readHead(join(dir, 'big.txt'), 100)?.length, 100);
    assert.equal(readHead(join(dir, 'absent'), 100), undefined);
  });

  it('never blocks on a FIFO planted where a file was expected', () => {
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    assert.equal(readHead(join(dir, 'fifo'), 100), undefined);
  });

  it('caches stat results per root, but not misses through a volatile root', () => {
    const files = createProcessFiles();
    const stable = { prefix: dir, cacheKey: 'stable' };
    const volatile = { prefix: dir, cacheKey: 'volatile', volatile: true };
    assert.equal(files.stat(stable, '/later'), undefined);
    assert.equal(files.stat(volatile, '/later'), undefined);
    writeFileSync(join(dir, 'later'), 'now here');
    assert.equal(files.stat(stable, '/later'), undefined, 'a stable miss is remembered for the scan');
    assert.equal(files.stat(volatile, '/later')?.size, 8, 'a volatile miss is asked again');
  });

  it('decodes large device numbers like glibc', () => {
    // makedev(259, 65536): major 259, minor 65536
    const dev = (259n << 8n) | (65536n & 0xffn) | ((65536n & ~0xffn) << 12n);
    assert.deepEqual(decodeDevice(dev), { major: 259, minor: 65536 });
  });
});
