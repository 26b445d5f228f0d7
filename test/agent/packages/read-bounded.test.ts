import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isNotFound, readBoundedText, readLineChunksSync } from '../../../agent/packages/read-bounded.js';

const dir = mkdtempSync(join(tmpdir(), 'afterpatch-read-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'log');
writeFileSync(file, 'line one\nline two\nline three\n');
mkdirSync(join(dir, 'sub'));

describe('readBoundedText', () => {
  it('reads a small file whole', async () => {
    assert.deepEqual(await readBoundedText(file, 1000), {
      text: 'line one\nline two\nline three\n',
      truncated: false,
    });
  });

  it('reads the head of a large file', async () => {
    assert.deepEqual(await readBoundedText(file, 8), { text: 'line one', truncated: true });
  });

  it('reads the tail without the partial first line', async () => {
    // The last 16 bytes are " two\nline three\n": the broken first line is dropped.
    assert.deepEqual(await readBoundedText(file, 16, { fromEnd: true }), {
      text: 'line three\n',
      truncated: true,
    });
  });

  it('returns errors instead of throwing', async () => {
    const missing = await readBoundedText(join(dir, 'nope'), 10);
    assert.equal(missing.text, undefined);
    assert.ok(isNotFound(missing.error));
    const directory = await readBoundedText(join(dir, 'sub'), 10);
    assert.equal(directory.text, undefined);
    assert.equal(directory.error?.code, 'EINVAL');
    assert.ok(!isNotFound(directory.error));
  });
});

describe('readLineChunksSync', () => {
  const dir = mkdtempSync(join(tmpdir(), 'afterpatch-chunks-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('hands out whole lines in chunks the size of the scratch buffer, and the rest at the end', () => {
    const lines = Array.from({ length: 50 }, (_, i) => `/usr/lib/file-${i}.so`);
    const file = join(dir, 'pkg.list');
    writeFileSync(file, `${lines.join('\n')}\n/last/without/newline`);
    const scratch = { buffer: Buffer.alloc(64) };
    const chunks: string[] = [];
    const result = readLineChunksSync(file, 1 << 20, scratch, (bytes) => chunks.push(bytes.toString()));
    assert.equal(result.error, undefined);
    assert.equal(chunks.join(''), readFileSync(file, 'utf8'));
    assert.ok(chunks.length > 5);
    for (const chunk of chunks.slice(0, -1)) assert.ok(chunk.endsWith('\n'), JSON.stringify(chunk));
  });

  it('grows the buffer for a line longer than it, and reports errors instead of throwing', () => {
    const file = join(dir, 'long.list');
    writeFileSync(file, `${'x'.repeat(10_000)}\n/short\n`);
    const chunks: string[] = [];
    readLineChunksSync(file, 1 << 20, { buffer: Buffer.alloc(16) }, (bytes) => chunks.push(bytes.toString()));
    assert.deepEqual(chunks.join('').split('\n'), ['x'.repeat(10_000), '/short', '']);
    assert.equal(
      readLineChunksSync(join(dir, 'absent'), 10, { buffer: Buffer.alloc(16) }, () => {}).error?.code,
      'ENOENT',
    );
  });
});
